/**
 * `skein streams-application-reset`: a streams application (run with `skein run`, a count behind a
 * repartition, so it has a changelog and a repartition topic) processes its input; the reset is
 * refused while it runs, changes nothing as a dry run, then puts its input offsets back and deletes
 * its internal topics, and the application run again produces its output again. Offsets by time
 * are checked on records with explicit timestamps.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, ROOT, startBroker, tempDir, type TestBroker } from '../support/broker.js';
import { kafkaClient, kafkaProducer } from '../support/kafkajs.js';
import { runCli, startCli, type CliProcess } from './run-cli.js';

let b: TestBroker;
let kafka: Kafka;
let admin: Admin;
let producer: Producer;
let stateDir: string;

beforeAll(async () => {
  b = await startBroker();
  kafka = kafkaClient(b.bootstrap, 'reset-test');
  admin = kafka.admin();
  await admin.connect();
  producer = kafkaProducer(kafka);
  await producer.connect();
  stateDir = tempDir('skein-reset-state-');
});
afterAll(async () => {
  await producer?.disconnect();
  await admin?.disconnect();
  await b?.stop();
  removeDir(b.logDir);
  removeDir(stateDir);
});

const reset = (...args: string[]) => runCli(['streams-application-reset', '--bootstrap-server', b.bootstrap, ...args]);

/** Committed offsets of the group, `topic-partition` → offset, for every topic it has any. */
async function committed(groupId: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of await admin.fetchOffsets({ groupId })) {
    for (const p of t.partitions) if (Number(p.offset) >= 0) out[`${t.topic}-${p.partition}`] = Number(p.offset);
  }
  return out;
}

