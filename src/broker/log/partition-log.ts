/**
 * PartitionLog: one partition's log — an ordered list of LogSegments in `<log.dir>/<topic>-<partition>/`,
 * the last of which takes appends. Kafka's `UnifiedLog`/`LocalLog` for a single replica: offset
 * assignment, roll, read, search by timestamp, retention, DeleteRecords, flush policy, truncation.
 * Opening it — recovery after a crash included — is the LogLoader's (log-loader.ts). The on-disk
 * format and the crash-safety argument are in docs/log-format.md.
 *
 * Offsets and timestamps are `number`s here (exact below 2^53); the protocol edge converts `bigint`s.
 *
 * Producer state (docs/transactions.md): every append of batches with a producer id is checked by the
 * partition's ProducerStateManager first (a retried batch gets its original offsets back and is not
 * written again; a refused one writes nothing) and applied after the write; an ABORT marker adds an
 * entry to its segment's `.txnindex`. The state is snapshotted at each roll and at close; the
 * LogLoader rebuilds it on open, and a truncation replays the log after the snapshot it falls back to.
 *
 * Compaction (the LogCleaner) works from outside: it reads `logSegments()` and swaps cleaned
 * segments in with `replaceSegments()`; opening first finishes or rolls back a swap a crash cut short.
 *
 * Client appends may be written behind (docs/log-format.md, "Writing behind"): offsets, indexes and
 * producer state move at once, the bytes reach the file on the thread pool, and the high watermark —
 * what readers outside the broker may see — is the end of what is in the file.
 *
 * Left out, compared with Kafka: replication (the high watermark is what is written, not what
 * followers have), leader epochs, segment jitter, the delayed deletion of `.deleted` files, and
 * per-log-dir (rather than per-partition) checkpoints.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { OffsetSpec } from '../../protocol/apis/list-offsets.js';
import { BATCH_HEADER_SIZE, LOG_OVERHEAD, Offsets, setLogAppendTime } from '../../protocol/batch-header.js';
import { INT32_MAX } from '../../protocol/constants.js';
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { AppendOrigin } from '../producer-state/producer-append-info.js';
import type { ProducerStateAnalysis, ProducerStateManager } from '../producer-state/producer-state-manager.js';
import { CheckpointFile, LOG_START_OFFSET_CHECKPOINT_FILE, RECOVERY_POINT_CHECKPOINT_FILE } from './checkpoint-file.js';
import { getInt64, setInt64, viewOf } from './file-io.js';
import type { LogConfig } from './log-config.js';
import { type LoadedLog, LogLoader, rebuildProducerState } from './log-loader.js';
import { floorSegmentIndex, LogSegment, type TimestampAndOffset } from './log-segment.js';
import type { AbortedTxn } from './transaction-index.js';

/** What the log layer needs of a logger. */
export type LogLogger = Pick<Logger, 'info' | 'warn' | 'error'>;

/** ListOffsets' special timestamps (`OffsetSpec`), as the numbers the log works in. */
const LATEST_TIMESTAMP = Number(OffsetSpec.latest);
const EARLIEST_TIMESTAMP = Number(OffsetSpec.earliest);
const MAX_TIMESTAMP = Number(OffsetSpec.maxTimestamp);
const EARLIEST_LOCAL_TIMESTAMP = Number(OffsetSpec.earliestLocal);

export interface PartitionLogOptions {
  clock: Clock;
  logger: LogLogger;
  /**
   * The log directory was shut down cleanly (its clean-shutdown marker was present): skip validating
   * segments above the recovery point. Default false: recover them.
   */
  hadCleanShutdown?: boolean;
  /** producer.id.expiration.ms (default one day). */
  producerIdExpirationMs?: number;
}

export interface AppendOptions {
  /** Assign consecutive offsets by rewriting each batch's baseOffset (default true). */
  assignOffsets?: boolean;
  /** Default: the topic's message.timestamp.type. */
  timestampType?: 'CreateTime' | 'LogAppendTime';
  /** The broker clock's time for this append (LogAppendTime, segment.ms); default clock.now(). */
  now?: number;
  /**
   * Who writes, for the producer-state checks: `client` (default; Produce), `coordinator` (markers
   * and the broker's own transactional writes: epochs checked, sequences not).
   */
  origin?: Exclude<AppendOrigin, 'replication'>;
  /**
   * Queue the write for the thread pool instead of writing now (client Produce). The high watermark
   * passes these offsets once their bytes are in the file; `whenWritten()` says when. Without it, the
   * append first writes out anything queued, then writes its own bytes before returning.
   */
  writeBehind?: boolean;
}

