/**
 * `KTable.suppress`: `untilWindowCloses` on windowed and session-windowed counts, `untilTimeLimit`
 * with a bounded buffer, a buffer that must shut down when full, and exactly once through
 * rollbacks and crashes. Each result is checked against a model written from the definitions:
 *
 * - the aggregation's updates are those of a brute-force window (or session) model, as in
 *   windows.test.ts and sessions.test.ts;
 * - suppression keeps, per key, the latest update and the time it is due: a window's end (a time
 *   window), a session's end, or the timestamp of the key's first update since it was last emitted
 *   (`untilTimeLimit`). Its clock is the largest timestamp of the updates it received. After each
 *   update it emits, oldest due time first (ties: by serialized key, as Kafka Streams orders its
 *   buffer, so the order is the same after a restart), every key due at or before
 *   clock − wait, where wait is the grace period (time windows), gap + grace (sessions: a session
 *   can still grow until then, as in Kafka Streams), or the time limit; then, if the buffer holds
 *   more than it may, the oldest keys early (or the task fails, with `shutDownWhenFull`).
 *   A window's final result that is a deletion (a merged-away session) is not emitted.
 *
 * The TopologyTestDriver commits after every record; for commits that cover several records, and
 * for rollbacks and crashes, the tests drive a StreamTask directly (task-harness.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  BufferConfig,
  ProcessingError,
  Serdes,
  SessionWindows,
  StreamsBuilder,
  Suppressed,
  TimeWindows,
  type Windowed,
  WindowedSerdes,
} from '../../src/index.js';
import { Random, errorOf, openDrivers } from './helpers.js';
import { TaskHarness } from './task-harness.js';

const driverFor = openDrivers();
const S = Serdes.String();
const L = Serdes.Long();

const harnesses: TaskHarness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.close();
});
function harness(...args: Parameters<typeof TaskHarness.create>): TaskHarness {
  const h = TaskHarness.create(...args);
  harnesses.push(h);
  return h;
}

interface Event {
  key: string;
  timestamp: number;
}

function randomEvents(seed: number, n: number, keys: readonly string[], maxStep: number, maxLate: number): Event[] {
  const rnd = new Random(seed);
  let now = rnd.int(0, 20);
  return Array.from({ length: n }, () => {
    now += rnd.int(0, maxStep);
    const late = rnd.chance(0.3) ? rnd.int(1, maxLate) : 0;
    return { key: rnd.pick(keys), timestamp: Math.max(0, now - late) };
  });
}

interface Out {
  key: string;
  start: number;
  end: number;
  value: number;
  timestamp: number;
}

const show = (o: Out): string => `${o.key}[${o.start},${o.end})=${o.value}@${o.timestamp}`;

/**
 * A suppression buffer, as defined above: `update` buffers and returns what is emitted. `due` is the
 * time a new entry is due at; `wait` what the clock must pass it by.
 */
class BufferModel<T extends { value: unknown; timestamp: number }> {
  private clock = -1;
  private readonly entries = new Map<string, { due: number; tie: string; latest: T }>();

  constructor(
    private readonly wait: number,
    private readonly maxRecords = Number.POSITIVE_INFINITY,
  ) {}

  /** `tie`: the key's serialized bytes, which order keys due at the same time. */
  update(id: string, tie: Buffer, due: number, latest: T): T[] {
    this.clock = Math.max(this.clock, latest.timestamp);
    const e = this.entries.get(id);
    if (e !== undefined) e.latest = latest;
    else this.entries.set(id, { due, tie: tie.toString('hex'), latest });
    const out: T[] = [];
    const oldest = (): [string, { due: number; tie: string; latest: T }] | undefined =>
      [...this.entries].sort(([, a], [, b]) => a.due - b.due || (a.tie < b.tie ? -1 : a.tie > b.tie ? 1 : 0))[0];
    for (let o = oldest(); o !== undefined && o[1].due <= this.clock - this.wait; o = oldest()) {
      this.entries.delete(o[0]);
      if (o[1].latest.value !== null) out.push(o[1].latest);
    }
    while (this.entries.size > this.maxRecords) {
      const o = oldest() as [string, { due: number; tie: string; latest: T }];
      this.entries.delete(o[0]);
      if (o[1].latest.value !== null) out.push(o[1].latest);
    }
    return out;
  }

