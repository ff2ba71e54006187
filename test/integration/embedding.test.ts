/**
 * The embedding API as docs/embedding.md shows it: `Broker.start()`, a Kafka client on
 * `broker.bootstrap`, `await using` to close. Then what a user meets when something is wrong —
 * bad options, a port in use, a log dir that is a file or another node's — and that a failed start
 * leaves no listener or open file behind. Last, the contract program run as a user runs it: an
 * .mjs importing 'skein' from a project of its own, through package.json's exports map.
 *
 * (The doc imports from 'skein'; these tests import the same names from the source.)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Broker, ConfigError, ErrorCode, KafkaError, silentLogger } from '../../src/index.js';
import { ROOT, removeDir, tempDir } from '../support/broker.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

/** A fresh directory this file removes at the end. */
function scratch(prefix = 'skein-embed-'): string {
  const dir = tempDir(prefix);
  dirs.push(dir);
  return dir;
}

/** Whether anything accepts TCP connections on 127.0.0.1:port. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Paths under `dir` that this process holds open. */
function openFilesUnder(dir: string): string[] {
  const open: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (target.startsWith(dir)) open.push(target);
    } catch {
      // closed between the listing and the readlink
    }
  }
  return open;
}

/**
 * Every TCP server handle this process has. A handle being closed is still listed until the event
 * loop has gone round once (a failed listen closes its handle that way too), so wait for that.
 */
async function listeningServers(): Promise<number> {
  for (let i = 0; i < 2; i++) await new Promise((resolve) => setImmediate(resolve));
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length;
}

/** What `start()` throws. */
async function startError(start: () => Promise<unknown>): Promise<Error> {
  const err = await start().then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  if (err === undefined) throw new Error('the broker started');
  return err;
}

describe('a broker in a test, as docs/embedding.md shows it', () => {
  it('starts with no options, serves kafkajs on broker.bootstrap, and is closed by await using', async () => {
    let port: number;
    let logDir: string;
    {
      await using broker = await Broker.start({ logger: silentLogger });
      ({ port, logDir } = broker);
      expect(broker.bootstrap).toBe(`127.0.0.1:${broker.port}`);
      expect(broker.port).toBeGreaterThan(0);
      await broker.createTopics([{ topic: 'greetings', partitions: 2 }]);

      const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({
        topic: 'greetings',
        messages: [
          { key: 'a', value: 'hello' },
          { key: 'b', value: 'world' },
        ],
      });
      await producer.disconnect();

      const consumer = kafka.consumer({ groupId: 'readers' });
      await consumer.connect();
      await consumer.subscribe({ topics: ['greetings'], fromBeginning: true });
      const seen: string[] = [];
      await new Promise<void>((resolve) => {
        void consumer.run({
          eachMessage: async ({ message }) => {
            seen.push(String(message.value));
            if (seen.length === 2) resolve();
          },
        });
      });
      await consumer.disconnect();
      expect(seen.sort()).toEqual(['hello', 'world']);
    }
    // Out of the block: closed, and the temporary log dir it made is gone.
    expect(await accepts(port)).toBe(false);
    expect(existsSync(logDir)).toBe(false);
  });

  it('close() is the same as Symbol.asyncDispose, and safe to call again', async () => {
    const broker = await Broker.start({ logger: silentLogger });
    await broker[Symbol.asyncDispose]();
    await broker.close();
    await expect(broker.createTopics([{ topic: 't' }])).rejects.toThrow('the broker is closed');
  });

  it('keeps a log dir it was given, and a restart on it finds the topics', async () => {
    const logDir = scratch();
    {
      await using broker = await Broker.start({ logDir, logger: silentLogger });
      await broker.createTopics([{ topic: 'kept', partitions: 3, config: { 'retention.ms': 60_000 } }]);
    }
    expect(readdirSync(logDir)).toContain('kept-0');
    await using again = await Broker.start({ logDir, logger: silentLogger });
    const err = await startError(() => again.createTopics([{ topic: 'kept' }]));
    expect(err).toBeInstanceOf(KafkaError);
    expect((err as KafkaError).code).toBe(ErrorCode.TOPIC_ALREADY_EXISTS);
  });

  it('applies the embedded defaults only where config does not set the key', async () => {
    {
      await using broker = await Broker.start({ logger: silentLogger });
      const { config } = broker.server.services;
      expect([config.groupInitialRebalanceDelayMs, config.offsetsTopicNumPartitions, config.transactionStateLogNumPartitions]).toEqual([0, 5, 5]);
    }
    await using broker = await Broker.start({
      logger: silentLogger,
      config: { 'group.initial.rebalance.delay.ms': 3000, 'offsets.topic.num.partitions': 50, 'num.partitions': 4, 'auto.create.topics.enable': false },
    });
    const { config } = broker.server.services;
    expect([config.groupInitialRebalanceDelayMs, config.offsetsTopicNumPartitions, config.transactionStateLogNumPartitions]).toEqual([3000, 50, 5]);
    expect([config.numPartitions, config.autoCreateTopicsEnable]).toEqual([4, false]);
  });
});

