/**
 * LogManager: every partition log on this broker, across its `log.dirs`. Kafka's `LogManager`:
 * loads the partition directories found at startup (recovering the ones a crash left unclean),
 * creates and deletes logs, and runs the periodic work — retention checks, time-based flush,
 * recovery-point checkpoints, and starting the log cleaner's rounds (compaction, in the background) —
 * off an injected clock. `shutdown()` leaves each log dir with a clean-shutdown marker so the next
 * start can skip validation (docs/log-format.md).
 *
 * Left out, compared with Kafka: `meta.properties`, offline log dirs (an I/O error is logged, not
 * isolated), future/moving replicas (`-future` dirs), and a thread pool for
 * loading logs in parallel (loading here is synchronous, one log at a time).
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import { topicPartitionKey } from '../../protocol/topic-partition.js';
import type { Clock, TimerHandle } from '../clock.js';
import { fsyncDirSync } from './file-io.js';
import type { CleanResult } from './cleaner.js';
import { LogCleaner, type LogCleanerConfig } from './log-cleaner.js';
import { DEFAULT_LOG_CONFIG, type LogConfig } from './log-config.js';
import { type LogLogger, PartitionLog } from './partition-log.js';

export const CLEAN_SHUTDOWN_FILE = '.skein_cleanshutdown';

/** Broker-level settings of the log layer, in Kafka's names converted to camelCase. */
export interface LogManagerConfig {
  /** log.dirs */
  logDirs: string[];
  /** log.cleaner.enable, log.cleaner.backoff.ms, and what tests inject into compaction. */
  cleaner?: LogCleanerConfig;
  /** log.retention.check.interval.ms (Kafka default 300000). */
  retentionCheckIntervalMs?: number;
  /** log.flush.scheduler.interval.ms: how often flush.ms is checked (Kafka default: never). */
  flushSchedulerIntervalMs?: number;
  /** log.flush.offset.checkpoint.interval.ms (Kafka default 60000). */
  flushOffsetCheckpointIntervalMs?: number;
  /** producer.id.expiration.ms: partitions forget producers idle this long (Kafka default 86400000). */
  producerIdExpirationMs?: number;
  /** producer.id.expiration.check.interval.ms (Kafka default 600000). */
  producerIdExpirationCheckIntervalMs?: number;
}

export interface LogManagerOptions {
  clock: Clock;
  logger: LogLogger;
  /** The effective configuration of a topic's logs (overrides on top of broker defaults). */
  topicConfig?: (topic: string) => LogConfig;
}

export interface TopicPartitionLog {
  topic: string;
  partition: number;
  log: PartitionLog;
}

interface Entry extends TopicPartitionLog {
  logDir: string;
}

const NEVER = Number.MAX_SAFE_INTEGER;
const LEGAL_TOPIC = /^[a-zA-Z0-9._-]+$/;
const PARTITION_DIR = /^(.+)-(\d+)$/;

export class LogManager {
  private readonly logs = new Map<string, Entry>();
  private readonly retentionCheckIntervalMs: number;
  private readonly flushSchedulerIntervalMs: number;
  private readonly checkpointIntervalMs: number;
  private readonly producerIdExpirationMs: number | undefined;
  private readonly producerExpiryCheckIntervalMs: number;
  private nextProducerExpiryCheck: number;
  private nextRetentionCheck: number;
  private nextFlushCheck: number;
  private nextCheckpoint: number;
  private timer: TimerHandle | undefined;
  private ticking: Promise<void> | undefined;
  /** A tick asked for while one runs, to run once it is done. */
  private nextTick: Promise<void> | undefined;
  private shutDown = false;
  /** Compaction of `cleanup.policy=compact` logs (docs/log-format.md, "Compaction"). */
  readonly cleaner: LogCleaner;