  /** Ids still buffered. */
  buffered(): string[] {
    return [...this.entries.keys()];
  }
}

/** A key's bytes (UTF-8) and then numbers as 8-byte big-endian: how the windowed serdes lay keys out. */
function bytes(key: string, ...numbers: number[]): Buffer {
  const n = Buffer.alloc(8 * numbers.length);
  numbers.forEach((x, i) => n.writeBigInt64BE(BigInt(x), 8 * i));
  return Buffer.concat([Buffer.from(key, 'utf8'), n]);
}

/** Windowed counts (accepted iff end + grace > stream time) and what `untilWindowCloses` emits after each record. */
function suppressedWindowModel(events: readonly Event[], size: number, advance: number, grace: number) {
  const counts = new Map<string, { value: number; timestamp: number }>();
  const buffer = new BufferModel<Out>(grace);
  let streamTime = -1;
  const perRecord = events.map((e) => {
    streamTime = Math.max(streamTime, e.timestamp);
    const out: Out[] = [];
    for (let start = 0; start <= e.timestamp; start += advance) {
      const end = start + size;
      if (e.timestamp >= end || end + grace <= streamTime) continue;
      const id = `${e.key}@${start}`;
      const prev = counts.get(id);
      const u = { value: (prev?.value ?? 0) + 1, timestamp: Math.max(prev?.timestamp ?? -1, e.timestamp) };
      counts.set(id, u);
      out.push(...buffer.update(id, bytes(e.key, start), end, { key: e.key, start, end, ...u }));
    }
    return out;
  });
  const closed = [...counts].filter(([id]) => Number(id.split('@')[1]) + size + grace <= streamTime);
  return { perRecord, counts, closed: new Map(closed), streamTime, buffered: buffer.buffered() };
}

function windowedCountTopology(
  windows: TimeWindows,
  size: number,
  suppressed = Suppressed.withName(Suppressed.untilWindowCloses(BufferConfig.unbounded()), 'final'),
) {
  const b = new StreamsBuilder();
  b.stream<string, string>('events', { keySerde: S, valueSerde: S })
    .groupByKey()
    .windowedBy(windows)
    .count({ storeName: 'counts' })
    .suppress(suppressed)
    .toStream()
    .to('out', { keySerde: WindowedSerdes.timeWindowed(S, size), valueSerde: L });
  return b.build();
}

/** `key@start` of a window store's changelog key: segment (8 bytes), the key's bytes, window start (8 bytes). */
function windowStoreKey(b: Buffer): string {
  return `${b.subarray(8, b.length - 8).toString()}@${Number(b.readBigInt64BE(b.length - 8))}`;
}

function toOut(r: { key: Windowed<string> | null; value: number | null; timestamp: number }): Out {
  const w = r.key as Windowed<string>;
  return { key: w.key, start: w.window.start, end: w.window.end, value: r.value as number, timestamp: r.timestamp };
}

const WINDOWS: [string, () => TimeWindows, number, number, number][] = [
  ['tumbling 100 ms, grace 40 ms', () => TimeWindows.ofSizeAndGrace(100, 40), 100, 100, 40],
  ['tumbling 50 ms, no grace', () => TimeWindows.ofSizeWithNoGrace(50), 50, 50, 0],
  ['hopping 100 ms every 30 ms, grace 20 ms', () => TimeWindows.ofSizeAndGrace(100, 20).advanceBy(30), 100, 30, 20],
];

