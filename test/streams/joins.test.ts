/**
 * Joins, each checked against a brute-force model of the join computed from the inputs alone:
 *
 * - stream-stream join / leftJoin / outerJoin: the model keeps every record of both sides and, for
 *   each arriving record, scans the other side's earlier records for the window, the retention
 *   (window size plus grace behind stream time) and — for left/outer joins — the list of records
 *   still waiting to be emitted as non-joined, emitted once stream time passes their window's end
 *   plus the grace period. Seeded random inputs with out-of-order records, within and beyond the
 *   grace period, null keys and values; and hand-written timelines.
 * - stream-table join / leftJoin: the table's current row when the stream record arrives, also
 *   through a key change (repartition) and against unmaterialized filter / mapValues tables.
 * - stream-GlobalKTable join / leftJoin: the global table's row for the key the selector picks.
 * - table-table join / leftJoin / outerJoin: the joined row of a key from both tables' rows, sent on
 *   whenever the key has a joined row before or after an update; deletions as tombstones.
 * - foreign-key join / leftJoin: after every update of either table, the result table (its store, and
 *   its changes folded into a map) equals the join of the two tables' current rows, recomputed.
 */
import { describe, expect, it } from 'vitest';
import { JoinWindows, KTable, Serdes, StreamsBuilder, TimeWindows, type TopologyTestDriver, type Windowed } from '../../src/index.js';
import { Random, byUtf8, collect, openDrivers } from './helpers.js';

const driverFor = openDrivers();
const S = Serdes.String();

interface Out {
  key: string | null;
  value: string | null;
  timestamp: number;
}

/** Joined values show both sides: `left+right`, with `null` for a missing side. */
const show = (left: string | null, right: string | null): string => `${left}+${right}`;

function outputs(d: TopologyTestDriver, topic: string): Out[] {
  return d
    .createOutputTopic(topic, S, S)
    .readRecordsToList()
    .map((r) => ({ key: r.key, value: r.value, timestamp: r.timestamp }));
}

const CACHING = [
  ['cache on', {}],
  ['cache off', { 'statestore.cache.max.bytes': 0 }],
] as const;

// ---------------------------------------------------------------------------------------------
// Stream-stream joins
// ---------------------------------------------------------------------------------------------

type JoinType = 'inner' | 'left' | 'outer';

interface StreamInput {
  side: 'L' | 'R';
  key: string | null;
  value: string | null;
  timestamp: number;
}

interface Window {
  before: number;
  after: number;
  grace: number;
}

/**
 * What a stream-stream join emits for these inputs, processed in order. Stream time is the largest
 * timestamp so far (the task's: every input counts, the record being processed included).
 */
function modelStreamJoin(type: JoinType, w: Window, inputs: readonly StreamInput[]): Out[] {
  const retention = w.before + w.after + w.grace;
  const stored: (StreamInput & { key: string; value: string })[] = [];
  // Records that joined nothing yet: emitted once their window closes, unless something joins them first.
  let waiting: { side: 'L' | 'R'; key: string; timestamp: number; values: string[] }[] = [];
  const out: Out[] = [];
  const isOuter = (side: 'L' | 'R'): boolean => type === 'outer' || (type === 'left' && side === 'L');
  const nonJoined = (side: 'L' | 'R', value: string): string => (side === 'L' ? show(value, null) : show(null, value));
  let streamTime = -1;
  for (const x of inputs) {
    streamTime = Math.max(streamTime, x.timestamp);
    if (x.key === null) {
      if (isOuter(x.side) && x.value !== null) out.push({ key: null, value: nonJoined(x.side, x.value), timestamp: x.timestamp });
      continue;
    }
    if (x.value === null) continue;
    const key = x.key;
    const value = x.value;
    if (type !== 'inner' && x.timestamp === streamTime) {
      const closed = waiting
        .filter((p) => p.timestamp + (p.side === 'L' ? w.after : w.before) + w.grace < streamTime)
        // The shared store's order: timestamp, then right before left, then the key's bytes.
        .sort((a, b) => a.timestamp - b.timestamp || (a.side === b.side ? 0 : a.side === 'R' ? -1 : 1) || byUtf8(a.key, b.key));
      for (const p of closed) for (const v of p.values) out.push({ key: p.key, value: nonJoined(p.side, v), timestamp: p.timestamp });
      waiting = waiting.filter((p) => !closed.includes(p));
    }
    const lookBefore = x.side === 'L' ? w.before : w.after;
    const lookAfter = x.side === 'L' ? w.after : w.before;
    const matches = stored
      .filter(
        (y) =>
          y.side !== x.side &&
          y.key === key &&
          y.timestamp >= x.timestamp - lookBefore &&
          y.timestamp <= x.timestamp + lookAfter &&
          y.timestamp > streamTime - retention,
      )
      .sort((a, b) => a.timestamp - b.timestamp); // stable: arrival order within a timestamp
    for (const y of matches) {
      waiting = waiting.filter((p) => !(p.side === y.side && p.key === key && p.timestamp === y.timestamp));
      const joined = x.side === 'L' ? show(value, y.value) : show(y.value, value);
      out.push({ key, value: joined, timestamp: Math.max(x.timestamp, y.timestamp) });
    }
    if (matches.length === 0 && isOuter(x.side)) {
      if (type === 'inner' || x.timestamp + lookAfter < streamTime) {
        out.push({ key, value: nonJoined(x.side, value), timestamp: x.timestamp });
      } else {
        const p = waiting.find((e) => e.side === x.side && e.key === key && e.timestamp === x.timestamp);
        if (p !== undefined) p.values.push(value);
        else waiting.push({ side: x.side, key, timestamp: x.timestamp, values: [value] });
      }
    }
    // The join store drops a record that is already behind its retention.
    if (x.timestamp > streamTime - retention) stored.push({ ...x, key, value });
  }
  return out;
}

function joinWindows(w: Window): JoinWindows {
  return JoinWindows.ofTimeDifferenceAndGrace(w.after, w.grace).before(w.before);
}

