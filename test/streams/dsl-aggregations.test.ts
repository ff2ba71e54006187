/**
 * Grouped-stream aggregations (`count`, `reduce`, `aggregate`, after `groupByKey` and `groupBy`) on
 * seeded random input, against a plain-JS reference model: the final values, every update sent
 * downstream (one per write without a cache; one per key per commit with it — the driver commits
 * after every record), the timestamps of the updates, and the changelog. Run over both store types
 * and with caching on and off; the final values must not depend on either.
 */
import { describe, expect, it } from 'vitest';
import { type KeyValueStore, type Serde, Serdes, StreamsBuilder, Stores, type TopologyTestDriver } from '../../src/index.js';
import { Random, collect, openDrivers } from './helpers.js';

const driverFor = openDrivers();
const S = Serdes.String();
const L = Serdes.Long();

interface Line {
  key: string | null;
  value: string | null;
  timestamp: number;
}

const WORDS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];

/** Lines of 0–6 words from a small vocabulary (so words repeat within a line), some null keys and values, timestamps that jump back and forth. */
function randomLines(seed: number, n: number): Line[] {
  const rnd = new Random(seed);
  return Array.from({ length: n }, () => ({
    key: rnd.chance(0.05) ? null : rnd.pick(['k1', 'k2', 'k3', 'k4']),
    value: rnd.chance(0.05) ? null : Array.from({ length: rnd.int(0, 6) }, () => rnd.pick(WORDS)).join(' '),
    timestamp: rnd.int(0, 10_000),
  }));
}

const tokens = (line: string): string[] => line.split(' ').filter((w) => w.length > 0);

interface Update<V> {
  key: string;
  value: V;
  timestamp: number;
}

type StoreType = 'persistent' | 'in-memory';
type Caching = 'cache on' | 'cache off (statestore.cache.max.bytes = 0)' | 'cache off (cachingEnabled: false)';

const MATRIX: [StoreType, Caching][] = [];
for (const st of ['persistent', 'in-memory'] as const) {
  for (const c of ['cache on', 'cache off (statestore.cache.max.bytes = 0)', 'cache off (cachingEnabled: false)'] as const) MATRIX.push([st, c]);
}

function props(caching: Caching, appId = 'agg'): Record<string, unknown> {
  return caching === 'cache off (statestore.cache.max.bytes = 0)' ? { 'application.id': appId, 'statestore.cache.max.bytes': 0 } : { 'application.id': appId };
}

/** Pipes each line and reads what it caused on `out`, so updates can be matched to input records. */
async function pipeAndReadEach<V>(d: TopologyTestDriver, lines: Line[], valueSerde: Serde<V>): Promise<Update<V>[][]> {
  const input = d.createInputTopic('lines', S, S);
  const out = d.createOutputTopic<string, V>('out', S, valueSerde);
  const perLine: Update<V>[][] = [];
  for (const l of lines) {
    await input.pipeInput(l.key, l.value, l.timestamp);
    perLine.push(out.readRecordsToList().map((r) => ({ key: r.key as string, value: r.value as V, timestamp: r.timestamp })));
  }
  return perLine;
}

describe.each(MATRIX)('groupByKey().count() of words per key, %s store, %s', (storeType, caching) => {
  it('matches the model: final counts, one update per word without a cache, one per line with it, timestamps the max seen', async () => {
    const lines = randomLines(1001, 400);
    const b = new StreamsBuilder();
    b.stream<string, string>('lines', { keySerde: S, valueSerde: S })
      .flatMapValues((line) => (line === null ? [] : tokens(line)))
      .groupByKey()
      .count({ storeName: 'counts', storeType, ...(caching === 'cache off (cachingEnabled: false)' ? { cachingEnabled: false } : {}) })
      .toStream()
      .to('out', { valueSerde: L });
    const d = driverFor(b.build(), props(caching));
    const perLine = await pipeAndReadEach<number>(d, lines, L);

    // The model: the running count and the largest timestamp per key; null keys and values are skipped.
    const counts = new Map<string, number>();
    const stamps = new Map<string, number>();
    const cached = caching === 'cache on';
    for (const [i, l] of lines.entries()) {
      const expected: Update<number>[] = [];
      if (l.key !== null && l.value !== null) {
        for (const _ of tokens(l.value)) {
          counts.set(l.key, (counts.get(l.key) ?? 0) + 1);
          stamps.set(l.key, Math.max(stamps.get(l.key) ?? -1, l.timestamp));
          expected.push({ key: l.key, value: counts.get(l.key) as number, timestamp: stamps.get(l.key) as number });
        }
      }
      // With a cache, a line's updates of one key reach downstream once, as the last of them.
      expect(perLine[i], `line ${i}: ${JSON.stringify(l)}`).toEqual(cached ? expected.slice(-1) : expected);
    }
    const store = d.getKeyValueStore<string, number>('counts');
    expect(new Map((await collect(store.all())).map((e) => [e.key, e.value]))).toEqual(counts);
    expect(await store.approximateNumEntries()).toBe(counts.size);

    // The changelog holds one record per update that reached the store below the cache.
    const changelog = d.createOutputTopic('agg-counts-changelog', S, L).readKeyValuesToList();
    expect(changelog).toEqual(perLine.flat().map((u) => ({ key: u.key, value: u.value })));
  });
});