export interface LogAppendInfo {
  firstOffset: number;
  lastOffset: number;
  /** The largest batch max timestamp appended (after LogAppendTime stamping), or -1. */
  maxTimestamp: number;
  /** The last offset of the first batch holding `maxTimestamp`. */
  offsetOfMaxTimestamp: number;
  /** The broker time stamped on the batches for LogAppendTime topics, else -1. */
  logAppendTime: number;
  logStartOffset: number;
  /** Number of offsets taken (sum of lastOffsetDelta + 1). */
  recordCount: number;
  /** Set when this append reached flush.messages: resolves once everything up to it is fsynced. */
  flushed?: Promise<void>;
  /** The batch repeats one already in the log: the offsets are the original ones, nothing was written. */
  duplicate?: boolean;
}

export interface ReadOptions {
  /** Exclusive bound (high watermark, last stable offset): no batch reaching it is returned. */
  upperBoundOffset?: number;
  /** Return the first batch whole even if it exceeds maxBytes (default true, as for Fetch v3+). */
  minOneBatch?: boolean;
  /** Where the bytes read go (default `Buffer.allocUnsafe`): Fetch reads into pooled buffers. */
  buffer?: (size: number) => Buffer;
}

export interface FetchDataInfo {
  /** Whole batches in offset order, one chunk per segment read; the first contains the fetch offset. */
  records: Buffer[];
  sizeInBytes: number;
  logStartOffset: number;
  logEndOffset: number;
}

/** A written-behind append whose bytes are not yet known to be in the file. */
interface Unwritten {
  segment: LogSegment;
  /** The segment's size after the append. */
  end: number;
  firstOffset: number;
}

export class PartitionLog {
  private segments: LogSegment[];
  private logStartOffsetValue: number;
  private logEndOffsetValue: number;
  private recoveryPointValue: number;
  private unflushed = 0;
  private lastFlushTimeValue: number;
  private checkpointedRecoveryPoint = -1;
  private checkpointedLogStartOffset = -1;
  private closed = false;
  private readonly recoveryPointFile: CheckpointFile;
  private readonly logStartOffsetFile: CheckpointFile;
  /** Producer ids, epochs, sequences and open transactions of this partition. */
  readonly producerState: ProducerStateManager;
  /** Written-behind appends not yet in the file, oldest first (for the high watermark). */
  private unwritten: Unwritten[] = [];
  /** Segments given written-behind appends whose writes may not have settled (for `whenWritten`). */
  private readonly writingSegments = new Set<LogSegment>();
  /** The first failed write: from then on the partition is offline and its high watermark frozen. */
  private writeFailure: Error | undefined;
  private failedHighWatermark = 0;
  /** Called when the high watermark moves because written-behind bytes reached the file. */
  onHighWatermark: (() => void) | undefined;
  private readonly onSegmentWritten = (err?: Error): void => {
    if (err === undefined) {
      this.onHighWatermark?.();
      return;
    }
    if (this.writeFailure !== undefined) return;
    this.failedHighWatermark = this.highWatermark;
    this.writeFailure = err;
    this.logger.error(`${this.dir}: a write to the log failed, the partition is offline until restart: ${err.message}`);
  };

  private constructor(
    readonly dir: string,
    private configValue: LogConfig,
    private readonly clock: Clock,
    private readonly logger: LogLogger,
    loaded: LoadedLog,
  ) {
    this.segments = loaded.segments;
    this.logStartOffsetValue = loaded.logStartOffset;
    this.logEndOffsetValue = this.active.nextOffset;
    this.recoveryPointValue = loaded.recoveryPoint;
    this.checkpointedRecoveryPoint = loaded.checkpointed.recoveryPoint ?? -1;
    this.checkpointedLogStartOffset = loaded.checkpointed.logStartOffset ?? -1;
    this.lastFlushTimeValue = clock.now();
    this.recoveryPointFile = new CheckpointFile(path.join(dir, RECOVERY_POINT_CHECKPOINT_FILE));
    this.logStartOffsetFile = new CheckpointFile(path.join(dir, LOG_START_OFFSET_CHECKPOINT_FILE));
    this.producerState = loaded.producerState;
  }

