/**
 * Window and session stores used directly (the Processor API), persistent and in memory, cached and
 * not, against a model of plain maps written from their definitions:
 *
 * - a window store keeps one value per key and window start (every value, with retainDuplicates);
 *   a session store one per key and session [start, end];
 * - the store's clock is the larger of the task's stream time (driven here by the records'
 *   timestamps) and the largest window start (session end) written to it; what starts (ends)
 *   `retention` or more behind it is expired: invisible at once, and a write to it is dropped;
 * - reads: `fetch` one window, `fetchRange`/`backwardFetchRange` a key's windows with starts in
 *   [from, to] in time order, `fetchAll` every key's, `all` everything; `findSessions` a key's
 *   sessions ending at or after `earliestEnd` and starting at or before `latestStart`.
 *   Keys that are prefixes of others ("a", "ab", "a\0") never leak into each other's results.
 *
 * Expired segments are deleted from disk at the next commit (checked in the LevelDB directory of a
 * StreamTask driven directly), and on a real broker a restart with a wiped state directory restores
 * the windows within retention from the changelog, and not the expired ones.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import kafkajs from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  Broker,
  KafkaStreams,
  type ProcessorContext,
  type SessionStore,
  Serdes,
  Stores,
  StreamsBuilder,
  type StreamRecord,
  TimeWindows,
  Topology,
  type ValueAndTimestamp,
  type WindowStore,
  type Windowed,
  WindowedSerdes,
  silentLogger,
} from '../../src/index.js';
import { Random, collect, openDrivers, readCommitted } from './helpers.js';
import { TaskHarness } from './task-harness.js';

const driverFor = openDrivers();
const S = Serdes.String();
const L = Serdes.Long();

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Keys that are prefixes of one another, an empty one, and one whose bytes start with a zero. */
const KEYS = ['a', 'ab', 'a\u0000', 'aa', 'b', '', '\u0000', 'é'];

interface WindowOp {
  key: string;
  start: number;
  value: number | null;
  /** The record's timestamp: it moves stream time. */
  timestamp: number;
}

function randomWindowOps(seed: number, n: number, retention: number): WindowOp[] {
  const rnd = new Random(seed);
  let now = 0;
  return Array.from({ length: n }, () => {
    now += rnd.chance(0.05) ? rnd.int(0, retention) : rnd.int(0, 40);
    const start = rnd.chance(0.1) ? now + rnd.int(1, 100) : Math.max(0, now - rnd.int(0, Math.floor(retention * 1.3)));
    return {
      key: rnd.pick(KEYS),
      start,
      value: rnd.chance(0.15) ? null : rnd.int(1, 1000),
      timestamp: rnd.chance(0.2) ? Math.max(0, now - rnd.int(0, 100)) : now,
    };
  });
}

/** The window store as defined above. */
class WindowStoreModel {
  readonly windows = new Map<string, Map<number, number[]>>();
  private observed = -1;
  streamTime = -1;

  constructor(
    readonly retention: number,
    readonly retainDuplicates: boolean,
  ) {}

  clock(): number {
    return Math.max(this.observed, this.streamTime);
  }

  live(start: number): boolean {
    return start > this.clock() - this.retention;
  }

  apply(op: WindowOp): void {
    this.streamTime = Math.max(this.streamTime, op.timestamp);
    this.observed = Math.max(this.observed, op.start);
    if (!this.live(op.start)) return;
    if (this.retainDuplicates && op.value === null) return;
    let byStart = this.windows.get(op.key);
    if (byStart === undefined) this.windows.set(op.key, (byStart = new Map()));
    if (op.value === null) byStart.delete(op.start);
    else if (this.retainDuplicates) byStart.set(op.start, [...(byStart.get(op.start) ?? []), op.value]);
    else byStart.set(op.start, [op.value]);
  }

  /** A key's live windows with starts in [from, to], in time order (duplicates in write order). */
  range(key: string, from: number, to: number): { start: number; value: number }[] {
    const byStart = this.windows.get(key) ?? new Map<number, number[]>();
    return [...byStart]
      .filter(([s]) => s >= from && s <= to && this.live(s))
      .sort(([x], [y]) => x - y)
      .flatMap(([start, values]) => values.map((value) => ({ start, value })));
  }
}

