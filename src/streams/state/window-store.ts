/**
 * Window and session stores as processors and queries see them (Kafka Streams' `WindowStore`,
 * `TimestampedWindowStore`, `SessionStore`).
 *
 * A window store holds, per key, one value per window start time; it keeps windows for its
 * *retention period* behind stream time and drops older ones. A session store holds, per key,
 * sessions `[start, end]` of activity. Point reads (`fetch(key, windowStart)`, `fetchSession`) are
 * synchronous like key-value reads; range reads are async iterators, ordered by key bytes then time.
 */
import type { KeyValue } from '../processor/stream-record.js';
import type { ValueAndTimestamp } from './key-value-store.js';
import type { StateStore } from './state-store.js';

/** A window of time, `[start, end)` for time windows; `[start, end]` for sessions (Kafka Streams'). */
export interface Window {
  readonly start: number;
  readonly end: number;
}

/** A key and the window it belongs to: the key of a windowed table (Kafka Streams' `Windowed<K>`). */
export interface Windowed<K> {
  readonly key: K;
  readonly window: Window;
}

export function windowed<K>(key: K, start: number, end: number): Windowed<K> {
  return { key, window: { start, end } };
}

/** Iterates a range of a window or session store; `close()` ends it early. */
export interface StoreIterator<T> extends AsyncIterableIterator<T> {
  close(): Promise<void>;
}

export interface ReadOnlyWindowStore<K, V> {
  /** The value of `key` in the window starting at `windowStart`. */
  fetch(key: K, windowStart: number): V | undefined;
  /** The windows of `key` starting between `timeFrom` and `timeTo` (inclusive), earliest first. */
  fetchRange(key: K, timeFrom: number, timeTo: number): StoreIterator<KeyValue<number, V>>;
  /** The same, latest first. */
  backwardFetchRange(key: K, timeFrom: number, timeTo: number): StoreIterator<KeyValue<number, V>>;
  /** Every key's windows starting between `timeFrom` and `timeTo`. */
  fetchAll(timeFrom: number, timeTo: number): StoreIterator<KeyValue<Windowed<K>, V>>;
  /** Every window still retained. */
  all(): StoreIterator<KeyValue<Windowed<K>, V>>;
}

export interface WindowStore<K, V> extends StateStore, ReadOnlyWindowStore<K, V> {
  /** Writes `key`'s value for the window starting at `windowStart`; null deletes it. */
  put(key: K, value: V | null, windowStart: number): void;
  /** How long windows are kept behind stream time. */
  readonly retentionMs: number;
  readonly windowSizeMs: number;
}

/** The DSL's window stores: each value with the timestamp of the record that last wrote it. */
export type TimestampedWindowStore<K, V> = WindowStore<K, ValueAndTimestamp<V>>;

export interface ReadOnlySessionStore<K, V> {
  /** The session of `key` exactly `[start, end]`. */
  fetchSession(key: K, sessionStart: number, sessionEnd: number): V | undefined;
  /**
   * Sessions of `key` that end at or after `earliestSessionEndTime` and start at or before
   * `latestSessionStartTime` — those a record within the inactivity gap would merge with.
   */
  findSessions(key: K, earliestSessionEndTime: number, latestSessionStartTime: number): StoreIterator<KeyValue<Windowed<K>, V>>;
  /** Every session of `key`. */
  fetch(key: K): StoreIterator<KeyValue<Windowed<K>, V>>;
  /** Every session still retained. */
  all(): StoreIterator<KeyValue<Windowed<K>, V>>;
}

export interface SessionStore<K, V> extends StateStore, ReadOnlySessionStore<K, V> {
  put(session: Windowed<K>, value: V | null): void;
  remove(session: Windowed<K>): void;
  readonly retentionMs: number;
}
