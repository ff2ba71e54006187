/**
 * Topology: the processor graph — source, processor and sink nodes, the stores they use — and the
 * sub-topologies it falls into once repartition topics cut it (Kafka Streams' `Topology` and
 * `InternalTopologyBuilder`). The DSL writes into it; the Processor API (`addSource`,
 * `addProcessor`, `addSink`, `addStateStore`) is public, as in Kafka Streams.
 *
 * Internal topics are kept by their short names (`counts-store-repartition`); the runtime prefixes
 * them with the application id.
 */
import type { Serde } from '../../serdes/serde.js';
import { TopologyError } from '../errors.js';
import type { StoreBuilder } from '../state/store-builder.js';
import type { StateStore } from '../state/state-store.js';
import type { RecordContext } from '../state/internals/store-context.js';
import type { ProcessorSupplier } from './processor.js';
import { TopologyDescription } from './topology-description.js';
import type { LateSerde } from './late-serde.js';

/** Picks a record's timestamp (Kafka Streams' `TimestampExtractor`); the default is the record's own. */
export type TimestampExtractor = (
  record: { key: unknown; value: unknown; timestamp: number; topic: string; partition: number; offset: number },
  partitionTime: number,
) => number;

/** Chooses the output topic per record (Kafka Streams' `TopicNameExtractor`). */
export type TopicNameExtractor<K, V> = (key: K, value: V, context: RecordContext) => string;

/** Chooses the partition (Kafka Streams' `StreamPartitioner`); null/undefined falls back to the default (murmur2 of the key). */
export type StreamPartitioner<K, V> = (topic: string, key: K, value: V, numPartitions: number) => number | null | undefined;

export interface SourceOptions<K = unknown, V = unknown> {
  keySerde?: Serde<K>;
  valueSerde?: Serde<V>;
  timestampExtractor?: TimestampExtractor;
  /** Where to start when the group has no committed offset (Kafka Streams' `Consumed.withOffsetResetPolicy`). */
  offsetReset?: 'earliest' | 'latest';
}

export interface SinkOptions<K = unknown, V = unknown> {
  keySerde?: Serde<K>;
  valueSerde?: Serde<V>;
  partitioner?: StreamPartitioner<K, V>;
}

interface NodeBase {
  readonly name: string;
  readonly parents: string[];
  readonly children: string[];
}

export interface SourceNodeDef extends NodeBase {
  readonly kind: 'source';
  readonly topics: string[];
  readonly options: SourceOptions;
  /** Feeds a global store (every instance reads all partitions; no tasks). */
  readonly global?: boolean;
}

export interface ProcessorNodeDef extends NodeBase {
  readonly kind: 'processor';
  readonly supplier: ProcessorSupplier<unknown, unknown, unknown, unknown>;
  readonly stores: Set<string>;
  readonly global?: boolean;
}

export interface SinkNodeDef extends NodeBase {
  readonly kind: 'sink';
  readonly topic: string | TopicNameExtractor<unknown, unknown>;
  readonly options: SinkOptions;
}

export type NodeDef = SourceNodeDef | ProcessorNodeDef | SinkNodeDef;

export interface StoreDef {
  readonly builder: StoreBuilder<StateStore>;
  readonly processors: Set<string>;
  /** A global store: a full copy of its topic in every instance, readable by every task. */
  readonly global?: boolean;
  /**
   * A topic that already holds the store's changes (a table read from a topic), used instead of a
   * changelog of its own.
   */
  sourceTopicChangelog?: string;
}

export interface InternalTopicDef {
  readonly name: string;
  readonly type: 'repartition';
  /** Fixed by `repartition({ numberOfPartitions })`; otherwise that of the upstream sub-topology. */
  readonly partitions: number | undefined;
}

export interface Subtopology {
  readonly id: number;
  /** The group of a global store: it generates no tasks; each instance reads all its partitions. */
  readonly global: boolean;
  /** Node names in the order they were added. */
  readonly nodes: readonly string[];
  /** Topics its source nodes read (short names for internal topics). */
  readonly sourceTopics: readonly string[];
  /** Topics its sink nodes write, when static. */
  readonly sinkTopics: readonly string[];
  readonly stores: readonly string[];
}

export class Topology {
  /** @internal */
  /** Every node, in the order it was added. */
  readonly nodes = new Map<string, NodeDef>();
  /** @internal */
  readonly stores = new Map<string, StoreDef>();
  /** @internal */
  readonly internalTopics = new Map<string, InternalTopicDef>();
  /** @internal */
  /** Topics (short names) that are joined and so must have the same partition count. */
  readonly copartitionGroups: string[][] = [];
  /** @internal */
  /** Store serdes the DSL left to `default.key.serde` / `default.value.serde`. */
  readonly lateSerdes: LateSerde<unknown>[] = [];
  private readonly topicToSource = new Map<string, string>();
  private computed: Subtopology[] | null = null;

