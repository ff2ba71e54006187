/**
 * Deleting a topic deletes the offsets groups committed for it (Kafka's
 * GroupCoordinator.onPartitionsDeleted), durably: a topic created again under the same name starts
 * from the reset policy, not from an offset of the old one — which a streams application reset
 * (deleting and recreating internal topics) relies on.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { removeDir, startBroker, tempDir, type TestBroker } from '../support/broker.js';

const brokers: TestBroker[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const b of brokers.splice(0)) await b.stop();
  for (const d of dirs.splice(0)) removeDir(d);
});

async function committed(kafka: Kafka, groupId: string, topic: string): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return t.partitions.sort((a, b) => a.partition - b.partition).map((p) => p.offset);
  } finally {
    await admin.disconnect();
  }
}

describe('deleting a topic', () => {
  it("removes every group's committed offsets for it, also after a restart", async () => {
    const logDir = tempDir();
    dirs.push(logDir);
    let b = await startBroker({}, { logDir });
    brokers.push(b);
    let kafka = new Kafka({ brokers: [b.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        { topic: 'gone', numPartitions: 2 },
        { topic: 'kept', numPartitions: 1 },
      ],
    });
    await admin.setOffsets({
      groupId: 'g',
      topic: 'gone',
      partitions: [
        { partition: 0, offset: '0' },
        { partition: 1, offset: '0' },
      ],
    });
    // Offsets past the (empty) log need records first.
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'gone', messages: Array.from({ length: 10 }, (_, i) => ({ value: `v${i}`, partition: i % 2 })) });
    await producer.send({ topic: 'kept', messages: [{ value: 'x' }, { value: 'y' }] });
    await producer.disconnect();
    await admin.setOffsets({
      groupId: 'g',
      topic: 'gone',
      partitions: [
        { partition: 0, offset: '5' },
        { partition: 1, offset: '4' },
      ],
    });
    await admin.setOffsets({ groupId: 'g', topic: 'kept', partitions: [{ partition: 0, offset: '2' }] });
    expect(await committed(kafka, 'g', 'gone')).toEqual(['5', '4']);

    await admin.deleteTopics({ topics: ['gone'] });
    await admin.createTopics({ topics: [{ topic: 'gone', numPartitions: 2 }] });
    await admin.disconnect();
    expect(await committed(kafka, 'g', 'gone')).toEqual(['-1', '-1']);
    expect(await committed(kafka, 'g', 'kept')).toEqual(['2']);

    await b.stop();
    brokers.splice(0);
    b = await startBroker({}, { logDir });
    brokers.push(b);
    kafka = new Kafka({ brokers: [b.bootstrap], logLevel: logLevel.NOTHING });
    expect(await committed(kafka, 'g', 'gone')).toEqual(['-1', '-1']);
    expect(await committed(kafka, 'g', 'kept')).toEqual(['2']);
  });
});