describe.each(WINDOWS)('untilWindowCloses on a windowed count, %s', (_name, windows, size, advance, grace) => {
  for (const caching of ['cache off', 'cache on'] as const) {
    it(`${caching}: one final result per closed window, when stream time reaches its end + grace, equal to the model's count`, async () => {
      const events = randomEvents(size + advance + grace, 400, ['k1', 'k2', 'k3'], 10, size + grace + 40);
      const m = suppressedWindowModel(events, size, advance, grace);
      expect(m.closed.size).toBeGreaterThan(10);
      expect(m.buffered.length, 'some windows never close').toBeGreaterThan(0);
      const d = driverFor(windowedCountTopology(windows(), size), {
        'application.id': 'sup',
        ...(caching === 'cache off' ? { 'statestore.cache.max.bytes': 0 } : {}),
      });
      const input = d.createInputTopic('events', S, S);
      const out = d.createOutputTopic('out', WindowedSerdes.timeWindowed(S, size), L);
      const all: Out[] = [];
      for (const [i, e] of events.entries()) {
        await input.pipeInput(e.key, 'x', e.timestamp);
        const got = out.readRecordsToList().map(toOut);
        expect(got.map(show), `record ${i} ${JSON.stringify(e)}`).toEqual(m.perRecord[i].map(show));
        all.push(...got);
      }
      // Each closed window exactly once, with its final count; open ones not at all.
      const byWindow = new Map(all.map((o) => [`${o.key}@${o.start}`, o.value]));
      expect(byWindow.size).toBe(all.length);
      expect(byWindow).toEqual(new Map([...m.closed].map(([id, c]) => [id, c.value])));
      // The buffer's changelog agrees: emitted windows are deleted from it, open ones are in it.
      const changelog = new Map(
        d
          .createOutputTopic('sup-final-store-changelog', WindowedSerdes.timeWindowed(S, size), Serdes.ByteArray())
          .readKeyValuesToList()
          .map((kv) => [`${(kv.key as Windowed<string>).key}@${(kv.key as Windowed<string>).window.start}`, kv.value]),
      );
      expect(
        [...changelog]
          .filter(([, v]) => v === null)
          .map(([id]) => id)
          .sort(),
      ).toEqual([...byWindow.keys()].sort());
      expect(
        [...changelog]
          .filter(([, v]) => v !== null)
          .map(([id]) => id)
          .sort(),
      ).toEqual([...m.buffered].sort());
    });
  }
});

/** Session counts, the updates' deletions, and what `untilWindowCloses` emits (due at session end, wait gap + grace). */
function suppressedSessionModel(events: readonly Event[], gap: number, grace: number) {
  interface Session {
    start: number;
    end: number;
    count: number;
  }
  const sessions = new Map<string, Session[]>();
  const buffer = new BufferModel<Out | (Omit<Out, 'value'> & { value: null })>(gap + grace);
  let streamTime = -1;
  const perRecord = events.map((e) => {
    streamTime = Math.max(streamTime, e.timestamp);
    const list = sessions.get(e.key) ?? [];
    const near = list.filter((s) => s.end > streamTime - gap - grace && s.end >= e.timestamp - gap && s.start <= e.timestamp + gap);
    const start = Math.min(e.timestamp, ...near.map((s) => s.start));
    const end = Math.max(e.timestamp, ...near.map((s) => s.end));
    if (end < streamTime - grace) return [];
    const merged = { start, end, count: 1 + near.reduce((n, s) => n + s.count, 0) };
    sessions.set(e.key, [...list.filter((s) => !near.includes(s)), merged]);
    const out: Out[] = [];
    for (const s of near.filter((x) => x.start !== start || x.end !== end).sort((a, b) => a.end - b.end || a.start - b.start)) {
      out.push(
        ...(buffer.update(`${e.key}@${s.start}-${s.end}`, bytes(e.key, s.end, s.start), s.end, {
          key: e.key,
          start: s.start,
          end: s.end,
          value: null,
          timestamp: end,
        }) as Out[]),
      );
    }
    out.push(
      ...(buffer.update(`${e.key}@${start}-${end}`, bytes(e.key, end, start), end, { key: e.key, start, end, value: merged.count, timestamp: end }) as Out[]),
    );
    return out;
  });
  return { perRecord, sessions, streamTime };
}

