/**
 * Produce with bad record data: every refusal carries the error code Kafka answers with, at every
 * Produce version the broker accepts, and leaves the log exactly as it was — same log end offset,
 * earlier data byte for byte — while the connection stays usable. Errors are per partition: a good
 * batch in the same request is still appended.
 *
 * Codes follow Kafka (KIP-467, Kafka 2.4+): a batch that fails its CRC or is cut short is
 * CORRUPT_MESSAGE (2); any other invalid batch is INVALID_RECORD (87), at every Produce version.
 * Kafka does not translate INVALID_RECORD for old Produce versions (its ProduceResponse rewrites
 * only KAFKA_STORAGE_ERROR, to NOT_LEADER for v3 and older), and kafkajs knows code 87, so neither
 * does this broker.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { computeBatchCrc, Offsets } from '../../src/protocol/batch-header.js';
import { Produce } from '../../src/protocol/apis/produce.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { encodeRecordBatch } from '../../src/protocol/record-batch.js';
import { RawClient } from '../support/raw-client.js';
import {
  batchOf,
  createTopic,
  type Expectation,
  expectHealthy,
  expectNoErrorsLogged,
  type FuzzBroker,
  logEndOffset,
  producePartition,
  snapshotPartition,
  startFuzzBroker,
} from './fuzz-support.js';

const TOPIC = 'produce-errors';
const SMALL = 'produce-errors-small'; // max.message.bytes=1024
const COMPACT = 'produce-errors-compact'; // cleanup.policy=compact
const VERSIONS = [3, 5, 7, 8, 9, 11, 12, 13];

/** Recomputes the CRC after a change to the bytes it covers (attributes onward). */
function withCrc(batch: Buffer): Buffer {
  batch.writeUInt32BE(computeBatchCrc(batch), Offsets.crc);
  return batch;
}

function patched(batch: Buffer, patch: (b: Buffer) => void): Buffer {
  const copy = Buffer.from(batch);
  patch(copy);
  return copy;
}

const good = (): Buffer => batchOf(['alpha', 'beta', 'gamma']);

