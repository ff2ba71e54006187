/**
 * TimeWindowedKStream (Kafka Streams'): a grouped stream aggregated per time window — `count`,
 * `reduce`, `aggregate` — into a `KTable<Windowed<K>, V>` kept in a window store that retains
 * windows for their size plus grace (or `retentionMs`). The table's keys serialize with
 * `WindowedSerdes.timeWindowed` (Kafka Streams' byte layout).
 */
import type { Serde } from '../../serdes/serde.js';
import { Serdes } from '../../serdes/serdes.js';
import { TopologyError } from '../errors.js';
import type { Windowed } from '../state/window-store.js';
import type { InternalStreamsBuilder } from './internal-streams-builder.js';
import { KStreamSlidingWindowAggregate } from './internals/kstream-sliding-window-aggregate.js';
import { KStreamWindowAggregate } from './internals/kstream-window-aggregate.js';
import type { KGroupedStream } from './kgrouped-stream.js';
import type { KTable } from './ktable.js';
import { materialize, windowStoreBuilder } from './materialize.js';
import type { MaterializedAs } from './options.js';
import { registerLateSerde } from '../processor/late-serde.js';
import type { SlidingWindows } from './windows/sliding-windows.js';
import { TimeWindows } from './windows/time-windows.js';
import { WindowedSerdes } from './windows/windowed-serdes.js';

export class TimeWindowedKStream<K, V> {
  /** @internal */
  constructor(
    private readonly grouped: KGroupedStream<K, V>,
    private readonly builder: InternalStreamsBuilder,
    private readonly windows: TimeWindows | SlidingWindows,
    private readonly keySerde: Serde<K> | undefined,
    private readonly valueSerde: Serde<V> | undefined,
  ) {}

  count(options: MaterializedAs<K, number> = {}): KTable<Windowed<K>, number> {
    return this.windowed(
      'KSTREAM-AGGREGATE-',
      options,
      () => 0,
      (_k, _v, n: number) => n + 1,
      options.valueSerde ?? Serdes.Long(),
    );
  }

  reduce(reducer: (aggregate: V, value: V) => V, options: MaterializedAs<K, V> = {}): KTable<Windowed<K>, V> {
    if (typeof reducer !== 'function') throw new TopologyError('reduce() takes a reducer (aggregate, value) => newAggregate');
    // A reduce is an aggregate whose first value is the record itself.
    const first = Symbol('first');
    return this.windowed<V>(
      'KSTREAM-REDUCE-',
      options,
      () => first as unknown as V,
      (_k, v, agg) => ((agg as unknown) === first ? v : reducer(agg, v)),
      options.valueSerde ?? this.valueSerde,
    );
  }

  aggregate<VA>(initializer: () => VA, aggregator: (key: K, value: V, aggregate: VA) => VA, options: MaterializedAs<K, VA> = {}): KTable<Windowed<K>, VA> {
    if (typeof initializer !== 'function' || typeof aggregator !== 'function') throw new TopologyError('aggregate() takes an initializer and an aggregator');
    return this.windowed('KSTREAM-AGGREGATE-', options, initializer, aggregator, options.valueSerde);
  }

  private windowed<VA>(
    prefix: string,
    options: MaterializedAs<K, VA>,
    initializer: () => VA,
    aggregator: (key: K, value: V, aggregate: VA) => VA,
    valueSerde: Serde<VA> | undefined,
  ): KTable<Windowed<K>, VA> {
    const m = materialize<K, VA>(this.builder, options, prefix);
    const name = this.builder.nameOrGenerate(options, prefix);
    const keySerde = m.keySerde ?? this.keySerde ?? this.late<K>('key', m.storeName);
    const vSerde = valueSerde ?? this.late<VA>('value', m.storeName);
    const w = this.windows;
    const sizeMs = w.sizeMs;
    const store = (): ReturnType<typeof windowStoreBuilder> =>
      windowStoreBuilder(m, options, keySerde, vSerde, { type: 'window', sizeMs, retentionMs: w.retentionMs });
    const supplier =
      w instanceof TimeWindows
        ? () => new KStreamWindowAggregate<K, V, VA>(m.storeName, w, initializer, aggregator)
        : () => new KStreamSlidingWindowAggregate<K, V, VA>(m.storeName, w, initializer, aggregator);
    return this.grouped.aggregateInto(name, m.storeName, keySerde, store, supplier as never, WindowedSerdes.timeWindowed(keySerde, sizeMs), vSerde, w.graceMs);
  }

  private late<T>(which: 'key' | 'value', store: string): Serde<T> {
    return registerLateSerde<T>(this.builder.topology, which, `store ${store}`);
  }
}
