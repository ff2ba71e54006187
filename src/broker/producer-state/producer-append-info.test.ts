import { describe, expect, it } from 'vitest';
import { INT32_MAX } from '../../protocol/constants.js';
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import { type AppendOrigin, type DataBatchInfo, ProducerAppendInfo } from './producer-append-info.js';
import { decrementSequence, incrementSequence, inSequence, ProducerStateEntry } from './producer-state-entry.js';

const PID = 42n;

/** An entry whose last batches had these (first, last) sequences at epoch `epoch`. */
function entryWith(epoch: number, seqs: Array<[number, number]>, extra: Partial<ProducerStateEntry> = {}): ProducerStateEntry {
  const e = ProducerStateEntry.empty(PID);
  let offset = 100;
  for (const [firstSeq, lastSeq] of seqs) {
    const n = lastSeq >= firstSeq ? lastSeq - firstSeq : lastSeq + (INT32_MAX - firstSeq) + 1;
    e.addBatch(epoch, { firstSeq, lastSeq, firstOffset: offset, lastOffset: offset + n, maxTimestamp: 1000 + offset });
    offset += n + 1;
  }
  Object.assign(e, extra);
  return e;
}

function info(current: ProducerStateEntry | undefined, opts: { origin?: AppendOrigin; stateMayBeLost?: boolean } = {}): ProducerAppendInfo {
  return new ProducerAppendInfo(PID, current, opts.origin ?? 'client', { partition: 'orders-0', stateMayBeLost: opts.stateMayBeLost ?? false });
}

function batch(epoch: number, firstSeq: number, records = 1, extra: Partial<DataBatchInfo> = {}): DataBatchInfo {
  return {
    producerEpoch: epoch,
    firstSeq,
    lastSeq: incrementSequence(firstSeq, records - 1),
    firstOffset: 500,
    lastOffset: 500 + records - 1,
    maxTimestamp: 2000,
    isTransactional: false,
    writeTime: 3000,
    ...extra,
  };
}

function codeOf(fn: () => unknown): number | 'ok' {
  try {
    fn();
    return 'ok';
  } catch (err) {
    if (err instanceof KafkaError) return err.code;
    throw err;
  }
}

describe('sequence arithmetic', () => {
  it('wraps at Int32 max', () => {
    expect(incrementSequence(5, 3)).toBe(8);
    expect(incrementSequence(INT32_MAX, 1)).toBe(0);
    expect(incrementSequence(INT32_MAX - 1, 4)).toBe(2);
    expect(decrementSequence(2, 4)).toBe(INT32_MAX - 1);
    expect(inSequence(INT32_MAX, 0)).toBe(true);
    expect(inSequence(-1, 0)).toBe(true);
    expect(inSequence(7, 9)).toBe(false);
  });
});

