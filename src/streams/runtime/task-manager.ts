/**
 * TaskManager (Kafka Streams' name): a thread's tasks — creating them when they are assigned
 * (producer fenced in, stores opened and restored, positions read), committing them
 * (docs/streams-internals.md, "The commit"), rolling them back, and closing them.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Admin, CompressionTypes, Kafka } from 'kafkajs';
import type { Logger } from '../../common/logger.js';
import { ProcessingError, StreamsError, TaskMigratedError, causeChain } from '../errors.js';
import type { StoreDef, Subtopology, Topology } from '../processor/topology.js';
import type { ThreadCache } from '../state/internals/thread-cache.js';
import type { StateStore } from '../state/state-store.js';
import type { BuiltStore } from '../state/store-builder.js';
import { deserializationErrorDecider } from './exception-handlers.js';
import { changelogTopicName, resolveTopicName, type TopicLayout } from './internal-topic-manager.js';
import { PartitionGroup } from './partition-group.js';
import type { PartitionReader, TopicPartition } from './partition-reader.js';
import { RecordCollectorImpl } from './record-collector-impl.js';
import type { ProducerRecord } from './record-collector.js';
import { type RestoreListener, StoreChangelogReader, type RestoreResult } from './store-changelog-reader.js';
import type { ChangelogPartition } from './processor-state-manager.js';
import { toBytesKey } from '../state/internals/bytes-store.js';
import { StreamTask } from './stream-task.js';
import type { StreamsConfig } from './streams-config.js';
import { parseTaskId, partitionsOfTask } from './streams-partition-assignor.js';
import { type IdempotentProducer, type NextOffsets, type OffsetToCommit, TransactionalProducer, isFenced, isRecordRefused } from './task-producers.js';

/** What the task manager needs of the thread's consumer. */
export interface ConsumerControl {
  pause(tps: readonly TopicPartition[]): void;
  resume(tps: readonly TopicPartition[]): void;
  seek(tp: TopicPartition, offset: number): void;
  commitOffsets(offsets: readonly OffsetToCommit[]): Promise<void>;
}

export type TaskState = 'restoring' | 'running' | 'closed';

export interface ActiveTask {
  readonly id: string;
  readonly task: StreamTask;
  readonly collector: RecordCollectorImpl;
  readonly group: PartitionGroup;
  /** Replaced when the task is reinitialized after a failed commit. */
  producer: TransactionalProducer | null;
  readonly inputs: readonly TopicPartition[];
  state: TaskState;
  restore: RestoreResult[];
  /**
   * Sends started before the commit (records go out while the task keeps processing), one after the
   * other: kafkajs may reorder concurrent sends of a transactional producer (each first adds its
   * partitions to the transaction), and a task's records must land in the order it produced them.
   */
  sends: Promise<void>;
  /** The first failure of a send since the last commit. */
  sendError: unknown;
  /** Next offsets of records already sent in this commit interval (at_least_once). */
  written: NextOffsets;
  lastSend: number;
}

export interface TaskManagerOptions {
  readonly topology: Topology;
  readonly config: StreamsConfig;
  layout(): TopicLayout;
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly reader: PartitionReader;
  readonly consumer: ConsumerControl;
  /** The thread's producer under at_least_once; null under exactly_once. */
  readonly sharedProducer: IdempotentProducer | null;
  readonly cache: ThreadCache | null;
  readonly logger: Logger;
  readonly compression: CompressionTypes;
  readonly wallClock: () => number;
  /** The instance's global stores. */
  globalStore(name: string): StateStore | undefined;
  /** Told of the tasks' restoration progress (metrics). */
  readonly restoreListener?: RestoreListener;
}

/**
 * The offset metadata Skein commits with each offset: the partition's time, its largest timestamp
 * processed (as Kafka Streams does). The task's stream time is the largest of its partitions'.
 */
export function encodeOffsetMetadata(partitionTime: number): string {
  return `skein:1:${partitionTime}`;
}

export function decodeOffsetMetadata(metadata: string | null | undefined): number {
  const m = /^skein:1:(-?\d+)$/.exec(metadata ?? '');
  return m === null ? -1 : Number(m[1]);
}