/** Applies each record (key, { start, value }) to the window store "ws". */
function windowOpsTopology(store: 'persistent' | 'in-memory', cached: boolean, retention: number, size: number, retainDuplicates = false): Topology {
  const supplier =
    store === 'persistent'
      ? Stores.persistentWindowStore('ws', retention, size, retainDuplicates)
      : Stores.inMemoryWindowStore('ws', retention, size, retainDuplicates);
  const builder = Stores.windowStoreBuilder(supplier, S, L);
  if (cached) builder.withCachingEnabled();
  return new Topology()
    .addSource('ops', 'ops', { keySerde: S, valueSerde: Serdes.Json<{ start: number; value: number | null }>() })
    .addProcessor(
      'apply',
      () => {
        let ws!: WindowStore<string, number>;
        return {
          init: (c: ProcessorContext<never, never>) => void (ws = c.getStateStore('ws')),
          process: (r: StreamRecord<string, { start: number; value: number | null }>) => ws.put(r.key, r.value.value, r.value.start),
        };
      },
      'ops',
    )
    .addStateStore(builder, 'apply');
}

const byKeyThenStart = (a: { key: string; start: number }, b: { key: string; start: number }): number =>
  Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)) || a.start - b.start;

describe.each([
  ['persistent', false],
  ['persistent', true],
  ['in-memory', false],
  ['in-memory', true],
] as const)('window store, %s, cached: %s', (storeType, cached) => {
  const RETENTION = 300;
  const SIZE = 50;

  it('put and every read match the model as stream time moves and windows expire; prefix keys stay apart', async () => {
    const ops = randomWindowOps(storeType === 'persistent' ? 1 : 2, 400, RETENTION);
    const model = new WindowStoreModel(RETENTION, false);
    const d = driverFor(windowOpsTopology(storeType, cached, RETENTION, SIZE));
    const input = d.createInputTopic('ops', S, Serdes.Json<{ start: number; value: number | null }>());
    const store = d.getStateStore('ws') as unknown as WindowStore<string, number>;
    const rnd = new Random(3);
    let expiredSeen = 0;
    for (const [i, op] of ops.entries()) {
      await input.pipeInput(op.key, { start: op.start, value: op.value }, op.timestamp);
      model.apply(op);
      const at = `after op ${i} ${JSON.stringify(op)}`;
      // fetch: every window the model ever had, and the one just written.
      for (const [key, byStart] of model.windows) {
        for (const [start, values] of byStart) {
          if (!model.live(start)) expiredSeen++;
          expect(store.fetch(key, start), `${at}: fetch ${JSON.stringify(key)}@${start}`).toBe(model.live(start) ? values[0] : undefined);
        }
      }
      if (i % 10 !== 0) continue;
      for (const key of KEYS) {
        const from = rnd.int(0, model.clock());
        const to = rnd.chance(0.2) ? Number.MAX_SAFE_INTEGER : from + rnd.int(0, RETENTION);
        const expected = model.range(key, from, to).map((w) => ({ key: w.start, value: w.value }));
        expect(await collect(store.fetchRange(key, from, to)), `${at}: fetchRange ${JSON.stringify(key)} [${from},${to}]`).toEqual(expected);
        expect(await collect(store.backwardFetchRange(key, from, to)), `${at}: backwardFetchRange`).toEqual([...expected].reverse());
        expect(await collect(store.fetchRange(key, 0, Number.MAX_SAFE_INTEGER))).toEqual(
          model.range(key, 0, Number.MAX_SAFE_INTEGER).map((w) => ({ key: w.start, value: w.value })),
        );
      }
      const from = rnd.int(0, model.clock());
      const to = from + rnd.int(0, RETENTION);
      const flat = (f: number, t: number) =>
        KEYS.flatMap((key) => model.range(key, f, t).map((w) => ({ key, start: w.start, end: w.start + SIZE, value: w.value }))).sort(byKeyThenStart);
      const rows = (kvs: { key: Windowed<string>; value: number }[]) =>
        kvs.map((kv) => ({ key: kv.key.key, start: kv.key.window.start, end: kv.key.window.end, value: kv.value })).sort(byKeyThenStart);
      expect(rows(await collect(store.fetchAll(from, to))), `${at}: fetchAll [${from},${to}]`).toEqual(flat(from, to));
      expect(rows(await collect(store.all())), `${at}: all`).toEqual(flat(0, Number.MAX_SAFE_INTEGER));
    }
    expect(expiredSeen, 'windows expired during the run').toBeGreaterThan(0);
  });

  it('retainDuplicates keeps every value written to a window, in write order; null writes nothing', async () => {
    const ops = randomWindowOps(storeType === 'persistent' ? 11 : 12, 300, RETENTION).map((op) => ({ ...op, start: op.start - (op.start % 100) }));
    const model = new WindowStoreModel(RETENTION, true);
    const d = driverFor(windowOpsTopology(storeType, cached, RETENTION, SIZE, true));
    const input = d.createInputTopic('ops', S, Serdes.Json<{ start: number; value: number | null }>());
    const store = d.getStateStore('ws') as unknown as WindowStore<string, number>;
    for (const op of ops) {
      await input.pipeInput(op.key, { start: op.start, value: op.value }, op.timestamp);
      model.apply(op);
    }
    expect(
      [...model.windows.values()].some((m) => [...m.values()].some((vs) => vs.length > 1)),
      'some windows have several values',
    ).toBe(true);
    for (const key of KEYS) {
      expect(await collect(store.fetchRange(key, 0, Number.MAX_SAFE_INTEGER)), key).toEqual(
        model.range(key, 0, Number.MAX_SAFE_INTEGER).map((w) => ({ key: w.start, value: w.value })),
      );
    }
  });
});

