/**
 * librdkafka writes, librdkafka reads (no kafkajs on the data path): records produced with
 * `kcat -P` (to a named partition, and through librdkafka's partitioner) and with
 * python3-confluent-kafka's Producer (lz4, snappy, gzip, zstd) come back intact — same key, value,
 * headers and offset — through `kcat -C` and through a confluent-kafka Consumer that assign()s its
 * partitions (it needs a group.id, but joins no group and commits nothing).
 *
 * kafkajs's admin only creates the topics.
 */
import { crc32 } from 'node:zlib';
import type { Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Compression } from '../../src/protocol/batch-header.js';
import { removeDir, startBroker, type TestBroker } from '../support/broker.js';
import { expectSameSequence } from '../support/compare.js';
import { confluentKafkaMissing, hasConfluentKafka, pythonConsume, pythonProduce, type Delivery } from '../support/confluent-kafka.js';
import { kafkaClient } from '../support/kafkajs.js';
import { hasKcat, kcatConsume, kcatMissing, kcatProduce } from '../support/kcat.js';
import { codecsOnDisk } from '../support/log-files.js';

const PARTITIONS = 3;

/** librdkafka's default partitioner (consistent_random) for a non-empty key: CRC-32 of the key. */
const librdkafkaPartition = (key: string): number => crc32(key) % PARTITIONS;

let b: TestBroker;
let admin: Admin;

beforeAll(async () => {
  b = await startBroker();
  admin = kafkaClient(b.bootstrap).admin();
  await admin.connect();
});

afterAll(async () => {
  await admin?.disconnect();
  await b?.stop();
  if (b) removeDir(b.logDir);
});

/**
 * The batches on disk really use `codec` — librdkafka sends a batch uncompressed when compressing
 * does not make it smaller, so some may have no compression.
 *
 * lz4 also guards a quirk: librdkafka enables its LZ4 feature only when the broker advertises
 * FindCoordinator (rdkafka_feature.c, a marker of Kafka >= 0.8.2); without it, it logs "Broker does
 * not support compression type lz4: not compressing batch" and sends every batch uncompressed.
 */
function expectCompressedWith(topic: string, partition: number, codec: number): void {
  const codecs = codecsOnDisk(b.logDir, topic, partition);
  expect(codecs.has(codec), `codecs on disk: ${[...codecs]}`).toBe(true);
  expect(
    [...codecs].every((c) => c === codec || c === Compression.none),
    `codecs on disk: ${[...codecs]}`,
  ).toBe(true);
}

async function createTopic(topic: string): Promise<void> {
  expect(await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }], waitForLeaders: true })).toBe(true);
}

describe.skipIf(!hasKcat)(`kcat -P to a named partition${hasKcat ? '' : ` (skipped: ${kcatMissing})`}`, () => {
  const topic = 'kcat-by-partition';
  /** Per partition, [offset, key, value] as written. */
  const written: Array<Array<[number, string, string]>> = Array.from({ length: PARTITIONS }, () => []);
  const codec = [Compression.none, Compression.lz4, Compression.zstd];
  const codecName = ['none', 'lz4', 'zstd'];

  beforeAll(async () => {
    await createTopic(topic);
    // Two runs of kcat per partition: the second one's records must continue the offsets.
    for (let run = 0; run < 2; run++) {
      for (let p = 0; p < PARTITIONS; p++) {
        const lines: string[] = [];
        for (let i = 0; i < 1_500; i++) {
          const key = `p${p}-k${i % 37}`;
          const value = `run${run}-p${p}-v${i}${' pad'.repeat(i % 5)}`;
          written[p].push([written[p].length, key, value]);
          lines.push(`${key}:${value}`);
        }
        await kcatProduce(b.bootstrap, topic, lines, { partition: p, keyDelimiter: ':', extra: ['-z', codecName[p]] });
      }
    }
  });

  it('kcat -C reads every record back at consecutive offsets of the partition it was sent to', async () => {
    for (let p = 0; p < PARTITIONS; p++) {
      const records = await kcatConsume(b.bootstrap, topic, p);
      expectSameSequence(
        records.map((r) => [r.offset, r.key, r.payload]),
        written[p],
        `partition ${p}`,
      );
      expectCompressedWith(topic, p, codec[p]);
    }
  });

  it.skipIf(!hasConfluentKafka)(
    `a confluent-kafka Consumer with assign() reads the same records${hasConfluentKafka ? '' : ` (skipped: ${confluentKafkaMissing})`}`,
    async () => {
      const all = await pythonConsume(b.bootstrap, topic, [0, 1, 2]);
      for (let p = 0; p < PARTITIONS; p++) {
        const records = all[p];
        expectSameSequence(
          records.map((r) => [r.offset, r.key, r.value]),
          written[p],
          `partition ${p}`,
        );
      }
    },
  );
});