describe.each(MATRIX)('groupBy(word).count() through a repartition topic, %s store, %s', (storeType, caching) => {
  it('counts every word; each word is its own record after the repartition, so each is one update either way', async () => {
    const lines = randomLines(2002, 300);
    const b = new StreamsBuilder();
    b.stream<string, string>('lines', { keySerde: S, valueSerde: S })
      .flatMapValues((line) => (line === null ? [] : tokens(line)))
      .groupBy((_k, word) => word, { keySerde: S, valueSerde: S })
      .count({ storeName: 'word-counts', storeType, ...(caching === 'cache off (cachingEnabled: false)' ? { cachingEnabled: false } : {}) })
      .toStream()
      .to('out', { valueSerde: L });
    const d = driverFor(b.build(), props(caching, 'wc'));
    const perLine = await pipeAndReadEach<number>(d, lines, L);
    const counts = new Map<string, number>();
    for (const [i, l] of lines.entries()) {
      const expected: Update<number>[] = [];
      // groupBy re-keys, so a null line key does not matter; a null value still has no words.
      for (const w of l.value === null ? [] : tokens(l.value)) {
        counts.set(w, (counts.get(w) ?? 0) + 1);
        expected.push({ key: w, value: counts.get(w) as number, timestamp: l.timestamp });
      }
      expect(
        perLine[i].map((u) => ({ key: u.key, value: u.value })),
        `line ${i}`,
      ).toEqual(expected.map((u) => ({ key: u.key, value: u.value })));
    }
    const store = d.getKeyValueStore<string, number>('word-counts');
    for (const w of WORDS) expect(store.get(w)).toBe(counts.get(w));
    const repartitioned = d.createOutputTopic('wc-word-counts-repartition', S, S).readKeyValuesToList();
    expect(repartitioned).toEqual(lines.flatMap((l) => (l.value === null ? [] : tokens(l.value).map((w) => ({ key: w, value: w })))));
  });
});

describe('caching', () => {
  it('one record that updates a key several times ("a a a") sends one update with a cache and one per update without', async () => {
    const run = async (p: Record<string, unknown>): Promise<Update<number>[]> => {
      const b = new StreamsBuilder();
      b.stream<string, string>('lines', { keySerde: S, valueSerde: S })
        .flatMapValues((line) => (line === null ? [] : tokens(line)))
        .selectKey((_k, w) => w)
        .repartition({ name: 'words', keySerde: S, valueSerde: S })
        .flatMapValues((w) => [w, w, w]) // one repartitioned record now updates its word three times
        .groupByKey()
        .count({ storeName: 'c' })
        .toStream()
        .to('out', { valueSerde: L });
      const d = driverFor(b.build(), p);
      return (await pipeAndReadEach<number>(d, [{ key: 'x', value: 'a a b', timestamp: 5 }], L)).flat();
    };
    expect(await run({})).toEqual([
      { key: 'a', value: 3, timestamp: 5 },
      { key: 'a', value: 6, timestamp: 5 },
      { key: 'b', value: 3, timestamp: 5 },
    ]);
    expect((await run({ 'statestore.cache.max.bytes': 0 })).map((u) => `${u.key}=${u.value}`)).toEqual([
      'a=1',
      'a=2',
      'a=3',
      'a=4',
      'a=5',
      'a=6',
      'b=1',
      'b=2',
      'b=3',
    ]);
  });

  it('a cache smaller than one entry evicts, and so forwards, every write: the same updates as without a cache', async () => {
    const lines = randomLines(3003, 200);
    const run = async (p: Record<string, unknown>): Promise<Update<number>[][]> => {
      const b = new StreamsBuilder();
      b.stream<string, string>('lines', { keySerde: S, valueSerde: S })
        .flatMapValues((line) => (line === null ? [] : tokens(line)))
        .groupByKey()
        .count({ storeName: 'c' })
        .toStream()
        .to('out', { valueSerde: L });
      return pipeAndReadEach<number>(driverFor(b.build(), p), lines, L);
    };
    const tiny = await run({ 'statestore.cache.max.bytes': 1 });
    const none = await run({ 'statestore.cache.max.bytes': 0 });
    const cached = await run({});
    expect(tiny).toEqual(none);
    expect(tiny.flat().length).toBe(lines.reduce((n, l) => n + (l.key === null || l.value === null ? 0 : tokens(l.value).length), 0));
    expect(cached.flat().length).toBe(lines.filter((l) => l.key !== null && l.value !== null && tokens(l.value).length > 0).length);
  });
});

