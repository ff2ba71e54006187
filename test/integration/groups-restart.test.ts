/**
 * Committed offsets and group state survive kill -9 of the real `skein broker start` process: after
 * a restart on the same log directory, OffsetFetch answers the same offsets, DescribeGroups shows the
 * group as it was (a Stable group with its member, or an Empty one), and a consumer that was in the
 * group carries on with the generation it had.
 *
 * Needs `npm run build` (the broker runs from dist/).
 */
import type { Admin, Consumer, Kafka } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { DescribeGroups } from '../../src/protocol/apis/describe-groups.js';
import { OffsetFetch } from '../../src/protocol/apis/offset-fetch.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { type BrokerProcess, removeDir, spawnBroker, tempDir } from '../support/broker.js';
import { kafkaClient } from '../support/kafkajs.js';
import { RawClient } from '../support/raw-client.js';

const OVERRIDES = { 'group.initial.rebalance.delay.ms': '0', 'group.min.session.timeout.ms': '1000', 'offsets.topic.num.partitions': '5' };
const TOPIC = 'ledger';
const running: BrokerProcess[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const p of running.splice(0)) if (p.child.exitCode === null && p.child.signalCode === null) await p.kill('SIGKILL');
  for (const d of dirs.splice(0)) removeDir(d);
});

async function start(dir: string, port = 0): Promise<BrokerProcess> {
  const p = await spawnBroker(dir, port, OVERRIDES);
  running.push(p);
  return p;
}

async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** OffsetFetch v7 with a null topic list (every committed partition), with our own codec. */
async function committedOffsets(port: number, groupId: string): Promise<Record<string, number>> {
  const raw = await RawClient.connect(port);
  try {
    const res = await raw.request(OffsetFetch, 7, { groupId, topics: null, requireStable: true });
    expect(res.errorCode).toBe(ErrorCode.NONE);
    const out: Record<string, number> = {};
    for (const t of res.topics ?? []) for (const p of t.partitions) out[`${t.name}-${p.partitionIndex}`] = Number(p.committedOffset);
    return out;
  } finally {
    raw.destroy();
  }
}

async function describeGroup(port: number, groupId: string) {
  const raw = await RawClient.connect(port);
  try {
    return (await raw.request(DescribeGroups, 5, { groups: [groupId], includeAuthorizedOperations: false })).groups[0];
  } finally {
    raw.destroy();
  }
}

describe('groups across kill -9 of the broker', () => {
  let consumer: Consumer | undefined;
  let admin: Admin | undefined;

  afterEach(async () => {
    await consumer?.disconnect().catch(() => undefined);
    await admin?.disconnect().catch(() => undefined);
  });

  it('keeps committed offsets and group state, and the live member carries on', async () => {
    const dir = tempDir('skein-groups-restart-');
    dirs.push(dir);
    let broker = await start(dir);
    const kafka: Kafka = kafkaClient(broker.bootstrap, 'restart-test', 20);
    admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 3 }] });
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const send = (from: number, n: number) =>
      producer.send({ topic: TOPIC, acks: -1, messages: Array.from({ length: n }, (_, i) => ({ partition: (from + i) % 3, value: `entry ${from + i}` })) });
    await send(0, 30);

    // a group that only stores offsets (an admin's commit, generation -1)
    await admin.setOffsets({
      groupId: 'bookkeeping',
      topic: TOPIC,
      partitions: [
        { partition: 0, offset: '4' },
        { partition: 1, offset: '7' },
      ],
    });

    // a live consumer group that commits after each record
    const seen: string[] = [];
    consumer = kafka.consumer({ groupId: 'readers', sessionTimeout: 6_000, heartbeatInterval: 300, maxWaitTimeInMs: 200 });
    await consumer.connect();
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    await consumer.run({ autoCommitThreshold: 1, eachMessage: async ({ partition, message }) => void seen.push(`${partition}:${message.offset}`) });
    await waitFor('the consumer to commit all 30 records', async () => {
      const c = await committedOffsets(broker.port, 'readers');
      return c[`${TOPIC}-0`] === 10 && c[`${TOPIC}-1`] === 10 && c[`${TOPIC}-2`] === 10;
    });
    const before = {
      readers: await committedOffsets(broker.port, 'readers'),
      bookkeeping: await committedOffsets(broker.port, 'bookkeeping'),
      described: await describeGroup(broker.port, 'readers'),
    };
    expect(before.bookkeeping).toEqual({ [`${TOPIC}-0`]: 4, [`${TOPIC}-1`]: 7 });
    expect(before.described).toMatchObject({ groupState: 'Stable', protocolType: 'consumer', protocolData: 'RoundRobinAssigner' });
    expect(before.described.members).toHaveLength(1);

    // kill -9 and restart on the same directory and port
    await broker.kill('SIGKILL');
    broker = await start(dir, broker.port);
    expect(await committedOffsets(broker.port, 'readers')).toEqual(before.readers);
    expect(await committedOffsets(broker.port, 'bookkeeping')).toEqual(before.bookkeeping);
    const after = await describeGroup(broker.port, 'readers');
    expect(after).toMatchObject({ errorCode: ErrorCode.NONE, groupState: 'Stable', protocolType: 'consumer', protocolData: 'RoundRobinAssigner' });
    expect(after.members.map((m) => [m.memberId, m.clientId, m.clientHost])).toEqual(
      before.described.members.map((m) => [m.memberId, m.clientId, m.clientHost]),
    );
    expect(after.members[0].memberAssignment).toEqual(before.described.members[0].memberAssignment);
    // kafkajs' admin sees the same (OffsetFetch with the topic named)
    const viaKafkajs = await admin.fetchOffsets({ groupId: 'readers', topics: [TOPIC] });
    expect(viaKafkajs[0].partitions.map((p) => Number(p.offset)).sort()).toEqual([10, 10, 10]);

    // the member is still the member: it carries on with new records, and none is read twice
    await send(30, 9);
    await waitFor('the consumer to read the new records', () => seen.length >= 39);
    expect(new Set(seen).size).toBe(seen.length);
    await waitFor('the new records to be committed', async () => Object.values(await committedOffsets(broker.port, 'readers')).every((o) => o === 13));

    // the member leaves: the group is Empty, and stays so across another kill -9
    await consumer.disconnect();
    consumer = undefined;
    await waitFor('the group to be empty', async () => (await describeGroup(broker.port, 'readers')).groupState === 'Empty');
    await producer.disconnect();
    await admin.disconnect();
    admin = undefined;
    await broker.kill('SIGKILL');
    broker = await start(dir, broker.port);
    expect(await describeGroup(broker.port, 'readers')).toMatchObject({ groupState: 'Empty', protocolType: 'consumer', members: [] });
    expect(Object.values(await committedOffsets(broker.port, 'readers'))).toEqual([13, 13, 13]);
    expect(broker.output()).toMatch(/Loaded \d+ group\(s\) from __consumer_offsets-\d+/);
  }, 120_000);
});
