/**
 * KTable: a changelog stream seen as a table — each key's latest value. Operations are Kafka
 * Streams': `filter`, `filterNot`, `mapValues` (optionally materialized), `toStream`, `groupBy`.
 */
import type { Serde } from '../../serdes/serde.js';
import { TopologyError } from '../errors.js';
import type { InternalStreamsBuilder } from './internal-streams-builder.js';
import { KTableFilter, KTableMapValues, KTableRepartitionMap, KTableToStream } from './internals/ktable-processors.js';
import {
  type KTableValueGetterSupplier,
  filterValueGetter,
  mapValuesValueGetter,
  materializedValueGetter,
  noValueGetter,
} from './internals/ktable-value-getter.js';
import { KGroupedTable } from './kgrouped-table.js';
import { KStream } from './kstream.js';
import { materialize } from './materialize.js';
import type { Grouped, KeyValuePair, MaterializedAs, Named } from './options.js';
import { checkName } from './internal-streams-builder.js';
import { type BufferedChange, KTableSuppressProcessor, bufferedChangeSerde } from './internals/ktable-suppress-processor.js';
import type { Suppressed } from './suppressed.js';
import { Stores } from '../state/stores.js';
import { registerLateSerde } from '../processor/late-serde.js';
import type { TableJoined, ValueJoiner } from './joined.js';
import { tableForeignKeyJoin, tableTableJoin } from './joins.js';

export class KTable<K, V> {
  /** @internal */
  constructor(
    /** @internal */ readonly builder: InternalStreamsBuilder,
    /** @internal */ readonly nodeName: string,
    /** @internal */ readonly keySerde: Serde<K> | undefined,
    /** @internal */ readonly valueSerde: Serde<V> | undefined,
    /** The store that holds this table, if it is materialized. */
    readonly queryableStoreName: string | null,
    /** @internal How to look the table up when it is not materialized (see `valueGetterSupplier`). */
    readonly getter?: () => KTableValueGetterSupplier<K, V>,
    /** @internal For a windowed table: how long after a window's end it may still change — the grace period, for sessions gap + grace (what `untilWindowCloses` waits for). */
    readonly windowGraceMs: number | null = null,
  ) {}

  /**
   * @internal
   * How joins look this table up (Kafka Streams' `valueGetterSupplier()`): its store if it has one,
   * else its parent's lookup with its own transformation applied.
   */
  valueGetterSupplier(): KTableValueGetterSupplier<K, V> {
    if (this.getter !== undefined) return this.getter();
    if (this.queryableStoreName !== null) return materializedValueGetter(this.queryableStoreName);
    return noValueGetter(`table ${this.nodeName}`);
  }

  private transform<VR>(
    prefix: string,
    options: MaterializedAs<K, VR> | undefined,
    make: (storeName: string | null) => unknown,
    valueSerde: Serde<VR> | undefined,
    getter: () => KTableValueGetterSupplier<K, VR>,
  ): KTable<K, VR> {
    const t = this.builder.topology;
    if (options?.storeName !== undefined || options?.storeType !== undefined) {
      // Kafka Streams names the store (burning a counter value if it generates the name) before the node.
      const m = materialize(this.builder, options, prefix);
      const name = this.builder.nameOrGenerate(options, prefix);
      t.addProcessor(name, () => make(m.storeName) as never, this.nodeName);
      t.addStateStore(m.builder(options.keySerde ?? this.keySerde, options.valueSerde ?? valueSerde), name);
      return new KTable(this.builder, name, options.keySerde ?? this.keySerde, options.valueSerde ?? valueSerde, m.storeName, undefined, this.windowGraceMs);
    }
    const name = this.builder.nameOrGenerate(options, prefix);
    t.addProcessor(name, () => make(null) as never, this.nodeName);
    return new KTable(this.builder, name, this.keySerde, valueSerde, null, getter, this.windowGraceMs);
  }

