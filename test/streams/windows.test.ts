/**
 * Tumbling and hopping `TimeWindows` — `count`, `reduce`, `aggregate` after `groupByKey().windowedBy`
 * — on seeded, out-of-order input, against a brute-force model written from the definitions:
 *
 * - a window is `[start, start + size)`, its start a multiple of the advance (the size, tumbling);
 *   a record belongs to every window that contains its timestamp;
 * - stream time is the largest timestamp the task has seen, the record's own included;
 * - a record is accepted into a window iff `end + grace > stream time` at its arrival; otherwise it
 *   is dropped for that window, and the drop is logged naming the window;
 * - an update's timestamp is the largest timestamp of the records in its window.
 *
 * Without a cache every accepted record updates each of its windows downstream, earliest window
 * first; with a cache the same holds per commit, and the driver commits after every record. The
 * store keeps exactly the windows that are not closed (retention = size + grace).
 */
import { describe, expect, it } from 'vitest';
import {
  type ReadOnlyWindowStore,
  type Serde,
  Serdes,
  StreamsBuilder,
  type TestOutputTopic,
  TimeWindows,
  type ValueAndTimestamp,
  type Windowed,
  WindowedSerdes,
} from '../../src/index.js';
import { Random, collect, openDrivers, recordingLogger } from './helpers.js';
import { TaskHarness } from './task-harness.js';

const driverFor = openDrivers();
const S = Serdes.String();
const L = Serdes.Long();

interface Event {
  key: string;
  value: number;
  timestamp: number;
}

/** Mostly in order, with a share of records late by up to `maxLate` — some within the grace, some past it. */
function randomEvents(seed: number, n: number, maxStep: number, maxLate: number): Event[] {
  const rnd = new Random(seed);
  let now = rnd.int(0, 50);
  return Array.from({ length: n }, () => {
    now += rnd.int(0, maxStep);
    const late = rnd.chance(0.3) ? rnd.int(1, maxLate) : 0;
    return { key: rnd.pick(['k1', 'k2', 'k3']), value: rnd.int(1, 9), timestamp: Math.max(0, now - late) };
  });
}

interface WindowSpec {
  name: string;
  windows: () => TimeWindows;
  size: number;
  advance: number;
  grace: number;
}

const SPECS: WindowSpec[] = [
  { name: 'tumbling 100 ms, grace 50 ms', windows: () => TimeWindows.ofSizeAndGrace(100, 50), size: 100, advance: 100, grace: 50 },
  { name: 'tumbling 100 ms, no grace', windows: () => TimeWindows.ofSizeWithNoGrace(100), size: 100, advance: 100, grace: 0 },
  { name: 'hopping 100 ms every 25 ms, grace 30 ms', windows: () => TimeWindows.ofSizeAndGrace(100, 30).advanceBy(25), size: 100, advance: 25, grace: 30 },
  { name: 'hopping 60 ms every 20 ms, no grace', windows: () => TimeWindows.ofSizeWithNoGrace(60).advanceBy(20), size: 60, advance: 20, grace: 0 },
];

/** The windows containing `t`, by brute force over every start: multiples of the advance from 0. */
function windowStartsContaining(t: number, size: number, advance: number): number[] {
  const out: number[] = [];
  for (let start = 0; start <= t; start += advance) if (t < start + size) out.push(start);
  return out;
}

interface Update<V> {
  key: string;
  start: number;
  end: number;
  value: V;
  timestamp: number;
}

interface ModelResult<V> {
  /** The updates each input record causes, in order. */
  perRecord: Update<V>[][];
  /** Each window's final aggregate and timestamp, by `key@start`. */
  final: Map<string, Update<V>>;
  /** Windows records were dropped from: the record and the window. */
  dropped: { event: Event; start: number; end: number }[];
  streamTime: number;
}

