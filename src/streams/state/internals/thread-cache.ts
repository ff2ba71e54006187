/**
 * The thread's record cache (Kafka Streams' `ThreadCache`): one byte budget,
 * `statestore.cache.max.bytes`, shared by the caching layers of all stores of a stream thread.
 * When a write takes the total over the budget, the writing store evicts its least recently used
 * entries — flushing its dirty ones first, which forwards them downstream — until it fits again.
 */
export interface EvictableCache {
  /** Evicts the least recently used entry; returns the bytes freed, 0 if the cache is empty. */
  evictEldest(): number;
}

export class ThreadCache {
  private used = 0;

  constructor(readonly maxBytes: number) {}

  get sizeBytes(): number {
    return this.used;
  }

  /** Records a change in a cache's size, then evicts from `cache` while over budget. */
  resize(cache: EvictableCache, delta: number): void {
    this.used += delta;
    while (this.used > this.maxBytes) {
      const freed = cache.evictEldest();
      if (freed === 0) break;
    }
  }

  /** A cache that goes away (a closed task) gives its bytes back. */
  release(bytes: number): void {
    this.used -= bytes;
  }
}
