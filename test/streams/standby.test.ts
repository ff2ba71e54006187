/**
 * Standby replicas (issue #13, item 4 and "What must be shown"): two processes of the sum
 * application, two stream threads each, share 6 tasks; one is SIGKILLed and the survivor takes its
 * tasks over. Without standbys it restores the whole changelog of each of those tasks; with
 * `num.standby.replicas: 1` it had kept copies of their stores up to date, so it restores nothing
 * but what its copies had not read yet (here, with the input quiet at the kill: nothing). Read from
 * the survivor's `restored store … N records` log lines. Either way no thread fails on the way, and
 * the sums computed after the failover are right — every key's running sums exactly once and in
 * order — so the standby's copy was the state.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PartitionReader } from '../../src/streams/runtime/partition-reader.js';
import type { RawRecord } from '../../src/streams/runtime/record-collector.js';
import { spawnBroker } from '../support/broker.js';
import { compare, inputsByKey, long, outputsByKey, pairs, runningSums } from '../support/exactly-once-check.js';
import {
  STREAMS_BROKER_CONFIG,
  type AppProcess,
  KILL_APP,
  kafkaFor,
  prng,
  readTopics,
  sleep,
  startApp,
  waitForOutput,
  waitUntil,
  committedRecordsBetween,
} from '../support/streams-apps.js';

const PARTITIONS = 6;
/**
 * Stream threads per process (STANDBY_TEST_THREADS, default 2): a task can become active in one
 * thread while a sibling holds its standby, whose stores it must wait for.
 */
const THREADS = Number(process.env.STANDBY_TEST_THREADS ?? 2);
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Restore {
  task: string;
  records: number;
  from: number;
  to: number;
}

/** What each task's restoration replayed, from a log's `Task <id>: restored store sum …` lines. */
function restorations(log: string): Restore[] {
  const re = /Task (\d+_\d+): restored store sum from [\w.-]+:\d+: (\d+) records, offsets (\d+) to (\d+)/g;
  return [...log.matchAll(re)].map((m) => ({ task: m[1], records: Number(m[2]), from: Number(m[3]), to: Number(m[4]) }));
}

interface Failover {
  /** The dead process's tasks, as the survivor restored them. */
  restored: Restore[];
  /** Committed records in the changelog partitions of those tasks when the process died. */
  changelogRecords: Map<string, number>;
  survivorLog: string;
}

/**
 * Two processes with `standbys` standby replicas; 12,000 records, all processed; SIGKILL the second
 * process; the first takes its tasks; 3,000 more records; then the exactly-once check.
 */
