import { errorCodeOf, errorCodeOfAsync } from './testing.js';
import { createRequire } from 'node:module';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Attr, BATCH_HEADER_SIZE, Compression, computeBatchCrc, Offsets, setBaseOffset, setLogAppendTime } from './batch-header.js';
import { compressSync } from './compression.js';
import { ErrorCode } from './errors.js';
import {
  type DecodedRecord,
  decodeRecordBatch,
  decodeRecordBatchAsync,
  decodeRecords,
  encodeRecordBatch,
  encodeRecordBatchAsync,
  iterateBatches,
  type RecordInput,
  validateBatch,
  type ValidateBatchOptions,
  validateCompressedRecords,
} from './record-batch.js';
import { Writer } from './writer.js';

const require = createRequire(import.meta.url);
const zstdAvailable = typeof (zlib as unknown as { zstdCompressSync?: unknown }).zstdCompressSync === 'function';

// ---------------------------------------------------------------------------------------------
// helpers

const T0 = 1_700_000_000_000n;

function sampleRecords(): RecordInput[] {
  return [
    { key: Buffer.from('k0'), value: Buffer.from('v0'), timestamp: T0 },
    { key: null, value: Buffer.from('no key'), timestamp: T0 + 5n },
    { key: Buffer.from('k2'), value: null, timestamp: T0 - 3n }, // earlier than the first: negative delta
    {
      key: Buffer.alloc(0),
      value: Buffer.alloc(300, 7), // 2-byte varint length
      headers: [
        { key: 'trace', value: Buffer.from('abc') },
        { key: 'empty', value: Buffer.alloc(0) },
        { key: 'nothing', value: null },
        { key: 'ünïcode ✓', value: Buffer.from('x') },
      ],
      timestamp: T0 + 1n,
    },
    { key: Buffer.from('big'), value: Buffer.alloc(70_000, 1), timestamp: T0 }, // 3-byte varint length
  ];
}

/** A copy of `batch` changed by `edit`, with the CRC recomputed so that only the edit is wrong. */
function tamper(batch: Buffer, edit: (b: Buffer) => void, fixCrc = true): Buffer {
  const copy = Buffer.from(batch);
  edit(copy);
  if (fixCrc) copy.writeUInt32BE(computeBatchCrc(copy), Offsets.crc);
  return copy;
}

function expectSameRecords(actual: DecodedRecord[], expected: RecordInput[], baseOffset = 0n): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((r, i) => {
    const e = expected[i];
    expect(r.offsetDelta).toBe(i);
    expect(r.offset).toBe(baseOffset + BigInt(i));
    expect(r.timestamp).toBe(e.timestamp);
    expect(r.key === null ? null : Buffer.from(r.key).toString('hex')).toBe(e.key == null ? null : e.key.toString('hex'));
    expect(r.value === null ? null : Buffer.from(r.value).toString('hex')).toBe(e.value === null ? null : e.value.toString('hex'));
    expect(r.headers.map((h) => [h.key, h.value?.toString('hex') ?? null])).toEqual((e.headers ?? []).map((h) => [h.key, h.value?.toString('hex') ?? null]));
  });
}

const codecs = [
  ['none', Compression.none],
  ['gzip', Compression.gzip],
  ['snappy', Compression.snappy],
  ['lz4', Compression.lz4],
  ['zstd', Compression.zstd],
] as const;

// ---------------------------------------------------------------------------------------------

