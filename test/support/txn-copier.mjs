// A consume-transform-produce copier with kafkajs, exactly once, as a child process so that a test
// can SIGKILL it anywhere: one transactional producer (TRANSACTIONAL_ID) and a consumer in GROUP
// (read_committed, no auto-commit). Each fetched batch of one input partition is one transaction:
// its records go to the same partition of OUTPUT (same key and value), and the offset after the
// batch is committed with sendOffsets in the same transaction.
//
// Before consuming, the producer initializes (InitProducerId), which fences a previous instance and
// aborts its open transaction, so the offsets the consumer starts from are stable.
//
// It reports one JSON line per event on stdout (synchronous on a pipe):
//   {"event":"ready"}                                    the producer is initialized
//   {"event":"committed","partition":P,"next":N,"records":R}  a transaction committed
//
// usage: node txn-copier.mjs BOOTSTRAP INPUT OUTPUT GROUP TRANSACTIONAL_ID [DELAY_MS]
// DELAY_MS (default 20) is slept inside each transaction, between its records and its commit, so
// that a kill is likely to land in the middle of one.
import { Kafka, logLevel, Partitioners } from 'kafkajs';

const [bootstrap, input, output, groupId, transactionalId, delay = '20'] = process.argv.slice(2);
/** @param {Record<string, unknown>} obj */
const out = (obj) => process.stdout.write(`${JSON.stringify(obj)}\n`);
/** @param {number} ms */
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const kafka = new Kafka({
  clientId: 'txn-copier',
  brokers: [bootstrap],
  logLevel: logLevel.NOTHING,
  retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 1000 },
});
const producer = kafka.producer({
  transactionalId,
  maxInFlightRequests: 1,
  idempotent: true,
  transactionTimeout: 30_000,
  createPartitioner: Partitioners.DefaultPartitioner,
});
const consumer = kafka.consumer({
  groupId,
  readUncommitted: false,
  sessionTimeout: 2000,
  heartbeatInterval: 300,
  rebalanceTimeout: 4000,
  maxBytesPerPartition: 400,
  maxWaitTimeInMs: 100,
});

await producer.connect();
// kafkajs initializes the producer id on its first transaction; an empty one sends no EndTxn.
await (await producer.transaction()).abort();
out({ event: 'ready' });

await consumer.connect();
await consumer.subscribe({ topic: input, fromBeginning: true });
await consumer.run({
  autoCommit: false,
  eachBatchAutoResolve: false,
  eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
    if (batch.messages.length === 0 || !isRunning() || isStale()) return;
    const txn = await producer.transaction();
    try {
      await txn.send({ topic: output, messages: batch.messages.map((m) => ({ partition: batch.partition, key: m.key, value: m.value })) });
      await sleep(Number(delay));
      const next = String(Number(batch.messages[batch.messages.length - 1].offset) + 1);
      await txn.sendOffsets({ consumerGroupId: groupId, topics: [{ topic: input, partitions: [{ partition: batch.partition, offset: next }] }] });
      await txn.commit();
      for (const m of batch.messages) resolveOffset(m.offset);
      out({ event: 'committed', partition: batch.partition, next: Number(next), records: batch.messages.length });
    } catch (err) {
      await txn.abort().catch(() => undefined);
      throw err;
    }
    await heartbeat();
  },
});

const stop = async () => {
  await consumer.disconnect().catch(() => undefined);
  await producer.disconnect().catch(() => undefined);
  process.exit(0);
};
process.on('SIGTERM', stop);