describe('untilWindowCloses on a session-windowed count', () => {
  const GAP = 20;
  const GRACE = 10;
  function topology() {
    const b = new StreamsBuilder();
    b.stream<string, string>('events', { keySerde: S, valueSerde: S })
      .groupByKey()
      .windowedBy(SessionWindows.ofInactivityGapAndGrace(GAP, GRACE))
      .count({ storeName: 'sessions' })
      .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))
      .toStream()
      .to('out', { keySerde: WindowedSerdes.sessionWindowed(S), valueSerde: L });
    return b.build();
  }
  const sessionOut = (r: { key: Windowed<string> | null; value: number | null; timestamp: number }): string => {
    const w = r.key as Windowed<string>;
    return `${w.key}[${w.window.start},${w.window.end}]=${r.value}@${r.timestamp}`;
  };

  it('a session is final once stream time passes its end + gap + grace: one result each, merged-away sessions never', async () => {
    const events = randomEvents(4242, 400, ['k1', 'k2', 'k3'], 12, 60);
    const m = suppressedSessionModel(events, GAP, GRACE);
    const d = driverFor(topology(), { 'statestore.cache.max.bytes': 0 });
    const input = d.createInputTopic('events', S, S);
    const out = d.createOutputTopic('out', WindowedSerdes.sessionWindowed(S), L);
    const seen = new Set<string>();
    for (const [i, e] of events.entries()) {
      await input.pipeInput(e.key, 'x', e.timestamp);
      const got = out.readRecordsToList().map(sessionOut);
      expect(got, `record ${i} ${JSON.stringify(e)}`).toEqual(m.perRecord[i].map((o) => `${o.key}[${o.start},${o.end}]=${o.value}@${o.timestamp}`));
      for (const g of got) {
        const session = g.split('=')[0];
        expect(seen.has(session), `${session} emitted twice`).toBe(false);
        seen.add(session);
      }
    }
    // Every emitted session is one of the final sessions, closed by the end.
    const final = new Set([...m.sessions].flatMap(([k, ss]) => ss.filter((s) => s.end + GAP + GRACE <= m.streamTime).map((s) => `${k}[${s.start},${s.end}]`)));
    expect(seen).toEqual(final);
  });

  it('a session closed only by the grace would still grow: it is not emitted until gap + grace have passed', async () => {
    const d = driverFor(topology(), { 'statestore.cache.max.bytes': 0 });
    const input = d.createInputTopic('events', S, S);
    const out = d.createOutputTopic('out', WindowedSerdes.sessionWindowed(S), L);
    await input.pipeInput('a', 'x', 0); // [0,0]
    await input.pipeInput('b', 'x', 12); // stream time 12: [0,0] ended more than the grace ago, but not gap + grace
    await input.pipeInput('a', 'x', 15); // joins [0,0] (within the gap): [0,15], count 2
    await input.pipeInput('b', 'x', 70); // closes [0,15] (15 + 30 ≤ 70) and [12,12]
    expect(out.readRecordsToList().map(sessionOut)).toEqual(['b[12,12]=1@12', 'a[0,15]=2@15']);
  });
});

/** A count per key (every record an update, timestamp the largest so far) and what `untilTimeLimit(wait, maxRecords(n))` emits. */
function timeLimitModel(events: readonly Event[], wait: number, maxRecords: number) {
  const counts = new Map<string, { value: number; timestamp: number }>();
  const buffer = new BufferModel<{ key: string; value: number; timestamp: number }>(wait, maxRecords);
  const perRecord = events.map((e) => {
    const prev = counts.get(e.key);
    const u = { key: e.key, value: (prev?.value ?? 0) + 1, timestamp: Math.max(prev?.timestamp ?? -1, e.timestamp) };
    counts.set(e.key, u);
    return buffer.update(e.key, bytes(e.key), u.timestamp, u);
  });
  return { perRecord, counts };
}

