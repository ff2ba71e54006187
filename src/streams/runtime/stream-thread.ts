/**
 * StreamThread (Kafka Streams' name): one member of the application's consumer group and the loop
 * that processes its tasks — take fetched records, process them task by task, punctuate, commit
 * every `commit.interval.ms` (docs/streams-internals.md, "kafkajs as the consumer").
 *
 * kafkajs fetches on its own; `eachBatch` only hands records to the task's PartitionGroup and pauses
 * a partition whose buffer is full, so fetching overlaps processing. On `GROUP_JOIN` the newly
 * assigned partitions are paused at once (the event comes before the next fetch) and resumed, after
 * the thread has created, restored and positioned their tasks, at the offsets the tasks chose.
 */
import { randomUUID } from 'node:crypto';
import { CompressionTypes, type Admin, type Consumer, type EachBatchPayload, type Kafka } from 'kafkajs';
import type { Logger } from '../../common/logger.js';
import { StreamsError, StreamsErrorCode, causeChain } from '../errors.js';
import type { Topology } from '../processor/topology.js';
import { ThreadCache } from '../state/internals/thread-cache.js';
import type { StateStore } from '../state/state-store.js';
import { runStoreQuery } from './store-query-runner.js';
import { StreamThreadMetrics, type ThreadMetricsSnapshot } from './stream-thread-metrics.js';
import type { StoreQuery } from './thread-protocol.js';
import type { TopicLayout } from './internal-topic-manager.js';
import type { PartitionReader, TopicPartition } from './partition-reader.js';
import type { RawRecord } from './record-collector.js';
import type { StreamsConfig } from './streams-config.js';
import { type AssignmentInfo, type HostTasks, decodeAssignmentInfo, streamsPartitionAssignor } from './streams-partition-assignor.js';
import { IdempotentProducer } from './task-producers.js';
import { type ActiveTask, TaskManager } from './task-manager.js';

/** Kafka Streams' StreamThread states. */
export type StreamThreadState = 'CREATED' | 'STARTING' | 'PARTITIONS_REVOKED' | 'PARTITIONS_ASSIGNED' | 'RUNNING' | 'PENDING_SHUTDOWN' | 'DEAD';

export interface StreamThreadOptions {
  readonly name: string;
  readonly processId: string;
  readonly topology: Topology;
  readonly config: StreamsConfig;
  readonly layout: TopicLayout;
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly reader: PartitionReader;
  readonly logger: Logger;
  globalStore(name: string): StateStore | undefined;
  readonly onStateChange?: (thread: StreamThread, state: StreamThreadState, previous: StreamThreadState) => void;
  /** A fatal error: the thread has stopped (its tasks closed dirty). */
  readonly onError: (thread: StreamThread, error: unknown) => void;
}

/** Records a task processes before the loop turns to the next task. */
const RECORDS_PER_TASK_TURN = 200;
/** Output goes to the producer once this many records are collected, or after this long. */
const SEND_BATCH_RECORDS = 2000;
const SEND_LINGER_MS = 20;
/** How often committed records are deleted from repartition topics (Kafka Streams' repartition.purge.interval.ms). */
const REPARTITION_PURGE_INTERVAL_MS = 30_000;

export class StreamThread {
  readonly name: string;
  private state: StreamThreadState = 'CREATED';
  private readonly consumer: Consumer;
  private readonly tasks: TaskManager;
  private readonly sharedProducer: IdempotentProducer | null;
  private readonly logger: Logger;
  private pendingAssignment: TopicPartition[] | null = null;
  private memberId: string | null = null;
  /** Every instance's tasks by application.server, from the last assignment (interactive queries). */
  hosts: Readonly<Record<string, HostTasks>> = {};
  /** When `hosts` was last read from an assignment (ms since the epoch; 0: never). */
  hostsUpdatedAt = 0;
  /** What metrics report of this thread. */
  readonly metrics = new StreamThreadMetrics();
  private standbyLoopDone: Promise<void> | null = null;
  private lastAssignment: TopicPartition[] | null = null;
  private revoking = false;
  private stopping = false;
  private loopDone: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private lastCommit = Date.now();
  private readonly backpressured = new Set<string>();
  private readonly bufferLimit: number;
  private readonly commitInterval: number;
  private previousTasks: string[] = [];
  /** Processed records, for metrics and tests. */
  processedRecords = 0;
  commits = 0;