  /** Keeps the rows for which `predicate(key, value)` is true; a row that stops passing is deleted downstream. */
  filter(predicate: (key: K, value: V) => boolean, options?: MaterializedAs<K, V>): KTable<K, V> {
    return this.transform(
      'KTABLE-FILTER-',
      options,
      (store) => new KTableFilter(predicate, false, store),
      this.valueSerde,
      () => filterValueGetter(this.valueGetterSupplier(), predicate, false),
    );
  }

  filterNot(predicate: (key: K, value: V) => boolean, options?: MaterializedAs<K, V>): KTable<K, V> {
    return this.transform(
      'KTABLE-FILTER-',
      options,
      (store) => new KTableFilter(predicate, true, store),
      this.valueSerde,
      () => filterValueGetter(this.valueGetterSupplier(), predicate, true),
    );
  }

  /** A new value per row: `(value, key) => newValue`. */
  mapValues<VR>(mapper: (value: V, key: K) => VR, options?: MaterializedAs<K, VR>): KTable<K, VR> {
    return this.transform<VR>(
      'KTABLE-MAPVALUES-',
      options,
      (store) => new KTableMapValues(mapper, store),
      undefined,
      () => mapValuesValueGetter(this.valueGetterSupplier(), mapper),
    );
  }

  /**
   * Holds updates back (Kafka Streams' `suppress`): `Suppressed.untilWindowCloses(...)` gives one
   * final result per window of a windowed table; `Suppressed.untilTimeLimit(ms, buffer)` each key's
   * latest value at most once per `ms` of stream time. The buffer is changelogged.
   */
  suppress(suppressed: Suppressed): KTable<K, V> {
    if (suppressed.kind === 'untilWindowCloses' && this.windowGraceMs === null) {
      throw new TopologyError('Suppressed.untilWindowCloses needs a windowed table (groupByKey().windowedBy(...).count() and the like)');
    }
    const b = this.builder;
    const name = suppressed.name ?? b.newProcessorName('KTABLE-SUPPRESS-');
    if (suppressed.name !== undefined) checkName(suppressed.name);
    const storeName = suppressed.name !== undefined ? `${suppressed.name}-store` : b.newStoreName('KTABLE-SUPPRESS-');
    const keySerde = this.keySerde ?? this.late<K>('key', storeName);
    const valueSerde = this.valueSerde ?? this.late<V>('value', storeName);
    const store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(storeName), keySerde, bufferedChangeSerde(valueSerde)).withCachingDisabled();
    if (!suppressed.buffer.loggingEnabled) store.withLoggingDisabled();
    else store.withLoggingEnabled({ ...suppressed.buffer.logConfig });
    const sizeOf = (k: K, c: BufferedChange<V>): number =>
      (keySerde.serialize(storeName, k)?.length ?? 0) + (c.newValue === null ? 0 : (valueSerde.serialize(storeName, c.newValue)?.length ?? 0)) + 24;
    const grace = this.windowGraceMs ?? 0;
    b.topology.addProcessor(name, () => new KTableSuppressProcessor<K, V>(storeName, suppressed, grace, () => keySerde, sizeOf) as never, this.nodeName);
    b.topology.addStateStore(store, name);
    return new KTable<K, V>(b, name, this.keySerde, this.valueSerde, null, undefined, this.windowGraceMs);
  }

  private late<T>(which: 'key' | 'value', store: string): Serde<T> {
    return registerLateSerde<T>(this.builder.topology, which, `store ${store}`);
  }

  /** The table's updates as a stream; a deleted row is a record with a null value. */
  toStream(named?: Named): KStream<K, V> {
    const name = this.builder.nameOrGenerate(named, 'KTABLE-TOSTREAM-');
    this.builder.topology.addProcessor(name, () => new KTableToStream<K, V>() as never, this.nodeName);
    return new KStream<K, V>(this.builder, name, this.keySerde, this.valueSerde, false);
  }

  /**
   * Joins another table on a foreign key (KIP-213): each row of this table joins the other table's row
   * whose key `foreignKeyExtractor(value, key)` gives, `joiner(value, otherValue, key)`; a row whose
   * foreign key has no row, or none, has no result. The tables need not be co-partitioned: the join
   * goes through a subscription and a response topic. The result is always materialized.
   */
  join<KO, VO, VR>(
    other: KTable<KO, VO>,
    foreignKeyExtractor: (value: V, key: K) => KO,
    joiner: ValueJoiner<V, VO, VR, K>,
    options?: TableJoined<K, KO> & MaterializedAs<K, VR>,
  ): KTable<K, VR>;
  /**
   * Joins another table on the key: a row where both tables have one, `joiner(value, otherValue,
   * key)`. An update of either side updates the joined row; a deletion deletes it. The tables must be
   * co-partitioned. Materialized when `options` name a `storeName` or `storeType`.
   */
  join<VO, VR>(other: KTable<K, VO>, joiner: ValueJoiner<V, VO, VR, K>, options?: MaterializedAs<K, VR>): KTable<K, VR>;
  join(other: unknown, a: unknown, b?: unknown, c?: unknown): KTable<K, unknown> {
    return this.joinWith(other, a, b, c, false);
  }

  /** Like the foreign-key `join`, with a result row for every row of this table: `joiner(value, null, key)` where the foreign key has no row. */
  leftJoin<KO, VO, VR>(
    other: KTable<KO, VO>,
    foreignKeyExtractor: (value: V, key: K) => KO,
    joiner: ValueJoiner<V, VO | null, VR, K>,
    options?: TableJoined<K, KO> & MaterializedAs<K, VR>,
  ): KTable<K, VR>;
  /** Like `join`, with a row for every row of this table: `joiner(value, null, key)` where the other has none. */
  leftJoin<VO, VR>(other: KTable<K, VO>, joiner: ValueJoiner<V, VO | null, VR, K>, options?: MaterializedAs<K, VR>): KTable<K, VR>;
  leftJoin(other: unknown, a: unknown, b?: unknown, c?: unknown): KTable<K, unknown> {
    return this.joinWith(other, a, b, c, true);
  }

  private joinWith(other: unknown, a: unknown, b: unknown, c: unknown, left: boolean): KTable<K, unknown> {
    if (typeof b === 'function') {
      return tableForeignKeyJoin(
        this,
        other as KTable<unknown, unknown>,
        a as (value: V, key: K) => unknown,
        b as ValueJoiner<V | null, unknown, unknown, K>,
        (c ?? {}) as TableJoined<K, unknown> & MaterializedAs<K, unknown>,
        left,
      );
    }
    return tableTableJoin(
      this,
      other as KTable<K, unknown>,
      a as ValueJoiner<V | null, unknown, unknown, K>,
      (b ?? {}) as MaterializedAs<K, unknown>,
      left,
      false,
    );
  }

  /** Like `join`, with a row for every key either table has; the side without a row is null. */
  outerJoin<VO, VR>(other: KTable<K, VO>, joiner: ValueJoiner<V | null, VO | null, VR, K>, options: MaterializedAs<K, VR> = {}): KTable<K, VR> {
    return tableTableJoin(this, other, joiner, options, true, true);
  }

  /** Re-groups the rows by a new key, `(key, value) => [newKey, newValue]`, for an aggregation with adder and subtractor. */
  groupBy<KR, VR>(selector: (key: K, value: V) => KeyValuePair<KR, VR>, grouped: Grouped<KR, VR> = {}): KGroupedTable<KR, VR> {
    if (typeof selector !== 'function') throw new TopologyError('KTable.groupBy() takes a selector (key, value) => [newKey, newValue]');
    const name = this.builder.nameOrGenerate(grouped, 'KTABLE-SELECT-');
    this.builder.topology.addProcessor(name, () => new KTableRepartitionMap(selector) as never, this.nodeName);
    return new KGroupedTable<KR, VR>(this.builder, name, grouped.keySerde, grouped.valueSerde, grouped.name);
  }
}
