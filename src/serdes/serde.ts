/**
 * Serde: how a value of type T becomes bytes on a topic and back — Kafka's `Serde<T>`, with the
 * serializer and deserializer as two methods of one object.
 *
 * `null` is Kafka's null (a record without a key, a tombstone value) and is passed through by every
 * built-in serde: `serialize(topic, null)` is `null`, `deserialize(topic, null)` is `null`.
 *
 * Serdes are synchronous, like Kafka's: the processing loop, the stores and the TopologyTestDriver
 * call them record by record without awaiting.
 */
import type { Headers } from './headers.js';

export interface Serde<T> {
  /** Shown in error messages: `String`, `Long`, `Avro(com.example.Order)`, … */
  readonly name: string;
  serialize(topic: string, data: T | null, headers?: Headers): Buffer | null;
  deserialize(topic: string, data: Buffer | null, headers?: Headers): T | null;
}