  /**
   * Opens the log in `dir` (creating it if needed): the LogLoader recovers segments that may hold
   * unflushed data unless the shutdown was clean, rebuilds any index that cannot be trusted, and
   * rebuilds the producer state.
   */
  static open(dir: string, config: LogConfig, opts: PartitionLogOptions): PartitionLog {
    const log = new PartitionLog(dir, config, opts.clock, opts.logger, new LogLoader(dir, config, opts).load());
    log.checkpoint();
    return log;
  }

  get config(): LogConfig {
    return this.configValue;
  }

  /** A topic config change; index settings apply to segments created from now on. */
  updateConfig(config: LogConfig): void {
    this.configValue = config;
    this.active.indexIntervalBytes = config.indexIntervalBytes;
  }

  get logStartOffset(): number {
    return this.logStartOffsetValue;
  }

  get logEndOffset(): number {
    return this.logEndOffsetValue;
  }

  /**
   * The first offset whose bytes are not yet in the file (the log end offset when no written-behind
   * append is waiting). Fetches, ListOffsets and DeleteRecords stop here.
   */
  get highWatermark(): number {
    if (this.writeFailure !== undefined) return this.failedHighWatermark;
    const u = this.unwritten;
    let n = 0;
    while (n < u.length && u[n].segment.writtenSize >= u[n].end) n++;
    if (n > 0) u.splice(0, n);
    return u.length === 0 ? this.logEndOffsetValue : u[0].firstOffset;
  }

  /**
   * Resolves once every append so far is in the file and no write in flight still holds a buffer
   * given to `append` — from then on the caller may reuse them. Rejects with KAFKA_STORAGE_ERROR if
   * a write failed.
   */
  whenWritten(): Promise<void> {
    if (this.writeFailure !== undefined) return Promise.reject(this.storageError());
    const waits: Promise<void>[] = [];
    for (const seg of this.writingSegments) {
      if (seg.writeSettled) this.writingSegments.delete(seg);
      else waits.push(seg.whenWritten());
    }
    if (waits.length === 0) return Promise.resolve();
    return waits.length === 1 ? waits[0] : Promise.all(waits).then(() => undefined);
  }

  private storageError(): KafkaError {
    return new KafkaError(
      ErrorCode.KAFKA_STORAGE_ERROR,
      `${this.dir} is offline after a failed write (${this.writeFailure?.message}); restart the broker to recover it`,
    );
  }

  /** Writes every queued append to its file now. */
  private writeOutAll(): void {
    if (this.unwritten.length === 0) return;
    for (const seg of new Set(this.unwritten.map((u) => u.segment))) seg.writeOut();
    this.unwritten = [];
  }

  /** Everything below this offset has been fsynced. */
  get recoveryPoint(): number {
    return this.recoveryPointValue;
  }

  /** Total bytes of all segments. */
  get size(): number {
    let total = 0;
    for (const s of this.segments) total += s.size;
    return total;
  }

  get numberOfSegments(): number {
    return this.segments.length;
  }

  /** Base offsets of the segments, oldest first. */
  get segmentBaseOffsets(): number[] {
    return this.segments.map((s) => s.baseOffset);
  }

  /** The segments holding offsets in [from, to), oldest first; by default all (the last is the active one). */
  logSegments(from = 0, to = Number.MAX_SAFE_INTEGER): readonly LogSegment[] {
    return this.segments.filter((s, i) => s.baseOffset < to && (i + 1 === this.segments.length || this.segments[i + 1].baseOffset > from));
  }

  /**
   * Compaction's swap (docs/log-format.md, "Swapping segments, crash-safely"): if `oldSegments` are
   * still consecutive segments of this log and none is the active one, runs `install` — which moves
   * the cleaned segment's files into place and returns it opened — and puts it in their place. All
   * synchronous, so no read sees a half-done swap. False, with nothing done, if the log is closed or
   * retention, DeleteRecords or truncation removed any of them while the cleaner was writing.
   */
  replaceSegments(oldSegments: readonly LogSegment[], install: () => LogSegment): boolean {
    const first = this.segments.indexOf(oldSegments[0]);
    if (this.closed || oldSegments.length === 0 || first < 0 || first + oldSegments.length >= this.segments.length) return false;
    if (oldSegments.some((s, i) => this.segments[first + i] !== s)) return false;
    this.segments.splice(first, oldSegments.length, install());
    return true;
  }

