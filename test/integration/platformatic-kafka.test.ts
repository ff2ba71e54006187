/**
 * @platformatic/kafka against the broker: it negotiates the newest versions (ApiVersions v3+,
 * Metadata with topic ids, Produce, Fetch v13+ naming topics by id). Its Admin creates the topic,
 * its Producer sends keyed records with headers (uncompressed, gzip, snappy, lz4), and its
 * Consumer's low-level `fetch()` — which needs no consumer group — reads every record back at the
 * offset the producer was given. Its `consume()` stream, which always joins a consumer group, is
 * checked too.
 */
import { Admin, Consumer, Producer, ProduceAcks, stringDeserializers, stringSerializers, type CompressionAlgorithmValue } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/errors.js';
import { removeDir, startBroker, type TestBroker } from '../support/broker.js';
import { expectSameSequence } from '../support/compare.js';
import { hasKcat, kcatConsume } from '../support/kcat.js';

const PARTITIONS = 3;
const SENDS = 10;
const PER_SEND = 300;

interface Read {
  offset: number;
  key: string;
  value: string;
  header: string | undefined;
}

describe('@platformatic/kafka Producer and Consumer', () => {
  let b: TestBroker;
  let admin: Admin;
  let consumer: Consumer<Buffer, Buffer, Buffer, Buffer>;
  let nodeId: number;

  beforeAll(async () => {
    // The one group this file joins has one member: no need to wait for others to arrive.
    b = await startBroker({ 'group.initial.rebalance.delay.ms': '0' });
    const common = { bootstrapBrokers: [b.bootstrap], retries: 0, timeout: 10_000 };
    admin = new Admin({ clientId: 'skein-test-admin', ...common });
    consumer = new Consumer({ clientId: 'skein-test-fetch', groupId: 'unused-no-group-is-joined', ...common });
    const md = await admin.metadata({});
    nodeId = [...md.brokers.keys()][0];
  });

  afterAll(async () => {
    await consumer?.close(true);
    await admin?.close();
    await b?.stop();
    if (b) removeDir(b.logDir);
  });

  /** Fetches one partition from offset 0 up to its high watermark, by topic id. */
  async function fetchAll(topicId: string, partition: number): Promise<Read[]> {
    const out: Read[] = [];
    let next = 0n;
    for (;;) {
      const res = await consumer.fetch({
        node: nodeId,
        maxWaitTime: 10,
        maxBytes: 64 * 1024,
        topics: [{ topicId, partitions: [{ partition, currentLeaderEpoch: -1, fetchOffset: next, lastFetchedEpoch: -1, partitionMaxBytes: 64 * 1024 }] }],
      });
      const p = res.responses[0].partitions[0];
      expect(res.responses[0].topicId).toBe(topicId);
      expect(p.errorCode).toBe(ErrorCode.NONE);
      for (const batch of p.records ?? []) {
        for (const r of batch.records) {
          const offset = batch.firstOffset + BigInt(r.offsetDelta);
          if (offset < next) continue; // a fetch from inside a batch returns the whole batch
          out.push({
            offset: Number(offset),
            key: String(r.key),
            value: String(r.value),
            header: r.headers.find(([k]) => String(k) === 'n')?.[1]?.toString(),
          });
          next = offset + 1n;
        }
      }
      if (next >= p.highWatermark) return out;
    }
  }

  it.each<[string, CompressionAlgorithmValue]>([
    ['uncompressed', 'none'],
    ['gzip', 'gzip'],
    ['snappy', 'snappy'],
    ['lz4', 'lz4'],
  ])('%s: records sent by its Producer come back through fetch() at the acknowledged offsets', async (name, compression) => {
    const topic = `platformatic-${name}`;
    await admin.createTopics({ topics: [topic], partitions: PARTITIONS, replicas: 1 });
    const topicId = (await admin.metadata({ topics: [topic] })).topics.get(topic)!.id;
    expect(topicId).toMatch(/^[0-9a-f-]{36}$/);

    const producer = new Producer({ clientId: 'skein-test-producer', bootstrapBrokers: [b.bootstrap], serializers: stringSerializers, retries: 0 });
    const sent: Array<{ key: string; value: string; n: string }> = [];
    const acks: Array<Array<{ partition: number; offset: bigint }>> = [];
    try {
      for (let s = 0; s < SENDS; s++) {
        const messages = Array.from({ length: PER_SEND }, (_, j) => {
          const n = s * PER_SEND + j;
          const m = { key: `key-${n % 41}`, value: `value-${n}-${'z'.repeat(n % 11)}`, n: String(n) };
          sent.push(m);
          return { topic, key: m.key, value: m.value, headers: { n: m.n } };
        });
        const result = await producer.send({ messages, acks: ProduceAcks.ALL, compression });
        acks.push(result.offsets!.map(({ partition, offset }) => ({ partition, offset })));
      }
    } finally {
      await producer.close();
    }

    const read = await Promise.all(Array.from({ length: PARTITIONS }, (_, p) => fetchAll(topicId, p)));
    const partitionOfKey = new Map<string, number>();
    read.forEach((records, p) => {
      for (const r of records) {
        const seen = partitionOfKey.get(r.key);
        if (seen !== undefined && seen !== p) expect.fail(`key ${r.key} is in partitions ${seen} and ${p}`);
        partitionOfKey.set(r.key, p);
      }
    });
    expect(read.reduce((n, r) => n + r.length, 0)).toBe(sent.length);

    // Each partition holds exactly the records whose key went there, in the order sent, from offset 0.
    const expected: Read[][] = Array.from({ length: PARTITIONS }, () => []);
    const firstOffsetOfSend: Array<Map<number, number>> = [];
    sent.forEach((m, i) => {
      const p = partitionOfKey.get(m.key);
      if (p === undefined) expect.fail(`record ${m.n} (key ${m.key}) was not read back`);
      if (i % PER_SEND === 0) firstOffsetOfSend.push(new Map());
      const firsts = firstOffsetOfSend[firstOffsetOfSend.length - 1];
      if (!firsts.has(p)) firsts.set(p, expected[p].length);
      expected[p].push({ offset: expected[p].length, key: m.key, value: m.value, header: m.n });
    });
    for (let p = 0; p < PARTITIONS; p++) expectSameSequence(read[p], expected[p], `${topic} partition ${p}`);

    // What the producer was told: each send's batch for a partition starts where the previous ended.
    acks.forEach((ack, s) => {
      const got = new Map(ack.map((a) => [a.partition, Number(a.offset)]));
      expect(got, `send ${s}`).toEqual(firstOffsetOfSend[s]);
    });

    // ListOffsets through the same client agrees with what was fetched.
    const latest = await consumer.listOffsets({ topics: [topic] });
    expect(latest.get(topic)).toEqual(read.map((r) => BigInt(r.length)));

    if (hasKcat) {
      const viaKcat = await kcatConsume(b.bootstrap, topic, 0);
      expectSameSequence(
        viaKcat.map((r) => ({ offset: r.offset, key: r.key, value: r.payload, header: r.headers?.[1] })),
        expected[0],
        `${topic} partition 0 read with kcat`,
      );
    }
  });

  it('fetch() by an unknown topic id gets UNKNOWN_TOPIC_ID', async () => {
    const unknown = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
    const attempt = consumer.fetch({
      node: nodeId,
      maxWaitTime: 10,
      topics: [{ topicId: unknown, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, lastFetchedEpoch: -1, partitionMaxBytes: 1024 }] }],
    });
    const err = (await attempt.then(
      () => expect.fail('fetch of an unknown topic id succeeded'),
      (e: unknown) => e,
    )) as { response?: { responses: Array<{ topicId: string; partitions: Array<{ errorCode: number }> }> }; findBy?: (k: string, v: string) => unknown };
    expect(err.findBy?.('apiId', 'UNKNOWN_TOPIC_ID')).toBeTruthy();
    expect(err.response?.responses[0].topicId).toBe(unknown);
    expect(err.response?.responses[0].partitions[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_ID);
  });

  it('its consume() stream (joining a consumer group) reads every record from the earliest offset', async () => {
    const topic = 'platformatic-consume';
    await admin.createTopics({ topics: [topic], partitions: PARTITIONS, replicas: 1 });
    const producer = new Producer({ clientId: 'skein-test-producer', bootstrapBrokers: [b.bootstrap], serializers: stringSerializers, retries: 0 });
    const sent = Array.from({ length: 600 }, (_, n) => ({ topic, key: `key-${n % 17}`, value: `value-${n}` }));
    try {
      await producer.send({ messages: sent, acks: ProduceAcks.ALL });
    } finally {
      await producer.close();
    }

    const grouped = new Consumer({
      clientId: 'skein-test-consume',
      groupId: 'platformatic-consume-group',
      bootstrapBrokers: [b.bootstrap],
      deserializers: stringDeserializers,
      timeout: 10_000,
      maxWaitTime: 100,
    });
    const got: Array<{ partition: number; offset: number; key: string; value: string }> = [];
    try {
      const stream = await grouped.consume({ topics: [topic], mode: 'earliest', autocommit: false });
      for await (const m of stream) {
        got.push({ partition: m.partition, offset: Number(m.offset), key: m.key, value: m.value });
        if (got.length === sent.length) break;
      }
      await stream.close();
    } finally {
      await grouped.close(true);
    }

    // Per partition: offsets 0.. with no gap, keys in one partition each, values in the order sent.
    const indexOf = new Map(sent.map((m, i) => [m.value, i]));
    for (let p = 0; p < PARTITIONS; p++) {
      const mine = got.filter((r) => r.partition === p);
      expect(mine.map((r) => r.offset)).toEqual(mine.map((_, i) => i));
      const order = mine.map((r) => indexOf.get(r.value)!);
      expect(order).toEqual([...order].sort((x, y) => x - y));
    }
    expect(new Set(got.map((r) => r.value)).size).toBe(sent.length);
    const partitionsOfKey = new Map<string, Set<number>>();
    for (const r of got) partitionsOfKey.set(r.key, (partitionsOfKey.get(r.key) ?? new Set()).add(r.partition));
    for (const [key, ps] of partitionsOfKey) expect(ps.size, key).toBe(1);
  });
});
