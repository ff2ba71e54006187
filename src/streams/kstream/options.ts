/**
 * Options of the DSL calls, as plain objects with Kafka Streams' names for the fields: what
 * `Consumed`, `Produced`, `Grouped`, `Materialized`, `Repartitioned` and `Named` say in Java.
 */
import type { Serde } from '../../serdes/serde.js';
import type { StreamPartitioner, TimestampExtractor, TopicNameExtractor } from '../processor/topology.js';

export type { StreamPartitioner, TimestampExtractor, TopicNameExtractor };

/** Names the node a call adds (`Named.as`); the name shows in `describe()` and must be unique. */
export interface Named {
  name?: string;
}

export interface Consumed<K, V> extends Named {
  keySerde?: Serde<K>;
  valueSerde?: Serde<V>;
  timestampExtractor?: TimestampExtractor;
  offsetReset?: 'earliest' | 'latest';
}

export interface Produced<K, V> extends Named {
  keySerde?: Serde<K>;
  valueSerde?: Serde<V>;
  partitioner?: StreamPartitioner<K, V>;
}

/** How records are grouped; `name` names the repartition topic (`<application.id>-<name>-repartition`). */
export interface Grouped<K, V> extends Named {
  keySerde?: Serde<K>;
  valueSerde?: Serde<V>;
}

export interface Repartitioned<K, V> extends Named {
  keySerde?: Serde<K>;
  valueSerde?: Serde<V>;
  numberOfPartitions?: number;
  partitioner?: StreamPartitioner<K, V>;
}

/** How a table's store is built (`Materialized`). Without `storeName` the store gets a generated one. */
export interface Materialized<K, V> {
  storeName?: string;
  keySerde?: Serde<K>;
  valueSerde?: Serde<V>;
  /** LevelDB (default) or memory. */
  storeType?: 'persistent' | 'in-memory';
  cachingEnabled?: boolean;
  loggingEnabled?: boolean;
  /** Topic configs for the store's changelog. */
  logConfig?: Record<string, string>;
  /** Windowed stores: how long windows are kept behind stream time (default: window size plus grace). */
  retentionMs?: number;
}

/** Options of a stateful DSL call: the store, and the name of the processor node. */
export type MaterializedAs<K, V> = Materialized<K, V> & Named;

/** `(key, value) => boolean`, Kafka Streams' `Predicate`. */
export type Predicate<K, V> = (key: K, value: V) => boolean;

/** A key and value pair as a mapper may return it: `{ key, value }` or `[key, value]`. */
export type KeyValuePair<K, V> = { key: K; value: V } | readonly [K, V];
