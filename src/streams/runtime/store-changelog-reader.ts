/**
 * StoreChangelogReader (Kafka Streams' name): brings a task's stores up to date from their
 * changelogs before the task processes anything (docs/streams-internals.md, "Restoration").
 *
 * Each store starts from the changelog offset it recorded with its data — after a crash only the
 * tail written since its last commit is replayed — and reads `read_committed` to the partition's
 * last stable offset. Records are applied in batches, each written to LevelDB with its new offset,
 * so an interrupted restoration resumes where it stopped. A store whose offset is beyond the
 * changelog's end (the topic was deleted or recreated) is wiped and restored from the beginning.
 */
import type { Logger } from '../../common/logger.js';
import { StateStoreError } from '../errors.js';
import type { LevelKeyValueBytesStore } from '../state/internals/level-key-value-store.js';
import { type BytesKey, type StoredValue, toBytesKey } from '../state/internals/bytes-store.js';
import type { PartitionReader } from './partition-reader.js';
import type { ChangelogPartition } from './processor-state-manager.js';

export interface RestoreResult {
  readonly store: string;
  readonly changelog: string;
  readonly startOffset: number;
  readonly endOffset: number;
  readonly restored: number;
  readonly wiped: boolean;
  readonly ms: number;
}

export interface RestoreTarget {
  readonly changelog: ChangelogPartition;
  readonly store: LevelKeyValueBytesStore;
}

/**
 * Told how restoration goes (Kafka Streams' `StateRestoreListener`, with the task's id; `changelog`
 * is `topic:partition`). Feeds the `restore-*` metrics.
 */
export interface RestoreListener {
  onRestoreStart(taskId: string, changelog: string, store: string, startOffset: number, endOffset: number): void;
  onBatchRestored(taskId: string, changelog: string, store: string, batchEndOffset: number, numRestored: number, endOffset: number): void;
  onRestoreEnd(taskId: string, changelog: string, store: string, totalRestored: number): void;
}

export class StoreChangelogReader {
  constructor(
    private readonly reader: PartitionReader,
    private readonly logger: Logger,
    private readonly batchRecords: number,
    /** Called between fetches; restoration stops early when it returns false (the task was revoked). */
    private readonly keepGoing: () => boolean = () => true,
    private readonly listener: RestoreListener | null = null,
  ) {}

  /** Restores every target; returns what each one replayed. */
  async restore(taskId: string, targets: readonly RestoreTarget[]): Promise<RestoreResult[]> {
    if (targets.length === 0) return [];
    const tps = targets.map((t) => ({ topic: t.changelog.topic, partition: t.changelog.partition }));
    const [ends, starts] = await Promise.all([this.reader.endOffsets(tps), this.reader.beginningOffsets(tps)]);
    const results: RestoreResult[] = [];
    for (const t of targets) {
      const k = `${t.changelog.topic}:${t.changelog.partition}`;
      const end = ends.get(k) ?? 0;
      const begin = starts.get(k) ?? 0;
      let offset = t.store.committedChangelogOffset(t.changelog.partition);
      let wiped = false;
      if (offset !== null && offset > end) {
        this.logger.warn(
          `Task ${taskId}: store ${t.changelog.store} recorded changelog offset ${offset}, beyond the end of ${k} (${end}); the changelog was deleted or recreated, so the store is wiped and restored from the beginning`,
        );
        await t.store.wipe();
        offset = null;
        wiped = true;
      }
      const from = Math.max(offset ?? begin, begin);
      const started = Date.now();
      this.listener?.onRestoreStart(taskId, k, t.changelog.store, from, end);
      const restored = from >= end ? 0 : await this.replay(taskId, t, from, end);
      this.listener?.onRestoreEnd(taskId, k, t.changelog.store, restored);
      const result = { store: t.changelog.store, changelog: k, startOffset: from, endOffset: end, restored, wiped, ms: Date.now() - started };
      this.logger.info(
        `Task ${taskId}: restored store ${result.store} from ${k}: ${restored} records, offsets ${from} to ${end}${offset === null && !wiped && end > from ? ' (no local state: full restore)' : ''} in ${result.ms} ms`,
      );
      results.push(result);
    }
    return results;
  }

  private async replay(taskId: string, t: RestoreTarget, from: number, end: number): Promise<number> {
    const { topic, partition } = t.changelog;
    let position = from;
    let restored = 0;
    let lastLog = Date.now();
    let batch: [BytesKey, StoredValue | null][] = [];
    while (position < end) {
      if (!this.keepGoing()) break;
      const [fetched] = await this.reader.fetch([{ topic, partition, offset: position }], { maxWaitMs: 500 });
      if (fetched === undefined) throw new StateStoreError(`Restoring ${t.changelog.store}: no answer for ${topic}-${partition}`);
      for (const r of fetched.records) {
        if (r.offset >= end) break;
        if (r.key === null) continue;
        batch.push([toBytesKey(r.key), r.value === null ? null : { value: r.value, timestamp: r.timestamp }]);
      }
      const next = Math.min(fetched.nextOffset, end);
      if (next === position && fetched.records.length === 0) {
        // Nothing before the end could be read (an open transaction holds the last stable offset back).
        if (fetched.lastStableOffset <= position) break;
        continue;
      }
      position = next;
      if (batch.length >= this.batchRecords || position >= end) {
        await t.store.restore(batch, partition, position);
        restored += batch.length;
        this.listener?.onBatchRestored(taskId, `${topic}:${partition}`, t.changelog.store, position, batch.length, end);
        batch = [];
      }
      if (Date.now() - lastLog > 10_000) {
        this.logger.info(`Task ${taskId}: restoring ${t.changelog.store} from ${topic}-${partition}: at offset ${position} of ${end} (${restored} records)`);
        lastLog = Date.now();
      }
    }
    if (batch.length > 0) {
      await t.store.restore(batch, partition, position);
      restored += batch.length;
      this.listener?.onBatchRestored(taskId, `${topic}:${partition}`, t.changelog.store, position, batch.length, end);
    }
    return restored;
  }
}
