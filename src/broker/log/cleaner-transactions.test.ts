/**
 * Compaction of a log with transactions (docs/log-format.md, "Compaction" → "Transactions"): aborted
 * records go and never shadow a committed value, committed ones are compacted like any others,
 * markers stay while their transaction's data may be there and go delete.retention.ms after it is
 * gone, the `.txnindex` follows, the last stable offset bounds the round, and the log reopens — after
 * a clean close, a crash, or a crash during the swap — to the same read_committed view.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Attr, isControl, readBatchHeader } from '../../protocol/batch-header.js';
import { readControlBatch } from '../../protocol/control-record.js';
import { ErrorCode } from '../../protocol/errors.js';
import { markerBatch } from '../producer-state/testing.js';
import { filesEndingWith, keyedBatch, readBatches, readCommittedRows, readUncommittedRows, T0, tableOf } from './compaction-testing.js';
import { LogCleaner } from './log-cleaner.js';
import type { LogConfig } from './log-config.js';
import { RECOVERY_POINT_CHECKPOINT_FILE } from './checkpoint-file.js';
import { PartitionLog } from './partition-log.js';
import type { SwapStep } from './segment-swap.js';
import { testConfig, usePartitionLogFixture } from './testing.js';

const DELETE_RETENTION_MS = 60_000;
const COMPACT: Partial<LogConfig> = { cleanupPolicy: ['compact'], deleteRetentionMs: DELETE_RETENTION_MS, minCleanableDirtyRatio: 0.01 };

type KV = [string, string | null];

/** A transactional producer writing to one partition: data batches with its sequence, and markers as the coordinator writes them. */
class TestProducer {
  private seq = 0;

  constructor(
    private readonly log: PartitionLog,
    readonly producerId: bigint,
    readonly epoch = 0,
  ) {}

  send(records: KV[]): number {
    const info = this.log.append(keyedBatch(records, { producerId: this.producerId, producerEpoch: this.epoch, baseSequence: this.seq, transactional: true }));
    this.seq += records.length;
    return info.firstOffset;
  }

  commit(): number {
    return this.log.append(markerBatch(this.producerId, true, { epoch: this.epoch }), { origin: 'coordinator' }).firstOffset;
  }

  abort(): number {
    return this.log.append(markerBatch(this.producerId, false, { epoch: this.epoch }), { origin: 'coordinator' }).firstOffset;
  }
}