/** One bad batch per case, and what Kafka answers. */
const cases: Array<{ name: string; topic?: string; records: () => Buffer | null; code: number; acks?: number }> = [
  { name: 'a wrong CRC', records: () => patched(good(), (b) => (b[b.length - 3] ^= 0xff)), code: ErrorCode.CORRUPT_MESSAGE },
  {
    name: 'a wrong CRC field',
    records: () => patched(good(), (b) => b.writeUInt32BE(b.readUInt32BE(Offsets.crc) ^ 1, Offsets.crc)),
    code: ErrorCode.CORRUPT_MESSAGE,
  },
  { name: 'magic 1', records: () => patched(good(), (b) => b.writeInt8(1, Offsets.magic)), code: ErrorCode.INVALID_RECORD },
  { name: 'magic 0', records: () => patched(good(), (b) => b.writeInt8(0, Offsets.magic)), code: ErrorCode.INVALID_RECORD },
  { name: 'magic 3', records: () => patched(good(), (b) => b.writeInt8(3, Offsets.magic)), code: ErrorCode.INVALID_RECORD },
  { name: 'two batches in one partition', records: () => Buffer.concat([good(), batchOf(['delta'])]), code: ErrorCode.INVALID_RECORD },
  {
    name: 'zero records',
    records: () => {
      const b = Buffer.from(batchOf(['x']).subarray(0, 61));
      b.writeInt32BE(61 - 12, Offsets.batchLength);
      b.writeInt32BE(-1, Offsets.lastOffsetDelta);
      b.writeInt32BE(0, Offsets.recordCount);
      return withCrc(b);
    },
    code: ErrorCode.INVALID_RECORD,
  },
  {
    name: 'a record count of 0 over real records',
    records: () => withCrc(patched(good(), (b) => b.writeInt32BE(0, Offsets.recordCount))),
    code: ErrorCode.INVALID_RECORD,
  },
  {
    name: 'a record count larger than the records',
    records: () => withCrc(patched(good(), (b) => (b.writeInt32BE(1000, Offsets.recordCount), b.writeInt32BE(999, Offsets.lastOffsetDelta)))),
    code: ErrorCode.INVALID_RECORD,
  },
  {
    name: 'a record whose length overruns the batch',
    records: () => withCrc(patched(good(), (b) => (b[61] = 0x7e))),
    code: ErrorCode.INVALID_RECORD,
  },
  {
    name: 'a control batch',
    records: () => withCrc(patched(good(), (b) => b.writeInt16BE(b.readInt16BE(Offsets.attributes) | 0x20, Offsets.attributes))),
    code: ErrorCode.INVALID_RECORD,
  },
  { name: 'baseOffset 5', records: () => patched(good(), (b) => b.writeBigInt64BE(5n, Offsets.baseOffset)), code: ErrorCode.INVALID_RECORD },
  { name: 'baseOffset -1', records: () => patched(good(), (b) => b.writeBigInt64BE(-1n, Offsets.baseOffset)), code: ErrorCode.INVALID_RECORD },
  {
    name: 'a producer id without a sequence',
    records: () => withCrc(patched(good(), (b) => b.writeBigInt64BE(42n, Offsets.producerId))),
    code: ErrorCode.INVALID_RECORD,
  },
  { name: 'a truncated batch', records: () => good().subarray(0, good().length - 10), code: ErrorCode.CORRUPT_MESSAGE },
  { name: 'a batch cut inside its header', records: () => good().subarray(0, 30), code: ErrorCode.CORRUPT_MESSAGE },
  { name: 'ten bytes (no magic to read)', records: () => good().subarray(0, 10), code: ErrorCode.CORRUPT_MESSAGE },
  {
    name: 'a batch length below the header size',
    records: () => patched(good(), (b) => b.writeInt32BE(20, Offsets.batchLength)),
    code: ErrorCode.CORRUPT_MESSAGE,
  },
  {
    name: 'an unknown compression codec',
    records: () => withCrc(patched(good(), (b) => b.writeInt16BE(6, Offsets.attributes))),
    code: ErrorCode.UNSUPPORTED_COMPRESSION_TYPE,
  },
  { name: 'null records', records: () => null, code: ErrorCode.INVALID_RECORD },
  { name: 'empty records', records: () => Buffer.alloc(0), code: ErrorCode.INVALID_RECORD },
  { name: 'a batch above max.message.bytes', topic: SMALL, records: () => batchOf(['x'.repeat(2000)]), code: ErrorCode.MESSAGE_TOO_LARGE },
  { name: 'a keyless record on a compacted topic', topic: COMPACT, records: () => batchOf(['no key'], { keyless: true }), code: ErrorCode.INVALID_RECORD },
  { name: 'one keyless record among keyed ones on a compacted topic', topic: COMPACT, records: () => mixedKeys(), code: ErrorCode.INVALID_RECORD },
  { name: 'acks=5', records: good, acks: 5, code: ErrorCode.INVALID_REQUIRED_ACKS },
  { name: 'acks=2', records: good, acks: 2, code: ErrorCode.INVALID_REQUIRED_ACKS },
  { name: 'acks=-2', records: good, acks: -2, code: ErrorCode.INVALID_REQUIRED_ACKS },
];

/** Three records of which only the middle one has no key. */
function mixedKeys(): Buffer {
  return encodeRecordBatch({
    records: [
      { key: Buffer.from('k0'), value: Buffer.from('v0') },
      { key: null, value: Buffer.from('v1') },
      { key: Buffer.from('k2'), value: Buffer.from('v2') },
    ],
    timestamp: 1_700_000_000_000n,
  });
}

