/**
 * Interactive queries' view of a store (Kafka Streams' `QueryableStoreTypes` and the read-only store
 * interfaces): what `KafkaStreams.store(name, type)` returns. It reads this instance's copy of the
 * store across all its stream threads; because threads other than the first run in worker threads,
 * every read is asynchronous, and scans answer arrays rather than iterators.
 *
 * Keys and values of stores in a worker thread cross to the caller by structured clone: plain data,
 * arrays, Maps, Dates and Buffers (which arrive as Buffers) come through; class instances arrive as
 * plain objects.
 */
import type { KeyValue } from '../processor/stream-record.js';
import type { ValueAndTimestamp } from './key-value-store.js';
import type { Windowed } from './window-store.js';

export interface QueryableKeyValueStore<K, V> {
  /** The key's value, or `undefined`. A point read goes to the thread whose task holds the key. */
  get(key: K): Promise<V | undefined>;
  /** Entries from `from` to `to` (inclusive; null: open), each thread's in key order, threads one after the other. */
  range(from?: K | null, to?: K | null): Promise<KeyValue<K, V>[]>;
  /** Every entry of this instance's copy. */
  all(): Promise<KeyValue<K, V>[]>;
  /** The sum of the threads' estimates. */
  approximateNumEntries(): Promise<number>;
}

export interface QueryableWindowStore<K, V> {
  /** The key's value in the window starting at `windowStart`. */
  fetch(key: K, windowStart: number): Promise<V | undefined>;
  /** The key's windows starting from `timeFrom` to `timeTo` (inclusive): window start → value, earliest first. */
  fetchRange(key: K, timeFrom: number, timeTo: number): Promise<KeyValue<number, V>[]>;
  /** Every key's windows starting from `timeFrom` to `timeTo`. */
  fetchAll(timeFrom: number, timeTo: number): Promise<KeyValue<Windowed<K>, V>[]>;
  /** Every window still retained. */
  all(): Promise<KeyValue<Windowed<K>, V>[]>;
}

export interface QueryableSessionStore<K, V> {
  /** The value of the key's session exactly `[sessionStart, sessionEnd]`. */
  fetchSession(key: K, sessionStart: number, sessionEnd: number): Promise<V | undefined>;
  /** Every session of the key. */
  fetch(key: K): Promise<KeyValue<Windowed<K>, V>[]>;
  /** The key's sessions ending at or after `earliestSessionEndTime` and starting at or before `latestSessionStartTime`. */
  findSessions(key: K, earliestSessionEndTime: number, latestSessionStartTime: number): Promise<KeyValue<Windowed<K>, V>[]>;
  /** Every session still retained. */
  all(): Promise<KeyValue<Windowed<K>, V>[]>;
}

/** Which view of a store to query (`QueryableStoreTypes.keyValueStore()`, …); `S` is the view's type. */
export interface QueryableStoreType<S> {
  readonly kind: 'keyValue' | 'window' | 'session';
  /** Values with the timestamp of the record that wrote them (the DSL's stores keep one). */
  readonly timestamped: boolean;
  /** Carries the view's type; never set. */
  readonly view?: S;
}

export const QueryableStoreTypes = {
  /** Values only — also of the DSL's timestamped stores, whose timestamps are left out. */
  keyValueStore<K, V>(): QueryableStoreType<QueryableKeyValueStore<K, V>> {
    return { kind: 'keyValue', timestamped: false };
  },
  /** Values with their timestamps, of a timestamped store (every store the DSL makes). */
  timestampedKeyValueStore<K, V>(): QueryableStoreType<QueryableKeyValueStore<K, ValueAndTimestamp<V>>> {
    return { kind: 'keyValue', timestamped: true };
  },
  windowStore<K, V>(): QueryableStoreType<QueryableWindowStore<K, V>> {
    return { kind: 'window', timestamped: false };
  },
  timestampedWindowStore<K, V>(): QueryableStoreType<QueryableWindowStore<K, ValueAndTimestamp<V>>> {
    return { kind: 'window', timestamped: true };
  },
  sessionStore<K, V>(): QueryableStoreType<QueryableSessionStore<K, V>> {
    return { kind: 'session', timestamped: false };
  },
};
