import type { Consumer, Kafka, Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startBroker, type TestBroker } from '../support/broker.js';
import { kafkaClient, kafkaProducer } from '../support/kafkajs.js';
import { runCli } from './run-cli.js';

let b: TestBroker;
let kafka: Kafka;
let producer: Producer;
const consumers: Consumer[] = [];

const groups = (...args: string[]) => runCli(['consumer-groups', '--bootstrap-server', b.bootstrap, ...args]);
const HEADER = 'GROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID     HOST            CLIENT-ID';
const PLAN_HEADER = 'GROUP                          TOPIC                          PARTITION  NEW-OFFSET';

beforeAll(async () => {
  b = await startBroker({ 'group.initial.rebalance.delay.ms': '0' });
  kafka = kafkaClient(b.bootstrap, 'cg-test');
  producer = kafkaProducer(kafka);
  await producer.connect();
});
afterAll(async () => {
  for (const c of consumers) await c.disconnect().catch(() => undefined);
  await producer.disconnect();
  await b.stop();
  removeDir(b.logDir);
});

async function createTopic(topic: string, partitions: number): Promise<void> {
  expect((await runCli(['topics', '--bootstrap-server', b.bootstrap, '--create', '--topic', topic, '--partitions', String(partitions)])).code).toBe(0);
}

/** `counts[p]` records into partition p, with timestamps 1000 ms apart from `firstTimestamp`. */
async function produce(topic: string, counts: number[], firstTimestamp = Date.now()): Promise<void> {
  for (const [partition, n] of counts.entries()) {
    if (n === 0) continue;
    const messages = Array.from({ length: n }, (_, i) => ({ value: `${partition}-${i}`, partition, timestamp: String(firstTimestamp + i * 1000) }));
    await producer.send({ topic, messages });
  }
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

/** A kafkajs consumer in `groupId` that has read `expected` records and committed them. */
async function activeConsumer(groupId: string, topic: string, expected: number): Promise<{ consumer: Consumer; memberId: string }> {
  const consumer = kafka.consumer({ groupId, heartbeatInterval: 300, sessionTimeout: 10_000, maxWaitTimeInMs: 100 });
  consumers.push(consumer);
  let memberId = '';
  consumer.on(consumer.events.GROUP_JOIN, (e) => (memberId = e.payload.memberId));
  let seen = 0;
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({ eachMessage: async () => void seen++ });
  await waitFor('records', async () => seen >= expected);
  await waitFor('commits', async () => {
    const offsets = await committed(groupId, topic);
    return offsets.reduce((sum, o) => sum + Number(o.offset), 0) >= expected;
  });
  return { consumer, memberId };
}

async function committed(groupId: string, topic: string): Promise<Array<{ partition: number; offset: string }>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return t.partitions;
  } finally {
    await admin.disconnect();
  }
}

/** The describe table's data rows, split into cells. */
function rows(stdout: string): string[][] {
  const lines = stdout.split('\n');
  expect(lines[0]).toBe(''); // a blank line before the table, as Kafka prints
  return lines.slice(2, -1).map((l) => l.split(/ +/));
}