  /** Clock time of the last flush (or of opening). */
  get lastFlushTime(): number {
    return this.lastFlushTimeValue;
  }

  /** Messages appended since the last flush started. */
  get unflushedMessages(): number {
    return this.unflushed;
  }

  private get active(): LogSegment {
    return this.segments[this.segments.length - 1];
  }

  /**
   * Appends `batches` — one or more complete, already validated batches — as one write to the active
   * segment, rolling first if needed. With `assignOffsets` (default), each batch's baseOffset is
   * rewritten in place to the next free offset; for LogAppendTime, its timestamp too (and its CRC).
   * Per batch this reads a few header fields; it never looks at records and allocates nothing.
   */
  append(batches: Buffer, opts: AppendOptions = {}): LogAppendInfo {
    this.ensureOpen();
    if (this.writeFailure !== undefined) throw this.storageError();
    const now = opts.now ?? this.clock.now();
    const assignOffsets = opts.assignOffsets ?? true;
    const logAppendTime = (opts.timestampType ?? this.configValue.messageTimestampType) === 'LogAppendTime';
    const appendTime = logAppendTime ? BigInt(now) : 0n;
    const length = batches.length;
    if (length === 0) throw new RangeError('nothing to append');
    const view = viewOf(batches);

    let offset = this.logEndOffsetValue;
    let firstOffset = -1;
    let maxTimestamp = -1;
    let offsetOfMaxTimestamp = -1;
    let recordCount = 0;
    let hasProducerBatches = false;
    let pos = 0;
    while (pos < length) {
      if (length - pos < BATCH_HEADER_SIZE) throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `${length - pos} trailing bytes are not a batch`);
      const size = view.getInt32(pos + Offsets.batchLength) + LOG_OVERHEAD;
      if (size < BATCH_HEADER_SIZE || pos + size > length) {
        throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `batch at byte ${pos} claims ${size} bytes`);
      }
      const lastOffsetDelta = view.getInt32(pos + Offsets.lastOffsetDelta);
      if (lastOffsetDelta < 0) throw new KafkaError(ErrorCode.INVALID_RECORD, `lastOffsetDelta ${lastOffsetDelta}`);
      if (assignOffsets) {
        // setBaseOffset's job, without a subarray and a bigint per batch.
        setInt64(view, offset, pos + Offsets.baseOffset);
      } else {
        const base = getInt64(view, pos + Offsets.baseOffset);
        if (base < offset) {
          throw new KafkaError(ErrorCode.INVALID_RECORD, `batch base offset ${base} is below the next offset ${offset}`);
        }
        offset = base;
      }
      if (firstOffset < 0) firstOffset = offset;
      let batchMax: number;
      if (logAppendTime) {
        setLogAppendTime(batches.subarray(pos, pos + size), appendTime);
        batchMax = now;
      } else {
        batchMax = getInt64(view, pos + Offsets.maxTimestamp);
      }
      const lastOffset = offset + lastOffsetDelta;
      if (batchMax > maxTimestamp) {
        maxTimestamp = batchMax;
        offsetOfMaxTimestamp = lastOffset;
      }
      recordCount += lastOffsetDelta + 1;
      if (view.getInt32(pos + Offsets.producerId) >= 0) hasProducerBatches = true;
      offset = lastOffset + 1;
      pos += size;
    }
    const lastOffset = offset - 1;
    if (offsetOfMaxTimestamp < 0) offsetOfMaxTimestamp = lastOffset;

    let producerUpdate: ProducerStateAnalysis | undefined;
    if (hasProducerBatches) {
      producerUpdate = this.producerState.analyze(batches, opts.origin ?? 'client', { now, logStartOffset: this.logStartOffsetValue });
      const dup = producerUpdate.duplicate;
      if (dup !== undefined) {
        return {
          firstOffset: dup.firstOffset,
          lastOffset: dup.lastOffset,
          maxTimestamp: dup.maxTimestamp,
          offsetOfMaxTimestamp: dup.lastOffset,
          logAppendTime: -1,
          logStartOffset: this.logStartOffsetValue,
          recordCount: 0,
          duplicate: true,
        };
      }
    }

    const segment = this.maybeRoll(length, maxTimestamp, firstOffset, lastOffset, now);
    if (opts.writeBehind === true) {
      segment.onWritten = this.onSegmentWritten;
      // Before the append: should it throw after queueing the bytes, whenWritten still waits for them.
      this.writingSegments.add(segment);
      segment.append(batches, lastOffset, maxTimestamp, offsetOfMaxTimestamp, true);
      this.unwritten.push({ segment, end: segment.size, firstOffset });
    } else {
      this.writeOutAll();
      segment.append(batches, lastOffset, maxTimestamp, offsetOfMaxTimestamp);
    }
    this.logEndOffsetValue = lastOffset + 1;
    this.unflushed += recordCount;
    if (producerUpdate !== undefined) {
      this.producerState.apply(producerUpdate, lastOffset + 1, (txn, lastStableOffset) => {
        if (txn.isAborted) segment.txnIndex.append({ producerId: txn.producerId, firstOffset: txn.firstOffset, lastOffset: txn.lastOffset, lastStableOffset });
      });
    } else {
      this.producerState.updateMapEndOffset(lastOffset + 1);
    }

    const info: LogAppendInfo = {
      firstOffset,
      lastOffset,
      maxTimestamp,
      offsetOfMaxTimestamp,
      logAppendTime: logAppendTime ? now : -1,
      logStartOffset: this.logStartOffsetValue,
      recordCount,
    };
    if (this.unflushed >= this.configValue.flushMessages) {
      const flushed = this.flush();
      flushed.catch((err) => this.logger.error(`${this.dir}: flush after ${recordCount} messages failed: ${(err as Error).message}`));
      info.flushed = flushed;
    }
    return info;
  }

  /**
   * Whole batches from the one containing `fetchOffset`, up to `maxBytes` (the first batch whole even
   * if larger, unless `minOneBatch: false`), continuing into later segments while budget remains.
   * OFFSET_OUT_OF_RANGE below the log start offset or above the log end offset.
   */
  read(fetchOffset: number, maxBytes: number, opts: ReadOptions = {}): FetchDataInfo {
    this.ensureOpen();
    const logEndOffset = this.logEndOffsetValue;
    if (fetchOffset < this.logStartOffsetValue || fetchOffset > logEndOffset) {
      throw new KafkaError(
        ErrorCode.OFFSET_OUT_OF_RANGE,
        `offset ${fetchOffset} is outside ${this.dir}'s range [${this.logStartOffsetValue}, ${logEndOffset}]`,
      );
    }
    const result: FetchDataInfo = { records: [], sizeInBytes: 0, logStartOffset: this.logStartOffsetValue, logEndOffset };
    const upper = Math.min(opts.upperBoundOffset ?? logEndOffset, logEndOffset);
    if (fetchOffset >= upper) return result;

    let minOneBatch = opts.minOneBatch ?? true;
    let remaining = maxBytes;
    for (let i = floorSegmentIndex(this.segments, fetchOffset); i < this.segments.length; i++) {
      const seg = this.segments[i];
      if (seg.baseOffset >= upper) break;
      const next = this.segments[i + 1];
      let maxPosition = seg.size;
      if (upper < logEndOffset && (next === undefined || next.baseOffset > upper)) {
        maxPosition = seg.translateOffset(upper)?.position ?? seg.size;
      }
      const r = seg.read(fetchOffset, remaining, maxPosition, minOneBatch, opts.buffer);
      if (r === undefined) continue;
      if (r.records.length === 0) break;
      result.records.push(r.records);
      result.sizeInBytes += r.records.length;
      remaining -= r.records.length;
      minOneBatch = false;
      if (remaining <= 0 || r.position + r.records.length < maxPosition) break;
    }
    return result;
  }

  /**
   * The last stable offset: the first offset of the earliest open transaction, or the high watermark
   * when none is open (never above it). `read_committed` reads stop here.
   */
  get lastStableOffset(): number {
    const firstUnstable = this.producerState.firstUnstableOffset();
    const hw = this.highWatermark;
    return firstUnstable === undefined ? hw : Math.min(firstUnstable, hw);
  }

  /**
   * The aborted transactions overlapping [fetchOffset, upperBoundOffset) — ABORT marker at or after
   * `fetchOffset`, first offset below `upperBoundOffset` — from the `.txnindex` of the segment holding
   * `fetchOffset` and the ones after it, in marker order.
   */
  collectAbortedTransactions(fetchOffset: number, upperBoundOffset: number): AbortedTxn[] {
    this.ensureOpen();
    const out: AbortedTxn[] = [];
    for (let i = floorSegmentIndex(this.segments, fetchOffset); i < this.segments.length; i++) {
      // Not bounded by upperBoundOffset: a transaction begun below it may be aborted far above it.
      const r = this.segments[i].txnIndex.collectAbortedTxns(fetchOffset, upperBoundOffset);
      out.push(...r.abortedTransactions);
      if (r.isComplete) break;
    }
    return out;
  }

  /** Forgets producers idle for producer.id.expiration.ms (none with an open transaction). */
  removeExpiredProducers(now = this.clock.now()): number {
    if (this.closed) return 0;
    return this.producerState.removeExpiredProducers(now);
  }

  /**
   * ListOffsets: the first offset (≥ log start offset) whose record timestamp is ≥ `timestamp`, with
   * that timestamp; or the special queries (`OffsetSpec`) latest, earliest, earliestLocal and
   * maxTimestamp (the first record with the largest timestamp, KIP-734), as numbers.
   * Undefined when there is no such record (Kafka answers offset -1).
   */
  fetchOffsetByTimestamp(timestamp: number): TimestampAndOffset | undefined {
    this.ensureOpen();
    const start = this.logStartOffsetValue;
    if (timestamp === EARLIEST_TIMESTAMP || timestamp === EARLIEST_LOCAL_TIMESTAMP) return { offset: start, timestamp: -1 };
    if (timestamp === LATEST_TIMESTAMP) return { offset: this.logEndOffsetValue, timestamp: -1 };
    if (timestamp === MAX_TIMESTAMP) {
      let best: LogSegment | undefined;
      for (const s of this.segments) {
        if (s.nextOffset > start && s.maxTimestamp >= 0 && (best === undefined || s.maxTimestamp > best.maxTimestamp)) best = s;
      }
      return best?.findOffsetByTimestamp(best.maxTimestamp, start);
    }
    if (timestamp < 0) return undefined;
    for (const s of this.segments) {
      if (s.nextOffset <= start || s.maxTimestamp < timestamp) continue;
      const found = s.findOffsetByTimestamp(timestamp, start);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  /**
   * Starts a new active segment at the log end offset (or `expectedNextOffset` if higher). The old one
   * gets its final time index entry and an fsync in the background, after which the recovery point
   * moves up to the new segment.
   */
  roll(expectedNextOffset = 0, now = this.clock.now()): LogSegment {
    this.ensureOpen();
    const newBase = Math.max(expectedNextOffset, this.logEndOffsetValue);
    const old = this.active;
    if (old.baseOffset === newBase && old.size === 0) return old;
    old.onBecomeInactiveSegment();
    const seg = LogSegment.create(this.dir, newBase, {
      indexIntervalBytes: this.configValue.indexIntervalBytes,
      maxIndexSize: this.configValue.segmentIndexBytes,
      now,
    });
    this.segments.push(seg);
    this.producerState.updateMapEndOffset(newBase);
    try {
      this.producerState.takeSnapshot();
    } catch (err) {
      // Derived data: without this snapshot a recovery replays from an older one.
      this.logger.warn(`${this.dir}: could not write the producer snapshot at ${newBase}: ${(err as Error).message}`);
    }
    this.flush(newBase).catch((err) => this.logger.error(`${this.dir}: flush of rolled segment ${old.name} failed: ${(err as Error).message}`));
    return seg;
  }

  /**
   * Retention (docs/log-format.md): segments past retention.ms, then past retention.bytes (both when
   * cleanup.policy includes delete), then segments wholly below the log start offset. Whole segments
   * only; an expired active segment is rolled first. Returns how many segments were deleted.
   */
  deleteOldSegments(now = this.clock.now()): number {
    if (this.closed) return 0;
    const config = this.configValue;
    let deleted = 0;
    if (config.cleanupPolicy.includes('delete')) {
      if (config.retentionMs >= 0) {
        deleted += this.deleteSegmentsWhile((s) => now - s.largestTimestamp() > config.retentionMs, `retention.ms ${config.retentionMs}`, now);
      }
      if (config.retentionBytes >= 0) {
        let excess = this.size - config.retentionBytes;
        deleted += this.deleteSegmentsWhile(
          (s) => {
            if (excess - s.size < 0) return false;
            excess -= s.size;
            return true;
          },
          `retention.bytes ${config.retentionBytes}`,
          now,
        );
      }
    }
    deleted += this.deleteSegmentsWhile((_, next) => next !== undefined && next.baseOffset <= this.logStartOffsetValue, 'below the log start offset', now);
    return deleted;
  }

  /**
   * DeleteRecords: makes `offset` the log start offset (if it is higher), persists it, and deletes the
   * segments wholly below it. Returns the new log start offset (the low watermark).
   */
  deleteRecordsBefore(offset: number): number {
    this.ensureOpen();
    const hw = this.highWatermark;
    if (offset < 0 || offset > hw) {
      throw new KafkaError(ErrorCode.OFFSET_OUT_OF_RANGE, `cannot delete records before ${offset}: ${this.dir}'s high watermark is ${hw}`);
    }
    if (offset > this.logStartOffsetValue) {
      this.logStartOffsetValue = offset;
      this.checkpoint();
    }
    this.deleteSegmentsWhile((_, next) => next !== undefined && next.baseOffset <= this.logStartOffsetValue, 'below the log start offset', this.clock.now());
    return this.logStartOffsetValue;
  }

  /**
   * fsyncs every segment holding offsets in [recovery point, upTo) (default: the log end offset), then
   * advances the recovery point.
   */
  async flush(upTo = this.logEndOffsetValue): Promise<void> {
    if (this.closed) return;
    const target = Math.min(upTo, this.logEndOffsetValue);
    if (target >= this.logEndOffsetValue) {
      this.unflushed = 0;
      this.lastFlushTimeValue = this.clock.now();
    }
    const from = this.recoveryPointValue;
    if (target <= from) return;
    const toFlush = this.segments.filter((s, i) => {
      const next = this.segments[i + 1];
      return s.baseOffset < target && (next === undefined || next.baseOffset > from);
    });
    await Promise.all(toFlush.map((s) => s.flush()));
    if (target > this.recoveryPointValue) this.recoveryPointValue = target;
  }

  /** Writes the recovery point and log start offset checkpoints, if they changed. */
  checkpoint(): void {
    if (this.recoveryPointValue !== this.checkpointedRecoveryPoint) {
      this.recoveryPointFile.write(this.recoveryPointValue);
      this.checkpointedRecoveryPoint = this.recoveryPointValue;
    }
    if (this.logStartOffsetValue !== this.checkpointedLogStartOffset) {
      this.logStartOffsetFile.write(this.logStartOffsetValue);
      this.checkpointedLogStartOffset = this.logStartOffsetValue;
    }
  }

  /**
   * Removes everything at and after `offset` (to a batch boundary: a batch containing `offset` goes
   * whole), once no write is in flight. Below the log start offset or the first segment, the log is emptied and restarts at `offset`.
   */
  async truncateTo(offset: number): Promise<void> {
    this.ensureOpen();
    // A write landing after the cut would put the cut bytes back: wait until none is in flight.
    let busy: LogSegment | undefined;
    while ((busy = this.segments.find((s) => s.writing)) !== undefined) await busy.whenIdle();
    this.ensureOpen();
    if (offset >= this.logEndOffsetValue) return;
    this.writeOutAll();
    const now = this.clock.now();
    if (offset < this.logStartOffsetValue || offset < this.segments[0].baseOffset) {
      this.truncateFullyAndStartAt(offset, now);
      return;
    }
    while (this.segments.length > 1 && this.active.baseOffset > offset) this.segments.pop()!.delete();
    this.active.truncateTo(offset, now);
    this.logEndOffsetValue = this.active.nextOffset;
    this.recoveryPointValue = Math.min(this.recoveryPointValue, this.logEndOffsetValue);
    const replayFrom = this.producerState.truncateAndReload(this.segments[0].baseOffset, this.logEndOffsetValue, now);
    if (replayFrom !== undefined) rebuildProducerState(this.producerState, this.segments, { from: replayFrom, logStartOffset: this.logStartOffsetValue, now });
    this.checkpoint();
  }

  /** Deletes every segment and starts an empty log at `offset`. */
  truncateFullyAndStartAt(offset: number, now = this.clock.now()): void {
    this.ensureOpen();
    for (const s of this.segments) s.delete();
    this.unwritten = [];
    this.writingSegments.clear();
    this.segments = [
      LogSegment.create(this.dir, offset, {
        indexIntervalBytes: this.configValue.indexIntervalBytes,
        maxIndexSize: this.configValue.segmentIndexBytes,
        now,
      }),
    ];
    this.logStartOffsetValue = offset;
    this.logEndOffsetValue = offset;
    this.recoveryPointValue = offset;
    this.unflushed = 0;
    this.producerState.truncateFullyAndStartAt(offset);
    this.checkpoint();
  }

  /** Flushes everything, writes both checkpoints (recovery point = log end offset), closes the files. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.active.onBecomeInactiveSegment();
    await this.flush();
    try {
      this.producerState.takeSnapshot(true);
    } catch (err) {
      this.logger.warn(`${this.dir}: could not write the producer snapshot at ${this.logEndOffsetValue}: ${(err as Error).message}`);
    }
    this.checkpoint();
    this.closed = true;
    for (const s of this.segments) s.close();
  }

  /**
   * Closes without flushing and removes the directory: renamed to `<dir>.<id>-delete` first, so a
   * crash midway never leaves a half-deleted log that would be loaded again.
   */
  async delete(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      for (const s of this.segments) s.delete();
    }
    // `<topic>-<partition>.<uuid>-delete`, with the topic cut short when needed to stay within 255
    // bytes (as Kafka's logDeleteDirName does): a 249-character topic name is legal.
    const base = path.basename(this.dir);
    const dash = base.lastIndexOf('-');
    const tail = `${base.slice(dash)}.${randomUUID().replace(/-/g, '')}-delete`;
    const doomed = path.join(path.dirname(this.dir), base.slice(0, Math.min(dash, 255 - tail.length)) + tail);
    fs.renameSync(this.dir, doomed);
    await fs.promises.rm(doomed, { recursive: true, force: true });
  }

  private maybeRoll(messagesSize: number, maxTimestamp: number, firstOffset: number, lastOffset: number, now: number): LogSegment {
    const seg = this.active;
    if (messagesSize > INT32_MAX) throw new KafkaError(ErrorCode.RECORD_LIST_TOO_LARGE, `${messagesSize} bytes in one append`);
    const roll = seg.shouldRoll({
      segmentBytes: this.configValue.segmentBytes,
      segmentMs: this.configValue.segmentMs,
      messagesSize,
      maxTimestampInMessages: maxTimestamp,
      maxOffsetInMessages: lastOffset,
      now,
    });
    return roll ? this.roll(firstOffset, now) : seg;
  }

  /**
   * Deletes the oldest segments while `predicate` holds (never an empty active segment), rolling first
   * if the active segment goes too; then moves the log start offset up to the first segment left.
   */
  private deleteSegmentsWhile(predicate: (s: LogSegment, next: LogSegment | undefined) => boolean, why: string, now: number): number {
    const highWatermark = this.highWatermark;
    let n = 0;
    while (n < this.segments.length) {
      const s = this.segments[n];
      const next = this.segments[n + 1];
      if (next === undefined && s.size === 0) break;
      // As Kafka: only segments wholly below the high watermark (no bytes still waiting to be written).
      if ((next === undefined ? this.logEndOffsetValue : next.baseOffset) > highWatermark) break;
      if (!predicate(s, next)) break;
      n++;
    }
    if (n === 0) return 0;
    if (n === this.segments.length) this.roll(0, now);
    const doomed = this.segments.splice(0, n);
    for (const s of doomed) s.delete();
    const first = this.segments[0].baseOffset;
    this.logStartOffsetValue = Math.max(this.logStartOffsetValue, first);
    this.recoveryPointValue = Math.max(this.recoveryPointValue, first);
    // Producer state outlives the data it came from (KIP-360); only snapshots of removed ranges go.
    this.producerState.deleteSnapshotsBefore(first);
    this.checkpoint();
    this.logger.info(
      `${this.dir}: deleted ${n} segment(s) with base offsets ${doomed.map((s) => s.baseOffset).join(', ')} (${why}); ` +
        `log start offset ${this.logStartOffsetValue}`,
    );
    return n;
  }

  private ensureOpen(): void {
    if (this.closed) throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `${this.dir} is closed`);
  }
}
