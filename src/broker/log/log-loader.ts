/**
 * LogLoader: what opening a partition's log involves — Kafka's `LogLoader`. In `<log.dir>/<topic>-
 * <partition>/` it finishes or rolls back a compaction swap a crash cut short, removes leftovers
 * (`.tmp` and `.deleted` files, indexes whose segment is gone), reads the recovery-point and
 * log-start-offset checkpoints, opens every segment — recovering those that may hold unflushed data
 * (unless the shutdown was clean) and those whose indexes cannot be trusted, truncating a torn tail
 * and deleting the segments after it — and rebuilds the producer state from the latest usable
 * snapshot plus a replay of the log after it, refilling the `.txnindex` files that had to be rebuilt.
 * The crash-safety argument is in docs/log-format.md.
 *
 * `PartitionLog.open` runs it and starts the log from what it returns; the log replays producer
 * state again itself after a truncation (`rebuildProducerState`).
 *
 * Left out, compared with Kafka: a thread pool for loading (one segment after another here), and the
 * leader-epoch cache.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ProducerStateManager } from '../producer-state/producer-state-manager.js';
import { nextOffsetAfter } from './batch-header-cursor.js';
import { CheckpointFile, LOG_START_OFFSET_CHECKPOINT_FILE, RECOVERY_POINT_CHECKPOINT_FILE } from './checkpoint-file.js';
import type { LogConfig } from './log-config.js';
import {
  floorSegmentIndex,
  INDEX_FILE_SUFFIX,
  LOG_FILE_SUFFIX,
  LogSegment,
  parseSegmentFileName,
  type SegmentOptions,
  TIME_INDEX_FILE_SUFFIX,
} from './log-segment.js';
import type { LogLogger, PartitionLogOptions } from './partition-log.js';
import { recoverInterruptedSwaps } from './segment-swap.js';
import { TXN_INDEX_FILE_SUFFIX } from './transaction-index.js';

/** How much of the log a producer-state replay reads at a time. */
const REPLAY_CHUNK_BYTES = 1024 * 1024;

/** A log as loaded from its directory: what the PartitionLog starts from. */
export interface LoadedLog {
  /** Oldest first; the last is the active segment. Never empty. */
  segments: LogSegment[];
  logStartOffset: number;
  recoveryPoint: number;
  /** The checkpoints as found (undefined when absent or unreadable), so that unchanged ones are not rewritten. */
  checkpointed: { recoveryPoint?: number; logStartOffset?: number };
  /** Rebuilt up to the log end offset. */
  producerState: ProducerStateManager;
}

export class LogLoader {
  private readonly logger: LogLogger;

  constructor(
    readonly dir: string,
    private readonly config: LogConfig,
    private readonly opts: PartitionLogOptions,
  ) {
    this.logger = opts.logger;
  }

  /** Opens the log in `dir`, creating the directory (and an empty first segment) if need be. */
  load(): LoadedLog {
    const { dir, logger } = this;
    fs.mkdirSync(dir, { recursive: true });
    // Compaction cut short by a crash: `.cleaned` files are dropped, committed `.swap` files finished.
    recoverInterruptedSwaps(dir, logger);
    const bases = this.segmentBaseOffsets();

    const checkpointedStart = this.readCheckpoint(LOG_START_OFFSET_CHECKPOINT_FILE);
    const checkpointedRecoveryPoint = this.readCheckpoint(RECOVERY_POINT_CHECKPOINT_FILE);
    let recoveryPoint = checkpointedRecoveryPoint ?? 0;

    let segments: LogSegment[] = [];
    if (bases.length === 0) {
      segments.push(LogSegment.create(dir, checkpointedStart ?? 0, this.segmentOptions()));
    } else {
      segments = this.loadSegments(bases, recoveryPoint);
    }

    const logEndOffset = segments[segments.length - 1].nextOffset;
    let logStartOffset = Math.max(checkpointedStart ?? 0, segments[0].baseOffset);
    if (logStartOffset > logEndOffset) {
      logger.warn(`${dir}: log start offset ${logStartOffset} is beyond the log end offset ${logEndOffset}; restarting the log at ${logStartOffset}`);
      for (const s of segments) s.delete();
      segments = [LogSegment.create(dir, logStartOffset, this.segmentOptions())];
      recoveryPoint = logStartOffset;
    }
    recoveryPoint = Math.min(recoveryPoint, segments[segments.length - 1].nextOffset);
    logStartOffset = Math.max(logStartOffset, segments[0].baseOffset);

    const producerState = new ProducerStateManager(dir, path.basename(dir), { producerIdExpirationMs: this.opts.producerIdExpirationMs, logger });
    this.loadProducerState(producerState, segments, logStartOffset, recoveryPoint);
    return {
      segments,
      logStartOffset,
      recoveryPoint,
      checkpointed: { recoveryPoint: checkpointedRecoveryPoint, logStartOffset: checkpointedStart },
      producerState,
    };
  }

