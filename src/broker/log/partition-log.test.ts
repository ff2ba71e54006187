import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { OffsetSpec } from '../../protocol/apis/list-offsets.js';
import { Compression } from '../../protocol/batch-header.js';
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import type { LogConfig } from './log-config.js';
import { segmentFileName } from './log-segment.js';
import { PartitionLog } from './partition-log.js';
import { batchBaseOffsets, makeBatch, type Row, rowsOf, testConfig, usePartitionLogFixture } from './testing.js';

const T0 = 1_700_000_000_000;
const BIG = 1 << 30;

function expectOutOfRange(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(KafkaError);
    expect((err as KafkaError).code).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    return;
  }
  throw new Error('expected OFFSET_OUT_OF_RANGE');
}

describe('PartitionLog', () => {
  const fx = usePartitionLogFixture('orders-0', T0);

  function open(overrides: Partial<LogConfig> = {}, hadCleanShutdown = false): PartitionLog {
    return fx.open(testConfig(overrides), { hadCleanShutdown });
  }

  /** Appends `n` batches of `perBatch` records; returns every row written, in order. */
  function appendMany(log: PartitionLog, n: number, perBatch: (i: number) => number = () => 2): Row[] {
    const rows: Row[] = [];
    for (let i = 0; i < n; i++) {
      const count = perBatch(i);
      const values = Array.from({ length: count }, (_, j) => `b${i}-r${j}`);
      const timestamps = values.map((_, j) => T0 + i * 10 + j);
      const info = log.append(makeBatch({ values, timestamps }));
      expect(info.firstOffset).toBe(rows.length);
      expect(info.lastOffset).toBe(rows.length + count - 1);
      values.forEach((value, j) => rows.push({ offset: info.firstOffset + j, timestamp: timestamps[j], value }));
    }
    return rows;
  }

  const segmentFiles = (ext: string) =>
    fs
      .readdirSync(fx.dir)
      .filter((f) => f.endsWith(ext))
      .sort();

  describe('append and read', () => {
    it('round-trips batches across many segments', () => {
      const log = open({ segmentBytes: 1000, indexIntervalBytes: 150 });
      const rows = appendMany(log, 300, (i) => (i % 4) + 1);
      expect(log.numberOfSegments).toBeGreaterThan(20);
      expect(log.logEndOffset).toBe(rows.length);
      expect(segmentFiles('.log')[1]).toBe(segmentFileName(log.segmentBaseOffsets[1], '.log'));

      const all = log.read(0, BIG);
      expect(rowsOf(all.records)).toEqual(rows);
      expect(all.logEndOffset).toBe(rows.length);

      // Every offset can be fetched, and the answer starts with the batch holding it.
      for (const row of rows) {
        const first = rowsOf(log.read(row.offset, 1).records);
        expect(first[0].offset).toBeLessThanOrEqual(row.offset);
        expect(first.map((r) => r.offset)).toContain(row.offset);
      }
    });

    it('assigns offsets to several batches in one append', () => {
      const log = open();
      const buf = Buffer.concat([makeBatch({ values: ['a', 'b'] }), makeBatch({ values: ['c'] }), makeBatch({ values: ['d', 'e', 'f'] })]);
      const info = log.append(buf);
      expect(info).toMatchObject({ firstOffset: 0, lastOffset: 5, recordCount: 6, logStartOffset: 0, logAppendTime: -1 });
      expect(batchBaseOffsets(log.read(0, BIG).records)).toEqual([0, 2, 3]);
      expect(log.append(makeBatch({ values: ['g'] })).firstOffset).toBe(6);
    });

    it('returns the whole batch when the fetch offset is inside it', () => {
      const log = open();
      log.append(makeBatch({ values: ['a', 'b', 'c', 'd', 'e'] }));
      log.append(makeBatch({ values: ['f', 'g', 'h', 'i', 'j'] }));
      const rows = rowsOf(log.read(7, BIG).records);
      expect(rows.map((r) => r.offset)).toEqual([5, 6, 7, 8, 9]);
    });

    it('limits to maxBytes in whole batches, but always returns a first batch larger than that', () => {
      const log = open();
      for (let i = 0; i < 5; i++) log.append(makeBatch({ values: [`value-${i}`] }));
      const size = log.read(0, BIG).sizeInBytes / 5;
      expect(batchBaseOffsets(log.read(0, size * 2 + size / 2).records)).toEqual([0, 1]);
      expect(batchBaseOffsets(log.read(0, 10).records)).toEqual([0]);
      expect(log.read(0, 10).sizeInBytes).toBe(size);
      expect(log.read(0, 10, { minOneBatch: false }).records).toEqual([]);
    });

    it('stops before the upper bound offset', () => {
      const log = open({ segmentBytes: 250 });
      appendMany(log, 10, () => 2);
      expect(batchBaseOffsets(log.read(0, BIG, { upperBoundOffset: 8 }).records)).toEqual([0, 2, 4, 6]);
      expect(batchBaseOffsets(log.read(5, BIG, { upperBoundOffset: 7 }).records)).toEqual([4]);
      expect(log.read(8, BIG, { upperBoundOffset: 8 }).records).toEqual([]);
    });

    it('answers OFFSET_OUT_OF_RANGE outside [log start, log end], and nothing at the log end', () => {
      const log = open();
      appendMany(log, 3);
      expectOutOfRange(() => log.read(-1, BIG));
      expectOutOfRange(() => log.read(7, BIG));
      expect(log.read(6, BIG).records).toEqual([]);
      log.deleteRecordsBefore(3);
      expectOutOfRange(() => log.read(2, BIG));
      expect(rowsOf(log.read(3, BIG).records)[0].offset).toBe(2);
    });

    it('stamps LogAppendTime topics with the broker clock and a valid CRC', () => {
      const log = open({ messageTimestampType: 'LogAppendTime' });
      fx.clock.advance(5000);
      const info = log.append(makeBatch({ values: ['a', 'b'], timestamp: 42 }));
      expect(info.logAppendTime).toBe(T0 + 5000);
      const rows = rowsOf(log.read(0, BIG).records); // decodeRecords verifies the CRC
      expect(rows.map((r) => r.timestamp)).toEqual([T0 + 5000, T0 + 5000]);
    });

    it('can append batches that keep their offsets (assignOffsets: false), but not backwards', () => {
      const log = open();
      const b = makeBatch({ values: ['a'] });
      b.writeBigInt64BE(10n, 0);
      expect(log.append(b, { assignOffsets: false }).firstOffset).toBe(10);
      expect(log.logEndOffset).toBe(11);
      const back = makeBatch({ values: ['b'] });
      back.writeBigInt64BE(5n, 0);
      expect(() => log.append(back, { assignOffsets: false })).toThrow(KafkaError);
    });
  });

  describe('roll', () => {
    it('rolls when the next append would pass segment.bytes', () => {
      const size = makeBatch({ values: ['x'] }).length;
      const log = open({ segmentBytes: size * 3 });
      for (let i = 0; i < 7; i++) log.append(makeBatch({ values: ['x'] }));
      expect(log.segmentBaseOffsets).toEqual([0, 3, 6]);
      expect(segmentFiles('.log')).toEqual([0, 3, 6].map((b) => segmentFileName(b, '.log')));
    });

    it('rolls when the new batch is more than segment.ms newer than the first batch', () => {
      const log = open({ segmentMs: 1000 });
      const at = () => makeBatch({ values: ['x'], timestamp: fx.clock.now() });
      log.append(at());
      fx.clock.advance(600);
      log.append(at());
      fx.clock.advance(600);
      log.append(at());
      expect(log.segmentBaseOffsets).toEqual([0, 2]);
    });

    it('rolls when the offset index is full', () => {
      const log = open({ segmentIndexBytes: 16, indexIntervalBytes: 1 });
      for (let i = 0; i < 6; i++) log.append(makeBatch({ values: ['x'] }));
      expect(log.segmentBaseOffsets.length).toBeGreaterThan(1);
      expect(rowsOf(log.read(0, BIG).records).map((r) => r.offset)).toEqual([0, 1, 2, 3, 4, 5]);
    });

    it('fsyncs the rolled segment in the background and moves the recovery point to the new segment', async () => {
      const size = makeBatch({ values: ['x'] }).length;
      const log = open({ segmentBytes: size * 2 });
      for (let i = 0; i < 3; i++) log.append(makeBatch({ values: ['x'] }));
      await vi.waitFor(() => expect(log.recoveryPoint).toBe(2));
    });
  });

  describe('retention', () => {
    it('deletes whole segments past retention.ms and persists the new log start offset', async () => {
      const size = makeBatch({ values: ['x'] }).length;
      const log = open({ segmentBytes: size * 2, retentionMs: 10_000 });
      for (let i = 0; i < 6; i++) log.append(makeBatch({ values: ['x'], timestamp: T0 + i * 1000 }));
      expect(log.segmentBaseOffsets).toEqual([0, 2, 4]);
      expect(log.deleteOldSegments(T0 + 11_000)).toBe(0);
      // Segment [0, 2) has max timestamp T0+1000: expired once now - it > 10 s.
      expect(log.deleteOldSegments(T0 + 11_001)).toBe(1);
      expect(log.segmentBaseOffsets).toEqual([2, 4]);
      expect(log.logStartOffset).toBe(2);
      expect(fs.existsSync(path.join(fx.dir, segmentFileName(0, '.log')))).toBe(false);
      expect(fs.existsSync(path.join(fx.dir, segmentFileName(0, '.index')))).toBe(false);
      expectOutOfRange(() => log.read(1, BIG));

      const reopened = open({}, false); // crash-style reopen: the checkpoint was written at deletion
      expect(reopened.logStartOffset).toBe(2);
    });

    it('rolls an expired active segment first, leaving an empty log at the log end offset', () => {
      const log = open({ retentionMs: 1000 });
      appendMany(log, 3);
      expect(log.deleteOldSegments(T0 + 60_000)).toBe(1);
      expect(log.numberOfSegments).toBe(1);
      expect(log.logStartOffset).toBe(6);
      expect(log.logEndOffset).toBe(6);
      expect(log.read(6, BIG).records).toEqual([]);
      expect(log.append(makeBatch({ values: ['z'] })).firstOffset).toBe(6);
    });

    it('deletes the oldest segments while the log stays at or above retention.bytes', async () => {
      const size = makeBatch({ values: ['x'] }).length;
      const log = open({ segmentBytes: size * 2, retentionBytes: size * 3 });
      for (let i = 0; i < 7; i++) log.append(makeBatch({ values: ['x'] }));
      expect(log.size).toBe(size * 7);
      // excess = 4 batches: the two oldest 2-batch segments fit in it.
      expect(log.deleteOldSegments()).toBe(2);
      expect(log.segmentBaseOffsets).toEqual([4, 6]);
      expect(log.logStartOffset).toBe(4);
      expect(log.deleteOldSegments()).toBe(0);
      await log.close();
      const reopened = open({}, true);
      expect(reopened.logStartOffset).toBe(4);
      expect(rowsOf(reopened.read(4, BIG).records).map((r) => r.offset)).toEqual([4, 5, 6]);
    });

    it('keeps everything under cleanup.policy=compact', () => {
      const log = open({ retentionMs: 1, cleanupPolicy: ['compact'] });
      appendMany(log, 3);
      expect(log.deleteOldSegments(T0 + 60_000)).toBe(0);
    });
  });

  describe('deleteRecordsBefore', () => {
    it('advances the log start offset inside a segment and deletes the segments wholly below it', () => {
      const size = makeBatch({ values: ['b10-r0', 'b10-r1'] }).length;
      const log = open({ segmentBytes: size * 2 });
      appendMany(log, 6); // segments [0,4) [4,8) [8,12)
      expect(log.segmentBaseOffsets).toEqual([0, 4, 8]);
      expect(log.deleteRecordsBefore(5)).toBe(5);
      expect(log.segmentBaseOffsets).toEqual([4, 8]);
      expect(log.logStartOffset).toBe(5);
      expectOutOfRange(() => log.read(4, BIG));
      expect(log.deleteRecordsBefore(3)).toBe(5);
      expectOutOfRange(() => log.deleteRecordsBefore(13));
      expect(log.deleteRecordsBefore(12)).toBe(12);
      expect(log.segmentBaseOffsets).toEqual([8]);

      const reopened = open();
      expect(reopened.logStartOffset).toBe(12);
      expect(reopened.logEndOffset).toBe(12);
    });
  });

  describe('fetchOffsetByTimestamp', () => {
    it('finds the first record at or after a timestamp inside one batch', () => {
      const log = open();
      log.append(makeBatch({ values: ['a', 'b', 'c', 'd'], timestamps: [100, 300, 200, 400] }));
      expect(log.fetchOffsetByTimestamp(100)).toEqual({ offset: 0, timestamp: 100 });
      expect(log.fetchOffsetByTimestamp(150)).toEqual({ offset: 1, timestamp: 300 });
      expect(log.fetchOffsetByTimestamp(250)).toEqual({ offset: 1, timestamp: 300 });
      expect(log.fetchOffsetByTimestamp(301)).toEqual({ offset: 3, timestamp: 400 });
      expect(log.fetchOffsetByTimestamp(401)).toBeUndefined();
    });

    it('finds the first qualifying record across segments, with timestamps out of order', () => {
      const log = open({ segmentBytes: 600, indexIntervalBytes: 100 });
      // Deterministic pseudo-random timestamps, going back and forth.
      let seed = 7;
      const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
      const rows: Row[] = [];
      for (let i = 0; i < 120; i++) {
        const values = ['a', 'b', 'c'];
        const timestamps = values.map(() => Math.floor(T0 + i * 50 + rand() * 2000 - 1000));
        const info = log.append(makeBatch({ values, timestamps }));
        values.forEach((value, j) => rows.push({ offset: info.firstOffset + j, timestamp: timestamps[j], value }));
      }
      expect(log.numberOfSegments).toBeGreaterThan(5);
      for (let q = T0 - 1200; q < T0 + 120 * 50 + 1200; q += 37) {
        const want = rows.find((r) => r.timestamp >= q);
        const got = log.fetchOffsetByTimestamp(q);
        expect(got, `timestamp ${q}`).toEqual(want === undefined ? undefined : { offset: want.offset, timestamp: want.timestamp });
      }
    });

    it('answers the special timestamps: earliest, latest, max', () => {
      const log = open();
      log.append(makeBatch({ values: ['a', 'b'], timestamps: [T0, T0 + 900] }));
      log.append(makeBatch({ values: ['c', 'd'], timestamps: [T0 + 500, T0 + 900] }));
      log.deleteRecordsBefore(1);
      expect(log.fetchOffsetByTimestamp(Number(OffsetSpec.earliest))).toEqual({ offset: 1, timestamp: -1 });
      expect(log.fetchOffsetByTimestamp(Number(OffsetSpec.latest))).toEqual({ offset: 4, timestamp: -1 });
      expect(log.fetchOffsetByTimestamp(Number(OffsetSpec.maxTimestamp))).toEqual({ offset: 1, timestamp: T0 + 900 });
      expect(log.fetchOffsetByTimestamp(T0)).toEqual({ offset: 1, timestamp: T0 + 900 });
    });

    it('reads compressed batches', () => {
      const log = open();
      log.append(makeBatch({ values: ['a', 'b', 'c'], timestamps: [10, 30, 20], compression: Compression.gzip }));
      expect(log.fetchOffsetByTimestamp(25)).toEqual({ offset: 1, timestamp: 30 });
    });

    it('still works after the time index is rebuilt on reopen', async () => {
      const log = open({ segmentBytes: 400, indexIntervalBytes: 50 });
      const rows = appendMany(log, 30);
      await log.close();
      for (const f of segmentFiles('.timeindex')) fs.rmSync(path.join(fx.dir, f));
      const reopened = open({ segmentBytes: 400, indexIntervalBytes: 50 }, true);
      for (const r of rows) expect(reopened.fetchOffsetByTimestamp(r.timestamp)?.offset).toBe(r.offset);
    });
  });

  describe('reopen and recovery', () => {
    it('keeps every batch at the same offset after a clean close', async () => {
      const log = open({ segmentBytes: 500, indexIntervalBytes: 100 });
      const rows = appendMany(log, 40);
      await log.close();
      expect(fs.readFileSync(path.join(fx.dir, 'recovery-point-offset-checkpoint'), 'utf8')).toBe(`0\n${rows.length}\n`);
      const reopened = open({ segmentBytes: 500, indexIntervalBytes: 100 }, true);
      expect(reopened.logEndOffset).toBe(rows.length);
      expect(rowsOf(reopened.read(0, BIG).records)).toEqual(rows);
      expect(reopened.append(makeBatch({ values: ['next'] })).firstOffset).toBe(rows.length);
      expect(fx.logger.lines.filter((l) => l.startsWith('WARN'))).toEqual([]);
    });

    it('keeps every batch at the same offset after a crash (no close)', () => {
      const log = open({ segmentBytes: 500, indexIntervalBytes: 100 });
      const rows = appendMany(log, 40);
      const reopened = open({ segmentBytes: 500, indexIntervalBytes: 100 });
      expect(reopened.logEndOffset).toBe(rows.length);
      expect(rowsOf(reopened.read(0, BIG).records)).toEqual(rows);
      expect(reopened.append(makeBatch({ values: ['next'] })).firstOffset).toBe(rows.length);
      expect(fx.logger.lines.some((l) => /Recovered .*nothing truncated/.test(l))).toBe(true);
    });

    it('truncates a torn tail (file cut mid-batch), reports it, and appends at the right offset', () => {
      const log = open({ segmentBytes: 500 });
      const rows = appendMany(log, 20);
      const lastLog = path.join(fx.dir, segmentFileName(log.segmentBaseOffsets.at(-1)!, '.log'));
      const lastBatch = log.read(rows.length - 1, BIG);
      const lastBatchRows = rowsOf(lastBatch.records);
      const fileSize = fs.statSync(lastLog).size;
      fs.truncateSync(lastLog, fileSize - 10);

      const reopened = open({ segmentBytes: 500 });
      const tornAt = lastBatchRows[0].offset;
      expect(reopened.logEndOffset).toBe(tornAt);
      expect(rowsOf(reopened.read(0, BIG).records)).toEqual(rows.slice(0, tornAt));
      const warning = fx.logger.lines.find((l) => l.includes('truncated a torn batch'));
      expect(warning).toMatch(
        new RegExp(
          `Recovered ${fx.dir}: truncated a torn batch at offset ${tornAt} \\(position ${fileSize - lastBatch.sizeInBytes} of segment \\d{20}\\.log, incomplete batch .*\\), ${lastBatch.sizeInBytes - 10} bytes discarded`,
        ),
      );
      expect(reopened.append(makeBatch({ values: ['again'] })).firstOffset).toBe(tornAt);
      expect(rowsOf(reopened.read(tornAt, BIG).records)[0].value).toBe('again');
    });

    it('truncates a last batch whose bytes were scribbled over (CRC mismatch)', () => {
      const log = open();
      const rows = appendMany(log, 5);
      const file = path.join(fx.dir, segmentFileName(0, '.log'));
      const size = fs.statSync(file).size;
      const fd = fs.openSync(file, 'r+');
      fs.writeSync(fd, Buffer.from('garbage!'), 0, 8, size - 12);
      fs.closeSync(fd);

      const reopened = open();
      expect(reopened.logEndOffset).toBe(8);
      expect(rowsOf(reopened.read(0, BIG).records)).toEqual(rows.slice(0, 8));
      expect(fx.logger.lines.find((l) => l.includes('truncated a torn batch'))).toMatch(/at offset 8 .*CRC mismatch\), \d+ bytes discarded/);
    });

    it('drops the segments after a truncation point in an earlier segment', () => {
      const size = makeBatch({ values: ['b10-r0', 'b10-r1'] }).length;
      const log = open({ segmentBytes: size * 2 });
      const rows = appendMany(log, 6); // segments at 0, 4, 8
      const file = path.join(fx.dir, segmentFileName(4, '.log'));
      const fd = fs.openSync(file, 'r+');
      fs.writeSync(fd, Buffer.from([0xff]), 0, 1, size + 40); // inside the second batch of segment 4
      fs.closeSync(fd);

      const reopened = open({ segmentBytes: size * 2 });
      expect(reopened.segmentBaseOffsets).toEqual([0, 4]);
      expect(reopened.logEndOffset).toBe(6);
      expect(rowsOf(reopened.read(0, BIG).records)).toEqual(rows.slice(0, 6));
      expect(fs.existsSync(path.join(fx.dir, segmentFileName(8, '.log')))).toBe(false);
      expect(fx.logger.lines.some((l) => l.includes('deleting 1 segment(s) after the truncation point'))).toBe(true);
    });

    it('restarts at the log start offset when a crash lost data DeleteRecords had already passed', () => {
      const log = open();
      appendMany(log, 3);
      log.deleteRecordsBefore(6);
      const file = path.join(fx.dir, segmentFileName(0, '.log'));
      fs.truncateSync(file, fs.statSync(file).size - 5);
      const reopened = open();
      expect(reopened.logStartOffset).toBe(6);
      expect(reopened.logEndOffset).toBe(6);
      expect(reopened.segmentBaseOffsets).toEqual([6]);
      expect(reopened.append(makeBatch({ values: ['n'] })).firstOffset).toBe(6);
    });

    it('rebuilds a deleted .index and a corrupt .timeindex, byte for byte', async () => {
      const config = { segmentBytes: 2000, indexIntervalBytes: 120 };
      const log = open(config);
      const rows = appendMany(log, 60);
      await log.close();
      const idx = path.join(fx.dir, segmentFileName(0, '.index'));
      const tidx = path.join(fx.dir, segmentFileName(log.segmentBaseOffsets[1], '.timeindex'));
      const idxBytes = fs.readFileSync(idx);
      const tidxBytes = fs.readFileSync(tidx);
      expect(idxBytes.length).toBeGreaterThan(16);
      fs.rmSync(idx);
      fs.writeFileSync(tidx, Buffer.concat([tidxBytes, Buffer.from([1, 2, 3])]));

      const reopened = open(config, true);
      expect(fx.logger.lines.filter((l) => l.includes('rebuilt the indexes'))).toHaveLength(2);
      expect(fs.readFileSync(idx)).toEqual(idxBytes);
      expect(fs.readFileSync(tidx)).toEqual(tidxBytes);
      expect(rowsOf(reopened.read(0, BIG).records)).toEqual(rows);
    });

    it('rebuilds an index whose last entry points past the log', async () => {
      const log = open({ indexIntervalBytes: 100 });
      appendMany(log, 20);
      await log.close();
      const idx = path.join(fx.dir, segmentFileName(0, '.index'));
      const extra = Buffer.alloc(8);
      extra.writeInt32BE(1000, 0);
      extra.writeInt32BE(1_000_000, 4);
      fs.appendFileSync(idx, extra);
      const reopened = open({ indexIntervalBytes: 100 }, true);
      expect(fx.logger.lines.some((l) => l.includes('rebuilt the indexes') && l.includes('beyond'))).toBe(true);
      expect(reopened.logEndOffset).toBe(40);
    });
  });

  describe('flush policy', () => {
    it('fsyncs after flush.messages and advances the recovery point', async () => {
      const log = open({ flushMessages: 5 });
      expect(log.append(makeBatch({ values: ['a', 'b'] })).flushed).toBeUndefined();
      const info = log.append(makeBatch({ values: ['c', 'd', 'e'] }));
      expect(info.flushed).toBeInstanceOf(Promise);
      await info.flushed;
      expect(log.recoveryPoint).toBe(5);
      expect(log.unflushedMessages).toBe(0);
    });
  });

  describe('truncateTo', () => {
    it('removes whole batches from the one containing the offset, across segments', async () => {
      const size = makeBatch({ values: ['b10-r0', 'b10-r1'] }).length;
      const log = open({ segmentBytes: size * 2 });
      const rows = appendMany(log, 6);
      await log.truncateTo(7);
      expect(log.logEndOffset).toBe(6);
      expect(log.segmentBaseOffsets).toEqual([0, 4]);
      expect(rowsOf(log.read(0, BIG).records)).toEqual(rows.slice(0, 6));
      expect(log.append(makeBatch({ values: ['n'] })).firstOffset).toBe(6);
    });
  });

  it('delete() removes the directory', async () => {
    const log = open();
    appendMany(log, 2);
    await log.delete();
    expect(fs.readdirSync(fx.root)).toEqual([]);
  });
});
