import type { Headers } from '../../serdes/headers.js';

/**
 * A record inside a topology — Kafka Streams' `Record`: key, value, timestamp (ms) and headers.
 * Records are values: processors make new ones (`{ ...record, value }`) rather than change them.
 */
export interface StreamRecord<K, V> {
  readonly key: K;
  readonly value: V;
  readonly timestamp: number;
  readonly headers: Headers;
}

/** Where the record being processed came from (`context.recordMetadata()`). */
export interface RecordMetadata {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/** A record with its origin: what `KStream.pipe()` operators see. */
export interface ConsumedRecord<K, V> extends StreamRecord<K, V> {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/** A key and a value, as `KeyValue` in Kafka Streams' API and the test driver. */
export interface KeyValue<K, V> {
  key: K;
  value: V;
}

export function keyValue<K, V>(key: K, value: V): KeyValue<K, V> {
  return { key, value };
}
