/**
 * Interactive queries and metrics on a real broker (issue #13, items 5 and 6): `streams.store()`
 * reads stores across the main thread and a worker thread (num.stream.threads 2),
 * `queryMetadataForKey` names the partition the producer wrote each key to and this instance as its
 * host, and the Prometheus endpoint, scraped with fetch and parsed, shows the counters moving as
 * records are processed. Then two processes: a key held by instance A is answered through instance
 * B's HTTP endpoint, which forwards the query to A.
 *
 * Stream threads in workers load the built package (dist/), so these tests run after `npm run build`,
 * and import the package from there as the apps do.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startBroker } from '../support/broker.js';
import { parsePrometheusText, samplesOf } from '../support/prometheus-text.js';
import { STREAMS_BROKER_CONFIG, type AppProcess, kafkaFor, readTopics, startApp, waitUntil } from '../support/streams-apps.js';

type Skein = typeof import('../../src/index.js');
const DIST = pathToFileURL(resolve(import.meta.dirname, '../../dist/index.js')).href;
const TOPOLOGY_MODULE = pathToFileURL(resolve(import.meta.dirname, '../support/iq-topology.mjs')).href;
const IQ_APP = resolve(import.meta.dirname, '../support/iq-app.mjs');
const PARTITIONS = 4;
const KEYS = Array.from({ length: 12 }, (_, i) => `k${i}`);

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

/** A broker with the input topic, and `send(times)`: key k<i> written i+1 times per call. */
async function setUp(): Promise<{ bootstrap: string; send: () => Promise<void>; partitionOf: () => Promise<Map<string, number>> }> {
  const broker = await startBroker(STREAMS_BROKER_CONFIG);
  cleanups.push(() => broker.stop());
  const kafka = kafkaFor(broker.bootstrap);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'iq-input', numPartitions: PARTITIONS }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  cleanups.push(() => producer.disconnect());
  return {
    bootstrap: broker.bootstrap,
    send: async () => {
      const messages = KEYS.flatMap((key, i) => Array.from({ length: i + 1 }, (_, n) => ({ key, value: String(n) })));
      await producer.send({ topic: 'iq-input', messages, acks: -1 });
    },
    // Where the producer (kafkajs's murmur2 partitioner) put each key, read back from the topic.
    partitionOf: async () => {
      const topic = (await readTopics(kafka, [{ topic: 'iq-input', partitions: PARTITIONS }])).get('iq-input') ?? [];
      const out = new Map<string, number>();
      topic.forEach((records, p) => records.forEach((r) => out.set((r.key as Buffer).toString(), p)));
      return out;
    },
  };
}