/**
 * Whether opening a store failed because another thread of this process holds its LevelDB lock. The
 * lock error is two causes down: StateStoreError → LEVEL_DATABASE_NOT_OPEN → LEVEL_LOCKED.
 */
export function isStoreLocked(e: unknown): boolean {
  for (const err of causeChain(e)) if (err.code === 'LEVEL_LOCKED' || /\block\b/i.test(String(err.message))) return true;
  return false;
}

/**
 * A standby task (Kafka Streams' `StandbyTask`): a copy of an active task's stores in another
 * process, kept up to date from their changelogs. Its stores record their changelog offsets like any
 * store, so when the task fails over here its restoration replays only what the standby had not read.
 */
export interface StandbyTask {
  readonly id: string;
  readonly task: StreamTask;
  readonly changelogs: readonly ChangelogPartition[];
  /** Next changelog offset to read, by `topic:partition`. */
  readonly positions: Map<string, number>;
  closed: boolean;
}

export class TaskManager {
  readonly tasks = new Map<string, ActiveTask>();
  readonly standbys = new Map<string, StandbyTask>();
  private readonly byPartition = new Map<string, ActiveTask>();
  private readonly appId: string;
  private readonly stateRoot: string;

  constructor(private readonly o: TaskManagerOptions) {
    this.appId = o.config.applicationId;
    this.stateRoot = join(o.config.string('state.dir'), this.appId);
  }

  taskForPartition(topic: string, partition: number): ActiveTask | undefined {
    return this.byPartition.get(`${topic}:${partition}`);
  }

  running(): ActiveTask[] {
    return [...this.tasks.values()].filter((t) => t.state === 'running');
  }

  /** Task ids with a state directory under this application's state dir (for sticky assignment). */
  tasksWithState(): string[] {
    if (!existsSync(this.stateRoot)) return [];
    return readdirSync(this.stateRoot).filter((d) => /^\d+_\d+$/.test(d));
  }

  /**
   * Makes the running tasks those of `assigned` partitions: closes the others (committing them if it
   * can) and creates, restores and starts the new ones.
   */
  async handleAssignment(assigned: readonly TopicPartition[]): Promise<void> {
    const wanted = this.tasksOf(assigned);
    await this.closeRevoked(assigned);
    // Tasks kept: the consumer rejoined and forgot its positions; continue where their buffers end.
    for (const at of this.running()) {
      for (const tp of at.inputs) this.o.consumer.seek(tp, at.group.fetchPosition(tp.topic, tp.partition) ?? 0);
      this.o.consumer.resume(at.inputs);
    }
    for (const id of wanted) {
      // A standby of a task that becomes active here gives its stores (and their offsets) to it.
      const sb = this.standbys.get(id);
      if (sb !== undefined) await this.closeStandby(sb);
      if (!this.tasks.has(id)) this.createTask(id);
    }
    for (const id of wanted) {
      const at = this.tasks.get(id) as ActiveTask;
      if (at.state === 'restoring') await this.initializeTask(at);
    }
  }

  /** Task ids of assigned partitions. */
  private tasksOf(assigned: readonly TopicPartition[]): Set<string> {
    const layout = this.o.layout();
    const ids = new Set<string>();
    for (const tp of assigned) {
      const sub = [...layout.sourceTopicsPerSubtopology].find(([, topics]) => topics.includes(tp.topic));
      if (sub !== undefined) ids.add(`${sub[0]}_${tp.partition}`);
    }
    return ids;
  }

  /**
   * Closes (committing) the tasks not in the new assignment. Done first, before the thread opens
   * anything: a sibling thread that now owns one of them waits for its stores' locks.
   */
  async closeRevoked(assigned: readonly TopicPartition[]): Promise<void> {
    const wanted = this.tasksOf(assigned);
    for (const id of [...this.tasks.keys()].filter((x) => !wanted.has(x))) await this.closeTask(this.tasks.get(id) as ActiveTask, true);
  }

  /**
   * Closes the standby tasks not in `keep`. Done before the new active tasks open their stores: a
   * standby here of a task that became active in a sibling thread holds the stores that thread
   * waits for, and that thread may hold a standby of a task that became active here — each would
   * wait for the other until openStores gave up.
   */
  async releaseStandbys(keep: readonly string[]): Promise<void> {
    for (const [id, sb] of this.standbys) if (!keep.includes(id)) await this.closeStandby(sb);
  }

