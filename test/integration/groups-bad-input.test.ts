/**
 * Bad group requests, sent raw with our own codec next to a real kafkajs member: each gets Kafka's
 * error code, nothing it asked for happens, and the group carries on (same generation, the member
 * keeps consuming).
 */
import type { Admin, Consumer, Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GroupState } from '../../src/broker/group/group-state.js';
import { subscription } from '../../src/broker/group/testing.js';
import { DeleteGroups } from '../../src/protocol/apis/delete-groups.js';
import { DescribeGroups } from '../../src/protocol/apis/describe-groups.js';
import { FindCoordinator } from '../../src/protocol/apis/find-coordinator.js';
import { Heartbeat } from '../../src/protocol/apis/heartbeat.js';
import { JoinGroup, type JoinGroupRequest } from '../../src/protocol/apis/join-group.js';
import { LeaveGroup } from '../../src/protocol/apis/leave-group.js';
import { OffsetCommit, type OffsetCommitRequest } from '../../src/protocol/apis/offset-commit.js';
import { OffsetDelete } from '../../src/protocol/apis/offset-delete.js';
import { SyncGroup } from '../../src/protocol/apis/sync-group.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { removeDir, startBroker, type TestBroker } from '../support/broker.js';
import { kafkaClient } from '../support/kafkajs.js';
import { RawClient } from '../support/raw-client.js';

const TOPIC = 'payments';
const GROUP = 'payment-workers';