  private constructor(
    readonly logDirs: string[],
    config: LogManagerConfig,
    private readonly clock: Clock,
    private readonly logger: LogLogger,
    private readonly topicConfig: (topic: string) => LogConfig,
  ) {
    this.retentionCheckIntervalMs = config.retentionCheckIntervalMs ?? 300_000;
    this.flushSchedulerIntervalMs = config.flushSchedulerIntervalMs ?? NEVER;
    this.checkpointIntervalMs = config.flushOffsetCheckpointIntervalMs ?? 60_000;
    this.producerIdExpirationMs = config.producerIdExpirationMs;
    this.producerExpiryCheckIntervalMs = config.producerIdExpirationCheckIntervalMs ?? 600_000;
    const now = clock.now();
    this.nextProducerExpiryCheck = now + this.producerExpiryCheckIntervalMs;
    this.nextRetentionCheck = now + this.retentionCheckIntervalMs;
    this.nextFlushCheck = now + this.flushSchedulerIntervalMs;
    this.nextCheckpoint = now + this.checkpointIntervalMs;
    this.cleaner = new LogCleaner(config.cleaner ?? {}, clock, logger, () => this.logs.values());
  }

  /**
   * Opens every `<topic>-<partition>` directory in `log.dirs`. A log dir without a clean-shutdown
   * marker has its logs recovered; the marker is removed once the dir is loaded, before any append.
   */
  static open(config: LogManagerConfig, opts: LogManagerOptions): LogManager {
    if (config.logDirs.length === 0) throw new Error('log.dirs is empty');
    const logDirs = config.logDirs.map((d) => path.resolve(d));
    const manager = new LogManager(logDirs, config, opts.clock, opts.logger, opts.topicConfig ?? (() => DEFAULT_LOG_CONFIG));
    for (const logDir of logDirs) manager.loadLogDir(logDir);
    return manager;
  }

  private loadLogDir(logDir: string): void {
    // How long loading took, for the log: real elapsed time, not the broker's clock.
    const started = performance.now();
    fs.mkdirSync(logDir, { recursive: true });
    const marker = path.join(logDir, CLEAN_SHUTDOWN_FILE);
    const hadCleanShutdown = fs.existsSync(marker);
    let loaded = 0;
    for (const dirent of fs.readdirSync(logDir, { withFileTypes: true })) {
      if (!dirent.isDirectory()) continue;
      const name = dirent.name;
      const full = path.join(logDir, name);
      if (name.endsWith('-delete')) {
        this.logger.info(`Removing ${full}, a log deleted before the last shutdown`);
        fs.promises.rm(full, { recursive: true, force: true }).catch((err) => this.logger.error(`Could not remove ${full}: ${(err as Error).message}`));
        continue;
      }
      const m = PARTITION_DIR.exec(name);
      if (m === null || !LEGAL_TOPIC.test(m[1])) {
        this.logger.warn(`Ignoring ${full}: not a <topic>-<partition> directory`);
        continue;
      }
      const topic = m[1];
      const partition = Number(m[2]);
      const key = topicPartitionKey(topic, partition);
      const other = this.logs.get(key);
      if (other !== undefined) {
        throw new Error(`Duplicate log directories for ${topic}-${partition}: ${other.log.dir} and ${full}`);
      }
      const log = PartitionLog.open(full, this.topicConfig(topic), {
        clock: this.clock,
        logger: this.logger,
        hadCleanShutdown,
        producerIdExpirationMs: this.producerIdExpirationMs,
      });
      this.logs.set(key, { topic, partition, log, logDir });
      loaded++;
    }
    if (hadCleanShutdown) {
      fs.rmSync(marker, { force: true });
      fsyncDirSync(logDir);
    }
    this.logger.info(
      `Loaded ${loaded} log(s) from ${logDir} in ${Math.round(performance.now() - started)} ms (${hadCleanShutdown ? 'clean shutdown' : 'no clean-shutdown marker: recovered'})`,
    );
  }