describe('Cleaner with transactions', () => {
  const fx = usePartitionLogFixture('table-0', T0);

  function open(overrides: Partial<LogConfig> = {}, hadCleanShutdown = false): PartitionLog {
    return fx.open(testConfig({ ...COMPACT, ...overrides }), { hadCleanShutdown });
  }

  async function reopen(log: PartitionLog): Promise<PartitionLog> {
    await log.close();
    fx.opened = fx.opened.filter((l) => l !== log);
    return open({}, true);
  }

  /** As after kill -9 with nothing flushed: no snapshot, no recovery point; every segment is recovered and the producer state replayed from the start. */
  function reopenAfterCrash(): PartitionLog {
    fx.opened = [];
    for (const name of filesEndingWith(fx.dir, '.snapshot')) fs.rmSync(path.join(fx.dir, name));
    fs.rmSync(path.join(fx.dir, RECOVERY_POINT_CHECKPOINT_FILE), { force: true });
    return open();
  }

  const plain = (log: PartitionLog, records: KV[]): number => log.append(keyedBatch(records)).firstOffset;

  function cleanerFor(log: PartitionLog, onSwapStep?: (step: SwapStep) => void): LogCleaner {
    return new LogCleaner({ ioChunkBytes: 200, onSwapStep }, fx.clock, fx.logger, () => [{ topic: 'table', partition: 0, log }]);
  }

  const clean = (log: PartitionLog, cleaner = cleanerFor(log)) => cleaner.cleanNow({ topic: 'table', partition: 0, log });

  /** Offsets of the control batches: [offset, record count, has a delete horizon]. */
  const markers = (log: PartitionLog) =>
    readBatches(log)
      .map((b) => readBatchHeader(b))
      .filter((h) => isControl(h.attributes))
      .map((h) => [Number(h.baseOffset), h.recordCount, (h.attributes & Attr.deleteHorizon) !== 0]);

  const dataOffsets = (log: PartitionLog) => readUncommittedRows(log).map((r) => [r.offset, r.key, r.value]);

  /**
   * Two transactional producers (1 with epoch 0, 2 with epoch 3) interleaved with plain writes of the
   * same keys, over three segments and an active one. The read_committed table is a=a1, b=b0, c=c7, d=d0, e=e5, z=z; each aborted
   * write (a2, b2, b4, d4, a6) comes after a committed value of its key.
   */
  function fillInterleaved(log: PartitionLog) {
    const p1 = new TestProducer(log, 1n);
    const p2 = new TestProducer(log, 2n, 3);
    plain(log, [
      ['a', 'a0'],
      ['b', 'b0'],
    ]); // 0, 1
    p1.send([
      ['a', 'a1'],
      ['c', 'c1'],
    ]); // 2, 3
    p2.send([
      ['a', 'a2-aborted'],
      ['b', 'b2-aborted'],
    ]); // 4, 5
    plain(log, [['d', 'd0']]); // 6
    const t1 = p1.commit(); // 7
    const t2 = p2.abort(); // 8
    log.roll();
    p2.send([['c', 'c3']]); // 9
    const t3 = p2.commit(); // 10
    p1.send([
      ['b', 'b4-aborted'],
      ['d', 'd4-aborted'],
    ]); // 11, 12
    plain(log, [['e', 'e0']]); // 13
    const t4 = p1.abort(); // 14
    log.roll();
    p1.send([['e', 'e5']]); // 15
    const t5 = p1.commit(); // 16
    p2.send([['a', 'a6-aborted']]); // 17
    plain(log, [['c', 'c7']]); // 18
    const t6 = p2.abort(); // 19
    log.roll();
    plain(log, [['z', 'z']]); // 20
    expect([t1, t2, t3, t4, t5, t6]).toEqual([7, 8, 10, 14, 16, 19]);
  }
  const EXPECTED_TABLE = new Map(Object.entries({ a: 'a1', b: 'b0', c: 'c7', d: 'd0', e: 'e5', z: 'z' }));
  /** What is left of fillInterleaved's data after one cleaning: [offset, key, value]. */
  const CLEANED_ROWS = [
    [1, 'b', 'b0'],
    [2, 'a', 'a1'],
    [6, 'd', 'd0'],
    [15, 'e', 'e5'],
    [18, 'c', 'c7'],
    [20, 'z', 'z'],
  ];

  it('removes aborted records, compacts committed ones, and leaves the table a read_committed reader saw', async () => {
    const log = open();
    fillInterleaved(log);
    const committedBefore = readCommittedRows(log);
    expect(tableOf(committedBefore)).toEqual(EXPECTED_TABLE);
    // Read uncommitted, the aborted writes would win.
    expect(tableOf(readUncommittedRows(log))).not.toEqual(EXPECTED_TABLE);
    const abortedBefore = log.collectAbortedTransactions(0, log.logEndOffset);
    expect(abortedBefore.map((t) => [t.producerId, t.firstOffset, t.lastOffset])).toEqual([
      [2n, 4, 8],
      [1n, 11, 14],
      [2n, 17, 19],
    ]);

    const result = await clean(log);

    expect(result.endOffset).toBe(20);
    expect(dataOffsets(log)).toEqual(CLEANED_ROWS);
    // Every reader now builds the read_committed table, and read_committed readers see what they saw.
    expect(tableOf(readUncommittedRows(log))).toEqual(EXPECTED_TABLE);
    expect(readCommittedRows(log)).toEqual(committedBefore.filter((r) => dataOffsets(log).some(([o]) => o === r.offset)));
    expect(tableOf(readCommittedRows(log))).toEqual(EXPECTED_TABLE);
    // Every marker saw its transaction's batches in this round: all stay, unstamped, with the index entries.
    expect(markers(log)).toEqual([7, 8, 10, 14, 16, 19].map((o) => [o, 1, false]));
    expect(log.collectAbortedTransactions(0, log.logEndOffset)).toEqual(abortedBefore);
    expect(result.earliestDeleteHorizon).toBeUndefined();

    const cleanedRows = readUncommittedRows(log);
    const reopened = await reopen(log);
    expect(tableOf(readCommittedRows(reopened))).toEqual(EXPECTED_TABLE);
    expect(readUncommittedRows(reopened)).toEqual(cleanedRows);
    expect(reopened.collectAbortedTransactions(0, reopened.logEndOffset)).toEqual(abortedBefore);
    expect(fx.logger.lines.filter((l) => l.startsWith('WARN') || l.startsWith('ERROR'))).toEqual([]);
  });

  it('keeps a marker until its data is gone, stamps it with a delete horizon, and removes it after the horizon', async () => {
    let log = open();
    fillInterleaved(log);
    const cleaner = cleanerFor(log);
    await clean(log, cleaner);
    const dataAfterFirst = dataOffsets(log);

    // Second round: the data of transactions 2, 3, 4 and 6 is gone, so their markers are stamped;
    // 1 (a1) and 5 (e5) still have records. The index entries of the stamped aborts go.
    fx.clock.advance(1000);
    const second = await clean(log, cleaner);
    const horizon = T0 + 1000 + DELETE_RETENTION_MS;
    expect(second.earliestDeleteHorizon).toBe(horizon);
    expect(markers(log)).toEqual([
      [7, 1, false],
      [8, 1, true],
      [10, 1, true],
      [14, 1, true],
      [16, 1, false],
      [19, 1, true],
    ]);
    const stamped = readBatches(log).find((b) => Number(b.readBigInt64BE(0)) === 8)!;
    expect(Number(readBatchHeader(stamped).baseTimestamp)).toBe(horizon);
    expect(readControlBatch(stamped)).toMatchObject({ type: 0, coordinatorEpoch: 0 }); // still an ABORT marker
    expect(log.collectAbortedTransactions(0, log.logEndOffset)).toEqual([]);
    expect(dataOffsets(log)).toEqual(dataAfterFirst);
    expect(tableOf(readCommittedRows(log))).toEqual(EXPECTED_TABLE);

    // The LogCleaner comes back for the log once the horizon passes, even with nothing dirty.
    expect(cleaner.grabFilthiestCompactedLog(horizon - 1)).toBeUndefined();
    expect(cleaner.grabFilthiestCompactedLog(horizon)?.log).toBe(log);

    // Before the horizon, a round changes nothing.
    fx.clock.advance(DELETE_RETENTION_MS - 1);
    await clean(log, cleaner);
    expect(
      markers(log)
        .filter(([, , h]) => h)
        .map(([o]) => o),
    ).toEqual([8, 10, 14, 19]);

    // At the horizon they go; the last batch of producer 2 (19) stays as an empty header for its epoch.
    fx.clock.advance(1);
    const last = await clean(log, cleaner);
    expect(markers(log)).toEqual([
      [7, 1, false],
      [16, 1, false],
      [19, 0, false],
    ]);
    const empty = readBatchHeader(readBatches(log).find((b) => Number(b.readBigInt64BE(0)) === 19)!);
    expect(empty).toMatchObject({ producerId: 2n, producerEpoch: 3, recordCount: 0, lastOffsetDelta: 0 });
    expect(empty.attributes & (Attr.control | Attr.transactional)).toBe(Attr.control | Attr.transactional);
    expect(last.earliestDeleteHorizon).toBeUndefined();
    expect(dataOffsets(log)).toEqual(dataAfterFirst);
    expect(tableOf(readCommittedRows(log))).toEqual(EXPECTED_TABLE);

    // Stable from here on; and the same after reopening.
    await clean(log, cleaner);
    expect(markers(log)).toEqual([
      [7, 1, false],
      [16, 1, false],
      [19, 0, false],
    ]);
    log = await reopen(log);
    expect(markers(log)).toEqual([
      [7, 1, false],
      [16, 1, false],
      [19, 0, false],
    ]);
    expect(tableOf(readCommittedRows(log))).toEqual(EXPECTED_TABLE);
    expect(log.lastStableOffset).toBe(log.logEndOffset);
  });

  it('replays the producer state from a cleaned log after a crash: no transaction left open, epochs and sequences kept', async () => {
    let log = open();
    fillInterleaved(log);
    const cleaner = cleanerFor(log);
    await clean(log, cleaner);
    fx.clock.advance(1000);
    await clean(log, cleaner);
    fx.clock.advance(DELETE_RETENTION_MS);
    await clean(log, cleaner);
    const committed = readCommittedRows(log);
    const uncommitted = readUncommittedRows(log);

    log = reopenAfterCrash();
    expect(log.lastStableOffset).toBe(log.logEndOffset);
    expect(log.producerState.openTransactions).toEqual([]);
    expect(log.producerState.lastEntry(1n)?.producerEpoch).toBe(0);
    // Producer 2's only batch left is its last marker, emptied: its epoch still fences older ones.
    expect(log.producerState.lastEntry(2n)?.producerEpoch).toBe(3);
    expect(() => new TestProducer(log, 2n, 2).send([['b', 'zombie']])).toThrowError(
      expect.objectContaining({ code: ErrorCode.INVALID_PRODUCER_EPOCH }) as Error,
    );
    expect(readCommittedRows(log)).toEqual(committed);
    expect(readUncommittedRows(log)).toEqual(uncommitted);

    // The producers carry on: a new transaction of each, one committed and one aborted, is read as such.
    const p1 = new TestProducer(log, 1n, 1);
    const p2 = new TestProducer(log, 2n, 4);
    p1.send([['a', 'a-new']]);
    p2.send([['b', 'b-aborted-again']]);
    p1.commit();
    p2.abort();
    expect(log.lastStableOffset).toBe(log.logEndOffset);
    expect(tableOf(readCommittedRows(log))).toEqual(new Map([...EXPECTED_TABLE, ['a', 'a-new']]));
  });

  it('never cleans at or above the last stable offset: an open transaction and everything after it stay byte for byte', async () => {
    const log = open();
    const p1 = new TestProducer(log, 1n);
    const p2 = new TestProducer(log, 2n);
    const p3 = new TestProducer(log, 3n);
    plain(log, [['k', 'v0']]); // 0
    p1.send([['k', 'v1-aborted']]); // 1
    p1.abort(); // 2
    const lso = p2.send([['k', 'v3-open']]); // 3: stays open
    p3.send([['k', 'v4-aborted']]); // 4
    p3.abort(); // 5
    plain(log, [['k', 'v6']]); // 6
    plain(log, [['t', null]]); // 7: a tombstone above the LSO gets no delete horizon yet
    log.roll();
    plain(log, [['z', 'z']]); // 8
    expect(log.lastStableOffset).toBe(lso);
    const above = readBatches(log).filter((b) => Number(b.readBigInt64BE(0)) >= lso);

    const first = await clean(log);
    expect(first.endOffset).toBe(lso);
    expect(readBatches(log).filter((b) => Number(b.readBigInt64BE(0)) >= lso)).toEqual(above);
    // Below it, the aborted record went; v0 stays (nothing committed later in the cleaned range).
    expect(dataOffsets(log).filter(([o]) => (o as number) < lso)).toEqual([[0, 'k', 'v0']]);

    // Once the transaction commits, the next round cleans the rest.
    p2.commit(); // 9
    log.roll();
    plain(log, [['y', 'y']]); // 10
    await clean(log);
    expect(dataOffsets(log)).toEqual([
      [6, 'k', 'v6'],
      [7, 't', null],
      [8, 'z', 'z'],
      [10, 'y', 'y'],
    ]);
    expect(tableOf(readCommittedRows(log))).toEqual(
      new Map([
        ['k', 'v6'],
        ['z', 'z'],
        ['y', 'y'],
      ]),
    );
    // 2's data went in the first round, so it is stamped now; 5 and 9 met their transactions' batches in this one.
    expect(markers(log)).toEqual([
      [2, 1, true],
      [5, 1, false],
      [9, 1, false],
    ]);
  });

  it("discards an aborted transaction whose marker is beyond the round, keeping the producer's last batch as a header", async () => {
    const log = open();
    const p1 = new TestProducer(log, 1n);
    plain(log, [['k', 'v0']]); // 0
    p1.send([
      ['k', 'aborted'],
      ['j', 'aborted'],
    ]); // 1, 2
    log.roll();
    plain(log, [['x', 'x']]); // 3 — the active segment: not in the round
    p1.abort(); // 4
    const aborted = log.collectAbortedTransactions(0, log.logEndOffset);

    await clean(log);
    const headers = readBatches(log).map((b) => readBatchHeader(b));
    expect(headers.map((h) => [Number(h.baseOffset), h.recordCount])).toEqual([
      [0, 1],
      [1, 0], // header only: offsets 1..2, producer 1's epoch and sequence
      [3, 1],
      [4, 1],
    ]);
    expect(headers[1]).toMatchObject({ producerId: 1n, baseSequence: 0, lastOffsetDelta: 1 });
    expect(tableOf(readUncommittedRows(log))).toEqual(
      new Map([
        ['k', 'v0'],
        ['x', 'x'],
      ]),
    );
    expect(log.collectAbortedTransactions(0, log.logEndOffset)).toEqual(aborted);

    // The empty batch still opens the transaction on replay; its marker still closes it.
    const replayed = reopenAfterCrash();
    expect(replayed.lastStableOffset).toBe(replayed.logEndOffset);
    expect(tableOf(readCommittedRows(replayed))).toEqual(
      new Map([
        ['k', 'v0'],
        ['x', 'x'],
      ]),
    );
  });

  describe('a crash during the swap', () => {
    const steps: SwapStep[] = ['committing', 'committed', 'deleting', 'deleted', 'installing', 'installed'];

    it.each(steps)('at %s: the log reopens to the same read_committed view, and the next round finishes', async (step) => {
      const log = open();
      fillInterleaved(log);
      // Two groups: segments 0 and 9, then 15.
      log.updateConfig(testConfig({ ...COMPACT, segmentBytes: log.logSegments()[0].size + log.logSegments()[1].size }));
      const committed = tableOf(readCommittedRows(log));
      const written = new Map(readUncommittedRows(log).map((r) => [r.offset, r]));
      await expect(
        clean(
          log,
          cleanerFor(log, (s) => {
            if (s === step) throw new Error(`simulated crash at ${s}`);
          }),
        ),
      ).rejects.toThrow(`simulated crash at ${step}`);

      const reopened = reopenAfterCrash();
      expect(filesEndingWith(fx.dir, '.cleaned')).toEqual([]);
      expect(filesEndingWith(fx.dir, '.swap')).toEqual([]);
      expect(reopened.logEndOffset).toBe(21);
      expect(reopened.lastStableOffset).toBe(21);
      for (const r of readUncommittedRows(reopened)) expect(written.get(r.offset)).toEqual(r);
      expect(tableOf(readCommittedRows(reopened))).toEqual(committed);

      await clean(reopened);
      expect(dataOffsets(reopened)).toEqual(CLEANED_ROWS);
      expect(tableOf(readUncommittedRows(reopened))).toEqual(EXPECTED_TABLE);
      expect(tableOf(readCommittedRows(reopened))).toEqual(EXPECTED_TABLE);
    });
  });
});