function model<V>(events: readonly Event[], spec: WindowSpec, initial: () => V, add: (value: number, aggregate: V) => V): ModelResult<V> {
  const final = new Map<string, Update<V>>();
  const dropped: ModelResult<V>['dropped'] = [];
  let streamTime = -1;
  const perRecord = events.map((e) => {
    streamTime = Math.max(streamTime, e.timestamp);
    const updates: Update<V>[] = [];
    for (const start of windowStartsContaining(e.timestamp, spec.size, spec.advance)) {
      const end = start + spec.size;
      if (!(end + spec.grace > streamTime)) {
        dropped.push({ event: e, start, end });
        continue;
      }
      const id = `${e.key}@${start}`;
      const prev = final.get(id);
      const u = {
        key: e.key,
        start,
        end,
        value: add(e.value, prev === undefined ? initial() : prev.value),
        timestamp: Math.max(prev?.timestamp ?? -1, e.timestamp),
      };
      final.set(id, u);
      updates.push(u);
    }
    return updates;
  });
  return { perRecord, final, dropped, streamTime };
}

type Op = 'count' | 'reduce (sum)' | 'aggregate (values in arrival order)';

interface OpSpec<V> {
  valueSerde: Serde<V>;
  initial: () => V;
  add: (value: number, aggregate: V) => V;
}

const OPS: Record<Op, OpSpec<unknown>> = {
  count: { valueSerde: L, initial: () => 0, add: (_v, n) => (n as number) + 1 } as OpSpec<unknown>,
  // reduce starts from the first value: the sum of the window's values.
  'reduce (sum)': { valueSerde: L, initial: () => 0, add: (v, sum) => (sum as number) + v } as OpSpec<unknown>,
  'aggregate (values in arrival order)': { valueSerde: S, initial: () => '', add: (v, s) => (s === '' ? String(v) : `${s as string},${v}`) } as OpSpec<unknown>,
};

function buildTopology(spec: WindowSpec, op: Op, storeType: 'persistent' | 'in-memory'): ReturnType<StreamsBuilder['build']> {
  const b = new StreamsBuilder();
  const windowed = b.stream<string, number>('events', { keySerde: S, valueSerde: L }).groupByKey().windowedBy(spec.windows());
  const table =
    op === 'count'
      ? windowed.count({ storeName: 'windowed', storeType })
      : op === 'reduce (sum)'
        ? windowed.reduce((a, v) => a + v, { storeName: 'windowed', storeType })
        : windowed.aggregate<string>(
            () => '',
            (_k, v, s) => (s === '' ? String(v) : `${s},${v}`),
            { storeName: 'windowed', storeType, valueSerde: S },
          );
  (table.toStream() as ReturnType<typeof table.toStream>).to('out', {
    keySerde: WindowedSerdes.timeWindowed(S, spec.size),
    valueSerde: OPS[op].valueSerde as Serde<never>,
  });
  return b.build();
}

function readUpdates<V>(out: TestOutputTopic<Windowed<string>, V>): Update<V>[] {
  return out.readRecordsToList().map((r) => {
    const w = r.key as Windowed<string>;
    return { key: w.key, start: w.window.start, end: w.window.end, value: r.value as V, timestamp: r.timestamp };
  });
}

const CASES: [string, Op, 'cache off' | 'cache on', 'persistent' | 'in-memory', WindowSpec][] = [];
for (const spec of SPECS) {
  for (const op of Object.keys(OPS) as Op[]) {
    CASES.push([spec.name, op, 'cache off', op === 'count' ? 'in-memory' : 'persistent', spec]);
    CASES.push([spec.name, op, 'cache on', 'persistent', spec]);
  }
}

