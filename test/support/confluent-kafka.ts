/**
 * python3-confluent-kafka (librdkafka) as a test client, through confluent_kafka_client.py run by
 * Debian's /usr/bin/python3 (not whichever python is first on PATH). Tests that use it must skip when
 * it is missing: `describe.skipIf(!hasConfluentKafka)`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseJsonLines } from './kcat.js';
import { run } from './run.js';

export const PYTHON = '/usr/bin/python3';
const SCRIPT = join(import.meta.dirname, 'confluent_kafka_client.py');

export const hasConfluentKafka = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import confluent_kafka'], { stdio: 'ignore' }).status === 0;
export const confluentKafkaMissing = `${PYTHON} cannot import confluent_kafka (Debian package python3-confluent-kafka)`;

export interface Delivery {
  i: number;
  key: string;
  value: string;
  partition: number;
  offset: number;
}

export interface ConsumedMessage {
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
  timestamp: number;
  headers: Array<[string, string | null]>;
}

/** Produces `count` records over `keys` distinct keys; returns each delivery report (partition, offset). */
export async function pythonProduce(bootstrap: string, topic: string, count: number, compression: string, keys: number): Promise<Delivery[]> {
  const { stdout } = await run(PYTHON, [SCRIPT, 'produce', bootstrap, topic, String(count), compression, String(keys)], { timeoutMs: 90_000 });
  return parseJsonLines<Delivery>(stdout);
}

/**
 * Reads partitions from the beginning to their end with an assign()ed Consumer (no group join);
 * returns each partition's records in offset order, indexed like `partitions`.
 */
export async function pythonConsume(bootstrap: string, topic: string, partitions: number[]): Promise<ConsumedMessage[][]> {
  const { stdout } = await run(PYTHON, [SCRIPT, 'consume', bootstrap, topic, partitions.join(',')], { timeoutMs: 90_000 });
  const all = parseJsonLines<ConsumedMessage>(stdout);
  return partitions.map((p) => all.filter((m) => m.partition === p));
}