describe('skein consumer-groups with an active group', () => {
  let memberId: string;
  let consumer: Consumer;

  beforeAll(async () => {
    await createTopic('orders', 2);
    await produce('orders', [5, 3]);
    ({ consumer, memberId } = await activeConsumer('billing', 'orders', 8));
  });

  it('lists the group, with --state its state', async () => {
    const list = await groups('--list');
    expect(list).toMatchObject({ code: 0, stderr: '' });
    expect(list.stdout.split('\n')).toContain('billing');
    const states = await groups('--list', '--state');
    expect(states.stdout.split('\n')[0]).toBe('GROUP           STATE');
    expect(states.stdout).toMatch(/^billing {9}Stable$/m);
    expect((await groups('--list', '--state', 'empty,dead')).stdout.split('\n')).not.toContain('billing');
    expect(await groups('--list', '--state', 'Sleeping')).toMatchObject({ code: 1, stderr: expect.stringMatching(/^Invalid state list 'Sleeping'/) });
  });

  it('describes offsets, lag and owner of every partition, column-aligned', async () => {
    await produce('orders', [0, 2]);
    const r = await groups('--describe', '--group', 'billing');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout.split('\n')[1]).toBe(HEADER.replace('CONSUMER-ID    ', 'CONSUMER-ID'.padEnd(memberId.length)));
    expect(rows(r.stdout)).toEqual([
      ['billing', 'orders', '0', '5', '5', '0', memberId, '/127.0.0.1', 'cg-test'],
      ['billing', 'orders', '1', expect.stringMatching(/^[35]$/), '5', expect.stringMatching(/^[20]$/), memberId, '/127.0.0.1', 'cg-test'],
    ]);
    const lines = r.stdout.split('\n');
    expect(lines[2].indexOf(memberId)).toBe(lines[1].indexOf('CONSUMER-ID'));
  });

  it('describes members and state', async () => {
    const members = await groups('--describe', '--group', 'billing', '--members', '--verbose');
    expect(members).toMatchObject({ code: 0, stderr: '' });
    expect(rows(members.stdout)).toEqual([['billing', memberId, '/127.0.0.1', 'cg-test', '2', 'orders(0,1)']]);
    const state = await groups('--describe', '--group', 'billing', '--state');
    expect(state).toMatchObject({ code: 0, stderr: '' });
    expect(rows(state.stdout)).toEqual([['billing', `127.0.0.1:${b.bootstrap.split(':')[1]}`, '(1)', 'RoundRobinAssigner', 'Stable', '1']]);
  });

  it('refuses to reset offsets or delete the group while it has members', async () => {
    for (const mode of ['--dry-run', '--execute']) {
      const r = await groups('--reset-offsets', '--group', 'billing', '--topic', 'orders', '--to-earliest', mode);
      expect(r).toMatchObject({
        code: 1,
        stdout: '',
        stderr: "Error: Assignments can only be reset if the group 'billing' is inactive, but the current state is Stable.\n",
      });
    }
    const del = await groups('--delete', '--group', 'billing');
    expect(del).toMatchObject({
      code: 1,
      stdout: '',
      stderr:
        "Error: Deletion of some consumer groups failed:\n* Group 'billing' could not be deleted due to: org.apache.kafka.common.errors.GroupNotEmptyException: The group is not empty.\n",
    });
  });

  it('once the consumer has left: no active members, committed offsets with their lag', async () => {
    await waitFor('the last commit', async () => (await committed('billing', 'orders')).every((o) => o.offset === '5'));
    await consumer.disconnect();
    await produce('orders', [1, 0]);
    const r = await groups('--describe', '--group', 'billing');
    expect(r).toMatchObject({ code: 0, stderr: "Consumer group 'billing' has no active members.\n" });
    expect(r.stdout.split('\n')[1]).toBe(HEADER);
    expect(rows(r.stdout)).toEqual([
      ['billing', 'orders', '0', '5', '6', '1', '-', '-', '-'],
      ['billing', 'orders', '1', '5', '5', '0', '-', '-', '-'],
    ]);
    const members = await groups('--describe', '--group', 'billing', '--members');
    expect(members).toMatchObject({ code: 0, stdout: '', stderr: "Consumer group 'billing' has no active members.\n" });
    expect(rows((await groups('--describe', '--group', 'billing', '--state')).stdout)[0]).toContain('Empty');
  });
});

describe('skein consumer-groups with several members', () => {
  it('leaves a member without partitions out of the offsets table but lists it with --members', async () => {
    await createTopic('single', 1);
    await produce('single', [2]);
    const first = await activeConsumer('pair', 'single', 2);
    const second = kafka.consumer({ groupId: 'pair', heartbeatInterval: 300, sessionTimeout: 10_000, maxWaitTimeInMs: 100 });
    consumers.push(second);
    await second.connect();
    await second.subscribe({ topics: ['single'] });
    await second.run({ eachMessage: async () => undefined });
    await waitFor('two stable members', async () => {
      const r = await groups('--describe', '--group', 'pair', '--state');
      return /Stable +2$/m.test(r.stdout);
    });
    const members = rows((await groups('--describe', '--group', 'pair', '--members')).stdout);
    expect(members.map((m) => m[4]).sort()).toEqual(['0', '1']);
    const offsets = rows((await groups('--describe', '--group', 'pair')).stdout);
    expect(offsets).toHaveLength(1);
    expect(offsets[0].slice(0, 6)).toEqual(['pair', 'single', '0', '2', '2', '0']);
    expect(members.find((m) => m[4] === '1')?.[1]).toBe(offsets[0][6]);
    await second.disconnect();
    await first.consumer.disconnect();
  });
});

