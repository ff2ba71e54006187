import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { filesEndingWith, keyedBatch, readRows, T0, tableOf } from './compaction-testing.js';
import { CLEANER_OFFSET_CHECKPOINT_FILE, LogCleaner } from './log-cleaner.js';
import type { LogConfig } from './log-config.js';
import { LogManager } from './log-manager.js';
import type { PartitionLog } from './partition-log.js';
import { type CapturingLogger, capturingLogger, makeTmpDir, removeDir, testConfig } from './testing.js';

const COMPACT: Partial<LogConfig> = { cleanupPolicy: ['compact'], minCleanableDirtyRatio: 0.5, deleteRetentionMs: 1000 };

describe('LogCleaner', () => {
  let root: string;
  let clock: ManualClock;
  let logger: CapturingLogger;
  let managers: LogManager[];

  beforeEach(() => {
    root = makeTmpDir();
    clock = new ManualClock(T0);
    logger = capturingLogger();
    managers = [];
  });
  afterEach(async () => {
    for (const m of managers) await m.shutdown().catch(() => {});
    removeDir(root);
  });

  function open(configs: Record<string, Partial<LogConfig>>, cleaner: { enable?: boolean; backoffMs?: number } = {}): LogManager {
    const m = LogManager.open(
      { logDirs: [root], retentionCheckIntervalMs: 1 << 30, flushOffsetCheckpointIntervalMs: 1 << 30, cleaner },
      { clock, logger, topicConfig: (topic) => testConfig(configs[topic] ?? {}) },
    );
    managers.push(m);
    return m;
  }

  /** `n` segments of one record each over keys k0..k(keys-1), then an active segment. */
  function fill(log: PartitionLog, n: number, keys: number): void {
    for (let i = 0; i < n; i++) {
      log.append(keyedBatch([[`k${i % keys}`, `v${i}`]]));
      log.roll();
    }
    log.append(keyedBatch([['active', 'x']]));
  }

  it('measures the dirty ratio from the checkpoint and cleans the filthiest log above its minimum', async () => {
    const m = open({ a: COMPACT, b: COMPACT, plain: {} });
    const a = m.createLog('a', 0);
    const b = m.createLog('b', 0);
    fill(a, 4, 2);
    fill(b, 4, 4);
    fill(m.createLog('plain', 0), 4, 1);
    const cleaner = m.cleaner;

    expect(cleaner.cleanableOffsets({ topic: 'a', partition: 0, log: a }, clock.now())).toMatchObject({
      firstDirtyOffset: 0,
      firstUncleanableOffset: 4,
      cleanBytes: 0,
      cleanableRatio: 1,
    });
    await m.cleanNow('b', 0);
    expect(fs.readFileSync(path.join(b.dir, CLEANER_OFFSET_CHECKPOINT_FILE), 'utf8')).toBe('0\n4\n');
    expect(cleaner.cleanableOffsets({ topic: 'b', partition: 0, log: b }, clock.now())).toMatchObject({ firstDirtyOffset: 4, cleanableBytes: 0 });
    // b is clean; a is all dirty; `plain` is not compacted.
    expect(cleaner.grabFilthiestCompactedLog()?.topic).toBe('a');

    // Two new dirty segments on top of b's four clean ones: 2/6 is below b's minimum of 0.5.
    b.roll();
    b.append(keyedBatch([['k0', 'new']]));
    b.roll();
    b.append(keyedBatch([['k1', 'new']]));
    b.roll();
    await m.cleanNow('a', 0);
    const bState = cleaner.cleanableOffsets({ topic: 'b', partition: 0, log: b }, clock.now());
    expect(bState.cleanableRatio).toBeGreaterThan(0);
    expect(bState.cleanableRatio).toBeLessThan(0.5);
    expect(cleaner.grabFilthiestCompactedLog()).toBeUndefined();
  });

  it('ignores a checkpoint outside the log and starts from the log start offset', () => {
    const m = open({ t: COMPACT });
    const log = m.createLog('t', 0);
    fill(log, 3, 3);
    fs.writeFileSync(path.join(log.dir, CLEANER_OFFSET_CHECKPOINT_FILE), '0\n99\n');
    const cleaner = new LogCleaner({}, clock, logger, () => []);
    expect(cleaner.cleanableOffsets({ topic: 't', partition: 0, log }, clock.now()).firstDirtyOffset).toBe(0);
  });

  it('runs from the LogManager tick in the background, and backs off when nothing is cleanable', async () => {
    const m = open({ t: { ...COMPACT, minCleanableDirtyRatio: 0.01 } }, { backoffMs: 10_000 });
    const log = m.createLog('t', 0);
    fill(log, 4, 1);
    await m.tick();
    await m.cleaner.idle();
    expect(readRows(log).map((r) => r.value)).toEqual(['v3', 'x']);
    expect(logger.lines.some((l) => l.includes('cleaned offsets up to 4'))).toBe(true);

    // Nothing dirty now: the next look finds nothing, and the one after waits for the backoff.
    await m.tick();
    await m.cleaner.idle();
    log.roll();
    log.append(keyedBatch([['k0', 'again']]));
    log.roll();
    const lines = logger.lines.length;
    clock.advance(5_000);
    await m.tick();
    await m.cleaner.idle();
    expect(logger.lines.slice(lines).some((l) => l.includes('cleaned offsets'))).toBe(false);
    clock.advance(5_000);
    await m.tick();
    await m.cleaner.idle();
    expect(readRows(log).map((r) => r.value)).toEqual(['x', 'again']);
  });

  it('does not clean from the tick when log.cleaner.enable is false; cleanNow still works', async () => {
    const m = open({ t: { ...COMPACT, minCleanableDirtyRatio: 0.01 } }, { enable: false });
    const log = m.createLog('t', 0);
    fill(log, 3, 1);
    await m.tick(clock.now() + 1_000_000);
    await m.cleaner.idle();
    expect(readRows(log)).toHaveLength(4);
    await m.cleanNow('t', 0);
    expect(readRows(log)).toHaveLength(2);
  });

  it('cleans a quiet log again once its tombstones are past their delete horizon', async () => {
    const m = open({ t: { ...COMPACT, minCleanableDirtyRatio: 0.9 } });
    const log = m.createLog('t', 0);
    log.append(keyedBatch([['gone', 'v']]));
    log.append(keyedBatch([['gone', null]]));
    log.append(keyedBatch([['kept', 'v']]));
    log.roll();
    log.append(keyedBatch([['active', 'x']]));
    const table = tableOf(readRows(log));
    await m.tick();
    await m.cleaner.idle();
    expect(readRows(log).map((r) => r.offset)).toEqual([1, 2, 3]);
    expect(m.cleaner.grabFilthiestCompactedLog()).toBeUndefined();

    clock.advance(1000);
    expect(m.cleaner.grabFilthiestCompactedLog()?.topic).toBe('t');
    await m.tick();
    await m.cleaner.idle();
    expect(readRows(log).map((r) => r.offset)).toEqual([2, 3]);
    expect(tableOf(readRows(log))).toEqual(table);
    expect(m.cleaner.grabFilthiestCompactedLog()).toBeUndefined();
  });

  it('aborts a round on a log being deleted, leaving no cleaned files behind', async () => {
    const m = open({ t: COMPACT });
    const log = m.createLog('t', 0);
    fill(log, 20, 3);
    const dir = log.dir;
    const round = m.cleanNow('t', 0);
    const deleted = m.deleteLog('t', 0);
    await expect(round).rejects.toThrow(/aborted/);
    await deleted;
    expect(fs.existsSync(dir)).toBe(false);
    expect(filesEndingWith(root, '.cleaned')).toEqual([]);
  });

  it('stops the round in progress at shutdown; the next start cleans from the checkpoint', async () => {
    const m = open({ t: COMPACT });
    const log = m.createLog('t', 0);
    fill(log, 20, 3);
    const round = m.cleanNow('t', 0);
    await m.shutdown();
    await expect(round).rejects.toThrow(/aborted/);
    expect(filesEndingWith(path.join(root, 't-0'), '.cleaned')).toEqual([]);

    const again = open({ t: COMPACT });
    const reopened = again.getLog('t', 0)!;
    expect(readRows(reopened)).toHaveLength(21);
    await again.cleanNow('t', 0);
    expect(readRows(reopened).map((r) => r.value)).toEqual(['v17', 'v18', 'v19', 'x']);
  });
});
