/**
 * Threads and scale-out through crashes (issue #13, "What must be shown", first item): two processes
 * of the kill tests' sum application, each with `num.stream.threads: 2` (the main thread and one
 * worker_thread), process 6 partitions while an idempotent producer writes 20,000 records. One
 * process is SIGKILLed and restarted twice; in the other a stream thread is added (SIGTTIN →
 * addStreamThread()) between the kills and removed (SIGTTOU → removeStreamThread()) after the
 * second. Read back read_committed, every key's running sums are exactly once and in order and echo
 * is the input — the kill test's check — and the logs show tasks running in the worker threads.
 *
 * And issue #11's contract program with `num.stream.threads: 2`: its worker imports the program
 * again, where `new KafkaStreams(...)` hands over the topology instead of starting a second client —
 * the group has exactly one member per thread — and the results are exactly once.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AssignerProtocol } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import type { RawRecord } from '../../src/streams/runtime/record-collector.js';
import { type BrokerProcess, spawnBroker } from '../support/broker.js';
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
} from '../support/streams-apps.js';

const CONTRACT_THREADS_APP = resolve(import.meta.dirname, '../support/streams-contract-threads-app.mjs');
const PARTITIONS = 6;
const APP_ID = 'scale-sum';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The tasks each stream thread started, from the `Task <id> is running from …` lines of a log. */
function tasksByThread(log: string): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const m of log.matchAll(/INFO Task (\d+_\d+) is running from .*\((\S+-StreamThread-\d+)\)$/gm)) {
    if (!out.has(m[2])) out.set(m[2], new Set());
    (out.get(m[2]) as Set<string>).add(m[1]);
  }
  return out;
}

describe('2 processes × 2 stream threads through SIGKILLs, restarts and a thread added and removed', () => {
  it('every output exactly once and in order, with tasks running in worker threads', async () => {
    const total = 20_000;
    const logDir = mkdtempSync(join(tmpdir(), 'skein-scale-broker-'));
    cleanups.push(() => rmSync(logDir, { recursive: true, force: true }));
    const broker: BrokerProcess = await spawnBroker(logDir, 0, STREAMS_BROKER_CONFIG);
    cleanups.push(async () => {
      await broker.kill('SIGKILL').catch(() => undefined);
    });
    const kafka = kafkaFor(broker.bootstrap);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: ['data', 'echo', 'sum'].map((topic) => ({ topic, numPartitions: PARTITIONS })), waitForLeaders: true });
    await admin.disconnect();

    const apps: AppProcess[] = ['a', 'b'].map((name) => {
      const stateDir = mkdtempSync(join(tmpdir(), `skein-scale-${name}-`));
      cleanups.push(() => rmSync(stateDir, { recursive: true, force: true }));
      const app = startApp(name, KILL_APP, { VARIANT: 'sum', APP_ID, THREADS: '2', BOOTSTRAP: broker.bootstrap, STATE_DIR: stateDir, LOG_LEVEL: 'info' });
      cleanups.push(() => app.kill());
      return app;
    });
    const [a, b] = apps;
    const describeApps = (): string => apps.map((x) => `--- ${x.name}\n${x.output.slice(-4000)}`).join('\n');
    // Both have started their threads (and installed their signal handlers) before anything else.
    for (const app of apps) await waitForOutput(app, /State transition from REBALANCING to RUNNING/, 60_000);

    const random = prng(20261213);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    cleanups.push(() => producer.disconnect().catch(() => undefined));
    const chunks = 40;
    const perChunk = total / chunks;
    const producing = (async () => {
      for (let c = 0; c < chunks; c++) {
        const messages = Array.from({ length: perChunk }, () => ({ key: `k${Math.floor(random() * 60)}`, value: String(1 + Math.floor(random() * 100)) }));
        await producer.send({ topic: 'data', messages, acks: -1 });
        await sleep(500);
      }
    })();

    // The schedule: kill b and restart it; add a thread to a; kill b and restart it; remove a's thread.
    const killAndRestart = async (): Promise<void> => {
      await b.kill();
      await sleep(1000);
      b.restart();
    };
    await sleep(3000);
    await killAndRestart();
    const added = a.output.length;
    a.child.kill('SIGTTIN');
    await waitForOutput(a, /Added stream thread scale-sum-StreamThread-3/, 60_000, added);
    await sleep(4000);
    await killAndRestart();
    await sleep(4000);
    const removed = a.output.length;
    a.child.kill('SIGTTOU');
    await waitForOutput(a, /Removed stream thread scale-sum-StreamThread-3/, 60_000, removed);
    await producing;

    const topics = ['data', 'echo', 'sum'].map((topic) => ({ topic, partitions: PARTITIONS }));
    await waitUntil(
      async () => {
        const t = await readTopics(kafka, topics);
        return ['echo', 'sum'].every((n) => (t.get(n) as RawRecord[][]).flat().length >= total);
      },
      180_000,
      describeApps,
    );
    await Promise.all(apps.map((x) => x.stop()));
    if (process.env.SCALE_TEST_LOG !== undefined) writeFileSync(process.env.SCALE_TEST_LOG, apps.map((x) => `=== ${x.name}\n${x.output}`).join('\n'));
    const t = await readTopics(kafka, topics);
    const data = t.get('data') as RawRecord[][];
    expect(data.flat().length).toBe(total);

    // echo is the input exactly, partition by partition.
    for (let p = 0; p < PARTITIONS; p++) expect(pairs((t.get('echo') as RawRecord[][])[p])).toEqual(pairs(data[p]));
    // sum: each key's running sums, in order, none missing, none twice.
    const expectedSums = new Map([...inputsByKey(data)].map(([k, vs]) => [k, runningSums(vs)]));
    expect(compare(expectedSums, outputsByKey(t.get('sum') as RawRecord[][], long))).toEqual([]);

    // The schedule happened, and the work was spread over the threads: in both processes tasks
    // ran on StreamThread-2 (a worker), and in a on the thread added at run time.
    expect(b.starts).toBe(3);
    expect(a.starts).toBe(1);
    const threadsOfA = tasksByThread(a.output);
    const threadsOfB = tasksByThread(b.output);
    expect(threadsOfA.get(`${APP_ID}-StreamThread-2`)?.size ?? 0, describeApps()).toBeGreaterThan(0);
    expect(threadsOfB.get(`${APP_ID}-StreamThread-2`)?.size ?? 0, describeApps()).toBeGreaterThan(0);
    expect(threadsOfA.get(`${APP_ID}-StreamThread-3`)?.size ?? 0, describeApps()).toBeGreaterThan(0);
    // The removed thread committed and handed its tasks over: it closed them cleanly.
    expect(a.output).toMatch(/INFO Task \d+_\d+ closed \(scale-sum-StreamThread-3\)/);
  }, 400_000);
});

