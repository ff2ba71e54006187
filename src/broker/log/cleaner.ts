/**
 * Cleaner: one compaction round over one log (Kafka's `Cleaner.doClean`; docs/log-format.md,
 * "Compaction" → "One round"):
 *
 *   1. walk the clean section's batch headers for each producer id's last batch;
 *   2. map key → latest offset over whole dirty segments, up to the first uncleanable offset or until
 *      the map is full; the end of the last mapped segment is the round's end offset;
 *   3. group the segments below the end offset so each group fits one segment;
 *   4. write each group's kept batches into a `.cleaned` segment and swap it in. Each batch below the
 *      end offset is asked of the transaction filter (aborted data and expired markers go), then
 *      compacted; batches at or after it (the rest of the last segment) are copied unchanged.
 *
 * The round never blocks the event loop for long: segments are read `ioChunkBytes` at a time with a
 * yield to the event loop after each chunk, codecs run on the thread pool, fsyncs are asynchronous.
 * Only the swap itself is synchronous.
 */
import fs from 'node:fs';
import path from 'node:path';
import { isControl, Offsets, readBatchHeader } from '../../protocol/batch-header.js';
import { INT32_MAX } from '../../protocol/constants.js';
import { decodeRecordsAsync, iterateBatches } from '../../protocol/record-batch.js';
import type { Clock } from '../clock.js';
import { CleanedSegment, removeCleanedFiles } from './cleaned-segment.js';
import { filterBatch, type CompactionContext } from './compaction-filter.js';
import { readInt64 } from './file-io.js';
import type { LogSegment } from './log-segment.js';
import { OffsetMap } from './offset-map.js';
import type { LogLogger, PartitionLog } from './partition-log.js';
import { swapInCleanedSegment, type SwapStep } from './segment-swap.js';
import { TimeIndex } from './time-index.js';
import type { CleanerTransactionHooks, TransactionAwareFilter } from './transaction-aware-filter.js';

export interface CleanerConfig {
  /** Keys the offset map may hold; a round maps no further segment once it holds this many. */
  maxMapEntries: number;
  /** Bytes read from a segment at a time; the cleaner yields to the event loop between reads. */
  ioChunkBytes: number;
  hooks: CleanerTransactionHooks;
  /** Tests: called at each step of a swap; throwing there simulates a crash at that point. */
  onSwapStep?: (step: SwapStep) => void;
}

/** The log and the range a round works on (see LogCleaner for how they are found). */
export interface LogToClean {
  log: PartitionLog;
  firstDirtyOffset: number;
  firstUncleanableOffset: number;
}

export interface CleanerStats {
  /** Keys in the offset map. */
  mapEntries: number;
  /** Segments rewritten and the segments that replaced them. */
  segmentsCleaned: number;
  segmentsWritten: number;
  /** Groups not swapped because retention or DeleteRecords removed their segments meanwhile. */
  groupsSkipped: number;
  bytesRead: number;
  bytesWritten: number;
  recordsRead: number;
  recordsKept: number;
  batchesRewritten: number;
}

export interface CleanResult {
  /** Where the next round's dirty section starts: the value for `cleaner-offset-checkpoint`. */
  endOffset: number;
  stats: CleanerStats;
  /** The earliest delete horizon of the tombstones (or markers) this round kept, if any. */
  earliestDeleteHorizon: number | undefined;
}

export class CleanerAbortedError extends Error {
  override name = 'CleanerAbortedError';
}

export class Cleaner {
  constructor(
    private readonly config: CleanerConfig,
    private readonly clock: Clock,
    private readonly logger: LogLogger,
  ) {}

