/**
 * KTables: a table read from a topic, its stateless operations (filter, filterNot, mapValues —
 * materialized or not — and toStream), and KTable.groupBy into KGroupedTable count, aggregate and
 * reduce with adder and subtractor. The input is a seeded random run of user → region updates, with
 * moves between regions, updates that keep the region, and deletions (null values, also of users
 * that are not there); every output is compared with a plain-JS model of the table.
 */
import { describe, expect, it } from 'vitest';
import { type Serde, Serdes, StreamsBuilder, type TopologyTestDriver } from '../../src/index.js';
import { Random, collect, openDrivers } from './helpers.js';

const driverFor = openDrivers();
const S = Serdes.String();
const L = Serdes.Long();

const USERS = Array.from({ length: 20 }, (_, i) => `user-${String(i).padStart(2, '0')}`);
const REGIONS = ['africa', 'americas', 'asia', 'europe', 'oceania'];

interface Update {
  user: string;
  region: string | null;
  timestamp: number;
}

function randomUpdates(seed: number, n: number): Update[] {
  const rnd = new Random(seed);
  let t = 0;
  return Array.from({ length: n }, () => ({ user: rnd.pick(USERS), region: rnd.chance(0.15) ? null : rnd.pick(REGIONS), timestamp: (t += rnd.int(1, 10)) }));
}

const CACHING = [
  ['cache on', {}],
  ['cache off', { 'statestore.cache.max.bytes': 0 }],
] as const;

describe.each(CACHING)('KTable stateless operations (%s)', (_name, cacheProps) => {
  it('filter, filterNot and mapValues follow the table, and toStream shows updates and deletions', async () => {
    const updates = randomUpdates(111, 400);
    const b = new StreamsBuilder();
    const users = b.table<string, string>('users', { keySerde: S, valueSerde: S, storeName: 'users-store' });
    const isEuropean = (_u: string, r: string): boolean => r === 'europe';
    users.filter(isEuropean).toStream().to('europeans');
    users.filterNot(isEuropean, { storeName: 'non-europeans', storeType: 'in-memory' }).toStream().to('non-europeans');
    users
      .mapValues((r, u) => `${u}@${r.toUpperCase()}`)
      .toStream()
      .to('labels', { valueSerde: S });
    users
      .mapValues((r) => r.length, { storeName: 'region-name-length', valueSerde: Serdes.Int32() })
      .toStream()
      .to('lengths', { valueSerde: Serdes.Int32() });
    users.toStream().to('changes');
    const d = driverFor(b.build(), cacheProps);
    const input = d.createInputTopic('users', S, S);
    const outs = {
      europeans: d.createOutputTopic('europeans', S, S),
      nonEuropeans: d.createOutputTopic('non-europeans', S, S),
      labels: d.createOutputTopic('labels', S, S),
      lengths: d.createOutputTopic('lengths', S, Serdes.Int32()),
      changes: d.createOutputTopic('changes', S, S),
    };
    const expected = { europeans: [] as unknown[], nonEuropeans: [] as unknown[], labels: [] as unknown[], lengths: [] as unknown[], changes: [] as unknown[] };
    const table = new Map<string, string>();
    const changeStamps: number[] = [];
    /** A derived table's update: forwarded unless the row is absent before and after. */
    const derived = (list: unknown[], user: string, oldV: unknown, newV: unknown): void => {
      if (oldV !== null || newV !== null) list.push({ key: user, value: newV });
    };
    for (const u of updates) {
      await input.pipeInput(u.user, u.region, u.timestamp);
      const old = table.get(u.user) ?? null;
      if (old === null && u.region === null) continue; // deleting a row that is not there changes nothing
      if (u.region === null) table.delete(u.user);
      else table.set(u.user, u.region);
      const keep = (r: string | null, want: boolean): string | null => (r !== null && (r === 'europe') === want ? r : null);
      derived(expected.europeans, u.user, keep(old, true), keep(u.region, true));
      derived(expected.nonEuropeans, u.user, keep(old, false), keep(u.region, false));
      expected.labels.push({ key: u.user, value: u.region === null ? null : `${u.user}@${u.region.toUpperCase()}` });
      expected.lengths.push({ key: u.user, value: u.region === null ? null : u.region.length });
      expected.changes.push({ key: u.user, value: u.region });
      changeStamps.push(u.timestamp);
    }
    expect(outs.europeans.readKeyValuesToList()).toEqual(expected.europeans);
    expect(outs.nonEuropeans.readKeyValuesToList()).toEqual(expected.nonEuropeans);
    expect(outs.labels.readKeyValuesToList()).toEqual(expected.labels);
    expect(outs.lengths.readKeyValuesToList()).toEqual(expected.lengths);
    const changes = outs.changes.readRecordsToList();
    expect(changes.map((r) => ({ key: r.key, value: r.value }))).toEqual(expected.changes);
    // Each update carries the timestamp of the record that made it.
    expect(changes.map((r) => r.timestamp)).toEqual(changeStamps);

    // The materialized tables hold the model's rows.
    const rows = async (name: string): Promise<Map<string, unknown>> =>
      new Map((await collect(d.getKeyValueStore<string, unknown>(name).all())).map((e) => [e.key, e.value]));
    expect(await rows('users-store')).toEqual(table);
    expect(await rows('non-europeans')).toEqual(new Map([...table].filter(([, r]) => r !== 'europe')));
    expect(await rows('region-name-length')).toEqual(new Map([...table].map(([u, r]) => [u, r.length])));
  });
});