  /**
   * A global store (Kafka Streams' `addGlobalStore`): `processorName` (made by `supplier`) gets every
   * record of every partition of `topic` and keeps the store; tasks read it, nobody else writes it.
   * The topic is the store's changelog.
   */
  addGlobalStore<K, V>(
    builder: StoreBuilder<StateStore>,
    sourceName: string,
    topic: string,
    options: SourceOptions<K, V>,
    processorName: string,
    supplier: ProcessorSupplier<K, V, void, void>,
  ): this {
    if (this.stores.has(builder.name)) throw new TopologyError(`a store named ${builder.name} was already added`);
    if (builder.loggingEnabled) builder.withLoggingDisabled();
    checkTopicName(topic);
    const other = this.topicToSource.get(topic);
    if (other !== undefined) throw new TopologyError(`topic ${topic} is already read by source ${other}`);
    this.addNode({ kind: 'source', name: sourceName, topics: [topic], options: options as SourceOptions, parents: [], children: [], global: true });
    this.topicToSource.set(topic, sourceName);
    this.addNode({
      kind: 'processor',
      name: processorName,
      supplier: supplier as unknown as ProcessorSupplier<unknown, unknown, unknown, unknown>,
      stores: new Set([builder.name]),
      parents: [sourceName],
      children: [],
      global: true,
    });
    this.stores.set(builder.name, { builder, processors: new Set([processorName]), global: true, sourceTopicChangelog: topic });
    return this;
  }

  addSource<K, V>(name: string, topics: string | readonly string[], options: SourceOptions<K, V> = {}): this {
    const list = typeof topics === 'string' ? [topics] : [...topics];
    if (list.length === 0) throw new TopologyError(`source ${name} must read at least one topic`);
    for (const t of list) {
      checkTopicName(t);
      const other = this.topicToSource.get(t);
      if (other !== undefined) throw new TopologyError(`topic ${t} is already read by source ${other}; read it once and share the stream`);
    }
    this.addNode({ kind: 'source', name, topics: list, options: options as SourceOptions, parents: [], children: [] });
    for (const t of list) this.topicToSource.set(t, name);
    return this;
  }

  addProcessor<KIn, VIn, KOut, VOut>(name: string, supplier: ProcessorSupplier<KIn, VIn, KOut, VOut>, ...parentNames: string[]): this {
    if (parentNames.length === 0) throw new TopologyError(`processor ${name} must have at least one parent`);
    this.checkParents(name, parentNames);
    this.addNode({
      kind: 'processor',
      name,
      supplier: supplier as unknown as ProcessorSupplier<unknown, unknown, unknown, unknown>,
      stores: new Set(),
      parents: [...parentNames],
      children: [],
    });
    return this;
  }

  addSink<K, V>(name: string, topic: string | TopicNameExtractor<K, V>, optionsOrParent?: SinkOptions<K, V> | string, ...parentNames: string[]): this {
    const parents = typeof optionsOrParent === 'string' ? [optionsOrParent, ...parentNames] : parentNames;
    const options = typeof optionsOrParent === 'object' ? optionsOrParent : {};
    if (parents.length === 0) throw new TopologyError(`sink ${name} must have at least one parent`);
    if (typeof topic === 'string') checkTopicName(topic);
    this.checkParents(name, parents);
    this.addNode({
      kind: 'sink',
      name,
      topic: topic as string | TopicNameExtractor<unknown, unknown>,
      options: options as SinkOptions,
      parents,
      children: [],
    });
    return this;
  }

  addStateStore(builder: StoreBuilder<StateStore>, ...processorNames: string[]): this {
    if (this.stores.has(builder.name)) throw new TopologyError(`a store named ${builder.name} was already added`);
    this.stores.set(builder.name, { builder, processors: new Set() });
    for (const p of processorNames) this.connectProcessorAndStateStores(p, builder.name);
    this.computed = null;
    return this;
  }

  connectProcessorAndStateStores(processorName: string, ...storeNames: string[]): this {
    const node = this.nodes.get(processorName);
    if (node === undefined || node.kind !== 'processor') throw new TopologyError(`${processorName} is not a processor of this topology`);
    for (const s of storeNames) {
      const store = this.stores.get(s);
      if (store === undefined) throw new TopologyError(`processor ${processorName} uses store ${s}, which was not added (addStateStore)`);
      store.processors.add(processorName);
      node.stores.add(s);
    }
    this.computed = null;
    return this;
  }

  /** @internal */
  /** Marks a topic as internal: its name gets the application id as prefix, and the runtime creates it. */
  addRepartitionTopic(name: string, partitions?: number): void {
    this.internalTopics.set(name, { name, type: 'repartition', partitions });
  }

