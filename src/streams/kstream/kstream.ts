/**
 * KStream: a stream of records, and the DSL's operations on it, with Kafka Streams' names. Every call
 * adds a node to the topology and returns a new KStream (or table, or grouped stream); nothing runs
 * until the topology is given to `KafkaStreams` or a `TopologyTestDriver`.
 *
 * Serdes travel with the stream where the types do: `filter` keeps both, `mapValues` keeps the key's,
 * `map` keeps neither — then the next sink, repartition or store takes the serdes it is given or the
 * configured defaults. A key-changing operation (`map`, `selectKey`, `flatMap`, `process`, `pipe`,
 * `mapAsync`) makes the next grouping or join repartition the stream.
 */
import type { OperatorFunction } from 'rxjs';
import type { Serde } from '../../serdes/serde.js';
import { TopologyError } from '../errors.js';
import type { ProcessorSupplier } from '../processor/processor.js';
import type { ConsumedRecord, StreamRecord } from '../processor/stream-record.js';
import type { TopicNameExtractor } from '../processor/topology.js';
import { checkTopicName } from '../processor/topology.js';
import { BranchedKStream } from './branched-kstream.js';
import { GlobalKTable } from './global-ktable.js';
import type { InternalStreamsBuilder } from './internal-streams-builder.js';
import { KStreamMapAsync } from './internals/kstream-map-values-async.js';
import { KStreamRxPipe } from './internals/kstream-rx-pipe.js';
import { KTableSource } from './internals/ktable-processors.js';
import {
  KStreamFilter,
  KStreamFlatMap,
  KStreamFlatMapValues,
  KStreamMap,
  KStreamMapValues,
  KStreamPassThrough,
  KStreamPeek,
  KStreamSelectKey,
} from './internals/stateless-processors.js';
import { KGroupedStream } from './kgrouped-stream.js';
import { KTable } from './ktable.js';
import { materialize } from './materialize.js';
import type { Grouped, KeyValuePair, MaterializedAs, Named, Predicate, Produced, Repartitioned } from './options.js';
import { createRepartitionedSource } from './repartition.js';
import type { Joined, StreamJoined, ValueJoiner } from './joined.js';
import { streamGlobalTableJoin, streamStreamJoin, streamTableJoin } from './joins.js';
import { JoinWindows } from './windows/join-windows.js';

/** Records a `pipe()` segment may take before it is completed and restarted (bounds work in flight). */
const PIPE_MAX_RECORDS_PER_SEGMENT = 1000;

export interface AsyncOptions extends Named {
  /** Calls in flight at most (default 16). Results are emitted in input order whatever it is. */
  concurrency?: number;
}

export interface ProcessOptions extends Named {
  /** Stores the processor reads or writes (added with `StreamsBuilder.addStateStore`). */
  stores?: readonly string[];
}

export class KStream<K, V> {
  /** @internal */
  constructor(
    /** @internal */ readonly builder: InternalStreamsBuilder,
    /** @internal */ readonly nodeName: string,
    /** @internal */ readonly keySerde: Serde<K> | undefined,
    /** @internal */ readonly valueSerde: Serde<V> | undefined,
    /** @internal */ readonly repartitionRequired: boolean,
  ) {}

  private add<KR, VR>(
    prefix: string,
    named: Named | undefined,
    supplier: ProcessorSupplier<K, V, KR, VR>,
    keySerde: Serde<KR> | undefined,
    valueSerde: Serde<VR> | undefined,
    repartitionRequired: boolean,
  ): KStream<KR, VR> {
    const name = this.builder.nameOrGenerate(named, prefix);
    this.builder.topology.addProcessor(name, supplier, this.nodeName);
    return new KStream<KR, VR>(this.builder, name, keySerde, valueSerde, repartitionRequired);
  }

