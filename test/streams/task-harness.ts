/**
 * Drives one `StreamTask` the way the runtime does, without a broker, for what the
 * TopologyTestDriver cannot show: commits that cover several records (the driver commits after
 * every record), rollbacks to the last commit, and a crash followed by a restart that restores the
 * stores from the changelog records committed so far.
 *
 * Output is transactional, as under exactly_once: what the task sends goes to `pending`, moves to
 * the committed topics at `commit()` and is thrown away by `rollback()` and `crash()`. The topology
 * must have one sub-topology and no repartition topics; every topic has one partition.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Logger, type Serde, type Topology, silentLogger } from '../../src/index.js';
import type { ProducerRecord, RawRecord, RecordCollector } from '../../src/streams/runtime/record-collector.js';
import { StreamTask } from '../../src/streams/runtime/stream-task.js';
import type { StoreDef } from '../../src/streams/processor/topology.js';
import { ThreadCache } from '../../src/streams/state/internals/thread-cache.js';
import { toBytesKey } from '../../src/streams/state/internals/bytes-store.js';

export interface HarnessOptions {
  applicationId?: string;
  /** `statestore.cache.max.bytes`; 0 turns caching off. Default 10 MB. */
  cacheMaxBytes?: number;
  logger?: Logger;
  /** More application properties (`default.key.serde`, …). */
  props?: Record<string, unknown>;
}

export class TaskHarness {
  task!: StreamTask;
  readonly dir = mkdtempSync(join(tmpdir(), 'skein-task-harness-'));
  wallClockMs = 0;
  /** Committed records per topic: input topics (what was piped) and everything the task wrote. */
  readonly topics = new Map<string, ProducerRecord[]>();
  /** What the task wrote since its last commit. */
  private pending: ProducerRecord[] = [];
  private readonly applicationId: string;
  private readonly props: Record<string, unknown>;
  private cache: ThreadCache | null;
  private readonly cacheBytes: number;
  private committedStreamTime = -1;
  /** Each input topic's partition time as of the last commit (what the runtime commits as offset metadata). */
  private committedPartitionTimes = new Map<string, number>();
  /** Read positions of `read()` per topic. */
  private readonly readAt = new Map<string, number>();

  private constructor(
    private readonly topology: Topology,
    private readonly options: HarnessOptions,
  ) {
    this.applicationId = options.applicationId ?? 'harness';
    this.props = { 'application.id': this.applicationId, ...options.props };
    this.cacheBytes = options.cacheMaxBytes ?? 10 * 1024 * 1024;
    this.cache = this.cacheBytes > 0 ? new ThreadCache(this.cacheBytes) : null;
    topology.resolveDefaultSerdes(this.props);
    if (topology.subtopologies().length !== 1) throw new Error('TaskHarness runs topologies of one sub-topology');
  }

  /** A harness with a fresh task on empty stores. */
  static create(topology: Topology, options: HarnessOptions = {}): TaskHarness {
    const h = new TaskHarness(topology, options);
    h.task = h.newTask();
    h.task.openStoresEmpty();
    h.task.initializeTopology();
    return h;
  }

  private newTask(): StreamTask {
    const collector: RecordCollector = { send: (r) => this.pending.push(r), partitionsFor: () => 1 };
    return new StreamTask({
      id: '0_0',
      topology: this.topology,
      subtopology: this.topology.subtopologies()[0],
      partition: 0,
      applicationId: this.applicationId,
      appConfigs: this.props,
      collector,
      taskDirectory: join(this.dir, '0_0'),
      cache: this.cache,
      wallClock: () => this.wallClockMs,
      resolveTopic: (t) => (this.topology.isInternalTopic(t) ? `${this.applicationId}-${t}` : t),
      changelogTopicFor: (def: StoreDef) => `${this.applicationId}-${def.builder.name}-changelog`,
      onDeserializationError: () => 'FAIL',
      logger: this.options.logger ?? silentLogger,
    });
  }

  private log(topic: string): ProducerRecord[] {
    let l = this.topics.get(topic);
    if (l === undefined) this.topics.set(topic, (l = []));
    return l;
  }

  /** Appends a record to an input topic (committed: it is the producer's) and returns its offset. */
  append<K, V>(topic: string, keySerde: Serde<K>, valueSerde: Serde<V>, key: K | null, value: V | null, timestamp: number): number {
    const log = this.log(topic);
    log.push({ topic, partition: 0, key: keySerde.serialize(topic, key as K), value: valueSerde.serialize(topic, value as V), timestamp, headers: {} });
    return log.length - 1;
  }

