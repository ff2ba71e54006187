/**
 * The joins of the DSL (Kafka Streams' `KStreamImpl.join*`, `KStreamImplJoin`, `KTableImpl.doJoin`):
 * the nodes, stores, repartition topics and co-partitioning each one adds. `KStream` and `KTable`
 * call these; the processors are in `internals/`.
 *
 * Node and store names follow Kafka Streams', burning counter values where it burns them — also for
 * a join named by the user — so `describe()`, store and internal topic names are Kafka Streams' for
 * the same program.
 */
import type { Serde } from '../../serdes/serde.js';
import { Serdes } from '../../serdes/serdes.js';
import { TopologyError } from '../errors.js';
import { type LateSerde, lateSerde } from '../processor/late-serde.js';
import type { Topology } from '../processor/topology.js';
import { Stores, checkStoreName } from '../state/stores.js';
import type { StoreBuilder } from '../state/store-builder.js';
import type { StateStore } from '../state/state-store.js';
import type { GlobalKTable } from './global-ktable.js';
import { type InternalStreamsBuilder, checkName } from './internal-streams-builder.js';
import {
  CombinedKeySchema,
  ForeignTableJoinProcessor,
  ResponseJoinProcessor,
  type SubscriptionResponseWrapper,
  SubscriptionJoinProcessor,
  SubscriptionReceiveProcessor,
  SubscriptionSendProcessor,
  subscriptionResponseWrapperSerde,
  subscriptionWrapperSerde,
} from './internals/foreign-key-join.js';
import { KTableSource } from './internals/ktable-processors.js';
import {
  JoinStepsSupplier,
  KStreamJoinWindow,
  KStreamKStreamJoinProcessor,
  leftOrRightValuesSerde,
  timestampedKeyAndJoinSideSerde,
} from './internals/kstream-kstream-join.js';
import { KStreamKTableJoinProcessor } from './internals/kstream-ktable-join.js';
import { KTableKTableJoinMerger, KTableKTableJoinProcessor, type TableJoinSide, tableJoinValueGetter } from './internals/ktable-ktable-join.js';
import { materializedValueGetter } from './internals/ktable-value-getter.js';
import { KStreamPassThrough } from './internals/stateless-processors.js';
import type { Joined, StreamJoined, TableJoined, ValueJoiner } from './joined.js';
import { KStream } from './kstream.js';
import { KTable } from './ktable.js';
import { materialize } from './materialize.js';
import type { MaterializedAs, Named } from './options.js';
import { createRepartitionedSource } from './repartition.js';
import type { JoinWindows } from './windows/join-windows.js';

/** Kafka Streams' `orElseGenerateWithPrefix`: the user's name, but the counter value is burnt either way. */
function nameOrGenerateBurning(builder: InternalStreamsBuilder, named: Named | undefined, prefix: string): string {
  const generated = builder.newProcessorName(prefix);
  if (named?.name === undefined) return generated;
  checkName(named.name);
  return named.name;
}

/** Kafka Streams' `suffixWithOrElseGet`: `<name><suffix>` when named, else generated; burns a counter value. */
function suffixedOrGenerated(builder: InternalStreamsBuilder, name: string | undefined, suffix: string, prefix: string): string {
  const generated = builder.newProcessorName(prefix);
  if (name === undefined) return generated;
  checkName(name + suffix);
  return name + suffix;
}

/** The topics of the source nodes a node's records come from. */
function sourceTopicsOf(topology: Topology, node: string): string[] {
  const topics: string[] = [];
  const seen = new Set<string>();
  const stack = [node];
  while (stack.length > 0) {
    const name = stack.pop() as string;
    if (seen.has(name)) continue;
    seen.add(name);
    const def = topology.nodes.get(name);
    if (def === undefined) continue;
    if (def.kind === 'source') topics.push(...def.topics);
    else stack.push(...def.parents);
  }
  return topics;
}

/**
 * Joined inputs must be partitioned alike (Kafka Streams' `ensureCopartitionWith`): their source
 * topics form a co-partition group, checked when the application starts.
 */
function copartition(builder: InternalStreamsBuilder, ...nodes: string[]): void {
  const t = builder.topology;
  const group = [...new Set(nodes.flatMap((n) => sourceTopicsOf(t, n)))].sort();
  if (group.length < 2) return;
  const same = (g: readonly string[]): boolean => g.length === group.length && g.every((x, i) => x === group[i]);
  if (!t.copartitionGroups.some(same)) t.copartitionGroups.push(group);
}

