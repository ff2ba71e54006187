/**
 * RecordCollector (Kafka Streams' name): where a task's sinks and changelogs put serialized records.
 * The runtime's collector sends them with the task's producer and learns their offsets; the
 * TopologyTestDriver's appends them to in-memory topics.
 */
import type { Headers } from '../../serdes/headers.js';

export interface ProducerRecord {
  readonly topic: string;
  /** Undefined lets the producer choose (a record without a key). */
  readonly partition: number | undefined;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: number;
  readonly headers: Headers;
}

export interface RecordCollector {
  send(record: ProducerRecord): void;
  /** The number of partitions of an output topic, for partitioners; 0 if it is not known. */
  partitionsFor(topic: string): number;
}

/** A record as the consumer delivers it: bytes and where it came from. */
export interface RawRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Headers;
}
