/**
 * StreamTask (Kafka Streams' name): one partition of one sub-topology — its processor nodes, stores
 * and record collector — and the steps of its commit (docs/streams-internals.md, "The commit"):
 * `process` records, `prepareCommit` (drain async nodes, flush caches), then, once Kafka has the
 * output, `postCommit` (stores write their transactions); or `rollback` to the last commit.
 *
 * The TopologyTestDriver and the StreamThread drive the very same class.
 */
import type { Serde } from '../../serdes/serde.js';
import type { Logger } from '../../common/logger.js';
import { ProcessingError, StreamsError, TopologyError, recordOrigin } from '../errors.js';
import type { Cancellable, Processor, PunctuationType, Punctuator } from '../processor/processor.js';
import { type ProcessorNode, SinkNode, SourceNode, UserProcessorNode } from '../processor/internals/processor-node.js';
import type { AsyncNode } from '../processor/internals/async-node.js';
import type { NodeDef, StoreDef, Subtopology, Topology } from '../processor/topology.js';
import type { StateStore } from '../state/state-store.js';
import type { ThreadCache } from '../state/internals/thread-cache.js';
import { ProcessorStateManager } from './processor-state-manager.js';
import { PunctuationQueue } from './punctuation-queue.js';
import type { RawRecord, RecordCollector } from './record-collector.js';
import { TaskContext } from './task-context.js';

export interface StreamTaskOptions {
  /** `"<sub-topology>_<partition>"`. */
  readonly id: string;
  readonly topology: Topology;
  readonly subtopology: Subtopology;
  readonly partition: number;
  readonly applicationId: string;
  readonly appConfigs: Readonly<Record<string, unknown>>;
  readonly collector: RecordCollector;
  readonly taskDirectory: string;
  readonly cache: ThreadCache | null;
  readonly wallClock: () => number;
  /** Full name of a topic named in the topology (internal topics get the application id). */
  resolveTopic(name: string): string;
  /** The changelog topic of a store (full name), or null when it is not logged. */
  changelogTopicFor(def: StoreDef): string | null;
  onDeserializationError(raw: RawRecord, error: ProcessingError): 'CONTINUE' | 'FAIL';
  /** The instance's global stores, which every task may read. */
  globalStore?(name: string): StateStore | undefined;
  readonly logger: Logger;
}

/** A processor that does async work: the task waits on it for backpressure and commits. */
type AsyncProcessor = Processor<unknown, unknown, unknown, unknown> & Omit<AsyncNode, 'name'>;

function isAsyncProcessor(p: Processor<unknown, unknown, unknown, unknown>): p is AsyncProcessor {
  const a = p as Partial<AsyncProcessor>;
  return typeof a.drain === 'function' && typeof a.whenReady === 'function' && typeof a.cancel === 'function';
}

export interface TopicPartitionOffset {
  readonly topic: string;
  readonly partition: number;
  /** The next offset to consume. */
  readonly offset: number;
}

