import { spawn } from 'node:child_process';
import type { Kafka, Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, removeDir, startBroker, type TestBroker } from '../support/broker.js';
import { kafkaClient, kafkaProducer } from '../support/kafkajs.js';
import { runCli } from './run-cli.js';

let b: TestBroker;
let kafka: Kafka;
let producer: Producer;

const consume = (topic: string, ...args: string[]) => runCli(['console-consumer', '--bootstrap-server', b.bootstrap, '--topic', topic, ...args]);
const groups = (...args: string[]) => runCli(['consumer-groups', '--bootstrap-server', b.bootstrap, ...args]);

beforeAll(async () => {
  b = await startBroker({ 'group.initial.rebalance.delay.ms': '0' });
  kafka = kafkaClient(b.bootstrap, 'cc-test');
  producer = kafkaProducer(kafka);
  await producer.connect();
});
afterAll(async () => {
  await producer.disconnect();
  await b.stop();
  removeDir(b.logDir);
});

async function createTopic(topic: string, partitions: number): Promise<void> {
  expect((await runCli(['topics', '--bootstrap-server', b.bootstrap, '--create', '--topic', topic, '--partitions', String(partitions)])).code).toBe(0);
}

async function send(topic: string, partition: number, messages: Array<{ key?: string | null; value: string | null; timestamp?: string }>): Promise<void> {
  await producer.send({ topic, messages: messages.map((m) => ({ ...m, partition })) });
}

describe('skein console-consumer in a consumer group', () => {
  beforeAll(async () => {
    await createTopic('events', 1);
    await send(
      'events',
      0,
      ['a', 'b', 'c', 'd', 'e'].map((value, i) => ({ key: `k${i}`, value, timestamp: String(1_700_000_000_000 + i) })),
    );
  });

  it('prints records from the beginning until --max-messages, and counts them on stderr', async () => {
    const r = await consume('events', '--from-beginning', '--max-messages', '3');
    expect(r).toMatchObject({ code: 0, stdout: 'a\nb\nc\n', stderr: 'Processed a total of 3 messages\n' });
  });

  it('prints timestamp, partition, offset and key when asked, with key.separator', async () => {
    const props = ['print.timestamp=true', 'print.partition=true', 'print.offset=true', 'print.key=true'].flatMap((p) => ['--property', p]);
    const r = await consume('events', '--from-beginning', '--max-messages', '2', ...props);
    expect(r.stdout).toBe('CreateTime:1700000000000\tPartition:0\tOffset:0\tk0\ta\nCreateTime:1700000000001\tPartition:0\tOffset:1\tk1\tb\n');
    const sep = await consume('events', '--from-beginning', '--max-messages', '1', '--property', 'print.key=true', '--property', 'key.separator=:');
    expect(sep.stdout).toBe('k0:a\n');
  });

  it('starts at the end without --from-beginning, and stops after --timeout-ms without records', async () => {
    const r = await consume('events', '--timeout-ms', '1500');
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: 'Processed a total of 0 messages\n' });
  });

  it('with --group commits what it printed, so the next run continues there', async () => {
    const first = await consume('events', '--group', 'readers', '--from-beginning', '--max-messages', '2');
    expect(first.stdout).toBe('a\nb\n');
    const second = await consume('events', '--group', 'readers', '--from-beginning', '--max-messages', '2');
    expect(second.stdout).toBe('c\nd\n');
    const rest = await consume('events', '--group', 'readers', '--timeout-ms', '1500');
    expect(rest).toMatchObject({ code: 0, stdout: 'e\n', stderr: 'Processed a total of 1 messages\n' });

    const d = await groups('--describe', '--group', 'readers');
    expect(d.stderr).toBe("Consumer group 'readers' has no active members.\n");
    expect(d.stdout.split('\n')[2].split(/ +/)).toEqual(['readers', 'events', '0', '5', '5', '0', '-', '-', '-']);
  });

  it('commits nothing for its generated group', async () => {
    const before = (await groups('--list')).stdout;
    expect(await consume('events', '--from-beginning', '--max-messages', '1')).toMatchObject({ code: 0, stdout: 'a\n' });
    const generated = (await groups('--list')).stdout.split('\n').filter((g) => g.startsWith('console-consumer-') && !before.includes(g));
    for (const g of generated) {
      const d = await groups('--describe', '--group', g);
      expect(d.stdout).toBe('');
    }
  });

  it('leaves its group on SIGINT and exits 0', async () => {
    const child = spawn(
      process.execPath,
      [CLI, 'console-consumer', '--bootstrap-server', b.bootstrap, '--topic', 'events', '--group', 'sig', '--from-beginning'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
    for (let i = 0; i < 200 && stdout.split('\n').length < 6; i++) await new Promise((res) => setTimeout(res, 50));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stdout).toBe('a\nb\nc\nd\ne\n');
    expect(stderr).toBe('Processed a total of 5 messages\n');
    // It left (rather than timing out of) the group: no members straight away.
    const state = await groups('--describe', '--group', 'sig', '--state');
    expect(state.stdout).toMatch(/ Empty +0$/m);
  });
});