async function waitFor(what: string, condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('bad group requests', () => {
  let b: TestBroker;
  let admin: Admin;
  let producer: Producer;
  let consumer: Consumer;
  let raw: RawClient;
  const seen: string[] = [];

  beforeAll(async () => {
    b = await startBroker({ 'group.initial.rebalance.delay.ms': '0', 'group.min.session.timeout.ms': '1000', 'offsets.topic.num.partitions': '5' });
    const kafka = kafkaClient(b.bootstrap);
    admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 2 }] });
    producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    consumer = kafka.consumer({ groupId: GROUP, sessionTimeout: 6_000, heartbeatInterval: 300, maxWaitTimeInMs: 200 });
    await consumer.connect();
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    await consumer.run({ autoCommitThreshold: 1, eachMessage: async ({ message }) => void seen.push(message.value?.toString() ?? '') });
    raw = await RawClient.connect(b.broker.port);
  });

  afterAll(async () => {
    raw?.destroy();
    await consumer?.disconnect();
    await producer?.disconnect();
    await admin?.disconnect();
    await b?.stop();
    if (b) removeDir(b.logDir);
  });

  const group = () => b.server.services.groupCoordinator.groupManager.getGroup(GROUP);

  const join = (over: Partial<JoinGroupRequest>) =>
    raw.request(JoinGroup, 5, {
      groupId: GROUP,
      sessionTimeoutMs: 6_000,
      rebalanceTimeoutMs: 10_000,
      memberId: '',
      groupInstanceId: null,
      protocolType: 'consumer',
      protocols: [{ name: 'RoundRobinAssigner', metadata: subscription([TOPIC]) }],
      ...over,
    });

  const commit = (over: Partial<OffsetCommitRequest>, metadata: string | null = null, version = 5) =>
    raw.request(OffsetCommit, version, {
      groupId: GROUP,
      generationIdOrMemberEpoch: -1,
      memberId: '',
      retentionTimeMs: -1n,
      topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, committedOffset: 999n, committedLeaderEpoch: -1, committedMetadata: metadata }] }],
      ...over,
    });
  const commitError = async (over: Partial<OffsetCommitRequest>, metadata: string | null = null, version = 5) =>
    (await commit(over, metadata, version)).topics[0].partitions[0].errorCode;

  it("answers each with Kafka's error code while a kafkajs member carries on", async () => {
    await producer.send({
      topic: TOPIC,
      messages: [
        { partition: 0, value: 'p1' },
        { partition: 1, value: 'p2' },
      ],
    });
    await waitFor('the member to consume', () => seen.length === 2);
    const g = group();
    expect(g?.state).toBe(GroupState.Stable);
    const generation = g?.generationId as number;
    const memberId = [...(g?.members.keys() ?? [])][0];

    // OffsetCommit
    expect(await commitError({ generationIdOrMemberEpoch: generation - 1, memberId })).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(await commitError({ generationIdOrMemberEpoch: generation + 1, memberId })).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(await commitError({ generationIdOrMemberEpoch: generation, memberId: 'ghost-member' })).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(await commitError({ generationIdOrMemberEpoch: -1, memberId: '' })).toBe(ErrorCode.UNKNOWN_MEMBER_ID); // the group has a member
    expect(await commitError({ generationIdOrMemberEpoch: generation, memberId }, 'm'.repeat(4097), 2)).toBe(ErrorCode.OFFSET_METADATA_TOO_LARGE);
    expect(await commitError({ generationIdOrMemberEpoch: generation, memberId, groupInstanceId: 'not-mine' }, null, 7)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(
      (
        await raw.request(OffsetCommit, 5, {
          groupId: GROUP,
          generationIdOrMemberEpoch: generation,
          memberId,
          retentionTimeMs: -1n,
          topics: [{ name: 'no-such-topic', partitions: [{ partitionIndex: 0, committedOffset: 1n, committedMetadata: null }] }],
        })
      ).topics[0].partitions[0].errorCode,
    ).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(g?.offset(TOPIC, 0)?.offset).not.toBe(999n);

    // JoinGroup
    expect((await join({ protocolType: 'connect' })).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    expect((await join({ protocols: [{ name: 'my-own-assignor', metadata: Buffer.alloc(0) }] })).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    expect((await join({ sessionTimeoutMs: 999 })).errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT);
    expect((await join({ sessionTimeoutMs: 1_800_001 })).errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT);
    expect((await join({ groupId: '' })).errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
    expect((await join({ memberId: 'ghost-member' })).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect((await join({ memberId: 'ghost-member', groupInstanceId: 'ghost-instance' })).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);

    // Heartbeat, SyncGroup, LeaveGroup
    expect((await raw.request(Heartbeat, 3, { groupId: GROUP, generationId: generation + 5, memberId, groupInstanceId: null })).errorCode).toBe(
      ErrorCode.ILLEGAL_GENERATION,
    );
    expect((await raw.request(Heartbeat, 3, { groupId: GROUP, generationId: generation, memberId: 'ghost-member', groupInstanceId: null })).errorCode).toBe(
      ErrorCode.UNKNOWN_MEMBER_ID,
    );
    expect(
      (await raw.request(SyncGroup, 3, { groupId: GROUP, generationId: generation, memberId: 'ghost-member', groupInstanceId: null, assignments: [] }))
        .errorCode,
    ).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(
      (
        await raw.request(SyncGroup, 5, {
          groupId: GROUP,
          generationId: generation,
          memberId,
          groupInstanceId: null,
          protocolType: 'connect',
          protocolName: 'RoundRobinAssigner',
          assignments: [],
        })
      ).errorCode,
    ).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const leave = await raw.request(LeaveGroup, 3, { groupId: GROUP, members: [{ memberId: 'ghost-member', groupInstanceId: null }] });
    expect(leave).toMatchObject({ errorCode: ErrorCode.NONE, members: [{ memberId: 'ghost-member', errorCode: ErrorCode.UNKNOWN_MEMBER_ID }] });
    expect((await raw.request(LeaveGroup, 1, { groupId: GROUP, memberId: 'ghost-member' })).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);

    // admin requests that may not touch a live group
    expect((await raw.request(DeleteGroups, 1, { groupsNames: [GROUP] })).results).toMatchObject([{ groupId: GROUP, errorCode: ErrorCode.NON_EMPTY_GROUP }]);
    const offsetDelete = await raw.request(OffsetDelete, 0, { groupId: GROUP, topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0 }] }] });
    expect(offsetDelete.topics[0].partitions[0].errorCode).toBe(ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC);
    const unknown = (await raw.request(DescribeGroups, 6, { groups: ['no-such-group'] })).groups[0];
    expect(unknown).toMatchObject({ errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: 'Group no-such-group not found.', groupState: 'Dead' });
    // transactional ids have their coordinator on this node too (the transaction tests cover it)
    const txn = await raw.request(FindCoordinator, 4, { keyType: 1, coordinatorKeys: ['some-transactional-id', ''] });
    expect(txn.coordinators?.[0]).toMatchObject({ key: 'some-transactional-id', errorCode: ErrorCode.NONE });
    expect(txn.coordinators?.[1]).toMatchObject({ key: '', errorCode: ErrorCode.INVALID_REQUEST, nodeId: -1 });

    // the group is as it was, and its member keeps consuming
    expect(group()).toMatchObject({ state: GroupState.Stable, generationId: generation });
    expect([...(group()?.members.keys() ?? [])]).toEqual([memberId]);
    await producer.send({
      topic: TOPIC,
      messages: [
        { partition: 0, value: 'p3' },
        { partition: 1, value: 'p4' },
      ],
    });
    await waitFor('the member to consume after the bad requests', () => seen.length === 4);
    await waitFor('its commits to land', () => group()?.offset(TOPIC, 0)?.offset === 2n && group()?.offset(TOPIC, 1)?.offset === 2n);
    expect(raw.isClosed).toBe(false);
  }, 60_000);
});
