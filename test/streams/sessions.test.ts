/**
 * Session windows — `count`, `reduce`, `aggregate` with a merger after
 * `groupByKey().windowedBy(SessionWindows…)` — on seeded, out-of-order input, against a model that
 * keeps each key's sessions as plain lists, written from the definitions:
 *
 * - a record at `t` joins every session of its key that ends at or after `t − gap` and starts at or
 *   before `t + gap`; together they become one session from the earliest start to the latest end;
 * - a session whose end is gap + grace or more behind stream time is closed (its final result may
 *   be out, see suppression.test.ts): it joins nothing, as in Kafka Streams, whose session stores
 *   keep sessions for gap + grace;
 * - the record is dropped if that session ends before stream time − grace (stream time: the largest
 *   timestamp seen, the record's own included);
 * - downstream, each session that disappeared into the new one is deleted (a record with a null
 *   value), then the new session is sent with the aggregate of all its records, its timestamp the
 *   session's end (its latest record). A record inside an existing session changes no window, so
 *   nothing is deleted.
 *
 * The aggregate under test is the sorted list of the session's values, so a merger that lost or
 * duplicated a merged session's values shows, whatever order sessions are merged in.
 */
import { describe, expect, it } from 'vitest';
import {
  type ReadOnlySessionStore,
  type Serde,
  Serdes,
  SessionWindows,
  StreamsBuilder,
  type TestOutputTopic,
  type ValueAndTimestamp,
  type Windowed,
  WindowedSerdes,
} from '../../src/index.js';
import { Random, collect, openDrivers, recordingLogger } from './helpers.js';
import { TaskHarness } from './task-harness.js';

const driverFor = openDrivers();
const S = Serdes.String();
const L = Serdes.Long();
const J = Serdes.Json<number[]>();

interface Event {
  key: string;
  value: number;
  timestamp: number;
}

function randomEvents(seed: number, n: number, maxStep: number, maxLate: number): Event[] {
  const rnd = new Random(seed);
  let now = rnd.int(0, 50);
  return Array.from({ length: n }, () => {
    now += rnd.int(0, maxStep);
    const late = rnd.chance(0.3) ? rnd.int(1, maxLate) : 0;
    return { key: rnd.pick(['k1', 'k2', 'k3']), value: rnd.int(1, 9), timestamp: Math.max(0, now - late) };
  });
}

interface Session {
  key: string;
  start: number;
  end: number;
  values: number[];
}

interface Update {
  key: string;
  start: number;
  end: number;
  /** null: the session was deleted. */
  value: unknown;
  /** Checked for sessions sent (their end); not for deletions. */
  timestamp?: number;
}

type Op = 'count' | 'reduce (sum)' | 'aggregate (sorted values, with a merger)';

const RESULT: Record<Op, (values: number[]) => unknown> = {
  count: (vs) => vs.length,
  'reduce (sum)': (vs) => vs.reduce((a, b) => a + b, 0),
  'aggregate (sorted values, with a merger)': (vs) => [...vs].sort((a, b) => a - b),
};

interface ModelResult {
  perRecord: Update[][];
  /** Live sessions at the end, by key. */
  sessions: Map<string, Session[]>;
  dropped: { event: Event; start: number; end: number }[];
  streamTime: number;
}

function model(events: readonly Event[], gap: number, grace: number, result: (values: number[]) => unknown): ModelResult {
  const sessions = new Map<string, Session[]>();
  const dropped: ModelResult['dropped'] = [];
  let streamTime = -1;
  const perRecord = events.map((e) => {
    streamTime = Math.max(streamTime, e.timestamp);
    const list = sessions.get(e.key) ?? [];
    // A session that ended more than gap + grace ago is closed: nothing can join it any more.
    const near = list.filter((s) => s.end > streamTime - gap - grace && s.end >= e.timestamp - gap && s.start <= e.timestamp + gap);
    const start = Math.min(e.timestamp, ...near.map((s) => s.start));
    const end = Math.max(e.timestamp, ...near.map((s) => s.end));
    if (end < streamTime - grace) {
      dropped.push({ event: e, start, end });
      return [];
    }
    const gone = near.filter((s) => s.start !== start || s.end !== end).sort((a, b) => a.end - b.end || a.start - b.start);
    const merged: Session = { key: e.key, start, end, values: [...near.flatMap((s) => s.values), e.value] };
    sessions.set(e.key, [...list.filter((s) => !near.includes(s)), merged]);
    return [
      ...gone.map((s) => ({ key: e.key, start: s.start, end: s.end, value: null })),
      { key: e.key, start, end, value: result(merged.values), timestamp: end },
    ];
  });
  return { perRecord, sessions, dropped, streamTime };
}