interface SessionOp {
  key: string;
  start: number;
  end: number;
  /** null removes the session. */
  value: number | null;
  timestamp: number;
}

class SessionStoreModel {
  readonly sessions = new Map<string, Map<string, { start: number; end: number; value: number }>>();
  private observed = -1;
  streamTime = -1;
  constructor(readonly retention: number) {}

  clock(): number {
    return Math.max(this.observed, this.streamTime);
  }

  live(end: number): boolean {
    return end > this.clock() - this.retention;
  }

  apply(op: SessionOp): void {
    this.streamTime = Math.max(this.streamTime, op.timestamp);
    this.observed = Math.max(this.observed, op.end);
    if (!this.live(op.end)) return;
    let m = this.sessions.get(op.key);
    if (m === undefined) this.sessions.set(op.key, (m = new Map()));
    if (op.value === null) m.delete(`${op.start}-${op.end}`);
    else m.set(`${op.start}-${op.end}`, { start: op.start, end: op.end, value: op.value });
  }

  /** A key's live sessions ending at or after `earliestEnd` and starting at or before `latestStart`, by end then start. */
  find(key: string, earliestEnd: number, latestStart: number): { start: number; end: number; value: number }[] {
    return [...(this.sessions.get(key)?.values() ?? [])]
      .filter((s) => this.live(s.end) && s.end >= earliestEnd && s.start <= latestStart)
      .sort((a, b) => a.end - b.end || a.start - b.start);
  }
}