  /** Keeps the records for which `predicate(key, value)` is true. */
  filter(predicate: Predicate<K, V>, named?: Named): KStream<K, V> {
    return this.add('KSTREAM-FILTER-', named, () => new KStreamFilter(predicate, false), this.keySerde, this.valueSerde, this.repartitionRequired);
  }

  /** Keeps the records for which `predicate(key, value)` is false. */
  filterNot(predicate: Predicate<K, V>, named?: Named): KStream<K, V> {
    return this.add('KSTREAM-FILTER-', named, () => new KStreamFilter(predicate, true), this.keySerde, this.valueSerde, this.repartitionRequired);
  }

  /** A new key and value per record: `(key, value) => ({ key, value })` or `[key, value]`. */
  map<KR, VR>(mapper: (key: K, value: V) => KeyValuePair<KR, VR>, named?: Named): KStream<KR, VR> {
    return this.add('KSTREAM-MAP-', named, () => new KStreamMap(mapper), undefined, undefined, true);
  }

  /** A new value per record: `(value, key) => newValue`. */
  mapValues<VR>(mapper: (value: V, key: K) => VR, named?: Named): KStream<K, VR> {
    return this.add('KSTREAM-MAPVALUES-', named, () => new KStreamMapValues(mapper), this.keySerde, undefined, this.repartitionRequired);
  }

  /** A new key per record, the value unchanged. */
  selectKey<KR>(mapper: (key: K, value: V) => KR, named?: Named): KStream<KR, V> {
    return this.add('KSTREAM-KEY-SELECT-', named, () => new KStreamSelectKey(mapper), undefined, this.valueSerde, true);
  }

  /** Zero or more records per record, each with a new key and value. */
  flatMap<KR, VR>(mapper: (key: K, value: V) => Iterable<KeyValuePair<KR, VR>>, named?: Named): KStream<KR, VR> {
    return this.add('KSTREAM-FLATMAP-', named, () => new KStreamFlatMap(mapper), undefined, undefined, true);
  }

  /** Zero or more values per record, each with the record's key. */
  flatMapValues<VR>(mapper: (value: V, key: K) => Iterable<VR>, named?: Named): KStream<K, VR> {
    return this.add('KSTREAM-FLATMAPVALUES-', named, () => new KStreamFlatMapValues(mapper), this.keySerde, undefined, this.repartitionRequired);
  }

  /** Calls `action` for each record and passes the record on. */
  peek(action: (key: K, value: V) => void, named?: Named): KStream<K, V> {
    return this.add('KSTREAM-PEEK-', named, () => new KStreamPeek(action, true), this.keySerde, this.valueSerde, this.repartitionRequired);
  }

  /** Calls `action` for each record; the end of this branch. */
  foreach(action: (key: K, value: V) => void, named?: Named): void {
    this.add('KSTREAM-FOREACH-', named, () => new KStreamPeek(action, false), undefined, undefined, false);
  }

  /** Splits the stream by predicates: `split().branch(p1).branch(p2).defaultBranch()`. */
  split(named?: Named): BranchedKStream<K, V> {
    return new BranchedKStream(this, this.builder.nameOrGenerate(named, 'KSTREAM-BRANCH-'));
  }

  /** The records of both streams, in the order they are processed. */
  merge(other: KStream<K, V>, named?: Named): KStream<K, V> {
    if (other.builder !== this.builder) throw new TopologyError('merge() needs two streams of the same StreamsBuilder');
    const name = this.builder.nameOrGenerate(named, 'KSTREAM-MERGE-');
    this.builder.topology.addProcessor(name, () => new KStreamPassThrough<K, V>(), this.nodeName, other.nodeName);
    const keySerde = this.keySerde === other.keySerde ? this.keySerde : undefined;
    const valueSerde = this.valueSerde === other.valueSerde ? this.valueSerde : undefined;
    return new KStream(this.builder, name, keySerde, valueSerde, this.repartitionRequired || other.repartitionRequired);
  }

