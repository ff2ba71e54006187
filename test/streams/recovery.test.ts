/**
 * Recovery without a full restore (issue #11, item 4 and "What must be shown"): a count per key over
 * 10⁶ distinct keys runs as a child process under exactly_once against a broker child process. After
 * a SIGKILL, a restart replays only the changelog records after the offset each LevelDB store
 * recorded with its data — read here from the store's own files — not the 10⁶; with the state
 * directory deleted it replays the whole changelog; a store whose offset is beyond the changelog's
 * end (the topic was deleted and recreated) is wiped, with a warning. Every count read back
 * read_committed is right: each key's outputs are exactly 1, 2, …, n.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LevelKeyValueBytesStore } from '../../src/streams/state/internals/level-key-value-store.js';
import { PartitionReader } from '../../src/streams/runtime/partition-reader.js';
import type { RawRecord } from '../../src/streams/runtime/record-collector.js';
import { type BrokerProcess, spawnBroker } from '../support/broker.js';
import { type KeyValue, produceBulk } from '../support/bulk-produce.js';
import { STREAMS_BROKER_CONFIG, type AppProcess, committedRecordsBetween, kafkaFor, readTopics, startApp, waitUntil } from '../support/streams-apps.js';

const COUNT_APP = resolve(import.meta.dirname, '../support/streams-count-app.mjs');
const APP_ID = 'count-app';
const CHANGELOG = `${APP_ID}-counts-changelog`;
const PARTITIONS = 4;
const KEYS = 1_000_000;
const TASKS = Array.from({ length: PARTITIONS }, (_, p) => `0_${p}`);
const key = (i: number): string => `k${String(i).padStart(7, '0')}`;
function* keys(from: number, to: number): Generator<KeyValue> {
  for (let i = from; i < to; i++) yield { key: key(i), value: 'x' };
}

interface Restored {
  task: string;
  records: number;
  from: number;
  to: number;
  full: boolean;
}

/** What each task's restoration replayed, from the log lines of one start of the app. */
function restorations(log: string): Restored[] {
  const re = /Task (\d+_\d+): restored store counts from [\w.-]+:\d+: (\d+) records, offsets (\d+) to (\d+)( \(no local state: full restore\))? in \d+ ms/g;
  return [...log.matchAll(re)].map((m) => ({ task: m[1], records: Number(m[2]), from: Number(m[3]), to: Number(m[4]), full: m[5] !== undefined }));
}

/** The changelog offset each task's LevelDB store recorded with its data, read from its files. */
async function recordedOffsets(stateDir: string): Promise<Map<string, number | null>> {
  const out = new Map<string, number | null>();
  for (const task of TASKS) {
    const store = new LevelKeyValueBytesStore({ name: 'counts', location: join(stateDir, APP_ID, task, 'counts') });
    await store.openStore();
    out.set(task, store.committedChangelogOffset(Number(task.split('_')[1])));
    await store.close();
  }
  return out;
}

