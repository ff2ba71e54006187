import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emptyBatchOf, setBaseOffset } from '../../protocol/batch-header.js';
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import { capturingLogger, makeBatch, makeTmpDir, removeDir } from '../log/testing.js';
import { ProducerStateEntry } from './producer-state-entry.js';
import { CorruptSnapshotError, decodeSnapshot, encodeSnapshot, ProducerStateManager, snapshotFileName } from './producer-state-manager.js';
import { markerBatch, producerBatch, T0 } from './testing.js';

describe('ProducerStateManager', () => {
  let dir: string;
  let psm: ProducerStateManager;
  let next: number;

  beforeEach(() => {
    dir = makeTmpDir('skein-psm-');
    psm = new ProducerStateManager(dir, 'orders-0', { producerIdExpirationMs: 60_000, logger: capturingLogger() });
    next = 0;
  });
  afterEach(() => removeDir(dir));

  /** Assigns the next offset to `batch`, analyses and applies it as a log append would. */
  function append(batch: Buffer, origin: 'client' | 'coordinator' = 'client', now = T0) {
    setBaseOffset(batch, BigInt(next));
    const analysis = psm.analyze(batch, origin, { now, logStartOffset: 0 });
    if (analysis.duplicate) return { ...analysis, completed: [] };
    const records = batch.readInt32BE(57);
    next += Math.max(records, 1);
    const completed: Array<[number, number, number]> = [];
    psm.apply(analysis, next, (t, lso) => completed.push([t.firstOffset, t.lastOffset, lso]));
    return { ...analysis, completed };
  }

  it('ignores batches without a producer id', () => {
    const a = psm.analyze(makeBatch({ values: ['a'] }), 'client', { now: T0, logStartOffset: 0 });
    expect(a.infos).toEqual([]);
  });

  it('finds a duplicate of a client batch and changes nothing', () => {
    append(producerBatch({ producerId: 1n, seq: 0, count: 3 }));
    append(producerBatch({ producerId: 1n, seq: 3, count: 2 }));
    const dup = append(producerBatch({ producerId: 1n, seq: 0, count: 3 }));
    expect(dup.duplicate).toMatchObject({ firstSeq: 0, lastSeq: 2, firstOffset: 0, lastOffset: 2 });
    expect(psm.lastEntry(1n)!.lastSeq).toBe(4);
  });

  it('throws the first failing batch and leaves the state as it was', () => {
    append(producerBatch({ producerId: 1n, seq: 0 }));
    const b = producerBatch({ producerId: 1n, seq: 5 });
    expect(() => psm.analyze(b, 'client', { now: T0, logStartOffset: 0 })).toThrowError(KafkaError);
    expect(psm.lastEntry(1n)!.lastSeq).toBe(0);
  });

  it('reports UNKNOWN_PRODUCER_ID for an unknown producer only once state may be lost', () => {
    const b = producerBatch({ producerId: 9n, seq: 4 });
    const code = (logStartOffset: number) => {
      try {
        psm.analyze(b, 'client', { now: T0, logStartOffset });
        return 0;
      } catch (err) {
        return (err as KafkaError).code;
      }
    };
    expect(code(0)).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(code(10)).toBe(ErrorCode.UNKNOWN_PRODUCER_ID);
    append(producerBatch({ producerId: 2n, seq: 0 }), 'client', T0);
    expect(psm.removeExpiredProducers(T0 + 60_000)).toBe(1);
    expect(code(0)).toBe(ErrorCode.UNKNOWN_PRODUCER_ID);
  });

  it('tracks the first unstable offset and the LSO recorded for each abort, with interleaved transactions', () => {
    append(makeBatch({ values: ['plain'] })); // 0
    append(producerBatch({ producerId: 1n, transactional: true })); // 1: txn A opens
    append(producerBatch({ producerId: 2n, transactional: true })); // 2: txn B opens
    expect(psm.firstUnstableOffset()).toBe(1);
    append(producerBatch({ producerId: 1n, seq: 1, transactional: true })); // 3
    const abortA = append(markerBatch(1n, false), 'coordinator'); // 4: A aborted; B still open at 2
    expect(abortA.completed).toEqual([[1, 4, 2]]);
    expect(psm.firstUnstableOffset()).toBe(2);
    append(producerBatch({ producerId: 1n, seq: 2, transactional: true })); // 5: A' opens
    const commitB = append(markerBatch(2n, true), 'coordinator'); // 6: B committed; A' open at 5
    expect(commitB.completed).toEqual([[2, 6, 5]]);
    expect(psm.firstUnstableOffset()).toBe(5);
    const abortA2 = append(markerBatch(1n, false), 'coordinator'); // 7: nothing else open
    expect(abortA2.completed).toEqual([[5, 7, 8]]);
    expect(psm.firstUnstableOffset()).toBeUndefined();
  });

  it('a marker for a producer with nothing open completes nothing; a repeat of the last one is redundant', () => {
    append(producerBatch({ producerId: 1n, transactional: true }));
    expect(psm.isRedundantMarker(1n, 0, 0)).toBe(false);
    append(markerBatch(1n, true, { coordinatorEpoch: 3 }), 'coordinator');
    expect(psm.isRedundantMarker(1n, 0, 3)).toBe(true);
    expect(psm.isRedundantMarker(1n, 1, 3)).toBe(false);
    expect(psm.isRedundantMarker(1n, 0, 4)).toBe(false);
    expect(psm.isRedundantMarker(7n, 0, 0)).toBe(false);
    expect(append(markerBatch(1n, true, { coordinatorEpoch: 3 }), 'coordinator').completed).toEqual([]);
  });

  it("replays a marker the cleaner emptied: it completes nothing but keeps the producer's epoch", () => {
    const emptied = emptyBatchOf(markerBatch(4n, false, { epoch: 7 }));
    setBaseOffset(emptied, 0n);
    psm.apply(psm.analyze(emptied, 'replication', { now: T0, logStartOffset: 0 }), 1);
    expect(psm.lastEntry(4n)).toMatchObject({ producerEpoch: 7, currentTxnFirstOffset: -1 });
    expect(psm.firstUnstableOffset()).toBeUndefined();
    // The fencing it carried holds: an older epoch is refused.
    const old = producerBatch({ producerId: 4n, epoch: 6 });
    setBaseOffset(old, 1n);
    expect(() => psm.analyze(old, 'client', { now: T0, logStartOffset: 0 })).toThrowError(
      expect.objectContaining({ code: ErrorCode.INVALID_PRODUCER_EPOCH }) as Error,
    );
  });

  it('expires idle producers but never one with an open transaction', () => {
    append(producerBatch({ producerId: 1n }), 'client', T0);
    append(producerBatch({ producerId: 2n, transactional: true }), 'client', T0);
    append(producerBatch({ producerId: 3n }), 'client', T0 + 30_000);
    expect(psm.removeExpiredProducers(T0 + 59_999)).toBe(0);
    expect(psm.removeExpiredProducers(T0 + 60_000)).toBe(1);
    expect([...psm.activeProducers.keys()].sort()).toEqual([2n, 3n]);
  });

  describe('snapshots', () => {
    it('round-trip every field, the last five batches included', () => {
      const e = new ProducerStateEntry(
        -(5n ** 20n),
        7,
        [1, 2, 3, 4, 5].map((i) => ({ firstSeq: i * 10, lastSeq: i * 10 + 9, firstOffset: 2 ** 40 + i, lastOffset: 2 ** 40 + i + 9, maxTimestamp: T0 + i })),
        12,
        2 ** 40,
        T0 + 5,
        T0 + 6,
      );
      const empty = ProducerStateEntry.empty(3n);
      const back = decodeSnapshot(encodeSnapshot({ entries: [e, empty], producersExpired: true }));
      expect(back.producersExpired).toBe(true);
      expect(back.entries).toEqual([e, empty]);
    });

    it('a flipped bit anywhere fails the CRC', () => {
      append(producerBatch({ producerId: 1n, count: 3 }));
      const bytes = encodeSnapshot({ entries: [...psm.activeProducers.values()], producersExpired: false });
      for (const at of [6, 12, 20, bytes.length - 1]) {
        const bad = Buffer.from(bytes);
        bad[at] ^= 0x10;
        expect(() => decodeSnapshot(bad), `byte ${at}`).toThrowError(CorruptSnapshotError);
      }
      expect(() => decodeSnapshot(bytes.subarray(0, bytes.length - 3))).toThrowError(CorruptSnapshotError);
    });

    it('are written at the state end offset and loaded back, dropping producers that expired meanwhile', () => {
      append(producerBatch({ producerId: 1n, count: 2 }), 'client', T0);
      append(producerBatch({ producerId: 2n, transactional: true }), 'client', T0 + 50_000);
      psm.takeSnapshot();
      expect(fs.readdirSync(dir)).toEqual([snapshotFileName(3)]);

      const fresh = new ProducerStateManager(dir, 'orders-0', { producerIdExpirationMs: 60_000, logger: capturingLogger() });
      expect(fresh.loadSnapshot({ minOffset: 0, maxOffset: 3, now: T0 + 70_000 })).toBe(3);
      expect(fresh.mapEndOffset).toBe(3);
      expect([...fresh.activeProducers.keys()]).toEqual([2n]); // 1 expired; 2 has an open transaction
      expect(fresh.firstUnstableOffset()).toBe(2);
      expect(fresh.stateMayBeLost(0)).toBe(true);
    });

    it('a damaged snapshot is ignored and deleted, and the next older one used', () => {
      append(producerBatch({ producerId: 1n }));
      psm.takeSnapshot(); // at 1
      append(producerBatch({ producerId: 1n, seq: 1 }));
      psm.takeSnapshot(); // at 2
      const f = path.join(dir, snapshotFileName(2));
      const bytes = fs.readFileSync(f);
      bytes[bytes.length - 2] ^= 0xff;
      fs.writeFileSync(f, bytes);

      const logger = capturingLogger();
      const fresh = new ProducerStateManager(dir, 'orders-0', { logger });
      expect(fresh.loadSnapshot({ minOffset: 0, maxOffset: 10, now: T0 })).toBe(1);
      expect(fresh.lastEntry(1n)!.lastSeq).toBe(0);
      expect(fs.existsSync(f)).toBe(false);
      expect(logger.lines.join('\n')).toMatch(/ignoring producer snapshot 0+2\.snapshot: CRC mismatch/);
    });

    it('only snapshots within [minOffset, maxOffset] are used; none leaves an empty state at minOffset', () => {
      append(producerBatch({ producerId: 1n }));
      psm.takeSnapshot(); // at 1
      const fresh = new ProducerStateManager(dir, 'orders-0', { logger: capturingLogger() });
      expect(fresh.loadSnapshot({ minOffset: 0, maxOffset: 0, now: T0 })).toBeUndefined();
      expect(fresh.loadSnapshot({ minOffset: 5, maxOffset: 9, now: T0 })).toBeUndefined();
      expect(fresh.mapEndOffset).toBe(5);
      expect(fresh.activeProducers.size).toBe(0);
    });

    it('truncateAndReload drops snapshots past the new end and reloads the latest one below it', () => {
      append(producerBatch({ producerId: 1n }));
      psm.takeSnapshot(); // 1
      append(producerBatch({ producerId: 1n, seq: 1 }));
      append(producerBatch({ producerId: 1n, seq: 2 }));
      psm.takeSnapshot(); // 3
      expect(psm.truncateAndReload(0, 2, T0)).toBe(1);
      expect(psm.snapshotOffsets).toEqual([1]);
      expect(psm.lastEntry(1n)!.lastSeq).toBe(0);
      expect(psm.truncateAndReload(0, 1, T0)).toBeUndefined(); // already ends there
    });

    it('truncateFullyAndStartAt forgets everything', () => {
      append(producerBatch({ producerId: 1n, transactional: true }));
      psm.takeSnapshot();
      psm.truncateFullyAndStartAt(50);
      expect(psm.activeProducers.size).toBe(0);
      expect(psm.firstUnstableOffset()).toBeUndefined();
      expect(psm.mapEndOffset).toBe(50);
      expect(fs.readdirSync(dir)).toEqual([]);
    });
  });
});