  /** The base offsets of the segments in the directory, sorted; removes what is left over from earlier runs. */
  private segmentBaseOffsets(): number[] {
    const { dir, logger } = this;
    const bases: number[] = [];
    const names = fs.readdirSync(dir);
    const logNames = new Set(names.filter((n) => parseSegmentFileName(n) !== undefined));
    for (const name of names) {
      if (name.endsWith('.tmp') || name.endsWith('.deleted')) {
        fs.rmSync(path.join(dir, name), { force: true });
        continue;
      }
      const base = parseSegmentFileName(name);
      if (base !== undefined) {
        bases.push(base);
        continue;
      }
      for (const suffix of [INDEX_FILE_SUFFIX, TIME_INDEX_FILE_SUFFIX, TXN_INDEX_FILE_SUFFIX]) {
        const indexBase = parseSegmentFileName(name, suffix);
        if (indexBase !== undefined && !logNames.has(name.slice(0, -suffix.length) + LOG_FILE_SUFFIX)) {
          logger.info(`${dir}: removing ${name}, whose segment no longer exists`);
          fs.rmSync(path.join(dir, name), { force: true });
        }
      }
    }
    return bases.sort((a, b) => a - b);
  }

  /** A checkpoint's offset; undefined when it is absent or unreadable (then the log itself decides). */
  private readCheckpoint(file: string): number | undefined {
    try {
      return new CheckpointFile(path.join(this.dir, file)).read();
    } catch (err) {
      this.logger.warn(`${this.dir}: ignoring ${file}: ${(err as Error).message}`);
      return undefined;
    }
  }

  private segmentOptions(): SegmentOptions {
    return { indexIntervalBytes: this.config.indexIntervalBytes, maxIndexSize: this.config.segmentIndexBytes, now: this.opts.clock.now() };
  }

  /**
   * Opens the segments at `bases`. A segment is recovered (re-read, indexes rebuilt) when it may hold
   * unflushed data after an unclean shutdown, or when its indexes do not agree with it; a torn batch
   * found there ends the log: the rest of that segment and every later one are removed.
   */
  private loadSegments(bases: number[], recoveryPoint: number): LogSegment[] {
    const { dir, logger } = this;
    const hadCleanShutdown = this.opts.hadCleanShutdown ?? false;
    const segments: LogSegment[] = [];
    let recovered = 0;
    for (let i = 0; i < bases.length; i++) {
      const seg = LogSegment.open(dir, bases[i], this.segmentOptions());
      segments.push(seg);
      const holdsUnflushed = i === bases.length - 1 || bases[i + 1] > recoveryPoint;
      let reason: string | undefined;
      if (!hadCleanShutdown && holdsUnflushed) reason = 'unflushed';
      else if (seg.indexProblem !== undefined) reason = seg.indexProblem;
      else reason = seg.loadTail();
      if (reason === undefined) continue;

      const result = seg.recover();
      // Aborted transactions are found again by the producer-state replay that follows.
      seg.txnIndexProblem = 'recovered';
      recovered++;
      if (reason !== 'unflushed') logger.warn(`${dir}: rebuilt the indexes of segment ${seg.name} (${reason})`);
      if (result.torn !== undefined) {
        const { offset, position, reason: why } = result.torn;
        logger.warn(
          `Recovered ${dir}: truncated a torn batch at offset ${offset} (position ${position} of segment ${seg.name}, ${why}), ` +
            `${result.truncatedBytes} bytes discarded`,
        );
        const later = bases.slice(i + 1);
        if (later.length > 0) {
          logger.warn(`Recovered ${dir}: deleting ${later.length} segment(s) after the truncation point (base offsets ${later.join(', ')})`);
          for (const base of later) LogSegment.open(dir, base, this.segmentOptions()).delete();
        }
        return segments;
      }
    }
    if (!hadCleanShutdown && recovered > 0) {
      const end = segments[segments.length - 1].nextOffset;
      logger.info(`Recovered ${dir}: re-read ${recovered} segment(s) from recovery point ${recoveryPoint}, log end offset ${end}, nothing truncated`);
    }
    return segments;
  }