  constructor(private readonly o: StreamThreadOptions) {
    this.name = o.name;
    this.logger = o.logger;
    const { config } = o;
    this.bufferLimit = config.int('buffered.records.per.partition');
    this.commitInterval = config.int('commit.interval.ms');
    const compression = config.string('compression.type') === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;
    this.consumer = o.kafka.consumer({
      groupId: config.applicationId,
      partitionAssigners: [
        streamsPartitionAssignor({
          layout: () => o.layout,
          subscriptionInfo: () => ({
            processId: o.processId,
            previousTasks: this.previousTasks,
            tasksWithState: this.tasks.tasksWithState(),
            applicationServer: config.string('application.server'),
          }),
          standbyReplicas: () => config.int('num.standby.replicas'),
        }),
      ],
      sessionTimeout: config.int('session.timeout.ms'),
      rebalanceTimeout: config.int('max.poll.interval.ms'),
      heartbeatInterval: config.int('heartbeat.interval.ms'),
      maxBytesPerPartition: config.int('max.partition.fetch.bytes'),
      maxBytes: config.int('fetch.max.bytes'),
      minBytes: config.int('fetch.min.bytes'),
      maxWaitTimeInMs: config.int('fetch.max.wait.ms'),
      // Kafka Streams reads read_committed under exactly_once only.
      readUncommitted: !config.exactlyOnce,
      allowAutoTopicCreation: false,
    });
    this.sharedProducer = config.exactlyOnce ? null : new IdempotentProducer(o.kafka, compression);
    const cacheBytes = config.int('statestore.cache.max.bytes');
    this.tasks = new TaskManager({
      topology: o.topology,
      config,
      layout: () => o.layout,
      kafka: o.kafka,
      admin: o.admin,
      reader: o.reader,
      sharedProducer: this.sharedProducer,
      cache: cacheBytes > 0 ? new ThreadCache(cacheBytes) : null,
      logger: o.logger,
      compression,
      wallClock: () => Date.now(),
      globalStore: (name) => o.globalStore(name),
      restoreListener: this.metrics.restoreListener,
      consumer: {
        pause: (tps) => this.pause(tps),
        resume: (tps) => this.resume(tps),
        seek: (tp, offset) => this.consumer.seek({ topic: tp.topic, partition: tp.partition, offset: String(offset) }),
        commitOffsets: (offsets) =>
          this.consumer.commitOffsets(offsets.map((x) => ({ topic: x.topic, partition: x.partition, offset: String(x.offset), metadata: x.metadata }))),
      },
    });
  }

  threadState(): StreamThreadState {
    return this.state;
  }

  /** The thread's tasks (for queries and tests). */
  activeTasks(): ActiveTask[] {
    return [...this.tasks.tasks.values()];
  }

  /** Tasks this thread keeps standby copies of. */
  standbyTaskIds(): string[] {
    return [...this.tasks.standbys.keys()];
  }

  /**
   * A read of the store `q.store` in this thread's running tasks (interactive queries,
   * store-query-runner.ts): a key is in one task's store, so a point read answers from the first
   * that has it; scans concatenate the tasks'.
   */
  async queryStore(q: StoreQuery): Promise<unknown> {
    const stores = this.tasks
      .running()
      .map((at) => at.task.getStore(q.store))
      .filter((s): s is StateStore => s !== undefined);
    return runStoreQuery(stores, q);
  }

  /** The thread's numbers for metrics, now. */
  metricsSnapshot(): ThreadMetricsSnapshot {
    return this.metrics.snapshot(this.activeTasks(), this.standbyTaskIds());
  }

  private setState(next: StreamThreadState): void {
    const prev = this.state;
    if (prev === next || prev === 'DEAD') return;
    // Once shutting down, a rebalance the group goes through meanwhile is not this thread's any more.
    if (prev === 'PENDING_SHUTDOWN' && next !== 'DEAD') return;
    this.state = next;
    this.logger.info(`Stream thread ${this.name}: ${prev} -> ${next}`);
    this.o.onStateChange?.(this, next, prev);
  }

