/**
 * The StreamsProducer (src/streams/runtime/streams-producer.ts) against a real broker: kafkajs keeps
 * the producer id, sequences and transaction; Skein encodes the batches. What it writes is read back
 * by kafkajs's consumer and by kcat (librdkafka, which checks every batch's CRC), so a wrong byte
 * fails here and not only in Skein's own decoder.
 */
import { Kafka, logLevel } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { Broker } from '../../src/index.js';
import { silentLogger } from '../../src/common/logger.js';
import type { ProducerRecord } from '../../src/streams/runtime/record-collector.js';
import { StreamsProducer } from '../../src/streams/runtime/streams-producer.js';
import { isFenced, isRecordRefused } from '../../src/streams/runtime/task-producers.js';
import { removeDir, startBroker } from '../support/broker.js';
import { FlakyProxy } from '../support/flaky-proxy.js';
import { defaultPartitioner } from '../support/kafkajs.js';
import { hasKcat, kcatConsume } from '../support/kcat.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

interface Read {
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
  timestamp: number;
  headers: Record<string, string>;
}

async function setUp(topics: { topic: string; partitions: number }[]): Promise<{ bootstrap: string; kafka: Kafka }> {
  const broker = await Broker.start({ logger: silentLogger });
  cleanups.push(() => broker.close());
  await broker.createTopics(topics);
  const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  return { bootstrap: broker.bootstrap, kafka };
}

function producer(kafka: Kafka, transactionalId?: string, compression = 0): StreamsProducer {
  const p = new StreamsProducer(kafka, { transactionalId, compression, transactionTimeoutMs: 60_000 });
  cleanups.push(() => p.disconnect());
  return p;
}

