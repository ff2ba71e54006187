/**
 * The key-value store API — get, put (null deletes), delete, putIfAbsent, putAll, range,
 * reverseRange, all, reverseAll, prefixScan, approximateNumEntries — used inside a processor and
 * through `driver.getKeyValueStore`, on both store types with caching on and off. A seeded random
 * run of operations is checked against a Map (the model); scans must come in the order of the
 * serialized keys' bytes (which is not JavaScript's string order) and must see writes not yet
 * committed, made earlier in the same processing step.
 */
import { describe, expect, it } from 'vitest';
import { type KeyValue, type KeyValueStore, type ProcessorContext, Serdes, StreamsBuilder, Stores, type TopologyTestDriver } from '../../src/index.js';
import { Random, byUtf8, collect, errorOf, openDrivers } from './helpers.js';

const driverFor = openDrivers();
const S = Serdes.String();
const I = Serdes.Int32();

/**
 * Keys whose UTF-8 byte order differs from JavaScript's (UTF-16) order: '\uFF5E' sorts after '😀' as
 * a JS string but before it as bytes; 'é' and 'e…' and 'eé' test prefixes across multi-byte chars.
 */
const KEYS = ['', 'a', 'aa', 'ab', 'abc', 'b', 'ba', 'e', 'eé', 'é', 'éa', 'z', '~', '\u00ff', '\u0100', '\uFF5E', '😀', '😀a', 'Z', '0', '00', '1'];
const PREFIXES = ['', 'a', 'ab', 'e', 'é', '😀', '\uFF5E', 'q'];

type Op =
  | { op: 'put'; key: string; value: number | null }
  | { op: 'delete'; key: string }
  | { op: 'putIfAbsent'; key: string; value: number }
  | { op: 'putAll'; entries: KeyValue<string, number>[] }
  | { op: 'get'; key: string }
  | { op: 'range' | 'reverseRange'; from: string | null; to: string | null }
  | { op: 'all' | 'reverseAll' }
  | { op: 'prefixScan'; prefix: string }
  | { op: 'approximateNumEntries' };

function randomOp(rnd: Random): Op {
  const key = (): string => rnd.pick(KEYS);
  const bound = (): string | null => (rnd.chance(0.2) ? null : key());
  switch (rnd.int(0, 11)) {
    case 0:
    case 1:
    case 2:
      return { op: 'put', key: key(), value: rnd.chance(0.1) ? null : rnd.int(-1000, 1000) };
    case 3:
      return { op: 'delete', key: key() };
    case 4:
      return { op: 'putIfAbsent', key: key(), value: rnd.int(-1000, 1000) };
    case 5:
      return { op: 'putAll', entries: Array.from({ length: rnd.int(0, 4) }, () => ({ key: key(), value: rnd.int(-1000, 1000) })) };
    case 6:
      return { op: 'get', key: key() };
    case 7:
      return { op: rnd.pick(['range', 'reverseRange'] as const), from: bound(), to: bound() };
    case 8:
      return { op: rnd.pick(['all', 'reverseAll'] as const) };
    case 9:
    case 10:
      return { op: 'prefixScan', prefix: rnd.pick(PREFIXES) };
    default:
      return { op: 'approximateNumEntries' };
  }
}

/** What an operation returns; scans and counts are promises. */
function applyToStore(store: KeyValueStore<string, number>, o: Op): unknown {
  switch (o.op) {
    case 'put':
      return store.put(o.key, o.value);
    case 'delete':
      return store.delete(o.key);
    case 'putIfAbsent':
      return store.putIfAbsent(o.key, o.value);
    case 'putAll':
      return store.putAll(o.entries);
    case 'get':
      return store.get(o.key);
    case 'range':
      return collect(store.range(o.from, o.to));
    case 'reverseRange':
      return collect(store.reverseRange(o.from, o.to));
    case 'all':
      return collect(store.all());
    case 'reverseAll':
      return collect(store.reverseAll());
    case 'prefixScan':
      return collect(store.prefixScan(o.prefix, S));
    case 'approximateNumEntries':
      return store.approximateNumEntries();
  }
}

/** The same operation on a Map, with Kafka Streams' semantics and byte order. */
function applyToModel(model: Map<string, number>, o: Op): unknown {
  const sorted = (pred: (k: string) => boolean, reverse = false): KeyValue<string, number>[] => {
    const out = [...model.keys()]
      .filter(pred)
      .sort(byUtf8)
      .map((key) => ({ key, value: model.get(key) as number }));
    return reverse ? out.reverse() : out;
  };
  const inRange = (from: string | null, to: string | null) => (k: string) => (from === null || byUtf8(k, from) >= 0) && (to === null || byUtf8(k, to) <= 0);
  switch (o.op) {
    case 'put':
      if (o.value === null) model.delete(o.key);
      else model.set(o.key, o.value);
      return undefined;
    case 'delete': {
      const old = model.get(o.key);
      model.delete(o.key);
      return old;
    }
    case 'putIfAbsent': {
      const old = model.get(o.key);
      if (old === undefined) model.set(o.key, o.value);
      return old;
    }
    case 'putAll':
      for (const e of o.entries) model.set(e.key, e.value);
      return undefined;
    case 'get':
      return model.get(o.key);
    case 'range':
      return Promise.resolve(sorted(inRange(o.from, o.to)));
    case 'reverseRange':
      return Promise.resolve(sorted(inRange(o.from, o.to), true));
    case 'all':
      return Promise.resolve(sorted(() => true));
    case 'reverseAll':
      return Promise.resolve(sorted(() => true, true));
    case 'prefixScan': {
      const p = Buffer.from(o.prefix, 'utf8');
      return Promise.resolve(sorted((k) => Buffer.from(k, 'utf8').subarray(0, p.length).equals(p)));
    }
    case 'approximateNumEntries':
      return Promise.resolve(model.size);
  }
}