describe('skein console-consumer --partition', () => {
  beforeAll(async () => {
    await createTopic('split', 2);
    await send('split', 0, [{ value: 'p0-a' }, { value: 'p0-b' }]);
    await send('split', 1, [{ value: 'p1-a' }, { value: 'p1-b' }, { value: 'p1-c' }, { key: null, value: null }]);
  });

  it('reads one partition from an offset, without a group', async () => {
    const r = await consume(
      'split',
      '--partition',
      '1',
      '--offset',
      '1',
      '--max-messages',
      '3',
      '--property',
      'print.offset=true',
      '--property',
      'print.partition=true',
    );
    expect(r).toMatchObject({
      code: 0,
      stdout: 'Partition:1\tOffset:1\tp1-b\nPartition:1\tOffset:2\tp1-c\nPartition:1\tOffset:3\tnull\n',
      stderr: 'Processed a total of 3 messages\n',
    });
  });

  it('with --group as well, commits the position it reached for that group', async () => {
    const r = await consume('split', '--partition', '1', '--offset', 'earliest', '--group', 'by-hand', '--max-messages', '2');
    expect(r).toMatchObject({ code: 0, stdout: 'p1-a\np1-b\n' });
    const d = await groups('--describe', '--group', 'by-hand');
    expect(d.stdout.split('\n')[2].split(/ +/)).toEqual(['by-hand', 'split', '1', '2', '4', '2', '-', '-', '-']);
  });

  it('takes earliest, latest (the default) and --from-beginning', async () => {
    expect((await consume('split', '--partition', '0', '--offset', 'earliest', '--timeout-ms', '1000')).stdout).toBe('p0-a\np0-b\n');
    expect((await consume('split', '--partition', '0', '--from-beginning', '--timeout-ms', '1000')).stdout).toBe('p0-a\np0-b\n');
    expect(await consume('split', '--partition', '0', '--timeout-ms', '1000')).toMatchObject({
      code: 0,
      stdout: '',
      stderr: 'Processed a total of 0 messages\n',
    });
    expect((await consume('split', '--partition', '0', '--offset', 'latest', '--timeout-ms', '1000')).stdout).toBe('');
  });

  it('waits for new records', async () => {
    const running = consume('split', '--partition', '0', '--max-messages', '1');
    await new Promise((res) => setTimeout(res, 1000));
    await send('split', 0, [{ value: 'p0-late' }]);
    expect(await running).toMatchObject({ code: 0, stdout: 'p0-late\n' });
  });

  it('moves an offset past the end to the latest offset', async () => {
    expect(await consume('split', '--partition', '1', '--offset', '99', '--timeout-ms', '1000')).toMatchObject({ code: 0, stdout: '' });
  });

  it('reports a partition that does not exist', async () => {
    const r = await consume('split', '--partition', '5', '--offset', '0');
    expect(r).toMatchObject({ code: 1, stdout: '' });
    expect(r.stderr).toMatch(/Partition 5 of topic 'split' does not exist/);
    expect(r.stderr).toMatch(/Processed a total of 0 messages\n$/);
  });
});

describe('skein console-consumer --isolation-level', () => {
  beforeAll(async () => {
    await createTopic('ledger', 1);
    await send('ledger', 0, [{ value: 'plain-1' }]);
    const txn = kafka.producer({ transactionalId: 'cc-test-txn', maxInFlightRequests: 1, idempotent: true });
    await txn.connect();
    const aborted = await txn.transaction();
    await aborted.send({
      topic: 'ledger',
      messages: [
        { value: 'aborted-1', partition: 0 },
        { value: 'aborted-2', partition: 0 },
      ],
    });
    await aborted.abort();
    const committed = await txn.transaction();
    await committed.send({ topic: 'ledger', messages: [{ value: 'committed-1', partition: 0 }] });
    await committed.commit();
    await txn.disconnect();
    await send('ledger', 0, [{ value: 'plain-2' }]);
  });

  it('read_committed leaves out aborted transactions and markers, in both modes', async () => {
    const all = 'plain-1\naborted-1\naborted-2\ncommitted-1\nplain-2\n';
    const onlyCommitted = 'plain-1\ncommitted-1\nplain-2\n';
    expect((await consume('ledger', '--partition', '0', '--offset', 'earliest', '--timeout-ms', '1000')).stdout).toBe(all);
    const partition = await consume('ledger', '--partition', '0', '--offset', 'earliest', '--timeout-ms', '1000', '--isolation-level', 'read_committed');
    expect(partition.stdout).toBe(onlyCommitted);
    expect((await consume('ledger', '--from-beginning', '--max-messages', '5')).stdout).toBe(all);
    expect((await consume('ledger', '--from-beginning', '--max-messages', '3', '--isolation-level', 'read_committed')).stdout).toBe(onlyCommitted);
  });
});

describe('skein console-consumer options', () => {
  it('checks them as kafka-console-consumer does', async () => {
    const cases: Array<[string[], string | RegExp]> = [
      [['--offset', '3'], 'The partition is required when offset is specified.\n'],
      [['--partition', '0', '--offset', '3', '--from-beginning'], 'Options from-beginning and offset cannot be specified together.\n'],
      [
        ['--partition', '0', '--offset', 'first'],
        "The provided offset value 'first' is incorrect. Valid values are 'earliest', 'latest', or a non-negative long.\n",
      ],
      [['--isolation-level', 'dirty'], 'Invalid value dirty for configuration isolation.level: String must be one of: read_committed, read_uncommitted\n'],
      [['--property', 'print.keys=true'], /^Unknown --property print.keys/],
    ];
    for (const [args, stderr] of cases) {
      const r = await runCli(['console-consumer', '--bootstrap-server', '127.0.0.1:1', '--topic', 't', ...args]);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      if (typeof stderr === 'string') expect(r.stderr).toBe(stderr);
      else expect(r.stderr).toMatch(stderr);
    }
  });
});