describe('reduce and aggregate', () => {
  it('reduce folds each key’s values in arrival order, the first value being the start; null keys and values are skipped', async () => {
    const rnd = new Random(5005);
    const b = new StreamsBuilder();
    b.stream<string, string>('lines', { keySerde: S, valueSerde: S })
      .groupByKey()
      .reduce((agg, v) => `${agg}|${v}`, { storeName: 'joined' })
      .toStream()
      .to('out');
    const d = driverFor(b.build(), { 'statestore.cache.max.bytes': 0 });
    const input = d.createInputTopic('lines', S, S);
    const out = d.createOutputTopic('out', S, S);
    const model = new Map<string, string>();
    const expected: { key: string; value: string }[] = [];
    for (let i = 0; i < 300; i++) {
      const key = rnd.chance(0.05) ? null : rnd.pick(['x', 'y', 'z']);
      const value = rnd.chance(0.05) ? null : rnd.pick(WORDS);
      await input.pipeInput(key, value);
      if (key === null || value === null) continue;
      model.set(key, model.has(key) ? `${model.get(key)}|${value}` : value);
      expected.push({ key, value: model.get(key) as string });
    }
    expect(out.readKeyValuesToList()).toEqual(expected);
    const store = d.getKeyValueStore<string, string>('joined');
    for (const [k, v] of model) expect(store.get(k)).toBe(v);
  });

  it('aggregate starts each key from the initializer and applies (key, value, aggregate)', async () => {
    interface Stats {
      n: number;
      sum: number;
      min: number;
      max: number;
      key: string;
    }
    const rnd = new Random(6006);
    const b = new StreamsBuilder();
    b.stream<string, number>('nums', { keySerde: S, valueSerde: Serdes.Int32() })
      .groupByKey()
      .aggregate<Stats>(
        () => ({ n: 0, sum: 0, min: Infinity, max: -Infinity, key: '' }),
        (key, v, agg) => ({ n: agg.n + 1, sum: agg.sum + v, min: Math.min(agg.min, v), max: Math.max(agg.max, v), key }),
        { storeName: 'stats', valueSerde: Serdes.Json<Stats>() },
      )
      .toStream()
      .to('out', { valueSerde: Serdes.Json<Stats>() });
    const d = driverFor(b.build());
    const input = d.createInputTopic('nums', S, Serdes.Int32());
    const model = new Map<string, Stats>();
    for (let i = 0; i < 500; i++) {
      const key = rnd.pick(['p', 'q', 'r', 's']);
      const v = rnd.int(-1000, 1000);
      await input.pipeInput(key, v);
      const a = model.get(key) ?? { n: 0, sum: 0, min: Infinity, max: -Infinity, key: '' };
      model.set(key, { n: a.n + 1, sum: a.sum + v, min: Math.min(a.min, v), max: Math.max(a.max, v), key });
    }
    expect(d.createOutputTopic('out', S, Serdes.Json<Stats>()).readKeyValuesToMap()).toEqual(model);
    const store = d.getKeyValueStore<string, Stats>('stats');
    for (const [k, v] of model) expect(store.get(k)).toEqual(v);
  });

  it('a store with logging disabled has no changelog; one with logging has it, named <application.id>-<store>-changelog', async () => {
    const b = new StreamsBuilder();
    const s = b.stream<string, string>('lines', { keySerde: S, valueSerde: S });
    s.groupByKey().count({ storeName: 'logged' });
    s.groupByKey().count({ storeName: 'unlogged', loggingEnabled: false });
    b.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('quiet'), S, S).withLoggingDisabled());
    s.process(
      () => {
        let store!: KeyValueStore<string, string>;
        return { init: (c) => void (store = c.getStateStore('quiet')), process: (r) => store.put(r.key, r.value) };
      },
      { stores: ['quiet'] },
    );
    const d = driverFor(b.build(), { 'application.id': 'logs' });
    await d.createInputTopic('lines', S, S).pipeInput('k', 'v');
    expect([...d.producedTopicNames()]).toEqual(['logs-logged-changelog']);
    expect(d.getKeyValueStore<string, number>('unlogged').get('k')).toBe(1);
    expect(d.getKeyValueStore<string, string>('quiet').get('k')).toBe('v');
  });

  it('a Grouped name names the repartition topic; without one it is the store’s', async () => {
    const b = new StreamsBuilder();
    const s = b.stream<string, string>('lines', { keySerde: S, valueSerde: S });
    s.groupBy((_k, v) => v, { name: 'by-value', keySerde: S })
      .count()
      .toStream()
      .to('out1', { valueSerde: L });
    s.selectKey((k) => `${k}!`)
      .groupByKey({ keySerde: S })
      .count({ storeName: 'bang' })
      .toStream()
      .to('out2', { valueSerde: L });
    const d = driverFor(b.build(), { 'application.id': 'names' });
    await d.createInputTopic('lines', S, S).pipeInput('k', 'v');
    expect([...d.producedTopicNames()].sort()).toEqual(
      [
        'names-bang-changelog',
        'names-bang-repartition',
        'names-by-value-repartition',
        expect.stringMatching(/^names-KSTREAM-AGGREGATE-STATE-STORE-\d{10}-changelog$/),
        'out1',
        'out2',
      ].sort(),
    );
    expect(d.createOutputTopic('out1', S, L).readKeyValuesToList()).toEqual([{ key: 'v', value: 1 }]);
    expect(d.createOutputTopic('out2', S, L).readKeyValuesToList()).toEqual([{ key: 'k!', value: 1 }]);
  });
});