  /**
   * Starts the periodic retention / flush / checkpoint work on the clock, every shortest interval
   * (not needed in tests: call `tick`, or advance a manual clock after `startup`).
   */
  startup(): void {
    if (this.timer !== undefined || this.shutDown) return;
    const period = Math.min(
      this.retentionCheckIntervalMs,
      this.flushSchedulerIntervalMs,
      this.checkpointIntervalMs,
      this.producerExpiryCheckIntervalMs,
      this.cleaner.backoff,
    );
    this.timer = this.clock.setInterval(() => void this.tick(), Math.max(10, period)).unref();
  }

  /**
   * Runs whichever periodic tasks are due at `now`: retention (log.retention.check.interval.ms),
   * flush of logs whose last flush is older than their flush.ms (log.flush.scheduler.interval.ms),
   * recovery-point checkpoints (log.flush.offset.checkpoint.interval.ms), expiry of idle producer ids
   * (producer.id.expiration.check.interval.ms). Never runs twice at once: a tick asked for while
   * one runs (a flush outlasting the timer's period, a manual clock advanced by many periods at once)
   * runs once that one is done — one, whatever the number of asks — at the clock's time then.
   */
  tick(now?: number): Promise<void> {
    if (this.ticking !== undefined) {
      this.nextTick ??= this.ticking
        .catch(() => undefined)
        .then(() => {
          this.nextTick = undefined;
          return this.tick(now);
        });
      return this.nextTick;
    }
    this.ticking = this.runDueTasks(now ?? this.clock.now()).finally(() => {
      this.ticking = undefined;
    });
    return this.ticking;
  }

  private async runDueTasks(now: number): Promise<void> {
    if (this.shutDown) return;
    if (now >= this.nextRetentionCheck) {
      this.nextRetentionCheck = nextDue(this.nextRetentionCheck, this.retentionCheckIntervalMs, now);
      for (const { log } of this.logs.values()) {
        try {
          log.deleteOldSegments(now);
        } catch (err) {
          this.logger.error(`Retention of ${log.dir} failed: ${(err as Error).message}`);
        }
      }
    }
    if (now >= this.nextFlushCheck) {
      this.nextFlushCheck = nextDue(this.nextFlushCheck, this.flushSchedulerIntervalMs, now);
      const flushes: Promise<void>[] = [];
      for (const { log } of this.logs.values()) {
        if (now - log.lastFlushTime >= log.config.flushMs) {
          flushes.push(log.flush().catch((err) => this.logger.error(`Flush of ${log.dir} failed: ${(err as Error).message}`)));
        }
      }
      await Promise.all(flushes);
    }
    if (now >= this.nextCheckpoint) {
      this.nextCheckpoint = nextDue(this.nextCheckpoint, this.checkpointIntervalMs, now);
      this.checkpointLogs();
    }
    // In the background: a round reads and writes in bounded steps and must not hold up the tick.
    this.cleaner.maybeStart(now);
    if (now >= this.nextProducerExpiryCheck) {
      this.nextProducerExpiryCheck = nextDue(this.nextProducerExpiryCheck, this.producerExpiryCheckIntervalMs, now);
      for (const { log } of this.logs.values()) {
        const removed = log.removeExpiredProducers(now);
        if (removed > 0) this.logger.info(`${log.dir}: expired ${removed} idle producer id(s)`);
      }
    }
  }

  /** Writes each log's recovery point and log start offset checkpoints (those that changed). */
  checkpointLogs(): void {
    for (const { log } of this.logs.values()) {
      try {
        log.checkpoint();
      } catch (err) {
        this.logger.error(`Checkpoint of ${log.dir} failed: ${(err as Error).message}`);
      }
    }
  }