/** Per builder, per stream node: the source of the first repartition topic a join put in front of it. */
const joinRepartitions = new WeakMap<InternalStreamsBuilder, Map<string, string>>();

/**
 * Kafka Streams' `repartitionForJoin`: a key-changed stream goes through a repartition topic before
 * a join. A stream joined again without a join name reuses the topic its first join made; the
 * counter values are burnt either way.
 */
function repartitionForJoin<K, V>(stream: KStream<K, V>, name: string, keySerde: Serde<K> | undefined, valueSerde: Serde<V> | undefined): string {
  const builder = stream.builder;
  let made = joinRepartitions.get(builder);
  if (made === undefined) joinRepartitions.set(builder, (made = new Map()));
  const earlier = made.get(stream.nodeName);
  if (earlier !== undefined && name === stream.nodeName) {
    for (const prefix of ['KSTREAM-SINK-', 'KSTREAM-FILTER-', 'KSTREAM-SOURCE-']) builder.newProcessorName(prefix);
    return earlier;
  }
  const source = createRepartitionedSource(builder, { parent: stream.nodeName, prefix: name, keySerde, valueSerde });
  if (earlier === undefined) made.set(stream.nodeName, source);
  return source;
}

function checkSameBuilder(a: { builder: InternalStreamsBuilder }, b: { builder: InternalStreamsBuilder }, what: string): void {
  if (a.builder !== b.builder) throw new TopologyError(`${what} needs two inputs of the same StreamsBuilder`);
}

function checkJoiner(joiner: unknown, what: string): void {
  if (typeof joiner !== 'function') throw new TopologyError(`${what} takes a joiner (value, otherValue, key) => joinedValue`);
}

function late<T>(builder: InternalStreamsBuilder, which: 'key' | 'value', where: string): LateSerde<T> {
  const s = lateSerde<T>(which, where);
  builder.topology.lateSerdes.push(s as LateSerde<unknown>);
  return s;
}

/** `KStream.join / leftJoin(KTable)`: each stream record looks the table up by its key. */
export function streamTableJoin<K, V, VT, VR>(
  stream: KStream<K, V>,
  table: KTable<K, VT>,
  joiner: ValueJoiner<V, VT | null, VR, K>,
  options: Joined<K, V, VT>,
  leftJoin: boolean,
): KStream<K, VR> {
  const what = leftJoin ? 'leftJoin()' : 'join()';
  checkSameBuilder(stream, table, what);
  checkJoiner(joiner, what);
  const builder = stream.builder;
  const getter = table.valueGetterSupplier();
  const stores = getter.storeNames();
  const keySerde = options.keySerde ?? stream.keySerde;
  let parent = stream.nodeName;
  if (stream.repartitionRequired) {
    parent = repartitionForJoin(stream, options.name ?? stream.nodeName, keySerde, options.valueSerde ?? stream.valueSerde);
  }
  copartition(builder, parent, table.nodeName);
  const name = nameOrGenerateBurning(builder, options, leftJoin ? 'KSTREAM-LEFTJOIN-' : 'KSTREAM-JOIN-');
  const t = builder.topology;
  t.addProcessor(name, () => new KStreamKTableJoinProcessor<K, V, K, VT, VR>(getter, null, joiner, leftJoin), parent);
  t.connectProcessorAndStateStores(name, ...stores);
  return new KStream<K, VR>(builder, name, keySerde, undefined, false);
}

/** `KStream.join / leftJoin(GlobalKTable)`: each stream record looks the global table up by a key it selects. */
export function streamGlobalTableJoin<K, V, KG, VG, VR>(
  stream: KStream<K, V>,
  table: GlobalKTable<KG, VG>,
  keySelector: (key: K, value: V) => KG,
  joiner: ValueJoiner<V, VG | null, VR, K>,
  named: Named | undefined,
  leftJoin: boolean,
): KStream<K, VR> {
  const what = leftJoin ? 'leftJoin()' : 'join()';
  if (typeof keySelector !== 'function') throw new TopologyError(`${what} with a GlobalKTable takes a key selector (key, value) => tableKey`);
  checkJoiner(joiner, what);
  const builder = stream.builder;
  if (!builder.topology.isGlobalStore(table.queryableStoreName())) throw new TopologyError(`${what}: the GlobalKTable is not of this StreamsBuilder`);
  // Kafka Streams names both the inner and the left join with a global table KSTREAM-LEFTJOIN-.
  const name = nameOrGenerateBurning(builder, named, 'KSTREAM-LEFTJOIN-');
  const getter = materializedValueGetter<KG, VG>(table.queryableStoreName());
  builder.topology.addProcessor(name, () => new KStreamKTableJoinProcessor<K, V, KG, VG, VR>(getter, keySelector, joiner, leftJoin), stream.nodeName);
  return new KStream<K, VR>(builder, name, stream.keySerde, undefined, stream.repartitionRequired);
}

