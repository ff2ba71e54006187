/**
 * A broker child process set up for streams tests (small internal topics, no initial rebalance
 * delay), with its topics created, and the checks those tests share: committed offsets of an
 * application's group, and waiting for them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Admin, Kafka } from 'kafkajs';
import { type BrokerProcess, spawnBroker } from './broker.js';
import { STREAMS_BROKER_CONFIG, kafkaFor, readTopics, waitUntil } from './streams-apps.js';

export interface StreamsBroker {
  broker: BrokerProcess;
  bootstrap: string;
  kafka: Kafka;
  admin: Admin;
  /** A fresh directory, removed by `stop()`. */
  tempDir(prefix: string): string;
  stop(): Promise<void>;
}

/** Starts a broker (127.0.0.1, port 0) and creates `topics` (name → partitions). */
export async function startStreamsBroker(topics: Record<string, number>): Promise<StreamsBroker> {
  const dirs: string[] = [];
  const tempDir = (prefix: string): string => {
    const d = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(d);
    return d;
  };
  const broker = await spawnBroker(tempDir('skein-streams-broker-'), 0, STREAMS_BROKER_CONFIG);
  const kafka = kafkaFor(broker.bootstrap);
  const admin = kafka.admin();
  await admin.connect();
  if (Object.keys(topics).length > 0) {
    await admin.createTopics({ topics: Object.entries(topics).map(([topic, numPartitions]) => ({ topic, numPartitions })), waitForLeaders: true });
  }
  return {
    broker,
    bootstrap: broker.bootstrap,
    kafka,
    admin,
    tempDir,
    async stop() {
      await admin.disconnect().catch(() => undefined);
      await broker.kill('SIGKILL').catch(() => undefined);
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    },
  };
}

/** The group's committed offset per partition of `topic` (-1 where none). */
export async function committedOffsets(admin: Admin, groupId: string, topic: string): Promise<number[]> {
  const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return [...t.partitions].sort((a, b) => a.partition - b.partition).map((p) => Number(p.offset));
}

/** Waits until the group has committed exactly `expected` (per partition of `topic`). */
export async function waitForCommitted(
  admin: Admin,
  groupId: string,
  topic: string,
  expected: number[],
  timeoutMs = 60_000,
  describe: () => string = () => '',
): Promise<void> {
  let last: number[] = [];
  await waitUntil(
    async () => {
      last = await committedOffsets(admin, groupId, topic);
      return JSON.stringify(last) === JSON.stringify(expected);
    },
    timeoutMs,
    () => `${groupId} committed ${JSON.stringify(last)} of ${topic}, not ${JSON.stringify(expected)}\n${describe()}`,
  );
}

/** Waits until `topic` holds `n` committed records (read_committed, all partitions). */
export async function waitForRecords(
  kafka: Kafka,
  topic: string,
  partitions: number,
  n: number,
  timeoutMs = 60_000,
  describe: () => string = () => '',
): Promise<void> {
  let found = 0;
  await waitUntil(
    async () => {
      const t = await readTopics(kafka, [{ topic, partitions }]);
      found = (t.get(topic) ?? []).flat().length;
      return found >= n;
    },
    timeoutMs,
    () => `${topic} has ${found} committed records, not ${n}\n${describe()}`,
  );
}