/** The model of a KGroupedTable aggregation: what each group's value is after every table update. */
class GroupModel<V, A> {
  readonly rows = new Map<string, V>();
  readonly groups = new Map<string, A>();

  constructor(
    private readonly groupOf: (value: V) => string,
    private readonly init: () => A,
    private readonly add: (agg: A, value: V) => A,
    private readonly subtract: (agg: A, value: V) => A,
  ) {}

  /** Applies one table update; returns the group updates a downstream table sees, in order. */
  apply(key: string, value: V | null): { key: string; value: A }[] {
    const old = this.rows.get(key) ?? null;
    if (old === null && value === null) return [];
    if (value === null) this.rows.delete(key);
    else this.rows.set(key, value);
    const out: { key: string; value: A }[] = [];
    if (old !== null && value !== null && this.groupOf(old) === this.groupOf(value)) {
      // The group did not change: subtract and add in one step, one update (Kafka Streams' KIP-904).
      const g = this.groupOf(value);
      this.groups.set(g, this.add(this.subtract(this.groups.get(g) as A, old), value));
      out.push({ key: g, value: this.groups.get(g) as A });
      return out;
    }
    if (old !== null) {
      const g = this.groupOf(old);
      this.groups.set(g, this.subtract(this.groups.get(g) as A, old));
      out.push({ key: g, value: this.groups.get(g) as A });
    }
    if (value !== null) {
      const g = this.groupOf(value);
      this.groups.set(g, this.add(this.groups.get(g) ?? this.init(), value));
      out.push({ key: g, value: this.groups.get(g) as A });
    }
    return out;
  }
}

async function pipeUpdates<V>(d: TopologyTestDriver, updates: { user: string; value: V | null; timestamp: number }[], valueSerde: Serde<V>): Promise<void> {
  const input = d.createInputTopic('users', S, valueSerde);
  for (const u of updates) await input.pipeInput(u.user, u.value, u.timestamp);
}

