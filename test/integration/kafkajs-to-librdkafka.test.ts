/**
 * kafkajs writes, librdkafka reads: 100,000 keyed records sent by a kafkajs producer (in sends of
 * 1,000, uncompressed and gzip) are read back partition by partition with kcat, and every record is
 * there exactly once, at the offset the broker acknowledged, in the order sent, with each key in one
 * partition — the partition kafkajs's murmur2 partitioner chose.
 */
import { CompressionTypes, type Admin, type Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startBroker, type TestBroker } from '../support/broker.js';
import { expectSameSequence } from '../support/compare.js';
import { defaultPartitioner, kafkaClient, kafkaProducer } from '../support/kafkajs.js';
import { hasKcat, kcatConsume, kcatMissing } from '../support/kcat.js';

const COUNT = 100_000;
const PER_SEND = 1_000;
const PARTITIONS = 3;
const KEYS = 7_919;

const keyOf = (i: number): string => `key-${i % KEYS}`;
const valueOf = (i: number): string => `value-${i}-${'x'.repeat(i % 13)}`;

describe.skipIf(!hasKcat)(`kafkajs producer → kcat consumer${hasKcat ? '' : ` (skipped: ${kcatMissing})`}`, () => {
  let b: TestBroker;
  let kafka: Kafka;
  let admin: Admin;

  beforeAll(async () => {
    b = await startBroker();
    kafka = kafkaClient(b.bootstrap);
    admin = kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.disconnect();
    await b?.stop();
    if (b) removeDir(b.logDir);
  });

  it.each([
    ['uncompressed', CompressionTypes.None],
    ['gzip', CompressionTypes.GZIP],
  ])('%s: every record comes back once, per partition in the order sent, at its acknowledged offset', async (name, compression) => {
    const topic = `kafkajs-keyed-${name}`;
    expect(await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }], waitForLeaders: true })).toBe(true);

    const partitionOf = defaultPartitioner(topic, PARTITIONS);
    const expected: Array<Array<[number, string, string]>> = Array.from({ length: PARTITIONS }, () => []);
    const producer = kafkaProducer(kafka);
    await producer.connect();
    try {
      for (let first = 0; first < COUNT; first += PER_SEND) {
        const messages = [];
        const before = expected.map((p) => p.length);
        for (let i = first; i < first + PER_SEND; i++) {
          const key = keyOf(i);
          const p = partitionOf(key);
          expected[p].push([expected[p].length, key, valueOf(i)]);
          messages.push({ key, value: valueOf(i) });
        }
        const acks = await producer.send({ topic, acks: -1, compression, messages });
        // Each partition's batch is acknowledged at the offset right after the previous send's.
        for (const ack of acks) {
          expect(ack.errorCode).toBe(0);
          expect(Number(ack.baseOffset), `send at ${first}, partition ${ack.partition}`).toBe(before[ack.partition]);
        }
        const touched = before.flatMap((n, p) => (expected[p].length > n ? [p] : []));
        expect(acks.map((a) => a.partition).sort()).toEqual(touched);
      }
    } finally {
      await producer.disconnect();
    }

    const partitionOfKey = new Map<string, number>();
    let total = 0;
    for (let p = 0; p < PARTITIONS; p++) {
      const records = await kcatConsume(b.bootstrap, topic, p);
      total += records.length;
      for (const r of records) {
        expect(r.partition).toBe(p);
        const seen = partitionOfKey.get(r.key!);
        if (seen !== undefined && seen !== p) expect.fail(`key ${r.key} is in partitions ${seen} and ${p}`);
        partitionOfKey.set(r.key!, p);
      }
      expectSameSequence(
        records.map((r) => [r.offset, r.key, r.payload]),
        expected[p],
        `${topic} partition ${p}`,
      );
    }
    expect(total).toBe(COUNT);
    expect(partitionOfKey.size).toBe(KEYS);
    // 100,000 records over 3 partitions by murmur2: each partition has a fair share.
    for (const p of expected) expect(p.length).toBeGreaterThan(COUNT / PARTITIONS / 2);
  });
});
