/**
 * Test support for the log, used only by `*.test.ts` files: temporary directories, record batches
 * built with the protocol encoder, a capturing logger, and a reader that turns fetched bytes back
 * into (offset, timestamp, value) rows, and a per-test fixture that opens PartitionLogs in a fresh
 * directory with a manual clock and a capturing logger.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { decodeRecords, encodeRecordBatch, iterateBatches } from '../../protocol/record-batch.js';
import { ManualClock } from '../clock.js';
import { DEFAULT_LOG_CONFIG, type LogConfig } from './log-config.js';
import { PartitionLog, type LogLogger, type PartitionLogOptions } from './partition-log.js';

export function makeTmpDir(prefix = 'skein-log-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

export function testConfig(overrides: Partial<LogConfig> = {}): LogConfig {
  return { ...DEFAULT_LOG_CONFIG, ...overrides };
}

export interface TestBatchOptions {
  /** Values of the records, one record each. */
  values: string[];
  /** One timestamp per record; default: all `timestamp`. */
  timestamps?: number[];
  timestamp?: number;
  compression?: number;
}

/** A valid v2 batch (base offset 0, as a producer sends it). */
export function makeBatch(opts: TestBatchOptions): Buffer {
  const ts = opts.timestamp ?? 1_700_000_000_000;
  return encodeRecordBatch({
    records: opts.values.map((v, i) => ({
      key: null,
      value: Buffer.from(v),
      timestamp: BigInt(opts.timestamps?.[i] ?? ts),
    })),
    timestamp: BigInt(ts),
    compression: opts.compression,
  });
}

export interface Row {
  offset: number;
  timestamp: number;
  value: string;
}

/** Decodes every record of the fetched chunks. */
export function rowsOf(chunks: Buffer[]): Row[] {
  const rows: Row[] = [];
  for (const chunk of chunks) {
    for (const batch of iterateBatches(chunk)) {
      for (const r of decodeRecords(batch)) {
        rows.push({ offset: Number(r.offset), timestamp: Number(r.timestamp), value: r.value?.toString() ?? '' });
      }
    }
  }
  return rows;
}

/** Base offsets of the batches in the fetched chunks. */
export function batchBaseOffsets(chunks: Buffer[]): number[] {
  const out: number[] = [];
  for (const chunk of chunks) for (const b of iterateBatches(chunk)) out.push(Number(b.readBigInt64BE(0)));
  return out;
}

export interface CapturingLogger extends LogLogger {
  lines: string[];
}

export function capturingLogger(): CapturingLogger {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => lines.push(`INFO ${m}`),
    warn: (m) => lines.push(`WARN ${m}`),
    error: (m) => lines.push(`ERROR ${m}`),
  };
}

/** What `usePartitionLogFixture` gives each test; fields are fresh in every `beforeEach`. */
export class PartitionLogFixture {
  /** The temporary directory, removed after the test. */
  root = '';
  /** The partition's directory, `root/<partition>`. */
  dir = '';
  clock = new ManualClock();
  logger: CapturingLogger = capturingLogger();
  /** Logs closed after the test; drop one from here to abandon it as a crash would. */
  opened: PartitionLog[] = [];

  constructor(
    private readonly partition: string,
    private readonly startMs: number,
  ) {}

  /** Opens (or reopens) the partition's log with this fixture's clock and logger. */
  open(config: LogConfig, opts: Omit<PartitionLogOptions, 'clock' | 'logger'> = {}): PartitionLog {
    const log = PartitionLog.open(this.dir, config, { clock: this.clock, logger: this.logger, ...opts });
    this.opened.push(log);
    return log;
  }

  setUp(): void {
    this.root = makeTmpDir();
    this.dir = path.join(this.root, this.partition);
    this.clock = new ManualClock(this.startMs);
    this.logger = capturingLogger();
    this.opened = [];
  }

  async tearDown(): Promise<void> {
    for (const log of this.opened) await log.close().catch(() => {});
    removeDir(this.root);
  }
}

/**
 * Registers `beforeEach`/`afterEach` hooks in the calling `describe` that give every test a fresh
 * temporary directory, a ManualClock at `startMs` and a capturing logger, and close the logs it opened.
 */
export function usePartitionLogFixture(partition: string, startMs: number): PartitionLogFixture {
  const fixture = new PartitionLogFixture(partition, startMs);
  beforeEach(() => fixture.setUp());
  afterEach(() => fixture.tearDown());
  return fixture;
}
