/**
 * The word count written by hand on kafkajs, exactly once — what a user would write instead of a
 * Skein topology (bench/streams.js compares the two). It follows kafkajs's documented pattern:
 * `eachBatch`, one transactional producer per input partition, and per batch one transaction with
 * the batch's output and `sendOffsets` for the batch's offsets. The output goes in sends of at most
 * 2,000 records (see sendChunked), as Skein's does.
 *
 * It does the work of Skein's word-count topology (split → groupBy word → count):
 *   stage 1, group <APP_ID>-split: text-lines → words, keyed by word, to <APP_ID>-words (the
 *     repartition topic; kafkajs's default partitioner is murmur2, as Skein's);
 *   stage 2, group <APP_ID>-count: <APP_ID>-words → a count per word in a Map per partition; each
 *     update goes to <OUTPUT> (8-byte big-endian counts, as Serdes.Long()), and to the compacted
 *     <APP_ID>-counts-changelog (same partition) in the same transaction, so the state could be
 *     rebuilt, as Skein's changelog does: every update (CHANGELOG_MODE=every, the default: the same
 *     records as Skein's store without a cache) or the counts a batch changed, once each
 *     (CHANGELOG_MODE=changed). A batch's updates reach the Map only
 *     once its transaction has committed (an aborted batch is read again).
 *
 * Both stages run in this process (as Skein runs both sub-topologies in one thread), each partition's
 * batches concurrently (`partitionsConsumedConcurrently` = partitions). Prints
 * `{"state":"RUNNING","t":…}` once both consumers have joined their groups. Environment: BOOTSTRAP,
 * APP_ID, INPUT (default text-lines), OUTPUT (default <APP_ID>-word-counts), PARTITIONS.
 */
import kafkajs from 'kafkajs';

const { Kafka, logLevel } = kafkajs;
const APP = process.env.APP_ID ?? 'kafkajs-word-count';
const INPUT = process.env.INPUT ?? 'text-lines';
const WORDS = `${APP}-words`;
const OUTPUT = process.env.OUTPUT ?? `${APP}-word-counts`;
const CHANGELOG = `${APP}-counts-changelog`;
const PARTITIONS = Number(process.env.PARTITIONS ?? 3);
/** 'every': one changelog record per update, as Skein's store without a cache; 'changed': the counts a batch changed, once each. */
const CHANGELOG_MODE = process.env.CHANGELOG_MODE ?? 'every';

const BOOTSTRAP = process.env.BOOTSTRAP;
if (BOOTSTRAP === undefined) throw new Error('kafkajs-word-count.mjs: BOOTSTRAP is not set');

const kafka = new Kafka({ brokers: [BOOTSTRAP], clientId: APP, logLevel: process.env.KAFKAJS_LOG ? logLevel.WARN : logLevel.NOTHING });

const admin = kafka.admin();
await admin.connect();
await admin.createTopics({
  topics: [
    { topic: WORDS, numPartitions: PARTITIONS },
    { topic: OUTPUT, numPartitions: PARTITIONS },
    { topic: CHANGELOG, numPartitions: PARTITIONS, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
  ],
  waitForLeaders: true,
});
await admin.disconnect();

/** @typedef {'split' | 'count'} Stage */

/**
 * One transactional producer per (stage, input partition), created on first use.
 * @type {Map<string, Promise<import('kafkajs').Producer>>}
 */
const producers = new Map();
/**
 * @param {Stage} stage
 * @param {number} partition
 */
function producerFor(stage, partition) {
  const id = `${APP}-${stage}-${partition}`;
  let p = producers.get(id);
  if (p === undefined) {
    const producer = kafka.producer({ transactionalId: id, idempotent: true, maxInFlightRequests: 1 });
    p = producer.connect().then(() => producer);
    producers.set(id, p);
  }
  return p;
}

/**
 * Sends in chunks of SEND_CHUNK records, one after the other (kafkajs may reorder concurrent sends
 * of a transactional producer). kafkajs groups a send's messages by partition in time quadratic in
 * their number (`groupMessagesPerPartition` copies the array for every message): one send of a
 * whole 1 MB batch's words took minutes. Skein sends in chunks of 2,000 too.
 */
const SEND_CHUNK = 2000;
/**
 * @param {import('kafkajs').Transaction} txn
 * @param {import('kafkajs').TopicMessages[]} topicMessages
 */
async function sendChunked(txn, topicMessages) {
  /** @type {import('kafkajs').TopicMessages[]} */
  let chunk = [];
  let n = 0;
  const flush = async () => {
    if (n > 0) await txn.sendBatch({ topicMessages: chunk });
    chunk = [];
    n = 0;
  };
  for (const { topic, messages } of topicMessages) {
    for (let i = 0; i < messages.length;) {
      const take = Math.min(SEND_CHUNK - n, messages.length - i);
      chunk.push({ topic, messages: messages.slice(i, i + take) });
      n += take;
      i += take;
      if (n >= SEND_CHUNK) await flush();
    }
  }
  await flush();
}

/**
 * Runs `fn(transaction)`, then commits the batch's offsets with it; aborts on any error.
 * @param {import('kafkajs').Producer} producer
 * @param {string} groupId
 * @param {import('kafkajs').Batch} batch
 * @param {(txn: import('kafkajs').Transaction) => Promise<void>} fn
 */
async function inTransaction(producer, groupId, batch, fn) {
  const txn = await producer.transaction();
  try {
    await fn(txn);
    await txn.sendOffsets({
      consumerGroupId: groupId,
      topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: String(Number(batch.lastOffset()) + 1) }] }],
    });
    await txn.commit();
  } catch (e) {
    await txn.abort().catch(() => undefined);
    throw e;
  }
}

