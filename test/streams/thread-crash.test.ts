/**
 * A stream thread that crashes is replaced, per the uncaught-exception handler, without losing or
 * duplicating anything (issue #13, item 1). One process, two stream threads (the main thread and a
 * worker_thread), one task each; a record on each partition crashes its thread once — the worker by
 * dying of an uncaught exception (reported once, though the worker emits both error and exit), the
 * main thread by a throw. Both are replaced (REPLACE_THREAD), the tasks start again from their last
 * commit, and the outputs, read back read_committed, are the input exactly once: echo record for
 * record, every key's running sums.
 */
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { partitionForKey } from '../../src/streams/runtime/partitioner.js';
import type { RawRecord } from '../../src/streams/runtime/record-collector.js';
import { compare, inputsByKey, long, outputsByKey, pairs, runningSums } from '../support/exactly-once-check.js';
import { readTopics, startApp, waitForOutput, waitUntil } from '../support/streams-apps.js';
import { startStreamsBroker } from '../support/streams-broker.js';

const CRASH_APP = resolve(import.meta.dirname, '../support/streams-crash-app.mjs');
const CRASH_VALUES = ['1000', '1001'];
const TOTAL = 802; // 400 records, the two crashing ones, 400 more

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Runs the crash application under `guarantee` through both crashes; returns what it wrote and its log. */
async function runThroughCrashes(guarantee: string): Promise<{ data: RawRecord[][]; out: Map<string, RawRecord[][]>; log: string }> {
  const b = await startStreamsBroker({ data: 2, echo: 2, sum: 2 });
  cleanups.push(() => b.stop());
  const { broker, kafka } = b;
  const markers = b.tempDir('skein-thread-crash-markers-');
  const app = startApp('crash', CRASH_APP, {
    BOOTSTRAP: broker.bootstrap,
    STATE_DIR: b.tempDir('skein-thread-crash-state-'),
    MARKER_DIR: markers,
    CRASH_VALUES: CRASH_VALUES.join(','),
    GUARANTEE: guarantee,
  });
  cleanups.push(() => app.kill());
  // Both threads run a task (the worker's thread starts a moment later) before the crashing records arrive.
  await waitForOutput(app, /Task 0_\d is running from [^\n]*crash-app-StreamThread-2\)/, 60_000);

  // Keys go where kafkajs's default partitioner puts them (murmur2, as Skein's sinks do, so echo
  // keeps data's partitions); a crashing value on each partition.
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  cleanups.push(() => producer.disconnect().catch(() => undefined));
  const record = (i: number, value?: string) => ({ key: `k${i % 10}`, value: value ?? String(1 + ((i * 37) % 100)) });
  const keyOn = (p: number): number => [...Array(10).keys()].find((i) => partitionForKey(Buffer.from(`k${i}`), 2) === p) as number;
  await producer.send({ topic: 'data', acks: -1, messages: Array.from({ length: 400 }, (_, i) => record(i)) });
  await producer.send({ topic: 'data', acks: -1, messages: [record(keyOn(0), CRASH_VALUES[0]), record(keyOn(1), CRASH_VALUES[1])] });
  await producer.send({ topic: 'data', acks: -1, messages: Array.from({ length: 400 }, (_, i) => record(402 + i)) });

  const topics = ['data', 'echo', 'sum'].map((topic) => ({ topic, partitions: 2 }));
  await waitUntil(
    async () => {
      const t = await readTopics(kafka, topics);
      return ['echo', 'sum'].every((n) => (t.get(n) as RawRecord[][]).flat().length >= TOTAL);
    },
    120_000,
    () => app.output.slice(-4000),
  );
  await waitForOutput(app, /State transition from REBALANCING to RUNNING[\s\S]*$/, 30_000);

  const log = app.output;
  await app.stop();
  const out = await readTopics(kafka, topics);
  return { data: out.get('data') as RawRecord[][], out, log };
}

describe('a crashed stream thread is replaced', () => {
  it('a worker that dies and a main thread that throws are both replaced; every output exactly once', async () => {
    const { data, out, log } = await runThroughCrashes('exactly_once');
    // One crash in a worker (it died) and one in the main thread (it threw), each replaced.
    expect(log).toMatch(/Replacing stream thread crash-app-StreamThread-\d+ after: crash on 100[01] \(worker thread\)/);
    expect(log).toMatch(/crash on 100[01] \(main thread\)/);
    expect(log.match(/Replacing stream thread crash-app-StreamThread-\d+ after/g)).toHaveLength(2);
    expect(log).not.toMatch(/State transition from \w+ to ERROR/);
    expect(data.flat()).toHaveLength(TOTAL);
    for (let p = 0; p < 2; p++) expect(pairs((out.get('echo') as RawRecord[][])[p])).toEqual(pairs(data[p]));
    const expected = new Map([...inputsByKey(data)].map(([k, vs]) => [k, runningSums(vs)]));
    expect(compare(expected, outputsByKey(out.get('sum') as RawRecord[][], long))).toEqual([]);
  }, 240_000);

  it('the same crashes under at_least_once repeat output, so the check above can fail', async () => {
    const { data, out, log } = await runThroughCrashes('at_least_once');
    expect(log.match(/Replacing stream thread crash-app-StreamThread-\d+ after/g)).toHaveLength(2);
    expect((out.get('echo') as RawRecord[][]).flat().length).toBeGreaterThan(data.flat().length);
  }, 240_000);
});