/** `KStream.join / leftJoin / outerJoin(KStream, joiner, JoinWindows)`. */
export function streamStreamJoin<K, V, VO, VR>(
  left: KStream<K, V>,
  right: KStream<K, VO>,
  joiner: ValueJoiner<V | null, VO | null, VR, K>,
  windows: JoinWindows,
  options: StreamJoined<K, V, VO>,
  leftOuter: boolean,
  rightOuter: boolean,
): KStream<K, VR> {
  const what = rightOuter ? 'outerJoin()' : leftOuter ? 'leftJoin()' : 'join()';
  checkSameBuilder(left, right, what);
  checkJoiner(joiner, what);
  if (windows === null || typeof windows !== 'object' || typeof windows.beforeMs !== 'number')
    throw new TopologyError(`${what} of two streams takes JoinWindows`);
  const builder = left.builder;
  const t = builder.topology;
  const named = options.name;
  if (named !== undefined) checkName(named);
  if (options.storeName !== undefined) checkStoreName(options.storeName);
  const keySerde = options.keySerde ?? left.keySerde ?? right.keySerde;
  const thisValueSerde = options.valueSerde ?? left.valueSerde;
  const otherValueSerde = options.otherValueSerde ?? right.valueSerde;

  let thisParent = left.nodeName;
  let otherParent = right.nodeName;
  if (left.repartitionRequired) {
    thisParent = repartitionForJoin(left, named !== undefined ? `${named}-left` : left.nodeName, keySerde, thisValueSerde);
  }
  if (right.repartitionRequired) {
    otherParent = repartitionForJoin(right, named !== undefined ? `${named}-right` : right.nodeName, keySerde, otherValueSerde);
  }
  copartition(builder, thisParent, otherParent);

  // Kafka Streams' KStreamImplJoin: names in this order, each burning a counter value.
  const thisPrefix = rightOuter ? 'KSTREAM-OUTERTHIS-' : 'KSTREAM-JOINTHIS-';
  const otherPrefix = leftOuter ? 'KSTREAM-OUTEROTHER-' : 'KSTREAM-JOINOTHER-';
  const thisSuffix = rightOuter ? '-outer-this-join' : '-this-join';
  const otherSuffix = leftOuter ? '-outer-other-join' : '-other-join';
  const thisWindowedName = suffixedOrGenerated(builder, named, '-this-windowed', 'KSTREAM-WINDOWED-');
  const otherWindowedName = suffixedOrGenerated(builder, named, '-other-windowed', 'KSTREAM-WINDOWED-');
  const joinThisGenerated = builder.newProcessorName(thisPrefix);
  const joinOtherGenerated = builder.newProcessorName(otherPrefix);
  const joinThisName = named !== undefined ? named + thisSuffix : joinThisGenerated;
  const joinOtherName = named !== undefined ? named + otherSuffix : joinOtherGenerated;
  const mergeName = suffixedOrGenerated(builder, named, '-merge', 'KSTREAM-MERGE-');
  const base = options.storeName;
  const thisStoreName = `${base !== undefined ? base + thisSuffix : joinThisGenerated}-store`;
  const otherStoreName = `${base !== undefined ? base + otherSuffix : joinOtherGenerated}-store`;
  const sharedStoreName = !leftOuter
    ? null
    : `${base !== undefined ? base + (rightOuter ? '-outer-shared-join' : '-left-shared-join') : `KSTREAM-OUTERSHARED-${joinThisGenerated.slice(thisPrefix.length)}`}-store`;
  if (thisStoreName === otherStoreName) throw new TopologyError(`${what}: both join stores would be named ${thisStoreName}`);

  const storeKeySerde = keySerde ?? late<K>(builder, 'key', `store ${thisStoreName}`);
  const thisStoreValueSerde = thisValueSerde ?? late<V>(builder, 'value', `store ${thisStoreName}`);
  const otherStoreValueSerde = otherValueSerde ?? late<VO>(builder, 'value', `store ${otherStoreName}`);
  const steps = new JoinStepsSupplier();
  const spec = { beforeMs: windows.beforeMs, afterMs: windows.afterMs, graceMs: windows.graceMs, sharedStoreName, joiner, steps };

  t.addProcessor(thisWindowedName, () => new KStreamJoinWindow<K, V>(thisStoreName, steps), thisParent);
  t.addProcessor(otherWindowedName, () => new KStreamJoinWindow<K, VO>(otherStoreName, steps), otherParent);
  t.addProcessor(
    joinThisName,
    () => new KStreamKStreamJoinProcessor<K, V, V, VO, VR>({ ...spec, otherStoreName, leftSide: true, outer: leftOuter }),
    thisWindowedName,
  );
  t.addProcessor(
    joinOtherName,
    () => new KStreamKStreamJoinProcessor<K, VO, V, VO, VR>({ ...spec, otherStoreName: thisStoreName, leftSide: false, outer: rightOuter }),
    otherWindowedName,
  );
  t.addProcessor(mergeName, () => new KStreamPassThrough<K, VR>(), joinThisName, joinOtherName);
  t.addStateStore(joinWindowStore(thisStoreName, windows, storeKeySerde, thisStoreValueSerde, options), thisWindowedName, joinOtherName);
  t.addStateStore(joinWindowStore(otherStoreName, windows, storeKeySerde, otherStoreValueSerde, options), otherWindowedName, joinThisName);
  if (sharedStoreName !== null) {
    const supplier = options.storeType === 'in-memory' ? Stores.inMemoryKeyValueStore(sharedStoreName) : Stores.persistentKeyValueStore(sharedStoreName);
    const shared = Stores.keyValueStoreBuilder(
      supplier,
      timestampedKeyAndJoinSideSerde(storeKeySerde),
      leftOrRightValuesSerde(thisStoreValueSerde, otherStoreValueSerde),
    );
    if (options.loggingEnabled === false) shared.withLoggingDisabled();
    else shared.withLoggingEnabled(options.logConfig ?? {});
    t.addStateStore(shared as StoreBuilder<StateStore>, joinThisName, joinOtherName);
  }
  return new KStream<K, VR>(builder, mergeName, options.keySerde ?? left.keySerde, undefined, false);
}