  /** Runs one round. `shouldAbort` is polled between reads; a true answer ends the round with CleanerAbortedError. */
  async clean(target: LogToClean, shouldAbort: () => boolean = () => false): Promise<CleanResult> {
    const { log, firstDirtyOffset: firstDirty, firstUncleanableOffset: upper } = target;
    const now = this.clock.now();
    const chunk = this.config.ioChunkBytes;
    const checkAbort = (): void => {
      if (shouldAbort()) throw new CleanerAbortedError(`cleaning of ${log.dir} was aborted`);
    };
    const stats: CleanerStats = {
      mapEntries: 0,
      segmentsCleaned: 0,
      segmentsWritten: 0,
      groupsSkipped: 0,
      bytesRead: 0,
      bytesWritten: 0,
      recordsRead: 0,
      recordsKept: 0,
      batchesRewritten: 0,
    };

    // 1. Each producer id's last batch: the clean section's headers here, the dirty section's in 2.
    const lastBatchOfProducer = new Map<bigint, number>();
    const noteProducer = (batch: Buffer): void => {
      const producerId = batch.readBigInt64BE(Offsets.producerId);
      if (producerId >= 0n) lastBatchOfProducer.set(producerId, lastOffsetOf(batch));
    };
    for (const seg of log.logSegments(0, Math.min(firstDirty, upper))) {
      for await (const batch of readBatches(log, seg, seg.baseOffset, chunk, checkAbort)) {
        if (lastOffsetOf(batch) >= firstDirty) break;
        noteProducer(batch);
      }
    }

    // 2. The offset map, over whole dirty segments.
    const map = new OffsetMap(this.config.maxMapEntries);
    const all = log.logSegments();
    const nextBaseOf = (seg: LogSegment): number => all[all.indexOf(seg) + 1]?.baseOffset ?? log.logEndOffset;
    const mapFilter = this.config.hooks.newFilter({
      log,
      phase: 'map',
      now,
      fromOffset: firstDirty,
      toOffset: upper,
      lastBatchOfProducer: new Map(),
    });
    let endOffset = firstDirty;
    for (const seg of firstDirty < upper ? log.logSegments(firstDirty, upper) : []) {
      if (map.isFull) break;
      for await (const batch of readBatches(log, seg, Math.max(firstDirty, seg.baseOffset), chunk, checkAbort)) {
        if (readInt64(batch, Offsets.baseOffset) >= upper) break;
        if (lastOffsetOf(batch) < firstDirty) continue;
        noteProducer(batch);
        if (mapFilter.checkBatch(readBatchHeader(batch), batch).action !== 'compact') continue;
        for (const r of await decodeRecordsAsync(batch)) {
          const offset = Number(r.offset);
          if (r.key !== null && offset >= firstDirty) map.put(r.key, offset);
        }
      }
      endOffset = Math.min(upper, nextBaseOf(seg));
    }
    stats.mapEntries = map.size;

    // 3 and 4. Group the segments below the end offset (never one at or past the first uncleanable
    // offset, even when the first dirty offset lies beyond it) and clean each group.
    const config = log.config;
    const groups = groupSegmentsBySize(log.logSegments(0, Math.min(endOffset, upper)), config.segmentBytes, config.segmentIndexBytes);
    const filter = this.config.hooks.newFilter({
      log,
      phase: 'clean',
      now,
      fromOffset: groups[0]?.[0].baseOffset ?? endOffset,
      toOffset: endOffset,
      lastBatchOfProducer,
    });
    const ctx: CompactionContext = { map, endOffset, now, deleteRetentionMs: config.deleteRetentionMs };
    let earliestDeleteHorizon: number | undefined;
    for (const group of groups) {
      checkAbort();
      const horizon = await this.cleanGroup(log, group, filter, ctx, stats, checkAbort);
      if (horizon !== undefined && (earliestDeleteHorizon === undefined || horizon < earliestDeleteHorizon)) earliestDeleteHorizon = horizon;
    }
    this.logger.info(
      `${log.dir}: cleaned offsets up to ${endOffset} (dirty from ${firstDirty}): ${stats.segmentsCleaned} segment(s) into ` +
        `${stats.segmentsWritten}, ${stats.bytesRead} → ${stats.bytesWritten} bytes, ${stats.recordsRead} → ${stats.recordsKept} records, ` +
        `${stats.mapEntries} key(s) mapped` +
        (stats.groupsSkipped > 0 ? `, ${stats.groupsSkipped} group(s) skipped (segments deleted meanwhile)` : ''),
    );
    return { endOffset, stats, earliestDeleteHorizon };
  }