async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('interactive queries and metrics in one instance with a worker thread', () => {
  it('reads stores across both threads, names the key hosts, and exposes Prometheus metrics that move', async () => {
    const skein = (await import(DIST)) as Skein;
    const { topology } = (await import(TOPOLOGY_MODULE)) as { topology: () => InstanceType<Skein['StreamsBuilder']> };
    const env = await setUp();
    await env.send();
    const port = await freePort();
    const streams = new skein.KafkaStreams(
      topology().build(),
      {
        'application.id': 'iq-threads',
        'bootstrap.servers': env.bootstrap,
        'processing.guarantee': 'exactly_once',
        'state.dir': tempDir('skein-iq-state-'),
        'num.stream.threads': 2,
        'topology.module': TOPOLOGY_MODULE,
        'application.server': `127.0.0.1:${port}`,
        'statestore.cache.max.bytes': 0,
      },
      { logger: skein.silentLogger, logLevel: 'warn' },
    );
    cleanups.push(async () => {
      await streams.close();
    });
    expect(() => streams.store('counts')).toThrow(skein.InvalidStateStoreError);
    await streams.start();
    await streams.waitForState('RUNNING', 60_000);

    const counts = streams.store<string, number>('counts');
    const expected = new Map(KEYS.map((k, i) => [k, i + 1]));
    await waitUntil(
      async () => (await Promise.all(KEYS.map(async (k) => (await counts.get(k)) === expected.get(k)))).every(Boolean),
      30_000,
      async () => `counts: ${JSON.stringify(await counts.all())}`,
    );

    // Both threads hold tasks; each key's partition is the producer's, and this instance its host.
    const threads = streams.localThreadsMetadata();
    expect(threads.map((t) => t.threadName)).toEqual(['iq-threads-StreamThread-1', 'iq-threads-StreamThread-2']);
    const worker = threads[1];
    expect(worker.activeTasks.length).toBeGreaterThan(0);
    const partitions = await env.partitionOf();
    const workerKeys: string[] = [];
    for (const k of KEYS) {
      const meta = streams.queryMetadataForKey('counts', k, skein.Serdes.String());
      expect(meta).toEqual({ activeHost: { host: '127.0.0.1', port }, standbyHosts: [], partition: partitions.get(k) });
      expect(streams.queryMetadataForKey('counts', k)).toEqual(meta); // the store's own key serde
      if (worker.activeTasks.includes(`0_${meta.partition}`)) workerKeys.push(k);
    }
    expect(workerKeys.length).toBeGreaterThan(0);
    for (const k of workerKeys) expect(await counts.get(k)).toBe(expected.get(k));
    expect(await counts.get('no-such-key')).toBeUndefined();
    const all = await counts.all();
    expect(new Map(all.map((e) => [e.key, e.value]))).toEqual(expected);
    expect((await counts.range('k1', 'k2')).map((e) => e.key).sort()).toEqual(['k1', 'k10', 'k11', 'k2']);
    expect(await counts.approximateNumEntries()).toBeGreaterThan(0);
    expect(streams.metadataForAllStreamsClients()).toEqual([
      {
        hostInfo: { host: '127.0.0.1', port },
        stateStoreNames: ['counts', 'hourly-counts', 'sessions'],
        topicPartitions: expect.arrayContaining(Array.from({ length: PARTITIONS }, (_, p) => ({ topic: 'iq-input', partition: p }))),
        standbyStateStoreNames: [],
        standbyTopicPartitions: [],
      },
    ]);

    // The windowed store, through its own view; the timestamped view keeps the timestamps.
    const hourly = streams.store('hourly-counts', skein.QueryableStoreTypes.windowStore<string, number>());
    const k5 = await hourly.fetchRange('k5', 0, Date.now());
    expect(k5.map((w) => w.value)).toEqual([6]);
    expect(await hourly.fetch('k5', k5[0].key)).toBe(6);
    expect((await hourly.all()).length).toBeGreaterThanOrEqual(KEYS.length);
    const sessions = streams.store('sessions', skein.QueryableStoreTypes.sessionStore<string, number>());
    const k4 = await sessions.fetch('k4');
    expect(k4).toEqual([{ key: { key: 'k4', window: { start: expect.any(Number), end: expect.any(Number) } }, value: 5 }]);
    expect(await sessions.fetchSession('k4', k4[0].key.window.start, k4[0].key.window.end)).toBe(5);
    expect(await sessions.findSessions('k4', 0, Date.now())).toEqual(k4);
    const stamped = streams.store('counts', skein.QueryableStoreTypes.timestampedKeyValueStore<string, number>());
    expect(await stamped.get('k3')).toEqual({ value: 4, timestamp: expect.any(Number) });
    expect(() => streams.store('hourly-counts')).toThrow(/window store/);
    expect(() => streams.store('nope')).toThrow(/no store named nope/);

    // The endpoint: a local query, health, and metrics that move with processing.
    const server = await streams.startHttpServer();
    expect(server.port).toBe(port);
    const q = await getJson(`${server.url}/stores/counts/keys/k7`);
    expect(q).toEqual({ status: 200, body: { store: 'counts', key: 'k7', host: `127.0.0.1:${port}`, value: 8 } });
    expect((await getJson(`${server.url}/stores/counts/keys/nope`)).status).toBe(404);
    const w = await getJson(`${server.url}/stores/hourly-counts/keys/k2`);
    expect(w.body.windows).toEqual([{ start: expect.any(Number), value: 3 }]);
    expect((await getJson(`${server.url}/stores/sessions/keys/k2`)).body.sessions).toEqual([{ start: expect.any(Number), end: expect.any(Number), value: 3 }]);
    const health = await getJson(`${server.url}/health`);
    expect(health.status).toBe(200);
    expect(health.body.state).toBe('RUNNING');

    const scrape = async (): Promise<ReturnType<typeof parsePrometheusText>> => {
      const res = await fetch(`${server.url}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      return parsePrometheusText(await res.text());
    };
    const processed = (e: ReturnType<typeof parsePrometheusText>): number =>
      samplesOf(e, 'kafka_streams_stream_thread_metrics_process_total').reduce((n, s) => n + s.value, 0);
    const perRound = KEYS.reduce((n, _k, i) => n + i + 1, 0);
    const first = await scrape();
    expect(first.types.get('kafka_streams_stream_thread_metrics_process_total')).toBe('counter');
    expect(first.types.get('kafka_streams_stream_thread_metrics_commit_latency_avg')).toBe('gauge');
    expect(processed(first)).toBe(perRound);
    for (const t of ['iq-threads-StreamThread-1', 'iq-threads-StreamThread-2']) {
      expect(samplesOf(first, 'kafka_streams_stream_thread_metrics_thread_state', { thread_id: t, state: 'RUNNING' })[0]?.value).toBe(1);
      expect(samplesOf(first, 'kafka_streams_stream_thread_metrics_thread_state', { thread_id: t, state: 'DEAD' })[0]?.value).toBe(0);
    }
    const commits = (e: ReturnType<typeof parsePrometheusText>): number =>
      samplesOf(e, 'kafka_streams_stream_thread_metrics_commit_total').reduce((n, s) => n + s.value, 0);
    expect(commits(first)).toBeGreaterThan(0);
    expect(samplesOf(first, 'kafka_streams_stream_metrics_client_state', { state: 'RUNNING' })[0]?.value).toBe(1);
    expect(samplesOf(first, 'kafka_streams_stream_metrics_alive_stream_threads')[0]?.value).toBe(2);
    const activeTasks = samplesOf(first, 'kafka_streams_stream_thread_metrics_active_tasks').reduce((n, s) => n + s.value, 0);
    expect(activeTasks).toBe(PARTITIONS);
    expect(
      samplesOf(first, 'kafka_consumer_consumer_fetch_manager_metrics_records_lag')
        .map((s) => Number(s.labels.partition))
        .sort(),
    ).toEqual([0, 1, 2, 3]);
    expect(samplesOf(first, 'kafka_streams_stream_task_metrics_dropped_records_total')).toHaveLength(PARTITIONS);
    expect(first.types.get('process_cpu_user_seconds_total')).toBe('counter');

    await env.send();
    await waitUntil(
      async () => (await counts.get('k11')) === 24,
      30_000,
      async () => `k11 = ${await counts.get('k11')}`,
    );
    await waitUntil(
      async () => processed(await scrape()) === 2 * perRound,
      10_000,
      async () => `process_total = ${processed(await scrape())}`,
    );
    const second = await scrape();
    expect(samplesOf(second, 'kafka_streams_stream_thread_metrics_process_rate').reduce((n, s) => n + s.value, 0)).toBeGreaterThan(0);
    expect(commits(second)).toBeGreaterThan(commits(first));
    const lags = samplesOf(second, 'kafka_consumer_consumer_fetch_manager_metrics_records_lag');
    await waitUntil(
      async () => samplesOf(await scrape(), 'kafka_consumer_consumer_fetch_manager_metrics_records_lag').every((s) => s.value === 0),
      10_000,
      () => JSON.stringify(lags),
    );
  });
});

describe('interactive queries between two processes', () => {
  it("answers a query for a key held by instance A through instance B's endpoint", async () => {
    const env = await setUp();
    await env.send();
    const [portA, portB] = [await freePort(), await freePort()];
    const apps: AppProcess[] = [];
    for (const [name, port] of [
      ['A', portA],
      ['B', portB],
    ] as const) {
      const app = startApp(name, IQ_APP, { BOOTSTRAP: env.bootstrap, STATE_DIR: tempDir(`skein-iq-${name}-`), HTTP_PORT: String(port), APP_ID: 'iq-two' });
      apps.push(app);
      cleanups.push(() => app.kill());
    }
    const [urlA, urlB] = [`http://127.0.0.1:${portA}`, `http://127.0.0.1:${portB}`];
    const describeApps = (): string => apps.map((a) => `--- ${a.name}\n${a.output.slice(-3000)}`).join('\n');

    // Both running, each with tasks, and agreeing on where they are.
    let metadata: { hostInfo: { port: number }; topicPartitions: { partition: number }[] }[] = [];
    await waitUntil(
      async () => {
        try {
          const [ha, hb] = await Promise.all([getJson(`${urlA}/health`), getJson(`${urlB}/health`)]);
          if (ha.body.state !== 'RUNNING' || hb.body.state !== 'RUNNING') return false;
          const [ma, mb] = await Promise.all([getJson(`${urlA}/metadata`), getJson(`${urlB}/metadata`)]);
          metadata = mb.body as unknown as typeof metadata;
          return JSON.stringify(ma.body) === JSON.stringify(mb.body) && metadata.length === 2 && metadata.every((m) => m.topicPartitions.length > 0);
        } catch {
          return false;
        }
      },
      60_000,
      describeApps,
    );
    const partitions = await env.partitionOf();
    const holder = (k: string): number =>
      (metadata.find((m) => m.topicPartitions.some((tp) => tp.partition === partitions.get(k))) as { hostInfo: { port: number } }).hostInfo.port;
    const keyOfA = KEYS.find((k) => holder(k) === portA) as string;
    const keyOfB = KEYS.find((k) => holder(k) === portB) as string;
    expect(keyOfA).toBeDefined();
    expect(keyOfB).toBeDefined();
    const expected = (k: string): number => KEYS.indexOf(k) + 1;

    // Every record processed: each key's count is complete where it is held.
    await waitUntil(
      async () =>
        (await Promise.all(KEYS.map(async (k) => (await getJson(`http://127.0.0.1:${holder(k)}/stores/counts/keys/${k}`)).body.value === expected(k)))).every(
          Boolean,
        ),
      30_000,
      describeApps,
    );
    // B forwards the query for A's key to A, which answers; and the other way round.
    expect(await getJson(`${urlB}/stores/counts/keys/${keyOfA}`)).toEqual({
      status: 200,
      body: { store: 'counts', key: keyOfA, host: `127.0.0.1:${portA}`, value: expected(keyOfA) },
    });
    expect(await getJson(`${urlA}/stores/counts/keys/${keyOfB}`)).toEqual({
      status: 200,
      body: { store: 'counts', key: keyOfB, host: `127.0.0.1:${portB}`, value: expected(keyOfB) },
    });
    // Each answers its own keys itself.
    expect((await getJson(`${urlA}/stores/counts/keys/${keyOfA}`)).body.host).toBe(`127.0.0.1:${portA}`);
    // Every key, through either endpoint.
    for (const url of [urlA, urlB]) {
      for (const k of KEYS) {
        const r = await getJson(`${url}/stores/counts/keys/${k}`);
        expect(r).toEqual({ status: 200, body: { store: 'counts', key: k, host: `127.0.0.1:${holder(k)}`, value: expected(k) } });
      }
    }
    const missing = await getJson(`${urlB}/stores/counts/keys/no-such-key`);
    expect(missing.status).toBe(404);
    expect((await getJson(`${urlB}/stores/nope/keys/x`)).status).toBe(404);

    // The state changes and the rebalances were logged as JSON lines.
    expect(apps[0].output).toMatch(/\{"event":"state_change","application_id":"iq-two","old_state":"REBALANCING","new_state":"RUNNING"\}/);
    const rebalance = /INFO (\{"event":"rebalance".*\}) \(skein\)/.exec(apps[1].output);
    expect(rebalance).not.toBeNull();
    const line = JSON.parse((rebalance as RegExpExecArray)[1]) as { threads: { thread: string; gained: string[] }[] };
    expect(line.threads[0].thread).toBe('iq-two-StreamThread-1');
    for (const app of apps) await app.stop();
  });
});
