/**
 * Large Produce requests pipelined deep on one connection, and on several at once: the path where
 * request bytes go from the socket straight into reused frame buffers, appends are written behind,
 * and a connection stops reading while 2 MB of its requests are in flight. Every request must be
 * answered, in order, with consecutive offsets, and every byte must read back intact (kcat checks
 * each batch's CRC) — a frame buffer reused before its write finished would show up here.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeResponse, encodeRequest } from '../../src/protocol/api.js';
import { ListOffsets } from '../../src/protocol/apis/list-offsets.js';
import { Produce } from '../../src/protocol/apis/produce.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { ZERO_UUID } from '../../src/protocol/reader.js';
import { encodeRecordBatch } from '../../src/protocol/record-batch.js';
import { removeDir, startBroker, type TestBroker } from '../support/broker.js';
import { hasKcat, kcatConsume, kcatMissing } from '../support/kcat.js';
import { RawClient } from '../support/raw-client.js';

const TOPIC = 'big';
const RECORDS_PER_REQUEST = 100;
const VALUE_BYTES = 10_000;

/** One ~1 MB Produce v7 request whose values all carry `tag`, so each request's bytes differ. */
function produceFrame(tag: number, correlationId: number): Buffer {
  const records = Array.from({ length: RECORDS_PER_REQUEST }, (_, i) => ({
    key: Buffer.from(`${tag}-${i}`),
    value: Buffer.alloc(VALUE_BYTES, 65 + (tag % 26)),
  }));
  const body = encodeRequest(Produce, 7, correlationId, 'pipeliner', {
    transactionalId: null,
    acks: 1,
    timeoutMs: 30_000,
    topicData: [{ name: TOPIC, topicId: ZERO_UUID, partitionData: [{ index: 0, records: encodeRecordBatch({ records, timestamp: 1_700_000_000_000n }) }] }],
  });
  const frame = Buffer.allocUnsafe(4 + body.length);
  frame.writeInt32BE(body.length, 0);
  body.copy(frame, 4);
  return frame;
}

describe('large pipelined Produce requests', () => {
  let b: TestBroker;

  beforeEach(async () => {
    b = await startBroker();
    b.server.services.topicManager.createTopic({ name: TOPIC, numPartitions: 1, replicationFactor: -1, assignments: [], configs: {} });
  });
  afterEach(async () => {
    await b?.stop();
    if (b) removeDir(b.logDir);
  });

  /** Sends `count` requests back to back without waiting; returns the base offsets answered, in order. */
  async function pipeline(client: RawClient, first: number, count: number): Promise<number[]> {
    for (let i = 0; i < count; i++) client.write(produceFrame(first + i, first + i));
    const offsets: number[] = [];
    for (let i = 0; i < count; i++) {
      const o = await client.next(30_000);
      if (o.kind !== 'frame') throw new Error(`response ${i}: ${o.kind}`);
      const { correlationId, body } = decodeResponse(Produce, 7, o.frame);
      expect(correlationId).toBe(first + i);
      const p = body.responses[0].partitionResponses[0];
      expect(p.errorCode).toBe(ErrorCode.NONE);
      offsets.push(Number(p.baseOffset));
    }
    return offsets;
  }

  it.skipIf(!hasKcat)('answers 40 one-megabyte requests in order and serves every byte back intact', { timeout: 120_000 }, async () => {
    if (!hasKcat) throw new Error(kcatMissing);
    const client = await RawClient.connect(b.broker.port);
    const offsets = await pipeline(client, 0, 40);
    expect(offsets).toEqual(Array.from({ length: 40 }, (_, i) => i * RECORDS_PER_REQUEST));
    const latest = await client.request(ListOffsets, 1, {
      replicaId: -1,
      isolationLevel: 0,
      timeoutMs: 0,
      topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, timestamp: -1n, currentLeaderEpoch: -1, maxNumOffsets: 1 }] }],
    });
    // Answered means written: the high watermark is already past every request.
    expect(latest.topics[0].partitions[0].offset).toBe(BigInt(40 * RECORDS_PER_REQUEST));
    client.end();

    const records = await kcatConsume(b.bootstrap, TOPIC, 0);
    expect(records).toHaveLength(40 * RECORDS_PER_REQUEST);
    records.forEach((r, n) => {
      const tag = Math.floor(n / RECORDS_PER_REQUEST);
      expect(r.offset).toBe(n);
      expect(r.key).toBe(`${tag}-${n % RECORDS_PER_REQUEST}`);
      expect(r.payload).toBe(String.fromCharCode(65 + (tag % 26)).repeat(VALUE_BYTES));
    });
  });

  it.skipIf(!hasKcat)('keeps three connections pipelining at once apart, each in its own order', { timeout: 120_000 }, async () => {
    if (!hasKcat) throw new Error(kcatMissing);
    const clients = await Promise.all([0, 1, 2].map(() => RawClient.connect(b.broker.port)));
    const answered = await Promise.all(clients.map((c, k) => pipeline(c, k * 100, 15)));
    for (const offsets of answered) for (let i = 1; i < offsets.length; i++) expect(offsets[i]).toBeGreaterThan(offsets[i - 1]);
    expect(new Set(answered.flat()).size).toBe(45);
    for (const c of clients) c.end();

    const records = await kcatConsume(b.bootstrap, TOPIC, 0);
    expect(records).toHaveLength(45 * RECORDS_PER_REQUEST);
    // Each request's 100 records sit together at the offset it was answered with, with its own bytes.
    answered.forEach((offsets, k) =>
      offsets.forEach((base, i) => {
        const tag = k * 100 + i;
        const first = records[base];
        expect(first.key).toBe(`${tag}-0`);
        expect(records[base + RECORDS_PER_REQUEST - 1].payload).toBe(String.fromCharCode(65 + (tag % 26)).repeat(VALUE_BYTES));
      }),
    );
  });
});