describe('the same aggregations, whatever the store', () => {
  const CONFIGS = [
    { storeType: 'persistent', cachingEnabled: true, props: {} },
    { storeType: 'persistent', cachingEnabled: true, props: { 'statestore.cache.max.bytes': 0 } },
    { storeType: 'persistent', cachingEnabled: false, props: {} },
    { storeType: 'in-memory', cachingEnabled: true, props: {} },
    { storeType: 'in-memory', cachingEnabled: true, props: { 'statestore.cache.max.bytes': 0 } },
    { storeType: 'in-memory', cachingEnabled: false, props: {} },
  ] as const;

  it('reduce, aggregate and a regrouped table count end with identical stores, equal to the model', async () => {
    const rnd = new Random(7007);
    const events = Array.from({ length: 400 }, () => ({
      key: rnd.pick(['u1', 'u2', 'u3', 'u4', 'u5', 'u6']),
      value: rnd.chance(0.1) ? null : rnd.pick(WORDS),
    }));
    const finals: string[] = [];
    for (const c of CONFIGS) {
      const m = { storeType: c.storeType, cachingEnabled: c.cachingEnabled };
      const b = new StreamsBuilder();
      const s = b.stream<string, string>('lines', { keySerde: S, valueSerde: S });
      s.groupByKey().reduce((a, v) => (v > a ? v : a), { ...m, storeName: 'max' });
      s.groupByKey().aggregate(
        () => '',
        (_k, v, a) => (a + v).slice(-5),
        { ...m, storeName: 'tail', valueSerde: S },
      );
      // The latest word per user as a table, regrouped by word: how many users have each word last.
      s.toTable({ ...m, storeName: 'latest' })
        .groupBy((u, w) => [w, u] as const, { keySerde: S, valueSerde: S })
        .count({ ...m, storeName: 'users-per-word' });
      const d = driverFor(b.build(), c.props);
      const input = d.createInputTopic('lines', S, S);
      for (const e of events) await input.pipeInput(e.key, e.value);
      const dump = async (name: string): Promise<[string, unknown][]> =>
        (await collect(d.getKeyValueStore<string, unknown>(name).all())).map((x) => [x.key, x.value]);
      finals.push(JSON.stringify({ max: await dump('max'), tail: await dump('tail'), latest: await dump('latest'), perWord: await dump('users-per-word') }));
    }
    // The model.
    const max = new Map<string, string>();
    const tail = new Map<string, string>();
    const latest = new Map<string, string>();
    for (const e of events) {
      if (e.value === null) {
        latest.delete(e.key);
        continue;
      }
      max.set(e.key, max.has(e.key) && (max.get(e.key) as string) >= e.value ? (max.get(e.key) as string) : e.value);
      tail.set(e.key, ((tail.get(e.key) ?? '') + e.value).slice(-5));
      latest.set(e.key, e.value);
    }
    const perWord = new Map<string, number>();
    for (const w of new Set(events.flatMap((e) => (e.value === null ? [] : [e.value])))) perWord.set(w, [...latest.values()].filter((x) => x === w).length);
    const sorted = (m: Map<string, unknown>): [string, unknown][] => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const expected = JSON.stringify({ max: sorted(max), tail: sorted(tail), latest: sorted(latest), perWord: sorted(perWord) });
    for (const [i, f] of finals.entries()) expect(f, JSON.stringify(CONFIGS[i])).toBe(expected);
  });
});