describe.each(CACHING)('KTable.groupBy → KGroupedTable (%s)', (_name, cacheProps) => {
  it('count: users per region, as users move between regions, stay, and leave', async () => {
    const updates = randomUpdates(222, 500);
    const b = new StreamsBuilder();
    b.table<string, string>('users', { keySerde: S, valueSerde: S })
      .groupBy((user, region) => [region, user] as const, { keySerde: S, valueSerde: S })
      .count({ storeName: 'users-per-region' })
      .toStream()
      .to('per-region', { valueSerde: L });
    const d = driverFor(b.build(), { 'application.id': 'regions', ...cacheProps });
    const out = d.createOutputTopic('per-region', S, L);
    const model = new GroupModel<string, number>(
      (r) => r,
      () => 0,
      (n) => n + 1,
      (n) => n - 1,
    );
    const input = d.createInputTopic('users', S, S);
    for (const [i, u] of updates.entries()) {
      await input.pipeInput(u.user, u.region, u.timestamp);
      expect(out.readKeyValuesToList(), `update ${i}: ${JSON.stringify(u)}`).toEqual(model.apply(u.user, u.region));
    }
    const store = d.getKeyValueStore<string, number>('users-per-region');
    for (const r of REGIONS) expect(store.get(r)).toBe(model.groups.get(r));
    // A region everyone left keeps its count of 0, as in Kafka Streams.
    for (const [, n] of model.groups) expect(n).toBeGreaterThanOrEqual(0);
    const regionsOf = [...model.rows.values()];
    for (const r of REGIONS) expect(model.groups.get(r) ?? 0).toBe(regionsOf.filter((x) => x === r).length);
  });

  it('aggregate: the sorted members of each region, with an adder and a subtractor', async () => {
    const updates = randomUpdates(333, 400);
    const b = new StreamsBuilder();
    const members = Serdes.Json<string[]>();
    b.table<string, string>('users', { keySerde: S, valueSerde: S })
      .groupBy((user, region) => ({ key: region, value: user }), { keySerde: S, valueSerde: S })
      .aggregate<string[]>(
        () => [],
        (_region, user, list) => [...list, user].sort(),
        (_region, user, list) => list.filter((u) => u !== user),
        { storeName: 'members', valueSerde: members },
      )
      .toStream()
      .to('members', { valueSerde: members });
    const d = driverFor(b.build(), cacheProps);
    const out = d.createOutputTopic('members', S, members);
    // The model groups by region but the adder and subtractor see the user: keep (user, region) rows.
    const model = new GroupModel<{ user: string; region: string }, string[]>(
      (v) => v.region,
      () => [],
      (list, v) => [...list, v.user].sort(),
      (list, v) => list.filter((u) => u !== v.user),
    );
    const input = d.createInputTopic('users', S, S);
    for (const [i, u] of updates.entries()) {
      await input.pipeInput(u.user, u.region, u.timestamp);
      expect(out.readKeyValuesToList(), `update ${i}`).toEqual(model.apply(u.user, u.region === null ? null : { user: u.user, region: u.region }));
    }
    const store = d.getKeyValueStore<string, string[]>('members');
    for (const r of REGIONS) expect(store.get(r)).toEqual(model.groups.get(r));
  });

  it('reduce: the total score per region, with an adder and a subtractor', async () => {
    interface Player {
      region: string;
      score: number;
    }
    const rnd = new Random(444);
    const updates = randomUpdates(444, 400).map((u) => ({
      user: u.user,
      value: u.region === null ? null : { region: u.region, score: rnd.int(0, 100) },
      timestamp: u.timestamp,
    }));
    const b = new StreamsBuilder();
    const P = Serdes.Json<Player>();
    b.table<string, Player>('users', { keySerde: S, valueSerde: P })
      .groupBy((_user, p) => [p.region, p.score] as const, { keySerde: S, valueSerde: Serdes.Int32() })
      .reduce(
        (a, v) => a + v,
        (a, v) => a - v,
        { storeName: 'scores' },
      )
      .toStream()
      .to('scores', { valueSerde: Serdes.Int32() });
    const d = driverFor(b.build(), cacheProps);
    await pipeUpdates(d, updates, P);
    const model = new GroupModel<Player, number>(
      (p) => p.region,
      () => 0,
      (a, p) => a + p.score,
      (a, p) => a - p.score,
    );
    const expected = updates.flatMap((u) => model.apply(u.user, u.value));
    expect(d.createOutputTopic('scores', S, Serdes.Int32()).readKeyValuesToList()).toEqual(expected);
    const store = d.getKeyValueStore<string, number>('scores');
    for (const r of REGIONS) expect(store.get(r)).toBe(model.groups.get(r));
  });

  it('a table one record updates several times: the regrouped count subtracts the value from before the record', async () => {
    // Each record sets a user's region three times (the last one is the user's region after it);
    // with a cache the table sends one change per record, without it three. Same final counts.
    const rnd = new Random(666);
    const records = Array.from({ length: 200 }, () => ({
      user: rnd.pick(USERS.slice(0, 6)),
      regions: [rnd.pick(REGIONS), rnd.pick(REGIONS), rnd.pick(REGIONS)],
    }));
    const b = new StreamsBuilder();
    b.stream<string, string>('moves', { keySerde: S, valueSerde: S })
      .flatMapValues((v) => v.split(','))
      .toTable({ storeName: 'where', valueSerde: S })
      .groupBy((u, r) => [r, u] as const, { keySerde: S, valueSerde: S })
      .count({ storeName: 'how-many' })
      .toStream()
      .to('how-many', { valueSerde: L });
    const d = driverFor(b.build(), cacheProps);
    const input = d.createInputTopic('moves', S, S);
    const out = d.createOutputTopic('how-many', S, L);
    const model = new GroupModel<string, number>(
      (r) => r,
      () => 0,
      (n) => n + 1,
      (n) => n - 1,
    );
    const cached = !('statestore.cache.max.bytes' in cacheProps);
    for (const [i, r] of records.entries()) {
      await input.pipeInput(r.user, r.regions.join(','));
      const expected = cached ? model.apply(r.user, r.regions[2]) : r.regions.flatMap((region) => model.apply(r.user, region));
      expect(out.readKeyValuesToList(), `record ${i}`).toEqual(expected);
    }
    const store = d.getKeyValueStore<string, number>('how-many');
    for (const region of REGIONS) expect(store.get(region)).toBe(model.groups.get(region));
  });

  it('skips rows whose selected key or value is null, as Kafka Streams does', async () => {
    const updates = randomUpdates(555, 300);
    const b = new StreamsBuilder();
    b.table<string, string>('users', { keySerde: S, valueSerde: S })
      // Oceania is not grouped (null key); Asia's users are grouped with no value (null value).
      .groupBy((user, region) => [region === 'oceania' ? null : region, region === 'asia' ? null : user] as const, { keySerde: S, valueSerde: S })
      .count({ storeName: 'counted' });
    const d = driverFor(b.build(), cacheProps);
    await pipeUpdates(
      d,
      updates.map((u) => ({ user: u.user, value: u.region, timestamp: u.timestamp })),
      S,
    );
    const rows = new Map<string, string>();
    for (const u of updates) {
      if (u.region === null) rows.delete(u.user);
      else rows.set(u.user, u.region);
    }
    const store = d.getKeyValueStore<string, number>('counted');
    for (const r of REGIONS) {
      const expected = r === 'oceania' || r === 'asia' ? undefined : [...rows.values()].filter((x) => x === r).length;
      // A region emptied out keeps a count of 0; a region never seen has no row.
      const seen = updates.some((u) => u.region === r);
      expect(store.get(r), r).toBe(seen ? expected : undefined);
    }
  });

  it('with no serdes given, the defaults serve the regrouping and its store', async () => {
    const updates = randomUpdates(777, 200);
    const b = new StreamsBuilder();
    b.table<string, string>('users')
      .groupBy((user, region) => [region, user] as const)
      .count({ storeName: 'defaults' });
    const d = driverFor(b.build(), { 'default.key.serde': S, 'default.value.serde': S, ...cacheProps });
    await pipeUpdates(
      d,
      updates.map((u) => ({ user: u.user, value: u.region, timestamp: u.timestamp })),
      S,
    );
    const model = new GroupModel<string, number>(
      (r) => r,
      () => 0,
      (n) => n + 1,
      (n) => n - 1,
    );
    for (const u of updates) model.apply(u.user, u.region);
    const store = d.getKeyValueStore<string, number>('defaults');
    for (const r of REGIONS) expect(store.get(r)).toBe(model.groups.get(r));
  });

  it('goes through <application.id>-<store>-repartition, or the Grouped name’s', async () => {
    const b = new StreamsBuilder();
    const t = b.table<string, string>('users', { keySerde: S, valueSerde: S });
    t.groupBy((u, r) => [r, u] as const, { keySerde: S, valueSerde: S }).count({ storeName: 'c1' });
    t.groupBy((u, r) => [r, u] as const, { name: 'regrouped', keySerde: S, valueSerde: S }).count({ storeName: 'c2' });
    const d = driverFor(b.build(), { 'application.id': 'app', ...cacheProps });
    await d.createInputTopic('users', S, S).pipeInput('u', 'asia');
    const produced = [...d.producedTopicNames()].sort();
    expect(produced).toEqual(['app-c1-changelog', 'app-c1-repartition', 'app-c2-changelog', 'app-regrouped-repartition']);
  });
});