  /** The standby tasks this member should keep (read back from the group's assignment); closes the others. */
  async handleStandbys(ids: readonly string[]): Promise<void> {
    const wanted = new Set(ids.filter((id) => !this.tasks.has(id)));
    for (const [id, sb] of this.standbys) if (!wanted.has(id)) await this.closeStandby(sb);
    for (const id of wanted) {
      if (this.standbys.has(id)) continue;
      const at = this.createTask(id, true);
      const sb: StandbyTask = { id, task: at.task, changelogs: at.task.stateManager.changelogPartitions(), positions: new Map(), closed: false };
      this.standbys.set(id, sb);
      try {
        await this.openStores(at);
        const begins = await this.o.reader.beginningOffsets(sb.changelogs);
        for (const c of sb.changelogs) {
          const bottom = (at.task.stateManager.stores.get(c.store) as BuiltStore<StateStore>).bottom;
          const k = `${c.topic}:${c.partition}`;
          sb.positions.set(k, Math.max(bottom.committedChangelogOffset(c.partition) ?? 0, begins.get(k) ?? 0));
        }
        this.o.logger.info(
          `Standby task ${id}: keeping ${sb.changelogs.map((c) => c.store).join(', ') || 'no stores'} up to date from ${[...sb.positions].map(([k, o]) => `${k}@${o}`).join(', ')}`,
        );
      } catch (e) {
        await this.closeStandby(sb);
        throw e;
      }
    }
  }

  /**
   * Reads the standby tasks' changelogs once (waiting up to `maxWaitMs` for new records) and writes
   * what it read to their stores, each batch with its new changelog offset. Returns the records applied.
   */
  async maintainStandbys(maxWaitMs: number, onApplied?: (taskId: string, records: number) => void): Promise<number> {
    const live = [...this.standbys.values()].filter((sb) => !sb.closed);
    const positions = live.flatMap((sb) =>
      sb.changelogs.map((c) => ({ topic: c.topic, partition: c.partition, offset: sb.positions.get(`${c.topic}:${c.partition}`) ?? 0 })),
    );
    if (positions.length === 0) return 0;
    const fetched = await this.o.reader.fetch(positions, { maxWaitMs });
    let applied = 0;
    for (const f of fetched) {
      const k = `${f.topic}:${f.partition}`;
      for (const sb of live) {
        const c = sb.changelogs.find((x) => x.topic === f.topic && x.partition === f.partition);
        if (c === undefined || sb.closed || f.nextOffset <= (sb.positions.get(k) ?? 0)) continue;
        const bottom = (sb.task.stateManager.stores.get(c.store) as BuiltStore<StateStore>).bottom;
        const records = f.records
          .filter((r) => r.key !== null)
          .map(
            (r) =>
              [toBytesKey(r.key as Buffer), r.value === null ? null : { value: r.value, timestamp: r.timestamp }] as [
                string,
                { value: Buffer; timestamp: number } | null,
              ],
          );
        await bottom.restore(records, f.partition, f.nextOffset);
        sb.positions.set(k, f.nextOffset);
        applied += records.length;
        onApplied?.(sb.id, records.length);
      }
    }
    return applied;
  }

  private async closeStandby(sb: StandbyTask): Promise<void> {
    sb.closed = true;
    this.standbys.delete(sb.id);
    await sb.task.close().catch((e: unknown) => this.o.logger.warn(`Closing standby task ${sb.id}: ${(e as Error).message}`));
    this.o.logger.info(`Standby task ${sb.id} closed`);
  }