export class StreamTask {
  readonly id: string;
  readonly context: TaskContext;
  readonly stateManager: ProcessorStateManager;
  private readonly sources = new Map<string, SourceNode>();
  private readonly nodes: ProcessorNode[] = [];
  private readonly asyncNodes: AsyncNode[] = [];
  private readonly streamTimePunctuation = new PunctuationQueue();
  private readonly wallClockPunctuation = new PunctuationQueue();
  /** Next offset to consume per input partition, as processed (key `topic:partition`). */
  private positions = new Map<string, TopicPartitionOffset>();
  private committedPositions = new Map<string, TopicPartitionOffset>();
  private committedStreamTime = -1;
  private readonly partitionTimes = new Map<string, number>();
  private committedPartitionTimes = new Map<string, number>();
  private processedSinceCommit = 0;
  private asyncFailure: unknown = null;
  /** Async `process` calls and punctuators not yet settled (at most one record's worth). */
  private readonly pendingUserWork = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly options: StreamTaskOptions) {
    this.id = options.id;
    const ctx = new TaskContext(options.logger, options.id, options.applicationId, options.appConfigs, options.cache, options.wallClock);
    this.context = ctx;
    const { topology, subtopology } = options;
    const storeDefs = subtopology.stores.map((s) => topology.stores.get(s) as StoreDef);
    this.stateManager = new ProcessorStateManager({
      partition: options.partition,
      taskDirectory: options.taskDirectory,
      storeDefs,
      changelogTopicFor: (def) => options.changelogTopicFor(def),
      resolveTopic: (t) => options.resolveTopic(t),
      context: ctx,
      collector: options.collector,
    });
    ctx.hooks = {
      getStore: (name) => {
        const s = this.stateManager.getStore(name) ?? options.globalStore?.(name);
        if (s === undefined) throw new StreamsError(`Task ${this.id} has no store ${name}`);
        return s;
      },
      isGlobalStore: (name) => options.topology.isGlobalStore(name) && options.globalStore?.(name) !== undefined,
      logChange: (store, key, value) => this.stateManager.logChange(store, key, value),
      schedule: (node, interval, type, punctuator) => this.schedule(node, interval, type, punctuator),
      onDeserializationError: (raw, error) => options.onDeserializationError(raw, error),
      partitionTime: (topic, partition) => this.partitionTimes.get(`${topic}:${partition}`) ?? -1,
    };
    ctx.failAsync = (e) => this.failAsync(e);
    ctx.trackAsync = (p, node, doing) => this.trackAsync(p, node, doing);
    this.buildNodes();
  }

  private buildNodes(): void {
    const { topology, subtopology, appConfigs, collector } = this.options;
    const byName = new Map<string, ProcessorNode>();
    for (const name of subtopology.nodes) {
      const def = topology.nodes.get(name) as NodeDef;
      let node: ProcessorNode;
      if (def.kind === 'source') {
        const source = new SourceNode(
          name,
          this.context,
          def.options,
          serdeFor(def, 'key', def.options.keySerde, appConfigs),
          serdeFor(def, 'value', def.options.valueSerde, appConfigs),
        );
        for (const t of def.topics) this.sources.set(this.options.resolveTopic(t), source);
        node = source;
      } else if (def.kind === 'sink') {
        const topic = typeof def.topic === 'string' ? this.options.resolveTopic(def.topic) : def.topic;
        node = new SinkNode(
          name,
          this.context,
          topic,
          def.options,
          serdeFor(def, 'key', def.options.keySerde, appConfigs),
          serdeFor(def, 'value', def.options.valueSerde, appConfigs),
          collector,
        );
      } else {
        const processor = def.supplier();
        if (processor === null || typeof processor !== 'object' || typeof processor.process !== 'function') {
          throw new TopologyError(`the supplier of processor ${name} must return an object with a process(record) method`);
        }
        node = new UserProcessorNode(name, this.context, processor, def.stores);
        if (isAsyncProcessor(processor)) {
          this.asyncNodes.push({ name, whenReady: () => processor.whenReady(), drain: () => processor.drain(), cancel: () => processor.cancel() });
        }
      }
      byName.set(name, node);
      this.nodes.push(node);
    }
    for (const node of this.nodes) {
      for (const c of (topology.nodes.get(node.name) as NodeDef).children) {
        const child = byName.get(c);
        if (child !== undefined) node.addChild(child);
      }
    }
  }

  /** Creates processors' state: call once the stores are open (or opened empty). */
  initializeTopology(): void {
    for (const node of this.nodes) node.init();
  }

  /** Opens the stores; the caller restores them from their changelogs before processing. */
  openStores(): Promise<void> {
    return this.stateManager.open();
  }

  /** Opens fresh, empty stores for immediate use (the TopologyTestDriver). */
  openStoresEmpty(): void {
    this.stateManager.openEmpty();
  }

  /** The full names of the topics this task reads. */
  inputTopics(): string[] {
    return [...this.sources.keys()];
  }

  /** Takes one consumed record through the topology. Synchronous; async nodes finish later. */
  process(raw: RawRecord): void {
    this.checkOpen();
    this.throwAsyncFailure();
    const source = this.sources.get(raw.topic);
    if (source === undefined) throw new StreamsError(`Task ${this.id} does not read topic ${raw.topic}`);
    const ctx = this.context;
    ctx.topic = raw.topic;
    ctx.partition = raw.partition;
    ctx.offset = raw.offset;
    ctx.timestamp = raw.timestamp;
    ctx.headers = raw.headers;
    try {
      const record = source.deserialize(raw);
      if (record !== null) {
        if (record.timestamp < 0) {
          throw new ProcessingError(
            `The record at ${recordOrigin(raw.topic, raw.partition, raw.offset)} has the invalid timestamp ${record.timestamp}; use a timestamp extractor that gives a non-negative one`,
            { taskId: this.id, node: source.name, topic: raw.topic, partition: raw.partition, offset: raw.offset },
          );
        }
        ctx.timestamp = record.timestamp;
        const key = `${raw.topic}:${raw.partition}`;
        if (record.timestamp > (this.partitionTimes.get(key) ?? -1)) this.partitionTimes.set(key, record.timestamp);
        if (record.timestamp > ctx.streamTime) ctx.streamTime = record.timestamp;
        source.process(record);
      }
      this.positions.set(`${raw.topic}:${raw.partition}`, { topic: raw.topic, partition: raw.partition, offset: raw.offset + 1 });
      this.processedSinceCommit++;
    } finally {
      // An async processor still at work keeps the record context until it is done.
      if (this.pendingUserWork.size === 0) this.clearRecordContext();
    }
    this.maybePunctuateStreamTime();
  }

  private clearRecordContext(): void {
    const ctx = this.context;
    ctx.topic = undefined;
    ctx.partition = undefined;
    ctx.offset = undefined;
  }

  private trackAsync(p: Promise<void>, node: string, doing: string): void {
    const ctx = this.context.recordContext();
    const tracked: Promise<void> = p.then(
      () => {
        this.pendingUserWork.delete(tracked);
      },
      (e: unknown) => {
        this.pendingUserWork.delete(tracked);
        this.context.withRecordContext(ctx, () => this.failAsync(this.context.processingError(e, node, doing)));
      },
    );
    this.pendingUserWork.add(tracked);
  }

  /** Resolves when no async processor or punctuator is at work; null if none is. */
  private userWorkDone(): Promise<void> | null {
    if (this.pendingUserWork.size === 0) return null;
    return Promise.all([...this.pendingUserWork]).then(() => {
      if (this.pendingUserWork.size > 0) return this.userWorkDone() ?? undefined;
      this.clearRecordContext();
    });
  }

  /** Null when the task can take another record; otherwise resolves when its async nodes can. */
  whenReady(): Promise<void> | null {
    const user = this.userWorkDone();
    if (user !== null) return user;
    for (const n of this.asyncNodes) {
      const p = n.whenReady();
      if (p !== null) return p;
    }
    return null;
  }

  /** Fires stream-time punctuations due at the current stream time. */
  maybePunctuateStreamTime(): boolean {
    if (this.streamTimePunctuation.size === 0 || this.context.streamTime < 0) return false;
    return this.streamTimePunctuation.mayPunctuate(this.context.streamTime, (node, p, t) => this.punctuate(node, p, t));
  }

  /** Fires wall-clock punctuations due now. */
  maybePunctuateWallClockTime(): boolean {
    if (this.wallClockPunctuation.size === 0) return false;
    return this.wallClockPunctuation.mayPunctuate(this.options.wallClock(), (node, p, t) => this.punctuate(node, p, t));
  }

  private punctuate(node: string, punctuator: Punctuator, time: number): void {
    this.throwAsyncFailure();
    const ctx = this.context;
    ctx.withRecordContext({ timestamp: time, headers: {}, topic: undefined, partition: undefined, offset: undefined }, () => {
      let result: unknown;
      try {
        result = punctuator(time);
      } catch (e) {
        throw ctx.processingError(e, node, `punctuating at ${time}`);
      }
      if (result !== undefined && result !== null && typeof (result as Promise<void>).then === 'function')
        this.trackAsync(result as Promise<void>, node, 'punctuating at');
    });
    this.processedSinceCommit++;
  }

  private schedule(node: ProcessorNode, interval: number, type: PunctuationType, punctuator: Punctuator): Cancellable {
    if (type === 'STREAM_TIME') return this.streamTimePunctuation.schedule(node.name, 0, interval, punctuator);
    return this.wallClockPunctuation.schedule(node.name, this.options.wallClock() + interval, interval, punctuator);
  }

  /** Whether anything happened since the last commit. */
  get commitNeeded(): boolean {
    return this.processedSinceCommit > 0 || this.context.commitRequested;
  }

  /** Records an error from an async node's later work; the task fails with it at its next step. */
  failAsync(e: unknown): void {
    if (this.asyncFailure === null) this.asyncFailure = e;
  }

  private throwAsyncFailure(): void {
    if (this.asyncFailure !== null) throw this.asyncFailure;
  }

  /**
   * Step 1 of a commit: drains the async nodes and flushes the caches until nothing is pending, so
   * every record processed so far has all its results in the collector. Null when that happened
   * synchronously.
   */
  prepareCommit(): Promise<void> | null {
    this.checkOpen();
    for (;;) {
      this.throwAsyncFailure();
      const user = this.userWorkDone();
      if (user !== null) return user.then(() => this.prepareCommit() ?? undefined);
      for (const n of this.asyncNodes) {
        const p = n.drain();
        if (p !== null) return p.then(() => this.prepareCommit() ?? undefined);
      }
      if (!this.stateManager.flushCaches()) {
        this.throwAsyncFailure();
        return null;
      }
    }
  }

  /** The input positions to commit: next offset per partition, and the stream time to store with them. */
  committableOffsets(): { offsets: TopicPartitionOffset[]; streamTime: number } {
    return { offsets: [...this.positions.values()], streamTime: this.context.streamTime };
  }

  /** A partition's time: the largest timestamp processed from it (-1: none). Committed with its offset. */
  partitionTime(topic: string, partition: number): number {
    return this.partitionTimes.get(`${topic}:${partition}`) ?? -1;
  }

  /**
   * Step 3, after Kafka committed: the stores write their transactions with their changelog offsets
   * (`changelogNextOffsets` by topic, for this task's partition).
   */
  postCommit(changelogNextOffsets: ReadonlyMap<string, number>): void {
    this.stateManager.commit(changelogNextOffsets, (topic) => {
      const out = new Map<number, number>();
      for (const p of this.positions.values()) if (p.topic === topic) out.set(p.partition, p.offset);
      return out;
    });
    this.committedPositions = new Map(this.positions);
    this.committedStreamTime = this.context.streamTime;
    this.committedPartitionTimes = new Map(this.partitionTimes);
    this.streamTimePunctuation.commit();
    this.wallClockPunctuation.commit();
    this.processedSinceCommit = 0;
    this.context.commitRequested = false;
  }

  /**
   * Waits for async processors and punctuators at work to finish, whatever their outcome: call it
   * before `rollback()`, so nothing they forward or write afterwards leaks into the next commit.
   */
  async settle(): Promise<void> {
    while (this.pendingUserWork.size > 0) await Promise.allSettled([...this.pendingUserWork]);
  }

  /** Back to the last commit: stores drop their transactions, async work is cancelled, positions rewind. */
  rollback(): void {
    for (const n of this.asyncNodes) n.cancel();
    // Stream time first: processors told of the rollback may read it.
    this.context.streamTime = this.committedStreamTime;
    this.partitionTimes.clear();
    for (const [k, t] of this.committedPartitionTimes) this.partitionTimes.set(k, t);
    for (const n of this.nodes) if (n instanceof UserProcessorNode) n.onRollback();
    this.pendingUserWork.clear();
    this.clearRecordContext();
    this.stateManager.rollback();
    this.streamTimePunctuation.rollback();
    this.wallClockPunctuation.rollback();
    this.positions = new Map(this.committedPositions);
    this.processedSinceCommit = 0;
    this.context.commitRequested = false;
    this.asyncFailure = null;
  }

  /**
   * Sets where processing resumes (from the committed offsets read at assignment), with each
   * partition's committed time where it is known.
   */
  initializePositions(committed: readonly (TopicPartitionOffset & { readonly partitionTime?: number })[], streamTime: number): void {
    for (const p of committed) {
      const key = `${p.topic}:${p.partition}`;
      this.committedPositions.set(key, { topic: p.topic, partition: p.partition, offset: p.offset });
      if (p.partitionTime !== undefined && p.partitionTime >= 0) this.partitionTimes.set(key, p.partitionTime);
    }
    this.committedPartitionTimes = new Map(this.partitionTimes);
    this.positions = new Map(this.committedPositions);
    this.committedStreamTime = streamTime;
    this.context.streamTime = streamTime;
  }

  /** The next offset to process as of the last commit, if known. */
  committedPosition(topic: string, partition: number): number | undefined {
    return this.committedPositions.get(`${topic}:${partition}`)?.offset;
  }

  /** The next offset to process for a partition, if known. */
  position(topic: string, partition: number): number | undefined {
    return this.positions.get(`${topic}:${partition}`)?.offset;
  }

  getStore(name: string): StateStore | undefined {
    return this.stateManager.getStore(name);
  }

  /** Closes processors and stores; what was not committed is dropped. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const n of this.asyncNodes) n.cancel();
    const errors: unknown[] = [];
    for (const node of this.nodes) {
      try {
        node.close();
      } catch (e) {
        errors.push(e);
      }
    }
    try {
      await this.stateManager.close();
    } catch (e) {
      errors.push(e);
    }
    if (errors.length > 0) throw errors[0];
  }

  private checkOpen(): void {
    if (this.closed) throw new StreamsError(`Task ${this.id} is closed`);
  }
}

function serdeFor(def: NodeDef, which: 'key' | 'value', given: Serde<unknown> | undefined, configs: Readonly<Record<string, unknown>>): Serde<unknown> {
  if (given !== undefined) return given;
  // StreamsConfig fills an unset default serde in as null; the test driver leaves it undefined.
  const configured = configs[`default.${which}.serde`] as Serde<unknown> | null | undefined;
  if (configured !== undefined && configured !== null) return configured;
  const where =
    def.kind === 'source'
      ? `source ${def.name} (topics ${def.topics.join(', ')})`
      : `sink ${def.name}${def.kind === 'sink' && typeof def.topic === 'string' ? ` (topic ${def.topic})` : ''}`;
  throw new TopologyError(`no ${which} serde for ${where}: pass { ${which}Serde } to the DSL call, or set default.${which}.serde`);
}
