/**
 * A bare kafkajs consumer reading a topic from the beginning to its end and doing nothing with the
 * records, for bench/streams.js (the reference for Skein's restoration from a changelog). Run as a
 * child process:
 *
 *   BOOTSTRAP=… TOPIC=… ENDS='[{"partition":0,"offset":N},…]' node bench/support/kafkajs-read-topic.mjs
 *
 * ENDS is where each partition's last record is (bench/support/streams-harness.js lastRecordEnds).
 * Reads read_committed (kafkajs's default) in a fresh group, with kafkajs's default fetch sizes and
 * eachBatch. Prints `{"records": n, "ms": m}`: records delivered, and the time from joining the group
 * (GROUP_JOIN) until every partition was read to its end.
 */
import kafkajs from 'kafkajs';

const { Kafka, logLevel } = kafkajs;

/** @param {string} name */
function required(name) {
  const value = process.env[name];
  if (value === undefined) throw new Error(`kafkajs-read-topic.mjs: ${name} is not set`);
  return value;
}

const topic = required('TOPIC');
/** @type {Array<{ partition: number, offset: number }>} */
const endList = JSON.parse(required('ENDS'));
const ends = new Map(endList.map((e) => [e.partition, e.offset]));
const kafka = new Kafka({ brokers: [required('BOOTSTRAP')], clientId: 'bench-read-topic', logLevel: logLevel.NOTHING });
const consumer = kafka.consumer({ groupId: `bench-read-${topic}-${process.pid}-${Date.now()}` });
let joined = 0;
consumer.on(consumer.events.GROUP_JOIN, () => (joined ||= Date.now()));
await consumer.connect();
await consumer.subscribe({ topic, fromBeginning: true });

let records = 0;
const left = new Set([...ends].filter(([, end]) => end > 0).map(([p]) => p));
const done = /** @type {Promise<void>} */ (
  new Promise((resolve) => {
    if (left.size === 0) resolve();
    void consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        records += batch.messages.length;
        if (Number(batch.lastOffset()) + 1 >= (ends.get(batch.partition) ?? 0)) left.delete(batch.partition);
        if (left.size === 0) resolve();
      },
    });
  })
);
await done;
const ms = Date.now() - joined;
process.stdout.write(`${JSON.stringify({ records, ms })}\n`);
await consumer.disconnect();
process.exit(0);
