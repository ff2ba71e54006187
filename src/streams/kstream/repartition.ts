/**
 * Inserting a repartition topic (Kafka Streams' `createRepartitionedSource`): a filter and a sink at
 * the end of the upstream sub-topology, a source at the start of the downstream one. Node names and
 * counter values follow Kafka Streams, so topologies describe the same way.
 */
import type { Serde } from '../../serdes/serde.js';
import type { StreamPartitioner } from '../processor/topology.js';
import type { InternalStreamsBuilder } from './internal-streams-builder.js';
import { KStreamFilter } from './internals/stateless-processors.js';

export const REPARTITION_TOPIC_SUFFIX = '-repartition';

export interface RepartitionSpec<K, V> {
  /** The node the records come from. */
  readonly parent: string;
  /** Names the topic (`<prefix>-repartition`) and, unless generated, the nodes. */
  readonly prefix: string;
  readonly keySerde: Serde<K> | undefined;
  readonly valueSerde: Serde<V> | undefined;
  readonly partitions?: number;
  readonly partitioner?: StreamPartitioner<K, V>;
}

/** Adds the repartition topic and its nodes; returns the name of the new source node. */
export function createRepartitionedSource<K, V>(builder: InternalStreamsBuilder, spec: RepartitionSpec<K, V>): string {
  const topic = spec.prefix.endsWith(REPARTITION_TOPIC_SUFFIX) ? spec.prefix : spec.prefix + REPARTITION_TOPIC_SUFFIX;
  // Kafka Streams always burns these three counter values, named or not.
  const genSink = builder.newProcessorName('KSTREAM-SINK-');
  const genFilter = builder.newProcessorName('KSTREAM-FILTER-');
  const genSource = builder.newProcessorName('KSTREAM-SOURCE-');
  const generated = /^KSTREAM.*-[0-9]{10}$/.test(spec.prefix);
  const sink = generated ? genSink : `${topic}-sink`;
  const filter = generated ? genFilter : `${topic}-filter`;
  const source = generated ? genSource : `${topic}-source`;
  const t = builder.topology;
  // A record without a key has no partition to go to; aggregations and joins would drop it anyway.
  t.addProcessor(filter, () => new KStreamFilter<K, V>((k) => k !== null && k !== undefined, false), spec.parent);
  t.addSink(sink, topic, { keySerde: spec.keySerde, valueSerde: spec.valueSerde, partitioner: spec.partitioner }, filter);
  t.addRepartitionTopic(topic, spec.partitions);
  t.addSource(source, topic, { keySerde: spec.keySerde, valueSerde: spec.valueSerde });
  return source;
}