  private createTask(id: string, standby = false): ActiveTask {
    const { topology, config } = this.o;
    const layout = this.o.layout();
    const { subtopology, partition } = parseTaskId(id);
    const sub = topology.subtopologies().find((s) => s.id === subtopology) as Subtopology;
    const collector = new RecordCollectorImpl((t) => layout.partitionCounts.get(t));
    const producer =
      config.exactlyOnce && !standby
        ? new TransactionalProducer(this.o.kafka, `${this.appId}-${id}`, config.int('transaction.timeout.ms'), this.o.compression)
        : null;
    const dlq = config.values['errors.deadletterqueue.topic.name'] as string | null;
    const decide = deserializationErrorDecider(config.values['default.deserialization.exception.handler'], dlq, this.o.logger, (r) => collector.send(r));
    const task = new StreamTask({
      id,
      topology,
      subtopology: sub,
      partition,
      applicationId: this.appId,
      appConfigs: config.values,
      collector,
      taskDirectory: join(this.stateRoot, id),
      cache: this.o.cache,
      wallClock: this.o.wallClock,
      resolveTopic: (t) => resolveTopicName(topology, this.appId, t),
      changelogTopicFor: (def: StoreDef) => (def.sourceTopicChangelog !== undefined ? null : changelogTopicName(this.appId, def.builder.name)),
      onDeserializationError: (raw, error) => decide(raw, error),
      globalStore: (name) => this.o.globalStore(name),
      logger: this.o.logger,
    });
    const inputs = partitionsOfTask(layout, id);
    if (standby)
      return {
        id,
        task,
        collector,
        group: new PartitionGroup(),
        producer: null,
        inputs: [],
        state: 'restoring',
        restore: [],
        sends: Promise.resolve(),
        sendError: null,
        written: new Map(),
        lastSend: 0,
      };
    const at: ActiveTask = {
      id,
      task,
      collector,
      group: new PartitionGroup(),
      producer,
      inputs,
      state: 'restoring',
      restore: [],
      sends: Promise.resolve(),
      sendError: null,
      written: new Map(),
      lastSend: Date.now(),
    };
    this.tasks.set(id, at);
    for (const tp of inputs) this.byPartition.set(`${tp.topic}:${tp.partition}`, at);
    return at;
  }

  /**
   * Fences the previous owner (exactly_once: initialising the transactional id completes its open
   * transaction), restores the stores, reads the committed offsets, and starts the task there.
   */
  private async initializeTask(at: ActiveTask): Promise<void> {
    await this.openStores(at);
    await this.startTask(at, true);
  }

  /**
   * Brings an opened task to its committed state and starts it: fences the previous owner (and
   * completes any transaction left open with this id), restores the stores from their recorded
   * changelog offsets, reads the group's committed offsets and seeks there.
   */
  private async startTask(at: ActiveTask, first: boolean): Promise<void> {
    const started = Date.now();
    await at.producer?.init();
    const changelogs = at.task.stateManager.changelogPartitions();
    const restorer = new StoreChangelogReader(
      this.o.reader,
      this.o.logger,
      this.o.config.int('restore.batch.records'),
      () => at.state === 'restoring',
      this.o.restoreListener ?? null,
    );
    at.restore = await restorer.restore(
      at.id,
      changelogs.map((c) => ({ changelog: c, store: (at.task.stateManager.stores.get(c.store) as BuiltStore<StateStore>).bottom })),
    );
    if (at.state !== 'restoring') return;
    const committed = await this.committedOffsets(at.inputs);
    let streamTime = -1;
    const positions = at.inputs.map((tp) => {
      const c = committed.get(`${tp.topic}:${tp.partition}`) as { offset: number; partitionTime: number };
      streamTime = Math.max(streamTime, c.partitionTime);
      return { ...tp, offset: c.offset, partitionTime: c.partitionTime };
    });
    at.task.initializePositions(positions, streamTime);
    if (first) at.task.initializeTopology();
    for (const p of positions) {
      if (at.group.hasPartition(p.topic, p.partition)) at.group.reset(p.topic, p.partition, p.offset);
      else at.group.addPartition(p.topic, p.partition, p.offset);
      this.o.consumer.seek(p, p.offset);
    }
    at.state = 'running';
    this.o.consumer.resume(at.inputs);
    const restored = at.restore.reduce((n, r) => n + r.restored, 0);
    this.o.logger.info(
      `Task ${at.id} is running from ${positions.map((p) => `${p.topic}-${p.partition}@${p.offset}`).join(', ')} (${restored} changelog records restored, ${Date.now() - started} ms)`,
    );
  }