  /** Writes `group`'s kept batches into a cleaned segment and swaps it in; returns its earliest delete horizon. */
  private async cleanGroup(
    log: PartitionLog,
    group: LogSegment[],
    filter: TransactionAwareFilter,
    ctx: CompactionContext,
    stats: CleanerStats,
    checkAbort: () => void,
  ): Promise<number | undefined> {
    const config = log.config;
    const base = group[0].baseOffset;
    const chunk = this.config.ioChunkBytes;
    const cleaned = CleanedSegment.create(log.dir, base, { indexIntervalBytes: config.indexIntervalBytes, maxIndexSize: config.segmentIndexBytes });
    let earliestHorizon: number | undefined;
    try {
      let mtime = 0;
      /** ABORT markers kept while their transaction's data may still be in the log: their `.txnindex` entries move along. */
      const indexedMarkers = new Set<number>();
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      const write = (): void => {
        cleaned.append(pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingBytes));
        pending = [];
        pendingBytes = 0;
      };
      for (const seg of group) {
        mtime = Math.max(mtime, fs.statSync(path.join(log.dir, seg.name)).mtimeMs);
        for await (const batch of readBatches(log, seg, seg.baseOffset, chunk, checkAbort)) {
          const header = readBatchHeader(batch);
          stats.bytesRead += batch.length;
          if (Number(header.baseOffset) >= ctx.endOffset) {
            // Past what this round covers (at most the last stable offset): left exactly as it is.
            stats.recordsRead += header.recordCount;
            stats.recordsKept += header.recordCount;
            if (isControl(header.attributes)) indexedMarkers.add(Number(header.baseOffset));
            pending.push(batch);
            pendingBytes += batch.length;
            if (pendingBytes >= chunk) write();
            continue;
          }
          const decision = filter.checkBatch(header, batch);
          const result = await filterBatch(batch, header, decision, ctx);
          stats.recordsRead += result.recordsRead;
          stats.recordsKept += result.recordsKept;
          if (result.batch === undefined) continue;
          if (!result.unchanged) stats.batchesRewritten++;
          if (isControl(header.attributes) && header.recordCount > 0 && !decision.setDeleteHorizon) indexedMarkers.add(Number(header.baseOffset));
          if (result.deleteHorizon !== undefined && (earliestHorizon === undefined || result.deleteHorizon < earliestHorizon)) {
            earliestHorizon = result.deleteHorizon;
          }
          pending.push(result.batch);
          pendingBytes += result.batch.length;
          if (pendingBytes >= chunk) write();
        }
      }
      if (pendingBytes > 0) write();
      if (!stillInLog(log, group)) {
        cleaned.abandon();
        stats.groupsSkipped++;
        return undefined;
      }
      // An aborted transaction stays in the `.txnindex` while its ABORT marker is kept for its data;
      // once the data is gone (the marker waits for its delete horizon, or went) so does the entry.
      for (const seg of group) {
        for (const txn of seg.txnIndex.allAbortedTxns) if (indexedMarkers.has(txn.lastOffset)) cleaned.appendAbortedTxn(txn);
      }
      await cleaned.finish(mtime);
      checkAbort();
    } catch (err) {
      cleaned.abandon();
      if (!(err instanceof CleanerAbortedError) && !stillInLog(log, group)) {
        stats.groupsSkipped++;
        return undefined;
      }
      throw err;
    }

    const segOpts = { indexIntervalBytes: config.indexIntervalBytes, maxIndexSize: config.segmentIndexBytes, now: this.clock.now() };
    const swapped = log.replaceSegments(group, () => swapInCleanedSegment(log.dir, base, group, segOpts, this.config.onSwapStep));
    if (!swapped) {
      removeCleanedFiles(log.dir, base);
      stats.groupsSkipped++;
      return undefined;
    }
    stats.segmentsCleaned += group.length;
    stats.segmentsWritten++;
    stats.bytesWritten += cleaned.size;
    return earliestHorizon;
  }
}

/**
 * Splits `segments` into runs of consecutive segments that one segment can hold: total size within
 * segment.bytes, offset and time indexes within segment.index.bytes, and offsets within 32 bits of the
 * first base offset (Kafka's `groupSegmentsBySize`).
 */
export function groupSegmentsBySize(segments: readonly LogSegment[], maxSize: number, maxIndexSize: number): LogSegment[][] {
  const groups: LogSegment[][] = [];
  let i = 0;
  while (i < segments.length) {
    const first = segments[i++];
    const group = [first];
    let logSize = first.size;
    let indexSize = first.offsetIndex.sizeInBytes;
    let timeIndexSize = first.timeIndex.entries * TimeIndex.ENTRY_SIZE;
    while (i < segments.length) {
      const s = segments[i];
      const sTimeIndexSize = s.timeIndex.entries * TimeIndex.ENTRY_SIZE;
      if (
        logSize + s.size > maxSize ||
        indexSize + s.offsetIndex.sizeInBytes > maxIndexSize ||
        timeIndexSize + sTimeIndexSize > maxIndexSize ||
        s.nextOffset - 1 - first.baseOffset > INT32_MAX
      ) {
        break;
      }
      group.push(s);
      logSize += s.size;
      indexSize += s.offsetIndex.sizeInBytes;
      timeIndexSize += sTimeIndexSize;
      i++;
    }
    groups.push(group);
  }
  return groups;
}

/**
 * The batches of `seg` from the one containing `fromOffset`, read `chunkBytes` at a time (a batch
 * larger than that is read whole), yielding to the event loop and polling `checkAbort` between reads.
 * Ends early if retention or DeleteRecords removes the segment from `log` meanwhile (its file is then
 * closed; such a group is never swapped in).
 */
async function* readBatches(log: PartitionLog, seg: LogSegment, fromOffset: number, chunkBytes: number, checkAbort: () => void): AsyncGenerator<Buffer> {
  let offset = fromOffset;
  for (;;) {
    checkAbort();
    if (!log.logSegments().includes(seg)) return;
    const r = seg.read(offset, chunkBytes, seg.size, true);
    if (r === undefined || r.records.length === 0) return;
    for (const batch of iterateBatches(r.records)) {
      offset = lastOffsetOf(batch) + 1;
      yield batch;
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

function lastOffsetOf(batch: Buffer): number {
  return readInt64(batch, Offsets.baseOffset) + batch.readInt32BE(Offsets.lastOffsetDelta);
}

function stillInLog(log: PartitionLog, group: readonly LogSegment[]): boolean {
  const segments = log.logSegments();
  return group.every((s) => segments.includes(s));
}
