/**
 * KGroupedTable: a table re-grouped by `KTable.groupBy`, for `aggregate`, `reduce` and `count` with
 * an adder and a subtractor: when a row changes, its old value is subtracted from its old group and
 * its new value added to its new group — one update when the group stays the same (subtractor
 * first), two when the row moves. Always goes through a repartition topic.
 */
import type { Serde } from '../../serdes/serde.js';
import { TopologyError } from '../errors.js';
import type { ProcessorSupplier } from '../processor/processor.js';
import type { InternalStreamsBuilder } from './internal-streams-builder.js';
import { changedSerde } from './internals/change.js';
import { registerLateSerde } from '../processor/late-serde.js';
import { KTableAggregate } from './internals/ktable-processors.js';
import { KTable } from './ktable.js';
import { Serdes } from '../../serdes/serdes.js';
import { type MaterializedStore, materialize } from './materialize.js';
import type { MaterializedAs } from './options.js';
import { REPARTITION_TOPIC_SUFFIX } from './repartition.js';

export class KGroupedTable<K, V> {
  /** @internal */
  constructor(
    private readonly builder: InternalStreamsBuilder,
    private readonly nodeName: string,
    private readonly keySerde: Serde<K> | undefined,
    private readonly valueSerde: Serde<V> | undefined,
    private readonly repartitionName: string | undefined,
  ) {}

  count(options: MaterializedAs<K, number> = {}): KTable<K, number> {
    const m = materialize(this.builder, options, 'KTABLE-AGGREGATE-');
    const supplier = () =>
      new KTableAggregate<K, V, number>(
        m.storeName,
        () => 0,
        (_k, _v, n) => n + 1,
        (_k, _v, n) => n - 1,
      );
    return this.doAggregate(options, 'KTABLE-AGGREGATE-', m, supplier, options.valueSerde ?? Serdes.Long());
  }

  reduce(adder: (aggregate: V, value: V) => V, subtractor: (aggregate: V, value: V) => V, options: MaterializedAs<K, V> = {}): KTable<K, V> {
    if (typeof adder !== 'function' || typeof subtractor !== 'function')
      throw new TopologyError('reduce() takes an adder and a subtractor (aggregate, value) => newAggregate');
    const m = materialize(this.builder, options, 'KTABLE-AGGREGATE-');
    const supplier = () =>
      new KTableAggregate<K, V, V>(
        m.storeName,
        null,
        (_k, v, agg) => adder(agg, v),
        (_k, v, agg) => subtractor(agg, v),
      );
    return this.doAggregate(options, 'KTABLE-REDUCE-', m, supplier, options.valueSerde ?? this.valueSerde);
  }

  aggregate<VA>(
    initializer: () => VA,
    adder: (key: K, value: V, aggregate: VA) => VA,
    subtractor: (key: K, value: V, aggregate: VA) => VA,
    options: MaterializedAs<K, VA> = {},
  ): KTable<K, VA> {
    if (typeof initializer !== 'function' || typeof adder !== 'function' || typeof subtractor !== 'function') {
      throw new TopologyError('aggregate() takes an initializer, an adder and a subtractor');
    }
    const m = materialize(this.builder, options, 'KTABLE-AGGREGATE-');
    return this.doAggregate(
      options,
      'KTABLE-AGGREGATE-',
      m,
      () => new KTableAggregate<K, V, VA>(m.storeName, initializer, adder, subtractor),
      options.valueSerde,
    );
  }

  private doAggregate<VA>(
    options: MaterializedAs<K, VA>,
    prefix: string,
    m: MaterializedStore<K, VA>,
    supplier: ProcessorSupplier<K, unknown, unknown, unknown>,
    valueSerde: Serde<VA> | undefined,
  ): KTable<K, VA> {
    const b = this.builder;
    // Kafka Streams' KGroupedTableImpl.doAggregate: sink and source names first, then the function's.
    const sink = b.suffixedOrGenerate(options, '-sink', 'KSTREAM-SINK-');
    const source = b.suffixedOrGenerate(options, '-source', 'KSTREAM-SOURCE-');
    const name = b.nameOrGenerate(options, prefix);
    const topic = (this.repartitionName ?? m.storeName) + REPARTITION_TOPIC_SUFFIX;
    const keySerde = m.keySerde ?? this.keySerde;
    // The repartition topic carries Changes: wrap the value serde, the default one too when none was given.
    let valueSerdeOfChanges = this.valueSerde;
    if (valueSerdeOfChanges === undefined) {
      valueSerdeOfChanges = registerLateSerde<V>(b.topology, 'value', `repartition topic ${topic} (KTable.groupBy)`);
    }
    const changeSerde = changedSerde(valueSerdeOfChanges);
    const t = b.topology;
    t.addSink(sink, topic, { keySerde, valueSerde: changeSerde }, this.nodeName);
    t.addRepartitionTopic(topic);
    t.addSource(source, topic, { keySerde, valueSerde: changeSerde });
    t.addProcessor(name, supplier, source);
    t.addStateStore(m.builder(keySerde, valueSerde), name);
    return new KTable<K, VA>(b, name, keySerde, valueSerde, m.storeName);
  }
}