describe('skein consumer-groups --reset-offsets', () => {
  const T0 = 1_700_000_000_000;

  beforeAll(async () => {
    await createTopic('payments', 2);
    // payments-0: offsets 0-9 at T0 + i s; payments-1: offsets 0-3 at T0 + i s
    await produce('payments', [10, 4], T0);
    const { consumer } = await activeConsumer('ledger', 'payments', 14);
    await consumer.disconnect();
  });

  const reset = async (...args: string[]) => {
    const r = await groups('--reset-offsets', '--group', 'ledger', ...args);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines.slice(0, 2)).toEqual(['', PLAN_HEADER]);
    return { plan: lines.slice(2, -1).map((l) => l.split(/ +/).slice(1).join(' ')), stderr: r.stderr };
  };
  const current = async () => (await committed('ledger', 'payments')).map((o) => `${o.partition}:${o.offset}`).sort();

  it('is a dry run by default, with Kafka warning that nothing was done', async () => {
    const r = await reset('--topic', 'payments', '--to-earliest');
    expect(r.plan).toEqual(['payments 0 0', 'payments 1 0']);
    expect(r.stderr).toMatch(/^WARN: No action will be performed as the --execute option is missing\./);
    expect(await current()).toEqual(['0:10', '1:4']);
    expect((await reset('--topic', 'payments', '--to-earliest', '--dry-run')).stderr).toBe('');
  });

  it('resets to earliest, an offset, a shift, a time, and latest with --execute', async () => {
    expect((await reset('--topic', 'payments', '--to-earliest', '--execute')).plan).toEqual(['payments 0 0', 'payments 1 0']);
    expect(await current()).toEqual(['0:0', '1:0']);

    const to = await reset('--topic', 'payments', '--to-offset', '6', '--execute');
    expect(to.plan).toEqual(['payments 0 6', 'payments 1 4']);
    expect(to.stderr).toBe('WARN New offset (6) is higher than latest offset for topic partition payments-1. Value will be set to 4\n');
    expect(await current()).toEqual(['0:6', '1:4']);

    const shift = await reset('--all-topics', '--shift-by', '-5', '--execute');
    expect(shift.plan).toEqual(['payments 0 1', 'payments 1 0']);
    expect(shift.stderr).toBe('WARN New offset (-1) is lower than earliest offset for topic partition payments-1. Value will be set to 0\n');
    expect(await current()).toEqual(['0:1', '1:0']);

    // T0 + 2.5 s: offset 3 is the first record at or after it in both partitions.
    const at = new Date(T0 + 2500).toISOString().replace('Z', '');
    expect((await reset('--topic', 'payments', '--to-datetime', at, '--execute')).plan).toEqual(['payments 0 3', 'payments 1 3']);
    const late = await reset('--topic', 'payments:1', '--to-datetime', new Date(T0 + 3_600_000).toISOString(), '--dry-run');
    expect(late.plan).toEqual(['payments 1 4']);
    expect(late.stderr).toBe('Warn: Partition 1 from topic payments is empty. Falling back to latest known offset.\n');

    expect((await reset('--topic', 'payments:1', '--to-latest', '--execute')).plan).toEqual(['payments 1 4']);
    expect(await current()).toEqual(['0:3', '1:4']);
    expect((await reset('--all-topics', '--to-current', '--dry-run')).plan).toEqual(['payments 0 3', 'payments 1 4']);
    expect((await reset('--topic', 'payments', '--by-duration', 'PT1M', '--dry-run')).plan).toEqual(['payments 0 10', 'payments 1 4']);
  });

  it('creates the offsets of a group that does not exist yet', async () => {
    const r = await groups('--reset-offsets', '--group', 'fresh', '--topic', 'payments:0', '--to-offset', '2', '--execute');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const d = await groups('--describe', '--group', 'fresh');
    expect(rows(d.stdout)).toEqual([['fresh', 'payments', '0', '2', '10', '8', '-', '-', '-']]);
  });

  it('reports a missing topic, partition or committed offset', async () => {
    const topic = await groups('--reset-offsets', '--group', 'ledger', '--topic', 'nope', '--to-earliest', '--dry-run');
    expect(topic).toMatchObject({ code: 1, stderr: "Error: Executing consumer group command failed due to Topic 'nope' does not exist.\n" });
    const shift = await groups('--reset-offsets', '--group', 'nobody', '--topic', 'payments', '--shift-by', '1', '--dry-run');
    expect(shift).toMatchObject({ code: 1, stderr: 'Cannot shift offset for partition payments-0 since there is no current committed offset\n' });
    const bad = await groups('--reset-offsets', '--group', 'ledger', '--topic', 'payments:x', '--to-earliest');
    expect(bad).toMatchObject({ code: 1, stderr: "Invalid partition 'x' specified in topic arg 'payments:x'\n" });
  });
});

