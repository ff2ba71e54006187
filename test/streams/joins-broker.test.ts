/**
 * Joins on a real broker (`Broker.start`), under exactly_once, several partitions per topic:
 * - the runtime refuses to start a join whose topics differ in partition count;
 * - a stream-table join behind a key change (repartition topic sized to the table's partitions), a
 *   windowed stream-stream join (async join processors in real tasks) and a table-table join give
 *   the results computed from the inputs: every one once, none missing.
 * Windows are wide enough that no record expires, so the results do not depend on how the records
 * of two topics interleave in a task; the table is loaded (and seen loaded) before the stream.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Broker, JoinWindows, KafkaStreams, Serdes, StreamsBuilder, silentLogger } from '../../src/index.js';
import { readTopics, waitUntil } from '../support/streams-apps.js';

const S = Serdes.String();

describe('joins on a broker', () => {
  let broker: Broker;
  let kafka: Kafka;
  let stateDir: string;

  beforeAll(async () => {
    broker = await Broker.start({ logger: silentLogger });
    kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    stateDir = mkdtempSync(join(tmpdir(), 'skein-joins-state-'));
  });

  afterAll(async () => {
    await broker?.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  const props = (appId: string): Record<string, unknown> => ({
    'application.id': appId,
    'bootstrap.servers': broker.bootstrap,
    'processing.guarantee': 'exactly_once',
    'state.dir': stateDir,
    'commit.interval.ms': 100,
  });

  it('refuses to start a join of topics with different partition counts', async () => {
    await broker.createTopics([
      { topic: 'orders-3', partitions: 3 },
      { topic: 'customers-2', partitions: 2 },
      { topic: 'enriched-x', partitions: 1 },
    ]);
    const b = new StreamsBuilder();
    b.stream<string, string>('orders-3', { keySerde: S, valueSerde: S })
      .join(b.table<string, string>('customers-2', { keySerde: S, valueSerde: S }), (o, c) => `${o}+${c}`)
      .to('enriched-x', { valueSerde: S });
    const streams = new KafkaStreams(b.build(), props('copartition-refused'), { logger: silentLogger });
    await expect(streams.start()).rejects.toThrow(
      'Topics customers-2 (2 partitions), orders-3 (3 partitions) are joined, so they must have the same number of partitions (co-partitioning)',
    );
    expect(streams.state()).toBe('ERROR');
  });

  it('gives every join result computed from the inputs, once', async () => {
    await broker.createTopics([
      { topic: 'clicks', partitions: 4 },
      { topic: 'users', partitions: 2, config: { 'cleanup.policy': 'compact' } },
      { topic: 'views', partitions: 2 },
      { topic: 'ads', partitions: 2 },
      { topic: 'profiles', partitions: 2, config: { 'cleanup.policy': 'compact' } },
      { topic: 'users-seen', partitions: 2 },
      { topic: 'clicks-by-user', partitions: 2 },
      { topic: 'views-with-ads', partitions: 2 },
      { topic: 'user-profiles', partitions: 2 },
      { topic: 'accounts', partitions: 4, config: { 'cleanup.policy': 'compact' } },
      { topic: 'account-cities', partitions: 4 },
    ]);
    const b = new StreamsBuilder();
    const users = b.table<string, string>('users', { keySerde: S, valueSerde: S });
    users.toStream().to('users-seen', { valueSerde: S });
    // clicks: key = click id, value = "<user>:<page>"; re-keyed by user and joined with the users table.
    b.stream<string, string>('clicks', { keySerde: S, valueSerde: S })
      .selectKey((_id, v) => v.split(':')[0])
      .leftJoin(users, (click, city) => `${click}@${city}`, { name: 'clicks-users', keySerde: S, valueSerde: S })
      .to('clicks-by-user', { valueSerde: S });
    // views and ads, both keyed by page, joined within an hour.
    b.stream<string, string>('views', { keySerde: S, valueSerde: S })
      .join(b.stream<string, string>('ads', { keySerde: S, valueSerde: S }), (v, a) => `${v}&${a}`, JoinWindows.ofTimeDifferenceWithNoGrace(3_600_000))
      .to('views-with-ads', { valueSerde: S });
    // users and profiles, both keyed by user: an outer join of the two tables.
    users
      .outerJoin(b.table<string, string>('profiles', { keySerde: S, valueSerde: S }), (city, profile) => `${city}/${profile}`, {
        storeName: 'user-profiles',
        valueSerde: S,
      })
      .toStream()
      .to('user-profiles', { valueSerde: S });

    // accounts (4 partitions) name their user (users: 2 partitions): a foreign-key join needs no co-partitioning.
    b.table<string, string>('accounts', { keySerde: S, valueSerde: S })
      .join(
        users,
        (user) => user,
        (user, city) => `${user}+${city}`,
        { valueSerde: S },
      )
      .toStream()
      .to('account-cities', { valueSerde: S });

    const topology = b.build();
    const streams = new KafkaStreams(topology, props('joins-e2e'), { logger: silentLogger });
    await streams.start();
    // Each repartition topic in front of a join has the partition count of what it is joined with.
    const admin = kafka.admin();
    await admin.connect();
    const internal = [...topology.internalTopics.keys()];
    const meta = await admin.fetchTopicMetadata({ topics: internal.map((t) => `joins-e2e-${t}`) });
    await admin.disconnect();
    expect(new Map(meta.topics.map((t) => [t.name.slice('joins-e2e-'.length).replace(/[0-9]{10}/, 'n'), t.partitions.length]))).toEqual(
      new Map([
        ['clicks-users-repartition', 2],
        ['KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-n-topic', 2],
        ['KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-n-topic', 4],
      ]),
    );
    const producer = kafka.producer();
    await producer.connect();
    try {
      await streams.waitForState('RUNNING');
      const t0 = 1_000_000;
      const cities = new Map<string, string>();
      const userNames = Array.from({ length: 12 }, (_, i) => `user-${i}`);
      for (const [i, u] of userNames.entries()) if (i % 4 !== 0) cities.set(u, ['Oslo', 'Rome', 'Lima'][i % 3]);
      await producer.send({ topic: 'users', messages: [...cities].map(([key, value], i) => ({ key, value, timestamp: String(t0 + i) })) });
      // The stream records go out only once the task has the whole table.
      await waitUntil(
        async () => (await readTopics(kafka, [{ topic: 'users-seen', partitions: 2 }])).get('users-seen')?.flat().length === cities.size,
        60_000,
        () => 'users not seen',
      );

      const clicks = Array.from({ length: 300 }, (_, i) => ({
        key: `c${i}`,
        value: `${userNames[(i * 7) % userNames.length]}:page-${i % 5}`,
        timestamp: String(t0 + 100 + i),
      }));
      const views = Array.from({ length: 120 }, (_, i) => ({ key: `page-${i % 6}`, value: `view${i}`, timestamp: String(t0 + 1000 + i * 3) }));
      const ads = Array.from({ length: 40 }, (_, i) => ({ key: `page-${(i * 5) % 8}`, value: `ad${i}`, timestamp: String(t0 + 1000 + i * 7) }));
      const profiles = userNames.filter((_, i) => i % 3 !== 1).map((u, i) => ({ key: u, value: `p-${u}`, timestamp: String(t0 + 50 + i) }));
      await producer.send({ topic: 'clicks', messages: clicks });
      await producer.send({ topic: 'views', messages: views });
      await producer.send({ topic: 'ads', messages: ads });
      await producer.send({ topic: 'profiles', messages: profiles });
      const accounts = Array.from({ length: 40 }, (_, i) => ({ key: `acc-${i}`, value: userNames[i % userNames.length], timestamp: String(t0 + 2000 + i) }));
      await producer.send({ topic: 'accounts', messages: accounts });

      // What the joins must give, computed from the inputs.
      const expectedClicks = clicks.map((c) => {
        const user = c.value.split(':')[0];
        return `${user} ${c.value}@${cities.get(user) ?? null}`;
      });
      const expectedViews = views.flatMap((v) => ads.filter((a) => a.key === v.key).map((a) => `${v.key} ${v.value}&${a.value}`));
      // The outer join's final row per user: city/profile with null for a missing side.
      const profileOf = new Map(profiles.map((p) => [p.key, p.value]));
      const expectedFinal = new Map(
        userNames.filter((u) => cities.has(u) || profileOf.has(u)).map((u) => [u, `${cities.get(u) ?? null}/${profileOf.get(u) ?? null}`]),
      );

      const expectedAccounts = new Map(accounts.filter((a) => cities.has(a.value)).map((a) => [a.key, `${a.value}+${cities.get(a.value)}`]));
      const outTopics = [
        ...['clicks-by-user', 'views-with-ads', 'user-profiles'].map((topic) => ({ topic, partitions: 2 })),
        { topic: 'account-cities', partitions: 4 },
      ];
      const read = async (): Promise<Map<string, string[]>> => {
        const all = await readTopics(kafka, outTopics);
        return new Map([...all].map(([t, parts]) => [t, parts.flat().map((r) => `${r.key?.toString()} ${r.value?.toString()}`)]));
      };
      await waitUntil(
        async () => {
          const out = await read();
          return (
            (out.get('clicks-by-user')?.length ?? 0) >= expectedClicks.length &&
            (out.get('views-with-ads')?.length ?? 0) >= expectedViews.length &&
            (out.get('account-cities')?.length ?? 0) >= expectedAccounts.size
          );
        },
        90_000,
        async () => JSON.stringify([...(await read())].map(([t, r]) => [t, r.length])),
      );
      // Let anything extra (a duplicate would be a bug) arrive before comparing.
      await new Promise((r) => setTimeout(r, 1500));
      const out = await read();
      expect(expectedViews.length).toBeGreaterThan(100);
      expect((out.get('clicks-by-user') as string[]).sort()).toEqual(expectedClicks.sort());
      expect((out.get('views-with-ads') as string[]).sort()).toEqual(expectedViews.sort());
      // The table-table join's updates, per key in order: the last one is the joined row.
      const last = new Map<string, string>();
      for (const line of out.get('user-profiles') as string[]) {
        const [k, v] = line.split(' ');
        last.set(k, v);
      }
      expect(last).toEqual(expectedFinal);
      // The foreign-key join: one result per account whose user has a city, nothing else.
      expect(new Map((out.get('account-cities') as string[]).map((line) => line.split(' ') as [string, string]))).toEqual(expectedAccounts);
      expect(out.get('account-cities')).toHaveLength(expectedAccounts.size);
    } finally {
      await producer.disconnect();
      await streams.close();
    }
  }, 180_000);
});
