import { describe, expect, it } from 'vitest';
import { Attr, Offsets, setBaseOffset } from './batch-header.js';
import { ControlRecordType, decodeControlRecord, encodeControlBatch, encodeControlKey, encodeEndTxnMarkerValue, readControlBatch } from './control-record.js';
import { ErrorCode } from './errors.js';
import { decodeRecordBatch, encodeRecordBatch, validateBatch } from './record-batch.js';
import { errorCodeOf } from './testing.js';

describe('transaction markers', () => {
  for (const commit of [true, false]) {
    it(`${commit ? 'COMMIT' : 'ABORT'} marker round trip`, () => {
      const batch = encodeControlBatch({
        producerId: 4000n,
        producerEpoch: 7,
        commit,
        coordinatorEpoch: 12,
        timestamp: 1_700_000_000_123n,
        baseOffset: 55n,
        partitionLeaderEpoch: 3,
      });
      const header = validateBatch(batch, { origin: 'coordinator' });
      expect(header).toMatchObject({
        baseOffset: 55n,
        partitionLeaderEpoch: 3,
        attributes: Attr.transactional | Attr.control,
        lastOffsetDelta: 0,
        recordCount: 1,
        producerId: 4000n,
        producerEpoch: 7,
        baseSequence: -1,
        baseTimestamp: 1_700_000_000_123n,
        maxTimestamp: 1_700_000_000_123n,
      });

      const { records } = decodeRecordBatch(batch);
      expect(records).toHaveLength(1);
      expect(records[0].offset).toBe(55n);
      expect(records[0].key!.toString('hex')).toBe(commit ? '00000001' : '00000000');
      expect(records[0].value!.toString('hex')).toBe('00000000000c');
      const expected = { version: 0, type: commit ? ControlRecordType.commit : ControlRecordType.abort, coordinatorEpoch: 12 };
      expect(decodeControlRecord(records[0])).toEqual(expected);
      expect(readControlBatch(batch)).toEqual(expected);
    });
  }

  it('a client may not write one', () => {
    const batch = encodeControlBatch({
      producerId: 1n,
      producerEpoch: 0,
      commit: true,
      coordinatorEpoch: 0,
      timestamp: 0n,
      baseOffset: 0n,
    });
    expect(errorCodeOf(() => validateBatch(batch))).toBe(ErrorCode.INVALID_RECORD);
  });

  it('survives the broker re-assigning the base offset', () => {
    const batch = encodeControlBatch({ producerId: 1n, producerEpoch: 0, commit: false, coordinatorEpoch: 2, timestamp: 0n, baseOffset: 0n });
    setBaseOffset(batch, 999n);
    expect(validateBatch(batch, { origin: 'coordinator' }).baseOffset).toBe(999n);
    expect(readControlBatch(batch).type).toBe(ControlRecordType.abort);
  });

  it('reads newer versions with extra trailing fields, as Kafka does', () => {
    const key = Buffer.concat([Buffer.from('00010001', 'hex'), Buffer.from('ffff', 'hex')]);
    const value = Buffer.concat([Buffer.from('0001', 'hex'), Buffer.from('00000009', 'hex'), Buffer.from('abcd', 'hex')]);
    expect(decodeControlRecord({ key, value })).toEqual({ version: 1, type: 1, coordinatorEpoch: 9 });
  });

  it('KRaft control types are reported without an epoch', () => {
    expect(decodeControlRecord({ key: encodeControlKey(2), value: Buffer.from('whatever') })).toEqual({
      version: 0,
      type: 2,
      coordinatorEpoch: null,
    });
  });

  it('short or missing key and value → CORRUPT_MESSAGE', () => {
    expect(errorCodeOf(() => decodeControlRecord({ key: Buffer.from('0000', 'hex'), value: encodeEndTxnMarkerValue(1) }))).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(errorCodeOf(() => decodeControlRecord({ key: null, value: encodeEndTxnMarkerValue(1) }))).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(errorCodeOf(() => decodeControlRecord({ key: encodeControlKey(1), value: Buffer.from('0000', 'hex') }))).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(errorCodeOf(() => decodeControlRecord({ key: encodeControlKey(0), value: null }))).toBe(ErrorCode.CORRUPT_MESSAGE);
  });

  it('readControlBatch refuses a data batch', () => {
    const data = encodeRecordBatch({ timestamp: 1_700_000_000_000n, records: [{ key: encodeControlKey(1), value: encodeEndTxnMarkerValue(1) }] });
    expect(errorCodeOf(() => readControlBatch(data))).toBe(ErrorCode.CORRUPT_MESSAGE);
    const truncated = encodeControlBatch({ producerId: 1n, producerEpoch: 0, commit: true, coordinatorEpoch: 0, timestamp: 0n, baseOffset: 0n });
    expect(errorCodeOf(() => readControlBatch(truncated.subarray(0, truncated.length - 4)))).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(truncated.readInt16BE(Offsets.attributes) & Attr.control).toBe(Attr.control);
  });
});