describe('recovery without a full restore: 10⁶ keys of state', () => {
  let broker: BrokerProcess;
  let kafka: Kafka;
  let admin: ReturnType<Kafka['admin']>;
  let app: AppProcess;
  const dirs: string[] = [];
  const stateDir = mkdtempSync(join(tmpdir(), 'skein-recovery-state-'));
  dirs.push(stateDir);
  /** Records written to `keys` so far. */
  let written = 0;

  /** The log of the app's latest start. */
  let logFrom = 0;
  const latestLog = (): string => app.output.slice(logFrom);
  const restart = (): void => {
    logFrom = app.output.length;
    app.restart();
  };

  /** Waits until the app has committed input offsets for everything written. */
  async function caughtUp(timeoutMs = 240_000): Promise<void> {
    await waitUntil(
      async () => {
        const [t] = await admin.fetchOffsets({ groupId: APP_ID, topics: ['keys'] });
        return t.partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0) >= written;
      },
      timeoutMs,
      () => `the app did not catch up with ${written} records:\n${latestLog().slice(-4000)}`,
    );
  }

  const changelogEnds = (): Promise<number[]> => endOffsetsOf(kafka, CHANGELOG);

  async function write(records: Iterable<KeyValue>): Promise<void> {
    const counts = await produceBulk(broker.bootstrap, 'keys', PARTITIONS, records);
    written += counts.reduce((a, b) => a + b, 0);
  }

  beforeAll(async () => {
    const logDir = mkdtempSync(join(tmpdir(), 'skein-recovery-broker-'));
    dirs.push(logDir);
    broker = await spawnBroker(logDir, 0, STREAMS_BROKER_CONFIG);
    kafka = kafkaFor(broker.bootstrap);
    admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: ['keys', 'counts'].map((topic) => ({ topic, numPartitions: PARTITIONS })), waitForLeaders: true });
    await write(keys(0, KEYS));
    app = startApp('count', COUNT_APP, { BOOTSTRAP: broker.bootstrap, STATE_DIR: stateDir, APP_ID, LOG_LEVEL: 'info' });
    await caughtUp();
  }, 400_000);

  afterAll(async () => {
    await app?.kill();
    await admin?.disconnect();
    await broker?.kill('SIGKILL');
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('after a SIGKILL, restarts from the offsets its stores recorded: it replays the tail, not 10⁶ records', async () => {
    // The first start had nothing to restore.
    expect(restorations(latestLog()).map((r) => r.records)).toEqual([0, 0, 0, 0]);
    await app.kill();
    const recorded = await recordedOffsets(stateDir);
    // What the changelogs hold beyond the stores' offsets: the last commit, if the kill came before its
    // LevelDB batch was written. Replayed at every restart from these offsets.
    const endsAtKill = await changelogEnds();
    let tail = 0;
    for (const task of TASKS)
      tail += await committedRecordsBetween(kafka, CHANGELOG, Number(task.split('_')[1]), recorded.get(task) as number, endsAtKill[Number(task.split('_')[1])]);
    for (const task of TASKS) expect(recorded.get(task)).toBeGreaterThan(KEYS / PARTITIONS / 2);
    // A copy of the stores as they are now, to put back later: a store that is behind.
    const snapshot = mkdtempSync(join(tmpdir(), 'skein-recovery-snapshot-'));
    dirs.push(snapshot);
    cpSync(join(stateDir, APP_ID), snapshot, { recursive: true });

    // More records while it is down: 50,000 updates of old keys, 10,000 new keys.
    await write([...keys(0, 50_000), ...keys(KEYS, KEYS + 10_000)]);
    const ends = await changelogEnds();
    restart();
    await caughtUp();
    const restored = restorations(latestLog());
    expect(restored.map((r) => r.task).sort()).toEqual(TASKS);
    for (const r of restored) {
      const p = Number(r.task.split('_')[1]);
      expect(r.full).toBe(false);
      expect(r.from).toBe(recorded.get(r.task)); // where its LevelDB store said, not the changelog's start
      expect(r.to).toBe(ends[p]);
      expect(r.records).toBe(await committedRecordsBetween(kafka, CHANGELOG, p, r.from, r.to));
    }
    expect(restored.reduce((n, r) => n + r.records, 0)).toBeLessThan(KEYS / 100);

    // Now a store that is 60,000 changelog records behind (what a crash between Kafka's commit and the
    // LevelDB batch leaves, only larger): put the copy back, write more, restart. Exactly the tail
    // since the copy's offsets is replayed, and the counts go on from the right values.
    await app.kill();
    const endsBefore = await changelogEnds();
    rmSync(join(stateDir, APP_ID), { recursive: true, force: true });
    cpSync(snapshot, join(stateDir, APP_ID), { recursive: true });
    await write(keys(0, 10_000));
    restart();
    await caughtUp();
    const replayed = restorations(latestLog());
    expect(replayed.map((r) => r.task).sort()).toEqual(TASKS);
    for (const r of replayed) {
      const p = Number(r.task.split('_')[1]);
      expect(r.from).toBe(recorded.get(r.task));
      expect(r.to).toBe(endsBefore[p]);
      expect(r.records).toBe(await committedRecordsBetween(kafka, CHANGELOG, p, r.from, r.to));
    }
    // One changelog record per record processed since the copy: 50,000 updates and 10,000 new keys,
    // and the tail the copy's offsets were behind by when it was taken.
    expect(replayed.reduce((n, r) => n + r.records, 0)).toBe(60_000 + tail);
    expect(latestLog()).toMatch(/Task 0_0 is running from keys-0@\d+ \(\d+ changelog records restored, \d+ ms\)/);
  }, 400_000);

  it('with its state directory deleted, restores the whole changelog, and the log says so', async () => {
    await app.kill();
    rmSync(join(stateDir, APP_ID), { recursive: true, force: true });
    await write(keys(0, 5_000));
    const ends = await changelogEnds();
    restart();
    await caughtUp();
    const restored = restorations(latestLog());
    expect(restored.map((r) => r.task).sort()).toEqual(TASKS);
    for (const r of restored) {
      expect(r.full).toBe(true);
      expect(r.from).toBe(0);
      expect(r.to).toBe(ends[Number(r.task.split('_')[1])]);
    }
    // Every key's latest count is in the changelog (compaction may have dropped older ones).
    expect(restored.reduce((n, r) => n + r.records, 0)).toBeGreaterThanOrEqual(KEYS + 10_000);

    // Every count since the start, read back read_committed: each key's outputs are 1, 2, …, n.
    const t = await readTopics(
      kafka,
      ['keys', 'counts'].map((topic) => ({ topic, partitions: PARTITIONS })),
    );
    const inputs = new Map<string, number>();
    for (const r of (t.get('keys') as RawRecord[][]).flat()) inputs.set(String(r.key), (inputs.get(String(r.key)) ?? 0) + 1);
    expect([...inputs.values()].reduce((a, b) => a + b, 0)).toBe(written);
    const outputs = new Map<string, number[]>();
    for (const r of (t.get('counts') as RawRecord[][]).flat()) {
      const k = String(r.key);
      if (!outputs.has(k)) outputs.set(k, []);
      (outputs.get(k) as number[]).push(Number((r.value as Buffer).readBigInt64BE(0)));
    }
    const wrong: string[] = [];
    for (const [k, n] of inputs) {
      const got = outputs.get(k) ?? [];
      if (got.length !== n || got.some((c, i) => c !== i + 1)) wrong.push(`${k}: ${n} inputs, counts ${JSON.stringify(got)}`);
    }
    expect(wrong.slice(0, 10)).toEqual([]);
    expect(outputs.size).toBe(inputs.size);
  }, 400_000);

  it('wipes and restores a store whose recorded offset is beyond the end of its changelog, with a warning', async () => {
    await app.stop();
    const recorded = await recordedOffsets(stateDir);
    // The changelog is deleted and created again, empty: every store is now ahead of it.
    await admin.deleteTopics({ topics: [CHANGELOG] });
    await waitUntil(
      async () => !(await admin.listTopics()).includes(CHANGELOG),
      30_000,
      () => `${CHANGELOG} was not deleted`,
    );
    await admin.createTopics({
      topics: [{ topic: CHANGELOG, numPartitions: PARTITIONS, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }],
      waitForLeaders: true,
    });
    const countsBefore = await endOffsetsOf(kafka, 'counts');
    await write(keys(0, 1_000));
    restart();
    await caughtUp();
    const log = latestLog();
    for (const task of TASKS) {
      const p = Number(task.split('_')[1]);
      expect(log).toContain(
        `WARN Task ${task}: store counts recorded changelog offset ${recorded.get(task)}, beyond the end of ${CHANGELOG}:${p} (0); the changelog was deleted or recreated, so the store is wiped and restored from the beginning`,
      );
    }
    expect(restorations(log).map((r) => r.records)).toEqual([0, 0, 0, 0]);
    // The wiped stores hold what the changelog holds — nothing — so the old keys count from 1 again.
    const t = await readTopics(kafka, [{ topic: 'counts', partitions: PARTITIONS }]);
    const after = (t.get('counts') as RawRecord[][]).flatMap((records, p) => records.filter((r) => r.offset >= countsBefore[p]));
    expect(after.length).toBe(1_000);
    expect(new Set(after.map((r) => Number((r.value as Buffer).readBigInt64BE(0))))).toEqual(new Set([1]));
    expect(new Set(after.map((r) => String(r.key)))).toEqual(new Set([...keys(0, 1_000)].map((r) => r.key)));
  }, 300_000);
});

/** Each partition's last stable offset. */
async function endOffsetsOf(kafka: Kafka, topic: string): Promise<number[]> {
  const reader = new PartitionReader(kafka);
  try {
    const ends = await reader.endOffsets(TASKS.map((_, partition) => ({ topic, partition })));
    return TASKS.map((_, p) => ends.get(`${topic}:${p}`) as number);
  } finally {
    await reader.close();
  }
}
