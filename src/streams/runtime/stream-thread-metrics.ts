/**
 * The numbers a stream thread keeps about itself for metrics (Kafka Streams' thread- and task-level
 * sensors): records processed, commits and their latency, restoration and standby progress, and how
 * far each input partition is behind. A thread records into them as it works; `snapshot()` turns
 * them into plain data, which is what a worker sends the main thread (thread-protocol.ts) and what
 * streams-metrics.ts names and exposes.
 */
import { SampledStat } from './sampled-stat.js';
import type { RestoreListener } from './store-changelog-reader.js';
import type { ActiveTask } from './task-manager.js';

export interface TaskMetricsSnapshot {
  readonly taskId: string;
  /** A standby task (its numbers are `update-*`), or an active one. */
  readonly standby: boolean;
  /** Records dropped: late, null keys, skipped by a handler (Kafka Streams' `dropped-records-total`). */
  readonly droppedRecordsTotal: number;
  /** Changelog records restored since the task was assigned here (`restore-total`). */
  readonly restoreTotal: number;
  readonly restoreRate: number;
  /** Changelog records still to restore before the task runs (`restore-remaining-records-total`). */
  readonly restoreRemainingRecordsTotal: number;
  /** Changelog records a standby task applied (`update-total`). */
  readonly updateTotal: number;
  readonly updateRate: number;
}

/** Where a thread is in one of its input partitions. */
export interface PartitionSnapshot {
  readonly topic: string;
  readonly partition: number;
  /** The next offset the task processes. */
  readonly position: number;
  /** The next offset the consumer fetches, past control records (null: nothing fetched since the task started). */
  readonly fetchedNext: number | null;
  /** The high watermark the last fetch reported (null: nothing fetched). */
  readonly highWatermark: number | null;
  /** Records fetched and not processed yet. */
  readonly buffered: number;
}

/**
 * Records of a partition not processed yet, given its end offset (the last stable offset under
 * read_committed, as Kafka's consumer measures `records-lag`): the end minus the consumer's
 * position, plus what is fetched and waiting. Without an end offset, the last fetch's high watermark.
 */
export function recordsLag(p: PartitionSnapshot, endOffset?: number): number | null {
  const end = endOffset ?? p.highWatermark;
  if (end === null) return null;
  const consumed = p.fetchedNext ?? p.position;
  return Math.max(0, end - consumed) + p.buffered;
}

export interface ThreadMetricsSnapshot {
  readonly processTotal: number;
  readonly processRate: number;
  readonly commitTotal: number;
  readonly commitRate: number;
  /** Milliseconds, over the last 30–60 s; NaN without commits then. */
  readonly commitLatencyAvg: number;
  readonly commitLatencyMax: number;
  readonly activeTasks: number;
  readonly activeRestoringTasks: number;
  readonly standbyTasks: number;
  readonly tasks: readonly TaskMetricsSnapshot[];
  readonly partitions: readonly PartitionSnapshot[];
}

export function emptyThreadMetrics(): ThreadMetricsSnapshot {
  return {
    processTotal: 0,
    processRate: 0,
    commitTotal: 0,
    commitRate: 0,
    commitLatencyAvg: Number.NaN,
    commitLatencyMax: Number.NaN,
    activeTasks: 0,
    activeRestoringTasks: 0,
    standbyTasks: 0,
    tasks: [],
    partitions: [],
  };
}

interface RestoreProgress {
  readonly stat: SampledStat;
  /** Records left per changelog partition being restored. */
  readonly remaining: Map<string, number>;
}

export class StreamThreadMetrics {
  private readonly process = new SampledStat();
  private readonly commitLatency = new SampledStat();
  private commits = 0;
  private readonly restores = new Map<string, RestoreProgress>();
  private readonly updates = new Map<string, SampledStat>();
  /** What the consumer last fetched of each partition: its high watermark and the next offset. */
  private readonly fetched = new Map<string, { highWatermark: number; next: number }>();

  recordProcessed(records: number): void {
    if (records > 0) this.process.record(records);
  }

  recordCommit(latencyMs: number): void {
    this.commits++;
    this.commitLatency.record(latencyMs);
  }