  /**
   * Rebuilds the producer state: the latest valid snapshot at or below the recovery point (and at or
   * below the first segment whose `.txnindex` must be rebuilt), then a replay of the log after it,
   * which also refills those `.txnindex` files.
   */
  private loadProducerState(state: ProducerStateManager, segments: LogSegment[], logStartOffset: number, recoveryPoint: number): void {
    const now = this.opts.clock.now();
    const logEndOffset = segments[segments.length - 1].nextOffset;
    const untrusted = new Set(segments.filter((s) => s.txnIndexProblem !== undefined));
    let maxOffset = Math.min(recoveryPoint, logEndOffset);
    for (const s of untrusted) {
      if (s.txnIndexProblem !== 'recovered') this.logger.warn(`${this.dir}: rebuilding ${path.basename(s.txnIndex.file)} (${s.txnIndexProblem})`);
      s.txnIndex.reset();
      maxOffset = Math.min(maxOffset, s.baseOffset);
    }
    const first = segments[0].baseOffset;
    state.deleteSnapshotsBefore(first);
    state.deleteSnapshotsAfter(logEndOffset);
    const from = state.loadSnapshot({ minOffset: first, maxOffset, now }) ?? first;
    rebuildProducerState(state, segments, { from, logStartOffset, now }, untrusted);
    for (const s of untrusted) s.txnIndexProblem = undefined;
  }
}

/**
 * Applies the batches in [from, log end offset) to the producer state without checks (they were
 * checked when appended), adding the aborted transactions of the segments in `rebuildTxnIndexOf` to
 * their `.txnindex` (Kafka's `UnifiedLog.rebuildProducerState`, less the snapshot choice).
 */
export function rebuildProducerState(
  state: ProducerStateManager,
  segments: readonly LogSegment[],
  range: { from: number; logStartOffset: number; now: number },
  rebuildTxnIndexOf: ReadonlySet<LogSegment> = new Set(),
): void {
  const end = segments[segments.length - 1].nextOffset;
  let offset = range.from;
  for (let i = floorSegmentIndex(segments, range.from); i < segments.length && offset < end; i++) {
    const seg = segments[i];
    const onCompleted = rebuildTxnIndexOf.has(seg)
      ? (txn: { producerId: bigint; firstOffset: number; lastOffset: number; isAborted: boolean }, lastStableOffset: number) => {
          if (txn.isAborted) seg.txnIndex.append({ producerId: txn.producerId, firstOffset: txn.firstOffset, lastOffset: txn.lastOffset, lastStableOffset });
        }
      : undefined;
    for (;;) {
      const r = seg.read(offset, REPLAY_CHUNK_BYTES, seg.size, true);
      if (r === undefined || r.records.length === 0) break;
      const next = nextOffsetAfter(r.records);
      const analysis = state.analyze(r.records, 'replication', { now: range.now, logStartOffset: range.logStartOffset });
      state.apply(analysis, next, onCompleted);
      offset = next;
    }
  }
  state.updateMapEndOffset(end);
}
