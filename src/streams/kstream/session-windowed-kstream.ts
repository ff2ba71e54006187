/**
 * SessionWindowedKStream (Kafka Streams'): a grouped stream aggregated per session — `count`,
 * `reduce`, `aggregate` with a merger — into a `KTable<Windowed<K>, V>` kept in a session store.
 * When a record joins two sessions, the old ones are deleted downstream and the merged one sent.
 */
import type { Serde } from '../../serdes/serde.js';
import { Serdes } from '../../serdes/serdes.js';
import { TopologyError } from '../errors.js';
import type { Windowed } from '../state/window-store.js';
import type { InternalStreamsBuilder } from './internal-streams-builder.js';
import { KStreamSessionWindowAggregate } from './internals/kstream-session-window-aggregate.js';
import type { KGroupedStream } from './kgrouped-stream.js';
import type { KTable } from './ktable.js';
import { materialize, windowStoreBuilder } from './materialize.js';
import type { MaterializedAs } from './options.js';
import { registerLateSerde } from '../processor/late-serde.js';
import type { SessionWindows } from './windows/session-windows.js';
import { WindowedSerdes } from './windows/windowed-serdes.js';

export class SessionWindowedKStream<K, V> {
  /** @internal */
  constructor(
    private readonly grouped: KGroupedStream<K, V>,
    private readonly builder: InternalStreamsBuilder,
    private readonly windows: SessionWindows,
    private readonly keySerde: Serde<K> | undefined,
    private readonly valueSerde: Serde<V> | undefined,
  ) {}

  count(options: MaterializedAs<K, number> = {}): KTable<Windowed<K>, number> {
    return this.sessions(
      'KSTREAM-AGGREGATE-',
      options,
      () => 0,
      (_k, _v, n: number) => n + 1,
      (_k, a, b) => a + b,
      options.valueSerde ?? Serdes.Long(),
    );
  }

  reduce(reducer: (aggregate: V, value: V) => V, options: MaterializedAs<K, V> = {}): KTable<Windowed<K>, V> {
    if (typeof reducer !== 'function') throw new TopologyError('reduce() takes a reducer (aggregate, value) => newAggregate');
    const none = Symbol('none');
    const combine = (a: V, b: V): V => ((a as unknown) === none ? b : (b as unknown) === none ? a : reducer(a, b));
    return this.sessions<V>(
      'KSTREAM-REDUCE-',
      options,
      () => none as unknown as V,
      (_k, v, agg) => combine(agg, v),
      (_k, a, b) => combine(a, b),
      options.valueSerde ?? this.valueSerde,
    );
  }

  aggregate<VA>(
    initializer: () => VA,
    aggregator: (key: K, value: V, aggregate: VA) => VA,
    merger: (key: K, aggregate1: VA, aggregate2: VA) => VA,
    options: MaterializedAs<K, VA> = {},
  ): KTable<Windowed<K>, VA> {
    if (typeof initializer !== 'function' || typeof aggregator !== 'function' || typeof merger !== 'function') {
      throw new TopologyError('aggregate() on session windows takes an initializer, an aggregator and a merger');
    }
    return this.sessions('KSTREAM-AGGREGATE-', options, initializer, aggregator, merger, options.valueSerde);
  }

  private sessions<VA>(
    prefix: string,
    options: MaterializedAs<K, VA>,
    initializer: () => VA,
    aggregator: (key: K, value: V, aggregate: VA) => VA,
    merger: (key: K, a: VA, b: VA) => VA,
    valueSerde: Serde<VA> | undefined,
  ): KTable<Windowed<K>, VA> {
    const m = materialize<K, VA>(this.builder, options, prefix);
    const name = this.builder.nameOrGenerate(options, prefix);
    const keySerde = m.keySerde ?? this.keySerde ?? this.late<K>('key', m.storeName);
    const vSerde = valueSerde ?? this.late<VA>('value', m.storeName);
    const w = this.windows;
    const store = (): ReturnType<typeof windowStoreBuilder> =>
      windowStoreBuilder(m, options, keySerde, vSerde, { type: 'session', retentionMs: w.retentionMs });
    const supplier = () => new KStreamSessionWindowAggregate<K, V, VA>(m.storeName, w, initializer, aggregator, merger);
    // A session can still grow until a record `gap` after its end is too late: suppression waits
    // gap + grace after a session's end before it calls it final, as Kafka Streams' does.
    return this.grouped.aggregateInto(
      name,
      m.storeName,
      keySerde,
      store,
      supplier as never,
      WindowedSerdes.sessionWindowed(keySerde),
      vSerde,
      w.inactivityGapMs + w.graceMs,
    );
  }

  private late<T>(which: 'key' | 'value', store: string): Serde<T> {
    return registerLateSerde<T>(this.builder.topology, which, `store ${store}`);
  }
}
