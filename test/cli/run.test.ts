/**
 * `skein run <module>`: the built CLI as a child process runs the streams application a module
 * defines, against a real broker started in this process, and closes it on SIGTERM / SIGINT.
 */
import { join } from 'node:path';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, ROOT, startBroker, tempDir, type TestBroker } from '../support/broker.js';
import { kafkaClient, kafkaProducer } from '../support/kafkajs.js';
import { type CliResult, runCli, startCli } from './run-cli.js';

const FIXTURES = join(ROOT, 'test/cli/fixtures');

let b: TestBroker;
let kafka: Kafka;
let admin: Admin;
let producer: Producer;
let stateDir: string;

beforeAll(async () => {
  b = await startBroker();
  kafka = kafkaClient(b.bootstrap, 'run-test');
  admin = kafka.admin();
  await admin.connect();
  producer = kafkaProducer(kafka);
  await producer.connect();
  stateDir = tempDir('skein-run-state-');
});
afterAll(async () => {
  await producer?.disconnect();
  await admin?.disconnect();
  await b?.stop();
  removeDir(b.logDir);
  removeDir(stateDir);
});

async function createTopics(...topics: string[]): Promise<void> {
  await admin.createTopics({ waitForLeaders: true, topics: topics.map((topic) => ({ topic, numPartitions: 2 })) });
}