function buildTopology(op: Op, gap: number, grace: number, storeType: 'persistent' | 'in-memory'): ReturnType<StreamsBuilder['build']> {
  const b = new StreamsBuilder();
  const windowed = b
    .stream<string, number>('events', { keySerde: S, valueSerde: L })
    .groupByKey()
    .windowedBy(SessionWindows.ofInactivityGapAndGrace(gap, grace));
  const sorted = (xs: number[]): number[] => [...xs].sort((x, y) => x - y);
  const table =
    op === 'count'
      ? windowed.count({ storeName: 'sessions', storeType })
      : op === 'reduce (sum)'
        ? windowed.reduce((a, v) => a + v, { storeName: 'sessions', storeType })
        : windowed.aggregate<number[]>(
            () => [],
            (_k, v, agg) => sorted([...agg, v]),
            (_k, a, b2) => sorted([...a, ...b2]),
            { storeName: 'sessions', storeType, valueSerde: J },
          );
  (table.toStream() as ReturnType<typeof table.toStream>).to('out', {
    keySerde: WindowedSerdes.sessionWindowed(S),
    valueSerde: valueSerdeOf(op) as Serde<never>,
  });
  return b.build();
}

function valueSerdeOf(op: Op): Serde<unknown> {
  return (op === 'aggregate (sorted values, with a merger)' ? J : L) as Serde<unknown>;
}

function readUpdates(out: TestOutputTopic<Windowed<string>, unknown>): Update[] {
  return out.readRecordsToList().map((r) => {
    const w = r.key as Windowed<string>;
    return r.value === null
      ? { key: w.key, start: w.window.start, end: w.window.end, value: null }
      : { key: w.key, start: w.window.start, end: w.window.end, value: r.value, timestamp: r.timestamp };
  });
}

const GAPS: [number, number][] = [
  [30, 20],
  [30, 0],
];
const CASES: [Op, number, number, 'cache off' | 'cache on', 'persistent' | 'in-memory'][] = [];
for (const op of Object.keys(RESULT) as Op[]) {
  for (const [gap, grace] of GAPS) {
    CASES.push([op, gap, grace, 'cache off', 'persistent']);
    CASES.push([op, gap, grace, 'cache on', op === 'count' ? 'in-memory' : 'persistent']);
  }
}