async function runStreamJoin(
  type: JoinType,
  w: Window,
  inputs: readonly StreamInput[],
  props: Record<string, unknown> = {},
  storeType: 'persistent' | 'in-memory' = 'persistent',
): Promise<Out[]> {
  const b = new StreamsBuilder();
  const left = b.stream<string, string>('left', { keySerde: S, valueSerde: S });
  const right = b.stream<string, string>('right', { keySerde: S, valueSerde: S });
  const options = { storeType };
  const joined =
    type === 'inner'
      ? left.join(right, show, joinWindows(w), options)
      : type === 'left'
        ? left.leftJoin(right, show, joinWindows(w), options)
        : left.outerJoin(right, show, joinWindows(w), options);
  joined.to('joined', { valueSerde: S });
  const d = driverFor(b.build(), props);
  const topics = { L: d.createInputTopic('left', S, S), R: d.createInputTopic('right', S, S) };
  for (const x of inputs) await topics[x.side].pipeInput(x.key, x.value, x.timestamp);
  await d.settled();
  return outputs(d, 'joined');
}

/**
 * Records on both sides over a few keys, mostly in timestamp order; some arrive late — a little
 * (within the grace period) or a lot (beyond it) — and a few have no key or no value.
 */
function randomStreamInputs(seed: number, n: number, maxLateness: number): StreamInput[] {
  const rnd = new Random(seed);
  let t = 0;
  return Array.from({ length: n }, (_, i) => {
    t += rnd.int(0, 6);
    const late = rnd.chance(0.25) ? rnd.int(1, maxLateness) : 0;
    return {
      side: rnd.chance(0.5) ? 'L' : 'R',
      key: rnd.chance(0.03) ? null : rnd.pick(['a', 'b', 'c', 'd']),
      value: rnd.chance(0.03) ? null : `v${i}`,
      timestamp: Math.max(0, t - late),
    };
  });
}

const WINDOWS: [string, Window][] = [
  ['10 ms either way, no grace', { before: 10, after: 10, grace: 0 }],
  ['10 ms either way, 15 ms grace', { before: 10, after: 10, grace: 15 }],
  ['before 3 ms, after 20 ms, 5 ms grace', { before: 3, after: 20, grace: 5 }],
  ['only later right records (before 0, after 12), 4 ms grace', { before: 0, after: 12, grace: 4 }],
];

describe('stream-stream joins against the model', () => {
  for (const type of ['inner', 'left', 'outer'] as const) {
    for (const [name, w] of WINDOWS) {
      it(`${type} join, ${name}: out-of-order records within and beyond the grace period`, async () => {
        const inputs = randomStreamInputs(1000 + w.before * 7 + w.after * 3 + w.grace, 500, w.before + w.after + w.grace + 25);
        const expected = modelStreamJoin(type, w, inputs);
        // The inputs are rich enough to show every kind of result.
        expect(expected.filter((o) => o.value !== null && !o.value.includes('null')).length).toBeGreaterThan(50);
        if (type !== 'inner') expect(expected.filter((o) => o.value?.includes('null')).length).toBeGreaterThan(20);
        expect(await runStreamJoin(type, w, inputs)).toEqual(expected);
      });
    }
  }

  it('the same with in-memory join stores, and with caching off', async () => {
    const w = WINDOWS[2][1];
    const inputs = randomStreamInputs(77, 400, 40);
    expect(await runStreamJoin('outer', w, inputs, {}, 'in-memory')).toEqual(modelStreamJoin('outer', w, inputs));
    expect(await runStreamJoin('left', w, inputs, { 'statestore.cache.max.bytes': 0 })).toEqual(modelStreamJoin('left', w, inputs));
  });

  it('the model and the join agree on many seeds (small inputs, every join type)', async () => {
    for (let seed = 1; seed <= 12; seed++) {
      const w: Window = { before: seed % 4, after: (seed * 3) % 7, grace: seed % 3 };
      const inputs = randomStreamInputs(seed, 60, 12);
      for (const type of ['inner', 'left', 'outer'] as const) {
        expect({ seed, type, out: await runStreamJoin(type, w, inputs) }).toEqual({ seed, type, out: modelStreamJoin(type, w, inputs) });
      }
    }
  });
});