describe('untilTimeLimit', () => {
  function topology(suppressed: Suppressed) {
    const b = new StreamsBuilder();
    b.stream<string, string>('events', { keySerde: S, valueSerde: S })
      .groupByKey()
      .count({ storeName: 'counts' })
      .suppress(suppressed)
      .toStream()
      .to('out', { valueSerde: L });
    return b.build();
  }

  for (const [wait, maxRecords] of [
    [50, 3],
    [30, 100],
    [0, 2],
  ] as const) {
    it(`untilTimeLimit(${wait}, maxRecords(${maxRecords})): each key's latest count once ${wait} ms of stream time after its first update, early when more than ${maxRecords} keys wait`, async () => {
      const events = randomEvents(wait * 7 + maxRecords, 500, ['a', 'b', 'c', 'd', 'e', 'f'], 6, 40);
      const m = timeLimitModel(events, wait, maxRecords);
      const d = driverFor(topology(Suppressed.untilTimeLimit(wait, BufferConfig.maxRecords(maxRecords))), { 'statestore.cache.max.bytes': 0 });
      const input = d.createInputTopic('events', S, S);
      const out = d.createOutputTopic('out', S, L);
      let early = 0;
      for (const [i, e] of events.entries()) {
        await input.pipeInput(e.key, 'x', e.timestamp);
        const got = out.readRecordsToList().map((r) => ({ key: r.key as string, value: r.value as number, timestamp: r.timestamp }));
        expect(got, `record ${i} ${JSON.stringify(e)}`).toEqual(m.perRecord[i]);
        early += got.length;
      }
      expect(early).toBeGreaterThan(0);
      if (wait > 0) expect(early).toBeLessThan(events.length);
    });
  }

  it('maxRecords is emit-early by default; shutDownWhenFull fails the task with an error naming the buffer, and emits nothing early', async () => {
    expect(BufferConfig.maxRecords(2).whenFull).toBe('emitEarly');
    const d = driverFor(topology(Suppressed.withName(Suppressed.untilTimeLimit(1000, BufferConfig.shutDownWhenFull(BufferConfig.maxRecords(2))), 'limited')), {
      'statestore.cache.max.bytes': 0,
    });
    const input = d.createInputTopic('events', S, S);
    const out = d.createOutputTopic('out', S, L);
    await input.pipeInput('a', 'x', 1);
    await input.pipeInput('b', 'x', 2);
    await input.pipeInput('a', 'x', 3); // still two keys
    const e = await errorOf(() => input.pipeInput('c', 'x', 4));
    expect(e).toBeInstanceOf(ProcessingError);
    expect((e as Error).message).toMatch(/suppression buffer limited-store is full \(3 records.*limits 2 records.*shut down/);
    expect(out.isEmpty()).toBe(true);
  });

  it('untilWindowCloses refuses a buffer that would emit early, and a table that is not windowed', () => {
    expect(() => Suppressed.untilWindowCloses(BufferConfig.maxRecords(10))).toThrow(/never emits early/);
    expect(() => topology(Suppressed.untilWindowCloses(BufferConfig.unbounded()))).toThrow(/windowed table/);
    expect(() => Suppressed.untilTimeLimit(-1, BufferConfig.unbounded())).toThrow(/non-negative/);
  });

  it('untilWindowCloses with shutDownWhenFull(maxRecords(2)) fails once a third window waits', async () => {
    const suppressed = Suppressed.untilWindowCloses(BufferConfig.shutDownWhenFull(BufferConfig.maxRecords(2)));
    const d = driverFor(windowedCountTopology(TimeWindows.ofSizeAndGrace(10, 100), 10, suppressed), { 'statestore.cache.max.bytes': 0 });
    const input = d.createInputTopic('events', S, S);
    await input.pipeInput('a', 'x', 1);
    await input.pipeInput('a', 'x', 11);
    expect(((await errorOf(() => input.pipeInput('a', 'x', 21))) as Error).message).toMatch(/is full .* shut down/);
  });
});

describe('exactly once: suppression through commits of several records, rollbacks and crashes (a StreamTask driven directly)', () => {
  const SIZE = 20;
  const GRACE = 10;

  it('behind a cached store, a window updated several times in one commit and closed later is emitted once, with its final count', async () => {
    // The updates of a commit reach the suppression when the cache flushes, after stream time has
    // moved past the window: the suppression must judge by the updates' timestamps.
    const h = harness(windowedCountTopology(TimeWindows.ofSizeAndGrace(SIZE, GRACE), SIZE));
    const ts = [1, 5, 9, 12, 45, 3, 70];
    for (const t of ts) h.append('events', S, S, 'k', 'x', t);
    await h.processUntil('events', 5); // [0,20) gets 1, 5, 9, 12; 45 closes it (20 + 10 ≤ 45)
    await h.commit();
    await h.processUntil('events', ts.length); // 3 is late; 70 closes [40,60)
    await h.commit();
    expect(h.read('out', WindowedSerdes.timeWindowed(S, SIZE), L).map(toOut).map(show)).toEqual(['k[0,20)=4@12', 'k[40,60)=1@45']);
  });

  for (const caching of ['cache off', 'cache on'] as const) {
    it(`${caching}: random commits, rollbacks and crashes; the committed output is the model's, each closed window once`, async () => {
      const rnd = new Random(caching === 'cache off' ? 77 : 78);
      const events = randomEvents(caching === 'cache off' ? 1701 : 1702, 300, ['k1', 'k2', 'k3'], 6, 45);
      const m = suppressedWindowModel(events, SIZE, SIZE, GRACE);
      const h = harness(windowedCountTopology(TimeWindows.ofSizeAndGrace(SIZE, GRACE), SIZE), {
        applicationId: 'eos',
        cacheMaxBytes: caching === 'cache off' ? 0 : undefined,
      });
      for (const e of events) h.append('events', S, S, e.key, 'x', e.timestamp);
      let failures = 0;
      while ((h.task.position('events', 0) ?? 0) < events.length) {
        const from = h.task.position('events', 0) ?? 0;
        await h.processUntil('events', Math.min(events.length, from + rnd.int(1, 25)));
        const r = rnd.next();
        if (r < 0.25) {
          await h.rollback();
          failures++;
        } else if (r < 0.35) {
          await h.crashAndRestart();
          failures++;
        } else {
          await h.commit();
        }
      }
      await h.commit();
      expect(failures).toBeGreaterThan(5);
      const got = h.all('out', WindowedSerdes.timeWindowed(S, SIZE), L).map(toOut);
      if (caching === 'cache off') {
        // Without a cache what is emitted, and when, does not depend on where the commits fall.
        expect(got.map(show)).toEqual(m.perRecord.flat().map(show));
      }
      const byWindow = new Map(got.map((o) => [`${o.key}@${o.start}`, o.value]));
      expect(byWindow.size, 'no window twice').toBe(got.length);
      expect(byWindow).toEqual(new Map([...m.closed].map(([id, c]) => [id, c.value])));
      // The window store itself went through the same failures: it holds the model's open counts.
      const changelog = new Map(h.all('eos-counts-changelog', Serdes.ByteArray(), L).map((r) => [windowStoreKey(r.key as Buffer), r.value]));
      for (const [id, c] of m.counts) expect(changelog.get(id), id).toBe(c.value);
    });
  }

  it('a rollback after the suppression emitted does not make it emit early, or twice, when the records are processed again', async () => {
    const h = harness(windowedCountTopology(TimeWindows.ofSizeWithNoGrace(10), 10), { cacheMaxBytes: 0 });
    for (const t of [1, 3, 5, 25, 31]) h.append('events', S, S, 'a', 'x', t);
    await h.processUntil('events', 1);
    await h.commit();
    await h.processUntil('events', 4); // 3, 5, then 25 closes [0,10) with 3 records: emitted, not committed
    expect(h.pendingOf('out')).toBe(1);
    await h.rollback();
    await h.processUntil('events', 5);
    await h.commit();
    expect(h.read('out', WindowedSerdes.timeWindowed(S, 10), L).map(toOut).map(show)).toEqual(['a[0,10)=3@5', 'a[20,30)=1@25']);
  });
});