  /**
   * @internal
   * Gives the DSL's late serdes the configured defaults (`default.key.serde`, `default.value.serde`).
   * A store (or a repartition topic) left without a serde is refused here, when the application starts, rather than at its
   * first write.
   */
  resolveDefaultSerdes(configs: Readonly<Record<string, unknown>>): void {
    for (const s of this.lateSerdes) {
      const d = configs[`default.${s.late.which}.serde`] as Serde<unknown> | undefined;
      if (d !== undefined && s.late.resolved === null) s.late.resolved = d;
      if (s.late.resolved === null) {
        throw new TopologyError(
          `${s.late.where} has no ${s.late.which} serde: pass { ${s.late.which}Serde } in its options, or set default.${s.late.which}.serde`,
        );
      }
    }
  }

  describe(): TopologyDescription {
    return new TopologyDescription(this);
  }

  /** @internal */
  /** The sub-topologies that generate tasks, numbered (with the global ones) by the order of their first node. */
  subtopologies(): readonly Subtopology[] {
    return this.allSubtopologies().filter((s) => !s.global);
  }

  /** @internal */
  /** The groups of global stores. */
  globalSubtopologies(): readonly Subtopology[] {
    return this.allSubtopologies().filter((s) => s.global);
  }

  /** @internal */
  /** All groups, in id order. */
  allSubtopologies(): readonly Subtopology[] {
    if (this.computed === null) this.computed = this.computeSubtopologies();
    return this.computed;
  }

  /** @internal */
  /** Whether `name` is a global store. */
  isGlobalStore(name: string): boolean {
    return this.stores.get(name)?.global === true;
  }

  /** @internal */
  /** The sub-topology (or global group) that reads `topic`, if any. */
  subtopologyOfTopic(topic: string): Subtopology | undefined {
    const source = this.topicToSource.get(topic);
    return source === undefined ? undefined : this.allSubtopologies().find((s) => s.nodes.includes(source));
  }

  /** @internal */
  /** Whether `topic` (a short name) is one of this topology's internal topics. */
  isInternalTopic(topic: string): boolean {
    return this.internalTopics.has(topic);
  }

  private addNode(def: NodeDef): void {
    if (this.nodes.has(def.name)) throw new TopologyError(`a node named ${def.name} was already added`);
    this.nodes.set(def.name, def);
    for (const p of def.parents) (this.nodes.get(p) as NodeDef).children.push(def.name);
    this.computed = null;
  }

  private checkParents(name: string, parents: readonly string[]): void {
    for (const p of parents) {
      const parent = this.nodes.get(p);
      if (parent === undefined) throw new TopologyError(`parent ${p} of ${name} is not a node of this topology`);
      if (parent.kind === 'sink') throw new TopologyError(`sink ${p} cannot be the parent of ${name}`);
      if (parent.global === true) throw new TopologyError(`${p} belongs to a global store and cannot have children`);
      if (p === name) throw new TopologyError(`${name} cannot be its own parent`);
    }
  }

  private computeSubtopologies(): Subtopology[] {
    // Union-find over parent edges and shared stores.
    const root = new Map<string, string>();
    const find = (n: string): string => {
      let r = n;
      while (root.get(r) !== r) r = root.get(r) as string;
      root.set(n, r);
      return r;
    };
    const union = (a: string, b: string): void => {
      const ra = find(a);
      const rb = find(b);
      if (ra !== rb) root.set(rb, ra);
    };
    for (const n of this.nodes.keys()) root.set(n, n);
    for (const node of this.nodes.values()) for (const p of node.parents) union(p, node.name);
    for (const store of this.stores.values()) {
      const ps = [...store.processors];
      for (let i = 1; i < ps.length; i++) union(ps[0], ps[i]);
    }
    const groups = new Map<string, string[]>();
    for (const n of this.nodes.keys()) {
      const r = find(n);
      if (!groups.has(r)) groups.set(r, []);
      (groups.get(r) as string[]).push(n);
    }
    let id = 0;
    return [...groups.values()].map((nodes) => {
      const sourceTopics: string[] = [];
      const sinkTopics: string[] = [];
      const stores = new Set<string>();
      let global = false;
      for (const n of nodes) {
        const def = this.nodes.get(n) as NodeDef;
        if (def.kind !== 'sink' && def.global === true) global = true;
        if (def.kind === 'source') sourceTopics.push(...def.topics);
        else if (def.kind === 'sink' && typeof def.topic === 'string') sinkTopics.push(def.topic);
        else if (def.kind === 'processor') for (const s of def.stores) stores.add(s);
      }
      return { id: id++, global, nodes, sourceTopics, sinkTopics, stores: [...stores] };
    });
  }
}

/** Kafka's rule for topic names (`Topic.validate`). */
export function isLegalTopicName(topic: string): boolean {
  return topic.length > 0 && topic !== '.' && topic !== '..' && topic.length <= 249 && /^[a-zA-Z0-9._-]+$/.test(topic);
}

export function checkTopicName(topic: string): void {
  if (!isLegalTopicName(topic)) {
    throw new TopologyError(`"${topic}" is not a legal topic name: use 1–249 ASCII letters, digits, '.', '_' and '-'`);
  }
}
