/**
 * The options and function types of joins, with the field names of Kafka Streams' `Joined`,
 * `StreamJoined` and `TableJoined`.
 */
import type { Serde } from '../../serdes/serde.js';
import type { StreamPartitioner } from '../processor/topology.js';
import type { Named } from './options.js';

/**
 * Combines the two sides of a join: `(value, otherValue, key) => joined` — Kafka Streams'
 * `ValueJoinerWithKey`, with the key last, as Skein's value mappers take it. In a left join
 * `otherValue` is null when nothing joined; in an outer join either side may be null.
 */
export type ValueJoiner<V, VO, VR, K = unknown> = (value: V, otherValue: VO, key: K) => VR;

/** Options of a stream-table join (`Joined`). */
export interface Joined<K, V, VO> extends Named {
  /** The key serde, for the repartition topic a key-changed stream is written through. */
  keySerde?: Serde<K>;
  /** The stream's value serde, for that repartition topic. */
  valueSerde?: Serde<V>;
  /** The table's value serde (Kafka Streams' `otherValueSerde`; the table's store has its own). */
  otherValueSerde?: Serde<VO>;
}

/** Options of a stream-stream join (`StreamJoined`): serdes of the two join stores, their names and kind. */
export interface StreamJoined<K, V, VO> extends Named {
  keySerde?: Serde<K>;
  /** The values of this stream, in its join store (and its repartition topic). */
  valueSerde?: Serde<V>;
  /** The values of the other stream, in its join store (and its repartition topic). */
  otherValueSerde?: Serde<VO>;
  /** Base name of the join stores: `<storeName>-this-join-store`, `<storeName>-other-join-store`, … */
  storeName?: string;
  /** LevelDB (default) or memory, for both join stores and the outer join's shared store. */
  storeType?: 'persistent' | 'in-memory';
  loggingEnabled?: boolean;
  /** Topic configs for the stores' changelogs. */
  logConfig?: Record<string, string>;
}

/** Options of a foreign-key table join (`TableJoined` and the result's `Materialized`). */
export interface TableJoined<K, KO> extends Named {
  /** Partitions this table's records by their own key on the response topic (default: murmur2 of the key). */
  partitioner?: StreamPartitioner<K, void>;
  /** Partitions subscriptions by the foreign key on the subscription topic. */
  otherPartitioner?: StreamPartitioner<KO, void>;
}