/** A join store: every record of one side, duplicates kept, for the window size plus the grace period. */
function joinWindowStore<K, V>(
  name: string,
  windows: JoinWindows,
  keySerde: Serde<K>,
  valueSerde: Serde<V>,
  options: StreamJoined<unknown, unknown, unknown>,
): StoreBuilder<StateStore> {
  const retention = windows.sizeMs + windows.graceMs;
  const supplier =
    options.storeType === 'in-memory'
      ? Stores.inMemoryWindowStore(name, retention, windows.sizeMs, true)
      : Stores.persistentWindowStore(name, retention, windows.sizeMs, true);
  const b = Stores.windowStoreBuilder(supplier, keySerde, valueSerde);
  // As in Kafka Streams: its keys never repeat (duplicates are kept), so its changelog is not compacted.
  if (options.loggingEnabled === false) b.withLoggingDisabled();
  else b.withLoggingEnabled({ ...options.logConfig, 'cleanup.policy': 'delete' });
  return b as StoreBuilder<StateStore>;
}

/** `KTable.join / leftJoin / outerJoin(KTable)`. */
export function tableTableJoin<K, V, VO, VR>(
  left: KTable<K, V>,
  right: KTable<K, VO>,
  joiner: ValueJoiner<V | null, VO | null, VR, K>,
  options: MaterializedAs<K, VR>,
  leftOuter: boolean,
  rightOuter: boolean,
): KTable<K, VR> {
  const what = rightOuter ? 'outerJoin()' : leftOuter ? 'leftJoin()' : 'join()';
  if (!(right instanceof KTable)) throw new TopologyError(`${what} of a table takes another KTable`);
  checkSameBuilder(left, right, what);
  checkJoiner(joiner, what);
  const builder = left.builder;
  const t = builder.topology;
  const leftGetter = left.valueGetterSupplier();
  const rightGetter = right.valueGetterSupplier();
  const leftStores = leftGetter.storeNames();
  const rightStores = rightGetter.storeNames();
  // Kafka Streams names the store (when it generates the name) before the nodes.
  const m = options.storeName !== undefined || options.storeType !== undefined ? materialize<K, VR>(builder, options, 'KTABLE-MERGE-') : null;
  const mergeName = nameOrGenerateBurning(builder, options, 'KTABLE-MERGE-');
  copartition(builder, left.nodeName, right.nodeName);
  const joinThisName = suffixedOrGenerated(builder, options.name, '-join-this', 'KTABLE-JOINTHIS-');
  const joinOtherName = suffixedOrGenerated(builder, options.name, '-join-other', 'KTABLE-JOINOTHER-');
  const [thisSide, otherSide]: [TableJoinSide, TableJoinSide] = !leftOuter ? ['inner', 'inner'] : !rightOuter ? ['left', 'right'] : ['outer', 'outer'];
  const reversed = (value: VO | null, otherValue: V | null, key: K): VR => joiner(otherValue, value, key);
  t.addProcessor(joinThisName, () => new KTableKTableJoinProcessor<K, V, VO, VR>(rightGetter, joiner, thisSide), left.nodeName);
  t.addProcessor(joinOtherName, () => new KTableKTableJoinProcessor<K, VO, V, VR>(leftGetter, reversed, otherSide), right.nodeName);
  t.addProcessor(mergeName, () => new KTableKTableJoinMerger<K, VR>(m === null ? null : m.storeName), joinThisName, joinOtherName);
  t.connectProcessorAndStateStores(joinThisName, ...rightStores);
  t.connectProcessorAndStateStores(joinOtherName, ...leftStores);
  const keySerde = options.keySerde ?? left.keySerde;
  if (m !== null) {
    t.addStateStore(m.builder(keySerde, options.valueSerde) as StoreBuilder<StateStore>, mergeName);
    return new KTable<K, VR>(builder, mergeName, keySerde, options.valueSerde, m.storeName);
  }
  const type = !leftOuter ? 'inner' : !rightOuter ? 'left' : 'outer';
  return new KTable<K, VR>(builder, mergeName, keySerde, options.valueSerde, null, () => tableJoinValueGetter(leftGetter, rightGetter, joiner, type));
}

