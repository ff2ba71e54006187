/**
 * PartitionLog with producer state: idempotent appends, duplicates, refusals that write nothing,
 * transactions and the last stable offset, the `.txnindex`, snapshots, and rebuilding all of it on
 * open — after a clean close, after a crash, and with damaged files.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import { snapshotFileName } from '../producer-state/producer-state-manager.js';
import { markerBatch, producerBatch, T0 } from '../producer-state/testing.js';
import type { LogConfig } from './log-config.js';
import { LogManager } from './log-manager.js';
import { segmentFileName } from './log-segment.js';
import { PartitionLog } from './partition-log.js';
import { makeBatch, rowsOf, testConfig, usePartitionLogFixture } from './testing.js';
import { readTransactionIndexFile } from './transaction-index.js';

function codeOf(fn: () => unknown): number | 'ok' {
  try {
    fn();
    return 'ok';
  } catch (err) {
    if (err instanceof KafkaError) return err.code;
    throw err;
  }
}

describe('PartitionLog producer state', () => {
  const fx = usePartitionLogFixture('orders-0', T0);

  function open(overrides: Partial<LogConfig> = {}, hadCleanShutdown = false): PartitionLog {
    return fx.open(testConfig(overrides), { hadCleanShutdown, producerIdExpirationMs: 60_000 });
  }

  /** Simulates kill -9: the log is dropped without close (its descriptors stay open until the test ends). */
  function crash(log: PartitionLog): void {
    fx.opened.splice(fx.opened.indexOf(log), 1);
  }

  const txnIndexOf = (base: number) => path.join(fx.dir, segmentFileName(base, '.txnindex'));

  describe('idempotent appends', () => {
    it('a retried batch gets its original offsets and is not written again', () => {
      const log = open();
      const first = log.append(producerBatch({ producerId: 1n, seq: 0, count: 3 }));
      log.append(producerBatch({ producerId: 1n, seq: 3, count: 2 }));
      const size = log.size;
      const again = log.append(producerBatch({ producerId: 1n, seq: 0, count: 3 }));
      expect(again).toMatchObject({ firstOffset: first.firstOffset, lastOffset: first.lastOffset, duplicate: true, recordCount: 0 });
      expect(log.logEndOffset).toBe(5);
      expect(log.size).toBe(size);
    });

    it('each of the last five batches is recognised; an older one is out of order', () => {
      const log = open();
      const offsets: number[] = [];
      for (let i = 0; i < 7; i++) offsets.push(log.append(producerBatch({ producerId: 1n, seq: i * 2, count: 2 })).firstOffset);
      for (let i = 2; i < 7; i++) {
        const r = log.append(producerBatch({ producerId: 1n, seq: i * 2, count: 2 }));
        expect(r.duplicate, `batch ${i}`).toBe(true);
        expect(r.firstOffset).toBe(offsets[i]);
      }
      expect(codeOf(() => log.append(producerBatch({ producerId: 1n, seq: 2, count: 2 })))).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
      expect(log.logEndOffset).toBe(14);
    });

    it('a refused batch writes nothing: gap, old epoch, unknown producer mid-sequence', () => {
      const log = open();
      log.append(producerBatch({ producerId: 1n, epoch: 2, seq: 0 }));
      const size = log.size;
      expect(codeOf(() => log.append(producerBatch({ producerId: 1n, epoch: 2, seq: 2 })))).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
      expect(codeOf(() => log.append(producerBatch({ producerId: 1n, epoch: 1, seq: 1 })))).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
      expect(codeOf(() => log.append(producerBatch({ producerId: 5n, seq: 3 })))).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
      expect(log.size).toBe(size);
      expect(log.logEndOffset).toBe(1);
      expect(log.append(producerBatch({ producerId: 1n, epoch: 2, seq: 1 })).firstOffset).toBe(1);
    });

    it('after DeleteRecords moved the log start, an unknown producer mid-sequence is UNKNOWN_PRODUCER_ID', () => {
      const log = open();
      log.append(makeBatch({ values: ['a', 'b'] }));
      log.deleteRecordsBefore(1);
      expect(codeOf(() => log.append(producerBatch({ producerId: 5n, seq: 3 })))).toBe(ErrorCode.UNKNOWN_PRODUCER_ID);
    });

    it('forgets producers idle for producer.id.expiration.ms; their next batch is UNKNOWN_PRODUCER_ID', () => {
      const log = open();
      log.append(producerBatch({ producerId: 1n, seq: 0 }));
      fx.clock.advance(59_999);
      expect(log.removeExpiredProducers()).toBe(0);
      fx.clock.advance(1);
      expect(log.removeExpiredProducers()).toBe(1);
      expect(codeOf(() => log.append(producerBatch({ producerId: 1n, seq: 1 })))).toBe(ErrorCode.UNKNOWN_PRODUCER_ID);
      expect(log.append(producerBatch({ producerId: 1n, epoch: 1, seq: 0 })).firstOffset).toBe(1);
    });
  });

  describe('transactions', () => {
    /** Offsets 0..7: plain, A1, B1, A2, ABORT(A), A'1, COMMIT(B), plain. */
    function interleaved(log: PartitionLog): void {
      log.append(makeBatch({ values: ['plain-0'] }));
      log.append(producerBatch({ producerId: 1n, seq: 0, transactional: true, prefix: 'A' }));
      log.append(producerBatch({ producerId: 2n, seq: 0, transactional: true, prefix: 'B' }));
      expect(log.lastStableOffset).toBe(1);
      log.append(producerBatch({ producerId: 1n, seq: 1, transactional: true, prefix: 'A' }));
      log.append(markerBatch(1n, false), { origin: 'coordinator' });
      expect(log.lastStableOffset).toBe(2);
      log.append(producerBatch({ producerId: 1n, seq: 2, transactional: true, prefix: 'A2' }));
      log.append(markerBatch(2n, true), { origin: 'coordinator' });
      expect(log.lastStableOffset).toBe(5);
      log.append(makeBatch({ values: ['plain-7'] }));
      expect(log.lastStableOffset).toBe(5);
    }

    it('the last stable offset follows the earliest open transaction; reads stop there', () => {
      const log = open();
      expect(log.lastStableOffset).toBe(0);
      interleaved(log);
      // Only whole batches below the LSO (5): 0..4, markers included (clients skip control batches).
      const committedRead = log.read(0, 1 << 20, { upperBoundOffset: log.lastStableOffset });
      expect(rowsOf(committedRead.records).map((r) => r.offset)).toEqual([0, 1, 2, 3, 4]);
      expect(log.read(5, 1 << 20, { upperBoundOffset: log.lastStableOffset }).records).toEqual([]);
      log.append(markerBatch(1n, true), { origin: 'coordinator' });
      expect(log.lastStableOffset).toBe(log.logEndOffset);
    });

    it("aborted transactions go to the .txnindex of the marker's segment, with the LSO after the marker", () => {
      const log = open();
      interleaved(log);
      expect(readTransactionIndexFile(txnIndexOf(0), 0)).toEqual([{ producerId: 1n, firstOffset: 1, lastOffset: 4, lastStableOffset: 2 }]);
      expect(log.collectAbortedTransactions(0, 8)).toEqual([{ producerId: 1n, firstOffset: 1, lastOffset: 4, lastStableOffset: 2 }]);
      expect(log.collectAbortedTransactions(5, 8)).toEqual([]);
      expect(log.collectAbortedTransactions(0, 1)).toEqual([]);
    });

    it('finds an abort whose transaction began in an earlier segment', () => {
      const log = open();
      log.append(producerBatch({ producerId: 1n, seq: 0, transactional: true }));
      log.roll();
      log.append(makeBatch({ values: ['x'] }));
      log.roll();
      log.append(markerBatch(1n, false), { origin: 'coordinator' });
      expect(log.segmentBaseOffsets).toEqual([0, 1, 2]);
      expect(fs.existsSync(txnIndexOf(0))).toBe(false);
      expect(readTransactionIndexFile(txnIndexOf(2), 2)).toHaveLength(1);
      expect(log.collectAbortedTransactions(0, 1).map((t) => t.firstOffset)).toEqual([0]);
    });

    it("refuses a non-transactional batch while the producer's transaction is open, and markers from old epochs", () => {
      const log = open();
      log.append(producerBatch({ producerId: 1n, epoch: 3, seq: 0, transactional: true }));
      expect(codeOf(() => log.append(producerBatch({ producerId: 1n, epoch: 3, seq: 1 })))).toBe(ErrorCode.INVALID_TXN_STATE);
      expect(codeOf(() => log.append(markerBatch(1n, true, { epoch: 2 }), { origin: 'coordinator' }))).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
      expect(log.logEndOffset).toBe(1);
    });
  });

  it('the LogManager expires idle producers every producer.id.expiration.check.interval.ms', async () => {
    const m = LogManager.open(
      { logDirs: [path.join(fx.root, 'data')], producerIdExpirationMs: 60_000, producerIdExpirationCheckIntervalMs: 10_000 },
      { clock: fx.clock, logger: fx.logger, topicConfig: () => testConfig() },
    );
    try {
      const log = m.createLog('orders', 0);
      log.append(producerBatch({ producerId: 1n, seq: 0 }));
      fx.clock.advance(30_000);
      log.append(producerBatch({ producerId: 2n, seq: 0 }));
      fx.clock.advance(30_000);
      await m.tick();
      expect([...log.producerState.activeProducers.keys()]).toEqual([2n]);
      expect(fx.logger.lines.join('\n')).toMatch(/expired 1 idle producer id\(s\)/);
    } finally {
      await m.shutdown();
    }
  });

  describe('snapshots and rebuilding', () => {
    it('writes a snapshot at each roll and at close; a clean reopen loads it without replaying', async () => {
      let log = open({ segmentBytes: 300 });
      for (let i = 0; i < 6; i++) log.append(producerBatch({ producerId: 1n, seq: i, count: 1, prefix: 'v'.repeat(80) }));
      const bases = log.segmentBaseOffsets;
      expect(bases.length).toBeGreaterThan(2);
      const snapshots = () =>
        fs
          .readdirSync(fx.dir)
          .filter((f) => f.endsWith('.snapshot'))
          .sort();
      expect(snapshots()).toEqual(bases.slice(1).map(snapshotFileName));
      const writeTime = log.producerState.lastEntry(1n)!.lastWriteTime;
      await log.close();
      fx.opened.pop();
      expect(snapshots()).toContain(snapshotFileName(6));

      fx.clock.advance(1000);
      log = open({ segmentBytes: 300 }, true);
      // Loaded from the snapshot: a replay would have stamped the reopening time.
      expect(log.producerState.lastEntry(1n)!.lastWriteTime).toBe(writeTime);
      expect(log.append(producerBatch({ producerId: 1n, seq: 5, prefix: 'v'.repeat(80) })).duplicate).toBe(true);
      expect(log.append(producerBatch({ producerId: 1n, seq: 6 })).firstOffset).toBe(6);
    });

    it('after a crash, rebuilds the state from the last snapshot plus the log after it', () => {
      let log = open({ segmentBytes: 300 });
      for (let i = 0; i < 5; i++) log.append(producerBatch({ producerId: 1n, seq: i, prefix: 'v'.repeat(80) }));
      log.append(producerBatch({ producerId: 2n, seq: 0, transactional: true }));
      crash(log);

      log = open({ segmentBytes: 300 });
      expect(log.logEndOffset).toBe(6);
      for (let i = 0; i < 5; i++) expect(log.append(producerBatch({ producerId: 1n, seq: i, prefix: 'v'.repeat(80) })).duplicate, `seq ${i}`).toBe(true);
      expect(log.lastStableOffset).toBe(5);
      expect(codeOf(() => log.append(producerBatch({ producerId: 1n, seq: 7 })))).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
      expect(log.append(producerBatch({ producerId: 1n, seq: 5 })).firstOffset).toBe(6);
    });

    it('ignores a snapshot that fails its CRC and rebuilds from the log', async () => {
      let log = open();
      log.append(producerBatch({ producerId: 1n, seq: 0, count: 2 }));
      log.append(producerBatch({ producerId: 1n, seq: 2, count: 2 }));
      await log.close();
      fx.opened.pop();
      const snap = path.join(fx.dir, snapshotFileName(4));
      const bytes = fs.readFileSync(snap);
      bytes[20] ^= 0x01;
      fs.writeFileSync(snap, bytes);

      log = open({}, true);
      expect(fx.logger.lines.join('\n')).toMatch(/ignoring producer snapshot 0+4\.snapshot: CRC mismatch/);
      expect(log.append(producerBatch({ producerId: 1n, seq: 2, count: 2 }))).toMatchObject({ duplicate: true, firstOffset: 2 });
      expect(log.append(producerBatch({ producerId: 1n, seq: 4 })).firstOffset).toBe(4);
    });

    it('rebuilds the .txnindex of a segment recovered after a crash', () => {
      let log = open();
      log.append(producerBatch({ producerId: 1n, seq: 0, transactional: true }));
      log.append(producerBatch({ producerId: 2n, seq: 0, transactional: true }));
      log.append(markerBatch(1n, false), { origin: 'coordinator' });
      const before = readTransactionIndexFile(txnIndexOf(0), 0);
      crash(log);
      fs.rmSync(txnIndexOf(0));

      log = open();
      expect(readTransactionIndexFile(txnIndexOf(0), 0)).toEqual(before);
      expect(log.lastStableOffset).toBe(1);
      expect(log.collectAbortedTransactions(0, 3)).toEqual(before);
    });

    it('rebuilds a corrupt .txnindex of a trusted segment after a clean shutdown', async () => {
      const log = open();
      log.append(producerBatch({ producerId: 1n, seq: 0, transactional: true }));
      log.append(markerBatch(1n, false), { origin: 'coordinator' });
      log.roll();
      log.append(makeBatch({ values: ['later'] }));
      const before = readTransactionIndexFile(txnIndexOf(0), 0);
      await log.close();
      fx.opened.pop();
      fs.appendFileSync(txnIndexOf(0), Buffer.from([1, 2, 3]));

      open({}, true);
      expect(fx.logger.lines.join('\n')).toMatch(/rebuilding 0+\.txnindex/);
      expect(readTransactionIndexFile(txnIndexOf(0), 0)).toEqual(before);
    });

    it('truncateTo reloads the producer state as of the new end', async () => {
      const log = open();
      for (let i = 0; i < 5; i++) log.append(producerBatch({ producerId: 1n, seq: i }));
      log.roll();
      log.append(producerBatch({ producerId: 1n, seq: 5, transactional: true }));
      log.append(markerBatch(1n, false), { origin: 'coordinator' });
      await log.truncateTo(3);
      expect(log.producerState.lastEntry(1n)!.lastSeq).toBe(2);
      expect(log.lastStableOffset).toBe(3);
      expect(fs.existsSync(txnIndexOf(5))).toBe(false);
      expect(log.append(producerBatch({ producerId: 1n, seq: 3 })).firstOffset).toBe(3);
    });

    it('retention deletes a segment with its .txnindex and the snapshots below the new start, but keeps the producers', () => {
      const log = open({ retentionMs: 1000 });
      log.append(producerBatch({ producerId: 1n, seq: 0, transactional: true, timestamp: T0 }));
      log.append(markerBatch(1n, false, { timestamp: T0 }), { origin: 'coordinator' });
      log.roll();
      log.append(makeBatch({ values: ['x'], timestamp: T0 + 10_000 }));
      log.roll();
      log.append(makeBatch({ values: ['y'], timestamp: T0 + 10_000 }));
      expect(fs.existsSync(txnIndexOf(0))).toBe(true);
      expect(log.deleteOldSegments(T0 + 5000)).toBe(1);
      expect(fs.existsSync(txnIndexOf(0))).toBe(false);
      expect(log.producerState.snapshotOffsets).toEqual([2, 3]);
      // KIP-360: the producer is still known after its data is gone.
      expect(log.append(producerBatch({ producerId: 1n, seq: 1 })).firstOffset).toBe(4);
    });
  });
});
