import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LogSegment, parseSegmentFileName, segmentFileName } from './log-segment.js';
import { batchBaseOffsets, makeBatch, makeTmpDir, removeDir, rowsOf } from './testing.js';

const T0 = 1_700_000_000_000;

describe('segment file names', () => {
  it('are the base offset in 20 digits', () => {
    expect(segmentFileName(368769, '.log')).toBe('00000000000000368769.log');
    expect(parseSegmentFileName('00000000000000368769.log')).toBe(368769);
    expect(parseSegmentFileName('00000000000000368769.index', '.index')).toBe(368769);
    expect(parseSegmentFileName('368769.log')).toBeUndefined();
    expect(parseSegmentFileName('00000000000000368769.log.deleted')).toBeUndefined();
  });
});

describe('LogSegment', () => {
  let dir: string;
  let seg: LogSegment;
  const opts = { indexIntervalBytes: 100, maxIndexSize: 4096, now: T0 };

  beforeEach(() => {
    dir = makeTmpDir();
    seg = LogSegment.create(dir, 50, opts);
  });
  afterEach(() => {
    seg.close();
    removeDir(dir);
  });

  /** Appends one batch at `base` with the given record timestamps. */
  function put(base: number, timestamps: number[]): void {
    const b = makeBatch({ values: timestamps.map((t) => `at-${t}`), timestamps });
    b.writeBigInt64BE(BigInt(base), 0);
    const max = Math.max(...timestamps);
    seg.append(b, base + timestamps.length - 1, max, base + timestamps.length - 1);
  }

  it('reads whole batches from the one containing the start offset', () => {
    put(50, [T0, T0, T0]);
    put(53, [T0, T0]);
    put(60, [T0]); // a gap, as compaction leaves
    expect(seg.nextOffset).toBe(61);
    expect(batchBaseOffsets([seg.read(51, 1 << 20)!.records])).toEqual([50, 53, 60]);
    expect(batchBaseOffsets([seg.read(55, 1 << 20)!.records])).toEqual([60]);
    expect(seg.read(61, 1 << 20)).toBeUndefined();
    expect(seg.translateOffset(54)).toMatchObject({ baseOffset: 53, lastOffset: 54 });
  });

  it('stops at maxPosition and cuts partial batches', () => {
    put(50, [T0]);
    put(51, [T0]);
    const first = seg.translateOffset(51)!.position;
    expect(batchBaseOffsets([seg.read(50, 1 << 20, first)!.records])).toEqual([50]);
    expect(seg.read(51, 1 << 20, first)!.records.length).toBe(0);
    expect(batchBaseOffsets([seg.read(50, first + 10)!.records])).toEqual([50]);
  });

  it('recovers a healthy segment without change and rebuilds identical indexes', () => {
    for (let i = 0; i < 30; i++) put(50 + i * 2, [T0 + i, T0 + i + 1]);
    seg.onBecomeInactiveSegment();
    const idx = fs.readFileSync(path.join(dir, segmentFileName(50, '.index')));
    const tidx = fs.readFileSync(path.join(dir, segmentFileName(50, '.timeindex')));
    const before = { next: seg.nextOffset, max: seg.maxTimestamp, size: seg.size };
    expect(seg.recover()).toEqual({ validBytes: before.size, truncatedBytes: 0, torn: undefined });
    expect({ next: seg.nextOffset, max: seg.maxTimestamp, size: seg.size }).toEqual(before);
    expect(fs.readFileSync(path.join(dir, segmentFileName(50, '.index')))).toEqual(idx);
    expect(fs.readFileSync(path.join(dir, segmentFileName(50, '.timeindex')))).toEqual(tidx);
  });

  it('finds the first record at or after a timestamp, from a starting offset', () => {
    put(50, [T0 + 5, T0 + 1, T0 + 9]);
    put(53, [T0 + 2, T0 + 20]);
    expect(seg.findOffsetByTimestamp(T0 + 3)).toEqual({ offset: 50, timestamp: T0 + 5 });
    expect(seg.findOffsetByTimestamp(T0 + 3, 51)).toEqual({ offset: 52, timestamp: T0 + 9 });
    expect(seg.findOffsetByTimestamp(T0 + 10)).toEqual({ offset: 54, timestamp: T0 + 20 });
    expect(seg.findOffsetByTimestamp(T0 + 21)).toBeUndefined();
  });

  it('uses the wall clock for segment.ms when the first batch has no timestamp', () => {
    put(50, [-1]);
    const params = { segmentBytes: 1 << 30, segmentMs: 1000, messagesSize: 10, maxTimestampInMessages: -1, maxOffsetInMessages: 51 };
    expect(seg.shouldRoll({ ...params, now: T0 + 1000 })).toBe(false);
    expect(seg.shouldRoll({ ...params, now: T0 + 1001 })).toBe(true);
  });

  it('truncates to the start of the batch containing an offset', () => {
    put(50, [T0, T0 + 1]);
    put(52, [T0 + 5, T0 + 6]);
    const removed = seg.truncateTo(53, T0);
    expect(removed).toBeGreaterThan(0);
    expect(seg.nextOffset).toBe(52);
    expect(seg.maxTimestamp).toBe(T0 + 1);
    expect(rowsOf([seg.read(50, 1 << 20)!.records]).map((r) => r.offset)).toEqual([50, 51]);
  });

  it('waits for an fsync in flight before closing its files', async () => {
    put(50, [T0]);
    const flushing = seg.flush();
    seg.close();
    await expect(flushing).resolves.toBeUndefined();
    seg = LogSegment.create(dir, 999, opts); // for afterEach
  });
});
