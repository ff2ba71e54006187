/**
 * KGroupedStream: a stream grouped by key, ready for an aggregation (Kafka Streams' names: `count`,
 * `reduce`, `aggregate`). If the key was changed upstream, the aggregation first repartitions the
 * stream through `<application.id>-<name>-repartition`, where the name is the grouping's, or else
 * the store's.
 */
import type { Serde } from '../../serdes/serde.js';
import { TopologyError } from '../errors.js';
import type { ProcessorSupplier } from '../processor/processor.js';
import type { InternalStreamsBuilder } from './internal-streams-builder.js';
import { KStreamAggregate, KStreamReduce } from './internals/kstream-aggregate.js';
import { KTable } from './ktable.js';
import { type MaterializedStore, materialize } from './materialize.js';
import type { MaterializedAs } from './options.js';
import { createRepartitionedSource } from './repartition.js';
import { Serdes } from '../../serdes/serdes.js';
import type { StateStore } from '../state/state-store.js';
import type { StoreBuilder } from '../state/store-builder.js';
import { SessionWindows } from './windows/session-windows.js';
import { SlidingWindows } from './windows/sliding-windows.js';
import { TimeWindows } from './windows/time-windows.js';
import { SessionWindowedKStream } from './session-windowed-kstream.js';
import { TimeWindowedKStream } from './time-windowed-kstream.js';

export class KGroupedStream<K, V> {
  /** @internal */
  constructor(
    private readonly builder: InternalStreamsBuilder,
    private readonly nodeName: string,
    private readonly keySerde: Serde<K> | undefined,
    private readonly valueSerde: Serde<V> | undefined,
    private readonly repartitionRequired: boolean,
    private readonly repartitionName: string | undefined,
  ) {}

  /** The number of records per key (null keys and values are skipped); values are Long numbers by default. */
  count(options: MaterializedAs<K, number> = {}): KTable<K, number> {
    const m = materialize(this.builder, options, 'KSTREAM-AGGREGATE-');
    const name = this.builder.nameOrGenerate(options, 'KSTREAM-AGGREGATE-');
    return this.aggregateWith(
      name,
      m,
      () =>
        new KStreamAggregate<K, V, number>(
          m.storeName,
          () => 0,
          (_k, _v, n) => n + 1,
        ),
      options.valueSerde ?? Serdes.Long(),
    );
  }

  /** Combines each key's values with `reducer(aggregate, value)`; the first value is the start. */
  reduce(reducer: (aggregate: V, value: V) => V, options: MaterializedAs<K, V> = {}): KTable<K, V> {
    if (typeof reducer !== 'function') throw new TopologyError('reduce() takes a reducer (aggregate, value) => newAggregate');
    const m = materialize(this.builder, options, 'KSTREAM-REDUCE-');
    const name = this.builder.nameOrGenerate(options, 'KSTREAM-REDUCE-');
    return this.aggregateWith(name, m, () => new KStreamReduce<K, V>(m.storeName, reducer), options.valueSerde ?? this.valueSerde);
  }

  /** Folds each key's values into an aggregate: `initializer()`, then `aggregator(key, value, aggregate)`. */
  aggregate<VA>(initializer: () => VA, aggregator: (key: K, value: V, aggregate: VA) => VA, options: MaterializedAs<K, VA> = {}): KTable<K, VA> {
    if (typeof initializer !== 'function' || typeof aggregator !== 'function') {
      throw new TopologyError('aggregate() takes an initializer () => aggregate and an aggregator (key, value, aggregate) => newAggregate');
    }
    const m = materialize(this.builder, options, 'KSTREAM-AGGREGATE-');
    const name = this.builder.nameOrGenerate(options, 'KSTREAM-AGGREGATE-');
    return this.aggregateWith(name, m, () => new KStreamAggregate<K, V, VA>(m.storeName, initializer, aggregator), options.valueSerde);
  }

  private aggregateWith<VA>(
    name: string,
    m: MaterializedStore<K, VA>,
    supplier: ProcessorSupplier<K, V, unknown, unknown>,
    valueSerde: Serde<VA> | undefined,
  ): KTable<K, VA> {
    const keySerde = m.keySerde ?? this.keySerde;
    return this.aggregateInto(name, m.storeName, keySerde, () => m.builder(keySerde, valueSerde) as StoreBuilder<StateStore>, supplier, keySerde, valueSerde);
  }

  /**
   * Adds an aggregation: the repartition topic if the key was changed upstream, the processor and
   * its store. Shared with the windowed streams.
   * @internal
   */
  aggregateInto<KT, VA>(
    name: string,
    storeName: string,
    keySerde: Serde<K> | undefined,
    store: () => StoreBuilder<StateStore>,
    supplier: ProcessorSupplier<K, V, unknown, unknown>,
    tableKeySerde: Serde<KT> | undefined,
    valueSerde: Serde<VA> | undefined,
    windowGraceMs: number | null = null,
  ): KTable<KT, VA> {
    let parent = this.nodeName;
    if (this.repartitionRequired) {
      parent = createRepartitionedSource(this.builder, { parent, prefix: this.repartitionName ?? storeName, keySerde, valueSerde: this.valueSerde });
    }
    const t = this.builder.topology;
    t.addProcessor(name, supplier, parent);
    t.addStateStore(store(), name);
    return new KTable<KT, VA>(this.builder, name, tableKeySerde, valueSerde, storeName, undefined, windowGraceMs);
  }

  /** Aggregates per window: tumbling or hopping `TimeWindows`, or `SlidingWindows`. */
  windowedBy(windows: TimeWindows | SlidingWindows): TimeWindowedKStream<K, V>;
  /** Aggregates per session: `SessionWindows`. */
  windowedBy(windows: SessionWindows): SessionWindowedKStream<K, V>;
  windowedBy(windows: TimeWindows | SlidingWindows | SessionWindows): TimeWindowedKStream<K, V> | SessionWindowedKStream<K, V> {
    if (windows instanceof SessionWindows) return new SessionWindowedKStream(this, this.builder, windows, this.keySerde, this.valueSerde);
    if (windows instanceof TimeWindows || windows instanceof SlidingWindows)
      return new TimeWindowedKStream(this, this.builder, windows, this.keySerde, this.valueSerde);
    throw new TopologyError('windowedBy() takes TimeWindows, SlidingWindows or SessionWindows');
  }
}