describe('Produce with bad record data', () => {
  let b: FuzzBroker;
  let c: RawClient;
  let ids: Map<string, string>;
  let expectations: Expectation[];

  const snapshotAll = async (): Promise<Expectation[]> => {
    const out: Expectation[] = [];
    for (const [topic, partitions] of [
      [TOPIC, 2],
      [SMALL, 1],
      [COMPACT, 1],
    ] as const) {
      for (let p = 0; p < partitions; p++) out.push({ topic, partition: p, ...(await snapshotPartition(c, topic, p)) });
    }
    return out;
  };

  beforeAll(async () => {
    b = await startFuzzBroker();
    c = await RawClient.connect(b.port);
    ids = new Map([
      [TOPIC, await createTopic(c, TOPIC, 2)],
      [SMALL, await createTopic(c, SMALL, 1, { 'max.message.bytes': '1024' })],
      [COMPACT, await createTopic(c, COMPACT, 1, { 'cleanup.policy': 'compact' })],
    ]);
    for (const topic of [TOPIC, SMALL, COMPACT]) {
      const r = await producePartition(c, { topic, partition: 0, records: batchOf(['first', 'second']) });
      expect(r.errorCode).toBe(ErrorCode.NONE);
    }
    expect((await producePartition(c, { topic: TOPIC, partition: 1, records: batchOf(['other']) })).errorCode).toBe(ErrorCode.NONE);
    expectations = await snapshotAll();
  });

  afterEach(async () => {
    // Nothing changed anywhere, seen from this connection and from a fresh one.
    await expectHealthy(b.port, expectations, c);
    await expectHealthy(b.port, expectations);
    expectNoErrorsLogged(b.logger);
  });

  afterAll(async () => {
    c?.destroy();
    await b?.dispose();
  });

  describe.each(VERSIONS)('Produce v%i', (version) => {
    it.each(cases)('$name → error $code, log untouched', async ({ topic = TOPIC, records, code, acks }) => {
      // zstd and friends are version-dependent; every other answer is the same at every version.
      const before = await logEndOffset(c, topic, 0);
      const r = await producePartition(c, { version, topic, topicId: ids.get(topic), partition: 0, records: records(), acks });
      expect(r.errorCode).toBe(code);
      expect(r.baseOffset).toBe(-1n);
      expect(await logEndOffset(c, topic, 0)).toBe(before);
    });

    it('an unknown topic or partition → UNKNOWN_TOPIC_OR_PARTITION (UNKNOWN_TOPIC_ID by id at v13)', async () => {
      const unknownTopic = await producePartition(c, {
        version,
        topic: 'no-such-topic',
        topicId: '0b5c6d8e-1f2a-4b3c-8d4e-5f6a7b8c9d0e',
        partition: 0,
        records: good(),
      });
      expect(unknownTopic.errorCode).toBe(version >= 13 ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      for (const partition of [2, -1, 0x7fffffff]) {
        const r = await producePartition(c, { version, topic: TOPIC, topicId: ids.get(TOPIC), partition, records: good() });
        expect(r.errorCode, `partition ${partition}`).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      }
    });

    it('zstd before Produce v7 → UNSUPPORTED_COMPRESSION_TYPE', async () => {
      if (version >= 7) return; // allowed from v7 (KIP-110); the broker stores compressed batches as sent
      const zstd = withCrc(patched(good(), (b) => b.writeInt16BE(4, Offsets.attributes)));
      const r = await producePartition(c, { version, topic: TOPIC, partition: 0, records: zstd });
      expect(r.errorCode).toBe(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
    });
  });

  it('errors are per partition: a good batch next to a bad one is appended, the bad one is not', async () => {
    const res = await c.request(Produce, 9, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 5000,
      topicData: [
        {
          name: TOPIC,
          topicId: '',
          partitionData: [
            { index: 0, records: batchOf(['kept-1', 'kept-2']) },
            { index: 1, records: patched(good(), (x) => (x[x.length - 1] ^= 1)) },
          ],
        },
        { name: 'no-such-topic', topicId: '', partitionData: [{ index: 0, records: good() }] },
      ],
    });
    const byPartition = new Map(res.responses[0].partitionResponses.map((p) => [p.index, p]));
    expect(byPartition.get(0)?.errorCode).toBe(ErrorCode.NONE);
    expect(byPartition.get(0)?.baseOffset).toBe(expectations[0].logEndOffset);
    expect(byPartition.get(1)?.errorCode).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(res.responses[1].partitionResponses[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    // Partition 0 grew by exactly the good batch, and its old bytes are still its first bytes.
    const p0 = await snapshotPartition(c, TOPIC, 0);
    expect(p0.logEndOffset).toBe(expectations[0].logEndOffset + 2n);
    expect(p0.bytes.subarray(0, expectations[0].bytes.length).equals(expectations[0].bytes)).toBe(true);
    expectations = await snapshotAll();
  });

  it('a keyed batch on the compacted topic is accepted (the refusals above are about the missing key)', async () => {
    const r = await producePartition(c, { topic: COMPACT, partition: 0, records: batchOf(['keyed']) });
    expect(r.errorCode).toBe(ErrorCode.NONE);
    expectations = await snapshotAll();
  });

  it('a batch of exactly max.message.bytes is accepted, one byte more is not', async () => {
    const ofSize = (size: number): Buffer => {
      for (let n = 0; n < size; n++) {
        const batch = batchOf(['y'.repeat(n)]);
        if (batch.length === size) return batch;
      }
      throw new Error(`no single-record batch of ${size} bytes`);
    };
    const exact = ofSize(1024);
    const over = ofSize(1025);
    expect((await producePartition(c, { topic: SMALL, partition: 0, records: over })).errorCode).toBe(ErrorCode.MESSAGE_TOO_LARGE);
    expect((await producePartition(c, { topic: SMALL, partition: 0, records: exact })).errorCode).toBe(ErrorCode.NONE);
    expectations = await snapshotAll();
  });
});