describe('stream-stream joins: timelines', () => {
  const L = (key: string | null, value: string | null, timestamp: number): StreamInput => ({ side: 'L', key, value, timestamp });
  const R = (key: string | null, value: string | null, timestamp: number): StreamInput => ({ side: 'R', key, value, timestamp });

  it('inner join: a pair joins when its later record arrives, at the later timestamp; records too far apart do not join', async () => {
    // window 10 ms either way:  L a1@100 ─ R a2@108 (joins) ─ R a3@111 (111-100 > 10: no) ─ L a4@115 (joins a2, a3)
    const w = { before: 10, after: 10, grace: 0 };
    const inputs = [L('a', 'a1', 100), R('a', 'a2', 108), R('a', 'a3', 111), L('a', 'a4', 115), R('b', 'b1', 116)];
    const expected = [
      { key: 'a', value: 'a1+a2', timestamp: 108 },
      { key: 'a', value: 'a4+a2', timestamp: 115 },
      { key: 'a', value: 'a4+a3', timestamp: 115 },
    ];
    expect(modelStreamJoin('inner', w, inputs)).toEqual(expected);
    expect(await runStreamJoin('inner', w, inputs)).toEqual(expected);
  });

  it('left join: a left record that joins nothing is emitted only once stream time passes its timestamp + after + grace', async () => {
    // window 10 ms, grace 5:  L x@100 waits until stream time > 115; R x@112 comes too late for it (112 > 110)
    const w = { before: 10, after: 10, grace: 5 };
    const d = await (async () => {
      const b = new StreamsBuilder();
      b.stream<string, string>('left', { keySerde: S, valueSerde: S })
        .leftJoin(b.stream<string, string>('right', { keySerde: S, valueSerde: S }), show, joinWindows(w))
        .to('joined', { valueSerde: S });
      return driverFor(b.build());
    })();
    const left = d.createInputTopic('left', S, S);
    const right = d.createInputTopic('right', S, S);
    await left.pipeInput('x', 'x1', 100);
    await right.pipeInput('x', 'x2', 112);
    await left.pipeInput('y', 'y1', 115);
    expect(outputs(d, 'joined')).toEqual([]); // 115 is not past 100 + 10 + 5
    await right.pipeInput('z', 'z1', 116);
    expect(outputs(d, 'joined')).toEqual([{ key: 'x', value: 'x1+null', timestamp: 100 }]);
    // y1's window closes at 130; right records within it, in order or not, still join it, and y1 is never emitted alone.
    await right.pipeInput('y', 'y2', 120);
    await right.pipeInput('y', 'y3', 110);
    await left.pipeInput('z', 'z2', 200); // closes nothing that waits; z2 itself waits (its window ends at 210)
    expect(outputs(d, 'joined')).toEqual([
      { key: 'y', value: 'y1+y2', timestamp: 120 },
      { key: 'y', value: 'y1+y3', timestamp: 115 },
    ]);
  });

  it('outer join: unmatched records of both sides come out once closed, in timestamp order, right before left', async () => {
    // 5 ms either way, grace 5: a record's window closes when stream time passes its timestamp + 10.
    const w = { before: 5, after: 5, grace: 5 };
    const inputs = [L('k', 'l1', 10), R('k', 'r1', 20), L('m', 'l2', 20), R('p', 'r0', 20), R('q', 'r2', 30), L('k', 'l3', 24), R('z', 'r3', 40)];
    // At 30 only l1 has closed. l3@24 is out of order but within the grace period: it joins r1 (20 >= 24 - 5),
    // so r1 is never emitted alone. At 40, r0 and l2 (both at 20) have closed: right first.
    const expected = [
      { key: 'k', value: 'l1+null', timestamp: 10 },
      { key: 'k', value: 'l3+r1', timestamp: 24 },
      { key: 'p', value: 'null+r0', timestamp: 20 },
      { key: 'm', value: 'l2+null', timestamp: 20 },
    ];
    expect(modelStreamJoin('outer', w, inputs)).toEqual(expected);
    expect(await runStreamJoin('outer', w, inputs)).toEqual(expected);
  });

  it('a record later than the window plus grace finds nothing (its partners are expired) and, in a left join, is emitted at once', async () => {
    const w = { before: 10, after: 10, grace: 10 };
    // retention 30: at stream time 200, records at or below 170 are gone.
    const inputs = [R('a', 'r1', 165), R('a', 'r2', 175), R('b', 'r3', 200), L('a', 'l1', 168)];
    const expected = [{ key: 'a', value: 'l1+r2', timestamp: 175 }];
    expect(modelStreamJoin('left', w, inputs)).toEqual(expected);
    expect(await runStreamJoin('left', w, inputs)).toEqual(expected);
    const alone = [R('b', 'r3', 200), L('a', 'l1', 150)];
    expect(await runStreamJoin('left', w, alone)).toEqual([{ key: 'a', value: 'l1+null', timestamp: 150 }]);
  });

  it('keyless records: dropped by an inner join, emitted at once by the outer side of a left or outer join; valueless records are dropped', async () => {
    const w = { before: 10, after: 10, grace: 0 };
    const inputs = [L(null, 'l1', 5), R(null, 'r1', 6), L('a', null, 7), R('a', 'r2', 8), L('a', 'l2', 9)];
    expect(await runStreamJoin('inner', w, inputs)).toEqual([{ key: 'a', value: 'l2+r2', timestamp: 9 }]);
    expect(await runStreamJoin('left', w, inputs)).toEqual([
      { key: null, value: 'l1+null', timestamp: 5 },
      { key: 'a', value: 'l2+r2', timestamp: 9 },
    ]);
    expect(await runStreamJoin('outer', w, inputs)).toEqual([
      { key: null, value: 'l1+null', timestamp: 5 },
      { key: null, value: 'null+r1', timestamp: 6 },
      { key: 'a', value: 'l2+r2', timestamp: 9 },
    ]);
  });

  it("a self-join (both sides the same stream) joins each record with itself once, in Kafka Streams' order", async () => {
    const b = new StreamsBuilder();
    const s = b.stream<string, string>('events', { keySerde: S, valueSerde: S });
    s.join(s, show, JoinWindows.ofTimeDifferenceWithNoGrace(5)).to('pairs', { valueSerde: S });
    const d = driverFor(b.build());
    const input = d.createInputTopic('events', S, S);
    await input.pipeInput('k', 'e1', 10);
    await input.pipeInput('k', 'e2', 12);
    // e1: the left side finds nothing yet, the right side finds e1 on the left. e2: left finds e1, e2
    // (no: e2 is not yet on the right when the left side looks) — left finds e1; right finds e1, e2.
    expect(outputs(d, 'pairs')).toEqual([
      { key: 'k', value: 'e1+e1', timestamp: 10 },
      { key: 'k', value: 'e2+e1', timestamp: 12 },
      { key: 'k', value: 'e1+e2', timestamp: 12 },
      { key: 'k', value: 'e2+e2', timestamp: 12 },
    ]);
  });

  it('two branches of one stream joined: the same record reaches both sides in one pass and pairs with itself exactly once', async () => {
    const b = new StreamsBuilder();
    const s = b.stream<string, string>('events', { keySerde: S, valueSerde: S });
    s.filter((_k, v) => v.startsWith('x'))
      .leftJoin(
        s.mapValues((v) => v.toUpperCase()),
        show,
        JoinWindows.ofTimeDifferenceWithNoGrace(5),
        { otherValueSerde: S },
      )
      .to('pairs', { valueSerde: S });
    const d = driverFor(b.build());
    const input = d.createInputTopic('events', S, S);
    await input.pipeInput('k', 'x1', 10);
    await input.pipeInput('k', 'y1', 11);
    expect(outputs(d, 'pairs')).toEqual([
      { key: 'k', value: 'x1+X1', timestamp: 10 },
      { key: 'k', value: 'x1+Y1', timestamp: 11 },
    ]);
  });

  it('a key-changed stream is repartitioned before the join, and joins by its new key', async () => {
    const b = new StreamsBuilder();
    const clicks = b.stream<string, string>('clicks', { keySerde: S, valueSerde: S }).selectKey((_k, v) => v.split(':')[0]);
    const views = b.stream<string, string>('views', { keySerde: S, valueSerde: S });
    clicks.join(views, show, JoinWindows.ofTimeDifferenceWithNoGrace(100), { keySerde: S, valueSerde: S }).to('joined', { valueSerde: S });
    const t = b.build();
    expect([...t.internalTopics.keys()]).toEqual(['KSTREAM-KEY-SELECT-0000000001-repartition']);
    expect(t.copartitionGroups).toEqual([['KSTREAM-KEY-SELECT-0000000001-repartition', 'views']]);
    const d = driverFor(t);
    await d.createInputTopic('views', S, S).pipeInput('page-1', 'view', 10);
    await d.createInputTopic('clicks', S, S).pipeInput('user-7', 'page-1:button', 20);
    expect(outputs(d, 'joined')).toEqual([{ key: 'page-1', value: 'page-1:button+view', timestamp: 20 }]);
  });

  it('keeps both sides in window stores with duplicates, for the window size plus grace', async () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('left', { keySerde: S, valueSerde: S })
      .join(b.stream<string, string>('right', { keySerde: S, valueSerde: S }), show, JoinWindows.ofTimeDifferenceAndGrace(10, 5), { storeName: 'j' })
      .to('joined', { valueSerde: S });
    const d = driverFor(b.build());
    const left = d.createInputTopic('left', S, S);
    await left.pipeInput('a', 'a1', 100);
    await left.pipeInput('a', 'a2', 100);
    await left.pipeInput('a', 'a3', 120);
    const store = d.getStateStore('j-this-join-store') as unknown as {
      fetchRange(k: string, f: number, t: number): AsyncIterable<{ key: number; value: string }>;
    };
    expect(await collect(store.fetchRange('a', 0, 1000))).toEqual([
      { key: 100, value: 'a1' },
      { key: 100, value: 'a2' },
      { key: 120, value: 'a3' },
    ]);
    await left.pipeInput('b', 'b1', 126); // retention 25: 100 is now expired
    expect(await collect(store.fetchRange('a', 0, 1000))).toEqual([{ key: 120, value: 'a3' }]);
  });
});