describe('ProducerAppendInfo: the table in docs/transactions.md', () => {
  it('epoch lower than known → INVALID_PRODUCER_EPOCH', () => {
    expect(codeOf(() => info(entryWith(3, [[0, 4]])).appendDataBatch(batch(2, 5)))).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
  });

  it('epoch higher than known, sequence 0 → accepted; the state resets to the new epoch', () => {
    const a = info(
      entryWith(3, [
        [0, 4],
        [5, 9],
      ]),
    );
    a.appendDataBatch(batch(4, 0, 2));
    const e = a.toEntry();
    expect(e.producerEpoch).toBe(4);
    expect(e.batches.map((b) => [b.firstSeq, b.lastSeq])).toEqual([[0, 1]]);
  });

  it('epoch higher than known, sequence ≠ 0 → OUT_OF_ORDER_SEQUENCE_NUMBER', () => {
    expect(codeOf(() => info(entryWith(3, [[0, 4]])).appendDataBatch(batch(4, 5)))).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  });

  it('the same batch as each of the last five → that batch, with its original offsets', () => {
    const seqs: Array<[number, number]> = [
      [0, 1],
      [2, 4],
      [5, 5],
      [6, 9],
      [10, 10],
      [11, 13],
    ];
    const current = entryWith(0, seqs);
    expect(current.batches).toHaveLength(5);
    for (const [first, last] of seqs.slice(1)) {
      const dup = info(current).duplicateOf(0, first, last);
      expect(dup, `batch ${first}..${last}`).toBeDefined();
      expect(dup!.firstSeq).toBe(first);
      expect(current.batches).toContainEqual(dup);
    }
    // The sixth-newest is forgotten: it is out of order now.
    expect(info(current).duplicateOf(0, 0, 1)).toBeUndefined();
    expect(codeOf(() => info(current).appendDataBatch(batch(0, 0, 2)))).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    // Same first sequence but another range, or another epoch: not a duplicate.
    expect(info(current).duplicateOf(0, 6, 8)).toBeUndefined();
    expect(info(current).duplicateOf(1, 6, 9)).toBeUndefined();
    // Only a client's batches are looked up.
    expect(info(current, { origin: 'coordinator' }).duplicateOf(0, 6, 9)).toBeUndefined();
  });

  it('a gap (first sequence ≠ last + 1) → OUT_OF_ORDER_SEQUENCE_NUMBER; the next one → accepted', () => {
    const current = entryWith(0, [[0, 4]]);
    expect(codeOf(() => info(current).appendDataBatch(batch(0, 6)))).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(codeOf(() => info(current).appendDataBatch(batch(0, 3)))).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(codeOf(() => info(current).appendDataBatch(batch(0, 5)))).toBe('ok');
  });

  it('sequences wrap at 2^31 − 1: after Int32 max comes 0, and a batch may span the wrap', () => {
    const atMax = entryWith(0, [[INT32_MAX - 2, INT32_MAX]]);
    expect(codeOf(() => info(atMax).appendDataBatch(batch(0, 0, 3)))).toBe('ok');
    expect(codeOf(() => info(atMax).appendDataBatch(batch(0, INT32_MAX)))).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);

    const before = entryWith(0, [[INT32_MAX - 10, INT32_MAX - 2]]);
    const a = info(before);
    a.appendDataBatch(batch(0, INT32_MAX - 1, 4)); // INT32_MAX-1, INT32_MAX, 0, 1
    expect(a.toEntry().lastSeq).toBe(1);
    const next = info(a.toEntry());
    expect(codeOf(() => next.appendDataBatch(batch(0, 2)))).toBe('ok');
    expect(info(a.toEntry()).duplicateOf(0, INT32_MAX - 1, 1)).toBeDefined();
  });

  it('unknown producer, sequence ≠ 0 → UNKNOWN_PRODUCER_ID when state may be lost, else OUT_OF_ORDER_SEQUENCE_NUMBER', () => {
    expect(codeOf(() => info(undefined, { stateMayBeLost: true }).appendDataBatch(batch(0, 7)))).toBe(ErrorCode.UNKNOWN_PRODUCER_ID);
    expect(codeOf(() => info(undefined, { stateMayBeLost: false }).appendDataBatch(batch(0, 7)))).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(codeOf(() => info(undefined, { stateMayBeLost: true }).appendDataBatch(batch(5, 0)))).toBe('ok');
  });

  it('an epoch learnt from a marker, with no batches yet, expects sequence 0', () => {
    const fenced = entryWith(0, [], { producerEpoch: 1, coordinatorEpoch: 0 });
    expect(codeOf(() => info(fenced).appendDataBatch(batch(1, 3)))).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(codeOf(() => info(fenced).appendDataBatch(batch(1, 0)))).toBe('ok');
  });

  it('a transactional batch opens the transaction at its first offset; the next ones keep it', () => {
    const a = info(entryWith(0, [[0, 0]]));
    a.appendDataBatch(batch(0, 1, 1, { isTransactional: true, firstOffset: 700, lastOffset: 700 }));
    a.appendDataBatch(batch(0, 2, 1, { isTransactional: true, firstOffset: 701, lastOffset: 701 }));
    expect(a.toEntry().currentTxnFirstOffset).toBe(700);
    expect(a.startedTransactions).toEqual([{ producerId: PID, firstOffset: 700 }]);
  });

  it('a non-transactional batch while the transaction is open → INVALID_TXN_STATE', () => {
    const open = entryWith(0, [[0, 0]], { currentTxnFirstOffset: 100 });
    expect(codeOf(() => info(open).appendDataBatch(batch(0, 1)))).toBe(ErrorCode.INVALID_TXN_STATE);
    expect(codeOf(() => info(open).appendDataBatch(batch(0, 1, 1, { isTransactional: true })))).toBe('ok');
  });

  it('a marker closes the open transaction: a completed transaction (first offset, marker offset, aborted?)', () => {
    const open = entryWith(0, [[0, 0]], { currentTxnFirstOffset: 100, coordinatorEpoch: 2 });
    const a = info(open, { origin: 'coordinator' });
    const done = a.appendEndTxnMarker({ producerEpoch: 0, commit: false, coordinatorEpoch: 3, offset: 120, timestamp: 5000, writeTime: 6000 });
    expect(done).toEqual({ producerId: PID, firstOffset: 100, lastOffset: 120, isAborted: true });
    const e = a.toEntry();
    expect(e.currentTxnFirstOffset).toBe(-1);
    expect(e.coordinatorEpoch).toBe(3);
    expect(e.lastTimestamp).toBe(5000);
    // Nothing open: nothing completed.
    expect(
      info(e, { origin: 'coordinator' }).appendEndTxnMarker({ producerEpoch: 0, commit: true, coordinatorEpoch: 3, offset: 121, timestamp: 1, writeTime: 1 }),
    ).toBeUndefined();
  });

  it('a marker from an older coordinator epoch → TRANSACTION_COORDINATOR_FENCED; an older producer epoch → INVALID_PRODUCER_EPOCH', () => {
    const open = entryWith(2, [[0, 0]], { currentTxnFirstOffset: 100, coordinatorEpoch: 5 });
    const m = { commit: true, offset: 120, timestamp: 1, writeTime: 1 };
    expect(codeOf(() => info(open, { origin: 'coordinator' }).appendEndTxnMarker({ ...m, producerEpoch: 2, coordinatorEpoch: 4 }))).toBe(
      ErrorCode.TRANSACTION_COORDINATOR_FENCED,
    );
    expect(codeOf(() => info(open, { origin: 'coordinator' }).appendEndTxnMarker({ ...m, producerEpoch: 1, coordinatorEpoch: 5 }))).toBe(
      ErrorCode.INVALID_PRODUCER_EPOCH,
    );
  });

  it('a marker with a bumped epoch (the coordinator fencing the producer) fences the old epoch', () => {
    const open = entryWith(2, [[0, 3]], { currentTxnFirstOffset: 100 });
    const a = info(open, { origin: 'coordinator' });
    a.appendEndTxnMarker({ producerEpoch: 3, commit: false, coordinatorEpoch: 0, offset: 120, timestamp: 1, writeTime: 1 });
    expect(a.toEntry().producerEpoch).toBe(3);
    expect(a.toEntry().batches).toEqual([]);
    expect(codeOf(() => info(a.toEntry()).appendDataBatch(batch(2, 4)))).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
  });

  it('the coordinator origin checks epochs but not sequences; replication checks nothing', () => {
    const current = entryWith(1, [[0, 4]]);
    expect(codeOf(() => info(current, { origin: 'coordinator' }).appendDataBatch(batch(1, -1)))).toBe('ok');
    expect(codeOf(() => info(current, { origin: 'coordinator' }).appendDataBatch(batch(0, -1)))).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    expect(codeOf(() => info(current, { origin: 'replication' }).appendDataBatch(batch(0, 77)))).toBe('ok');
  });

  it('never changes the entry it was given', () => {
    const current = entryWith(0, [[0, 4]], { currentTxnFirstOffset: -1 });
    const before = JSON.stringify(current, (_, v) => (typeof v === 'bigint' ? v.toString() : v));
    const a = info(current);
    a.appendDataBatch(batch(0, 5, 1, { isTransactional: true }));
    a.appendEndTxnMarker({ producerEpoch: 1, commit: true, coordinatorEpoch: 9, offset: 900, timestamp: 1, writeTime: 1 });
    expect(JSON.stringify(current, (_, v) => (typeof v === 'bigint' ? v.toString() : v))).toBe(before);
  });
});