  /**
   * Joins another stream within a time window: each pair of records with the same key whose
   * timestamps are at most the window apart, `joiner(value, otherValue, key)`, timestamped with the
   * later of the two. Both sides are kept in window stores; the inputs must be co-partitioned.
   */
  join<VO, VR>(other: KStream<K, VO>, joiner: ValueJoiner<V, VO, VR, K>, windows: JoinWindows, options?: StreamJoined<K, V, VO>): KStream<K, VR>;
  /** Joins each record with the table's current value for its key; records with no row are dropped. */
  join<VT, VR>(table: KTable<K, VT>, joiner: ValueJoiner<V, VT, VR, K>, options?: Joined<K, V, VT>): KStream<K, VR>;
  /** Joins each record with the global table's value for the key `keySelector` picks; records with no row are dropped. */
  join<KG, VG, VR>(table: GlobalKTable<KG, VG>, keySelector: (key: K, value: V) => KG, joiner: ValueJoiner<V, VG, VR, K>, named?: Named): KStream<K, VR>;
  join(other: unknown, a: unknown, b?: unknown, c?: unknown): KStream<K, unknown> {
    return this.joinWith(other, a, b, c, false);
  }

  /**
   * Like `join`, and a record of this stream that joins nothing is emitted with a null other value —
   * for a stream-stream join only once its window has closed (stream time passed its timestamp plus
   * the window's `after` plus the grace period), so no spurious non-joined results appear.
   */
  leftJoin<VO, VR>(other: KStream<K, VO>, joiner: ValueJoiner<V, VO | null, VR, K>, windows: JoinWindows, options?: StreamJoined<K, V, VO>): KStream<K, VR>;
  /** Joins each record with the table's current value for its key, or with null when there is none. */
  leftJoin<VT, VR>(table: KTable<K, VT>, joiner: ValueJoiner<V, VT | null, VR, K>, options?: Joined<K, V, VT>): KStream<K, VR>;
  /** Joins each record with the global table's value for the key `keySelector` picks, or with null. */
  leftJoin<KG, VG, VR>(
    table: GlobalKTable<KG, VG>,
    keySelector: (key: K, value: V) => KG,
    joiner: ValueJoiner<V, VG | null, VR, K>,
    named?: Named,
  ): KStream<K, VR>;
  leftJoin(other: unknown, a: unknown, b?: unknown, c?: unknown): KStream<K, unknown> {
    return this.joinWith(other, a, b, c, true);
  }

  /**
   * Like `join`, and a record of either stream that joins nothing is emitted, once its window has
   * closed, with null for the other side: `joiner(value, null, key)` or `joiner(null, otherValue, key)`.
   */
  outerJoin<VO, VR>(
    other: KStream<K, VO>,
    joiner: ValueJoiner<V | null, VO | null, VR, K>,
    windows: JoinWindows,
    options: StreamJoined<K, V, VO> = {},
  ): KStream<K, VR> {
    if (!(other instanceof KStream)) throw new TopologyError('outerJoin() of a stream takes another KStream (tables join streams with join or leftJoin)');
    if (!(windows instanceof JoinWindows)) throw new TopologyError('outerJoin() of two streams takes JoinWindows');
    return streamStreamJoin(this, other, joiner, windows, options, true, true);
  }

  private joinWith(other: unknown, a: unknown, b: unknown, c: unknown, left: boolean): KStream<K, unknown> {
    const what = left ? 'leftJoin()' : 'join()';
    if (other instanceof KStream) {
      if (!(b instanceof JoinWindows))
        throw new TopologyError(`${what} of two streams takes JoinWindows: ${what.slice(0, -2)}(other, joiner, JoinWindows.ofTimeDifferenceWithNoGrace(ms))`);
      return streamStreamJoin(this, other, a as ValueJoiner<V | null, unknown, unknown, K>, b, (c ?? {}) as StreamJoined<K, V, unknown>, left, false);
    }
    if (other instanceof KTable) return streamTableJoin(this, other, a as ValueJoiner<V, unknown, unknown, K>, (b ?? {}) as Joined<K, V, unknown>, left);
    if (other instanceof GlobalKTable) {
      return streamGlobalTableJoin(this, other, a as (key: K, value: V) => unknown, b as ValueJoiner<V, unknown, unknown, K>, c as Named | undefined, left);
    }
    throw new TopologyError(`${what} takes a KStream (with JoinWindows), a KTable or a GlobalKTable`);
  }