// ---------------------------------------------------------------------------------------------
// Stream-table and stream-global-table joins
// ---------------------------------------------------------------------------------------------

interface Event {
  kind: 'stream' | 'table';
  key: string | null;
  value: string | null;
  timestamp: number;
}

function randomStreamTableEvents(seed: number, n: number): Event[] {
  const rnd = new Random(seed);
  let t = 0;
  return Array.from({ length: n }, (_, i) => {
    t += rnd.int(0, 5);
    const table = rnd.chance(0.4);
    const late = rnd.chance(0.2) ? rnd.int(0, 10) : 0;
    return {
      kind: table ? 'table' : 'stream',
      key: rnd.chance(0.04) ? null : rnd.pick(['k1', 'k2', 'k3', 'k4', 'k5']),
      value: rnd.chance(table ? 0.2 : 0.04) ? null : `${table ? 't' : 's'}${i}`,
      timestamp: Math.max(0, t - late),
    };
  });
}

/** The stream records joined with the table's row at their arrival: `lookup` maps the table's rows to what the join sees. */
function modelStreamTable(events: readonly Event[], left: boolean, lookup: (row: string | undefined, key: string) => string | undefined = (row) => row): Out[] {
  const table = new Map<string, string>();
  const out: Out[] = [];
  for (const e of events) {
    if (e.kind === 'table') {
      if (e.key === null) continue;
      if (e.value === null) table.delete(e.key);
      else table.set(e.key, e.value);
      continue;
    }
    if (e.value === null) continue;
    if (e.key === null) {
      if (left) out.push({ key: null, value: show(e.value, null), timestamp: e.timestamp });
      continue;
    }
    const row = lookup(table.get(e.key), e.key);
    if (row === undefined && !left) continue;
    out.push({ key: e.key, value: show(e.value, row ?? null), timestamp: e.timestamp });
  }
  return out;
}

async function pipeEvents(d: TopologyTestDriver, events: readonly Event[], streamTopic = 'stream', tableTopic = 'table'): Promise<void> {
  const stream = d.createInputTopic(streamTopic, S, S);
  const table = d.createInputTopic(tableTopic, S, S);
  for (const e of events) await (e.kind === 'stream' ? stream : table).pipeInput(e.key, e.value, e.timestamp);
  await d.settled();
}

describe.each(CACHING)('stream-table joins (%s)', (_name, props) => {
  it("join and leftJoin: each stream record joins the table's row at its arrival; table updates emit nothing", async () => {
    const events = randomStreamTableEvents(5, 600);
    const b = new StreamsBuilder();
    const stream = b.stream<string, string>('stream', { keySerde: S, valueSerde: S });
    const table = b.table<string, string>('table', { keySerde: S, valueSerde: S });
    stream.join(table, show).to('inner', { valueSerde: S });
    stream.leftJoin(table, show).to('left', { valueSerde: S });
    const t = b.build();
    expect(t.copartitionGroups).toEqual([['stream', 'table']]);
    const d = driverFor(t, props);
    await pipeEvents(d, events);
    const inner = modelStreamTable(events, false);
    expect(inner.length).toBeGreaterThan(150);
    expect(outputs(d, 'inner')).toEqual(inner);
    expect(outputs(d, 'left')).toEqual(modelStreamTable(events, true));
  });

  it("against tables that are not materialized — a filter and a mapValues of the table — looked up through the table's store", async () => {
    const events = randomStreamTableEvents(6, 500);
    const b = new StreamsBuilder();
    const stream = b.stream<string, string>('stream', { keySerde: S, valueSerde: S });
    const table = b.table<string, string>('table', { keySerde: S, valueSerde: S });
    const even = (v: string): boolean => Number(v.slice(1)) % 2 === 0;
    const filtered = table.filter((_k, v) => even(v));
    const mapped = filtered.mapValues((v, k) => `${k}/${v.toUpperCase()}`);
    expect([filtered.queryableStoreName, mapped.queryableStoreName]).toEqual([null, null]);
    stream.join(filtered, show).to('filtered', { valueSerde: S });
    stream.leftJoin(mapped, show).to('mapped', { valueSerde: S });
    const t = b.build();
    // The joins read the source table's store: they are in the table's sub-topology.
    expect(t.subtopologies()).toHaveLength(1);
    const d = driverFor(t, props);
    await pipeEvents(d, events);
    expect(outputs(d, 'filtered')).toEqual(modelStreamTable(events, false, (row) => (row !== undefined && even(row) ? row : undefined)));
    expect(outputs(d, 'mapped')).toEqual(
      modelStreamTable(events, true, (row, k) => (row !== undefined && even(row) ? `${k}/${row.toUpperCase()}` : undefined)),
    );
  });

  it('a key-changed stream is repartitioned (named after the join) before it looks the table up by its new key', async () => {
    const b = new StreamsBuilder();
    const orders = b.stream<string, string>('orders', { keySerde: S, valueSerde: S }).selectKey((_id, order) => order.split(',')[0]);
    const customers = b.table<string, string>('customers', { keySerde: S, valueSerde: S });
    orders.leftJoin(customers, show, { name: 'orders-by-customer', keySerde: S, valueSerde: S }).to('enriched', { valueSerde: S });
    const t = b.build();
    expect([...t.internalTopics.keys()]).toEqual(['orders-by-customer-repartition']);
    expect(t.copartitionGroups).toEqual([['customers', 'orders-by-customer-repartition']]);
    const d = driverFor(t, props);
    const o = d.createInputTopic('orders', S, S);
    const c = d.createInputTopic('customers', S, S);
    await c.pipeInput('ann', 'Oslo', 1);
    await o.pipeInput('o1', 'ann,book', 2);
    await o.pipeInput('o2', 'bob,pen', 3);
    await c.pipeInput('ann', 'Rome', 4);
    await o.pipeInput('o3', 'ann,ink', 5);
    await c.pipeInput('ann', null, 6);
    await o.pipeInput('o4', 'ann,cup', 7);
    expect(outputs(d, 'enriched')).toEqual([
      { key: 'ann', value: 'ann,book+Oslo', timestamp: 2 },
      { key: 'bob', value: 'bob,pen+null', timestamp: 3 },
      { key: 'ann', value: 'ann,ink+Rome', timestamp: 5 },
      { key: 'ann', value: 'ann,cup+null', timestamp: 7 },
    ]);
  });
});