const MATRIX = [
  ['persistent', 'cache on'],
  ['persistent', 'cache off'],
  ['in-memory', 'cache on'],
  ['in-memory', 'cache off'],
] as const;

/**
 * A topology whose processor runs the operations each `ops` record carries (several per record, so
 * later ones see the earlier ones' uncommitted writes) and reports their results.
 */
function opsTopology(storeType: 'persistent' | 'in-memory', caching: 'cache on' | 'cache off', results: unknown[][]): ReturnType<StreamsBuilder['build']> {
  const b = new StreamsBuilder();
  const supplier = storeType === 'persistent' ? Stores.persistentKeyValueStore('kv') : Stores.inMemoryKeyValueStore('kv');
  const storeBuilder = Stores.keyValueStoreBuilder(supplier, S, I);
  if (caching === 'cache off') storeBuilder.withCachingDisabled();
  b.addStateStore(storeBuilder);
  b.stream<string, Op[]>('ops', { keySerde: S, valueSerde: Serdes.Json<Op[]>() }).process(
    () => {
      let store!: KeyValueStore<string, number>;
      return {
        init: (ctx: ProcessorContext<never, never>) => void (store = ctx.getStateStore('kv')),
        process: (r) => void results.push(r.value.map((o) => applyToStore(store, o))),
      };
    },
    { stores: ['kv'] },
  );
  return b.build();
}

describe.each(MATRIX)('key-value store, %s, %s', (storeType, caching) => {
  it('inside a processor: a random run of operations matches the model, scans in byte order and seeing the step’s own writes', async () => {
    const rnd = new Random(0xc0ffee);
    const results: unknown[][] = [];
    const d = driverFor(opsTopology(storeType, caching, results));
    const input = d.createInputTopic('ops', S, Serdes.Json<Op[]>());
    const model = new Map<string, number>();
    for (let step = 0; step < 150; step++) {
      const ops = Array.from({ length: rnd.int(1, 8) }, () => randomOp(rnd));
      await input.pipeInput('step', ops);
      const got = results[step];
      expect(got).toHaveLength(ops.length);
      for (const [i, o] of ops.entries()) {
        const want = applyToModel(model, o);
        expect(await got[i], `step ${step}, op ${i}: ${JSON.stringify(o)}`).toEqual(await want);
      }
    }
    // The committed state, as a query sees it from outside.
    const store = d.getKeyValueStore<string, number>('kv');
    expect(await collect(store.all())).toEqual(await applyToModel(model, { op: 'all' }));
  });

  it('through driver.getKeyValueStore: the same operations, before and after the commits the driver makes', async () => {
    const rnd = new Random(0xbeef);
    const d = driverFor(opsTopology(storeType, caching, []));
    const input = d.createInputTopic('ops', S, Serdes.Json<Op[]>());
    const store = d.getKeyValueStore<string, number>('kv');
    const model = new Map<string, number>();
    for (let step = 0; step < 300; step++) {
      const o = randomOp(rnd);
      expect(await applyToStore(store, o), `step ${step}: ${JSON.stringify(o)}`).toEqual(await applyToModel(model, o));
      // Now and then a record goes through, and the task commits what the test wrote.
      if (rnd.chance(0.2)) await input.pipeInput('tick', []);
    }
  });
});

