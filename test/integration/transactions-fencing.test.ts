/**
 * Zombies and stuck transactions, with kafkajs: a second producer with the same transactional id
 * fences the first (its open transaction is aborted, and its sends and commit fail with a fencing
 * error); a transaction left open past its timeout is aborted by the broker, so read_committed
 * consumers move past it, and its producer is fenced.
 */
import type { Admin, Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startBroker, type TestBroker } from '../support/broker.js';
import { kafkaClient, kafkaProducer } from '../support/kafkajs.js';

const TOPIC = 'fenced';

async function waitFor(what: string, condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const FENCED = /INVALID_PRODUCER_EPOCH|PRODUCER_FENCED|old epoch|fenced/i;

describe('fencing and transaction timeouts', () => {
  let b: TestBroker;
  let kafka: Kafka;
  let admin: Admin;

  beforeAll(async () => {
    b = await startBroker({
      'group.initial.rebalance.delay.ms': '0',
      'offsets.topic.num.partitions': '3',
      'transaction.state.log.num.partitions': '3',
      'transaction.abort.timed.out.transaction.cleanup.interval.ms': '500',
    });
    kafka = kafkaClient(b.bootstrap, 'fencing-test', 1);
    admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 2 }] });
  });

  afterAll(async () => {
    await admin?.disconnect();
    await b?.stop();
    if (b) removeDir(b.logDir);
  });

  /** Everything a read_committed consumer of a fresh group reads within `ms`. */
  async function readCommitted(groupId: string, ms: number, until?: (seen: string[]) => boolean): Promise<string[]> {
    const consumer = kafka.consumer({ groupId, readUncommitted: false, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    const seen: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(String(message.value)) });
    const deadline = Date.now() + ms;
    while (Date.now() < deadline && !(until?.(seen) ?? false)) await new Promise((r) => setTimeout(r, 50));
    await consumer.disconnect();
    return seen;
  }

  it('a second producer with the same transactional id fences the first and aborts its transaction', async () => {
    const zombie = kafkaProducer(kafka, { transactionalId: 'fence-me', maxInFlightRequests: 1, idempotent: true });
    await zombie.connect();
    const zombieTxn = await zombie.transaction();
    await zombieTxn.send({
      topic: TOPIC,
      messages: [
        { partition: 0, value: 'zombie-1' },
        { partition: 1, value: 'zombie-2' },
      ],
    });

    const successor = kafkaProducer(kafka, { transactionalId: 'fence-me', maxInFlightRequests: 1, idempotent: true });
    await successor.connect();
    const txn = await successor.transaction(); // InitProducerId: aborts the zombie's transaction with the epoch bumped
    const described = b.server.services.transactionCoordinator.handleDescribeTransactions('fence-me');
    expect(described).toMatchObject({ transactionState: 'Empty', producerEpoch: 2 }); // 1 to fence and abort, 2 for the successor

    await expect(zombieTxn.send({ topic: TOPIC, messages: [{ partition: 0, value: 'zombie-3' }] })).rejects.toThrow(FENCED);
    await expect(zombieTxn.commit()).rejects.toThrow(FENCED);

    await txn.send({ topic: TOPIC, messages: [{ partition: 0, value: 'successor-1' }] });
    await txn.commit();
    const seen = await readCommitted('fence-readers', 10_000, (s) => s.includes('successor-1'));
    expect(seen).toEqual(['successor-1']);
    await successor.disconnect();
    await zombie.disconnect().catch(() => undefined);
  }, 60_000);

  it('aborts a transaction left open past its timeout; read_committed readers move past it; its producer is fenced', async () => {
    const stuck = kafkaProducer(kafka, { transactionalId: 'stuck', maxInFlightRequests: 1, idempotent: true, transactionTimeout: 1500 });
    await stuck.connect();
    const stuckTxn = await stuck.transaction();
    await stuckTxn.send({ topic: TOPIC, messages: [{ partition: 1, value: 'stuck-1' }] });

    const other = kafkaProducer(kafka, { transactionalId: 'after-stuck', maxInFlightRequests: 1, idempotent: true });
    await other.connect();
    const txn = await other.transaction();
    await txn.send({ topic: TOPIC, messages: [{ partition: 1, value: 'after-1' }] });
    await txn.commit();

    // held back by the open transaction at first; the broker aborts it after 1.5 s (checked every 0.5 s)
    const started = Date.now();
    const seen = await readCommitted('stuck-readers', 15_000, (s) => s.includes('after-1'));
    expect(seen.filter((v) => v !== 'successor-1')).toEqual(['after-1']);
    expect(Date.now() - started).toBeGreaterThan(500);
    await waitFor(
      'the timed-out transaction to be aborted',
      () => b.server.services.transactionCoordinator.handleDescribeTransactions('stuck').transactionState === 'CompleteAbort',
    );
    expect(b.server.services.transactionCoordinator.handleDescribeTransactions('stuck').producerEpoch).toBe(1);

    await expect(stuckTxn.commit()).rejects.toThrow(FENCED);
    const low = await admin.fetchTopicOffsets(TOPIC);
    expect(low.every((p) => p.high === p.offset)).toBe(true); // nothing open: the last stable offset is the end
    await other.disconnect();
    await stuck.disconnect().catch(() => undefined);
  }, 60_000);
});
