/**
 * StreamsBuilder: where a topology starts. `stream(topic)` and `table(topic)` read topics; the DSL
 * objects they return add the rest; `build()` gives the Topology to run or test.
 */
import { TopologyError } from '../errors.js';
import type { Topology } from '../processor/topology.js';
import type { StoreBuilder } from '../state/store-builder.js';
import type { StateStore } from '../state/state-store.js';
import { InternalStreamsBuilder } from './internal-streams-builder.js';
import { KTableSource } from './internals/ktable-processors.js';
import { KStream } from './kstream.js';
import { KTable } from './ktable.js';
import { GlobalKTable } from './global-ktable.js';
import { materialize } from './materialize.js';
import type { Consumed, Materialized } from './options.js';

export type TableOptions<K, V> = Consumed<K, V> & Omit<Materialized<K, V>, 'keySerde' | 'valueSerde'>;

export class StreamsBuilder {
  private readonly internal = new InternalStreamsBuilder();
  private built = false;

  /** A stream of the records of one topic, or of several (their partitions must line up). */
  stream<K, V>(topics: string | readonly string[], consumed: Consumed<K, V> = {}): KStream<K, V> {
    this.checkNotBuilt();
    const name = this.internal.nameOrGenerate(consumed, 'KSTREAM-SOURCE-');
    this.internal.topology.addSource(name, topics, consumed);
    return new KStream<K, V>(this.internal, name, consumed.keySerde, consumed.valueSerde, false);
  }

  /**
   * A table of a topic's latest value per key. The topic is also the table's changelog (a restart
   * restores the store from it), so it should be compacted.
   */
  table<K, V>(topic: string, options: TableOptions<K, V> = {}): KTable<K, V> {
    this.checkNotBuilt();
    const m = materialize<K, V>(this.internal, { ...options, keySerde: options.keySerde, valueSerde: options.valueSerde }, `${topic}-`);
    const sourceName = this.internal.suffixedOrGenerate(options, '-source', 'KSTREAM-SOURCE-');
    const tableName = this.internal.nameOrGenerate(options, 'KTABLE-SOURCE-');
    const t = this.internal.topology;
    t.addSource(sourceName, topic, options);
    t.addProcessor(tableName, () => new KTableSource<K, V>(m.storeName) as never, sourceName);
    const storeBuilder = m.builder(options.keySerde, options.valueSerde).withLoggingDisabled();
    t.addStateStore(storeBuilder, tableName);
    (t.stores.get(m.storeName) as { sourceTopicChangelog?: string }).sourceTopicChangelog = topic;
    return new KTable<K, V>(this.internal, tableName, options.keySerde, options.valueSerde, m.storeName);
  }

  /**
   * A global table of a topic: every instance keeps all of it, restored before processing starts, and
   * any task can look values up in it (`join` with a GlobalKTable).
   */
  globalTable<K, V>(topic: string, options: TableOptions<K, V> = {}): GlobalKTable<K, V> {
    this.checkNotBuilt();
    const m = materialize<K, V>(this.internal, { ...options, keySerde: options.keySerde, valueSerde: options.valueSerde }, `${topic}-`);
    const sourceName = this.internal.suffixedOrGenerate(options, '-source', 'KSTREAM-SOURCE-');
    const processorName = this.internal.nameOrGenerate(options, 'KTABLE-SOURCE-');
    const storeBuilder = m.builder(options.keySerde, options.valueSerde).withLoggingDisabled();
    this.internal.topology.addGlobalStore(storeBuilder, sourceName, topic, options, processorName, () => new KTableSource<K, V>(m.storeName) as never);
    return new GlobalKTable<K, V>(m.storeName, options.keySerde, options.valueSerde);
  }

  /** Adds a store that `process()` processors name in their `stores` option. */
  addStateStore(builder: StoreBuilder<StateStore>): this {
    this.checkNotBuilt();
    this.internal.topology.addStateStore(builder);
    return this;
  }

  /** The topology built so far. Build once; a builder is not reused. */
  build(): Topology {
    this.built = true;
    return this.internal.topology;
  }

  private checkNotBuilt(): void {
    if (this.built) throw new TopologyError('this StreamsBuilder was already built; use a new one for another topology');
  }
}
