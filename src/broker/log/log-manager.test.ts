import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../clock.js';
import { CLEAN_SHUTDOWN_FILE, LogManager, type LogManagerConfig } from './log-manager.js';
import { type CapturingLogger, capturingLogger, makeBatch, makeTmpDir, removeDir, rowsOf, testConfig } from './testing.js';

const T0 = 1_700_000_000_000;

describe('LogManager', () => {
  let root: string;
  let dirs: string[];
  let clock: ManualClock;
  let logger: CapturingLogger;
  let managers: LogManager[];

  beforeEach(() => {
    root = makeTmpDir();
    dirs = [path.join(root, 'a'), path.join(root, 'b')];
    clock = new ManualClock(T0);
    logger = capturingLogger();
    managers = [];
  });
  afterEach(async () => {
    for (const m of managers) await m.shutdown().catch(() => {});
    removeDir(root);
  });

  function open(config: Partial<LogManagerConfig> = {}, topicConfig = testConfig()): LogManager {
    const m = LogManager.open({ logDirs: dirs, ...config }, { clock, logger, topicConfig: () => topicConfig });
    managers.push(m);
    return m;
  }

  it('spreads new logs over the log dirs and opens them again after a clean shutdown', async () => {
    const m = open();
    for (let p = 0; p < 4; p++) {
      const log = m.createLog('orders', p);
      log.append(makeBatch({ values: [`p${p}-a`, `p${p}-b`] }));
    }
    m.createLog('my-topic.v2', 0).append(makeBatch({ values: ['x'] }));
    expect(fs.readdirSync(dirs[0]).length).toBeGreaterThanOrEqual(2);
    expect(fs.readdirSync(dirs[1]).length).toBeGreaterThanOrEqual(2);
    await m.shutdown();
    for (const d of dirs) expect(fs.existsSync(path.join(d, CLEAN_SHUTDOWN_FILE))).toBe(true);

    const again = open();
    for (const d of dirs) expect(fs.existsSync(path.join(d, CLEAN_SHUTDOWN_FILE))).toBe(false);
    expect(again.allLogs()).toHaveLength(5);
    expect(rowsOf(again.getLog('orders', 3)!.read(0, 1 << 20).records).map((r) => r.value)).toEqual(['p3-a', 'p3-b']);
    expect(again.getLog('my-topic.v2', 0)!.logEndOffset).toBe(1);
    expect(logger.lines.filter((l) => l.includes('clean shutdown)'))).toHaveLength(2);
    expect(logger.lines.some((l) => l.startsWith('WARN'))).toBe(false);
  });

  it('recovers logs when the last run did not shut down cleanly', () => {
    const m = open();
    const log = m.createLog('orders', 0);
    log.append(makeBatch({ values: ['a'] }));
    log.append(makeBatch({ values: ['b'] }));
    // kill -9: no shutdown; then the last batch is torn.
    const file = path.join(log.dir, '00000000000000000000.log');
    fs.truncateSync(file, fs.statSync(file).size - 3);

    const again = open();
    const reopened = again.getLog('orders', 0)!;
    expect(reopened.logEndOffset).toBe(1);
    expect(logger.lines.some((l) => l.includes('no clean-shutdown marker: recovered'))).toBe(true);
    expect(logger.lines.some((l) => /truncated a torn batch at offset 1 .* bytes discarded/.test(l))).toBe(true);
  });

  it('deletes logs, and finishes deletions a crash interrupted', async () => {
    const m = open();
    const log = m.createLog('orders', 0);
    log.append(makeBatch({ values: ['a'] }));
    expect(await m.deleteLog('orders', 0)).toBe(true);
    expect(m.getLog('orders', 0)).toBeUndefined();
    expect(await m.deleteLog('orders', 0)).toBe(false);
    expect(fs.readdirSync(dirs[0]).filter((n) => n.startsWith('orders'))).toEqual([]);

    const leftover = path.join(dirs[1], 'orders-1.0123abcd-delete');
    fs.mkdirSync(leftover, { recursive: true });
    fs.writeFileSync(path.join(leftover, '00000000000000000000.log'), 'x');
    await m.shutdown();
    const again = open();
    expect(again.allLogs()).toEqual([]);
    await vi.waitFor(() => expect(fs.existsSync(leftover)).toBe(false));
  });

  it('rejects topic names that are not legal', () => {
    const m = open();
    expect(() => m.createLog('../evil', 0)).toThrow(/illegal topic/);
  });

  it('runs retention every log.retention.check.interval.ms of the injected clock', async () => {
    const size = makeBatch({ values: ['x'] }).length;
    const m = open({ retentionCheckIntervalMs: 1000 }, testConfig({ segmentBytes: size, retentionMs: 5000 }));
    const log = m.createLog('events', 0);
    for (let i = 0; i < 3; i++) log.append(makeBatch({ values: ['x'], timestamp: T0 + i }));
    clock.advance(5100);
    await m.tick();
    expect(log.logStartOffset).toBe(3);
    expect(log.numberOfSegments).toBe(1);
  });

  it('flushes logs whose last flush is older than flush.ms', async () => {
    const m = open({ flushSchedulerIntervalMs: 100 }, testConfig({ flushMs: 1000 }));
    const log = m.createLog('events', 0);
    log.append(makeBatch({ values: ['x', 'y'] }));
    clock.advance(500);
    await m.tick();
    expect(log.recoveryPoint).toBe(0);
    clock.advance(600);
    await m.tick();
    expect(log.recoveryPoint).toBe(2);
  });

  it('checkpoints recovery points every log.flush.offset.checkpoint.interval.ms', async () => {
    const m = open({ flushOffsetCheckpointIntervalMs: 1000 });
    const log = m.createLog('events', 0);
    log.append(makeBatch({ values: ['x'] }));
    await log.flush();
    const file = path.join(log.dir, 'recovery-point-offset-checkpoint');
    expect(fs.readFileSync(file, 'utf8')).toBe('0\n0\n');
    clock.advance(1000);
    await m.tick();
    expect(fs.readFileSync(file, 'utf8')).toBe('0\n1\n');
  });
});
