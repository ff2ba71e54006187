/**
 * kafkajs transactional producers against the broker: what a committed transaction wrote is seen by
 * read_committed consumers (kcat with isolation.level=read_committed, and a kafkajs consumer), what
 * an aborted one wrote never is, and an open one holds read_committed readers back at its first
 * offset; offsets sent with sendOffsets become the group's committed offsets only when the
 * transaction commits. The CLI's `transactions --list/--describe` report what the coordinator holds.
 */
import type { Admin, Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';
import { removeDir, startBroker, type TestBroker } from '../support/broker.js';
import { hasKcat, kcatConsume, kcatMissing } from '../support/kcat.js';
import { kafkaClient, kafkaProducer } from '../support/kafkajs.js';

const TOPIC = 'orders';
const PARTITIONS = 2;

async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('transactions with kafkajs', () => {
  let b: TestBroker;
  let kafka: Kafka;
  let admin: Admin;

  beforeAll(async () => {
    b = await startBroker({
      'group.initial.rebalance.delay.ms': '0',
      'offsets.topic.num.partitions': '5',
      'transaction.state.log.num.partitions': '5',
    });
    kafka = kafkaClient(b.bootstrap);
    admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }] });
  });

  afterAll(async () => {
    await admin?.disconnect();
    await b?.stop();
    if (b) removeDir(b.logDir);
  });

  /** Values of every partition read by kcat (librdkafka) with the given isolation level, partition by partition. */
  async function kcatValues(isolation: 'read_committed' | 'read_uncommitted'): Promise<string[][]> {
    const out: string[][] = [];
    for (let p = 0; p < PARTITIONS; p++) {
      const records = await kcatConsume(b.bootstrap, TOPIC, p, { extra: ['-X', `isolation.level=${isolation}`] });
      out.push(records.map((r) => r.payload ?? ''));
    }
    return out;
  }

  it.skipIf(!hasKcat)(
    `shows committed records to read_committed readers, never aborted ones (${hasKcat ? 'kcat' : kcatMissing})`,
    async () => {
      const producer = kafkaProducer(kafka, { transactionalId: 'kafkajs-orders', maxInFlightRequests: 1, idempotent: true });
      await producer.connect();
      const send = async (prefix: string, outcome: 'commit' | 'abort' | 'open') => {
        const txn = await producer.transaction();
        await txn.send({ topic: TOPIC, messages: [0, 1, 0, 1].map((partition, i) => ({ partition, value: `${prefix}-${i}` })) });
        if (outcome === 'commit') await txn.commit();
        if (outcome === 'abort') await txn.abort();
        return txn;
      };
      await send('a', 'commit');
      await send('b', 'abort');
      await send('c', 'commit');
      const open = await send('d', 'open');

      // the open transaction holds read_committed readers back at its first records
      expect(await kcatValues('read_committed')).toEqual([
        ['a-0', 'a-2', 'c-0', 'c-2'],
        ['a-1', 'a-3', 'c-1', 'c-3'],
      ]);
      expect((await kcatValues('read_uncommitted'))[0]).toEqual(['a-0', 'a-2', 'b-0', 'b-2', 'c-0', 'c-2', 'd-0', 'd-2']);
      // kafkajs' admin asks ListOffsets read_committed: latest is the last stable offset, the open
      // transaction's first offset (3 transactions of 2 records and a marker per partition before it)
      expect((await admin.fetchTopicOffsets(TOPIC)).map((p) => p.high)).toEqual(['9', '9']);

      await open.commit();
      expect((await admin.fetchTopicOffsets(TOPIC)).map((p) => p.high)).toEqual(['12', '12']);
      expect(await kcatValues('read_committed')).toEqual([
        ['a-0', 'a-2', 'c-0', 'c-2', 'd-0', 'd-2'],
        ['a-1', 'a-3', 'c-1', 'c-3', 'd-1', 'd-3'],
      ]);

      // a kafkajs consumer (read_committed is its default) sees the same
      const consumer = kafka.consumer({ groupId: 'kafkajs-reader', readUncommitted: false, maxWaitTimeInMs: 100 });
      await consumer.connect();
      await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
      const seen: string[] = [];
      await consumer.run({ eachMessage: async ({ message }) => void seen.push(String(message.value)) });
      await waitFor('the consumer to read the committed records', () => seen.length >= 12);
      await new Promise((r) => setTimeout(r, 300));
      expect(seen.sort()).toEqual(['a-0', 'a-1', 'a-2', 'a-3', 'c-0', 'c-1', 'c-2', 'c-3', 'd-0', 'd-1', 'd-2', 'd-3']);
      await consumer.disconnect();
      await producer.disconnect();
    },
    90_000,
  );

  it("commits a group's offsets with the transaction, and never when it aborts", async () => {
    const group = 'kafkajs-copier';
    const committed = async () => (await admin.fetchOffsets({ groupId: group, topics: [TOPIC] }))[0].partitions.map((p) => p.offset);
    const producer = kafkaProducer(kafka, { transactionalId: 'kafkajs-offsets', maxInFlightRequests: 1, idempotent: true });
    await producer.connect();
    expect(await committed()).toEqual(['-1', '-1']);

    const txn = await producer.transaction();
    await txn.send({ topic: TOPIC, messages: [{ partition: 0, value: 'x' }] });
    await txn.sendOffsets({
      consumerGroupId: group,
      topics: [
        {
          topic: TOPIC,
          partitions: [
            { partition: 0, offset: '3' },
            { partition: 1, offset: '4' },
          ],
        },
      ],
    });
    expect(await committed()).toEqual(['-1', '-1']); // staged, not visible yet
    await txn.commit();
    expect(await committed()).toEqual(['3', '4']);

    const aborted = await producer.transaction();
    await aborted.sendOffsets({ consumerGroupId: group, topics: [{ topic: TOPIC, partitions: [{ partition: 0, offset: '7' }] }] });
    await aborted.abort();
    expect(await committed()).toEqual(['3', '4']);

    // the CLI sees the transactional ids the coordinator holds
    const list = await runCli(['transactions', '--bootstrap-server', b.bootstrap, '--list']);
    expect(list.code).toBe(0);
    const rows = list.stdout
      .trim()
      .split('\n')
      .map((l) => l.split('\t').map((c) => c.trim()));
    expect(rows[0]).toEqual(['TransactionalId', 'Coordinator', 'ProducerId', 'TransactionState', '']);
    expect(rows.find((r) => r[0] === 'kafkajs-offsets')?.[3]).toBe('CompleteAbort');

    const open = await producer.transaction();
    await open.send({ topic: TOPIC, messages: [{ partition: 1, value: 'y' }] });
    const describe = await runCli(['transactions', '--bootstrap-server', b.bootstrap, '--describe', '--transactional-id', 'kafkajs-offsets']);
    expect(describe.code).toBe(0);
    const [header, row] = describe.stdout
      .trim()
      .split('\n')
      .map((l) => l.split('\t').map((c) => c.trim()));
    expect(header.slice(0, 9)).toEqual([
      'CoordinatorId',
      'TransactionalId',
      'ProducerId',
      'ProducerEpoch',
      'TransactionState',
      'TransactionTimeoutMs',
      'CurrentTransactionStartTimeMs',
      'TransactionDurationMs',
      'TopicPartitions',
    ]);
    expect(row[1]).toBe('kafkajs-offsets');
    expect(row[4]).toBe('Ongoing');
    expect(row[8]).toBe(`${TOPIC}-1`);
    expect(Number(row[7])).toBeGreaterThanOrEqual(0);
    await open.commit();

    const missing = await runCli(['transactions', '--bootstrap-server', b.bootstrap, '--describe', '--transactional-id', 'no-such-id']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/Failed to describe transaction state of transactional-id `no-such-id`: The transactionalId could not be found/);
    await producer.disconnect();
  }, 60_000);
});
