import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { OffsetSpec } from '../../protocol/apis/list-offsets.js';
import { Attr, Compression, readBatchHeader } from '../../protocol/batch-header.js';
import { encodeControlBatch } from '../../protocol/control-record.js';
import { decodeRecordBatch } from '../../protocol/record-batch.js';
import { groupSegmentsBySize } from './cleaner.js';
import { filesEndingWith, keyedBatch, type KeyedRow, readBatches, readRows, T0, tableOf } from './compaction-testing.js';
import { CLEANER_OFFSET_CHECKPOINT_FILE, LogCleaner, type LogCleanerConfig } from './log-cleaner.js';
import type { LogConfig } from './log-config.js';
import { segmentFileName } from './log-segment.js';
import { PartitionLog } from './partition-log.js';
import type { SwapStep } from './segment-swap.js';
import { nonTransactionalHooks } from './transaction-aware-filter.js';
import { testConfig, usePartitionLogFixture } from './testing.js';

const COMPACT: Partial<LogConfig> = { cleanupPolicy: ['compact'], deleteRetentionMs: 1000, minCleanableDirtyRatio: 0.01 };

describe('Cleaner', () => {
  const fx = usePartitionLogFixture('table-0', T0);

  function open(overrides: Partial<LogConfig> = {}): PartitionLog {
    return fx.open(testConfig({ ...COMPACT, ...overrides }));
  }

  /** Opens the directory again as after a crash: the old instance is abandoned, not closed. */
  function reopenAfterCrash(overrides: Partial<LogConfig> = {}): PartitionLog {
    fx.opened = [];
    return open(overrides);
  }

  function clean(log: PartitionLog, config: LogCleanerConfig = {}) {
    const cleaner = new LogCleaner({ ioChunkBytes: 200, ...config }, fx.clock, fx.logger, () => [{ topic: 'table', partition: 0, log }]);
    return cleaner.cleanNow({ topic: 'table', partition: 0, log });
  }

  /** Appends each batch; a `'roll'` entry starts a new segment. */
  function write(log: PartitionLog, items: Array<Buffer | 'roll'>): void {
    for (const item of items) {
      if (item === 'roll') log.roll();
      else log.append(item);
    }
  }

  const rowsAt = (rows: KeyedRow[]) => rows.map((r) => [r.offset, r.key, r.value]);

  it('keeps the latest record of each key across segments at its original offset, and leaves the active segment alone', async () => {
    const log = open();
    write(log, [
      keyedBatch([
        ['a', 'a1'],
        ['b', 'b1'],
      ]),
      keyedBatch([['c', 'c1']]),
      'roll',
      keyedBatch([
        ['a', 'a2'],
        ['d', 'd1'],
      ]),
      keyedBatch([['b', 'b2']]),
      'roll',
      keyedBatch([['a', 'a3']]),
      'roll',
      keyedBatch([['c', 'c2']]),
    ]);
    const before = readRows(log);
    const activeFile = path.join(fx.dir, segmentFileName(7, '.log'));
    const activeBytes = fs.readFileSync(activeFile);

    const result = await clean(log);

    expect(result.endOffset).toBe(7);
    expect(rowsAt(readRows(log))).toEqual([
      [2, 'c', 'c1'], // c's later value is in the active segment, which the round does not map
      [4, 'd', 'd1'],
      [5, 'b', 'b2'],
      [6, 'a', 'a3'],
      [7, 'c', 'c2'],
    ]);
    expect(tableOf(readRows(log))).toEqual(tableOf(before));
    expect(log.segmentBaseOffsets).toEqual([0, 7]);
    expect(fs.readFileSync(activeFile).equals(activeBytes)).toBe(true);
    expect(log.logStartOffset).toBe(0);
    expect(log.logEndOffset).toBe(8);
    expect(log.fetchOffsetByTimestamp(Number(OffsetSpec.earliest))?.offset).toBe(0);
    expect(fs.readFileSync(path.join(fx.dir, CLEANER_OFFSET_CHECKPOINT_FILE), 'utf8')).toBe('0\n7\n');
    expect(filesEndingWith(fx.dir, '.cleaned')).toEqual([]);
    expect(filesEndingWith(fx.dir, '.swap')).toEqual([]);
  });

  it('answers a fetch at a removed offset with the next batch, whose records keep their offsets', async () => {
    const log = open();
    write(log, [
      keyedBatch([
        ['a', '1'],
        ['b', '1'],
      ]),
      keyedBatch([
        ['c', '1'],
        ['a', '2'],
        ['c', '2'],
      ]),
      keyedBatch([['b', '2']]),
      'roll',
      keyedBatch([['z', 'z']]),
    ]);
    await clean(log);

    // Offsets 0 and 1 are gone with their batch; 2 (c=1) is superseded, so batch 2..4 keeps 3 and 4.
    const fromRemoved = log.read(0, 1 << 20);
    const first = decodeRecordBatch(readBatchesOf(fromRemoved.records)[0]);
    expect(Number(first.header.baseOffset)).toBe(2);
    expect(first.header.lastOffsetDelta).toBe(2);
    expect(first.records.map((r) => [Number(r.offset), r.offsetDelta, r.key?.toString(), r.value?.toString()])).toEqual([
      [3, 1, 'a', '2'],
      [4, 2, 'c', '2'],
    ]);
    const fromGap = readBatchesOf(log.read(1, 1 << 20).records);
    expect(Number(fromGap[0].readBigInt64BE(0))).toBe(2);
    expect(rowsAt(readRows(log))).toEqual([
      [3, 'a', '2'],
      [4, 'c', '2'],
      [5, 'b', '2'],
      [6, 'z', 'z'],
    ]);
  });

  it('drops records without a key', async () => {
    const log = open();
    write(log, [
      keyedBatch([
        [null, 'no key'],
        ['k', 'v'],
      ]),
      keyedBatch([[null, 'alone']]),
      'roll',
      keyedBatch([['x', 'y']]),
    ]);
    await clean(log);
    expect(rowsAt(readRows(log))).toEqual([
      [1, 'k', 'v'],
      [3, 'x', 'y'],
    ]);
  });

  it('keeps a tombstone with a delete horizon for delete.retention.ms after it was first cleaned, then removes it', async () => {
    const log = open({ deleteRetentionMs: 60_000 });
    write(log, [
      keyedBatch([['k1', 'v1']]),
      keyedBatch([['k2', 'v2']]),
      'roll',
      keyedBatch(
        [
          ['k1', null],
          ['k3', 'v3'],
        ],
        { timestamp: BigInt(T0 + 5) },
      ),
      'roll',
      keyedBatch([['k4', 'v4']]),
    ]);
    const table = tableOf(readRows(log));

    fx.clock.advance(1000);
    const first = await clean(log);
    expect(rowsAt(readRows(log))).toEqual([
      [1, 'k2', 'v2'],
      [2, 'k1', null],
      [3, 'k3', 'v3'],
      [4, 'k4', 'v4'],
    ]);
    expect(first.earliestDeleteHorizon).toBe(T0 + 1000 + 60_000);
    const stamped = readBatches(log).find((b) => Number(b.readBigInt64BE(0)) === 2)!;
    const header = readBatchHeader(stamped);
    expect(header.attributes & Attr.deleteHorizon).toBe(Attr.deleteHorizon);
    expect(Number(header.baseTimestamp)).toBe(T0 + 1000 + 60_000);
    // Record timestamps survive the new base timestamp.
    expect(decodeRecordBatch(stamped).records.map((r) => Number(r.timestamp))).toEqual([T0 + 5, T0 + 5]);
    expect(tableOf(readRows(log))).toEqual(table);

    fx.clock.advance(59_999);
    await clean(log);
    expect(readRows(log).map((r) => r.offset)).toEqual([1, 2, 3, 4]);
    // Cleaning a batch that already has a horizon keeps the horizon, not a new one.
    expect(Number(readBatchHeader(readBatches(log).find((b) => Number(b.readBigInt64BE(0)) === 2)!).baseTimestamp)).toBe(T0 + 61_000);

    fx.clock.advance(1);
    const last = await clean(log);
    expect(rowsAt(readRows(log))).toEqual([
      [1, 'k2', 'v2'],
      [3, 'k3', 'v3'],
      [4, 'k4', 'v4'],
    ]);
    expect(last.earliestDeleteHorizon).toBeUndefined();
    expect(tableOf(readRows(log))).toEqual(table);
  });

  it('never removes a tombstone the round has not cleaned yet, whatever its age', async () => {
    const log = open({ deleteRetentionMs: 0 });
    write(log, [keyedBatch([['k', 'v']]), keyedBatch([['k', null]]), 'roll', keyedBatch([['z', 'z']])]);
    fx.clock.advance(10_000_000);
    await clean(log);
    expect(rowsAt(readRows(log))).toEqual([
      [1, 'k', null],
      [2, 'z', 'z'],
    ]);
    fx.clock.advance(1);
    await clean(log);
    expect(rowsAt(readRows(log))).toEqual([[2, 'z', 'z']]);
  });

  const codecs: Array<[string, number]> = [
    ['gzip', Compression.gzip],
    ['snappy', Compression.snappy],
    ['lz4', Compression.lz4],
    ...((zlib as unknown as { zstdCompressSync?: unknown }).zstdCompressSync ? ([['zstd', Compression.zstd]] as Array<[string, number]>) : []),
  ];
  it.each(codecs)('rewrites a %s batch with the same codec, the kept records at their offsets', async (_name, codec) => {
    const log = open();
    const keys = ['k0', 'k1', 'k2', 'k3', 'k4'];
    write(log, [
      keyedBatch(
        keys.map((k) => [k, `${k}-old`]),
        { compression: codec },
      ),
      keyedBatch([
        ['k1', 'k1-new'],
        ['k3', 'k3-new'],
      ]),
      'roll',
      keyedBatch([['z', 'z']]),
    ]);
    await clean(log);
    const [rewritten] = readBatches(log);
    const { header, records } = decodeRecordBatch(rewritten); // checks the CRC
    expect(header.attributes & Attr.compressionMask).toBe(codec);
    expect(Number(header.baseOffset)).toBe(0);
    expect(header.lastOffsetDelta).toBe(4);
    expect(header.recordCount).toBe(3);
    expect(records.map((r) => [Number(r.offset), r.key?.toString(), r.value?.toString()])).toEqual([
      [0, 'k0', 'k0-old'],
      [2, 'k2', 'k2-old'],
      [4, 'k4', 'k4-old'],
    ]);
    expect(rowsAt(readRows(log)).map((r) => r[0])).toEqual([0, 2, 4, 5, 6, 7]);
  });

  it('keeps the broker timestamp of a rewritten LogAppendTime batch', async () => {
    const log = open({ messageTimestampType: 'LogAppendTime' });
    fx.clock.advance(100);
    write(log, [
      keyedBatch([
        ['a', '1'],
        ['b', '1'],
      ]),
      keyedBatch([['a', '2']]),
      'roll',
      keyedBatch([['z', 'z']]),
    ]);
    await clean(log);
    const { header, records } = decodeRecordBatch(readBatches(log)[0]);
    expect(header.attributes & Attr.logAppendTime).toBe(Attr.logAppendTime);
    expect(Number(header.maxTimestamp)).toBe(T0 + 100);
    expect(records.map((r) => [Number(r.offset), Number(r.timestamp)])).toEqual([[1, T0 + 100]]);
  });

  it('keeps producer id, epoch, base sequence and the transactional bit of a rewritten batch; control batches stay byte for byte', async () => {
    const log = open();
    const txn = keyedBatch(
      [
        ['t1', 'a'],
        ['t2', 'a'],
        ['t3', 'a'],
      ],
      { producerId: 15n, producerEpoch: 3, baseSequence: 0, transactional: true },
    );
    log.append(txn);
    const marker = encodeControlBatch({ producerId: 15n, producerEpoch: 3, commit: true, coordinatorEpoch: 0, timestamp: BigInt(T0), baseOffset: 0n });
    log.append(marker, { origin: 'coordinator' });
    write(log, [keyedBatch([['t2', 'b']]), 'roll', keyedBatch([['z', 'z']])]);
    const markerBefore = readBatches(log)[1];

    await clean(log);
    const batches = readBatches(log);
    const rewritten = decodeRecordBatch(batches[0]);
    expect(rewritten.header).toMatchObject({
      baseOffset: 0n,
      lastOffsetDelta: 2,
      producerId: 15n,
      producerEpoch: 3,
      baseSequence: 0,
      recordCount: 2,
    });
    expect(rewritten.header.attributes & Attr.transactional).toBe(Attr.transactional);
    expect(rewritten.records.map((r) => Number(r.offset))).toEqual([0, 2]);
    expect(batches[1].equals(markerBefore)).toBe(true);
    expect(rowsAt(readRows(log)).filter((r) => r[0] !== 3)).toEqual([
      [0, 't1', 'a'],
      [2, 't3', 'a'],
      [4, 't2', 'b'],
      [5, 'z', 'z'],
    ]);
  });

  it("drops aborted records and carries their transactions over to the new segment's .txnindex while the marker stays for them", async () => {
    let log = open();
    write(log, [keyedBatch([['a', '1']])]);
    log.append(keyedBatch([['t', 'aborted']], { producerId: 21n, producerEpoch: 0, baseSequence: 0, transactional: true }));
    log.append(encodeControlBatch({ producerId: 21n, producerEpoch: 0, commit: false, coordinatorEpoch: 0, timestamp: BigInt(T0), baseOffset: 0n }), {
      origin: 'coordinator',
    });
    write(log, [keyedBatch([['a', '2']]), 'roll', keyedBatch([['z', 'z']])]);
    const aborted = log.collectAbortedTransactions(0, log.logEndOffset);
    expect(aborted).toEqual([{ producerId: 21n, firstOffset: 1, lastOffset: 2, lastStableOffset: expect.any(Number) }]);

    await clean(log);
    expect(log.segmentBaseOffsets).toEqual([0, 4]);
    // The aborted record (1) is gone; its ABORT marker (2) stays, and so does the index entry.
    expect(readRows(log).map((r) => r.offset)).toEqual([2, 3, 4]);
    expect(log.collectAbortedTransactions(0, log.logEndOffset)).toEqual(aborted);
    await log.close();
    fx.opened = [];
    log = open();
    expect(log.collectAbortedTransactions(0, log.logEndOffset)).toEqual(aborted);
  });

  it("keeps a producer's last batch as an empty header when all its records are superseded, and drops its earlier ones", async () => {
    const log = open();
    write(log, [
      keyedBatch([['a', '1']], { producerId: 7n, producerEpoch: 1, baseSequence: 0 }),
      keyedBatch(
        [
          ['b', '1'],
          ['c', '1'],
        ],
        { producerId: 7n, producerEpoch: 1, baseSequence: 1 },
      ),
      keyedBatch([
        ['a', '2'],
        ['b', '2'],
        ['c', '2'],
      ]),
      'roll',
      keyedBatch([['z', 'z']]),
    ]);
    await clean(log);
    const headers = readBatches(log).map((b) => readBatchHeader(b));
    expect(headers[0]).toMatchObject({ baseOffset: 1n, lastOffsetDelta: 1, recordCount: 0, producerId: 7n, producerEpoch: 1, baseSequence: 1 });
    expect(headers[0].batchLength).toBe(49);
    expect(headers.map((h) => Number(h.baseOffset))).toEqual([1, 3, 6]);
    expect(rowsAt(readRows(log))).toEqual([
      [3, 'a', '2'],
      [4, 'b', '2'],
      [5, 'c', '2'],
      [6, 'z', 'z'],
    ]);
  });

  it('does not clean segments younger than min.compaction.lag.ms', async () => {
    const log = open({ minCompactionLagMs: 10_000 });
    write(log, [
      keyedBatch([['k', 'old']], { timestamp: BigInt(T0) }),
      'roll',
      keyedBatch([['k', 'new']], { timestamp: BigInt(T0 + 8_000) }),
      'roll',
      keyedBatch([['z', 'z']], { timestamp: BigInt(T0 + 9_000) }),
    ]);
    fx.clock.advance(12_000); // the first segment is 12 s old, the second 4 s
    const result = await clean(log);
    expect(result.endOffset).toBe(1);
    expect(readRows(log).map((r) => r.value)).toEqual(['old', 'new', 'z']);
    fx.clock.advance(10_000);
    await clean(log);
    expect(readRows(log).map((r) => r.value)).toEqual(['new', 'z']);
  });

  it('merges small segments into one per group, within segment.bytes', async () => {
    const log = open();
    for (let i = 0; i < 6; i++) write(log, [keyedBatch([[`k${i}`, 'x'.repeat(100)]]), 'roll']);
    const size = log.logSegments()[0].size;
    expect(groupSegmentsBySize(log.logSegments(0, 6), size * 2, 1 << 20).map((g) => g.map((s) => s.baseOffset))).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
    ]);
    log.updateConfig(testConfig({ ...COMPACT, segmentBytes: size * 3 }));
    await clean(log);
    expect(log.segmentBaseOffsets).toEqual([0, 3, 6]);
    expect(readRows(log).map((r) => r.offset)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('reads back the same after the log is closed and opened again', async () => {
    let log = open();
    write(log, [
      keyedBatch([
        ['a', '1'],
        ['b', '1'],
      ]),
      'roll',
      keyedBatch([['a', '2']]),
      keyedBatch([['b', null]]),
      'roll',
      keyedBatch([['c', '1']]),
    ]);
    await clean(log);
    const cleaned = readRows(log);
    const bases = log.segmentBaseOffsets;
    await log.close();
    fx.opened = [];
    log = open();
    expect(readRows(log)).toEqual(cleaned);
    expect(log.segmentBaseOffsets).toEqual(bases);
    expect(fx.logger.lines.filter((l) => l.startsWith('WARN'))).toEqual([]);
    // And the next round starts where the last ended.
    const cleaner = new LogCleaner({}, fx.clock, fx.logger, () => []);
    expect(cleaner.cleanableOffsets({ topic: 'table', partition: 0, log }, fx.clock.now())).toMatchObject({ firstDirtyOffset: 4, cleanableBytes: 0 });
  });

  describe('a crash during the swap', () => {
    const steps: SwapStep[] = ['committing', 'committed', 'deleting', 'deleted', 'installing', 'installed'];

    function fill(log: PartitionLog): void {
      write(log, [
        keyedBatch([
          ['a', 'a1'],
          ['b', 'b1'],
          ['c', 'c1'],
        ]),
        keyedBatch([['a', 'a2']]),
        'roll',
        keyedBatch(
          [
            ['b', 'b2'],
            ['d', 'd1'],
          ],
          { compression: Compression.gzip },
        ),
        keyedBatch([['c', null]]),
        'roll',
        keyedBatch([
          ['e', 'e1'],
          ['a', 'a3'],
        ]),
        'roll',
        keyedBatch([['f', 'f1']]),
      ]);
    }

    it.each(steps)('at %s: reopening keeps every record at its offset, with nothing lost or duplicated', async (step) => {
      const log = open();
      fill(log);
      const original = readRows(log);
      const byOffset = new Map(original.map((r) => [r.offset, r]));
      await expect(
        clean(log, {
          onSwapStep: (s) => {
            if (s === step) throw new Error(`simulated crash at ${s}`);
          },
        }),
      ).rejects.toThrow(`simulated crash at ${step}`);

      const reopened = reopenAfterCrash();
      const rows = readRows(reopened);
      // Every record is one that was written, at the offset it was written at, in order, once.
      for (const r of rows) expect(byOffset.get(r.offset)).toEqual(r);
      const offsets = rows.map((r) => r.offset);
      expect(offsets).toEqual([...new Set(offsets)].sort((x, y) => x - y));
      // Every latest value (and every record after the cleaned range) is still there.
      expect(tableOf(rows)).toEqual(tableOf(original));
      for (const r of original.filter((o) => o.offset >= 6 || (o.key === 'a' && o.value === 'a3'))) expect(offsets).toContain(r.offset);
      expect(filesEndingWith(fx.dir, '.cleaned')).toEqual([]);
      expect(filesEndingWith(fx.dir, '.swap')).toEqual([]);
      expect(reopened.logEndOffset).toBe(log.logEndOffset);

      // Once the swap had committed, the cleaned segment is what recovery installs.
      const committed = step !== 'committing';
      expect(rows.some((r) => r.value === 'a1')).toBe(!committed);

      // A new round finishes the job: the same result as a clean without a crash.
      await clean(reopened);
      expect(rowsAt(readRows(reopened))).toEqual([
        [4, 'b', 'b2'],
        [5, 'd', 'd1'],
        [6, 'c', null],
        [7, 'e', 'e1'],
        [8, 'a', 'a3'],
        [9, 'f', 'f1'],
      ]);
    });

    it('recovery keeps an old segment the cleaned one no longer reaches, which holds only superseded records', async () => {
      const log = open();
      write(log, [
        keyedBatch([['a', '1']]),
        'roll',
        keyedBatch([['b', '1']]),
        'roll',
        keyedBatch([['b', '2']]),
        keyedBatch([['a', '2']]),
        'roll',
        keyedBatch([['z', 'z']]),
      ]);
      // Two groups: segments 0 and 1, then segment 2. The first group's records are all superseded,
      // so its cleaned segment (base 0) is empty; after a crash right after its commit, recovery
      // removes segment 0 and keeps segment 1 as it was.
      log.updateConfig(testConfig({ ...COMPACT, segmentBytes: 2 * log.logSegments()[0].size }));
      await expect(
        clean(log, {
          onSwapStep: (s) => {
            if (s === 'committed') throw new Error('crash');
          },
        }),
      ).rejects.toThrow('crash');
      const reopened = reopenAfterCrash({ segmentBytes: 2 * log.logSegments()[0].size });
      expect(rowsAt(readRows(reopened))).toEqual([
        [1, 'b', '1'],
        [2, 'b', '2'],
        [3, 'a', '2'],
        [4, 'z', 'z'],
      ]);
      expect(reopened.segmentBaseOffsets).toEqual([0, 1, 2, 4]);
      await clean(reopened);
      expect(rowsAt(readRows(reopened))).toEqual([
        [2, 'b', '2'],
        [3, 'a', '2'],
        [4, 'z', 'z'],
      ]);
    });
  });

  it('skips a group whose segments retention removed while it was being written', async () => {
    const log = open();
    write(log, [keyedBatch([['a', '1']]), 'roll', keyedBatch([['a', '2']]), 'roll', keyedBatch([['a', '3']]), 'roll', keyedBatch([['z', 'z']])]);
    log.updateConfig(testConfig({ ...COMPACT, segmentBytes: log.logSegments()[0].size }));
    // DeleteRecords lands after the offset map is built, before the groups are written.
    const result = await clean(log, {
      hooks: {
        lastStableOffset: (l) => l.lastStableOffset,
        newFilter: (pass) => {
          if (pass.phase === 'clean') log.deleteRecordsBefore(2);
          return nonTransactionalHooks.newFilter(pass);
        },
      },
    });
    expect(result.stats.groupsSkipped).toBe(2);
    expect(rowsAt(readRows(log))).toEqual([
      [2, 'a', '3'],
      [3, 'z', 'z'],
    ]);
    expect(filesEndingWith(fx.dir, '.cleaned')).toEqual([]);
  });
});

function readBatchesOf(chunks: Buffer[]): Buffer[] {
  const out: Buffer[] = [];
  for (const chunk of chunks) {
    let at = 0;
    while (at < chunk.length) {
      const size = chunk.readInt32BE(at + 8) + 12;
      out.push(chunk.subarray(at, at + size));
      at += size;
    }
  }
  return out;
}
