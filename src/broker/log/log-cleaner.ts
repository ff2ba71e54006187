/**
 * LogCleaner: which compacted log to clean, when, and how far each has been cleaned — Kafka's
 * `LogCleaner` and `LogCleanerManager` for one cleaner (docs/log-format.md, "Compaction" → "When a
 * log is cleaned"). The `Cleaner` does the round itself.
 *
 * Rounds run one at a time, in the background of the LogManager's tick: `maybeStart` begins a round
 * on the filthiest log (highest dirty ratio above its min.cleanable.dirty.ratio) and returns at once.
 * After a round that found work the next is looked for at the next tick; otherwise after
 * log.cleaner.backoff.ms. `cleanNow` runs a round on one log whatever its ratio.
 *
 * `cleaner-offset-checkpoint` (one per partition directory, like Skein's other checkpoints) holds the
 * first dirty offset; it is written after each completed round.
 *
 * Left out, compared with Kafka: several cleaner threads, I/O throttling, max.compaction.lag.ms,
 * and the per-log-dir checkpoint file. Added: a log whose last round kept tombstones is cleaned again
 * once their delete horizon has passed, whatever its dirty ratio (remembered in memory only).
 */
import path from 'node:path';
import type { Clock } from '../clock.js';
import { CheckpointFile } from './checkpoint-file.js';
import { Cleaner, CleanerAbortedError, type CleanResult, type LogToClean } from './cleaner.js';
import type { LogLogger, PartitionLog } from './partition-log.js';
import type { SwapStep } from './segment-swap.js';
import { type CleanerTransactionHooks, transactionAwareHooks } from './transaction-aware-filter.js';

export const CLEANER_OFFSET_CHECKPOINT_FILE = 'cleaner-offset-checkpoint';

export interface LogCleanerConfig {
  /** log.cleaner.enable: whether `maybeStart` runs rounds (`cleanNow` always does). Default true. */
  enable?: boolean;
  /** log.cleaner.backoff.ms: the wait after a look found nothing to clean. Default 15000. */
  backoffMs?: number;
  /** Keys the offset map of one round may hold. Default 1,000,000. */
  maxMapEntries?: number;
  /** Bytes read at a time between yields to the event loop. Default 1 MiB. */
  ioChunkBytes?: number;
  /** What compaction asks the transaction layer; default `transactionAwareHooks` (Kafka's behaviour). */
  hooks?: CleanerTransactionHooks;
  /** Tests: throwing at a swap step simulates a crash there. */
  onSwapStep?: (step: SwapStep) => void;
}

/** A log the cleaner may work on. */
export interface CleanerLogEntry {
  topic: string;
  partition: number;
  log: PartitionLog;
}

/** Where a log stands: Kafka's `LogToClean`. */
export interface CleanableLog extends LogToClean {
  topic: string;
  partition: number;
  /** Bytes of the segments in [log start, first dirty offset). */
  cleanBytes: number;
  /** Bytes of the segments in [first dirty offset, first uncleanable offset). */
  cleanableBytes: number;
  /** cleanableBytes / (cleanBytes + cleanableBytes), 0 for an empty log. */
  cleanableRatio: number;
}

export class LogCleaner {
  private readonly cleaner: Cleaner;
  private readonly enable: boolean;
  private readonly backoffMs: number;
  private readonly hooks: CleanerTransactionHooks;
  private readonly checkpoints = new WeakMap<PartitionLog, number | undefined>();
  private readonly uncleanable = new WeakSet<PartitionLog>();
  /** The earliest delete horizon the last round of each log left in it (Skein's extra trigger). */
  private readonly deleteHorizons = new WeakMap<PartitionLog, number>();
  private readonly aborting = new Set<PartitionLog>();
  /** Every round, queued one after another; never rejects. */
  private chain: Promise<unknown> = Promise.resolve();
  private background = false;
  private nextRun: number;
  private shutDown = false;

  constructor(
    config: LogCleanerConfig,
    private readonly clock: Clock,
    private readonly logger: LogLogger,
    private readonly logs: () => Iterable<CleanerLogEntry>,
  ) {
    this.enable = config.enable ?? true;
    this.backoffMs = config.backoffMs ?? 15_000;
    this.hooks = config.hooks ?? transactionAwareHooks;
    this.cleaner = new Cleaner(
      { maxMapEntries: config.maxMapEntries ?? 1_000_000, ioChunkBytes: config.ioChunkBytes ?? 1024 * 1024, hooks: this.hooks, onSwapStep: config.onSwapStep },
      clock,
      logger,
    );
    this.nextRun = clock.now();
  }

  /** How long to wait between looks when nothing was cleanable. */
  get backoff(): number {
    return this.backoffMs;
  }

  /**
   * If the cleaner is enabled and due, starts one round on the filthiest log in the background and
   * returns at once (`idle()` resolves when it is done). Does nothing while a round runs.
   */
  maybeStart(now = this.clock.now()): void {
    if (!this.enable || this.shutDown || this.background || now < this.nextRun) return;
    this.background = true;
    void this.exclusive(async () => {
      let target: CleanableLog | undefined;
      try {
        target = this.grabFilthiestCompactedLog(now);
        if (target === undefined) {
          this.nextRun = now + this.backoffMs;
          return;
        }
        await this.runRound(target);
        this.nextRun = now;
      } catch (err) {
        this.nextRun = now + this.backoffMs;
        if (!(err instanceof CleanerAbortedError)) this.logger.error(`Log cleaner: ${(err as Error).message}`);
      } finally {
        this.background = false;
      }
    });
  }