describe.each(CASES)('%s: windowed %s, %s, %s store', (_name, op, caching, storeType, spec) => {
  it('every update, the dropped records and the store match the model on out-of-order input', async () => {
    const seed = 7000 + SPECS.indexOf(spec) * 10 + Object.keys(OPS).indexOf(op);
    const events = randomEvents(seed, 300, 12, spec.size + spec.grace + 60);
    const { perRecord, final, dropped, streamTime } = model(events, spec, OPS[op].initial, OPS[op].add);
    expect(dropped.length, 'the input has records past the grace period').toBeGreaterThan(0);
    expect(
      perRecord.some((u, i) => u.length > 0 && events[i].timestamp < streamTime),
      'and late records within it',
    ).toBe(true);

    const log = recordingLogger();
    const d = driverFor(buildTopology(spec, op, storeType), {
      'application.id': 'win',
      logger: log.logger,
      ...(caching === 'cache off' ? { 'statestore.cache.max.bytes': 0 } : {}),
    });
    const input = d.createInputTopic('events', S, L);
    const out = d.createOutputTopic('out', WindowedSerdes.timeWindowed(S, spec.size), OPS[op].valueSerde);
    const seen = new Map<string, Update<unknown>>();
    for (const [i, e] of events.entries()) {
      await input.pipeInput(e.key, e.value, e.timestamp);
      const got = readUpdates(out);
      // The driver commits after every record, so a cache sends the same updates, once per window.
      expect(got, `record ${i} ${JSON.stringify(e)}`).toEqual(perRecord[i]);
      for (const u of got) seen.set(`${u.key}@${u.start}`, u);
    }
    expect(seen).toEqual(final);

    // Dropped records are logged, naming the window (the log is rate-limited: the first one at least).
    const warnings = log.warnings().filter((w) => w.includes('expired window'));
    expect(warnings.length).toBeGreaterThan(0);
    const first = dropped[0];
    expect(warnings[0]).toContain(`[${first.start},${first.end})`);
    expect(warnings[0]).toContain(`record time ${first.event.timestamp}`);

    // The store keeps the windows that are still open (start > stream time − size − grace), no others.
    const store = d.getStateStore('windowed') as unknown as ReadOnlyWindowStore<string, ValueAndTimestamp<unknown>>;
    const open = [...final.values()].filter((u) => u.start > streamTime - spec.size - spec.grace);
    const inStore = (await collect(store.all())).map((kv) => ({
      key: kv.key.key,
      start: kv.key.window.start,
      end: kv.key.window.end,
      value: kv.value.value,
      timestamp: kv.value.timestamp,
    }));
    const order = (a: Update<unknown>, b: Update<unknown>): number => a.key.localeCompare(b.key) || a.start - b.start;
    expect(inStore.sort(order)).toEqual(open.sort(order));
    for (const u of final.values()) {
      const v = store.fetch(u.key, u.start);
      if (u.start > streamTime - spec.size - spec.grace) expect(v).toEqual({ value: u.value, timestamp: u.timestamp });
      else expect(v, `${u.key}@${u.start} is closed and past retention`).toBeUndefined();
    }
  });
});

describe('the grace period, at its edges', () => {
  function countTopology(windows: TimeWindows, size: number): ReturnType<StreamsBuilder['build']> {
    const b = new StreamsBuilder();
    b.stream<string, string>('events', { keySerde: S, valueSerde: S })
      .groupByKey()
      .windowedBy(windows)
      .count({ storeName: 'counts' })
      .toStream()
      .to('out', { keySerde: WindowedSerdes.timeWindowed(S, size) });
    return b.build();
  }

  it('a window [0,10) with 5 ms grace takes a record while stream time is below 15, and drops it from 15 on', async () => {
    const log = recordingLogger();
    const d = driverFor(countTopology(TimeWindows.ofSizeAndGrace(10, 5), 10), { logger: log.logger, 'statestore.cache.max.bytes': 0 });
    const input = d.createInputTopic('events', S, S);
    const out = d.createOutputTopic('out', WindowedSerdes.timeWindowed(S, 10), L);
    await input.pipeInput('a', 'x', 0);
    await input.pipeInput('b', 'x', 14); // stream time 14: [0,10) closes at 15
    await input.pipeInput('a', 'x', 9); // accepted: 10 + 5 > 14
    await input.pipeInput('b', 'x', 15); // stream time 15
    await input.pipeInput('a', 'x', 9); // dropped: 10 + 5 ≤ 15
    expect(readUpdates(out).map((u) => `${u.key}@${u.start}=${u.value as number}`)).toEqual(['a@0=1', 'b@10=1', 'a@0=2', 'b@10=2']);
    expect(log.warnings()).toHaveLength(1);
    expect(log.warnings()[0]).toMatch(/expired window \[0,10\).*record time 9.*1 record dropped/);
  });

  it('with no grace a window closes at its end: a record at 9 after one at 10 is dropped', async () => {
    const log = recordingLogger();
    const d = driverFor(countTopology(TimeWindows.ofSizeWithNoGrace(10), 10), { logger: log.logger, 'statestore.cache.max.bytes': 0 });
    const input = d.createInputTopic('events', S, S);
    const out = d.createOutputTopic('out', WindowedSerdes.timeWindowed(S, 10), L);
    await input.pipeInput('a', 'x', 9);
    await input.pipeInput('a', 'x', 10);
    await input.pipeInput('a', 'x', 9);
    expect(readUpdates(out).map((u) => `${u.key}@${u.start}=${u.value as number}`)).toEqual(['a@0=1', 'a@10=1']);
    expect(log.warnings().join('\n')).toContain('[0,10)');
  });

  it('a hopping record is dropped from its closed windows only, and still counted in the open ones', async () => {
    const log = recordingLogger();
    const d = driverFor(countTopology(TimeWindows.ofSizeWithNoGrace(30).advanceBy(10), 30), { logger: log.logger, 'statestore.cache.max.bytes': 0 });
    const input = d.createInputTopic('events', S, S);
    const out = d.createOutputTopic('out', WindowedSerdes.timeWindowed(S, 30), L);
    await input.pipeInput('a', 'x', 40); // windows [20,50) [30,60) [40,70)
    await input.pipeInput('a', 'x', 25); // windows [0,30) [10,40) [20,50): the first two closed at 40
    expect(readUpdates(out).map((u) => `${u.start}=${u.value as number}`)).toEqual(['20=1', '30=1', '40=1', '20=2']);
    expect(log.warnings()[0]).toContain('[0,30)');
  });
});

