// npm start: an embedded Skein broker and an exactly-once consume-transform-produce pipeline.
//
// 1. A producer writes orders (keyed by customer) to "orders".
// 2. The pipeline — a kafkajs consumer group plus a transactional producer — reads each batch,
//    adds tax, writes the results to "orders-with-tax" and commits the consumed offsets with
//    sendOffsets in the same transaction. One transaction is deliberately aborted on the way and
//    its batch processed again, as after a crash.
// 3. A read_committed consumer reads the output: every order appears exactly once, in order.
//
// The broker keeps its data in a temporary directory it removes when closed.
import kafkajs from 'kafkajs';
import { Broker, createLogger } from 'skein';

const { Kafka, logLevel, Partitioners, CompressionTypes } = kafkajs;
const say = (line = '') => process.stdout.write(`${line}\n`);
const ORDERS = 40;
const customers = ['alice', 'bob', 'carol', 'dave', 'erin'];

// No log dir or port given: a temporary directory, 127.0.0.1 and a free port. The embedded
// defaults (no initial rebalance delay, 5 partitions for the internal topics) suit a demo.
const broker = await Broker.start({ logger: createLogger('warn') });
say(`Skein broker on ${broker.bootstrap} (data in ${broker.logDir})`);

const kafka = new Kafka({ brokers: [broker.bootstrap], clientId: 'quickstart', logLevel: logLevel.NOTHING });
const admin = kafka.admin();
const consumers = [];
const producers = [];

try {
  await broker.createTopics([
    { topic: 'orders', partitions: 3 },
    { topic: 'orders-with-tax', partitions: 3 },
  ]);
  await admin.connect();

  // 1. Input.
  const producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
  producers.push(producer);
  await producer.connect();
  const orders = Array.from({ length: ORDERS }, (_, i) => ({
    key: customers[i % customers.length],
    value: JSON.stringify({ order: i + 1, amount: ((i * 37) % 100) + 0.99 }),
  }));
  await producer.send({ topic: 'orders', acks: -1, messages: orders, compression: CompressionTypes.GZIP });
  say(`Produced ${ORDERS} orders to "orders" (idempotent producer, gzip)`);

  // 2. The exactly-once pipeline.
  const groupId = 'add-tax';
  const txProducer = kafka.producer({ transactionalId: 'add-tax-pipeline', maxInFlightRequests: 1, idempotent: true });
  producers.push(txProducer);
  await txProducer.connect();
  const pipeline = kafka.consumer({ groupId, readUncommitted: false });
  consumers.push(pipeline);
  await pipeline.connect();
  await pipeline.subscribe({ topics: ['orders'], fromBeginning: true });
  let abortedOnce = false;
  let transactions = 0;
  await pipeline.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      const txn = await txProducer.transaction();
      try {
        await txn.send({
          topic: 'orders-with-tax',
          messages: batch.messages.map((m) => {
            const order = JSON.parse(String(m.value));
            return { key: m.key, value: JSON.stringify({ ...order, withTax: Math.round(order.amount * 120) / 100 }) };
          }),
        });
        await txn.sendOffsets({
          consumerGroupId: groupId,
          topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: String(BigInt(batch.lastOffset()) + 1n) }] }],
        });
        if (!abortedOnce) {
          abortedOnce = true;
          throw new Error('simulated failure before commit');
        }
        await txn.commit();
        transactions++;
      } catch (err) {
        await txn.abort();
        say(`  transaction aborted (${err.message}); its ${batch.messages.length} records will be processed again`);
        throw err; // kafkajs seeks back to the last committed offset and redelivers the batch
      }
    },
  });

  // Wait until the group's committed offsets reach the end of the input.
  const ends = await admin.fetchTopicOffsets('orders');
  for (let tries = 0; ; tries++) {
    const [committed] = await admin.fetchOffsets({ groupId, topics: ['orders'] });
    const done = ends.every((e) => committed.partitions.find((p) => p.partition === e.partition)?.offset === e.high);
    if (done) break;
    if (tries > 300) throw new Error('the pipeline did not finish within 30 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  say(`Pipeline committed ${transactions} transaction(s); group "${groupId}" offsets are at the end of "orders"`);

  // 3. Read the output read_committed and check it.
  const reader = kafka.consumer({ groupId: 'quickstart-reader', readUncommitted: false });
  consumers.push(reader);
  await reader.connect();
  await reader.subscribe({ topics: ['orders-with-tax'], fromBeginning: true });
  const seen = [];
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`read ${seen.length} of ${ORDERS} outputs within 30 s`)), 30_000);
    reader.run({
      eachMessage: async ({ partition, message }) => {
        seen.push({ partition, offset: message.offset, key: String(message.key), ...JSON.parse(String(message.value)) });
        if (seen.length >= ORDERS) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await new Promise((r) => setTimeout(r, 500)); // anything beyond ORDERS would be a duplicate

  say();
  for (const p of [0, 1, 2]) {
    const rows = seen.filter((r) => r.partition === p);
    say(`orders-with-tax, partition ${p}:`);
    for (const r of rows) say(`  offset ${r.offset.padStart(2)}  ${r.key.padEnd(6)} order ${String(r.order).padStart(2)}  ${r.amount.toFixed(2).padStart(6)} → ${r.withTax.toFixed(2).padStart(6)}`);
  }
  const unique = new Set(seen.map((r) => r.order));
  const inOrder = customers.every((c) => {
    const mine = seen.filter((r) => r.key === c).map((r) => r.order);
    return mine.every((o, i) => i === 0 || o > mine[i - 1]);
  });
  say();
  if (seen.length === ORDERS && unique.size === ORDERS && inOrder) {
    say(`Exactly once: ${ORDERS} orders in, ${seen.length} results out, none twice, each customer's orders in order —`);
    say('although one transaction was aborted and its batch processed a second time.');
  } else {
    say(`NOT exactly once: ${seen.length} results for ${unique.size} distinct orders (expected ${ORDERS}), in order: ${inOrder}`);
    process.exitCode = 1;
  }
} finally {
  for (const c of consumers) await c.disconnect().catch(() => {});
  for (const p of producers) await p.disconnect().catch(() => {});
  await admin.disconnect().catch(() => {});
  await broker.close();
}