describe('encodeRecordBatch / decodeRecordBatch', () => {
  for (const [name, codec] of codecs) {
    const run = codec === Compression.zstd && !zstdAvailable ? it.skip : it;
    run(`round trips with ${name}`, async () => {
      const records = sampleRecords();
      const batch = encodeRecordBatch({
        timestamp: T0,
        records,
        compression: codec,
        producerId: 42n,
        producerEpoch: 3,
        baseSequence: 17,
        transactional: true,
      });
      const header = validateBatch(batch);
      expect(header).toMatchObject({
        baseOffset: 0n,
        batchLength: batch.length - 12,
        partitionLeaderEpoch: -1,
        magic: 2,
        attributes: codec | Attr.transactional,
        lastOffsetDelta: 4,
        baseTimestamp: T0,
        maxTimestamp: T0 + 5n,
        producerId: 42n,
        producerEpoch: 3,
        baseSequence: 17,
        recordCount: 5,
      });
      await validateCompressedRecords(batch);

      setBaseOffset(batch, 1000n);
      const decoded = decodeRecordBatch(batch);
      expect(decoded.header.baseOffset).toBe(1000n);
      expectSameRecords(decoded.records, records, 1000n);
      expectSameRecords((await decodeRecordBatchAsync(batch)).records, records, 1000n);

      const viaAsync = await encodeRecordBatchAsync({ timestamp: T0, records, compression: codec });
      expectSameRecords(decodeRecords(viaAsync), records);
      if (codec !== Compression.none) expect(batch.length).toBeLessThan(20_000); // 70 KB of ones compress
    });
  }

  it('defaults: base offset 0, no producer, CreateTime, one timestamp for all', () => {
    const batch = encodeRecordBatch({ records: [{ value: Buffer.from('a') }, { value: Buffer.from('b') }], timestamp: 5n });
    const { header, records } = decodeRecordBatch(batch);
    expect(header).toMatchObject({ producerId: -1n, producerEpoch: -1, baseSequence: -1, attributes: 0, baseTimestamp: 5n, maxTimestamp: 5n });
    expect(records.map((r) => [r.key, r.timestampDelta, r.timestamp])).toEqual([
      [null, 0, 5n],
      [null, 0, 5n],
    ]);
  });

  it('refuses an empty batch and an unknown codec', () => {
    expect(() => encodeRecordBatch({ timestamp: T0, records: [] })).toThrow(RangeError);
    expect(errorCodeOf(() => encodeRecordBatch({ timestamp: T0, records: [{ value: null }], compression: 5 }))).toBe(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
  });

  it('LogAppendTime: every record reads as the batch max timestamp, and the CRC still holds', () => {
    const batch = encodeRecordBatch({ timestamp: T0, records: sampleRecords() });
    setLogAppendTime(batch, 1_800_000_000_000n);
    expect(validateBatch(batch).attributes & Attr.logAppendTime).toBe(Attr.logAppendTime);
    const records = decodeRecords(batch);
    expect(new Set(records.map((r) => r.timestamp))).toEqual(new Set([1_800_000_000_000n]));
    expect(records[2].timestampDelta).toBe(-3); // the stored deltas are untouched
  });

  it('decode checks the CRC unless told not to, and rejects other magics', () => {
    const batch = encodeRecordBatch({ timestamp: T0, records: sampleRecords() });
    const bad = tamper(batch, (b) => (b[BATCH_HEADER_SIZE + 5] ^= 1), false);
    expect(errorCodeOf(() => decodeRecordBatch(bad))).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(() => decodeRecordBatch(bad, { verifyCrc: false })).not.toThrow();
    const magic1 = tamper(batch, (b) => b.writeInt8(1, Offsets.magic));
    expect(errorCodeOf(() => decodeRecordBatch(magic1))).toBe(ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT);
    expect(errorCodeOf(() => decodeRecordBatch(batch.subarray(0, batch.length - 1)))).toBe(ErrorCode.CORRUPT_MESSAGE);
  });

  it('decode reports malformed records as CORRUPT_MESSAGE', () => {
    const batch = encodeRecordBatch({ timestamp: T0, records: [{ value: Buffer.from('abc') }] });
    const lying = tamper(batch, (b) => b.writeInt32BE(2, Offsets.recordCount));
    expect(errorCodeOf(() => decodeRecordBatch(lying))).toBe(ErrorCode.CORRUPT_MESSAGE);
  });
});

describe('varint and varlong edge cases', () => {
  /** One record encoded independently with the protocol Writer, to compare bytes with ours. */
  function recordBytesByWriter(timestampDelta: number, key: Buffer | null, value: Buffer | null): Buffer {
    const body = new Writer();
    body.int8(0).varlong(timestampDelta).varint(0);
    if (key === null) body.varint(-1);
    else body.varint(key.length).raw(key);
    if (value === null) body.varint(-1);
    else body.varint(value.length).raw(value);
    body.varint(0);
    const b = body.toBuffer();
    return new Writer().varint(b.length).raw(b).toBuffer();
  }

  const deltas = [0, 1, -1, 63, 64, -64, -65, 8191, 8192, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, 2 ** 40, -(2 ** 40), 2 ** 51, -(2 ** 52) + 1];
  for (const delta of deltas) {
    it(`timestamp delta ${delta}`, () => {
      const base = 10n ** 15n;
      const batch = encodeRecordBatch({
        timestamp: T0,
        records: [
          { value: null, timestamp: base },
          { value: Buffer.from('x'), timestamp: base + BigInt(delta) },
        ],
      });
      validateBatch(batch);
      const [, second] = decodeRecords(batch);
      expect(second.timestampDelta).toBe(delta);
      expect(second.timestamp).toBe(base + BigInt(delta));
      const header = decodeRecordBatch(batch).header;
      expect(header.maxTimestamp).toBe(delta > 0 ? base + BigInt(delta) : base);
    });
  }

  for (const size of [0, 63, 64, 127, 128, 8191, 8192, 1_048_575, 1_048_576]) {
    it(`key and value of ${size} bytes encode as the protocol Writer would`, () => {
      const key = Buffer.alloc(size, 1);
      const value = Buffer.alloc(size, 2);
      const batch = encodeRecordBatch({ timestamp: T0, records: [{ key, value, timestamp: 7n }], baseOffset: 0n });
      expect(batch.subarray(BATCH_HEADER_SIZE).equals(recordBytesByWriter(0, key, value))).toBe(true);
      validateBatch(batch);
      const [r] = decodeRecords(batch);
      expect(r.key!.length).toBe(size);
      expect(r.value!.equals(value)).toBe(true);
    });
  }

  it('a negative delta matches the Writer byte for byte', () => {
    const batch = encodeRecordBatch({
      timestamp: T0,
      records: [
        { value: null, timestamp: 1000n },
        { value: null, timestamp: 1000n - 123_456_789_012n },
      ],
    });
    const first = recordBytesByWriter(0, null, null);
    // offsetDelta 1 for the second record: patch the Writer's version
    const second = (() => {
      const body = new Writer().int8(0).varlong(-123_456_789_012).varint(1).varint(-1).varint(-1).varint(0).toBuffer();
      return new Writer().varint(body.length).raw(body).toBuffer();
    })();
    expect(batch.subarray(BATCH_HEADER_SIZE).equals(Buffer.concat([first, second]))).toBe(true);
  });

  it('many records: offset deltas past one varint byte', () => {
    const records = Array.from({ length: 20_000 }, (_, i) => ({ value: Buffer.from(String(i)), timestamp: BigInt(i) }));
    const batch = encodeRecordBatch({ timestamp: T0, records, baseOffset: 0n });
    expect(validateBatch(batch).recordCount).toBe(20_000);
    const decoded = decodeRecords(batch);
    expect(decoded[19_999].offsetDelta).toBe(19_999);
    expect(decoded[19_999].value!.toString()).toBe('19999');
    expect(decoded[19_999].timestamp).toBe(19_999n);
  });
});

// ---------------------------------------------------------------------------------------------

describe('kafkajs compatibility', () => {
  const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as {
    RecordBatch: (opts: object) => Promise<{ buffer: Buffer }>;
  };
  const KjsRecord = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (opts: object) => unknown;
  const { Types } = require('kafkajs/src/protocol/message/compression/index.js') as { Types: { [k: string]: number } };
  const Long = require('kafkajs/src/utils/long.js') as { fromValue(v: unknown): unknown };
  const Decoder = require('kafkajs/src/protocol/decoder.js') as new (buf: Buffer) => unknown;
  const decodeKjsBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder.js') as (d: unknown) => Promise<{
    records: Array<{ offset: string; timestamp: string; key: Buffer | null; value: Buffer | null; headers: { [k: string]: Buffer } }>;
  }>;

  const input = [
    { key: Buffer.from('user-1'), value: Buffer.from('{"a":1}'), headers: { source: Buffer.from('test') }, timestamp: 1_700_000_000_010 },
    { key: null, value: Buffer.from('second'), headers: {}, timestamp: 1_700_000_000_000 },
    { key: Buffer.from('k'), value: null, headers: { a: Buffer.from('1'), b: Buffer.from('') }, timestamp: 1_700_000_000_020 },
  ];

  /** What the kafkajs producer does: offsetDelta = index, timestampDelta from the first record. */
  async function kafkajsBatch(compression: number, transactional = false): Promise<Buffer> {
    const first = input[0].timestamp;
    const records = input.map((r, i) => KjsRecord({ offsetDelta: i, timestampDelta: r.timestamp - first, key: r.key, value: r.value, headers: r.headers }));
    const encoder = await RecordBatch({
      compression,
      firstTimestamp: first,
      maxTimestamp: Math.max(...input.map((r) => r.timestamp)),
      lastOffsetDelta: input.length - 1,
      transactional,
      producerId: Long.fromValue(transactional ? 9 : -1),
      producerEpoch: transactional ? 1 : 0,
      firstSequence: 0,
      records,
    });
    return encoder.buffer;
  }

  function expectInput(records: DecodedRecord[]): void {
    expect(records.map((r) => [r.offset, r.timestamp, r.key?.toString() ?? null, r.value?.toString() ?? null])).toEqual(
      input.map((r, i) => [BigInt(i), BigInt(r.timestamp), r.key?.toString() ?? null, r.value?.toString() ?? null]),
    );
    expect(records.map((r) => Object.fromEntries(r.headers.map((h) => [h.key, h.value?.toString()])))).toEqual(
      input.map((r) => Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, v.toString()]))),
    );
  }

  for (const [name, compression] of [
    ['uncompressed', Types.None],
    ['gzip', Types.GZIP],
  ] as const) {
    it(`a ${name} batch from kafkajs's encoder passes validation and decodes to the same records`, async () => {
      const batch = await kafkajsBatch(compression);
      const header = validateBatch(batch, { produceVersion: 7 });
      expect(header).toMatchObject({ recordCount: 3, lastOffsetDelta: 2, partitionLeaderEpoch: 0, maxTimestamp: 1_700_000_000_020n });
      expect(header.attributes & Attr.compressionMask).toBe(compression);
      await validateCompressedRecords(batch);
      expectInput(decodeRecords(batch));
    });
  }

  it('a transactional kafkajs batch passes the producer checks', async () => {
    const header = validateBatch(await kafkajsBatch(Types.None, true));
    expect(header).toMatchObject({ producerId: 9n, producerEpoch: 1, baseSequence: 0 });
    expect(header.attributes & Attr.transactional).toBe(Attr.transactional);
  });

  for (const [name, compression] of [
    ['uncompressed', Compression.none],
    ['gzip', Compression.gzip],
  ] as const) {
    it(`kafkajs's decoder reads our ${name} batch`, async () => {
      const batch = encodeRecordBatch({
        timestamp: T0,
        compression,
        baseOffset: 100n,
        records: input.map((r) => ({
          key: r.key,
          value: r.value,
          timestamp: BigInt(r.timestamp),
          headers: Object.entries(r.headers).map(([key, value]) => ({ key, value })),
        })),
      });
      const decoded = await decodeKjsBatch(new Decoder(batch));
      expect(decoded.records.map((r) => [r.offset, r.timestamp, r.key?.toString() ?? null, r.value?.toString() ?? null])).toEqual(
        input.map((r, i) => [String(100 + i), String(r.timestamp), r.key?.toString() ?? null, r.value?.toString() ?? null]),
      );
      expect(decoded.records[2].headers.a.toString()).toBe('1');
    });
  }
});

