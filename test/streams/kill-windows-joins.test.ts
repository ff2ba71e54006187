/**
 * Windows, suppression and joins exactly once through crashes (issue #12). Three instances of one
 * application (test/support/streams-kill-app.mjs, VARIANT=windows-joins) run two sub-topologies on
 * event time — the producer's timestamps:
 *   - clicks → hopping windows with grace → count → suppress(untilWindowCloses) → click-counts;
 *   - orders ⟕ payments, a windowed stream-stream leftJoin → order-payments;
 * over three partitions per topic, while instances are SIGKILLed and restarted. At the end one
 * record per partition, an hour later in event time, closes every window. Read back read_committed,
 * under exactly_once:
 *   - every window closed by its partition's stream time has its final count once, equal to the count
 *     computed from the clicks as they lie in their partitions (stream time is per partition: the
 *     clicks too late for their window's grace are dropped), and no other window is emitted;
 *   - the join's results are exactly the multiset computed from the orders and payments: each pair of
 *     the same customer at most JOIN_MS apart, with the later timestamp, and each order with no such
 *     payment alone ("o+null"), with its own.
 * The join's results do not depend on how a task interleaves its two partitions: each topic is
 * written in timestamp order, and the grace outlasts the whole input, so nothing expires or comes too
 * late. The same run under at_least_once must fail that check, with duplicates.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Producer } from 'kafkajs';
import type { RawRecord } from '../../src/streams/runtime/record-collector.js';
import { KILL_APP, type ChaosRun, kafkaFor, readTopics, runWithChaos, sleep, waitUntil } from '../support/streams-apps.js';

const PARTITIONS = 3;
const WINDOW_MS = 6_000;
const ADVANCE_MS = 3_000;
const GRACE_MS = 3_000;
const JOIN_MS = 1_000;
const JOIN_GRACE_MS = 10 * 60_000;
const T0 = Date.parse('2026-12-01T00:00:00Z');
/** Event time covered by one chunk of input; the whole input spans CHUNKS × CHUNK_SPAN_MS (< JOIN_GRACE_MS). */
const CHUNK_SPAN_MS = 8_000;
const CHUNKS = 30;
const CLICKS_PER_CHUNK = 240;
const ORDERS_PER_CHUNK = 60;
/** The timestamp of the records that close every window at the end. */
const CLOSE_TIME = T0 + CHUNKS * CHUNK_SPAN_MS + 3_600_000;
const INPUTS = ['clicks', 'orders', 'payments'];
const OUTPUTS = ['click-counts', 'order-payments'];

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/**
 * The input, chunk by chunk (the chaos runs meanwhile). Clicks of 20 users, mostly in time order:
 * one in ten up to 2.5 s late (within the grace period, unless stream time has moved on), one in fifty
 * 6 to 12 s late (mostly too late). Orders and payments of 30 customers, each topic in time order.
 * Last, one record per partition of clicks and payments at CLOSE_TIME.
 */
async function produce(producer: Producer, random: () => number): Promise<void> {
  let order = 0;
  let payment = 0;
  for (let c = 0; c < CHUNKS; c++) {
    const from = T0 + c * CHUNK_SPAN_MS;
    const clicks = Array.from({ length: CLICKS_PER_CHUNK }, (_, i) => {
      const r = random();
      const late = r < 0.1 ? Math.floor(random() * 2_500) : r < 0.12 ? 6_000 + Math.floor(random() * 6_000) : 0;
      const time = from + Math.floor((i * CHUNK_SPAN_MS) / CLICKS_PER_CHUNK) - late;
      return { key: `u${Math.floor(random() * 20)}`, value: `click${c}-${i}`, timestamp: String(time) };
    });
    const inOrder = (prefix: string, next: () => number): { key: string; value: string; timestamp: string }[] =>
      Array.from({ length: ORDERS_PER_CHUNK }, () => from + Math.floor(random() * CHUNK_SPAN_MS))
        .sort((a, b) => a - b)
        .map((time) => ({ key: `c${Math.floor(random() * 30)}`, value: `${prefix}${next()}`, timestamp: String(time) }));
    await producer.sendBatch({
      acks: -1,
      topicMessages: [
        { topic: 'clicks', messages: clicks },
        { topic: 'orders', messages: inOrder('o', () => order++) },
        { topic: 'payments', messages: inOrder('p', () => payment++) },
      ],
    });
    await sleep(900);
  }
  const closers = Array.from({ length: PARTITIONS }, (_, partition) => ({
    key: `closer-${partition}`,
    value: 'close',
    partition,
    timestamp: String(CLOSE_TIME),
  }));
  await producer.sendBatch({
    acks: -1,
    topicMessages: [
      { topic: 'clicks', messages: closers },
      { topic: 'payments', messages: closers },
    ],
  });
}