/** `key=value` of every record of `topic` (read committed), in each partition's order, once there are `n`. */
async function readRecords(topic: string, n: number, timeoutMs = 30_000): Promise<string[]> {
  const consumer = kafka.consumer({ groupId: `reader-${topic}-${Date.now()}`, maxWaitTimeInMs: 100 });
  const records: string[] = [];
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${records.length} of ${n} records in ${topic}: ${records.join(', ')}`)), timeoutMs);
      void consumer.run({
        eachMessage: async ({ message }) => {
          records.push(`${String(message.key)}=${String(message.value)}`);
          if (records.length >= n) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return records;
}

describe('resetting an application that has processed its input', () => {
  const APP = 'rs-app';
  const IN = 'rs-words';
  const OUT = 'rs-counts';
  const WORDS = ['a', 'b', 'a', 'c', 'a', 'b'];
  // The running counts per word, in the order the count's single repartition partition for each word
  // sees them: each word's own counts are in order whatever the interleaving.
  const perWord = (records: string[]) => {
    const m = new Map<string, string[]>();
    for (const r of records) {
      const [k, v] = r.split('=');
      m.set(k, [...(m.get(k) ?? []), v]);
    }
    return Object.fromEntries([...m].sort());
  };
  let app: CliProcess;

  const runApp = () =>
    startCli(['run', 'test/cli/fixtures/count-app.mjs', '--bootstrap-server', b.bootstrap, '--application-id', APP, '--state-dir', stateDir], {
      cwd: ROOT,
      env: { IN_TOPIC: IN, OUT_TOPIC: OUT },
    });

  beforeAll(async () => {
    await admin.createTopics({ waitForLeaders: true, topics: [IN, OUT].map((topic) => ({ topic, numPartitions: 2 })) });
    await producer.send({ topic: IN, messages: WORDS.map((w, i) => ({ key: `k${i}`, value: w })) });
    app = runApp();
    await app.waitForStderr(/State transition from REBALANCING to RUNNING/);
    expect(perWord(await readRecords(OUT, WORDS.length))).toEqual({ a: ['1', '2', '3'], b: ['1', '2'], c: ['1'] });
  });
  afterAll(async () => {
    await app?.stop('SIGTERM');
  });

  it('is refused while the application runs', async () => {
    const r = await reset('--application-id', APP, '--input-topics', IN);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      new RegExp(
        `^ERROR: Consumer group '${APP}' is still active and has following members: \\[${APP}-[\\w-]+ \\(client ${APP}, host [^)]+\\)\\]\\. Make sure to stop all running application instances before running the reset tool\\. You can use option '--force' to remove active members from the group\\.\\n$`,
      ),
    );
    // Even a dry run.
    expect((await reset('--application-id', APP, '--input-topics', IN, '--dry-run')).code).toBe(1);
  });

  it('--dry-run prints the plan and changes nothing', async () => {
    expect((await app.stop('SIGTERM')).code).toBe(0);
    const before = await committed(APP);
    expect(before[`${IN}-0`] + before[`${IN}-1`]).toBe(WORDS.length);
    const topicsBefore = (await admin.listTopics()).sort();
    expect(topicsBefore).toContain(`${APP}-counts-store-changelog`);
    expect(topicsBefore).toContain(`${APP}-counts-store-repartition`);

    const r = await reset('--application-id', APP, '--input-topics', IN, '--dry-run');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        '----Dry run displays the actions which will be performed when running Streams Reset Tool----',
        `Reset-offsets for input topics [${IN}]`,
        `Following input topics offsets will be reset to (for consumer group ${APP})`,
        `Topic: ${IN} Partition: 0 Offset: 0`,
        `Topic: ${IN} Partition: 1 Offset: 0`,
        'Done.',
        `Deleting the committed offsets of consumer group ${APP} for internal topics [${APP}-counts-store-repartition]`,
        `Deleting inferred internal topics [${APP}-counts-store-changelog, ${APP}-counts-store-repartition]`,
        'Done.',
        `Local state stores are not reset by this tool: before the application starts again, call KafkaStreams.cleanUp() or delete <state.dir>/${APP} on each of its hosts.`,
        '',
      ].join('\n'),
    );
    expect(await committed(APP)).toEqual(before);
    expect((await admin.listTopics()).sort()).toEqual(topicsBefore);
  });

  it('resets the input offsets to 0 and deletes the internal topics and their offsets', async () => {
    const r = await reset('--application-id', APP, '--input-topics', IN);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').slice(0, 8)).toEqual([
      `Reset-offsets for input topics [${IN}]`,
      `Following input topics offsets will be reset to (for consumer group ${APP})`,
      `Topic: ${IN} Partition: 0 Offset: 0`,
      `Topic: ${IN} Partition: 1 Offset: 0`,
      'Done.',
      `Deleting the committed offsets of consumer group ${APP} for internal topics [${APP}-counts-store-repartition]`,
      `Deleting inferred internal topics [${APP}-counts-store-changelog, ${APP}-counts-store-repartition]`,
      'Done.',
    ]);
    expect(r.stdout).toMatch(/KafkaStreams\.cleanUp\(\)/);
    expect(await committed(APP)).toEqual({ [`${IN}-0`]: 0, [`${IN}-1`]: 0 });
    const topics = await admin.listTopics();
    expect(topics.filter((t) => t.startsWith(`${APP}-`))).toEqual([]);
    expect(topics).toContain(OUT); // output topics are the user's: never deleted
  });

  // Without the deletion of the repartition topic's committed offsets (the Skein broker, unlike
  // Kafka's, keeps a deleted topic's offsets), the application would seek past the recreated
  // repartition topic's first records and produce nothing here.
  it('lets the application, started again on wiped local state, reprocess its input', async () => {
    rmSync(join(stateDir, APP), { recursive: true, force: true }); // what the tool reminds the user to do
    app = runApp();
    await app.waitForStderr(/State transition from REBALANCING to RUNNING/);
    const all = await readRecords(OUT, 2 * WORDS.length);
    expect(all).toHaveLength(2 * WORDS.length);
    // The outputs appear a second time, counted from scratch.
    expect(perWord(all)).toEqual({ a: ['1', '2', '3', '1', '2', '3'], b: ['1', '2', '1', '2'], c: ['1', '1'] });
    expect((await app.stop('SIGTERM')).code).toBe(0);
    expect(await committed(APP)).toMatchObject({ [`${IN}-0`]: expect.any(Number), [`${IN}-1`]: expect.any(Number) });
    const offsets = await committed(APP);
    expect(offsets[`${IN}-0`] + offsets[`${IN}-1`]).toBe(WORDS.length);
  });
});

describe('offsets by time, intermediate topics, missing topics', () => {
  const T0 = Date.UTC(2026, 0, 2, 3, 4, 5, 0);
  const iso = (ms: number) => new Date(ms).toISOString().slice(0, -1); // yyyy-MM-ddTHH:mm:ss.SSS, UTC

  beforeAll(async () => {
    await admin.createTopics({ waitForLeaders: true, topics: ['ts-in', 'ts-mid', 'dur-in'].map((topic) => ({ topic, numPartitions: 2 })) });
    // ts-in: partition 0 has five records a second apart from T0; partition 1 two, before T0 + 2.5 s.
    await producer.send({ topic: 'ts-in', messages: [0, 1, 2, 3, 4].map((i) => ({ partition: 0, value: `p0-${i}`, timestamp: String(T0 + i * 1000) })) });
    await producer.send({ topic: 'ts-in', messages: [0, 1].map((i) => ({ partition: 1, value: `p1-${i}`, timestamp: String(T0 + i * 1000) })) });
    await producer.send({ topic: 'ts-mid', messages: [0, 1, 2].map((i) => ({ partition: i % 2, value: `m${i}` })) });
    const now = Date.now();
    await producer.send({
      topic: 'dur-in',
      messages: [120, 30, 10].map((minutesAgo, i) => ({ partition: 0, value: `d${i}`, timestamp: String(now - minutesAgo * 60_000) })),
    });
  });

  it('--to-datetime: the first offset at or after the time, the log end where there is none', async () => {
    const r = await reset('--application-id', 'ts-app', '--input-topics', 'ts-in', '--intermediate-topics', 'ts-mid', '--to-datetime', iso(T0 + 2500));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Warn: Partition 1 from topic ts-in is empty. Falling back to latest known offset.');
    expect(r.stdout).toContain(['Topic: ts-in Partition: 0 Offset: 3', 'Topic: ts-in Partition: 1 Offset: 2'].join('\n'));
    expect(r.stdout).toContain(['Following intermediate topics offsets will be reset to end (for consumer group ts-app)', 'Topic: ts-mid', 'Done.'].join('\n'));
    expect(r.stdout).toContain('Deleting inferred internal topics []');
    expect(await committed('ts-app')).toEqual({ 'ts-in-0': 3, 'ts-in-1': 2, 'ts-mid-0': 2, 'ts-mid-1': 1 });

    // The same time with an explicit zone; then back to the start.
    expect((await reset('--application-id', 'ts-app', '--input-topics', 'ts-in', '--to-datetime', `${iso(T0 + 2500 + 3_600_000)}+01:00`)).code).toBe(0);
    expect(await committed('ts-app')).toMatchObject({ 'ts-in-0': 3, 'ts-in-1': 2 });
    expect((await reset('--application-id', 'ts-app', '--input-topics', 'ts-in', '--to-offset', '1')).code).toBe(0);
    expect(await committed('ts-app')).toMatchObject({ 'ts-in-0': 1, 'ts-in-1': 1 });
    expect((await reset('--application-id', 'ts-app', '--input-topics', 'ts-in')).code).toBe(0);
    expect(await committed('ts-app')).toMatchObject({ 'ts-in-0': 0, 'ts-in-1': 0 });
  });

  it('--by-duration: relative to now', async () => {
    const r = await reset('--application-id', 'dur-app', '--input-topics', 'dur-in', '--by-duration', 'PT1H');
    expect(r.code).toBe(0);
    expect(await committed('dur-app')).toEqual({ 'dur-in-0': 1, 'dur-in-1': 0 });
    expect((await reset('--application-id', 'dur-app', '--input-topics', 'dur-in', '--to-latest')).code).toBe(0);
    expect(await committed('dur-app')).toEqual({ 'dur-in-0': 3, 'dur-in-1': 0 });
  });

  it('a missing input topic: the others are reset, exit code 1', async () => {
    const r = await reset('--application-id', 'ts-app2', '--input-topics', 'ts-in,nope');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(['Following input topics are not found, skipping them', 'Topic: nope'].join('\n'));
    expect(await committed('ts-app2')).toEqual({ 'ts-in-0': 0, 'ts-in-1': 0 });
  });

  it('option mistakes: one line, exit code 1', async () => {
    const cases: Array<[string[], RegExp]> = [
      [
        ['--application-id', 'x', '--to-earliest', '--to-latest'],
        /^Only one of --to-earliest, --to-latest, --to-offset, --to-datetime, --by-duration, --shift-by can be given \(found --to-earliest and --to-latest\)$/,
      ],
      [['--application-id', 'x', '--to-datetime', 'noon'], /^Error parsing timestamp 'noon'/],
      [['--application-id', 'x', '--by-duration', '1h'], /^Error parsing duration '1h'/],
      [['--input-topics', 'ts-in'], /^error: required option '--application-id <id>' not specified$/],
    ];
    for (const [args, message] of cases) {
      const r = await reset(...args);
      expect(r.code).toBe(1);
      expect(r.stderr.split('\n')[0]).toMatch(message);
    }
  });
});

describe('--force', () => {
  let member: ChildProcess | undefined;
  afterAll(() => {
    member?.kill('SIGKILL');
  });

  it('removes members left by an instance that died, then resets', async () => {
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: 'force-in', numPartitions: 1 }] });
    // A group member with a long session timeout, killed: the group keeps it for a minute.
    member = spawn(process.execPath, [join(ROOT, 'test/support/group-member.mjs'), b.bootstrap, 'force-app', 'force-in', 'm1', '60000'], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve) => member?.stdout?.on('data', (d: Buffer) => String(d).includes('"assigned"') && resolve()));
    const gone = new Promise((r) => member?.once('exit', r));
    member.kill('SIGKILL');
    await gone;

    expect((await reset('--application-id', 'force-app', '--input-topics', 'force-in')).code).toBe(1);
    const r = await reset('--application-id', 'force-app', '--input-topics', 'force-in', '--force');
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')[0]).toBe('Force deleting all active members in the group: force-app');
    expect(r.code).toBe(0);
    expect((await admin.describeGroups(['force-app'])).groups[0].members).toEqual([]);
    expect(await committed('force-app')).toEqual({ 'force-in-0': 0 });
  });
});