describe.skipIf(!hasKcat)(`kcat -P through librdkafka's partitioner${hasKcat ? '' : ` (skipped: ${kcatMissing})`}`, () => {
  it('puts each key in the partition CRC-32 names, and each partition keeps the order written', async () => {
    const topic = 'kcat-partitioner';
    await createTopic(topic);
    const lines = Array.from({ length: 6_000 }, (_, i) => `key-${i % 101}:value-${i}`);
    await kcatProduce(b.bootstrap, topic, lines, { keyDelimiter: ':', extra: ['-z', 'snappy'] });

    let total = 0;
    for (let p = 0; p < PARTITIONS; p++) {
      const expected = lines
        .map((l) => l.split(':') as [string, string])
        .filter(([key]) => librdkafkaPartition(key) === p)
        .map(([key, value], offset) => [offset, key, value]);
      const records = await kcatConsume(b.bootstrap, topic, p);
      total += records.length;
      expect(expected.length).toBeGreaterThan(0);
      expectSameSequence(
        records.map((r) => [r.offset, r.key, r.payload]),
        expected,
        `partition ${p}`,
      );
      expectCompressedWith(topic, p, Compression.snappy);
    }
    expect(total).toBe(lines.length);
  });
});

describe.skipIf(!hasConfluentKafka)(`confluent-kafka Producer${hasConfluentKafka ? '' : ` (skipped: ${confluentKafkaMissing})`}`, () => {
  const COUNT = 10_000;
  const KEYS = 211;

  it.each([
    ['lz4', Compression.lz4],
    ['snappy', Compression.snappy],
    ['gzip', Compression.gzip],
    ['zstd', Compression.zstd],
  ])('%s: 10,000 keyed records with headers read back intact at their acknowledged offsets', async (name, codec) => {
    const topic = `python-${name}`;
    await createTopic(topic);
    const deliveries = await pythonProduce(b.bootstrap, topic, COUNT, name, KEYS);
    expect(deliveries).toHaveLength(COUNT);

    const byPartition: Delivery[][] = Array.from({ length: PARTITIONS }, () => []);
    for (const d of deliveries) {
      expect(d.partition, `key ${d.key}`).toBe(librdkafkaPartition(d.key));
      byPartition[d.partition].push(d);
    }
    const viaPythonAll = await pythonConsume(b.bootstrap, topic, [0, 1, 2]);
    for (let p = 0; p < PARTITIONS; p++) {
      // Acknowledged offsets of a partition are 0..n-1, and in the order the records were produced.
      const acked = byPartition[p].sort((x, y) => x.offset - y.offset);
      expect(acked.map((d) => d.offset)).toEqual(acked.map((_, i) => i));
      expect(acked.map((d) => d.i)).toEqual([...acked.map((d) => d.i)].sort((x, y) => x - y));
      const expected = acked.map((d) => [d.offset, d.key, d.value, String(d.i)]);

      const viaPython = viaPythonAll[p];
      expectSameSequence(
        viaPython.map((r) => [r.offset, r.key, r.value, r.headers.find(([k]) => k === 'i')?.[1]]),
        expected,
        `confluent-kafka Consumer, partition ${p}`,
      );
      if (hasKcat) {
        const viaKcat = await kcatConsume(b.bootstrap, topic, p);
        expectSameSequence(
          viaKcat.map((r) => [r.offset, r.key, r.payload, r.headers?.[1]]),
          expected,
          `kcat -C, partition ${p}`,
        );
      }
      expectCompressedWith(topic, p, codec);
    }
  });
});