describe.each([
  ['persistent', false],
  ['in-memory', true],
] as const)('session store, %s, cached: %s', (storeType, cached) => {
  const RETENTION = 200;

  it('put, remove, fetchSession, findSessions, fetch and all match the model; prefix keys stay apart; old sessions expire', async () => {
    const rnd = new Random(storeType === 'persistent' ? 21 : 22);
    let now = 0;
    const ops: SessionOp[] = Array.from({ length: 400 }, () => {
      now += rnd.chance(0.05) ? rnd.int(0, RETENTION) : rnd.int(0, 30);
      const end = Math.max(0, now - rnd.int(0, RETENTION + 50));
      return { key: rnd.pick(KEYS), start: Math.max(0, end - rnd.int(0, 60)), end, value: rnd.chance(0.2) ? null : rnd.int(1, 99), timestamp: now };
    });
    // Removals mostly of sessions that exist.
    const written: SessionOp[] = [];
    for (const op of ops) {
      if (op.value === null && written.length > 0 && rnd.chance(0.8)) Object.assign(op, { ...rnd.pick(written), value: null, timestamp: op.timestamp });
      if (op.value !== null) written.push(op);
    }
    const builder = Stores.sessionStoreBuilder(
      storeType === 'persistent' ? Stores.persistentSessionStore('ss', RETENTION) : Stores.inMemorySessionStore('ss', RETENTION),
      S,
      L,
    );
    if (cached) builder.withCachingEnabled();
    const topology = new Topology()
      .addSource('ops', 'ops', { keySerde: S, valueSerde: Serdes.Json<{ start: number; end: number; value: number | null }>() })
      .addProcessor(
        'apply',
        () => {
          let ss!: SessionStore<string, number>;
          return {
            init: (c: ProcessorContext<never, never>) => void (ss = c.getStateStore('ss')),
            process: (r: StreamRecord<string, { start: number; end: number; value: number | null }>) => {
              const session = { key: r.key, window: { start: r.value.start, end: r.value.end } };
              if (r.value.value === null) ss.remove(session);
              else ss.put(session, r.value.value);
            },
          };
        },
        'ops',
      )
      .addStateStore(builder, 'apply');
    const d = driverFor(topology);
    const input = d.createInputTopic('ops', S, Serdes.Json<{ start: number; end: number; value: number | null }>());
    const store = d.getStateStore('ss') as unknown as SessionStore<string, number>;
    const model = new SessionStoreModel(RETENTION);
    const row = (kv: { key: Windowed<string>; value: number }) => ({ key: kv.key.key, start: kv.key.window.start, end: kv.key.window.end, value: kv.value });
    let expired = 0;
    for (const [i, op] of ops.entries()) {
      await input.pipeInput(op.key, { start: op.start, end: op.end, value: op.value }, op.timestamp);
      model.apply(op);
      const at = `after op ${i} ${JSON.stringify(op)}`;
      for (const [key, m] of model.sessions) {
        for (const s of m.values()) {
          if (!model.live(s.end)) expired++;
          expect(store.fetchSession(key, s.start, s.end), `${at}: fetchSession`).toBe(model.live(s.end) ? s.value : undefined);
        }
      }
      if (i % 10 !== 0) continue;
      for (const key of KEYS) {
        const t = rnd.int(0, model.clock());
        const gap = rnd.int(0, 80);
        expect((await collect(store.findSessions(key, t - gap, t + gap))).map(row), `${at}: findSessions ${JSON.stringify(key)} ${t}±${gap}`).toEqual(
          model.find(key, t - gap, t + gap).map((s) => ({ key, ...s })),
        );
        expect((await collect(store.fetch(key))).map(row), `${at}: fetch ${JSON.stringify(key)}`).toEqual(
          model.find(key, 0, Number.MAX_SAFE_INTEGER).map((s) => ({ key, ...s })),
        );
      }
      const everything = KEYS.flatMap((key) => model.find(key, 0, Number.MAX_SAFE_INTEGER).map((s) => ({ key, ...s })));
      const order = (a: { key: string; start: number; end: number }, b: { key: string; start: number; end: number }): number =>
        Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)) || a.end - b.end || a.start - b.start;
      expect((await collect(store.all())).map(row).sort(order), `${at}: all`).toEqual(everything.sort(order));
    }
    expect(expired).toBeGreaterThan(0);
  });
});

