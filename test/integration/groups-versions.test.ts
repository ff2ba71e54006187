/**
 * The group APIs at their oldest and newest versions, sent raw with our own codec: topic ids in
 * OffsetCommit/OffsetFetch v10, batched groups in OffsetFetch v8+, batched FindCoordinator keys in
 * v4+, a whole join/sync/heartbeat/leave cycle at v0, and the v7+/v9 JoinGroup answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subscription } from '../../src/broker/group/testing.js';
import { DescribeGroups } from '../../src/protocol/apis/describe-groups.js';
import { FindCoordinator } from '../../src/protocol/apis/find-coordinator.js';
import { Heartbeat } from '../../src/protocol/apis/heartbeat.js';
import { JoinGroup } from '../../src/protocol/apis/join-group.js';
import { LeaveGroup } from '../../src/protocol/apis/leave-group.js';
import { ListGroups } from '../../src/protocol/apis/list-groups.js';
import { OffsetCommit } from '../../src/protocol/apis/offset-commit.js';
import { OffsetFetch } from '../../src/protocol/apis/offset-fetch.js';
import { SyncGroup } from '../../src/protocol/apis/sync-group.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { removeDir, startBroker, type TestBroker } from '../support/broker.js';
import { RawClient } from '../support/raw-client.js';

const UNKNOWN_ID = '11111111-2222-3333-4444-555555555555';

describe('group APIs across versions', () => {
  let b: TestBroker;
  let raw: RawClient;
  let topicId: string;

  beforeAll(async () => {
    b = await startBroker({ 'group.initial.rebalance.delay.ms': '0', 'group.min.session.timeout.ms': '1000', 'offsets.topic.num.partitions': '5' });
    const created = b.server.services.topicManager.createTopic({ name: 'v', numPartitions: 2, replicationFactor: -1, assignments: [], configs: {} });
    topicId = created.id;
    raw = await RawClient.connect(b.broker.port);
  });

  afterAll(async () => {
    raw?.destroy();
    await b?.stop();
    if (b) removeDir(b.logDir);
  });

  it('finds this node as the coordinator of any group, singly (v0-3) or in batches (v4+)', async () => {
    const v0 = await raw.request(FindCoordinator, 0, { key: 'g' });
    expect(v0).toMatchObject({ errorCode: ErrorCode.NONE, nodeId: b.server.services.nodeId, host: '127.0.0.1', port: b.broker.port });
    const v4 = await raw.request(FindCoordinator, 4, { keyType: 0, coordinatorKeys: ['a', 'b'] });
    expect(v4.coordinators?.map((c) => [c.key, c.errorCode, c.port])).toEqual([
      ['a', ErrorCode.NONE, b.broker.port],
      ['b', ErrorCode.NONE, b.broker.port],
    ]);
    expect((await raw.request(FindCoordinator, 6, { keyType: 2, coordinatorKeys: ['share'] })).coordinators?.[0].errorCode).toBe(ErrorCode.INVALID_REQUEST);
    expect(b.server.services.topics.get('__consumer_offsets')?.partitions).toBe(5);
  });

  it('commits and fetches by topic id (v10) and fetches batched groups (v8+)', async () => {
    const commit = await raw.request(OffsetCommit, 10, {
      groupId: 'by-id',
      generationIdOrMemberEpoch: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [
        { topicId, partitions: [{ partitionIndex: 1, committedOffset: 17n, committedLeaderEpoch: 0, committedMetadata: 'ten' }] },
        { topicId: UNKNOWN_ID, partitions: [{ partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, committedMetadata: null }] },
      ],
    });
    expect(commit.topics.map((t) => [t.topicId, t.partitions[0].errorCode])).toEqual([
      [topicId, ErrorCode.NONE],
      [UNKNOWN_ID, ErrorCode.UNKNOWN_TOPIC_ID],
    ]);

    const fetched = await raw.request(OffsetFetch, 10, {
      groups: [
        {
          groupId: 'by-id',
          memberId: null,
          memberEpoch: -1,
          topics: [
            { topicId, partitionIndexes: [0, 1] },
            { topicId: UNKNOWN_ID, partitionIndexes: [0] },
          ],
        },
        { groupId: 'by-id', memberId: null, memberEpoch: -1, topics: null },
        { groupId: 'never-heard-of', memberId: null, memberEpoch: -1, topics: null },
      ],
      requireStable: true,
    });
    const [asked, all, none] = fetched.groups ?? [];
    expect(asked.topics.map((t) => [t.topicId, t.partitions.map((p) => [p.partitionIndex, p.committedOffset, p.errorCode])])).toEqual([
      [
        topicId,
        [
          [0, -1n, ErrorCode.NONE],
          [1, 17n, ErrorCode.NONE],
        ],
      ],
      [UNKNOWN_ID, [[0, -1n, ErrorCode.UNKNOWN_TOPIC_ID]]],
    ]);
    expect(all.topics).toMatchObject([
      { topicId, partitions: [{ partitionIndex: 1, committedOffset: 17n, committedLeaderEpoch: 0, metadata: 'ten', errorCode: ErrorCode.NONE }] },
    ]);
    expect(none).toMatchObject({ groupId: 'never-heard-of', errorCode: ErrorCode.NONE, topics: [] });

    const v8 = await raw.request(OffsetFetch, 8, { groups: [{ groupId: 'by-id', topics: null }], requireStable: false });
    expect(v8.groups?.[0].topics.map((t) => t.name)).toEqual(['v']);
    const v1 = await raw.request(OffsetFetch, 1, { groupId: 'by-id', topics: [{ name: 'v', partitionIndexes: [1] }] });
    expect(v1.topics?.[0].partitions[0]).toMatchObject({ committedOffset: 17n, metadata: 'ten', errorCode: ErrorCode.NONE });
  });

  it('runs a whole generation at v0 (no rebalance timeout, no member id handed out first)', async () => {
    const join = await raw.request(JoinGroup, 0, {
      groupId: 'old',
      sessionTimeoutMs: 5_000,
      memberId: '',
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: subscription(['v']) }],
    });
    expect(join).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 1, protocolName: 'range' });
    expect(join.leader).toBe(join.memberId);
    const sync = await raw.request(SyncGroup, 0, {
      groupId: 'old',
      generationId: 1,
      memberId: join.memberId,
      assignments: [{ memberId: join.memberId, assignment: Buffer.from('mine') }],
    });
    expect(sync).toMatchObject({ errorCode: ErrorCode.NONE });
    expect(sync.assignment.toString()).toBe('mine');
    expect((await raw.request(Heartbeat, 0, { groupId: 'old', generationId: 1, memberId: join.memberId })).errorCode).toBe(ErrorCode.NONE);
    const described = await raw.request(DescribeGroups, 0, { groups: ['old'] });
    expect(described.groups[0]).toMatchObject({ groupState: 'Stable', protocolType: 'consumer', protocolData: 'range' });
    expect(described.groups[0].members[0].clientHost).toBe('/127.0.0.1');
    expect((await raw.request(LeaveGroup, 0, { groupId: 'old', memberId: join.memberId })).errorCode).toBe(ErrorCode.NONE);
    const listed = await raw.request(ListGroups, 5, { statesFilter: ['empty'], typesFilter: ['classic'] });
    expect(listed.groups.find((g) => g.groupId === 'old')).toEqual({ groupId: 'old', protocolType: 'consumer', groupState: 'Empty', groupType: 'classic' });
  });

  it('answers JoinGroup v9 with the protocol type, and a rejoining static leader with SkipAssignment', async () => {
    const body = {
      groupId: 'newest',
      sessionTimeoutMs: 5_000,
      rebalanceTimeoutMs: 5_000,
      memberId: '',
      groupInstanceId: 'pod-0',
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: subscription(['v']) }],
      reason: 'test',
    };
    const first = await raw.request(JoinGroup, 9, body);
    expect(first).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 1, protocolType: 'consumer', protocolName: 'range', skipAssignment: false });
    expect(first.members).toEqual([{ memberId: first.memberId, groupInstanceId: 'pod-0', metadata: subscription(['v']) }]);
    await raw.request(SyncGroup, 5, {
      groupId: 'newest',
      generationId: 1,
      memberId: first.memberId,
      groupInstanceId: 'pod-0',
      protocolType: 'consumer',
      protocolName: 'range',
      assignments: [],
    });
    const again = await raw.request(JoinGroup, 9, body);
    expect(again).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 1, leader: again.memberId, skipAssignment: true });
    expect(again.memberId).not.toBe(first.memberId);
    expect((await raw.request(Heartbeat, 4, { groupId: 'newest', generationId: 1, memberId: first.memberId, groupInstanceId: 'pod-0' })).errorCode).toBe(
      ErrorCode.FENCED_INSTANCE_ID,
    );
    const leave = await raw.request(LeaveGroup, 5, { groupId: 'newest', members: [{ memberId: '', groupInstanceId: 'pod-0', reason: 'scale down' }] });
    expect(leave.members).toEqual([{ memberId: '', groupInstanceId: 'pod-0', errorCode: ErrorCode.NONE }]);
  });
});
