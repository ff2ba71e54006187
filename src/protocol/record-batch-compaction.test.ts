/** What the log cleaner needs of the batch codec: offset gaps, a kept offset range, KIP-534 horizons, empty batches. */
import { describe, expect, it } from 'vitest';
import { Attr, Compression, emptyBatchOf, hasDeleteHorizon, hasValidCrc, readBatchHeader } from './batch-header.js';
import { decodeRecordBatch, encodeRecordBatch } from './record-batch.js';

const T = 1_700_000_000_000n;

describe('encodeRecordBatch for compaction', () => {
  it.each([
    ['uncompressed', Compression.none],
    ['gzip', Compression.gzip],
  ])('%s: keeps given offset deltas and a last offset delta past the last record', (_name, compression) => {
    const batch = encodeRecordBatch({
      timestamp: T,
      baseOffset: 100n,
      compression,
      lastOffsetDelta: 9,
      records: [
        { key: Buffer.from('a'), value: Buffer.from('1'), offsetDelta: 2, timestamp: T + 5n },
        { key: Buffer.from('b'), value: null, offsetDelta: 7, timestamp: T + 1n },
      ],
    });
    const { header, records } = decodeRecordBatch(batch);
    expect(header.lastOffsetDelta).toBe(9);
    expect(header.recordCount).toBe(2);
    expect(header.baseTimestamp).toBe(T + 5n);
    expect(header.maxTimestamp).toBe(T + 5n);
    expect(records.map((r) => [r.offset, r.timestamp, r.value?.toString() ?? null])).toEqual([
      [102n, T + 5n, '1'],
      [107n, T + 1n, null],
    ]);
  });

  it('refuses offset deltas that do not increase, and a last offset delta below the last record', () => {
    const r = (offsetDelta: number) => ({ value: Buffer.from('v'), offsetDelta });
    expect(() => encodeRecordBatch({ timestamp: T, records: [r(3), r(3)] })).toThrow(RangeError);
    expect(() => encodeRecordBatch({ timestamp: T, records: [r(-1)] })).toThrow(RangeError);
    expect(() => encodeRecordBatch({ timestamp: T, records: [r(4)], lastOffsetDelta: 3 })).toThrow(RangeError);
  });

  it('stores a delete horizon as the base timestamp with attribute bit 6; record timestamps are unchanged', () => {
    const horizon = T + 86_400_000n;
    const batch = encodeRecordBatch({
      timestamp: T,
      deleteHorizonMs: horizon,
      records: [
        { key: Buffer.from('k'), value: null, timestamp: T },
        { key: Buffer.from('j'), value: Buffer.from('v'), timestamp: T + 3n },
      ],
    });
    const { header, records } = decodeRecordBatch(batch);
    expect(hasDeleteHorizon(header.attributes)).toBe(true);
    expect(header.attributes & Attr.deleteHorizon).toBe(0x40);
    expect(header.baseTimestamp).toBe(horizon);
    expect(header.maxTimestamp).toBe(T + 3n);
    expect(records.map((r) => r.timestamp)).toEqual([T, T + 3n]);
  });
});

describe('emptyBatchOf', () => {
  it('keeps offsets, producer fields and the transactional bit, with no records and no compression', () => {
    const batch = encodeRecordBatch({
      baseOffset: 40n,
      compression: Compression.gzip,
      transactional: true,
      producerId: 9n,
      producerEpoch: 4,
      baseSequence: 17,
      partitionLeaderEpoch: 2,
      timestamp: T,
      records: [{ value: Buffer.from('a') }, { value: Buffer.from('b'), timestamp: T + 9n }],
    });
    const empty = emptyBatchOf(batch);
    expect(empty.length).toBe(61);
    expect(hasValidCrc(empty)).toBe(true);
    expect(readBatchHeader(empty)).toMatchObject({
      baseOffset: 40n,
      batchLength: 49,
      partitionLeaderEpoch: 2,
      attributes: Attr.transactional,
      lastOffsetDelta: 1,
      baseTimestamp: T + 9n,
      maxTimestamp: T + 9n,
      producerId: 9n,
      producerEpoch: 4,
      baseSequence: 17,
      recordCount: 0,
    });
    expect(decodeRecordBatch(empty).records).toEqual([]);
  });
});