  async start(): Promise<void> {
    this.setState('STARTING');
    const { consumer } = this;
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      this.memberId = e.payload.memberId;
      const assignment = e.payload.memberAssignment as Record<string, number[]>;
      const tps: TopicPartition[] = [];
      for (const [topic, partitions] of Object.entries(assignment)) for (const partition of partitions) tps.push({ topic, partition });
      // Nothing may be fetched for the new assignment until its tasks have chosen their offsets.
      this.pause(tps);
      this.pendingAssignment = tps;
      this.setState('PARTITIONS_ASSIGNED');
      this.wake();
    });
    consumer.on(consumer.events.REBALANCING, () => {
      this.revoking = true;
      this.setState('PARTITIONS_REVOKED');
      this.wake();
    });
    consumer.on(consumer.events.START_BATCH_PROCESS, (e) => {
      const b = e.payload;
      this.metrics.recordFetch(b.topic, b.partition, Number(b.highWatermark), Number(b.lastOffset));
    });
    consumer.on(consumer.events.CRASH, (e) => {
      const error = e.payload.error;
      if (!e.payload.restart && !this.stopping) this.fail(new StreamsError(`The consumer of ${this.name} crashed: ${error.message}`, { cause: error }));
    });
    await this.sharedProducer?.connect();
    await consumer.connect();
    const topics = [...new Set([...this.o.layout.sourceTopicsPerSubtopology.values()].flat())];
    await consumer.subscribe({ topics, fromBeginning: this.o.config.string('auto.offset.reset') === 'earliest' });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      partitionsConsumedConcurrently: 1,
      eachBatch: async (payload) => this.onBatch(payload),
    });
    this.loopDone = this.loop();
  }

  private onBatch({ batch, isStale }: EachBatchPayload): void {
    if (isStale()) return;
    const at = this.tasks.taskForPartition(batch.topic, batch.partition);
    if (at === undefined || at.state !== 'running') return;
    const records: RawRecord[] = new Array(batch.messages.length);
    for (let i = 0; i < batch.messages.length; i++) {
      const m = batch.messages[i];
      records[i] = {
        topic: batch.topic,
        partition: batch.partition,
        offset: Number(m.offset),
        timestamp: Number(m.timestamp),
        key: m.key ?? null,
        value: m.value ?? null,
        headers: (m.headers ?? {}) as RawRecord['headers'],
      };
    }
    at.group.add(batch.topic, batch.partition, records);
    at.group.advanceFetchPosition(batch.topic, batch.partition, Number(batch.lastOffset()) + 1);
    if (at.group.size(batch.topic, batch.partition) >= this.bufferLimit) {
      this.backpressured.add(`${batch.topic}:${batch.partition}`);
      this.consumer.pause([{ topic: batch.topic, partitions: [batch.partition] }]);
    }
    this.wake();
  }

  private pause(tps: readonly TopicPartition[]): void {
    for (const [topic, partitions] of byTopic(tps)) this.consumer.pause([{ topic, partitions }]);
  }

  private resume(tps: readonly TopicPartition[]): void {
    for (const [topic, partitions] of byTopic(tps)) this.consumer.resume([{ topic, partitions }]);
  }

  private wake(): void {
    const w = this.wakeUp;
    this.wakeUp = null;
    w?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wakeUp = null;
        resolve();
      }, ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      try {
        if (this.revoking) {
          this.revoking = false;
          // Commit what is done before the group moves tasks; a task that moved is fenced anyway.
          await this.commit();
        }
        const assignment = this.pendingAssignment;
        if (assignment !== null) {
          this.pendingAssignment = null;
          this.lastAssignment = assignment;
          // Release what this thread no longer owns before opening anything new: sibling threads
          // wait for those stores' locks (revoked tasks, standbys of tasks now active elsewhere).
          await this.tasks.closeRevoked(assignment);
          const info = await this.readAssignmentInfo();
          if (info !== null) await this.tasks.releaseStandbys(info.standbyTasks);
          await this.tasks.handleAssignment(assignment);
          this.previousTasks = [...this.tasks.tasks.keys()];
          if (info !== null) await this.applyAssignmentInfo(info);
          if (this.pendingAssignment === null) this.setState('RUNNING');
        }
        const processed = await this.processRound();
        for (const at of this.tasks.running()) {
          at.task.maybePunctuateWallClockTime();
          this.tasks.maybeSend(at, SEND_LINGER_MS, SEND_BATCH_RECORDS);
        }
        if (this.commitDue()) await this.commit();
        this.resumeDrained();
        if (processed === 0 && this.pendingAssignment === null && !this.revoking) {
          await this.sleep(Math.max(1, Math.min(this.o.config.int('poll.ms'), this.commitInterval - (Date.now() - this.lastCommit))));
        } else if (processed > 0) {
          // Let kafkajs read sockets between rounds.
          await new Promise((r) => setImmediate(r));
        }
        this.retriableSince = null;
      } catch (e) {
        if (await this.recoverOrFail(e)) continue;
        return;
      }
    }
  }

  /**
   * `recover(e)`, or `fail(e)` when it cannot. Recovering does network work itself (a task's producer
   * and restoration start again): if that throws, the new error is recovered from or fatal in turn —
   * never an unhandled rejection of the loop.
   */
  private async recoverOrFail(e: unknown): Promise<boolean> {
    let error = e;
    for (;;) {
      try {
        if (await this.recover(error)) return true;
        this.fail(error);
        return false;
      } catch (again) {
        error = again;
      }
    }
  }

  private retriableSince: number | null = null;

  /**
   * A failure of the clients (a broker restarting, a request timing out) is retried — tasks roll back
   * to their last commit and the loop goes on — until it has lasted `task.timeout.ms`. A failure of
   * the topology (user code, a serde, a store) is fatal.
   */
  private async recover(e: unknown): Promise<boolean> {
    if (!isClientError(e) || this.stopping) return false;
    const now = Date.now();
    this.retriableSince ??= now;
    if (now - this.retriableSince > this.o.config.int('task.timeout.ms')) return false;
    this.logger.warn(`Stream thread ${this.name}: ${(e as Error).message}; rolling back and retrying`);
    for (const at of [...this.tasks.tasks.values()]) {
      if (at.state === 'running') await this.tasks.rollback(at);
      else if (at.state === 'restoring') await this.tasks.closeTask(at, false);
    }
    // An assignment that could not be completed is tried again.
    if (this.pendingAssignment === null && this.lastAssignment !== null) {
      const missing = this.lastAssignment.some((tp) => this.tasks.taskForPartition(tp.topic, tp.partition) === undefined);
      if (missing) this.pendingAssignment = this.lastAssignment;
    }
    await this.sleep(1000);
    return true;
  }

  /**
   * Reads this member's assignment user data back from the group (kafkajs does not pass it on):
   * its standby tasks and where every task runs. If the group has moved on meanwhile, the next
   * assignment brings the right ones.
   */
  private async readAssignmentInfo(): Promise<AssignmentInfo | null> {
    if (this.memberId === null) return null;
    try {
      const { groups } = await this.o.admin.describeGroups([this.o.config.applicationId]);
      const me = groups[0]?.members.find((m) => m.memberId === this.memberId);
      return me === undefined ? null : decodeAssignmentInfo(me.memberAssignment);
    } catch (e) {
      this.logger.warn(`Could not read this member's assignment back from the group: ${(e as Error).message}`);
      return null;
    }
  }

  /** Applies the assignment's user data: where every task runs, and this member's standby tasks. */
  private async applyAssignmentInfo(info: AssignmentInfo): Promise<void> {
    this.hosts = info.hosts;
    this.hostsUpdatedAt = Date.now();
    await this.tasks.handleStandbys(info.standbyTasks);
    if (info.standbyTasks.length > 0 && this.standbyLoopDone === null) this.standbyLoopDone = this.standbyLoop();
  }

  /** Keeps the standby tasks' stores up to date, beside the processing loop. */
  private async standbyLoop(): Promise<void> {
    while (!this.stopping) {
      try {
        if (this.tasks.standbys.size === 0) {
          await new Promise((r) => setTimeout(r, 200));
          continue;
        }
        await this.tasks.maintainStandbys(200, (id, n) => this.metrics.recordStandbyUpdate(id, n));
      } catch (e) {
        if (this.stopping) return;
        this.logger.warn(`Updating standby tasks: ${(e as Error).message}; retrying`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  /** Processes up to RECORDS_PER_TASK_TURN records of each running task; returns how many. */
  private async processRound(): Promise<number> {
    let n = 0;
    for (const at of this.tasks.running()) {
      const ready = at.task.whenReady();
      if (ready !== null) {
        await ready;
        if (at.state !== 'running') continue;
      }
      for (let i = 0; i < RECORDS_PER_TASK_TURN; i++) {
        const r = at.group.nextRecord();
        if (r === null) break;
        at.task.process(r);
        n++;
        if (at.task.whenReady() !== null) break;
      }
    }
    this.processedRecords += n;
    this.metrics.recordProcessed(n);
    return n;
  }

  private commitDue(): boolean {
    if (Date.now() - this.lastCommit >= this.commitInterval) return true;
    for (const at of this.tasks.running()) {
      if (at.task.context.commitRequested || at.collector.bufferedBytes > 16 * 1024 * 1024 || at.task.stateManager.uncommittedWrites() > 100_000) return true;
    }
    return false;
  }

  private async commit(): Promise<void> {
    this.lastCommit = Date.now();
    const n = await this.tasks.commitAll();
    if (n > 0) {
      this.commits++;
      this.metrics.recordCommit(Date.now() - this.lastCommit);
    }
    await this.tasks.maybePurgeRepartitionTopics(REPARTITION_PURGE_INTERVAL_MS);
  }

  /** Resumes fetching for partitions paused because their buffer was full, once it is half empty. */
  private resumeDrained(): void {
    for (const k of this.backpressured) {
      const i = k.lastIndexOf(':');
      const topic = k.slice(0, i);
      const partition = Number(k.slice(i + 1));
      const at = this.tasks.taskForPartition(topic, partition);
      if (at === undefined || at.state !== 'running') {
        this.backpressured.delete(k);
        continue;
      }
      if (at.group.size(topic, partition) < this.bufferLimit / 2) {
        this.backpressured.delete(k);
        this.consumer.resume([{ topic, partitions: [partition] }]);
      }
    }
  }

  private fail(e: unknown): void {
    if (this.state === 'DEAD' || this.stopping) return;
    this.logger.error(`Stream thread ${this.name} failed: ${(e as Error).message ?? String(e)}`);
    this.stopping = true;
    void this.shutdown(false).finally(() => this.o.onError(this, e));
  }

  /** Stops the thread: commits its tasks if `clean`, leaves the group, closes everything. */
  async stop(clean = true): Promise<void> {
    if (this.stopping) {
      await this.loopDone;
      return;
    }
    this.stopping = true;
    this.wake();
    await this.loopDone;
    await this.standbyLoopDone;
    await this.shutdown(clean);
  }

  private shutdownDone: Promise<void> | null = null;

  private shutdown(clean: boolean): Promise<void> {
    if (this.shutdownDone === null) {
      this.shutdownDone = (async () => {
        this.setState('PENDING_SHUTDOWN');
        await this.tasks.closeAll(clean).catch((e: unknown) => this.logger.warn(`Closing tasks of ${this.name}: ${(e as Error).message}`));
        await this.consumer.disconnect().catch(() => undefined);
        await this.sharedProducer?.close().catch(() => undefined);
        this.setState('DEAD');
      })();
    }
    return this.shutdownDone;
  }
}

function byTopic(tps: readonly TopicPartition[]): Map<string, number[]> {
  const m = new Map<string, number[]>();
  for (const tp of tps) {
    if (!m.has(tp.topic)) m.set(tp.topic, []);
    (m.get(tp.topic) as number[]).push(tp.partition);
  }
  return m;
}

export function newProcessId(): string {
  return randomUUID();
}

/** Errors of the Kafka clients (kafkajs), which a retry may cure — as opposed to errors of the topology. */
export function isClientError(e: unknown): boolean {
  for (const err of causeChain(e)) {
    // A record that failed (user code, a serde, a record the broker refused) fails again on a retry.
    if (err.code === StreamsErrorCode.PROCESSING) return false;
    if (typeof err.name === 'string' && err.name.startsWith('KafkaJS')) return true;
    if (err.name === 'StreamsError' && /Fetching .* failed with error code/.test(String(err.message))) return true;
  }
  return false;
}