  /**
   * The log of a partition, created if it does not exist (in the log dir holding the fewest logs).
   * `config` defaults to the topic's configuration.
   */
  createLog(topic: string, partition: number, config: LogConfig = this.topicConfig(topic)): PartitionLog {
    this.ensureRunning();
    const existing = this.logs.get(topicPartitionKey(topic, partition));
    if (existing !== undefined) return existing.log;
    if (!LEGAL_TOPIC.test(topic) || topic === '.' || topic === '..') {
      throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, `illegal topic name ${JSON.stringify(topic)}`);
    }
    if (!Number.isSafeInteger(partition) || partition < 0) {
      throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `illegal partition ${partition}`);
    }
    const counts = new Map<string, number>(this.logDirs.map((d) => [d, 0]));
    for (const e of this.logs.values()) counts.set(e.logDir, (counts.get(e.logDir) ?? 0) + 1);
    let logDir = this.logDirs[0];
    for (const d of this.logDirs) if (counts.get(d)! < counts.get(logDir)!) logDir = d;
    const log = PartitionLog.open(path.join(logDir, `${topic}-${partition}`), config, {
      clock: this.clock,
      logger: this.logger,
      producerIdExpirationMs: this.producerIdExpirationMs,
    });
    this.logs.set(topicPartitionKey(topic, partition), { topic, partition, log, logDir });
    this.logger.info(`Created log for ${topic}-${partition} in ${logDir}`);
    return log;
  }

  /**
   * Runs a compaction round on a partition's log now, whatever its dirty ratio (after any round in
   * progress); for tests and tools. UNKNOWN_TOPIC_OR_PARTITION if there is no such log.
   */
  cleanNow(topic: string, partition: number): Promise<CleanResult> {
    const entry = this.logs.get(topicPartitionKey(topic, partition));
    if (entry === undefined) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `no log for ${topic}-${partition}`);
    return this.cleaner.cleanNow(entry);
  }

  getLog(topic: string, partition: number): PartitionLog | undefined {
    return this.logs.get(topicPartitionKey(topic, partition))?.log;
  }

  /** Every log, in no particular order. */
  allLogs(): TopicPartitionLog[] {
    return [...this.logs.values()].map(({ topic, partition, log }) => ({ topic, partition, log }));
  }

  /** Deletes a partition's log and its directory. False if there was no such log. */
  async deleteLog(topic: string, partition: number): Promise<boolean> {
    const key = topicPartitionKey(topic, partition);
    const entry = this.logs.get(key);
    if (entry === undefined) return false;
    this.logs.delete(key);
    await this.cleaner.abort(entry.log);
    await entry.log.delete();
    this.logger.info(`Deleted log for ${topic}-${partition}`);
    return true;
  }

  /**
   * Stops the scheduler, flushes and closes every log (writing its checkpoints), then marks each log
   * dir whose logs all closed cleanly with the clean-shutdown marker.
   */
  async shutdown(): Promise<void> {
    if (this.shutDown) return;
    this.shutDown = true;
    this.timer?.cancel();
    if (this.ticking !== undefined) await (this.nextTick ?? this.ticking).catch(() => {});
    await this.cleaner.shutdown();
    const failedDirs = new Set<string>();
    await Promise.all(
      [...this.logs.values()].map(async (e) => {
        try {
          await e.log.close();
        } catch (err) {
          failedDirs.add(e.logDir);
          this.logger.error(`Closing ${e.log.dir} failed: ${(err as Error).message}`);
        }
      }),
    );
    for (const logDir of this.logDirs) {
      if (failedDirs.has(logDir)) continue;
      const fd = fs.openSync(path.join(logDir, CLEAN_SHUTDOWN_FILE), 'w', 0o644);
      fs.fsyncSync(fd);
      fs.closeSync(fd);
      fsyncDirSync(logDir);
    }
    this.logger.info(`Log manager shut down: ${this.logs.size} log(s) closed`);
  }

  private ensureRunning(): void {
    if (this.shutDown) throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, 'the log manager is shut down');
  }
}

/**
 * When a periodic task that was due at `due` and ran at `now` (≥ `due`) is due again: on its own
 * schedule, every `period` from the first (fixed rate, as Kafka's scheduler runs them), skipping the
 * runs a slow tick or a clock moved far at once has missed. Staying on that schedule keeps the task
 * in step with the timer that ticks at the shortest period: a run never slips past a tick.
 */
function nextDue(due: number, period: number, now: number): number {
  return due + (Math.floor((now - due) / period) + 1) * period;
}