describe('stream-GlobalKTable joins', () => {
  it('look the global table up by the key the selector takes from the record: join drops records without a row, leftJoin joins them with null', async () => {
    const rnd = new Random(9);
    const b = new StreamsBuilder();
    const orders = b.stream<string, string>('orders', { keySerde: S, valueSerde: S });
    const products = b.globalTable<string, string>('products', { keySerde: S, valueSerde: S, storeName: 'products' });
    const productOf = (_orderId: string, order: string): string => order.split('@')[0];
    orders.join(products, productOf, show).to('inner', { valueSerde: S });
    orders.leftJoin(products, productOf, show).to('left', { valueSerde: S });
    const t = b.build();
    expect(t.copartitionGroups).toEqual([]);
    const d = driverFor(t);
    const o = d.createInputTopic('orders', S, S);
    const p = d.createInputTopic('products', S, S);
    const catalogue = new Map<string, string>();
    const inner: Out[] = [];
    const left: Out[] = [];
    for (let i = 0; i < 400; i++) {
      const product = rnd.pick(['pen', 'ink', 'cup', 'mug']);
      if (rnd.chance(0.3)) {
        const price = rnd.chance(0.25) ? null : `${rnd.int(1, 99)}€`;
        await p.pipeInput(product, price, i);
        if (price === null) catalogue.delete(product);
        else catalogue.set(product, price);
      } else {
        const order = `${product}@${i}`;
        await o.pipeInput(`o${i}`, order, i);
        const row = catalogue.get(product);
        if (row !== undefined) inner.push({ key: `o${i}`, value: show(order, row), timestamp: i });
        left.push({ key: `o${i}`, value: show(order, row ?? null), timestamp: i });
      }
    }
    expect(inner.length).toBeGreaterThan(100);
    expect(outputs(d, 'inner')).toEqual(inner);
    expect(outputs(d, 'left')).toEqual(left);
  });

  it('a record whose selector gives no key is dropped, also by leftJoin; a keyless record is joined by leftJoin', async () => {
    const b = new StreamsBuilder();
    const orders = b.stream<string, string>('orders', { keySerde: S, valueSerde: S });
    const products = b.globalTable<string, string>('products', { keySerde: S, valueSerde: S });
    const selector = (_k: string, v: string): string => (v.includes('@') ? v.split('@')[0] : (null as unknown as string));
    orders.leftJoin(products, selector, show).to('left', { valueSerde: S });
    const d = driverFor(b.build());
    await d.createInputTopic('products', S, S).pipeInput('pen', '2€', 0);
    const o = d.createInputTopic('orders', S, S);
    await o.pipeInput('o1', 'no-product', 1);
    await o.pipeInput(null, 'pen@x', 2);
    await o.pipeInput('o3', 'pen@y', 3);
    expect(outputs(d, 'left')).toEqual([
      { key: null, value: 'pen@x+2€', timestamp: 2 },
      { key: 'o3', value: 'pen@y+2€', timestamp: 3 },
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// Table-table joins
// ---------------------------------------------------------------------------------------------

interface TableUpdate {
  side: 'L' | 'R';
  key: string;
  value: string | null;
  timestamp: number;
}

function randomTableUpdates(seed: number, n: number): TableUpdate[] {
  const rnd = new Random(seed);
  let t = 0;
  return Array.from({ length: n }, (_, i) => {
    t += rnd.int(0, 4);
    const side = rnd.chance(0.5) ? 'L' : 'R';
    return {
      side,
      key: rnd.pick(['a', 'b', 'c', 'd', 'e']),
      value: rnd.chance(0.25) ? null : `${side.toLowerCase()}${i}`,
      timestamp: rnd.chance(0.15) ? Math.max(0, t - rnd.int(1, 20)) : t,
    };
  });
}

/**
 * The joined table of two tables, update by update: the joined row of a key exists for an inner join
 * when both sides have one, for a left join when the left side has one, for an outer join when
 * either has one. An update is sent on when the key has a joined row before or after it, with the
 * new joined row (null: deleted) and the larger of the update's and the other side's row's timestamp.
 * `leftView` / `rightView` turn a side's rows into what the join sees (a filter, a mapValues).
 */
function modelTableJoin(
  type: JoinType,
  updates: readonly TableUpdate[],
  leftView: (v: string) => string | null = (v) => v,
  rightView: (v: string) => string | null = (v) => v,
): { out: Out[]; final: Map<string, string> } {
  const rows = { L: new Map<string, { value: string; timestamp: number }>(), R: new Map<string, { value: string; timestamp: number }>() };
  const view = (side: 'L' | 'R', key: string): { value: string; timestamp: number } | undefined => {
    const row = rows[side].get(key);
    if (row === undefined) return undefined;
    const v = (side === 'L' ? leftView : rightView)(row.value);
    return v === null ? undefined : { value: v, timestamp: row.timestamp };
  };
  const joinedRow = (key: string): string | undefined => {
    const l = view('L', key);
    const r = view('R', key);
    const exists = type === 'inner' ? l !== undefined && r !== undefined : type === 'left' ? l !== undefined : l !== undefined || r !== undefined;
    return exists ? show(l?.value ?? null, r?.value ?? null) : undefined;
  };
  const out: Out[] = [];
  for (const u of updates) {
    const before = view(u.side, u.key);
    const joinedBefore = joinedRow(u.key);
    if (u.value === null) rows[u.side].delete(u.key);
    else rows[u.side].set(u.key, { value: u.value, timestamp: u.timestamp });
    const after = view(u.side, u.key);
    // A change this side's table does not pass on (nothing before, nothing after) reaches no join.
    if (before === undefined && after === undefined) continue;
    const joinedAfter = joinedRow(u.key);
    if (joinedBefore === undefined && joinedAfter === undefined) continue;
    const other = view(u.side === 'L' ? 'R' : 'L', u.key);
    out.push({ key: u.key, value: joinedAfter ?? null, timestamp: Math.max(u.timestamp, other?.timestamp ?? -1) });
  }
  const final = new Map<string, string>();
  for (const key of new Set([...rows.L.keys(), ...rows.R.keys()])) {
    const j = joinedRow(key);
    if (j !== undefined) final.set(key, j);
  }
  return { out, final };
}

async function pipeTableUpdates(d: TopologyTestDriver, updates: readonly TableUpdate[]): Promise<void> {
  const topics = { L: d.createInputTopic('left', S, S), R: d.createInputTopic('right', S, S) };
  for (const u of updates) await topics[u.side].pipeInput(u.key, u.value, u.timestamp);
  await d.settled();
}

describe.each(CACHING)('table-table joins (%s)', (_name, props) => {
  for (const type of ['inner', 'left', 'outer'] as const) {
    it(`${type} join: updates and deletions (null values) of both sides, the result table materialized and queried`, async () => {
      const updates = randomTableUpdates(type.length * 31, 500);
      const b = new StreamsBuilder();
      const left = b.table<string, string>('left', { keySerde: S, valueSerde: S });
      const right = b.table<string, string>('right', { keySerde: S, valueSerde: S });
      const options = { storeName: 'joined', valueSerde: S };
      const joined =
        type === 'inner' ? left.join(right, show, options) : type === 'left' ? left.leftJoin(right, show, options) : left.outerJoin(right, show, options);
      joined.toStream().to('joined', { valueSerde: S });
      const d = driverFor(b.build(), props);
      await pipeTableUpdates(d, updates);
      const model = modelTableJoin(type, updates);
      expect(model.out.filter((o) => o.value === null).length).toBeGreaterThan(20);
      expect(outputs(d, 'joined')).toEqual(model.out);
      const store = d.getKeyValueStore<string, string>('joined');
      const rows = await collect(store.all());
      expect(new Map(rows.map((r) => [r.key, r.value]))).toEqual(model.final);
    });
  }

  it('joins through unmaterialized tables (a filter on one side, a mapValues on the other), and a join result joined again', async () => {
    const updates = randomTableUpdates(4242, 500);
    const b = new StreamsBuilder();
    const left = b.table<string, string>('left', { keySerde: S, valueSerde: S });
    const right = b.table<string, string>('right', { keySerde: S, valueSerde: S });
    const odd = (v: string): boolean => Number(v.slice(1)) % 2 === 1;
    const leftView = left.filter((_k, v) => odd(v));
    const rightView = right.mapValues((v) => v.toUpperCase());
    const first = leftView.leftJoin(rightView, show);
    first.toStream().to('first', { valueSerde: S });
    // The unmaterialized join is looked up through both tables' stores when the right side changes.
    first
      .join(right, (j, r) => `${j}|${r}`)
      .toStream()
      .to('second', { valueSerde: S });
    const d = driverFor(b.build(), props);
    await pipeTableUpdates(d, updates);
    const model = modelTableJoin(
      'left',
      updates,
      (v) => (odd(v) ? v : null),
      (v) => v.toUpperCase(),
    );
    expect(outputs(d, 'first')).toEqual(model.out);
    // The second join: the first join's rows (a table) inner-joined with the right table.
    const second: Out[] = [];
    const rowsL = new Map<string, { value: string; timestamp: number }>();
    const rowsR = new Map<string, { value: string; timestamp: number }>();
    const firstRow = (k: string): { value: string; timestamp: number } | undefined => {
      const l = rowsL.get(k);
      if (l === undefined || !odd(l.value)) return undefined;
      const r = rowsR.get(k);
      return { value: show(l.value, r === undefined ? null : r.value.toUpperCase()), timestamp: Math.max(l.timestamp, r?.timestamp ?? -1) };
    };
    for (const u of updates) {
      const rows = u.side === 'L' ? rowsL : rowsR;
      const firstBefore = firstRow(u.key);
      const rightBefore = rowsR.get(u.key);
      if (u.value === null) rows.delete(u.key);
      else rows.set(u.key, { value: u.value, timestamp: u.timestamp });
      const firstAfter = firstRow(u.key);
      const rightAfter = rowsR.get(u.key);
      const value = firstAfter !== undefined && rightAfter !== undefined ? `${firstAfter.value}|${rightAfter.value}` : null;
      if (u.side === 'L') {
        // Through the first join (when the filtered left table changed) to the second join's left side,
        // which needs a right row.
        if (firstBefore === undefined && firstAfter === undefined) continue;
        if (rightAfter === undefined) continue;
        second.push({ key: u.key, value, timestamp: Math.max(u.timestamp, rightAfter.timestamp) });
        continue;
      }
      if (rightBefore === undefined && rightAfter === undefined) continue; // the right table sends nothing
      const leftRow = rowsL.get(u.key);
      // First through the mapValues and the first join (which needs a left row) to the second join's
      // left side (which needs a right row) ...
      if (leftRow !== undefined && odd(leftRow.value) && rightAfter !== undefined) {
        second.push({ key: u.key, value, timestamp: Math.max(u.timestamp, leftRow.timestamp) });
      }
      // ... then to the second join's right side, which looks the first join up (a left row needed).
      if (firstAfter !== undefined) second.push({ key: u.key, value, timestamp: Math.max(u.timestamp, firstAfter.timestamp) });
    }
    expect(outputs(d, 'second')).toEqual(second);
  });

  it('a deletion that removes the joined row is a tombstone downstream; a deletion of a key the join never had sends nothing', async () => {
    const b = new StreamsBuilder();
    b.table<string, string>('left', { keySerde: S, valueSerde: S })
      .join(b.table<string, string>('right', { keySerde: S, valueSerde: S }), show)
      .toStream()
      .to('joined', { valueSerde: S });
    const d = driverFor(b.build(), props);
    const l = d.createInputTopic('left', S, S);
    const r = d.createInputTopic('right', S, S);
    await l.pipeInput('a', 'l1', 1);
    await r.pipeInput('b', 'r1', 2);
    await l.pipeInput('b', 'l2', 3);
    await r.pipeInput('a', 'r2', 4);
    await l.pipeInput('a', null, 5);
    await r.pipeInput('b', null, 6);
    await r.pipeInput('a', null, 7);
    expect(outputs(d, 'joined')).toEqual([
      { key: 'b', value: 'l2+r1', timestamp: 3 },
      { key: 'a', value: 'l1+r2', timestamp: 4 },
      { key: 'a', value: null, timestamp: 5 },
      { key: 'b', value: null, timestamp: 6 },
    ]);
  });
});

describe('KTable value getters', () => {
  it('look windowed tables up in their window stores: two windowed counts joined per window', async () => {
    const b = new StreamsBuilder();
    const counts = (topic: string): KTable<Windowed<string>, number> =>
      b.stream<string, string>(topic, { keySerde: S, valueSerde: S }).groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(10)).count();
    const clicks = counts('clicks');
    const views = counts('views');
    clicks
      .join(views, (c, v) => `${c}/${v}`)
      .toStream()
      .map((w, ratio): [string, string] => [`${w.key}@${w.window.start}`, ratio])
      .to('ratios', { keySerde: S, valueSerde: S });
    const d = driverFor(b.build(), { 'statestore.cache.max.bytes': 0 });
    const c = d.createInputTopic('clicks', S, S);
    const v = d.createInputTopic('views', S, S);
    const events: [typeof c, string, number][] = [
      [v, 'p', 1],
      [v, 'p', 2],
      [c, 'p', 3],
      [v, 'q', 4],
      [c, 'p', 12],
      [v, 'p', 15],
      [c, 'q', 8],
    ];
    for (const [topic, key, ts] of events) await topic.pipeInput(key, 'x', ts);
    // Model: per (key, window start), the counts of both sides after each event; a result when both
    // exist. A record for a window that stream time has closed (no grace) is dropped.
    const n = { clicks: new Map<string, number>(), views: new Map<string, number>() };
    const expected: Out[] = [];
    let streamTime = -1;
    for (const [topic, key, ts] of events) {
      streamTime = Math.max(streamTime, ts);
      const side = topic === c ? 'clicks' : 'views';
      const start = Math.floor(ts / 10) * 10;
      if (start + 10 <= streamTime) continue;
      const w = `${key}@${start}`;
      n[side].set(w, (n[side].get(w) ?? 0) + 1);
      const cv = n.clicks.get(w);
      const vv = n.views.get(w);
      if (cv !== undefined && vv !== undefined) expected.push({ key: w, value: `${cv}/${vv}`, timestamp: ts });
    }
    expect(outputs(d, 'ratios').map(({ key, value }) => ({ key, value }))).toEqual(expected.map(({ key, value }) => ({ key, value })));
  });

  it('refuse a join with a table that cannot be looked up', () => {
    const b = new StreamsBuilder();
    const s = b.stream<string, string>('s', { keySerde: S, valueSerde: S });
    const t = b.table<string, string>('t', { keySerde: S, valueSerde: S });
    // A table with neither a store nor a way to compute its rows (as a table made by a processor would be).
    const bare = new KTable<string, string>(t.builder, t.nodeName, S, S, null);
    expect(() => s.join(bare, show)).toThrow(/cannot be looked up by a join: materialize it/);
    expect(() => bare.join(t, show)).toThrow(/cannot be looked up by a join/);
  });
});

// ---------------------------------------------------------------------------------------------
// Foreign-key table-table joins
// ---------------------------------------------------------------------------------------------

interface FkUpdate {
  side: 'orders' | 'customers';
  key: string;
  /** orders: `<item>|<customer>` (customer may be empty: no foreign key); customers: a city. */
  value: string | null;
  timestamp: number;
}

function randomFkUpdates(seed: number, n: number): FkUpdate[] {
  const rnd = new Random(seed);
  const customers = ['ann', 'bob', 'cid', 'dee', 'eve'];
  return Array.from({ length: n }, (_, i) => {
    if (rnd.chance(0.35)) return { side: 'customers', key: rnd.pick(customers), value: rnd.chance(0.25) ? null : `city${i}`, timestamp: i };
    const customer = rnd.chance(0.08) ? '' : rnd.pick(customers);
    return { side: 'orders', key: `o${rnd.int(1, 12)}`, value: rnd.chance(0.15) ? null : `item${i}|${customer}`, timestamp: i };
  });
}

/** The join table recomputed from both tables: each order with its customer's row (or null, for a left join). */
function modelFkJoin(orders: ReadonlyMap<string, string>, customers: ReadonlyMap<string, string>, left: boolean): Map<string, string> {
  const out = new Map<string, string>();
  for (const [id, order] of orders) {
    const customer = order.split('|')[1];
    const city = customer === '' ? undefined : customers.get(customer);
    if (city !== undefined) out.set(id, show(order, city));
    else if (left) out.set(id, show(order, null));
  }
  return out;
}

describe.each(CACHING)('foreign-key table-table joins (%s)', (_name, props) => {
  for (const left of [false, true]) {
    it(`${left ? 'leftJoin' : 'join'}: after every update of either table, the result table and its changes equal the join of the current rows`, async () => {
      const updates = randomFkUpdates(left ? 8 : 7, 400);
      const b = new StreamsBuilder();
      const orders = b.table<string, string>('orders', { keySerde: S, valueSerde: S });
      const customers = b.table<string, string>('customers', { keySerde: S, valueSerde: S });
      const customerOf = (order: string): string => (order.split('|')[1] === '' ? (null as unknown as string) : order.split('|')[1]);
      const joined = left
        ? orders.leftJoin(customers, customerOf, show, { storeName: 'orders-with-cities', valueSerde: S })
        : orders.join(customers, customerOf, show, { storeName: 'orders-with-cities', valueSerde: S });
      joined.toStream().to('joined', { valueSerde: S });
      const t = b.build();
      expect([...t.internalTopics.keys()]).toEqual([
        'KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000006-topic',
        'KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-0000000014-topic',
      ]);
      expect(t.copartitionGroups).toEqual([
        ['KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000006-topic', 'customers'],
        ['KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-0000000014-topic', 'orders'],
      ]);
      const d = driverFor(t, props);
      const inputs = { orders: d.createInputTopic('orders', S, S), customers: d.createInputTopic('customers', S, S) };
      const out = d.createOutputTopic('joined', S, S);
      const store = d.getKeyValueStore<string, string>('orders-with-cities');
      const tables = { orders: new Map<string, string>(), customers: new Map<string, string>() };
      const seen = new Map<string, string>();
      let changes = 0;
      for (const u of updates) {
        await inputs[u.side].pipeInput(u.key, u.value, u.timestamp);
        if (u.value === null) tables[u.side].delete(u.key);
        else tables[u.side].set(u.key, u.value);
        const expected = modelFkJoin(tables.orders, tables.customers, left);
        for (const r of out.readRecordsToList()) {
          changes++;
          if (r.value === null) seen.delete(r.key as string);
          else seen.set(r.key as string, r.value);
        }
        expect(seen).toEqual(expected);
        expect(new Map((await collect(store.all())).map((r) => [r.key, r.value]))).toEqual(expected);
      }
      expect(changes).toBeGreaterThan(150);
    });
  }

  it("a customer's update reaches all of its orders; an order moved to another customer leaves the old one; deletions are tombstones", async () => {
    const b = new StreamsBuilder();
    const orders = b.table<string, string>('orders', { keySerde: S, valueSerde: S });
    const customers = b.table<string, string>('customers', { keySerde: S, valueSerde: S });
    orders
      .join(customers, (order) => order.split('|')[1], show, { valueSerde: S })
      .toStream()
      .to('joined', { valueSerde: S });
    const d = driverFor(b.build(), props);
    const o = d.createInputTopic('orders', S, S);
    const c = d.createInputTopic('customers', S, S);
    const out = d.createOutputTopic('joined', S, S);
    await c.pipeInput('ann', 'Oslo', 1);
    await c.pipeInput('bob', 'Rome', 2);
    await c.pipeInput('cid', 'Lima', 3); // nobody's customer: never in a result
    expect(out.readKeyValuesToList()).toEqual([]);
    await o.pipeInput('o1', 'pen|ann', 4);
    await o.pipeInput('o2', 'ink|ann', 5);
    await o.pipeInput('o3', 'cup|bob', 6);
    await o.pipeInput('o4', 'mug|zed', 7); // no such customer: no result (an inner join)
    expect(out.readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['o1', 'pen|ann+Oslo', 4],
      ['o2', 'ink|ann+Oslo', 5],
      ['o3', 'cup|bob+Rome', 6],
    ]);
    await c.pipeInput('ann', 'Bergen', 8);
    expect(out.readKeyValuesToMap()).toEqual(
      new Map([
        ['o1', 'pen|ann+Bergen'],
        ['o2', 'ink|ann+Bergen'],
      ]),
    );
    await o.pipeInput('o2', 'ink|bob', 9);
    await c.pipeInput('ann', 'Tromsø', 10); // o2 no longer follows ann
    expect(out.readKeyValuesToList()).toEqual([
      { key: 'o2', value: 'ink|bob+Rome' },
      { key: 'o1', value: 'pen|ann+Tromsø' },
    ]);
    await c.pipeInput('bob', null, 11);
    await o.pipeInput('o1', null, 12);
    expect(out.readKeyValuesToList()).toEqual([
      { key: 'o2', value: null },
      { key: 'o3', value: null },
      { key: 'o1', value: null },
    ]);
  });

  it('the timeline in docs/streams.md: a move to another customer, customers updated and created', async () => {
    const run = async (left: boolean): Promise<string[]> => {
      const b = new StreamsBuilder();
      const orders = b.table<string, string>('orders', { keySerde: S, valueSerde: S });
      const customers = b.table<string, string>('customers', { keySerde: S, valueSerde: S });
      const joined = left ? orders.leftJoin(customers, (o) => o, show, { valueSerde: S }) : orders.join(customers, (o) => o, show, { valueSerde: S });
      joined.toStream().to('out', { valueSerde: S });
      const d = driverFor(b.build(), props);
      const c = d.createInputTopic('customers', S, S);
      const o = d.createInputTopic('orders', S, S);
      await c.pipeInput('ann', 'Oslo', 1);
      await o.pipeInput('o1', 'ann', 2);
      await o.pipeInput('o2', 'ann', 3);
      await o.pipeInput('o3', 'bob', 4);
      await c.pipeInput('ann', 'Bergen', 5);
      await o.pipeInput('o2', 'bob', 6);
      await c.pipeInput('bob', 'Rome', 8);
      return outputs(d, 'out').map((r) => `${r.key}:${r.value}@${r.timestamp}`);
    };
    expect(await run(false)).toEqual(['o1:ann+Oslo@2', 'o2:ann+Oslo@3', 'o1:ann+Bergen@5', 'o2:ann+Bergen@5', 'o2:null@6', 'o2:bob+Rome@8', 'o3:bob+Rome@8']);
    expect(await run(true)).toEqual([
      'o1:ann+Oslo@2',
      'o2:ann+Oslo@3',
      'o3:bob+null@4',
      'o1:ann+Bergen@5',
      'o2:ann+Bergen@5',
      'o2:bob+null@6',
      'o2:bob+null@6',
      'o2:bob+Rome@8',
      'o3:bob+Rome@8',
    ]);
  });

  it('a named foreign-key join names its topics, store and nodes after the join', () => {
    const b = new StreamsBuilder();
    const orders = b.table<string, string>('orders', { keySerde: S, valueSerde: S });
    const customers = b.table<string, string>('customers', { keySerde: S, valueSerde: S });
    orders.leftJoin(customers, (o) => o, show, { name: 'fk', storeName: 'fk-result', valueSerde: S });
    const t = b.build();
    expect([...t.internalTopics.keys()]).toEqual(['fk-subscription-registration-topic', 'fk-subscription-response-topic']);
    expect([...t.stores.keys()].slice(2)).toEqual(['fk-subscription-store', 'fk-result']);
    expect([...t.nodes.keys()].slice(4)).toEqual([
      'fk-subscription-registration-processor',
      'fk-subscription-registration-sink',
      'fk-subscription-registration-source',
      'fk-subscription-receive',
      'fk-subscription-join-foreign',
      'fk-foreign-join-subscription',
      'fk-subscription-response-sink',
      'fk-subscription-response-source',
      'fk-subscription-response-resolver',
      'fk-result',
    ]);
  });
});