describe.each(CASES)('session-windowed %s, gap %d ms, grace %d ms, %s, %s store', (op, gap, grace, caching, storeType) => {
  it('every update — deletions of merged sessions, then the merged one — and the store match the model', async () => {
    const events = randomEvents(500 + gap + grace + Object.keys(RESULT).indexOf(op), 300, 25, 150);
    const { perRecord, sessions, dropped, streamTime } = model(events, gap, grace, RESULT[op]);
    // The input exercises what it should: merges of two or more sessions, records inside a session, drops.
    // (Without grace no record can join two sessions: they would be more than the gap apart, so the
    // older one would end more than the gap before stream time, and be closed.)
    const merges = perRecord.filter((u) => u.filter((x) => x.value === null).length >= (grace > 0 ? 2 : 1)).length;
    expect(merges, grace > 0 ? 'records that merge two sessions' : 'records that extend a session').toBeGreaterThan(0);
    expect(dropped.length, 'records past the grace period').toBeGreaterThan(0);

    const log = recordingLogger();
    const d = driverFor(buildTopology(op, gap, grace, storeType), {
      'application.id': 'sessions',
      logger: log.logger,
      ...(caching === 'cache off' ? { 'statestore.cache.max.bytes': 0 } : {}),
    });
    const input = d.createInputTopic('events', S, L);
    const out = d.createOutputTopic('out', WindowedSerdes.sessionWindowed(S), valueSerdeOf(op));
    for (const [i, e] of events.entries()) {
      await input.pipeInput(e.key, e.value, e.timestamp);
      expect(readUpdates(out), `record ${i} ${JSON.stringify(e)}`).toEqual(perRecord[i]);
    }

    const warnings = log.warnings().filter((w) => w.includes('expired session'));
    expect(warnings[0]).toContain(`[${dropped[0].start},${dropped[0].end}]`);
    expect(warnings[0]).toContain(`record time ${dropped[0].event.timestamp}`);

    // The store holds the live sessions that are within retention (end > stream time − gap − grace).
    const store = d.getStateStore('sessions') as unknown as ReadOnlySessionStore<string, ValueAndTimestamp<unknown>>;
    const expected = [...sessions.values()].flat().filter((s) => s.end > streamTime - gap - grace);
    const asRow = (key: string, start: number, end: number, value: unknown): string => `${key}[${start},${end}]=${JSON.stringify(value)}`;
    const rows = (await collect(store.all())).map((kv) => asRow(kv.key.key, kv.key.window.start, kv.key.window.end, kv.value.value));
    expect(rows.sort()).toEqual(expected.map((s) => asRow(s.key, s.start, s.end, RESULT[op](s.values))).sort());
    for (const key of ['k1', 'k2', 'k3']) {
      const mine = (await collect(store.fetch(key))).map((kv) => asRow(kv.key.key, kv.key.window.start, kv.key.window.end, kv.value.value));
      expect(mine.sort()).toEqual(
        expected
          .filter((s) => s.key === key)
          .map((s) => asRow(s.key, s.start, s.end, RESULT[op](s.values)))
          .sort(),
      );
      for (const s of sessions.get(key) ?? []) {
        const v = store.fetchSession(key, s.start, s.end);
        if (s.end > streamTime - gap - grace) expect(v?.value).toEqual(RESULT[op](s.values));
        else expect(v).toBeUndefined();
      }
    }
  });
});