  /**
   * Opens the task's stores. Another thread of this process may still hold them (the task just
   * moved here and LevelDB's lock is not released yet): retry for a while before giving up.
   */
  private async openStores(at: ActiveTask): Promise<void> {
    const deadline = Date.now() + 60_000;
    for (let wait = 50; ; wait = Math.min(wait * 2, 1000)) {
      try {
        await at.task.openStores();
        return;
      } catch (e) {
        if (!isStoreLocked(e) || Date.now() > deadline || at.state !== 'restoring') throw e;
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  /** Committed offsets of the group, or the reset policy's offset where there is none. */
  private async committedOffsets(tps: readonly TopicPartition[]): Promise<Map<string, { offset: number; partitionTime: number }>> {
    const out = new Map<string, { offset: number; partitionTime: number }>();
    const topics = [...new Set(tps.map((t) => t.topic))];
    const fetched = await this.o.admin.fetchOffsets({ groupId: this.appId, topics });
    const missing: TopicPartition[] = [];
    for (const t of fetched) {
      for (const p of t.partitions) {
        if (!tps.some((x) => x.topic === t.topic && x.partition === p.partition)) continue;
        const offset = Number(p.offset);
        if (offset >= 0) out.set(`${t.topic}:${p.partition}`, { offset, partitionTime: decodeOffsetMetadata(p.metadata) });
        else missing.push({ topic: t.topic, partition: p.partition });
      }
    }
    for (const tp of tps)
      if (!out.has(`${tp.topic}:${tp.partition}`) && !missing.some((m) => m.topic === tp.topic && m.partition === tp.partition)) missing.push(tp);
    // A committed offset outside the log (the topic was deleted and created again, or retention
    // removed what it points at) is reset by the policy, as a consumer's OFFSET_OUT_OF_RANGE would be.
    for (const topic of topics) {
      const bounds = await this.o.admin.fetchTopicOffsets(topic);
      for (const b of bounds) {
        const k = `${topic}:${b.partition}`;
        const c = out.get(k);
        if (c === undefined) continue;
        if (c.offset > Number(b.high) || c.offset < Number(b.low)) {
          this.o.logger.warn(
            `The committed offset ${c.offset} of ${topic}-${b.partition} is outside its log [${b.low}, ${b.high}]; resetting it (auto.offset.reset = ${this.o.config.string('auto.offset.reset')})`,
          );
          out.delete(k);
          missing.push({ topic, partition: b.partition });
        }
      }
    }
    if (missing.length > 0) {
      const latest = this.o.config.string('auto.offset.reset') === 'latest';
      const resets = latest ? await this.o.reader.endOffsets(missing) : await this.o.reader.beginningOffsets(missing);
      for (const tp of missing) out.set(`${tp.topic}:${tp.partition}`, { offset: resets.get(`${tp.topic}:${tp.partition}`) ?? 0, partitionTime: -1 });
    }
    return out;
  }

  /**
   * Commits every running task with new work. exactly_once: each task's transaction (records,
   * offsets, commit) — tasks in parallel. at_least_once: all records through the shared producer,
   * then the offsets through the consumer. Then each store writes its transaction. A task whose
   * commit fails is rolled back (or, fenced, closed); returns the number of tasks committed.
   */
  async commitAll(): Promise<number> {
    const due = this.running().filter((t) => t.task.commitNeeded || t.collector.bufferedRecords > 0);
    if (due.length === 0) return 0;
    for (const at of due) {
      const p = at.task.prepareCommit();
      if (p !== null) await p;
    }
    if (this.o.config.exactlyOnce) {
      const results = await Promise.allSettled(due.map((at) => this.commitExactlyOnce(at)));
      let committed = 0;
      for (let i = 0; i < due.length; i++) {
        const r = results[i];
        if (r.status === 'fulfilled') committed++;
        else await this.onCommitFailure(due[i], r.reason);
      }
      return committed;
    }
    return this.commitAtLeastOnce(due);
  }

  /**
   * Starts sending what a task has collected, without waiting, when there is enough of it or it has
   * waited `lingerMs` — so output flows while the task processes, and the commit only waits for the
   * last sends. A failed send fails the task's next commit.
   */
  maybeSend(at: ActiveTask, lingerMs: number, batchRecords: number): void {
    const n = at.collector.bufferedRecords;
    if (n === 0 || (n < batchRecords && Date.now() - at.lastSend < lingerMs)) return;
    at.lastSend = Date.now();
    this.enqueueSend(at, at.collector.drain());
  }

  /** Queues a send after the task's earlier ones. */
  private enqueueSend(at: ActiveTask, records: ProducerRecord[]): void {
    if (records.length === 0) return;
    at.sends = at.sends.then(async () => {
      if (at.sendError !== null) return;
      try {
        if (at.producer !== null) {
          await at.producer.send(records);
        } else {
          const w = await (this.o.sharedProducer as IdempotentProducer).send(records);
          for (const [k, v] of w) if (v > (at.written.get(k) ?? -1)) at.written.set(k, v);
        }
      } catch (e) {
        at.sendError = e;
      }
    });
  }

  /** Sends what is left and waits for every send; throws the first failure. */
  private async awaitSends(at: ActiveTask): Promise<void> {
    this.enqueueSend(at, at.collector.drain());
    await at.sends;
    const e = at.sendError;
    at.sendError = null;
    if (e !== null) throw e;
  }

  private offsetsOf(at: ActiveTask): OffsetToCommit[] {
    const { offsets } = at.task.committableOffsets();
    return offsets.map((o) => ({ ...o, metadata: encodeOffsetMetadata(at.task.partitionTime(o.topic, o.partition)) }));
  }

  private async commitExactlyOnce(at: ActiveTask): Promise<void> {
    const producer = at.producer as TransactionalProducer;
    await this.awaitSends(at);
    const written = await producer.commit(this.offsetsOf(at), this.appId);
    at.task.postCommit(this.changelogOffsetsOf(at, written));
  }

  private async commitAtLeastOnce(due: ActiveTask[]): Promise<number> {
    try {
      for (const at of due) this.enqueueSend(at, at.collector.drain());
      for (const at of due) await this.awaitSends(at);
      await this.o.consumer.commitOffsets(due.flatMap((at) => this.offsetsOf(at)));
    } catch (e) {
      for (const at of due) await this.onCommitFailure(at, e);
      return 0;
    }
    for (const at of due) {
      at.task.postCommit(this.changelogOffsetsOf(at, at.written));
      at.written = new Map();
    }
    return due.length;
  }

  /** The producer's next offsets for this task's changelog partitions, by topic. */
  private changelogOffsetsOf(at: ActiveTask, written: NextOffsets): Map<string, number> {
    const out = new Map<string, number>();
    for (const c of at.task.stateManager.changelogPartitions()) {
      const n = written.get(`${c.topic}:${c.partition}`);
      if (n !== undefined) out.set(c.topic, n);
    }
    return out;
  }

  private async onCommitFailure(at: ActiveTask, e: unknown): Promise<void> {
    if (isFenced(e)) {
      this.o.logger.warn(`Task ${at.id} was fenced: another instance owns it now; closing it without committing`);
      await this.closeTask(at, false);
      return;
    }
    if (isRecordRefused(e) && this.o.config.values['default.production.exception.handler'] === 'fail') {
      // Rolling back and sending again would be refused again, for ever: the task fails.
      await this.rollback(at);
      throw new ProcessingError(
        `Task ${at.id} could not write its records: the broker refused them (${(e as Error).message}); default.production.exception.handler is 'fail'`,
        { taskId: at.id },
        e,
      );
    }
    this.o.logger.warn(`Committing task ${at.id} failed (${(e as Error).message}); going back to its last commit`);
    await this.rollback(at);
  }

  /**
   * exactly_once's way back after a failed commit: whether the transaction was committed is not
   * known (the EndTxn may have been applied and its answer lost), so nothing of the task's memory is
   * trusted. The producer is replaced (kafkajs may be stuck mid-commit) and initialised, which
   * completes or aborts the transaction; the stores drop what they had not written and restore the
   * changelog from their recorded offsets; the task starts from the group's committed offsets. If the
   * transaction did commit, its changelog records and offsets are what the task now reads — no output
   * is produced twice.
   */
  private async reinitialize(at: ActiveTask): Promise<void> {
    at.state = 'restoring';
    this.o.consumer.pause(at.inputs);
    await at.task.settle();
    await at.sends;
    at.sendError = null;
    const old = at.producer as TransactionalProducer;
    await old.abort().catch(() => undefined);
    await old.close().catch(() => undefined);
    at.producer = new TransactionalProducer(this.o.kafka, old.transactionalId, this.o.config.int('transaction.timeout.ms'), this.o.compression);
    at.collector.clear();
    at.task.rollback();
    await this.startTask(at, false);
  }

  /**
   * Back to the last commit. exactly_once: `reinitialize` (the commit's outcome is unknown).
   * at_least_once: drops the stores' and the collector's uncommitted work and refetches from the
   * positions of the last commit (processing them again is what at_least_once allows).
   */
  async rollback(at: ActiveTask): Promise<void> {
    if (at.producer !== null) {
      await this.reinitialize(at);
      return;
    }
    await at.task.settle();
    await at.sends;
    at.sendError = null;
    at.collector.clear();
    at.written = new Map();
    at.task.rollback();
    for (const tp of at.inputs) {
      const pos = at.task.position(tp.topic, tp.partition) ?? 0;
      at.group.reset(tp.topic, tp.partition, pos);
      this.o.consumer.seek(tp, pos);
    }
  }

  private lastPurge = Date.now();

  /**
   * Deletes what the tasks have committed from the repartition topics they read (Kafka Streams'
   * purge): a repartition topic keeps records forever (retention.ms = -1, so none is lost to
   * retention before it is processed), and this is what keeps it small. At most every `intervalMs`.
   */
  async maybePurgeRepartitionTopics(intervalMs: number): Promise<void> {
    if (Date.now() - this.lastPurge < intervalMs) return;
    this.lastPurge = Date.now();
    const byTopic = new Map<string, { partition: number; offset: string }[]>();
    for (const at of this.running()) {
      for (const tp of at.inputs) {
        if (!tp.topic.startsWith(`${this.appId}-`) || !tp.topic.endsWith('-repartition')) continue;
        const committed = at.task.committedPosition(tp.topic, tp.partition);
        if (committed === undefined || committed <= 0) continue;
        if (!byTopic.has(tp.topic)) byTopic.set(tp.topic, []);
        (byTopic.get(tp.topic) as { partition: number; offset: string }[]).push({ partition: tp.partition, offset: String(committed) });
      }
    }
    for (const [topic, partitions] of byTopic) {
      await this.o.admin.deleteTopicRecords({ topic, partitions }).catch((e: unknown) => this.o.logger.debug(`Purging ${topic}: ${(e as Error).message}`));
    }
  }

  /** Closes a task: commits first if `clean` (a failure makes it dirty), then drops it. */
  async closeTask(at: ActiveTask, clean: boolean): Promise<void> {
    if (at.state === 'closed') return;
    const wasRunning = at.state === 'running';
    at.state = 'closed';
    this.o.consumer.pause(at.inputs);
    if (clean && wasRunning) {
      try {
        const p = at.task.prepareCommit();
        if (p !== null) await p;
        if (at.producer !== null) await this.commitExactlyOnce(at);
        else await this.commitAtLeastOnceOne(at);
      } catch (e) {
        this.o.logger.warn(`Task ${at.id} could not commit before closing (${(e as Error).message}); closing it without committing`);
        await at.producer?.abort().catch(() => undefined);
      }
    } else {
      await at.sends;
      await at.producer?.abort().catch(() => undefined);
    }
    this.tasks.delete(at.id);
    for (const tp of at.inputs) this.byPartition.delete(`${tp.topic}:${tp.partition}`);
    await at.task.close().catch((e: unknown) => this.o.logger.warn(`Closing task ${at.id}: ${(e as Error).message}`));
    await at.producer?.close().catch(() => undefined);
    this.o.logger.info(`Task ${at.id} closed${clean ? '' : ' (dirty)'}`);
  }

  private async commitAtLeastOnceOne(at: ActiveTask): Promise<void> {
    await this.awaitSends(at);
    await this.o.consumer.commitOffsets(this.offsetsOf(at));
    at.task.postCommit(this.changelogOffsetsOf(at, at.written));
  }

  /** Closes every task (and standby); `clean` commits them first. */
  async closeAll(clean: boolean): Promise<void> {
    for (const at of [...this.tasks.values()]) await this.closeTask(at, clean);
    for (const sb of [...this.standbys.values()]) await this.closeStandby(sb);
  }

  /** Throws if a task is in no state to continue (used by tests and the thread's checks). */
  checkTask(id: string): ActiveTask {
    const at = this.tasks.get(id);
    if (at === undefined) throw new StreamsError(`No task ${id}`);
    if (at.state === 'closed') throw new TaskMigratedError(id);
    return at;
  }
}