  /** Processes the input record at `offset` of `topic` (and waits for async processors). */
  async processAt(topic: string, offset: number): Promise<void> {
    const r = this.log(topic)[offset];
    const raw: RawRecord = { topic, partition: 0, offset, timestamp: r.timestamp, key: r.key, value: r.value, headers: r.headers };
    this.task.process(raw);
    const ready = this.task.whenReady();
    if (ready !== null) await ready;
  }

  /** Processes input records from the task's position up to (excluding) `end`. */
  async processUntil(topic: string, end: number): Promise<void> {
    for (let o = this.task.position(topic, 0) ?? 0; o < end; o++) await this.processAt(topic, o);
  }

  /** The task's commit: drain and flush, "Kafka" takes the output, then the stores write theirs. */
  async commit(): Promise<void> {
    const p = this.task.prepareCommit();
    if (p !== null) await p;
    for (const r of this.pending) this.log(r.topic).push(r);
    this.pending = [];
    const ends = new Map<string, number>();
    for (const [topic, log] of this.topics) ends.set(topic, log.length);
    this.task.postCommit(ends);
    this.committedStreamTime = this.task.committableOffsets().streamTime;
    for (const o of this.task.committableOffsets().offsets) this.committedPartitionTimes.set(o.topic, this.task.partitionTime(o.topic, o.partition));
  }

  /** A failed commit: the transaction is aborted and the task goes back to its last commit. */
  async rollback(): Promise<void> {
    await this.task.settle();
    this.pending = [];
    this.task.rollback();
  }

  /**
   * A crash and a restart: the task is dropped without committing, a new one opens the same
   * directory, restores its stores from the committed changelog records after their recorded
   * offsets, and resumes at the committed positions and stream time.
   */
  async crashAndRestart(options: { wipeState?: boolean } = {}): Promise<void> {
    // What the task had not committed is lost; rolling back first gives the committed positions.
    await this.task.settle();
    this.task.rollback();
    const positions = [...this.topics.keys()].flatMap((t) => {
      const o = this.task.position(t, 0);
      return o === undefined ? [] : [{ topic: t, partition: 0, offset: o, partitionTime: this.committedPartitionTimes.get(t) ?? -1 }];
    });
    this.pending = [];
    await this.task.close();
    if (options.wipeState === true) rmSync(join(this.dir, '0_0'), { recursive: true, force: true });
    this.cache = this.cacheBytes > 0 ? new ThreadCache(this.cacheBytes) : null;
    this.task = this.newTask();
    await this.task.openStores();
    // The StoreChangelogReader's job: each store replays the committed changelog after its offset.
    for (const c of this.task.stateManager.changelogPartitions()) {
      const built = this.task.stateManager.stores.get(c.store);
      if (built === undefined) continue;
      const log = this.topics.get(c.topic) ?? [];
      const from = built.bottom.committedChangelogOffset(0) ?? 0;
      const batch = log.slice(from).map((r) => [toBytesKey(r.key as Buffer), r.value === null ? null : { value: r.value, timestamp: r.timestamp }]);
      if (batch.length > 0) await built.bottom.restore(batch as never, 0, log.length);
    }
    this.task.initializePositions(positions, this.committedStreamTime);
    this.task.initializeTopology();
  }

  /** Committed records of `topic` not read before, deserialized. */
  read<K, V>(topic: string, keySerde: Serde<K>, valueSerde: Serde<V>): { key: K; value: V; timestamp: number }[] {
    const log = this.topics.get(topic) ?? [];
    const from = this.readAt.get(topic) ?? 0;
    this.readAt.set(topic, log.length);
    return log
      .slice(from)
      .map((r) => ({ key: keySerde.deserialize(topic, r.key) as K, value: valueSerde.deserialize(topic, r.value) as V, timestamp: r.timestamp }));
  }

  /** Every committed record of `topic`, deserialized. */
  all<K, V>(topic: string, keySerde: Serde<K>, valueSerde: Serde<V>): { key: K; value: V; timestamp: number }[] {
    return (this.topics.get(topic) ?? []).map((r) => ({
      key: keySerde.deserialize(topic, r.key) as K,
      value: valueSerde.deserialize(topic, r.value) as V,
      timestamp: r.timestamp,
    }));
  }

  /** What the task wrote to `topic` since its last commit (not visible to read_committed readers). */
  pendingOf(topic: string): number {
    return this.pending.filter((r) => r.topic === topic).length;
  }

  async close(): Promise<void> {
    try {
      await this.task.close();
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}