describe('createTopics', () => {
  it('checks every topic before creating any: an existing name, a bad config or partition count creates none', async () => {
    await using broker = await Broker.start({ logger: silentLogger });
    await broker.createTopics([{ topic: 'orders' }]);
    const registry = broker.server.services.topics;

    const exists = await startError(() => broker.createTopics([{ topic: 'fresh-1' }, { topic: 'orders' }]));
    expect(exists).toBeInstanceOf(KafkaError);
    expect(exists.message).toBe(`Cannot create topic "orders": Topic 'orders' already exists. (TOPIC_ALREADY_EXISTS)`);

    const badConfig = await startError(() => broker.createTopics([{ topic: 'fresh-2' }, { topic: 'fresh-3', config: { 'cleanup.policy': 'sometimes' } }]));
    expect((badConfig as KafkaError).code).toBe(ErrorCode.INVALID_CONFIG);
    expect(badConfig.message).toMatch(/^Cannot create topic "fresh-3": .*cleanup\.policy.*\(INVALID_CONFIG\)$/);

    const unknownConfig = await startError(() => broker.createTopics([{ topic: 'fresh-4', config: { 'retention.mss': 1 } }]));
    expect(unknownConfig.message).toContain('retention.mss');

    const partitions = await startError(() => broker.createTopics([{ topic: 'fresh-5', partitions: 0 }]));
    expect((partitions as KafkaError).code).toBe(ErrorCode.INVALID_PARTITIONS);

    const twice = await startError(() => broker.createTopics([{ topic: 'fresh-6' }, { topic: 'fresh-6' }]));
    expect(twice.message).toBe('Cannot create topic "fresh-6": it is listed twice');

    const badName = await startError(() => broker.createTopics([{ topic: 'no spaces' }]));
    expect((badName as KafkaError).code).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);

    expect(registry.list().map((t) => t.name)).toEqual(['orders']);
  });
});

describe('Broker.start with bad options', () => {
  it.each([
    ['an unknown option', { logdir: '/tmp/x' }, 'unknown option "logdir"'],
    ['a config key Skein does not know', { config: { 'log.retention.hourz': 1 } }, 'log.retention.hourz is not a broker config Skein knows'],
    ['a config value out of range', { config: { 'num.partitions': 0 } }, 'num.partitions'],
    ['a config value of the wrong type', { config: { 'num.partitions': null } }, 'must be a string, number or boolean, not null'],
    ['listeners in config', { config: { listeners: 'PLAINTEXT://:9092' } }, 'set listeners through the host and port options'],
    ['log.dirs in config', { config: { 'log.dirs': '/tmp/x' } }, 'set log.dirs through the logDir option'],
    ['a port out of range', { port: 70_000 }, 'port must be an integer from 0 (any free port) to 65535, not 70000'],
  ])('%s is a ConfigError that says what is wrong', async (_, options, message) => {
    const err = await startError(() => Broker.start({ logger: silentLogger, ...(options as object) }));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toContain(message);
  });
});

