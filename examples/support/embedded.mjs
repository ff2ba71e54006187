// Runs an example on an embedded Skein broker: creates its topics, starts its topology under
// exactly_once, lets the example produce its input, reads the output topic read_committed until
// `done(records)` says it has everything, and cleans up. Shared by the examples' run.mjs files.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { Broker, KafkaStreams, createLogger } from 'skein';

const { Kafka, logLevel } = kafkajs;

/**
 * @template T
 * @param {{ applicationId: string, topics: (string | { topic: string, partitions: number })[], topology: import('skein').Topology,
 *   props?: Record<string, unknown>, produce: (producer: import('kafkajs').Producer) => Promise<unknown>,
 *   output: { topic: string, decode: (message: import('kafkajs').KafkaMessage) => T },
 *   done: (records: T[]) => boolean, timeoutMs?: number }} example
 * @returns {Promise<T[]>} the output records, decoded, in the order read
 */
export async function runOnEmbeddedBroker(example) {
  const stateDir = mkdtempSync(join(tmpdir(), `skein-${example.applicationId}-`));
  const broker = await Broker.start();
  const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ idempotent: true });
  const consumer = kafka.consumer({ groupId: `${example.applicationId}-reader`, readUncommitted: false });
  const streams = new KafkaStreams(
    example.topology,
    {
      'application.id': example.applicationId,
      'bootstrap.servers': broker.bootstrap,
      'processing.guarantee': 'exactly_once',
      'state.dir': stateDir,
      ...example.props,
    },
    { logger: createLogger(/** @type {import('skein').LogLevel} */ (process.env.LOG_LEVEL ?? 'warn')) },
  );
  try {
    await broker.createTopics(example.topics.map((t) => (typeof t === 'string' ? { topic: t, partitions: 3 } : t)));
    await streams.start();
    await producer.connect();
    await example.produce(producer);
    /** @type {T[]} */
    const records = [];
    await consumer.connect();
    await consumer.subscribe({ topics: [example.output.topic], fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void records.push(example.output.decode(message)) });
    const deadline = Date.now() + (example.timeoutMs ?? 60_000);
    while (!example.done(records)) {
      if (Date.now() > deadline)
        throw new Error(`${example.applicationId}: the output is incomplete after ${example.timeoutMs ?? 60_000} ms (${records.length} records)`);
      await new Promise((r) => setTimeout(r, 200));
    }
    await new Promise((r) => setTimeout(r, 500)); // anything arriving now would be a duplicate
    return records;
  } finally {
    await consumer.disconnect().catch(() => {});
    await producer.disconnect().catch(() => {});
    await streams.close();
    await broker.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
}