/** Everything in `topic`, read with kafkajs's consumer at `isolation`, by partition and offset. */
async function readAll(kafka: Kafka, topic: string, expected: number, readCommitted = true): Promise<Read[]> {
  const consumer = kafka.consumer({ groupId: `reader-${topic}-${Math.random()}`, readUncommitted: !readCommitted });
  cleanups.push(() => consumer.disconnect());
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const out: Read[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`read ${out.length} of ${expected} records of ${topic}`)), 15_000);
    void consumer.run({
      eachMessage: async ({ partition, message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
        out.push({
          partition,
          offset: Number(message.offset),
          key: message.key?.toString() ?? null,
          value: message.value?.toString() ?? null,
          timestamp: Number(message.timestamp),
          headers,
        });
        if (out.length >= expected) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  return out.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

const record = (topic: string, partition: number | undefined, key: string | null, value: string | null, timestamp = 1_700_000_000_000): ProducerRecord => ({
  topic,
  partition,
  key: key === null ? null : Buffer.from(key),
  value: value === null ? null : Buffer.from(value),
  timestamp,
  headers: {},
});

describe('StreamsProducer', () => {
  it('writes keys, values, nulls, timestamps and headers that kafkajs reads back, and reports each partition’s next offset', async () => {
    const { kafka } = await setUp([{ topic: 'out', partitions: 2 }]);
    const p = producer(kafka);
    await p.connect();
    const records: ProducerRecord[] = [
      record('out', 0, 'a', '1', 1_700_000_000_005),
      record('out', 0, null, 'keyless', 1_700_000_000_001),
      { ...record('out', 1, 'h', 'with headers'), headers: { one: 'x', two: Buffer.from('y'), many: ['p', 'q'] } },
      record('out', 1, 'tombstone', null),
    ];
    const first = await p.send(records);
    expect(Object.fromEntries(first)).toEqual({ 'out:0': 2, 'out:1': 2 });
    const second = await p.send([record('out', 0, 'b', '2')]);
    expect(Object.fromEntries(second)).toEqual({ 'out:0': 3 });

    const read = await readAll(kafka, 'out', 5);
    expect(read.map((r) => [r.partition, r.offset, r.key, r.value, r.timestamp])).toEqual([
      [0, 0, 'a', '1', 1_700_000_000_005],
      [0, 1, null, 'keyless', 1_700_000_000_001],
      [0, 2, 'b', '2', 1_700_000_000_000],
      [1, 0, 'h', 'with headers', 1_700_000_000_000],
      [1, 1, 'tombstone', null, 1_700_000_000_000],
    ]);
    expect(read[3].headers).toMatchObject({ one: 'x', two: 'y' });
  });

  it('puts a record without a partition where kafkajs’s default partitioner would (murmur2), and keyless ones in turn', async () => {
    const { kafka } = await setUp([{ topic: 'keyed', partitions: 5 }]);
    const p = producer(kafka);
    await p.connect();
    const keys = Array.from({ length: 50 }, (_, i) => `key-${i}`);
    await p.send(keys.map((k) => record('keyed', undefined, k, k)));
    await p.send(Array.from({ length: 10 }, (_, i) => record('keyed', undefined, null, `n${i}`)));
    const read = await readAll(kafka, 'keyed', 60);
    const expectPartition = defaultPartitioner('keyed', 5);
    for (const r of read.filter((x) => x.key !== null)) expect(r.partition, r.key ?? '').toBe(expectPartition(r.key as string));
    const keyless = read.filter((x) => x.key === null);
    expect(new Set(keyless.map((r) => r.partition)).size).toBe(5);
  });

  it('splits a partition’s records over 900 KiB into several batches that land in order', async () => {
    const { kafka } = await setUp([{ topic: 'big', partitions: 1 }]);
    const p = producer(kafka);
    await p.connect();
    const value = 'v'.repeat(10_000);
    const n = 300; // about 3 MB: four batches, each under the broker's 1 MiB max.message.bytes
    const next = await p.send(Array.from({ length: n }, (_, i) => record('big', 0, `k${i}`, `${i}:${value}`)));
    expect(next.get('big:0')).toBe(n);
    const read = await readAll(kafka, 'big', n);
    expect(read.map((r) => r.key)).toEqual(Array.from({ length: n }, (_, i) => `k${i}`));
  });

  it('compresses with gzip when asked', async () => {
    const { kafka } = await setUp([{ topic: 'zipped', partitions: 1 }]);
    const p = producer(kafka, undefined, 1);
    await p.connect();
    await p.send(Array.from({ length: 100 }, (_, i) => record('zipped', 0, `k${i}`, 'same value '.repeat(20))));
    const read = await readAll(kafka, 'zipped', 100);
    expect(read.map((r) => r.key)).toEqual(Array.from({ length: 100 }, (_, i) => `k${i}`));
  });

  it('writes in transactions: an aborted one is invisible to read_committed, a committed one with its offsets is visible', async () => {
    const { kafka } = await setUp([
      { topic: 'in', partitions: 1 },
      { topic: 'txn', partitions: 2 },
    ]);
    const p = producer(kafka, 'app-0_0');
    await p.connect();
    p.beginTransaction();
    await p.send([record('txn', 0, 'aborted', '1'), record('txn', 1, 'aborted', '2')]);
    await p.abortTransaction();
    p.beginTransaction();
    await p.send([record('txn', 0, 'committed', '3'), record('txn', 1, 'committed', '4')]);
    await p.sendOffsets('app', [{ topic: 'in', partitions: [{ partition: 0, offset: '7', metadata: 'm' }] }]);
    await p.commitTransaction();

    const committed = await readAll(kafka, 'txn', 2);
    expect(committed.map((r) => r.key)).toEqual(['committed', 'committed']);
    const admin = kafka.admin();
    cleanups.push(() => admin.disconnect());
    await admin.connect();
    const [offsets] = await admin.fetchOffsets({ groupId: 'app', topics: ['in'] });
    expect(offsets.partitions[0]).toMatchObject({ partition: 0, offset: '7', metadata: 'm' });
  });

  it.skipIf(!hasKcat)('writes batches librdkafka reads with their CRCs checked, transaction markers skipped', async () => {
    const { kafka, bootstrap } = await setUp([{ topic: 'checked', partitions: 1 }]);
    const p = producer(kafka, 'app-1_0');
    await p.connect();
    p.beginTransaction();
    await p.send(Array.from({ length: 1000 }, (_, i) => record('checked', 0, `k${i}`, `v${i}`, 1_700_000_000_000 + i)));
    await p.commitTransaction();
    const read = await kcatConsume(bootstrap, 'checked', 0, { extra: ['-X', 'isolation.level=read_committed'] });
    expect(read.map((r) => [r.key, r.payload, r.ts])).toEqual(Array.from({ length: 1000 }, (_, i) => [`k${i}`, `v${i}`, 1_700_000_000_000 + i]));
  });

  it('is fenced by a newer producer of the same transactional id, and says so in the error isFenced recognises', async () => {
    const { kafka } = await setUp([{ topic: 'fenced', partitions: 1 }]);
    const zombie = producer(kafka, 'app-2_0');
    await zombie.connect();
    zombie.beginTransaction();
    await zombie.send([record('fenced', 0, 'zombie', '1')]);
    const owner = producer(kafka, 'app-2_0');
    await owner.connect(); // aborts the zombie's open transaction
    const error = await zombie.send([record('fenced', 0, 'zombie', '2')]).then(
      () => zombie.commitTransaction().then(() => null),
      (e: unknown) => e,
    );
    expect(error).not.toBeNull();
    expect(isFenced(error)).toBe(true);
    owner.beginTransaction();
    await owner.send([record('fenced', 0, 'owner', '3')]);
    await owner.commitTransaction();
    expect((await readAll(kafka, 'fenced', 1)).map((r) => r.key)).toEqual(['owner']);
  });

  it.each([
    ['idempotent', undefined],
    ['transactional', 'app-3_0'],
  ])(
    '%s: a Produce that never arrives, or whose answer is lost, is sent again with the same sequence — every record once, in order',
    async (_kind, transactionalId) => {
      const proxy = await FlakyProxy.start();
      cleanups.push(() => proxy.close());
      const b = await startBroker({ 'advertised.listeners': `PLAINTEXT://127.0.0.1:${proxy.port}` });
      cleanups.push(async () => {
        await b.stop();
        removeDir(b.logDir);
      });
      proxy.setTarget(b.broker.port);
      await b.broker.createTopics([{ topic: 'flaky', partitions: 2 }]);
      const kafka = new Kafka({ brokers: [`127.0.0.1:${proxy.port}`], logLevel: logLevel.NOTHING, retry: { retries: 3, initialRetryTime: 50 } });
      const p = producer(kafka, transactionalId);
      await p.connect();
      // Every 3rd Produce is written but its answer lost; every 7th never reaches the broker.
      proxy.fault = (r) => (r.apiKey !== 0 ? 'pass' : r.nthOfKey % 7 === 0 ? 'drop-request' : r.nthOfKey % 3 === 0 ? 'drop-response' : 'pass');
      const sent: string[][] = [[], []];
      if (transactionalId !== undefined) p.beginTransaction();
      // Two sends at a time, as a thread's tasks share its producer under at_least_once: a send whose
      // answer was lost keeps its sequence numbers until it is tried again; the other waits.
      for (let s = 0; s < 30; s += 2) {
        const sends = [s, s + 1].map((n) => Array.from({ length: 10 }, (_, i) => record('flaky', i % 2, `k${n}-${i}`, `${n}-${i}`)));
        const expected = sends.map((records) => {
          for (const r of records) sent[r.partition as number].push(r.value?.toString() as string);
          return { 'flaky:0': sent[0].length, 'flaky:1': sent[1].length };
        });
        const nexts = await Promise.all(sends.map((records) => p.send(records)));
        expect(nexts.map((next) => Object.fromEntries(next))).toEqual(expected);
      }
      if (transactionalId !== undefined) await p.commitTransaction();
      proxy.fault = () => 'pass';
      expect(proxy.stats.droppedResponses).toBeGreaterThan(5);
      expect(proxy.stats.droppedRequests).toBeGreaterThan(2);
      const read = await readAll(kafka, 'flaky', 300);
      expect(read.filter((r) => r.partition === 0).map((r) => r.value)).toEqual(sent[0]);
      expect(read.filter((r) => r.partition === 1).map((r) => r.value)).toEqual(sent[1]);
    },
  );

  it.each([
    ['idempotent (which then takes a new producer id)', undefined],
    ['transactional (the same transaction goes on)', 'app-4_0'],
  ])('%s: after a send the broker refused in part, the partition it wrote keeps its records once and the next sends go on', async (_kind, transactionalId) => {
    const { kafka } = await setUp([{ topic: 'mixed', partitions: 2 }]);
    const p = producer(kafka, transactionalId);
    await p.connect();
    if (transactionalId !== undefined) p.beginTransaction();
    const tooLarge = record('mixed', 1, 'huge', 'x'.repeat(2 * 1024 * 1024));
    const error = await p.send([record('mixed', 0, 'first', '1'), tooLarge]).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isRecordRefused(error)).toBe(true);
    const next = await p.send([record('mixed', 0, 'second', '2'), record('mixed', 1, 'third', '3')]);
    // The written batch kept its sequence: a reused one would make 'second' look like a duplicate of 'first'.
    expect(Object.fromEntries(next)).toEqual({ 'mixed:0': 2, 'mixed:1': 1 });
    if (transactionalId !== undefined) await p.commitTransaction();
    const read = await readAll(kafka, 'mixed', 3);
    expect(read.map((r) => [r.partition, r.key])).toEqual([
      [0, 'first'],
      [0, 'second'],
      [1, 'third'],
    ]);
  });
});