describe('a start that fails half-way', () => {
  it('on a port in use: a clear error, and no listener, log file or timer left behind', async () => {
    await using occupant = await Broker.start({ logger: silentLogger });
    // A log dir with a topic and records, so the failed start has real logs open when it fails.
    const logDir = scratch();
    {
      await using first = await Broker.start({ logDir, logger: silentLogger });
      await first.createTopics([{ topic: 'kept', partitions: 2 }]);
      const producer = new Kafka({ brokers: [first.bootstrap], logLevel: logLevel.NOTHING }).producer();
      await producer.connect();
      await producer.send({ topic: 'kept', messages: [{ value: 'survives' }] });
      await producer.disconnect();
    }

    const servers = await listeningServers();
    const intervals = vi.spyOn(globalThis, 'setInterval');
    const cleared = vi.spyOn(globalThis, 'clearInterval');
    try {
      const err = await startError(() => Broker.start({ logDir, port: occupant.port, logger: silentLogger }));
      expect(err.message).toBe(
        `The Skein broker could not start: Cannot listen on PLAINTEXT://127.0.0.1:${occupant.port}: the address is already in use (EADDRINUSE)`,
      );
      expect(((err.cause as Error).cause as NodeJS.ErrnoException).code).toBe('EADDRINUSE');
      // Every periodic timer the start armed (the transaction reaper) was stopped.
      const armed = intervals.mock.results.map((r) => r.value as NodeJS.Timeout);
      expect(armed.length).toBeGreaterThan(0);
      for (const timer of armed) expect(cleared.mock.calls.some(([t]) => t === timer)).toBe(true);
    } finally {
      intervals.mockRestore();
      cleared.mockRestore();
    }
    expect(await listeningServers()).toBe(servers);
    expect(openFilesUnder(logDir)).toEqual([]);
    // The logs it had opened were closed cleanly: the next start finds the record.
    await using after = await Broker.start({ logDir, logger: silentLogger });
    const { replicaManager } = after.server.services;
    expect(replicaManager.partitionLog('kept', 0).highWatermark + replicaManager.partitionLog('kept', 1).highWatermark).toBe(1);
  });

  it('on a log dir that is a file: names the directory and the reason', async () => {
    const file = join(scratch(), 'not-a-dir');
    writeFileSync(file, 'x');
    const err = await startError(() => Broker.start({ logDir: file, logger: silentLogger }));
    expect(err.message).toBe(`The Skein broker could not start: Cannot use log dir ${file}: it (or a path above it) is a file, not a directory (EEXIST)`);
    const below = join(file, 'data');
    const err2 = await startError(() => Broker.start({ logDir: below, logger: silentLogger }));
    expect(err2.message).toContain(`Cannot use log dir ${below}: it (or a path above it) is a file, not a directory (ENOTDIR)`);
  });

  it('on the log dir of another node: says whose it is, and opens nothing', async () => {
    const logDir = scratch();
    writeFileSync(join(logDir, 'meta.properties'), 'version=1\ncluster.id=abcdefghijklmnopqrstuv\nnode.id=7\n');
    const servers = await listeningServers();
    const err = await startError(() => Broker.start({ logDir, logger: silentLogger }));
    expect(err.message).toBe(`The Skein broker could not start: ${join(logDir, 'meta.properties')} belongs to node 7, but this broker is node.id=1`);
    expect(await listeningServers()).toBe(servers);
    expect(openFilesUnder(logDir)).toEqual([]);
    await using ok = await Broker.start({ logDir, logger: silentLogger, config: { 'node.id': 7 } });
    expect(ok.server.services.clusterId).toBe('abcdefghijklmnopqrstuv');
  });

  it('removes the temporary log dir it had made', async () => {
    // os.tmpdir() follows TMPDIR, so the broker's temporary dir lands where nothing else writes.
    const privateTmp = scratch('skein-tmpdir-');
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = privateTmp;
    try {
      expect(tmpdir()).toBe(privateTmp);
      const port = (blocker.address() as { port: number }).port;
      const err = await startError(() => Broker.start({ port, logger: silentLogger }));
      expect(err.message).toContain('already in use');
      expect(readdirSync(privateTmp)).toEqual([]);
      const badConfig = await startError(() => Broker.start({ config: { 'num.partitions': 'many' }, logger: silentLogger }));
      expect(badConfig).toBeInstanceOf(ConfigError);
      expect(readdirSync(privateTmp)).toEqual([]);
    } finally {
      process.env.TMPDIR = saved;
      if (saved === undefined) delete process.env.TMPDIR;
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});

describe("the contract, from a user's own project", () => {
  /** A project whose node_modules/skein is this repository, as `npm install` of it would give. */
  function userProject(program: string): string {
    const dir = scratch('skein-user-');
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(ROOT, join(dir, 'node_modules', 'skein'), 'dir');
    writeFileSync(join(dir, 'package.json'), '{ "type": "module", "private": true }\n');
    writeFileSync(join(dir, 'main.mjs'), program);
    return dir;
  }

  it("import { Broker } from 'skein': start, print bootstrap, dispose, exit", () => {
    const dir = userProject(
      [
        "import { Broker } from 'skein';",
        'const broker = await Broker.start();            // temp log dir, 127.0.0.1, a free port',
        "console.log(broker.bootstrap);                  // '127.0.0.1:PORT', for any Kafka client",
        'const { logDir } = broker;',
        'await broker[Symbol.asyncDispose]();            // same as `await using broker = …` / broker.close()',
        "const { existsSync } = await import('node:fs');",
        "console.log(existsSync(logDir) ? 'log dir left behind' : 'log dir removed');",
        '',
      ].join('\n'),
    );
    const res = spawnSync(process.execPath, ['main.mjs'], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/^127\.0\.0\.1:\d+\nlog dir removed\n$/);
  });

  it('deep imports into dist/ are not part of the contract', () => {
    const dir = userProject("await import('skein/dist/broker/broker-server.js');\n");
    const res = spawnSync(process.execPath, ['main.mjs'], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
    expect(res.status).not.toBe(0);
    expect(res.stderr).toContain('ERR_PACKAGE_PATH_NOT_EXPORTED');
  });
});
