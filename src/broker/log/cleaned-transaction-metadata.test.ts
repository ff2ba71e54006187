import { describe, expect, it } from 'vitest';
import { Attr, emptyBatchOf, Offsets, readBatchHeader, setBaseOffset } from '../../protocol/batch-header.js';
import { encodeRecordBatch } from '../../protocol/record-batch.js';
import { markerBatch } from '../producer-state/testing.js';
import { CleanedTransactionMetadata } from './cleaned-transaction-metadata.js';
import { keyedBatch, T0 } from './compaction-testing.js';

/** A batch placed at `offset`: transactional data of `producerId` (-1: a plain batch), or a marker. */
function at(offset: number, batch: Buffer): Buffer {
  setBaseOffset(batch, BigInt(offset));
  return batch;
}
const data = (offset: number, producerId: bigint) =>
  at(offset, keyedBatch([['k', 'v']], producerId < 0n ? {} : { producerId, producerEpoch: 0, baseSequence: offset, transactional: true }));
const marker = (offset: number, producerId: bigint, commit: boolean) => at(offset, markerBatch(producerId, commit));

describe('CleanedTransactionMetadata', () => {
  const decide = (m: CleanedTransactionMetadata, batch: Buffer) => m.checkBatch(readBatchHeader(batch), batch);

  it("discards the batches of an aborted transaction from its first offset to its producer's marker, whoever writes in between", () => {
    // Producer 1 aborts [1, 5]; producer 2 commits [2, 4]; plain writes around them.
    const m = new CleanedTransactionMetadata([{ producerId: 1n, firstOffset: 1, lastOffset: 5, lastStableOffset: 6 }], new Map(), T0);
    const decisions = [data(0, -1n), data(1, 1n), data(2, 2n), data(3, 1n), marker(4, 2n, true), marker(5, 1n, false), data(6, 1n), data(7, -1n)].map((b) =>
      decide(m, b),
    );
    expect(decisions.map((d) => d.action)).toEqual(['compact', 'discard', 'compact', 'discard', 'retain', 'retain', 'compact', 'compact']);
    // Both markers had data in this walk: kept as they are.
    expect(decisions[4].setDeleteHorizon).toBeUndefined();
    expect(decisions[5].setDeleteHorizon).toBeUndefined();
  });

  it("stamps a marker whose transaction left no batch, discards it once the horizon has passed, and keeps a producer's last one as a header", () => {
    const stamped = (horizon: number): Buffer => {
      // What the cleaner wrote for a marker it stamped: bit 6 and baseTimestamp = horizon (CRC not needed here).
      const b = marker(9, 1n, false);
      b.writeInt16BE(b.readInt16BE(Offsets.attributes) | Attr.deleteHorizon, Offsets.attributes);
      b.writeBigInt64BE(BigInt(horizon), Offsets.baseTimestamp);
      return b;
    };
    const noData = new CleanedTransactionMetadata([], new Map([[3n, 12]]), T0);
    expect(decide(noData, marker(8, 2n, true))).toEqual({ action: 'retain', retainEmpty: false, setDeleteHorizon: true });
    expect(decide(noData, stamped(T0 + 1))).toEqual({ action: 'retain', retainEmpty: false, setDeleteHorizon: true });
    expect(decide(noData, stamped(T0))).toEqual({ action: 'discard', retainEmpty: false, setDeleteHorizon: true });
    expect(decide(noData, at(11, emptyBatchOf(markerBatch(4n, true))))).toMatchObject({ action: 'discard', retainEmpty: false });
    expect(decide(noData, at(12, emptyBatchOf(markerBatch(3n, true))))).toMatchObject({ action: 'discard', retainEmpty: true });
  });

  it('keeps KRaft control records (types other than COMMIT and ABORT)', () => {
    const kraft = at(
      0,
      encodeRecordBatch({
        records: [{ key: Buffer.from([0, 0, 0, 3]), value: Buffer.alloc(4) }],
        control: true,
        producerId: -1n,
        timestamp: BigInt(T0),
      }),
    );
    expect(decide(new CleanedTransactionMetadata([], new Map(), T0), kraft)).toEqual({ action: 'retain', retainEmpty: false });
  });
});