/** @type {Set<Stage>} */
const joined = new Set();
/** @param {Stage} stage */
function onJoin(stage) {
  joined.add(stage);
  if (joined.size === 2) process.stdout.write(`${JSON.stringify({ state: 'RUNNING', t: Date.now() })}\n`);
}

// Stage 1: lines → words.
const splitGroup = `${APP}-split`;
const split = kafka.consumer({ groupId: splitGroup });
split.on(split.events.GROUP_JOIN, () => onJoin('split'));
await split.connect();
await split.subscribe({ topic: INPUT, fromBeginning: true });

// Stage 2: words → counts.
const countGroup = `${APP}-count`;
const count = kafka.consumer({ groupId: countGroup });
count.on(count.events.GROUP_JOIN, () => onJoin('count'));
await count.connect();
await count.subscribe({ topic: WORDS, fromBeginning: true });
/**
 * partition → (word → count), committed state only.
 * @type {Map<number, Map<string, number>>}
 */
const counts = new Map();

await split.run({
  autoCommit: false,
  partitionsConsumedConcurrently: PARTITIONS,
  eachBatch: async ({ batch }) => {
    const producer = await producerFor('split', batch.partition);
    /** @type {import('kafkajs').Message[]} */
    const words = [];
    for (const m of batch.messages) {
      if (m.value === null) continue;
      for (const w of m.value.toString().toLowerCase().split(/\W+/)) if (w.length > 0) words.push({ key: w, value: w });
    }
    await inTransaction(producer, splitGroup, batch, async (txn) => {
      await sendChunked(txn, [{ topic: WORDS, messages: words }]);
    });
  },
});

await count.run({
  autoCommit: false,
  partitionsConsumedConcurrently: PARTITIONS,
  eachBatch: async ({ batch }) => {
    const producer = await producerFor('count', batch.partition);
    let state = counts.get(batch.partition);
    if (state === undefined) counts.set(batch.partition, (state = new Map()));
    const changed = new Map();
    /** @type {Array<{ key: Buffer, value: Buffer }>} */
    const updates = [];
    for (const m of batch.messages) {
      if (m.key === null) continue;
      const word = m.key.toString();
      const n = (changed.get(word) ?? state.get(word) ?? 0) + 1;
      changed.set(word, n);
      const value = Buffer.allocUnsafe(8);
      value.writeBigInt64BE(BigInt(n));
      updates.push({ key: m.key, value });
    }
    let changelog;
    if (CHANGELOG_MODE === 'every') {
      changelog = updates.map((u) => ({ key: u.key, value: u.value, partition: batch.partition }));
    } else {
      changelog = [];
      for (const [word, n] of changed) {
        const value = Buffer.allocUnsafe(8);
        value.writeBigInt64BE(BigInt(n));
        changelog.push({ key: word, value, partition: batch.partition });
      }
    }
    await inTransaction(producer, countGroup, batch, async (txn) => {
      await sendChunked(txn, [
        { topic: OUTPUT, messages: updates },
        { topic: CHANGELOG, messages: changelog },
      ]);
    });
    for (const [word, n] of changed) state.set(word, n);
  },
});

let stopping = false;
process.on('SIGTERM', async () => {
  if (stopping) return;
  stopping = true;
  await Promise.allSettled([split.disconnect(), count.disconnect()]);
  await Promise.allSettled([...producers.values()].map(async (p) => (await p).disconnect()));
  process.exit(0);
});