/**
 * The final count of every window that closes, from the clicks partition by partition in offset
 * order: each partition's stream time is the largest timestamp so far; a click counts in each window
 * holding it, unless that window ended GRACE_MS or more before stream time (`dropped` counts those);
 * a window is emitted once its end + GRACE_MS is at or before the partition's final stream time.
 */
function expectedWindowCounts(clicks: RawRecord[][]): Map<string, number> & { dropped: number } {
  const counts = Object.assign(new Map<string, number>(), { dropped: 0 });
  for (const partition of clicks) {
    let streamTime = -1;
    const windows = new Map<string, { end: number; count: number }>();
    for (const r of partition) {
      streamTime = Math.max(streamTime, r.timestamp);
      // Every window [start, start + WINDOW_MS) holding the click, start a multiple of ADVANCE_MS.
      for (let start = r.timestamp - (r.timestamp % ADVANCE_MS); start > r.timestamp - WINDOW_MS; start -= ADVANCE_MS) {
        if (start + WINDOW_MS + GRACE_MS <= streamTime) {
          counts.dropped++;
          continue;
        }
        const k = `${(r.key as Buffer).toString()}@${start}`;
        const w = windows.get(k) ?? { end: start + WINDOW_MS, count: 0 };
        w.count++;
        windows.set(k, w);
      }
    }
    for (const [k, w] of windows) if (w.end + GRACE_MS <= streamTime) counts.set(k, w.count);
  }
  return counts;
}

/** The left join's results as "key value @timestamp", from the orders and payments of every partition. */
function expectedJoin(orders: RawRecord[][], payments: RawRecord[][]): string[] {
  const paymentsOf = new Map<string, RawRecord[]>();
  for (const p of payments.flat()) {
    const k = (p.key as Buffer).toString();
    paymentsOf.set(k, [...(paymentsOf.get(k) ?? []), p]);
  }
  return orders.flat().flatMap((o) => {
    const k = (o.key as Buffer).toString();
    const partners = (paymentsOf.get(k) ?? []).filter((p) => Math.abs(p.timestamp - o.timestamp) <= JOIN_MS);
    if (partners.length === 0) return [`${k} ${(o.value as Buffer).toString()}+null @${o.timestamp}`];
    return partners.map((p) => `${k} ${(o.value as Buffer).toString()}+${(p.value as Buffer).toString()} @${Math.max(o.timestamp, p.timestamp)}`);
  });
}

interface Outcome {
  /** What differs from the expected results; empty when exactly once. */
  problems: string[];
  /** lateDrops: (click, window) pairs left out because the click came after the window had closed. */
  windows: { expected: number; emitted: number; lateDrops: number };
  join: { expected: number; emitted: number; alone: number };
}

/** Waits for the outputs to be complete, stops the instances and compares the outputs with the inputs. */
async function check(run: ChaosRun): Promise<Outcome> {
  const kafka = kafkaFor(run.broker.bootstrap);
  const topics = [...INPUTS, ...OUTPUTS].map((topic) => ({ topic, partitions: PARTITIONS }));
  const sizes = (t: Map<string, RawRecord[][]>): string => [...t].map(([n, p]) => `${n}=${p.flat().length}`).join(' ');
  let last = new Map<string, RawRecord[][]>();
  await waitUntil(
    async () => {
      last = await readTopics(kafka, topics);
      const windows = new Set((last.get('click-counts') as RawRecord[][]).flat().map((r) => (r.key as Buffer).toString()));
      const expected = expectedWindowCounts(last.get('clicks') as RawRecord[][]);
      return (
        [...expected.keys()].every((k) => windows.has(k)) &&
        (last.get('order-payments') as RawRecord[][]).flat().length >=
          expectedJoin(last.get('orders') as RawRecord[][], last.get('payments') as RawRecord[][]).length
      );
    },
    240_000,
    () => `${sizes(last)}\n${run.apps.map((a) => `--- ${a.name}\n${a.output.slice(-3000)}`).join('\n')}`,
  );
  await Promise.all(run.apps.map((a) => a.stop()));
  const t = await readTopics(kafka, topics);
  const problems: string[] = [];

  const expectedCounts = expectedWindowCounts(t.get('clicks') as RawRecord[][]);
  const emitted = new Map<string, number[]>();
  for (const r of (t.get('click-counts') as RawRecord[][]).flat()) {
    const k = (r.key as Buffer).toString();
    emitted.set(k, [...(emitted.get(k) ?? []), Number((r.value as Buffer).readBigInt64BE(0))]);
  }
  for (const [k, n] of expectedCounts) {
    const got = emitted.get(k) ?? [];
    if (got.length !== 1 || got[0] !== n) problems.push(`window ${k}: expected ${n} once, got [${got.join(', ')}]`);
  }
  for (const [k, got] of emitted) if (!expectedCounts.has(k)) problems.push(`window ${k}: never closed or never had a click, got [${got.join(', ')}]`);

  const expectedResults = expectedJoin(t.get('orders') as RawRecord[][], t.get('payments') as RawRecord[][]).sort();
  const results = (t.get('order-payments') as RawRecord[][])
    .flat()
    .map((r) => `${(r.key as Buffer).toString()} ${(r.value as Buffer).toString()} @${r.timestamp}`)
    .sort();
  problems.push(...multisetDifference('join result', expectedResults, results));
  return {
    problems,
    windows: { expected: expectedCounts.size, emitted: [...emitted.values()].flat().length, lateDrops: expectedCounts.dropped },
    join: { expected: expectedResults.length, emitted: results.length, alone: expectedResults.filter((r) => r.includes('+null ')).length },
  };
}

