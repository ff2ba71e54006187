import type { Headers } from '../../serdes/headers.js';

/** A record as a test reads or writes it (Kafka Streams' `TestRecord`). */
export interface TestRecord<K, V> {
  readonly key: K | null;
  readonly value: V | null;
  readonly timestamp: number;
  readonly headers: Headers;
}