describe('skein consumer-groups --delete and errors', () => {
  it('deletes an empty group, and reports one that does not exist', async () => {
    await createTopic('audit', 1);
    await produce('audit', [1]);
    await (await activeConsumer('auditor', 'audit', 1)).consumer.disconnect();
    await waitFor('an empty group', async () => (await groups('--describe', '--group', 'auditor', '--state')).stdout.includes('Empty'));
    expect(await groups('--delete', '--group', 'auditor')).toMatchObject({
      code: 0,
      stdout: "Deletion of requested consumer groups ('auditor') was successful.\n",
      stderr: '',
    });
    expect((await groups('--list')).stdout.split('\n')).not.toContain('auditor');
    expect(await groups('--describe', '--group', 'auditor')).toMatchObject({
      code: 1,
      stdout: '',
      stderr: "Error: Consumer group 'auditor' does not exist.\n",
    });
    const again = await groups('--delete', '--group', 'auditor');
    expect(again).toMatchObject({
      code: 1,
      stderr:
        "Error: Deletion of some consumer groups failed:\n* Group 'auditor' could not be deleted due to: org.apache.kafka.common.errors.GroupIdNotFoundException: The group id does not exist.\n",
    });
  });

  it('checks its options before connecting', async () => {
    const none = await runCli(['consumer-groups', '--bootstrap-server', '127.0.0.1:1', '--group', 'g']);
    expect(none).toMatchObject({ code: 1, stderr: 'Command must include exactly one action: --list, --describe, --delete, --reset-offsets\n' });
    const cases: Array<[string[], string]> = [
      [['--describe'], 'Option [describe] takes one of these options: [all-groups], [group]\n'],
      [['--describe', '--group', 'g', '--members', '--state'], 'Option [describe] takes at most one of these options: [members], [offsets], [state]\n'],
      [
        ['--reset-offsets', '--group', 'g', '--topic', 't'],
        expect.stringMatching(/^Option \[reset-offsets\] takes exactly one of these options: \[to-datetime\]/),
      ],
      [['--reset-offsets', '--group', 'g', '--to-latest'], 'One of the reset scopes should be defined: --all-topics, --topic.\n'],
      [
        ['--reset-offsets', '--group', 'g', '--topic', 't', '--to-latest', '--execute', '--dry-run'],
        'Option [reset-offsets] only accepts one of [execute] and [dry-run]\n',
      ],
      [['--reset-offsets', '--group', 'g', '--topic', 't', '--to-datetime', 'noon'], expect.stringMatching(/^Error parsing timestamp 'noon'/)],
      [['--list', '--topic', 't'], "Option --topic can't be used with --list (only with --reset-offsets)\n"],
    ];
    for (const [args, stderr] of cases) {
      expect(await runCli(['consumer-groups', '--bootstrap-server', '127.0.0.1:1', ...args])).toMatchObject({ code: 1, stdout: '', stderr });
    }
    const unreachable = await runCli(['consumer-groups', '--bootstrap-server', '127.0.0.1:1', '--list']);
    expect(unreachable).toMatchObject({ code: 1, stderr: 'Could not connect to any bootstrap server: 127.0.0.1:1 (connection refused)\n' });
  });
});