async function failover(standbys: number): Promise<Failover> {
  const appId = `standby-${standbys}`;
  const changelog = `${appId}-sum-changelog`;
  const logDir = mkdtempSync(join(tmpdir(), 'skein-standby-broker-'));
  cleanups.push(() => rmSync(logDir, { recursive: true, force: true }));
  const broker = await spawnBroker(logDir, 0, STREAMS_BROKER_CONFIG);
  cleanups.push(async () => {
    await broker.kill('SIGKILL').catch(() => undefined);
  });
  const kafka = kafkaFor(broker.bootstrap);
  const admin = kafka.admin();
  await admin.connect();
  cleanups.push(() => admin.disconnect());
  await admin.createTopics({ topics: ['data', 'echo', 'sum'].map((topic) => ({ topic, numPartitions: PARTITIONS })), waitForLeaders: true });

  const start = (name: string): AppProcess => {
    const stateDir = mkdtempSync(join(tmpdir(), `skein-standby-${name}-`));
    cleanups.push(() => rmSync(stateDir, { recursive: true, force: true }));
    const app = startApp(name, KILL_APP, {
      VARIANT: 'sum',
      APP_ID: appId,
      STANDBYS: String(standbys),
      THREADS: String(THREADS),
      BOOTSTRAP: broker.bootstrap,
      STATE_DIR: stateDir,
      LOG_LEVEL: 'info',
    });
    cleanups.push(() => app.kill());
    return app;
  };
  // One after the other, so the second's joining is the group's last rebalance before the data.
  const survivor = start('survivor');
  await waitForOutput(survivor, /State transition from REBALANCING to RUNNING/, 60_000);
  const victim = start('victim');
  await waitForOutput(victim, /State transition from REBALANCING to RUNNING/, 60_000);
  await waitUntil(
    async () => {
      const { groups } = await admin.describeGroups([appId]);
      return groups[0].state === 'Stable' && groups[0].members.length === 2 * THREADS;
    },
    30_000,
    () => `${appId} did not settle with both processes' members`,
  );
  if (standbys > 0) await waitForOutput(survivor, /Standby task \d+_\d+: keeping sum up to date/, 30_000);

  const random = prng(1300 + standbys);
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  cleanups.push(() => producer.disconnect().catch(() => undefined));
  let written = 0;
  const write = async (n: number): Promise<void> => {
    for (let i = 0; i < n; i += 1000) {
      const messages = Array.from({ length: 1000 }, () => ({ key: `k${Math.floor(random() * 60)}`, value: String(1 + Math.floor(random() * 100)) }));
      await producer.send({ topic: 'data', messages, acks: -1 });
    }
    written += n;
  };
  const caughtUp = (): Promise<void> =>
    waitUntil(
      async () => {
        const [t] = await admin.fetchOffsets({ groupId: appId, topics: ['data'] });
        return t.partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0) >= written;
      },
      120_000,
      () => `${appId} did not catch up with ${written} records:\n${survivor.output.slice(-3000)}\n${victim.output.slice(-3000)}`,
    );

  await write(12_000);
  await caughtUp();
  // Time for the standbys to read the last commits' changelog records (they poll every 200 ms).
  await sleep(2000);
  const endsReader = new PartitionReader(kafka);
  const ends = await endsReader.endOffsets(Array.from({ length: PARTITIONS }, (_, partition) => ({ topic: changelog, partition })));
  await endsReader.close();
  const killedAt = survivor.output.length;
  await victim.kill();
  // The survivor hears of the death after session.timeout.ms (6 s) and takes the three tasks.
  await waitUntil(
    async () =>
      restorations(survivor.output.slice(killedAt)).length >= PARTITIONS / 2 &&
      /State transition from REBALANCING to RUNNING/.test(survivor.output.slice(killedAt)),
    60_000,
    () => `the survivor did not take the tasks over:\n${survivor.output.slice(killedAt)}`,
  );
  const survivorLog = survivor.output.slice(killedAt);
  // No thread failed on the way (and was replaced, restoring everything again).
  expect(survivor.output).not.toMatch(/ ERROR |Replacing stream thread/);
  if (process.env.STANDBY_TEST_LOG !== undefined)
    writeFileSync(`${process.env.STANDBY_TEST_LOG}-${standbys}`, `=== survivor\n${survivor.output}\n=== victim\n${victim.output}`);
  const restored = restorations(survivorLog);
  const changelogRecords = new Map<string, number>();
  for (const r of restored) {
    const p = Number(r.task.split('_')[1]);
    changelogRecords.set(r.task, await committedRecordsBetween(kafka, changelog, p, 0, ends.get(`${changelog}:${p}`) as number));
  }

  // The survivor goes on from the state it restored (or its standby kept): the sums stay right.
  await write(3_000);
  await caughtUp();
  await survivor.stop();
  const t = await readTopics(
    kafka,
    ['data', 'echo', 'sum'].map((topic) => ({ topic, partitions: PARTITIONS })),
  );
  const data = t.get('data') as RawRecord[][];
  expect(data.flat().length).toBe(written);
  for (let p = 0; p < PARTITIONS; p++) expect(pairs((t.get('echo') as RawRecord[][])[p])).toEqual(pairs(data[p]));
  const expectedSums = new Map([...inputsByKey(data)].map(([k, vs]) => [k, runningSums(vs)]));
  expect(compare(expectedSums, outputsByKey(t.get('sum') as RawRecord[][], long))).toEqual([]);
  return { restored, changelogRecords, survivorLog };
}

describe('failover after a SIGKILL, with and without a standby replica', () => {
  let withoutStandbys: Failover | undefined;

  it('without standbys, the survivor restores the whole changelog of each task it takes over', async () => {
    const run = await failover(0);
    withoutStandbys = run;
    const { restored, changelogRecords } = run;
    expect(restored.map((r) => r.task)).toHaveLength(PARTITIONS / 2);
    for (const r of restored) {
      expect(r.from).toBe(0);
      expect(r.records).toBe(changelogRecords.get(r.task));
      expect(r.records).toBeGreaterThan(1000);
    }
  }, 300_000);

  it('with num.standby.replicas 1, it resumes them without a restore: its standby copies were up to date', async () => {
    const { restored, changelogRecords, survivorLog } = await failover(1);
    expect(restored.map((r) => r.task)).toHaveLength(PARTITIONS / 2);
    // The standby tasks became the active ones: their stores were already there.
    for (const r of restored) {
      expect(survivorLog).toContain(`Standby task ${r.task} closed`);
      expect(r.from).toBeGreaterThan(0);
      expect(r.records, `task ${r.task}: ${changelogRecords.get(r.task)} records in its changelog`).toBe(0);
    }
    // Beside the run without standbys (the test above), when it ran.
    if (withoutStandbys !== undefined) {
      const full = withoutStandbys.restored.reduce((n, r) => n + r.records, 0);
      process.stdout.write(`records restored by the survivor: ${full} without standbys, ${restored.reduce((n, r) => n + r.records, 0)} with one\n`);
    }
  }, 300_000);
});