describe('a rollback to the last commit (a StreamTask driven directly)', () => {
  it('leaves no trace in the window store: records processed again count from the committed values', async () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('events', { keySerde: S, valueSerde: S })
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeWithNoGrace(10))
      .count({ storeName: 'counts' })
      .toStream()
      .to('out', { keySerde: WindowedSerdes.timeWindowed(S, 10) });
    const h = TaskHarness.create(b.build(), { cacheMaxBytes: 0 });
    try {
      for (const t of [1, 3, 25]) h.append('events', S, S, 'a', 'x', t);
      await h.processUntil('events', 1);
      await h.commit();
      // 3, then 25, which moves the store's time on: windows 10 ms behind it, [0,10) among them, expire.
      await h.processUntil('events', 3);
      await h.rollback();
      // Processed again from the commit: when 3 comes, [0,10) is open (stream time 3) and holds 1.
      await h.processUntil('events', 3);
      await h.commit();
      const out = h.read('out', WindowedSerdes.timeWindowed(S, 10), L).map((r) => `${r.key.window.start}=${r.value}`);
      expect(out).toEqual(['0=1', '0=2', '20=1']);
    } finally {
      await h.close();
    }
  });
});

describe('TimeWindows', () => {
  it('refuses a size below 1 ms, a negative grace, and an advance larger than the size or below 1 ms', () => {
    expect(() => TimeWindows.ofSizeWithNoGrace(0)).toThrow(/window size/);
    expect(() => TimeWindows.ofSizeAndGrace(10, -1)).toThrow(/grace period/);
    expect(() => TimeWindows.ofSizeWithNoGrace(10).advanceBy(11)).toThrow(/advance/);
    expect(() => TimeWindows.ofSizeWithNoGrace(10).advanceBy(0)).toThrow(/advance/);
    expect(() => TimeWindows.ofSizeWithNoGrace(1.5)).toThrow(/whole number/);
  });

  it('gives the windows containing a timestamp: all of them, earliest first, none starting below 0', () => {
    const rnd = new Random(99);
    for (let i = 0; i < 500; i++) {
      const size = rnd.int(1, 50);
      const advance = rnd.int(1, size);
      const t = rnd.int(0, 400);
      const w = TimeWindows.ofSizeWithNoGrace(size).advanceBy(advance);
      expect(
        w.windowsFor(t).map((x) => x.start),
        `size ${size} advance ${advance} t ${t}`,
      ).toEqual(windowStartsContaining(t, size, advance));
      for (const x of w.windowsFor(t)) expect(x.end).toBe(x.start + size);
    }
  });
});