// ---------------------------------------------------------------------------------------------

describe('validateBatch', () => {
  const good = (opts: Partial<Parameters<typeof encodeRecordBatch>[0]> = {}) => encodeRecordBatch({ timestamp: T0, records: sampleRecords(), ...opts });
  const check = (buf: Buffer, opts?: ValidateBatchOptions) => errorCodeOf(() => validateBatch(buf, opts));

  it('accepts a well-formed batch and returns its header', () => {
    expect(validateBatch(good()).recordCount).toBe(5);
  });

  it('corrupted CRC → CORRUPT_MESSAGE', () => {
    const batch = good();
    expect(check(tamper(batch, (b) => (b[batch.length - 1] ^= 0x40), false))).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(check(tamper(batch, (b) => b.writeUInt32BE((b.readUInt32BE(Offsets.crc) ^ 1) >>> 0, Offsets.crc), false))).toBe(ErrorCode.CORRUPT_MESSAGE);
    // a header field covered by the CRC
    expect(check(tamper(batch, (b) => b.writeInt16BE(7, Offsets.producerEpoch), false))).toBe(ErrorCode.CORRUPT_MESSAGE);
  });

  it('truncated → CORRUPT_MESSAGE, wherever the cut falls', () => {
    const batch = good();
    for (const cut of [0, 5, 16, 17, 40, 60, 61, 100, batch.length - 1]) {
      expect(check(batch.subarray(0, cut)), `cut at ${cut}`).toBe(ErrorCode.CORRUPT_MESSAGE);
    }
  });

  it('batchLength not matching the buffer → CORRUPT_MESSAGE', () => {
    const batch = good();
    expect(check(tamper(batch, (b) => b.writeInt32BE(b.readInt32BE(8) + 1, 8)))).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(check(tamper(batch, (b) => b.writeInt32BE(b.readInt32BE(8) - 1, 8)))).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(check(tamper(batch, (b) => b.writeInt32BE(20, 8)))).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(check(tamper(batch, (b) => b.writeInt32BE(-1, 8)))).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(check(Buffer.concat([batch, Buffer.alloc(3)]))).toBe(ErrorCode.CORRUPT_MESSAGE);
    // trailing bytes whose "length" field is negative are garbage, not a second batch
    expect(check(Buffer.concat([batch, Buffer.from('0000000000000000ffffffec', 'hex')]))).toBe(ErrorCode.CORRUPT_MESSAGE);
  });

  it('two batches in one partition → INVALID_RECORD', () => {
    expect(check(Buffer.concat([good(), good()]))).toBe(ErrorCode.INVALID_RECORD);
  });

  it('wrong magic → INVALID_RECORD (Produce v3+ carries only magic 2)', () => {
    for (const magic of [0, 1, 3, -1]) {
      expect(check(tamper(good(), (b) => b.writeInt8(magic, Offsets.magic)))).toBe(ErrorCode.INVALID_RECORD);
    }
  });

  it('zero records → INVALID_RECORD', () => {
    // A header-only batch, as a buggy client might send it.
    const empty = tamper(good().subarray(0, BATCH_HEADER_SIZE), (b) => {
      b.writeInt32BE(BATCH_HEADER_SIZE - 12, Offsets.batchLength);
      b.writeInt32BE(0, Offsets.recordCount);
      b.writeInt32BE(-1, Offsets.lastOffsetDelta);
    });
    expect(check(empty)).toBe(ErrorCode.INVALID_RECORD);
    const zeroCount = tamper(good(), (b) => b.writeInt32BE(0, Offsets.recordCount));
    expect(check(zeroCount)).toBe(ErrorCode.INVALID_RECORD);
  });

  it('lastOffsetDelta ≠ recordCount - 1 → INVALID_RECORD', () => {
    expect(check(tamper(good(), (b) => b.writeInt32BE(3, Offsets.lastOffsetDelta)))).toBe(ErrorCode.INVALID_RECORD);
    expect(check(tamper(good(), (b) => b.writeInt32BE(5, Offsets.lastOffsetDelta)))).toBe(ErrorCode.INVALID_RECORD);
    expect(check(tamper(good(), (b) => b.writeInt32BE(-1, Offsets.lastOffsetDelta)))).toBe(ErrorCode.INVALID_RECORD);
  });

  it('recordCount agreeing with lastOffsetDelta but not with the records → INVALID_RECORD', () => {
    const more = tamper(good(), (b) => {
      b.writeInt32BE(6, Offsets.recordCount);
      b.writeInt32BE(5, Offsets.lastOffsetDelta);
    });
    expect(check(more)).toBe(ErrorCode.INVALID_RECORD);
    const fewer = tamper(good(), (b) => {
      b.writeInt32BE(4, Offsets.recordCount);
      b.writeInt32BE(3, Offsets.lastOffsetDelta);
    });
    expect(check(fewer)).toBe(ErrorCode.INVALID_RECORD);
    const huge = tamper(good(), (b) => {
      b.writeInt32BE(2 ** 31 - 1, Offsets.recordCount);
      b.writeInt32BE(2 ** 31 - 2, Offsets.lastOffsetDelta);
    });
    expect(check(huge)).toBe(ErrorCode.INVALID_RECORD);
  });

  it('a record length that does not land on the next record → INVALID_RECORD', () => {
    const batch = encodeRecordBatch({ timestamp: T0, records: [{ value: Buffer.from('abcdef') }, { value: Buffer.from('x') }] });
    // first record's length varint sits right after the header; zig-zag of n is 2n
    const len = batch[BATCH_HEADER_SIZE] / 2;
    expect(check(tamper(batch, (b) => (b[BATCH_HEADER_SIZE] = (len + 1) * 2)))).toBe(ErrorCode.INVALID_RECORD);
    expect(check(tamper(batch, (b) => (b[BATCH_HEADER_SIZE] = (len - 1) * 2)))).toBe(ErrorCode.INVALID_RECORD);
    expect(check(tamper(batch, (b) => (b[BATCH_HEADER_SIZE] = 1)))).toBe(ErrorCode.INVALID_RECORD); // -1
  });

  it('offset deltas that skip → INVALID_RECORD', () => {
    const batch = encodeRecordBatch({ records: [{ value: null }, { value: null }], timestamp: 0n });
    // second record: length, attributes, timestampDelta(0), offsetDelta(1 → zig-zag 2)
    const second = BATCH_HEADER_SIZE + 1 + batch[BATCH_HEADER_SIZE] / 2;
    expect(batch[second + 3]).toBe(2);
    expect(check(tamper(batch, (b) => (b[second + 3] = 4)))).toBe(ErrorCode.INVALID_RECORD);
  });

  it('a control batch from a client → INVALID_RECORD; from the coordinator it is fine', () => {
    const control = good({ control: true, transactional: true, producerId: 1n, producerEpoch: 0, baseSequence: -1 });
    expect(check(control)).toBe(ErrorCode.INVALID_RECORD);
    expect(check(control, { origin: 'coordinator' })).toBeUndefined();
  });

  it('unknown compression codec → UNSUPPORTED_COMPRESSION_TYPE', () => {
    for (const codec of [5, 6, 7]) {
      expect(check(tamper(good(), (b) => b.writeInt16BE(codec, Offsets.attributes)))).toBe(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
    }
  });

  it('zstd before Produce v7 → UNSUPPORTED_COMPRESSION_TYPE; accepted from v7 even where Node cannot decode it', () => {
    const zstdFlagged = tamper(good({ compression: Compression.gzip }), (b) => b.writeInt16BE(Compression.zstd, Offsets.attributes));
    expect(check(zstdFlagged, { produceVersion: 6 })).toBe(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
    expect(check(zstdFlagged, { produceVersion: 7 })).toBeUndefined();
  });

  it('a base offset other than 0 from a client → INVALID_RECORD', () => {
    const batch = good();
    setBaseOffset(batch, 5n);
    expect(check(batch)).toBe(ErrorCode.INVALID_RECORD);
    expect(check(batch, { origin: 'coordinator' })).toBeUndefined();
  });

  it('a producer id without a sequence → INVALID_RECORD', () => {
    expect(check(good({ producerId: 7n, producerEpoch: 0, baseSequence: -1 }))).toBe(ErrorCode.INVALID_RECORD);
    expect(check(good({ producerId: 7n, producerEpoch: 0, baseSequence: 0 }))).toBeUndefined();
  });

  it('larger than maxBatchBytes → MESSAGE_TOO_LARGE', () => {
    const batch = good();
    expect(check(batch, { maxBatchBytes: batch.length - 1 })).toBe(ErrorCode.MESSAGE_TOO_LARGE);
    expect(check(batch, { maxBatchBytes: batch.length })).toBeUndefined();
  });

  it('requireKeys: a record without a key → INVALID_RECORD (walk of an uncompressed batch)', () => {
    expect(check(good(), { requireKeys: true })).toBe(ErrorCode.INVALID_RECORD);
    const keyed = encodeRecordBatch({ timestamp: T0, records: [{ key: Buffer.from('a'), value: null }] });
    expect(check(keyed, { requireKeys: true })).toBeUndefined();
  });

  it('compressed batches: header checks only; validateCompressedRecords does the deep walk', async () => {
    const gz = good({ compression: Compression.gzip });
    expect(check(gz, { requireKeys: true })).toBeUndefined();
    expect(await errorCodeOfAsync(() => validateCompressedRecords(gz, { requireKeys: true }))).toBe(ErrorCode.INVALID_RECORD);

    // a valid CRC over a gzip stream whose records disagree with the count
    const lying = tamper(gz, (b) => {
      b.writeInt32BE(6, Offsets.recordCount);
      b.writeInt32BE(5, Offsets.lastOffsetDelta);
    });
    expect(check(lying)).toBeUndefined();
    expect(await errorCodeOfAsync(() => validateCompressedRecords(lying))).toBe(ErrorCode.INVALID_RECORD);

    // records that are not gzip at all, under a correct CRC
    const garbage = Buffer.concat([gz.subarray(0, BATCH_HEADER_SIZE), Buffer.from('definitely not gzip')]);
    garbage.writeInt32BE(garbage.length - 12, Offsets.batchLength);
    garbage.writeUInt32BE(computeBatchCrc(garbage), Offsets.crc);
    expect(check(garbage)).toBeUndefined();
    expect(await errorCodeOfAsync(() => validateCompressedRecords(garbage))).toBe(ErrorCode.INVALID_RECORD);

    // a decompression bomb
    const bomb = encodeRecordBatch({ timestamp: T0, records: [{ value: Buffer.alloc(5_000_000) }], compression: Compression.gzip });
    expect(bomb.length).toBeLessThan(10_000);
    expect(await errorCodeOfAsync(() => validateCompressedRecords(bomb, { maxBytes: 1_000_000 }))).toBe(ErrorCode.MESSAGE_TOO_LARGE);
  });

  it('a snappy batch written by hand as one raw block validates and decodes', async () => {
    const { createRequire: cr } = await import('node:module');
    const snappy = cr(import.meta.url)('snappy') as typeof import('snappy');
    const plain = encodeRecordBatch({ timestamp: T0, records: sampleRecords() });
    const raw = snappy.compressSync(plain.subarray(BATCH_HEADER_SIZE));
    const batch = Buffer.concat([plain.subarray(0, BATCH_HEADER_SIZE), raw]);
    batch.writeInt32BE(batch.length - 12, Offsets.batchLength);
    batch.writeInt16BE(Compression.snappy, Offsets.attributes);
    batch.writeUInt32BE(computeBatchCrc(batch), Offsets.crc);
    validateBatch(batch);
    await validateCompressedRecords(batch);
    expectSameRecords(decodeRecords(batch), sampleRecords());
    expect(compressSync(Compression.snappy, Buffer.alloc(1)).length).toBeGreaterThan(16);
  });
});

// ---------------------------------------------------------------------------------------------

describe('iterateBatches', () => {
  const batches = [0n, 5n, 10n].map((baseOffset, i) =>
    encodeRecordBatch({ timestamp: T0, baseOffset, records: Array.from({ length: i + 1 }, () => ({ value: Buffer.from(`b${i}`) })) }),
  );
  const all = Buffer.concat(batches);

  it('yields every complete batch as a view', () => {
    const seen = [...iterateBatches(all)];
    expect(seen.length).toBe(3);
    seen.forEach((b, i) => {
      expect(b.equals(batches[i])).toBe(true);
      expect(b.buffer).toBe(all.buffer); // a view, not a copy
    });
  });

  it('stops at a trailing partial batch, wherever it is cut', () => {
    const next = encodeRecordBatch({ timestamp: T0, baseOffset: 20n, records: [{ value: Buffer.alloc(100) }] });
    for (const keep of [1, 8, 11, 12, 30, 61, next.length - 1]) {
      const buf = Buffer.concat([all, next.subarray(0, keep)]);
      expect([...iterateBatches(buf)].length, `partial of ${keep} bytes`).toBe(3);
    }
    expect([...iterateBatches(Buffer.concat([all, next]))].length).toBe(4);
  });

  it('handles empty input and a start position', () => {
    expect([...iterateBatches(Buffer.alloc(0))]).toEqual([]);
    const fromSecond = [...iterateBatches(all, batches[0].length)];
    expect(fromSecond.map((b) => b.readBigInt64BE(0))).toEqual([5n, 10n]);
  });

  it('a length field below the header size → CORRUPT_MESSAGE', () => {
    const bad = Buffer.from(all);
    bad.writeInt32BE(3, batches[0].length + Offsets.batchLength);
    expect(errorCodeOf(() => [...iterateBatches(bad)])).toBe(ErrorCode.CORRUPT_MESSAGE);
  });
});
