/**
 * What a store needs from the task that owns it: the record being processed (its timestamp is the
 * timestamp of the store's writes, its origin travels with cached entries), the changelog, and the
 * thread's cache.
 */
import type { Headers } from '../../../serdes/headers.js';
import type { BytesKey, StoredValue } from './bytes-store.js';
import type { ThreadCache } from './thread-cache.js';

/** The record context Kafka Streams keeps per record: where it came from, its timestamp and headers. */
export interface RecordContext {
  readonly timestamp: number;
  readonly headers: Headers;
  readonly topic: string | undefined;
  readonly partition: number | undefined;
  readonly offset: number | undefined;
}

export interface StoreContext {
  readonly taskId: string;
  readonly applicationId: string;
  /** The record context of the record being processed. */
  recordContext(): RecordContext;
  /** Runs `fn` with `ctx` as the current record context (a cache flush forwards with each entry's own). */
  withRecordContext(ctx: RecordContext, fn: () => void): void;
  /** Appends a record to the store's changelog partition; `null` is a tombstone. */
  logChange(storeName: string, key: BytesKey, value: StoredValue | null): void;
  /** The thread's cache, or null when `statestore.cache.max.bytes` is 0. */
  readonly cache: ThreadCache | null;
  /** The task's stream time (-1 before its first record): window stores expire windows behind it. */
  currentStreamTime(): number;
}
