import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startBroker, type TestBroker } from '../support/broker.js';
import { runCli } from './run-cli.js';

let b: TestBroker;
const topics = (...args: string[]) => runCli(['topics', '--bootstrap-server', b.bootstrap, ...args]);

beforeAll(async () => {
  b = await startBroker({ 'num.partitions': '2' });
});
afterAll(async () => {
  await b.stop();
  removeDir(b.logDir);
});

describe('skein topics', () => {
  it('creates a topic, prints it in --list and --describe with its overrides and topic id', async () => {
    const created = await topics(
      '--create',
      '--topic',
      'orders',
      '--partitions',
      '3',
      '--replication-factor',
      '1',
      '--config',
      'retention.ms=60000',
      '--config',
      'cleanup.policy = compact',
    );
    expect(created).toMatchObject({ code: 0, stdout: 'Created topic orders.\n', stderr: '' });

    const list = await topics('--list');
    expect(list.code).toBe(0);
    expect(list.stdout.split('\n')).toContain('orders');

    const described = await topics('--describe', '--topic', 'orders');
    expect(described.code).toBe(0);
    const lines = described.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^Topic: orders\tTopicId: [A-Za-z0-9_-]{22}\tPartitionCount: 3\tReplicationFactor: 1\tConfigs: cleanup.policy=compact,retention.ms=60000$/,
    );
    expect(lines.slice(1)).toEqual([0, 1, 2].map((p) => `\tTopic: orders\tPartition: ${p}\tLeader: 1\tReplicas: 1\tIsr: 1`));
  });

  it('uses the broker defaults when --partitions is left out, and shows no configs for a plain topic', async () => {
    expect((await topics('--create', '--topic', 'plain')).code).toBe(0);
    const d = await topics('--describe', '--topic', 'plain');
    expect(d.stdout.split('\n')[0]).toMatch(/\tPartitionCount: 2\tReplicationFactor: 1\tConfigs: $/);
  });

  it('lists topics sorted, filters --list and --describe by a regular expression', async () => {
    for (const t of ['zeta', 'alpha', 'alpha-2']) expect((await topics('--create', '--topic', t, '--partitions', '1')).code).toBe(0);
    const all = (await topics('--list')).stdout.trimEnd().split('\n');
    expect(all).toEqual([...all].sort());
    expect((await topics('--list', '--topic', 'alpha.*')).stdout).toBe('alpha\nalpha-2\n');
    const d = await topics('--describe', '--topic', 'alpha.*');
    expect(
      d.stdout
        .split('\n')
        .filter((l) => l.startsWith('Topic:'))
        .map((l) => l.split('\t')[0]),
    ).toEqual(['Topic: alpha', 'Topic: alpha-2']);
  });

  it('reports an existing topic like kafka-topics, unless --if-not-exists', async () => {
    expect((await topics('--create', '--topic', 'dup', '--partitions', '1')).code).toBe(0);
    const again = await topics('--create', '--topic', 'dup', '--partitions', '1');
    expect(again.code).toBe(1);
    expect(again.stderr).toBe("Error while executing topic command : Topic 'dup' already exists.\n");
    expect(await topics('--create', '--topic', 'dup', '--if-not-exists')).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });

  it('passes the broker error for a bad config or replication factor through', async () => {
    const cfg = await topics('--create', '--topic', 'badcfg', '--config', 'no.such.config=1');
    expect(cfg.code).toBe(1);
    expect(cfg.stderr).toMatch(/^Error while executing topic command : .*no\.such\.config/);
    const rf = await topics('--create', '--topic', 'badrf', '--replication-factor', '3');
    expect(rf.code).toBe(1);
    expect(rf.stderr).toMatch(/^Error while executing topic command : .*replication factor of 3/);
    expect((await topics('--list')).stdout.split('\n')).not.toContain('badrf');
  });

  it('grows partitions with --alter and refuses to shrink them', async () => {
    expect((await topics('--create', '--topic', 'grow', '--partitions', '1')).code).toBe(0);
    expect(await topics('--alter', '--topic', 'grow', '--partitions', '4')).toMatchObject({ code: 0, stderr: '' });
    const d = await topics('--describe', '--topic', 'grow');
    expect(d.stdout).toMatch(/PartitionCount: 4\t/);
    expect(d.stdout).toMatch(/\tPartition: 3\tLeader: 1/);
    const shrink = await topics('--alter', '--topic', 'grow', '--partitions', '2');
    expect(shrink.code).toBe(1);
    expect(shrink.stderr).toMatch(/^Error while executing topic command : .*4 partitions/);
  });

  it('deletes a topic; a missing one is an error unless --if-exists', async () => {
    expect((await topics('--create', '--topic', 'gone', '--partitions', '1')).code).toBe(0);
    expect(await topics('--delete', '--topic', 'gone')).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect((await topics('--list')).stdout.split('\n')).not.toContain('gone');
    const again = await topics('--delete', '--topic', 'gone');
    expect(again).toMatchObject({ code: 1, stderr: "Topic 'gone' does not exist as expected\n" });
    expect(await topics('--delete', '--topic', 'gone', '--if-exists')).toMatchObject({ code: 0, stderr: '' });
    expect((await topics('--describe', '--topic', 'gone')).code).toBe(1);
    expect((await topics('--alter', '--topic', 'gone', '--partitions', '3')).code).toBe(1);
  });

  it('checks its options before connecting', async () => {
    const none = await topics('--topic', 'x');
    expect(none).toMatchObject({ code: 1, stderr: 'Command must include exactly one action: --list, --describe, --create, --alter or --delete\n' });
    expect((await topics('--list', '--create')).code).toBe(1);
    expect((await topics('--create')).stderr).toMatch(/--topic/);
    expect((await topics('--alter', '--topic', 'x')).stderr).toMatch(/--alter needs --partitions/);
    expect((await topics('--delete', '--topic', 'x', '--config', 'a=b')).stderr).toMatch(/--config can't be used with --delete/);
    expect((await topics('--create', '--topic', 'x', '--partitions', '0')).stderr).toBe('The partitions must be greater than 0\n');
    expect((await topics('--create', '--topic', 'x', '--partitions', 'lots')).stderr).toMatch(/--partitions <count>' argument 'lots' is invalid/);
    expect((await topics('--create', '--topic', 'x', '--config', 'novalue')).stderr).toMatch(/must be in the format "key=val"/);
  });
});

describe('skein topics without a usable broker', () => {
  it('rejects a malformed --bootstrap-server', async () => {
    const r = await runCli(['topics', '--bootstrap-server', 'localhost', '--list']);
    expect(r).toMatchObject({ code: 1, stdout: '' });
    expect(r.stderr).toMatch(/^Invalid --bootstrap-server "localhost": "localhost" has no port/);
  });

  it('reports a broker that does not answer', async () => {
    const r = await runCli(['topics', '--bootstrap-server', '127.0.0.1:1', '--list']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('Could not connect to any bootstrap server: 127.0.0.1:1 (connection refused)\n');
  });
});