describe('retention on disk (a StreamTask driven directly)', () => {
  /** Data entries on disk per segment (LevelDB keys 0x01 ‖ segment (8) ‖ key ‖ start (8)). */
  async function segmentsOnDisk(dir: string): Promise<Map<number, number>> {
    const db = new ClassicLevel<Buffer, Buffer>(dir, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
    const out = new Map<number, number>();
    try {
      for await (const k of db.keys({ gte: Buffer.from([1]), lt: Buffer.from([2]) })) {
        const segment = Number(k.readBigUInt64BE(1));
        out.set(segment, (out.get(segment) ?? 0) + 1);
      }
    } finally {
      await db.close();
    }
    return out;
  }

  it('windows older than retention behind stream time are deleted from LevelDB by the next commit, whole segments at a time', async () => {
    const RETENTION = 240_000; // segments of 120 000 ms
    const SEGMENT = 120_000;
    const h = TaskHarness.create(windowOpsTopology('persistent', false, RETENTION, 1000));
    cleanups.push(() => h.close());
    const ops: WindowOp[] = [];
    for (let t = 0; t < 1_000_000; t += 1000) ops.push({ key: `k${t % 7}`, start: t, value: t, timestamp: t });
    for (const op of ops) h.append('ops', S, Serdes.Json(), op.key, { start: op.start, value: op.value }, op.timestamp);
    await h.processUntil('ops', 500); // stream time 499 000
    await h.commit();
    const store = h.task.getStore('ws') as unknown as WindowStore<string, number>;
    const visible = async () => (await collect(store.all())).map((kv) => kv.key.window.start).sort((a, b) => a - b);
    // Visible: starts after 499 000 − 240 000.
    expect(await visible()).toEqual(ops.filter((o) => o.start > 499_000 - RETENTION && o.start <= 499_000).map((o) => o.start));
    await h.processUntil('ops', ops.length); // stream time 999 000
    await h.commit();
    expect(await visible()).toEqual(ops.filter((o) => o.start > 999_000 - RETENTION).map((o) => o.start));
    await h.task.stateManager.flushed();
    await h.task.close();
    const onDisk = await segmentsOnDisk(join(h.dir, '0_0', 'ws'));
    // Every segment wholly older than retention is gone; the one holding the expiry time may linger.
    const firstLive = Math.floor((999_000 - RETENTION + 1) / SEGMENT);
    expect(Math.min(...onDisk.keys())).toBe(firstLive);
    const expected = new Map<number, number>();
    for (const o of ops)
      if (Math.floor(o.start / SEGMENT) >= firstLive) expected.set(Math.floor(o.start / SEGMENT), (expected.get(Math.floor(o.start / SEGMENT)) ?? 0) + 1);
    expect(onDisk).toEqual(expected);
  });

  it('all(), fetchAll and fetchRange over all time are quick on a store whose windows start at today’s epoch milliseconds', async () => {
    const now = Date.now();
    const h = TaskHarness.create(windowOpsTopology('persistent', false, 3_600_000, 60_000));
    cleanups.push(() => h.close());
    for (let i = 0; i < 10; i++) h.append('ops', S, Serdes.Json(), 'k', { start: now - i * 60_000, value: i }, now);
    await h.processUntil('ops', 10);
    await h.commit();
    const store = h.task.getStore('ws') as unknown as WindowStore<string, number>;
    const started = Date.now();
    expect(await collect(store.all())).toHaveLength(10);
    expect(await collect(store.fetchAll(0, Number.MAX_SAFE_INTEGER))).toHaveLength(10);
    expect(await collect(store.fetchRange('k', 0, Number.MAX_SAFE_INTEGER))).toHaveLength(10);
    expect(await collect(store.backwardFetchRange('k', 0, now))).toHaveLength(10);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('restoration on a real broker (in-process, exactly_once)', () => {
  const SIZE = 1000;
  const GRACE = 4000; // retention: size + grace = 5000

  /** A windowed count, and a processor on the same task that answers a query with the store's contents. */
  function topology() {
    const b = new StreamsBuilder();
    b.stream<string, string>('events', { keySerde: S, valueSerde: S })
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeAndGrace(SIZE, GRACE))
      .count({ storeName: 'counts' })
      .toStream()
      .to('counts', { keySerde: WindowedSerdes.timeWindowed(S, SIZE), valueSerde: L });
    b.stream<string, string>('queries', { keySerde: S, valueSerde: S })
      .process<string, string>(
        () => {
          let ctx!: ProcessorContext<string, string>;
          return {
            init: (c: ProcessorContext<string, string>) => void (ctx = c),
            async process(r: StreamRecord<string, string>) {
              const store = ctx.getStateStore<WindowStore<string, ValueAndTimestamp<number>>>('counts');
              const rows: string[] = [];
              for await (const kv of store.all()) rows.push(`${kv.key.key}@${kv.key.window.start}=${kv.value.value}`);
              ctx.forward({ key: r.key, value: JSON.stringify(rows.sort()), timestamp: r.timestamp, headers: {} });
            },
          };
        },
        { stores: ['counts'] },
      )
      .to('answers', { keySerde: S, valueSerde: S });
    return b.build();
  }

  it('a windowed count closed, its state directory deleted, started again: the windows within retention are restored, the expired ones are not, and counting goes on', async () => {
    const broker = await Broker.start({ logger: silentLogger });
    cleanups.push(() => broker.close());
    await broker.createTopics(['events', 'queries', 'counts', 'answers'].map((topic) => ({ topic, partitions: 1 })));
    const stateDir = mkdtempSync(join(tmpdir(), 'skein-window-restore-'));
    cleanups.push(() => rmSync(stateDir, { recursive: true, force: true }));
    const props = {
      'application.id': 'window-restore',
      'bootstrap.servers': broker.bootstrap,
      'processing.guarantee': 'exactly_once',
      'state.dir': stateDir,
    };
    const kafka = new kafkajs.Kafka({ brokers: [broker.bootstrap], logLevel: kafkajs.logLevel.NOTHING });
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    cleanups.push(() => producer.disconnect());
    const readTopic = (topic: string, n: number) => readCommitted(kafka, topic, n);
    /** Waits until the last count output for each window of `expected` is its count there (whatever a cache merged on the way). */
    const waitForCounts = async (expected: ReadonlyMap<string, number>): Promise<void> => {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const counts = await readTopic('counts', 1);
        const last = new Map(
          counts.map((m) => [
            `${(m.key as Buffer).subarray(0, -8).toString()}@${Number((m.key as Buffer).readBigInt64BE((m.key as Buffer).length - 8))}`,
            Number((m.value as Buffer).readBigInt64BE(0)),
          ]),
        );
        if ([...expected].every(([id, n]) => last.get(id) === n)) return;
        if (Date.now() > deadline) throw new Error(`the counts never reached ${JSON.stringify([...expected])}: ${JSON.stringify([...last])}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    };

    // Event times an hour ago, aligned to the window size: 30 s of records, four a second.
    const base = Math.floor(Date.now() / SIZE) * SIZE - 3_600_000;
    const events = Array.from({ length: 120 }, (_, i) => ({ key: `k${i % 3}`, time: base + i * 250 }));
    const model = new Map<string, number>();
    for (const e of events) {
      const id = `${e.key}@${Math.floor(e.time / SIZE) * SIZE}`;
      model.set(id, (model.get(id) ?? 0) + 1);
    }
    const streamTime = events[events.length - 1].time;
    const retained = (m: Map<string, number>) =>
      [...m]
        .filter(([id]) => Number(id.split('@')[1]) > streamTime - SIZE - GRACE)
        .map(([id, n]) => `${id}=${n}`)
        .sort();
    expect(retained(model).length).toBe(15); // five windows of three keys
    expect(model.size).toBe(90);

    const run = async (): Promise<KafkaStreams> => {
      const streams = new KafkaStreams(topology(), props, { logger: silentLogger });
      await streams.start();
      await streams.waitForState('RUNNING', 30_000);
      return streams;
    };
    let streams = await run();
    cleanups.push(() => streams.close().then(() => undefined));
    await producer.send({ topic: 'events', messages: events.map((e) => ({ key: e.key, value: 'view', timestamp: String(e.time) })) });
    await waitForCounts(model);
    await producer.send({ topic: 'queries', messages: [{ key: 'q1', value: '?', timestamp: String(base) }] });
    const [before] = await readTopic('answers', 1);
    expect(JSON.parse(String(before.value))).toEqual(retained(model));

    // Closed, its local state deleted, started again: everything comes back from the changelog.
    await streams.close();
    streams.cleanUp();
    expect(existsSync(join(stateDir, 'window-restore'))).toBe(false);
    streams = await run();
    await producer.send({ topic: 'queries', messages: [{ key: 'q2', value: '?', timestamp: String(base) }] });
    const answers = await readTopic('answers', 2);
    expect(JSON.parse(String(answers[1].value))).toEqual(retained(model));

    // A late record within the grace period counts on from the restored count.
    const late = { key: 'k1', time: streamTime - 2500 };
    const lateId = `${late.key}@${Math.floor(late.time / SIZE) * SIZE}`;
    await producer.send({ topic: 'events', messages: [{ key: late.key, value: 'view', timestamp: String(late.time) }] });
    model.set(lateId, (model.get(lateId) ?? 0) + 1);
    await waitForCounts(new Map([[lateId, model.get(lateId) as number]]));
    // (Timestamped after the late record: a task takes the record with the smaller timestamp first.)
    await producer.send({ topic: 'queries', messages: [{ key: 'q3', value: '?', timestamp: String(streamTime) }] });
    const after = await readTopic('answers', 3);
    expect(JSON.parse(String(after[2].value))).toEqual(retained(model));
    await streams.close();
  }, 120_000);
});
