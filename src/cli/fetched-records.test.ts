import { describe, expect, it } from 'vitest';
import { encodeControlBatch } from '../protocol/control-record.js';
import { encodeRecordBatch } from '../protocol/record-batch.js';
import { readFetchedRecords } from './fetched-records.js';

const values = (batches: Buffer[], fetchOffset: bigint, readCommitted: boolean, aborted: Array<{ producerId: bigint; firstOffset: bigint }> | null = null) => {
  const r = readFetchedRecords(0, { records: Buffer.concat(batches), abortedTransactions: aborted }, fetchOffset, readCommitted);
  return { values: r.records.map((x) => `${x.offset}:${x.value?.toString()}`), next: r.nextOffset };
};
const plain = (baseOffset: bigint, ...vs: string[]) => encodeRecordBatch({ baseOffset, timestamp: 1000n, records: vs.map((v) => ({ value: Buffer.from(v) })) });
const txn = (baseOffset: bigint, producerId: bigint, ...vs: string[]) =>
  encodeRecordBatch({
    baseOffset,
    producerId,
    producerEpoch: 0,
    baseSequence: 0,
    transactional: true,
    timestamp: 1000n,
    records: vs.map((v) => ({ value: Buffer.from(v) })),
  });
const marker = (baseOffset: bigint, producerId: bigint, commit: boolean) =>
  encodeControlBatch({ baseOffset, producerId, producerEpoch: 0, commit, coordinatorEpoch: 0, timestamp: 1000n });

describe('readFetchedRecords', () => {
  it('skips records before the fetch offset and stops at a partial batch', () => {
    const second = plain(3n, 'd', 'e');
    const r = values([plain(0n, 'a', 'b', 'c'), second.subarray(0, second.length - 5)], 1n, false);
    expect(r).toEqual({ values: ['1:b', '2:c'], next: 3n });
  });

  it('never shows control batches, and drops aborted transactions under read_committed only', () => {
    const log = [txn(0n, 7n, 'aborted-1'), txn(1n, 8n, 'committed'), marker(2n, 7n, false), marker(3n, 8n, true), txn(4n, 7n, 'later'), plain(5n, 'plain')];
    const aborted = [{ producerId: 7n, firstOffset: 0n }];
    expect(values(log, 0n, false, aborted)).toEqual({ values: ['0:aborted-1', '1:committed', '4:later', '5:plain'], next: 6n });
    // After its ABORT marker, producer 7's next transaction is shown again.
    expect(values(log, 0n, true, aborted)).toEqual({ values: ['1:committed', '4:later', '5:plain'], next: 6n });
  });

  it('moves past a fetch that held only a control batch', () => {
    expect(values([marker(9n, 1n, true)], 9n, true, [])).toEqual({ values: [], next: 10n });
  });
});