describe("the issue's contract program with num.stream.threads 2", () => {
  it('its worker thread rebuilds the topology from the program without starting a second client: one group member per thread, results exactly once', async () => {
    const total = 6_000;
    const partitions = 4;
    const logDir = mkdtempSync(join(tmpdir(), 'skein-contract-threads-broker-'));
    cleanups.push(() => rmSync(logDir, { recursive: true, force: true }));
    const broker = await spawnBroker(logDir, 0, STREAMS_BROKER_CONFIG);
    cleanups.push(async () => {
      await broker.kill('SIGKILL').catch(() => undefined);
    });
    const kafka = kafkaFor(broker.bootstrap);
    const admin = kafka.admin();
    await admin.connect();
    cleanups.push(() => admin.disconnect());
    await admin.createTopics({ topics: ['data', 'echo', 'sum'].map((topic) => ({ topic, numPartitions: partitions })), waitForLeaders: true });
    const stateDir = mkdtempSync(join(tmpdir(), 'skein-contract-threads-'));
    cleanups.push(() => rmSync(stateDir, { recursive: true, force: true }));
    const app = startApp('contract', CONTRACT_THREADS_APP, { BOOTSTRAP: broker.bootstrap, STATE_DIR: stateDir });
    cleanups.push(() => app.kill());
    await waitForOutput(app, /State transition from REBALANCING to RUNNING/, 60_000);

    const random = prng(11);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    cleanups.push(() => producer.disconnect().catch(() => undefined));
    for (let i = 0; i < total; i += 1000) {
      const messages = Array.from({ length: 1000 }, () => ({ key: `k${Math.floor(random() * 40)}`, value: String(1 + Math.floor(random() * 100)) }));
      await producer.send({ topic: 'data', messages, acks: -1 });
    }
    const topics = ['data', 'echo', 'sum'].map((topic) => ({ topic, partitions }));
    await waitUntil(
      async () => {
        const t = await readTopics(kafka, topics);
        return ['echo', 'sum'].every((n) => (t.get(n) as RawRecord[][]).flat().length >= total);
      },
      120_000,
      () => app.output.slice(-4000),
    );

    // The group has exactly two members — the main thread's consumer and the worker's — and they
    // share the 4 tasks; a worker that started a client of its own would add members (and threads).
    const { groups } = await admin.describeGroups(['sum-app']);
    expect(groups[0].state).toBe('Stable');
    expect(groups[0].members).toHaveLength(2);
    const owned = groups[0].members.map((m) => AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment.data ?? []);
    expect(owned.map((ps) => ps.length).sort()).toEqual([2, 2]);
    expect(owned.flat().sort()).toEqual([0, 1, 2, 3]);
    // One client: one start, two threads, each running tasks.
    expect(app.output.match(/State transition from CREATED to REBALANCING/g)).toHaveLength(1);
    expect(app.output).not.toMatch(/StreamThread-3/);
    const threads = tasksByThread(app.output);
    expect([...threads.keys()].sort()).toEqual(['sum-app-StreamThread-1', 'sum-app-StreamThread-2']);

    // SIGTERM closes both threads cleanly (the program's own handler) and the process exits 0.
    const exited = new Promise<number | null>((r) => app.child.once('exit', (code) => r(code)));
    await app.stop();
    expect(await exited).toBe(0);
    const t = await readTopics(kafka, topics);
    const data = t.get('data') as RawRecord[][];
    expect(data.flat().length).toBe(total);
    for (let p = 0; p < partitions; p++) expect(pairs((t.get('echo') as RawRecord[][])[p])).toEqual(pairs(data[p]));
    const expectedSums = new Map([...inputsByKey(data)].map(([k, vs]) => [k, runningSums(vs)]));
    expect(compare(expectedSums, outputsByKey(t.get('sum') as RawRecord[][], long))).toEqual([]);
  }, 200_000);
});