  /** Writes the stream through a repartition topic (`<application.id>-<name>-repartition`), partitioned by key. */
  repartition(options: Repartitioned<K, V> = {}): KStream<K, V> {
    if (options.numberOfPartitions !== undefined && (!Number.isInteger(options.numberOfPartitions) || options.numberOfPartitions < 1)) {
      throw new TopologyError(`repartition(): numberOfPartitions must be a positive integer, not ${options.numberOfPartitions}`);
    }
    const prefix = this.builder.nameOrGenerate(options, 'KSTREAM-REPARTITION-');
    const keySerde = options.keySerde ?? this.keySerde;
    const valueSerde = options.valueSerde ?? this.valueSerde;
    const source = createRepartitionedSource(this.builder, {
      parent: this.nodeName,
      prefix,
      keySerde,
      valueSerde,
      partitions: options.numberOfPartitions,
      partitioner: options.partitioner,
    });
    return new KStream(this.builder, source, keySerde, valueSerde, false);
  }

  /** Writes the stream to a topic, or to the topic a function chooses per record. */
  to(topic: string | TopicNameExtractor<K, V>, produced: Produced<K, V> = {}): void {
    if (typeof topic === 'string') checkTopicName(topic);
    else if (typeof topic !== 'function') throw new TopologyError('to() takes a topic name or a function that returns one');
    const name = this.builder.nameOrGenerate(produced, 'KSTREAM-SINK-');
    this.builder.topology.addSink(
      name,
      topic,
      { keySerde: produced.keySerde ?? this.keySerde, valueSerde: produced.valueSerde ?? this.valueSerde, partitioner: produced.partitioner },
      this.nodeName,
    );
  }

  /** The stream as a table: each record is its key's latest value; a null value deletes the key. */
  toTable(options: MaterializedAs<K, V> = {}): KTable<K, V> {
    const name = this.builder.nameOrGenerate(options, 'KSTREAM-TOTABLE-');
    const m = materialize(this.builder, options, 'KSTREAM-TOTABLE-');
    const keySerde = options.keySerde ?? this.keySerde;
    const valueSerde = options.valueSerde ?? this.valueSerde;
    let parent = this.nodeName;
    if (this.repartitionRequired) parent = createRepartitionedSource(this.builder, { parent, prefix: name, keySerde, valueSerde });
    const t = this.builder.topology;
    t.addProcessor(name, () => new KTableSource<K, V>(m.storeName), parent);
    t.addStateStore(m.builder(keySerde, valueSerde), name);
    return new KTable(this.builder, name, keySerde, valueSerde, m.storeName);
  }

  /** Groups by the current key, for an aggregation (repartitioning first if the key was changed). */
  groupByKey(grouped: Grouped<K, V> = {}): KGroupedStream<K, V> {
    return new KGroupedStream(
      this.builder,
      this.nodeName,
      grouped.keySerde ?? this.keySerde,
      grouped.valueSerde ?? this.valueSerde,
      this.repartitionRequired,
      grouped.name,
    );
  }

  /** Groups by a new key, `(key, value) => newKey`; the aggregation repartitions by it. */
  groupBy<KR>(selector: (key: K, value: V) => KR, grouped: Grouped<KR, V> = {}): KGroupedStream<KR, V> {
    const name = this.builder.nameOrGenerate(grouped, 'KSTREAM-KEY-SELECT-');
    this.builder.topology.addProcessor(name, () => new KStreamSelectKey(selector), this.nodeName);
    return new KGroupedStream(this.builder, name, grouped.keySerde, grouped.valueSerde ?? this.valueSerde, true, grouped.name);
  }