describe('scan order and bounds', () => {
  it('orders Int32 keys by their big-endian bytes: non-negative ones first, then the negative ones', async () => {
    const b = new StreamsBuilder();
    b.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('ints'), I, S));
    b.stream('in', { keySerde: S, valueSerde: S }).process(() => ({ process: () => undefined }), { stores: ['ints'] });
    const d = driverFor(b.build());
    const store = d.getKeyValueStore<number, string>('ints');
    const keys = [5, -1, 0, 2147483647, -2147483648, 256, -256, 1];
    for (const k of keys) store.put(k, `v${k}`);
    const byBytes = [...keys].sort((x, y) => (x >>> 0) - (y >>> 0));
    expect((await collect(store.all())).map((e) => e.key)).toEqual(byBytes);
    expect((await collect(store.reverseAll())).map((e) => e.key)).toEqual([...byBytes].reverse());
    // Both bounds inclusive; a range whose start is past its end is empty.
    expect((await collect(store.range(1, -256))).map((e) => e.key)).toEqual(byBytes.filter((k) => k >>> 0 >= 1 && k >>> 0 <= -256 >>> 0));
    expect(await collect(store.range(-1, 0))).toEqual([]);
  });

  it('prefixScan with a byte prefix ending in 0xff, and with no upper bound at all', async () => {
    const B = Serdes.ByteArray();
    const b = new StreamsBuilder();
    b.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('bytes'), B, I).withCachingDisabled());
    b.stream('in', { keySerde: S, valueSerde: S }).process(() => ({ process: () => undefined }), { stores: ['bytes'] });
    const d = driverFor(b.build());
    const store = d.getKeyValueStore<Buffer, number>('bytes');
    const rnd = new Random(12);
    const keys = new Map<string, Buffer>();
    for (let i = 0; i < 300; i++) {
      const k = Buffer.from(Array.from({ length: rnd.int(1, 3) }, () => rnd.pick([0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff])));
      keys.set(k.toString('hex'), k);
      store.put(k, i);
    }
    await d.createInputTopic('in', S, S).pipeInput('commit', 'now');
    for (const prefix of [[0xff], [0x01, 0xff], [0xff, 0xff], [0x00], [0x80, 0x00]]) {
      const p = Buffer.from(prefix);
      const want = [...keys.values()].filter((k) => k.subarray(0, p.length).equals(p)).sort(Buffer.compare);
      const got = (await collect(store.prefixScan(p, B))).map((e) => e.key);
      expect(
        got.map((k) => k.toString('hex')),
        p.toString('hex'),
      ).toEqual(want.map((k) => k.toString('hex')));
    }
  });

  it('an iterator closed early releases the scan; the store stays usable', async () => {
    const b = new StreamsBuilder();
    b.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('kv'), S, I));
    b.stream('in', { keySerde: S, valueSerde: S }).process(() => ({ process: () => undefined }), { stores: ['kv'] });
    const d = driverFor(b.build());
    const store = d.getKeyValueStore<string, number>('kv');
    for (let i = 0; i < 1000; i++) store.put(`k${String(i).padStart(4, '0')}`, i);
    await d.createInputTopic('in', S, S).pipeInput('commit', 'now');
    const seen: number[] = [];
    for await (const { value } of store.all()) {
      seen.push(value);
      if (seen.length === 3) break;
    }
    const it = store.reverseAll();
    expect((await it.next()).value).toEqual({ key: 'k0999', value: 999 });
    await it.close();
    expect(seen).toEqual([0, 1, 2]);
    expect(await store.approximateNumEntries()).toBe(1000);
  });
});

describe('stores and processors', () => {
  it('a processor reaches only the stores it was connected to', async () => {
    const b = new StreamsBuilder();
    b.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('mine'), S, I));
    b.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('other'), S, I));
    const s = b.stream('in', { keySerde: S, valueSerde: S });
    s.process(() => ({ process: () => undefined }), { stores: ['other'] });
    s.process<never, never>(
      () => {
        let ctx!: ProcessorContext<never, never>;
        return {
          init: (c) => void (ctx = c),
          process: () => void ctx.getStateStore('other'),
        };
      },
      { stores: ['mine'], name: 'nosy' },
    );
    const d = driverFor(b.build());
    const e = await errorOf(() => d.createInputTopic('in', S, S).pipeInput('k', 'v'));
    expect(String(e)).toMatch(/Processor nosy has no access to store other/);
  });

  it('a store named in process() must have been added', () => {
    const b = new StreamsBuilder();
    const s = b.stream('in', { keySerde: S, valueSerde: S });
    expect(() => s.process(() => ({ process: () => undefined }), { stores: ['missing'] })).toThrow(/store missing, which was not added/);
  });

  it('the driver lists the stores and refuses an unknown name', () => {
    const b = new StreamsBuilder();
    b.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('kv'), S, I));
    b.stream('in', { keySerde: S, valueSerde: S }).process(() => ({ process: () => undefined }), { stores: ['kv'] });
    const d: TopologyTestDriver = driverFor(b.build());
    expect([...d.getAllStateStores().keys()]).toEqual(['kv']);
    expect(() => d.getKeyValueStore('nope')).toThrow(/No store named nope; the topology has kv/);
  });

  it('a DSL store seen through getKeyValueStore gives values; getTimestampedKeyValueStore gives their timestamps too', async () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in', { keySerde: S, valueSerde: S }).groupByKey().count({ storeName: 'counts' });
    const d = driverFor(b.build());
    const input = d.createInputTopic('in', S, S);
    await input.pipeInput('a', 'x', 100);
    await input.pipeInput('a', 'x', 50);
    await input.pipeInput('b', 'x', 70);
    expect(d.getKeyValueStore<string, number>('counts').get('a')).toBe(2);
    expect(d.getTimestampedKeyValueStore<string, number>('counts').get('a')).toEqual({ value: 2, timestamp: 100 });
    expect(await collect(d.getTimestampedKeyValueStore<string, number>('counts').all())).toEqual([
      { key: 'a', value: { value: 2, timestamp: 100 } },
      { key: 'b', value: { value: 1, timestamp: 70 } },
    ]);
  });
});