/** "missing x" and "extra x" (with multiplicity) between two sorted lists. */
function multisetDifference(what: string, expected: string[], actual: string[]): string[] {
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < expected.length || j < actual.length) {
    if (j >= actual.length || (i < expected.length && expected[i] < actual[j])) out.push(`${what} missing: ${expected[i++]}`);
    else if (i >= expected.length || actual[j] < expected[i]) out.push(`${what} extra: ${actual[j++]}`);
    else {
      i++;
      j++;
    }
  }
  return out;
}

function chaos(guarantee: string, seed: number): Promise<ChaosRun> {
  return runWithChaos({
    guarantee,
    topics: [...INPUTS, ...OUTPUTS].map((topic) => ({ topic, partitions: PARTITIONS })),
    variants: [
      {
        name: `windows-joins-${guarantee}`,
        script: KILL_APP,
        env: {
          VARIANT: 'windows-joins',
          APP_ID: `kill-windows-joins-${guarantee}`,
          WINDOW_MS: String(WINDOW_MS),
          ADVANCE_MS: String(ADVANCE_MS),
          GRACE_MS: String(GRACE_MS),
          JOIN_MS: String(JOIN_MS),
          JOIN_GRACE_MS: String(JOIN_GRACE_MS),
        },
      },
    ],
    instanceKills: 4,
    brokerKills: 0,
    seed,
    // Each kill interrupts an instance at work: with an open transaction under exactly_once, with
    // records processed since its last commit under at_least_once (which then come out twice).
    killWhileRunning: true,
    produce,
    cleanups,
  });
}

describe('windows, suppression and joins exactly once through SIGKILLs of instances', () => {
  it('3 instances, 4 SIGKILLs while they process: one final count per closed window, equal to the clicks counted; the join results computed from the inputs, once', async () => {
    const run = await chaos('exactly_once', 20261207);
    const outcome = await check(run);
    expect(outcome.problems.slice(0, 20), `${outcome.problems.length} problems`).toEqual([]);
    // The run means something: windows closed, orders joined and some stood alone, clicks came too late.
    expect(outcome.windows.expected).toBeGreaterThan(500);
    expect(outcome.windows.lateDrops).toBeGreaterThan(10);
    expect(outcome.join.alone).toBeGreaterThan(100);
    expect(outcome.join.expected - outcome.join.alone).toBeGreaterThan(100);
    const log = run.apps.map((a) => a.output).join('\n');
    expect(run.apps.reduce((n, a) => n + a.starts, 0)).toBe(3 + 4);
    expect(log).toMatch(/restored store (clicks-per-window|KSTREAM-[A-Z]+-\d+-store)/);
  }, 400_000);

  it('the same run under at_least_once emits duplicates, so the check above can fail', async () => {
    const run = await chaos('at_least_once', 7);
    const outcome = await check(run);
    expect(outcome.problems.length).toBeGreaterThan(0);
    // Records processed again after a crash: windows emitted twice (with counts that went on from the
    // changelog), or join results repeated. Nothing is lost, so neither falls short.
    const duplicates = { windows: outcome.windows.emitted - outcome.windows.expected, join: outcome.join.emitted - outcome.join.expected };
    expect(duplicates.windows > 0 || duplicates.join > 0, JSON.stringify(duplicates)).toBe(true);
  }, 400_000);
});