  /** A fetched batch (kafkajs's START_BATCH_PROCESS, which also reports batches of control records only). */
  recordFetch(topic: string, partition: number, highWatermark: number, lastOffset: number): void {
    this.fetched.set(`${topic}:${partition}`, { highWatermark, next: lastOffset + 1 });
  }

  recordStandbyUpdate(taskId: string, records: number): void {
    let stat = this.updates.get(taskId);
    if (stat === undefined) this.updates.set(taskId, (stat = new SampledStat()));
    stat.record(records);
  }

  /** Feeds restore progress into `restore-*` (passed to the task manager's changelog readers). */
  readonly restoreListener: RestoreListener = {
    onRestoreStart: (taskId, changelog, _store, startOffset, endOffset) => {
      this.restoreOf(taskId).remaining.set(changelog, Math.max(0, endOffset - startOffset));
    },
    onBatchRestored: (taskId, changelog, _store, batchEndOffset, numRestored, endOffset) => {
      const r = this.restoreOf(taskId);
      r.stat.record(numRestored);
      r.remaining.set(changelog, Math.max(0, endOffset - batchEndOffset));
    },
    onRestoreEnd: (taskId, changelog) => {
      this.restoreOf(taskId).remaining.set(changelog, 0);
    },
  };

  private restoreOf(taskId: string): RestoreProgress {
    let r = this.restores.get(taskId);
    if (r === undefined) this.restores.set(taskId, (r = { stat: new SampledStat(), remaining: new Map() }));
    return r;
  }

  /** The numbers now, for the thread's active tasks and standby task ids; forgets tasks it no longer has. */
  snapshot(active: readonly ActiveTask[], standbyIds: readonly string[], now: number = Date.now()): ThreadMetricsSnapshot {
    const activeIds = new Set(active.map((t) => t.id));
    const standbys = new Set(standbyIds);
    for (const id of this.restores.keys()) if (!activeIds.has(id)) this.restores.delete(id);
    for (const id of this.updates.keys()) if (!standbys.has(id)) this.updates.delete(id);
    const tasks: TaskMetricsSnapshot[] = [];
    const partitions: PartitionSnapshot[] = [];
    const inputs = new Set<string>();
    for (const at of active) {
      const r = this.restores.get(at.id);
      tasks.push({
        taskId: at.id,
        standby: false,
        droppedRecordsTotal: at.task.context.droppedRecords,
        restoreTotal: r?.stat.total ?? 0,
        restoreRate: r?.stat.rate(now) ?? 0,
        restoreRemainingRecordsTotal: r === undefined ? 0 : [...r.remaining.values()].reduce((a, b) => a + b, 0),
        updateTotal: 0,
        updateRate: 0,
      });
      for (const tp of at.inputs) {
        const k = `${tp.topic}:${tp.partition}`;
        inputs.add(k);
        const position = at.task.position(tp.topic, tp.partition);
        if (at.state !== 'running' || position === undefined) continue;
        const f = this.fetched.get(k);
        partitions.push({
          topic: tp.topic,
          partition: tp.partition,
          position,
          fetchedNext: f === undefined ? null : Math.max(f.next, position),
          highWatermark: f?.highWatermark ?? null,
          buffered: at.group.size(tp.topic, tp.partition),
        });
      }
    }
    for (const k of this.fetched.keys()) if (!inputs.has(k)) this.fetched.delete(k);
    for (const id of standbys) {
      const u = this.updates.get(id);
      tasks.push({
        taskId: id,
        standby: true,
        droppedRecordsTotal: 0,
        restoreTotal: 0,
        restoreRate: 0,
        restoreRemainingRecordsTotal: 0,
        updateTotal: u?.total ?? 0,
        updateRate: u?.rate(now) ?? 0,
      });
    }
    return {
      processTotal: this.process.total,
      processRate: this.process.rate(now),
      commitTotal: this.commits,
      commitRate: this.commitLatency.countRate(now),
      commitLatencyAvg: this.commitLatency.avg(now),
      commitLatencyMax: this.commitLatency.max(now),
      activeTasks: active.length,
      activeRestoringTasks: active.filter((t) => t.state === 'restoring').length,
      standbyTasks: standbys.size,
      tasks,
      partitions,
    };
  }
}
