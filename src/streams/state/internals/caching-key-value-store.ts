/**
 * The caching layer (Kafka Streams' `CachingKeyValueStore`): writes stay in memory, dirty, until
 * the task commits or the thread's cache evicts them; then the latest value of each key goes down to
 * the store (and so to the changelog) and is handed to the flush listener, which forwards it. Many
 * updates of one key between two commits become one downstream record and one changelog record.
 */
import type { BytesKey, KeyRange, KeyValueBytesStore, StoredValue } from './bytes-store.js';
import { entrySize, inRange } from './bytes-store.js';
import { mergeOverlay } from './merge-iterator.js';
import type { RecordContext, StoreContext } from './store-context.js';
import type { EvictableCache, ThreadCache } from './thread-cache.js';

interface CacheEntry {
  value: StoredValue | null;
  /**
   * The key's value in the store below, when known (undefined: not known): what a read there would
   * return, kept so that a flush need not read it back for the listener's old value. Only this layer
   * writes the store below (at flush), so it stays right until the entry leaves the cache.
   */
  below: StoredValue | null | undefined;
  dirty: boolean;
  /** The record context of the write, which the flushed record is forwarded with. */
  context: RecordContext | null;
}

/** Called once per dirty key on flush, in write order, with the value before it (from the store below). */
export type BytesFlushListener = (key: BytesKey, newValue: StoredValue | null, oldValue: StoredValue | null) => void;

export class CachingKeyValueBytesStore implements KeyValueBytesStore, EvictableCache {
  /** Least recently used first (a Map keeps insertion order; a touched entry is re-inserted). */
  private readonly entries = new Map<BytesKey, CacheEntry>();
  /** Dirty keys in the order they were last written. */
  private readonly dirty = new Set<BytesKey>();
  private listener: BytesFlushListener | null = null;
  private bytes = 0;
  private flushing = false;

  constructor(
    private readonly inner: KeyValueBytesStore,
    private readonly context: StoreContext,
    private readonly cache: ThreadCache,
  ) {}

  get name(): string {
    return this.inner.name;
  }

  get persistent(): boolean {
    return this.inner.persistent;
  }

  setFlushListener(listener: BytesFlushListener): void {
    this.listener = listener;
  }

  get(key: BytesKey): StoredValue | undefined {
    const e = this.entries.get(key);
    if (e !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, e);
      return e.value ?? undefined;
    }
    const v = this.inner.get(key);
    this.insert(key, { value: v ?? null, below: v ?? null, dirty: false, context: null });
    return v;
  }

  put(key: BytesKey, value: StoredValue | null): void {
    this.dirty.delete(key);
    this.dirty.add(key);
    this.insert(key, { value, below: this.entries.get(key)?.below, dirty: true, context: this.context.recordContext() });
  }

  private insert(key: BytesKey, entry: CacheEntry): void {
    const old = this.entries.get(key);
    let delta = entrySize(key, entry.value);
    if (old !== undefined) {
      delta -= entrySize(key, old.value);
      this.entries.delete(key);
    }
    this.entries.set(key, entry);
    this.bytes += delta;
    this.cache.resize(this, delta);
  }

  /** Sends every dirty entry down and to the listener, oldest write first. */
  flush(): void {
    if (this.flushing || this.dirty.size === 0) return;
    this.flushing = true;
    try {
      for (const key of this.dirty) {
        const e = this.entries.get(key) as CacheEntry;
        const old = this.listener === null ? null : e.below !== undefined ? e.below : (this.inner.get(key) ?? null);
        e.dirty = false;
        // Written and deleted since the last flush, and never in the store below: there is nothing
        // to delete there or to tell downstream, which never saw it (Kafka Streams skips it too).
        if (this.listener !== null && e.value === null && old === null) {
          e.context = null;
          continue;
        }
        this.inner.put(key, e.value);
        e.below = e.value;
        if (this.listener !== null) {
          const listener = this.listener;
          this.context.withRecordContext(e.context as RecordContext, () => listener(key, e.value, old));
        }
        e.context = null;
      }
      this.dirty.clear();
    } finally {
      this.flushing = false;
    }
  }

  evictEldest(): number {
    const first = this.entries.keys().next();
    if (first.done) return 0;
    const key = first.value;
    if ((this.entries.get(key) as CacheEntry).dirty) this.flush();
    const e = this.entries.get(key);
    if (e === undefined) return 0;
    this.entries.delete(key);
    const size = entrySize(key, e.value);
    this.bytes -= size;
    this.cache.release(size);
    return size;
  }

  /** Forgets everything, dirty entries included: the transaction they belong to was rolled back. */
  clear(): void {
    this.entries.clear();
    this.dirty.clear();
    this.cache.release(this.bytes);
    this.bytes = 0;
  }

  hasDirty(): boolean {
    return this.dirty.size > 0;
  }

  range(bounds: KeyRange, reverse: boolean): AsyncIterableIterator<[BytesKey, StoredValue]> {
    const overlay = new Map<BytesKey, StoredValue | null>();
    for (const key of this.dirty) {
      if (inRange(key, bounds)) overlay.set(key, (this.entries.get(key) as CacheEntry).value);
    }
    return mergeOverlay(overlay, this.inner.range(bounds, reverse), reverse);
  }

  /** Counts what a scan sees, dirty entries included (the store below does not have them yet). */
  async approximateNumEntries(): Promise<number> {
    if (this.dirty.size === 0) return this.inner.approximateNumEntries();
    let n = 0;
    for await (const _ of this.range({}, false)) n++;
    return n;
  }
}