describe('session merging, step by step', () => {
  function countTopology(gap: number, grace: number): ReturnType<StreamsBuilder['build']> {
    const b = new StreamsBuilder();
    b.stream<string, string>('events', { keySerde: S, valueSerde: S })
      .groupByKey()
      .windowedBy(SessionWindows.ofInactivityGapAndGrace(gap, grace))
      .count({ storeName: 'counts' })
      .toStream()
      .to('out', { keySerde: WindowedSerdes.sessionWindowed(S) });
    return b.build();
  }
  const show = (us: Update[]): string[] => us.map((u) => `${u.key}[${u.start},${u.end}]=${u.value === null ? 'null' : String(u.value)}`);

  it('a record between two sessions, within the gap of both, merges them: both are deleted, the merged one sent', async () => {
    const d = driverFor(countTopology(30, 100), { 'statestore.cache.max.bytes': 0 });
    const input = d.createInputTopic('events', S, S);
    const out = d.createOutputTopic('out', WindowedSerdes.sessionWindowed(S), L);
    await input.pipeInput('a', 'x', 0);
    await input.pipeInput('a', 'x', 50); // 50 − 30 > 0: a second session
    await input.pipeInput('b', 'x', 25); // another key: its own session
    await input.pipeInput('a', 'x', 25); // within 30 of both
    expect(show(readUpdates(out))).toEqual(['a[0,0]=1', 'a[50,50]=1', 'b[25,25]=1', 'a[0,0]=null', 'a[50,50]=null', 'a[0,50]=3']);
  });

  it('a record at exactly the gap joins the session; one a millisecond further starts a new one', async () => {
    const d = driverFor(countTopology(10, 100), { 'statestore.cache.max.bytes': 0 });
    const input = d.createInputTopic('events', S, S);
    const out = d.createOutputTopic('out', WindowedSerdes.sessionWindowed(S), L);
    await input.pipeInput('a', 'x', 0);
    await input.pipeInput('a', 'x', 10);
    await input.pipeInput('a', 'x', 21);
    await input.pipeInput('a', 'x', 5); // inside [0,10]: the window is the same, nothing deleted
    expect(show(readUpdates(out))).toEqual(['a[0,0]=1', 'a[0,0]=null', 'a[0,10]=2', 'a[21,21]=1', 'a[0,10]=3']);
  });

  it('a late record is dropped when its session would end before stream time − grace, and logged naming the session', async () => {
    const log = recordingLogger();
    const d = driverFor(countTopology(10, 5), { 'statestore.cache.max.bytes': 0, logger: log.logger });
    const input = d.createInputTopic('events', S, S);
    const out = d.createOutputTopic('out', WindowedSerdes.sessionWindowed(S), L);
    await input.pipeInput('a', 'x', 0);
    await input.pipeInput('b', 'x', 14); // close time 9
    await input.pipeInput('a', 'x', 9); // joins [0,0] into [0,9], which ends at the close time: accepted
    await input.pipeInput('b', 'x', 40); // close time 35
    await input.pipeInput('a', 'x', 30); // too far from [0,9] to join it; [30,30] ends before 35: dropped
    await input.pipeInput('a', 'x', 20); // [0,9] is closed, so alone: [20,20] ends before 35: dropped
    expect(show(readUpdates(out))).toEqual(['a[0,0]=1', 'b[14,14]=1', 'a[0,0]=null', 'a[0,9]=2', 'b[40,40]=1']);
    expect(log.warnings()[0]).toMatch(/expired session \[30,30\].*record time 30/);
  });

  it('a session gap + grace behind stream time is closed: a record within the gap of it starts a session of its own', async () => {
    const d = driverFor(countTopology(10, 5), { 'statestore.cache.max.bytes': 0 });
    const input = d.createInputTopic('events', S, S);
    const out = d.createOutputTopic('out', WindowedSerdes.sessionWindowed(S), L);
    await input.pipeInput('a', 'x', 0);
    await input.pipeInput('b', 'x', 15); // [0,0] closes: 0 + 10 + 5 ≤ 15
    await input.pipeInput('a', 'x', 10); // within the gap of [0,0], and ends at the close time (10): accepted, alone
    expect(show(readUpdates(out))).toEqual(['a[0,0]=1', 'b[15,15]=1', 'a[10,10]=1']);
  });
});

describe('behind a cache, with commits of several records (a StreamTask driven directly)', () => {
  it('downstream sees each session’s last value per commit, deletions only of sessions it was sent, and ends with the model’s sessions', async () => {
    const GAP = 30;
    const GRACE = 20;
    const events = randomEvents(909, 400, 25, 150);
    const { sessions } = model(events, GAP, GRACE, RESULT.count);
    const h = TaskHarness.create(buildTopology('count', GAP, GRACE, 'persistent'));
    try {
      for (const e of events) h.append('events', S, L, e.key, e.value, e.timestamp);
      const rnd = new Random(910);
      const table = new Map<string, unknown>();
      let deletions = 0;
      while ((h.task.position('events', 0) ?? 0) < events.length) {
        await h.processUntil('events', Math.min(events.length, (h.task.position('events', 0) ?? 0) + rnd.int(1, 20)));
        await h.commit();
        for (const r of h.read('out', WindowedSerdes.sessionWindowed(S), L)) {
          const id = `${r.key.key}[${r.key.window.start},${r.key.window.end}]`;
          if (r.value === null) {
            // A deletion is news only for a session downstream has.
            expect(table.has(id), `deletion of ${id}, which was never sent`).toBe(true);
            table.delete(id);
            deletions++;
          } else {
            table.set(id, r.value);
          }
        }
      }
      expect(deletions).toBeGreaterThan(0);
      const expected = new Map([...sessions].flatMap(([key, ss]) => ss.map((s) => [`${key}[${s.start},${s.end}]`, s.values.length] as const)));
      expect(table).toEqual(expected);
    } finally {
      await h.close();
    }
  });
});

describe('SessionWindows', () => {
  it('refuses a gap below 1 ms and a negative grace', () => {
    expect(() => SessionWindows.ofInactivityGapWithNoGrace(0)).toThrow(/inactivity gap/);
    expect(() => SessionWindows.ofInactivityGapAndGrace(10, -5)).toThrow(/grace period/);
  });
});