  /**
   * Runs a Processor API processor (`{ init?, process, close? }`, made fresh per task by `supplier`)
   * with access to the named stores; it forwards what it wants with `context.forward`.
   */
  process<KOut, VOut>(supplier: ProcessorSupplier<K, V, KOut, VOut>, options: ProcessOptions = {}): KStream<KOut, VOut> {
    if (typeof supplier !== 'function') throw new TopologyError('process() takes a function that returns a new processor for each task');
    const out = this.add<KOut, VOut>('KSTREAM-PROCESSOR-', options, supplier, undefined, undefined, true);
    if (options.stores !== undefined && options.stores.length > 0) this.builder.topology.connectProcessorAndStateStores(out.nodeName, ...options.stores);
    return out;
  }

  /**
   * Applies RxJS operators to the stream's records (`{ key, value, timestamp, headers, topic,
   * partition, offset }`); they must emit records. Operators run between commit points: at each
   * commit their input completes, what they hold is emitted, and they start afresh. See the docs
   * ("RxJS inside a stream") for which operators fit.
   */
  // `any`, not `unknown`: each operator's input is the previous one's output, which one array type
  // cannot say; with `unknown` a user's `filter((r) => r.value > 0)` would not type-check.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  pipe<KR = K, VR = V>(...operators: OperatorFunction<any, any>[]): KStream<KR, VR> {
    for (const op of operators) if (typeof op !== 'function') throw new TopologyError('pipe() takes RxJS operators (functions)');
    const name = this.builder.newProcessorName('KSTREAM-PIPE-');
    return this.add<KR, VR>(
      'KSTREAM-PIPE-',
      { name },
      () => new KStreamRxPipe(operators as OperatorFunction<unknown, unknown>[], name, PIPE_MAX_RECORDS_PER_SEGMENT) as never,
      undefined,
      undefined,
      true,
    );
  }

  /**
   * A new value per record from async work — a database or service lookup — with up to
   * `concurrency` calls in flight; results are emitted in input order.
   */
  mapValuesAsync<VR>(mapper: (value: V, key: K, record: StreamRecord<K, V>) => Promise<VR> | VR, options: AsyncOptions = {}): KStream<K, VR> {
    const concurrency = checkConcurrency(options.concurrency);
    const call = (r: StreamRecord<unknown, unknown>): unknown => mapper(r.value as V, r.key as K, r as StreamRecord<K, V>);
    return this.add<K, VR>(
      'KSTREAM-MAPVALUES-ASYNC-',
      options,
      () => new KStreamMapAsync(call, concurrency, false) as never,
      this.keySerde,
      undefined,
      this.repartitionRequired,
    );
  }

  /** Like `mapValuesAsync`, but the function gives a new key and value: `({ key, value })` or `[key, value]`. */
  mapAsync<KR, VR>(
    mapper: (key: K, value: V, record: StreamRecord<K, V>) => Promise<KeyValuePair<KR, VR>> | KeyValuePair<KR, VR>,
    options: AsyncOptions = {},
  ): KStream<KR, VR> {
    const concurrency = checkConcurrency(options.concurrency);
    const call = (r: StreamRecord<unknown, unknown>): unknown => mapper(r.key as K, r.value as V, r as StreamRecord<K, V>);
    return this.add<KR, VR>('KSTREAM-MAP-ASYNC-', options, () => new KStreamMapAsync(call, concurrency, true) as never, undefined, undefined, true);
  }
}

export type { ConsumedRecord };

function checkConcurrency(c: number | undefined): number {
  const n = c ?? 16;
  if (!Number.isInteger(n) || n < 1) throw new TopologyError(`concurrency must be a positive integer, not ${c}`);
  return n;
}
