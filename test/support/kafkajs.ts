/**
 * kafkajs clients for tests: quiet, quick to give up, and with the Java-compatible partitioner
 * (murmur2 of the key) that kafkajs 2.x calls DefaultPartitioner.
 */
import { Kafka, logLevel, Partitioners, type Admin, type Producer, type ProducerConfig } from 'kafkajs';

export function kafkaClient(bootstrap: string, clientId = 'skein-test', retries = 3): Kafka {
  return new Kafka({
    clientId,
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 5_000,
    requestTimeout: 30_000,
    retry: { retries, initialRetryTime: 100, maxRetryTime: 1_000 },
  });
}

export function kafkaProducer(kafka: Kafka, config: ProducerConfig = {}): Producer {
  return kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false, ...config });
}

/**
 * The partition kafkajs's DefaultPartitioner gives a key in a topic of `partitions` partitions: the
 * same function the producer calls, so a test can predict where each record lands.
 */
export function defaultPartitioner(topic: string, partitions: number): (key: string) => number {
  const partitioner = Partitioners.DefaultPartitioner();
  const partitionMetadata = Array.from({ length: partitions }, (_, i) => ({ partitionId: i, leader: 1, partitionErrorCode: 0, replicas: [1], isr: [1] }));
  return (key) => partitioner({ topic, partitionMetadata, message: { key, value: null } });
}

/**
 * Creates a one-partition compacted topic whose 1 KiB segments roll often and whose dirty ratio is
 * low enough that every cleaning round has work; fails if the topic already exists.
 */
export async function createCompactedTopic(admin: Admin, topic: string, deleteRetentionMs: number): Promise<void> {
  const created = await admin.createTopics({
    waitForLeaders: true,
    topics: [
      {
        topic,
        numPartitions: 1,
        configEntries: [
          { name: 'cleanup.policy', value: 'compact' },
          { name: 'segment.bytes', value: '1024' },
          { name: 'min.cleanable.dirty.ratio', value: '0.01' },
          { name: 'delete.retention.ms', value: String(deleteRetentionMs) },
        ],
      },
    ],
  });
  if (!created) throw new Error(`createTopics did not create ${topic}`);
}
