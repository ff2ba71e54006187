/**
 * Key-value stores as processors and queries see them (Kafka Streams' `KeyValueStore`,
 * `ReadOnlyKeyValueStore`, `TimestampedKeyValueStore`).
 *
 * Reads and writes are synchronous. Scans are async iterators (`for await (const { key, value } of
 * store.range(a, b))`), ordered by the serialized key's bytes, `from` and `to` inclusive, as in Kafka
 * Streams. A missing key reads as `undefined`; `put(key, null)` deletes, as in Kafka Streams.
 */
import type { Serde } from '../../serdes/serde.js';
import type { KeyValue } from '../processor/stream-record.js';
import type { StateStore } from './state-store.js';

export interface KeyValueIterator<K, V> extends AsyncIterableIterator<KeyValue<K, V>> {
  /** Releases the underlying LevelDB iterator early; a loop that runs to its end closes it itself. */
  close(): Promise<void>;
}

export interface ReadOnlyKeyValueStore<K, V> {
  get(key: K): V | undefined;
  range(from?: K | null, to?: K | null): KeyValueIterator<K, V>;
  reverseRange(from?: K | null, to?: K | null): KeyValueIterator<K, V>;
  all(): KeyValueIterator<K, V>;
  reverseAll(): KeyValueIterator<K, V>;
  /** Keys whose serialized form starts with the serialized `prefix`. */
  prefixScan<P>(prefix: P, prefixKeySerde: Serde<P>): KeyValueIterator<K, V>;
  /** An estimate: exact for the in-memory store, approximate for LevelDB. */
  approximateNumEntries(): Promise<number>;
}

export interface KeyValueStore<K, V> extends StateStore, ReadOnlyKeyValueStore<K, V> {
  put(key: K, value: V | null): void;
  putIfAbsent(key: K, value: V): V | undefined;
  putAll(entries: readonly KeyValue<K, V>[]): void;
  delete(key: K): V | undefined;
}

/** A value and the timestamp of the record that wrote it. */
export interface ValueAndTimestamp<V> {
  readonly value: V;
  readonly timestamp: number;
}

/** The DSL's stores: each value carries the timestamp of the record that last wrote it. */
export type TimestampedKeyValueStore<K, V> = KeyValueStore<K, ValueAndTimestamp<V>>;