/**
 * `KTable.join / leftJoin(KTable, foreignKeyExtractor, joiner)`: the foreign-key join (KIP-213),
 * through a subscription topic partitioned like the right table and a response topic partitioned
 * like the left one. Names and counter values are Kafka Streams' `doJoinOnForeignKey`'s.
 */
export function tableForeignKeyJoin<K, V, KO, VO, VR>(
  left: KTable<K, V>,
  right: KTable<KO, VO>,
  foreignKeyExtractor: (value: V, key: K) => KO,
  joiner: ValueJoiner<V | null, VO | null, VR, K>,
  options: TableJoined<K, KO> & MaterializedAs<K, VR>,
  leftJoin: boolean,
): KTable<K, VR> {
  const what = leftJoin ? 'leftJoin()' : 'join()';
  if (!(right instanceof KTable)) throw new TopologyError(`${what} of a table takes another KTable`);
  checkSameBuilder(left, right, what);
  if (typeof foreignKeyExtractor !== 'function') throw new TopologyError(`${what} on a foreign key takes an extractor (value, key) => foreignKey`);
  checkJoiner(joiner, what);
  const builder = left.builder;
  const t = builder.topology;
  const leftGetter = left.valueGetterSupplier();
  const rightGetter = right.valueGetterSupplier();
  const leftStores = leftGetter.storeNames();
  const rightStores = rightGetter.storeNames();
  const named = options.name;
  if (named !== undefined) checkName(named);
  const name = (suffix: string, prefix: string): string => suffixedOrGenerated(builder, named, suffix, prefix);

  const subscriptionTopic = `${name('-subscription-registration', 'KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-')}-topic`;
  const keySerde = left.keySerde ?? late<K>(builder, 'key', `foreign-key join ${subscriptionTopic}`);
  const valueSerde = left.valueSerde ?? late<V>(builder, 'value', `foreign-key join ${subscriptionTopic}`);
  const foreignKeySerde = right.keySerde ?? late<KO>(builder, 'key', `foreign-key join ${subscriptionTopic}`);
  const foreignValueSerde = right.valueSerde ?? late<VO>(builder, 'value', `foreign-key join ${subscriptionTopic}`);
  const keys = new CombinedKeySchema<KO, K>(foreignKeySerde, keySerde, subscriptionTopic);
  const subscriptionSerde = subscriptionWrapperSerde(keySerde);
  const responseSerde = subscriptionResponseWrapperSerde(foreignValueSerde);
  const hashTopic = `${subscriptionTopic}-vh`;

  const sendName = name('-subscription-registration-processor', 'KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-');
  t.addProcessor(sendName, () => new SubscriptionSendProcessor<K, V, KO>(foreignKeyExtractor, foreignKeySerde, valueSerde, hashTopic, leftJoin), left.nodeName);
  const subscriptionSinkName = name('-subscription-registration-sink', 'KTABLE-SINK-');
  const otherPartitioner = options.otherPartitioner;
  t.addSink(
    subscriptionSinkName,
    subscriptionTopic,
    {
      keySerde: foreignKeySerde,
      valueSerde: subscriptionSerde,
      partitioner: otherPartitioner === undefined ? undefined : (topic, fk: KO, _v, n) => otherPartitioner(topic, fk, undefined, n),
    },
    sendName,
  );
  t.addRepartitionTopic(subscriptionTopic);
  const subscriptionSourceName = name('-subscription-registration-source', 'KTABLE-SOURCE-');
  t.addSource(subscriptionSourceName, subscriptionTopic, { keySerde: foreignKeySerde, valueSerde: subscriptionSerde });
  copartition(builder, subscriptionSourceName, right.nodeName);

  const subscriptionStoreName = name('-subscription-store', 'KTABLE-FK-JOIN-SUBSCRIPTION-STATE-STORE-');
  checkStoreName(subscriptionStoreName);
  const bytes = Serdes.ByteArray();
  const storeSupplier =
    options.storeType === 'in-memory' ? Stores.inMemoryKeyValueStore(subscriptionStoreName) : Stores.persistentTimestampedKeyValueStore(subscriptionStoreName);
  t.addStateStore(Stores.timestampedKeyValueStoreBuilder(storeSupplier, bytes, subscriptionSerde) as StoreBuilder<StateStore>);
  const receiveName = name('-subscription-receive', 'KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-');
  t.addProcessor(receiveName, () => new SubscriptionReceiveProcessor<K, KO>(subscriptionStoreName, keys), subscriptionSourceName);
  t.connectProcessorAndStateStores(receiveName, subscriptionStoreName);
  const joinForeignName = name('-subscription-join-foreign', 'KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-');
  t.addProcessor(joinForeignName, () => new SubscriptionJoinProcessor<K, KO, VO>(rightGetter), receiveName);
  t.connectProcessorAndStateStores(joinForeignName, ...rightStores);
  const foreignJoinName = name('-foreign-join-subscription', 'KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-');
  t.addProcessor(foreignJoinName, () => new ForeignTableJoinProcessor<K, KO, VO>(subscriptionStoreName, keys, bytes), right.nodeName);
  t.connectProcessorAndStateStores(foreignJoinName, subscriptionStoreName);

  const responseTopic = `${name('-subscription-response', 'KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-')}-topic`;
  const responseSinkName = name('-subscription-response-sink', 'KTABLE-SINK-');
  const partitioner = options.partitioner;
  t.addSink(
    responseSinkName,
    responseTopic,
    {
      keySerde,
      valueSerde: responseSerde,
      partitioner: (topic, key: K, value: SubscriptionResponseWrapper<VO>, n) =>
        partitioner !== undefined
          ? partitioner(topic, key, undefined, n)
          : value.primaryPartition >= 0 && value.primaryPartition < n
            ? value.primaryPartition
            : null,
    },
    joinForeignName,
    foreignJoinName,
  );
  t.addRepartitionTopic(responseTopic);
  const responseSourceName = name('-subscription-response-source', 'KTABLE-SOURCE-');
  t.addSource(responseSourceName, responseTopic, { keySerde, valueSerde: responseSerde });
  copartition(builder, responseSourceName, left.nodeName);
  const resolverName = name('-subscription-response-resolver', 'KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-RESOLVER-PROCESSOR-');
  t.addProcessor(resolverName, () => new ResponseJoinProcessor<K, V, VO, VR>(leftGetter, valueSerde, hashTopic, joiner, leftJoin), responseSourceName);
  t.connectProcessorAndStateStores(resolverName, ...leftStores);

  const resultName = name('-result', 'KTABLE-FK-JOIN-OUTPUT-');
  const m = materialize<K, VR>(builder, options, 'KTABLE-FK-JOIN-OUTPUT-');
  t.addProcessor(resultName, () => new KTableSource<K, VR>(m.storeName) as never, resolverName);
  t.addStateStore(m.builder(options.keySerde ?? left.keySerde, options.valueSerde) as StoreBuilder<StateStore>, resultName);
  return new KTable<K, VR>(builder, resultName, options.keySerde ?? left.keySerde, options.valueSerde, m.storeName);
}