/** The values of `topic`, read committed from the start, once there are `n` of them. */
async function readValues(topic: string, n: number, timeoutMs = 30_000): Promise<string[]> {
  const consumer = kafka.consumer({ groupId: `reader-${topic}-${Date.now()}`, maxWaitTimeInMs: 100 });
  const values: string[] = [];
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${values.length} of ${n} records in ${topic}: ${values.join(', ')}`)), timeoutMs);
      void consumer.run({
        eachMessage: async ({ message }) => {
          values.push(String(message.value));
          if (values.length >= n) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return values.sort();
}

/** A failure is exactly one line on stderr, with no stack trace. */
function expectOneLine(r: CliResult, pattern: RegExp): void {
  expect(r.code).toBe(1);
  expect(r.stdout).toBe('');
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr.trimEnd()).toMatch(pattern);
}

/** The last line a failed run printed is the readable reason, and no stack trace came before it. */
function expectFinalLine(r: CliResult, pattern: RegExp): void {
  expect(r.code).toBe(1);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stderr.trimEnd().split('\n').at(-1)).toMatch(pattern);
}

describe('skein run', () => {
  it('runs a StreamsBuilder module: processes records, takes its properties under the flags, and closes cleanly on SIGTERM', async () => {
    await createTopics('up-in', 'up-out');
    // The module's properties name application id uppercase-from-module and broker 127.0.0.1:1;
    // the flags win. Its processing.guarantee (exactly_once) is kept. The path is relative to cwd.
    const app = startCli(
      ['run', 'test/cli/fixtures/uppercase-app.mjs', '--bootstrap-server', b.bootstrap, '--application-id', 'up-app', '--state-dir', stateDir],
      { cwd: ROOT, env: { IN_TOPIC: 'up-in', OUT_TOPIC: 'up-out' } },
    );
    try {
      await app.waitForStderr(/State transition from REBALANCING to RUNNING/);
      await producer.send({ topic: 'up-in', messages: ['hello', 'world', 'skein'].map((value) => ({ key: value, value })) });
      expect(await readValues('up-out', 3)).toEqual(['HELLO', 'SKEIN', 'WORLD']);

      // Its consumer group is the flag's application id.
      await expect
        .poll(async () =>
          (await admin.fetchOffsets({ groupId: 'up-app', topics: ['up-in'] }))[0].partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0),
        )
        .toBe(3);
      // exactly_once, from the module: one transactional producer per task, named after the flag's id.
      const txns = await runCli(['transactions', '--bootstrap-server', b.bootstrap, '--list']);
      expect(txns.stdout).toMatch(/^up-app-0_0\s/m);
      expect(txns.stdout).toMatch(/^up-app-0_1\s/m);
    } finally {
      const r = await app.stop('SIGTERM');
      expect(r.stderr).toMatch(/Received SIGTERM; closing streams application up-app/);
      expect(r.stderr).toMatch(/State transition from PENDING_SHUTDOWN to NOT_RUNNING \(KafkaStreams up-app\)/);
      expect(r.stderr).not.toMatch(/uppercase-from-module|ERROR/);
      expect(r.code).toBe(0);
    }
    // Its group has no members left: it left on close.
    const group = await admin.describeGroups(['up-app']);
    expect(group.groups[0].members).toHaveLength(0);
  });

  it('runs a module whose topology is an async function of the properties, and closes on SIGINT', async () => {
    await createTopics('fn-in', 'fn-out');
    const app = startCli(
      [
        'run',
        join(FIXTURES, 'function-app.mjs'),
        '--bootstrap-server',
        b.bootstrap,
        '--application-id',
        'fn-app',
        '--threads',
        '2',
        '--state-dir',
        stateDir,
        '--property',
        'commit.interval.ms=50',
        '--property',
        'processing.guarantee=exactly_once',
      ],
      { env: { IN_TOPIC: 'fn-in', OUT_TOPIC: 'fn-out' } },
    );
    try {
      await app.waitForStderr(/State transition from REBALANCING to RUNNING/);
      expect(app.stderr()).toMatch(/export 'topology': a function, 2 stream thread\(s\)/);
      await producer.send({ topic: 'fn-in', messages: [{ key: 'k', value: 'one' }] });
      // The function saw the command line's properties (strings, as given).
      expect(await readValues('fn-out', 1)).toEqual(['one by fn-app with 2 thread(s)']);
      // --property overrode the module's at_least_once.
      expect((await runCli(['transactions', '--bootstrap-server', b.bootstrap, '--list'])).stdout).toMatch(/^fn-app-0_0\s/m);
    } finally {
      const r = await app.stop('SIGINT');
      expect(r.stderr).toMatch(/Received SIGINT/);
      expect(r.stderr).toMatch(/to NOT_RUNNING/);
      expect(r.code).toBe(0);
    }
  });

  describe('errors: exit code 1 and one readable line', () => {
    const run = (...args: string[]) => runCli(['run', ...args, '--bootstrap-server', b.bootstrap, '--state-dir', stateDir], { cwd: ROOT });

    it('a module that does not exist', async () => {
      expectOneLine(
        await run('test/cli/fixtures/nope.mjs'),
        /^Cannot load streams application module test\/cli\/fixtures\/nope\.mjs: no such file \(.*\/test\/cli\/fixtures\/nope\.mjs\)$/m,
      );
    });

    it('a module that fails to load', async () => {
      expectOneLine(
        await run('test/cli/fixtures/broken-app.mjs'),
        /^Cannot load streams application module test\/cli\/fixtures\/broken-app\.mjs: Cannot find package 'skein-no-such-package'/,
      );
    });

    it('a module that exports nothing usable', async () => {
      expectOneLine(
        await run('test/cli/fixtures/nothing-app.mjs'),
        /^test\/cli\/fixtures\/nothing-app\.mjs exports no topology: export a Topology, a StreamsBuilder or a function returning one, as the default export or as 'topology' \(it exports 'answer', 'helper'\)$/,
      );
    });

    it('an unknown property, an ill-typed one, a malformed --property', async () => {
      expectOneLine(await run('test/cli/fixtures/uppercase-app.mjs', '--property', 'colour=blue'), /^Invalid streams properties: Unknown property "colour"/);
      expectOneLine(
        await run('test/cli/fixtures/uppercase-app.mjs', '--threads', 'two'),
        /^Invalid streams properties: Property num\.stream\.threads must be an integer, not "two"$/,
      );
      expectOneLine(
        await run('test/cli/fixtures/uppercase-app.mjs', '--property', 'processing.guarantee=twice'),
        /^Invalid streams properties: Property processing\.guarantee must be one of/,
      );
      expectOneLine(await run('test/cli/fixtures/uppercase-app.mjs', '--property', 'nothing'), /^Malformed --property "nothing": expected key=value/);
    });

    it('a module without an application id, and a malformed --bootstrap-server', async () => {
      expectOneLine(await run('test/cli/fixtures/function-app.mjs'), /^Invalid streams properties: Missing required property application\.id/);
      const r = await runCli(['run', 'test/cli/fixtures/uppercase-app.mjs', '--bootstrap-server', 'localhost'], { cwd: ROOT });
      expectOneLine(r, /^Invalid --bootstrap-server "localhost": "localhost" has no port/);
    });

    it('a client that cannot start (its source topic is missing)', async () => {
      const r = await runCli(
        ['run', 'test/cli/fixtures/uppercase-app.mjs', '--bootstrap-server', b.bootstrap, '--application-id', 'no-source', '--state-dir', stateDir],
        {
          cwd: ROOT,
          env: { IN_TOPIC: 'no-such-topic' },
        },
      );
      expectFinalLine(
        r,
        /^Streams application no-source could not start: Source topic no-such-topic of application no-source does not exist; create it first$/,
      );
    });

    it('a client that ends in ERROR (a sink without a value serde)', async () => {
      // Until the runtime's fix, an unset default.value.serde was taken for a serde and the first
      // record failed with "Cannot read properties of null"; now the task cannot be created.
      await createTopics('ns-in', 'ns-out');
      const r = await runCli(
        ['run', 'test/cli/fixtures/no-serde-app.mjs', '--bootstrap-server', b.bootstrap, '--application-id', 'no-serde', '--state-dir', stateDir],
        {
          cwd: ROOT,
          env: { IN_TOPIC: 'ns-in', OUT_TOPIC: 'ns-out' },
        },
      );
      expect(r.stderr).toMatch(/State transition from PENDING_ERROR to ERROR/);
      expectFinalLine(
        r,
        /^Streams application no-serde stopped with an error: Invalid topology: no value serde for sink KSTREAM-SINK-0000000002 \(topic ns-out\): pass \{ valueSerde \}/,
      );
    });
  });
});