  /**
   * Runs a round on `entry`'s log now, whatever its dirty ratio, after any round in progress.
   * Rejects if the round fails (the log is then marked uncleanable) or is aborted.
   */
  cleanNow(entry: CleanerLogEntry): Promise<CleanResult> {
    return this.exclusive(() => this.runRound(this.cleanableOffsets(entry, this.clock.now())));
  }

  /** Resolves once no round is running or queued. */
  async idle(): Promise<void> {
    await this.chain;
  }

  /** Stops any round on `log` (its `.cleaned` files are removed) and waits until none runs: before the log is deleted. */
  async abort(log: PartitionLog): Promise<void> {
    this.aborting.add(log);
    try {
      await this.chain;
    } finally {
      this.aborting.delete(log);
    }
  }

  /** Stops the round in progress, if any, and starts no more. */
  async shutdown(): Promise<void> {
    this.shutDown = true;
    await this.chain;
  }

  /**
   * The log with the highest dirty ratio among the compacted logs above their
   * min.cleanable.dirty.ratio (or whose tombstones' delete horizon has passed); undefined if none.
   */
  grabFilthiestCompactedLog(now = this.clock.now()): CleanableLog | undefined {
    let best: CleanableLog | undefined;
    for (const entry of this.logs()) {
      const log = entry.log;
      if (!log.config.cleanupPolicy.includes('compact') || this.uncleanable.has(log)) continue;
      const c = this.cleanableOffsets(entry, now);
      if (c.cleanBytes + c.cleanableBytes === 0) continue;
      const dirtyEnough = c.cleanableBytes > 0 && c.cleanableRatio > log.config.minCleanableDirtyRatio;
      const horizonPassed = (this.deleteHorizons.get(log) ?? Infinity) <= now;
      if ((dirtyEnough || horizonPassed) && (best === undefined || c.cleanableRatio > best.cleanableRatio)) best = c;
    }
    return best;
  }

  /** The first dirty and first uncleanable offsets of a log, and its dirty ratio (docs/log-format.md). */
  cleanableOffsets(entry: CleanerLogEntry, now: number): CleanableLog {
    const { log, topic, partition } = entry;
    const segments = log.logSegments();
    const checkpointed = this.firstDirtyCheckpoint(log);
    const firstDirtyOffset =
      checkpointed === undefined || checkpointed < log.logStartOffset || checkpointed > log.logEndOffset ? log.logStartOffset : checkpointed;
    let firstUncleanableOffset = Math.min(segments[segments.length - 1].baseOffset, this.hooks.lastStableOffset(log));
    const lag = log.config.minCompactionLagMs;
    if (lag > 0 && firstDirtyOffset < firstUncleanableOffset) {
      const young = log.logSegments(firstDirtyOffset, firstUncleanableOffset).find((s) => s.largestTimestamp() > now - lag);
      if (young !== undefined) firstUncleanableOffset = young.baseOffset;
    }
    const bytes = (from: number, to: number): number => (from < to ? log.logSegments(from, to).reduce((n, s) => n + s.size, 0) : 0);
    const cleanBytes = bytes(log.logStartOffset, Math.min(firstDirtyOffset, firstUncleanableOffset));
    const cleanableBytes = bytes(firstDirtyOffset, firstUncleanableOffset);
    const total = cleanBytes + cleanableBytes;
    return {
      topic,
      partition,
      log,
      firstDirtyOffset,
      firstUncleanableOffset,
      cleanBytes,
      cleanableBytes,
      cleanableRatio: total === 0 ? 0 : cleanableBytes / total,
    };
  }

  private async runRound(target: CleanableLog): Promise<CleanResult> {
    const { log } = target;
    let result: CleanResult;
    try {
      result = await this.cleaner.clean(target, () => this.shutDown || this.aborting.has(log));
    } catch (err) {
      if (!(err instanceof CleanerAbortedError)) {
        this.uncleanable.add(log);
        this.logger.error(
          `Cleaning ${target.topic}-${target.partition} failed; it will not be cleaned again until restart ` +
            `(an interrupted swap is completed when the log is next opened): ${(err as Error).message}`,
        );
      }
      throw err;
    }
    this.writeCheckpoint(log, result.endOffset);
    const horizon = result.earliestDeleteHorizon;
    if (horizon !== undefined && horizon > this.clock.now()) this.deleteHorizons.set(log, horizon);
    else this.deleteHorizons.delete(log);
    return result;
  }

  private firstDirtyCheckpoint(log: PartitionLog): number | undefined {
    if (this.checkpoints.has(log)) return this.checkpoints.get(log);
    let offset: number | undefined;
    try {
      offset = new CheckpointFile(path.join(log.dir, CLEANER_OFFSET_CHECKPOINT_FILE)).read();
    } catch (err) {
      this.logger.warn(`${log.dir}: ignoring ${CLEANER_OFFSET_CHECKPOINT_FILE}: ${(err as Error).message}`);
    }
    this.checkpoints.set(log, offset);
    return offset;
  }

  private writeCheckpoint(log: PartitionLog, offset: number): void {
    if (this.checkpoints.has(log) && this.checkpoints.get(log) === offset) return;
    try {
      new CheckpointFile(path.join(log.dir, CLEANER_OFFSET_CHECKPOINT_FILE)).write(offset);
      this.checkpoints.set(log, offset);
    } catch (err) {
      this.logger.error(`${log.dir}: could not write ${CLEANER_OFFSET_CHECKPOINT_FILE}: ${(err as Error).message}`);
    }
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn);
    this.chain = run.catch(() => {});
    return run;
  }
}
