// npm start: an embedded Skein broker, a topic, keyed records written with kafkajs and read back
// partition by partition. Runs in a fresh temporary directory and cleans up after itself.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { Broker, createLogger, decodeRecords, loadBrokerConfig } from '../dist/index.js';
import { ProtocolClient } from '../dist/cli/protocol-client.js';
import { Fetch } from '../dist/protocol/apis/fetch.js';
import { iterateBatches } from '../dist/protocol/record-batch.js';

const { Kafka, logLevel, Partitioners } = kafkajs;
const dataDir = mkdtempSync(join(tmpdir(), 'skein-quickstart-'));
const say = (line = '') => process.stdout.write(`${line}\n`);

const broker = await Broker.start(
  loadBrokerConfig(new Map([['listeners', 'PLAINTEXT://127.0.0.1:0'], ['log.dirs', dataDir]])),
  { logger: createLogger('warn') },
);
say(`Skein broker listening on ${broker.bootstrapServers} (data in ${dataDir})`);

try {
  const kafka = new Kafka({ brokers: [broker.bootstrapServers], clientId: 'quickstart', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 3 }] });
  say('Created topic "orders" with 3 partitions');

  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: false });
  await producer.connect();
  const customers = ['alice', 'bob', 'carol', 'dave', 'erin'];
  const messages = Array.from({ length: 20 }, (_, i) => ({
    key: customers[i % customers.length],
    value: JSON.stringify({ order: i + 1, amount: ((i * 37) % 100) + 0.99 }),
  }));
  const acks = await producer.send({ topic: 'orders', acks: -1, messages, compression: kafkajs.CompressionTypes.GZIP });
  say(`Produced ${messages.length} gzip-compressed records (acks=all): ${acks.map((a) => `p${a.partition}@${a.baseOffset}`).join(', ')}`);
  await producer.disconnect();

  const offsets = await admin.fetchTopicOffsets('orders');
  await admin.disconnect();

  // Read every partition from the start with a plain Fetch (consumer groups come later).
  const [host, port] = broker.bootstrapServers.split(':');
  const client = await ProtocolClient.connect([{ host, port: Number(port) }], { clientId: 'quickstart' });
  const response = await client.send(Fetch, {
    replicaId: -1,
    maxWaitMs: 100,
    minBytes: 1,
    maxBytes: 1 << 20,
    isolationLevel: 1,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [{ topic: 'orders', topicId: '00000000-0000-0000-0000-000000000000', partitions: offsets.map((o) => ({ partition: o.partition, currentLeaderEpoch: -1, fetchOffset: 0n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20 })) }],
    forgottenTopicsData: [],
    rackId: '',
  }, 11);
  client.close();
  say();
  const partitionOfKey = new Map();
  const lastOrderOfKey = new Map();
  let read = 0;
  let consistent = true;
  for (const partition of response.responses[0].partitions.sort((a, b) => a.partitionIndex - b.partitionIndex)) {
    say(`partition ${partition.partitionIndex} (high watermark ${partition.highWatermark}):`);
    for (const batch of iterateBatches(partition.records ?? Buffer.alloc(0))) {
      for (const r of decodeRecords(batch)) {
        say(`  offset ${r.offset}  ${r.key}  ${r.value}`);
        const key = String(r.key);
        const order = JSON.parse(String(r.value)).order;
        if ((partitionOfKey.get(key) ?? partition.partitionIndex) !== partition.partitionIndex) consistent = false;
        if ((lastOrderOfKey.get(key) ?? 0) >= order) consistent = false;
        partitionOfKey.set(key, partition.partitionIndex);
        lastOrderOfKey.set(key, order);
        read++;
      }
    }
  }
  say();
  if (read !== messages.length || !consistent) {
    say(`Read ${read} of ${messages.length} records; per-key partitioning or order was broken.`);
    process.exitCode = 1;
  } else {
    say(`Read all ${read} records back: every key stayed in one partition, in the order it was sent.`);
  }
} finally {
  await broker.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
