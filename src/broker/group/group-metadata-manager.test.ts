import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeControlBatch } from '../../protocol/control-record.js';
import { ErrorCode } from '../../protocol/errors.js';
import { encodeRecordBatch } from '../../protocol/record-batch.js';
import { ManualClock } from '../clock.js';
import { javaStringHashCode, kafkaAbs, partitionFor as partitionForGroup } from '../coordinator/partition-hash.js';
import { GROUP_METADATA_TOPIC_NAME } from '../metadata/internal-topics.js';
import type { JoinGroupParams } from './group-coordinator.js';
import type { JoinGroupResult } from './group-metadata.js';
import { GroupState } from './group-state.js';
import { encodeOffsetCommitKey, encodeOffsetCommitValue } from './offsets-records.js';
import { joinParams, openTestCoordinator, type TestCoordinator } from './testing.js';

/** Java's String.hashCode written out the slow way: s[0]·31^(n-1) + … + s[n-1], modulo 2^32, signed. */
function referenceHashCode(s: string): number {
  let h = 0n;
  for (let i = 0; i < s.length; i++) h = (h * 31n + BigInt(s.charCodeAt(i))) % 2n ** 32n;
  return Number(BigInt.asIntN(32, h));
}

describe('partition for a group', () => {
  it('is Java String.hashCode, as Kafka computes it', () => {
    expect(javaStringHashCode('')).toBe(0);
    expect(javaStringHashCode('a')).toBe(97);
    expect(javaStringHashCode('hello')).toBe(99162322);
    // a well-known string whose hash is Integer.MIN_VALUE
    expect(javaStringHashCode('polygenelubricants')).toBe(-2147483648);
    for (const id of ['my-group', 'console-consumer-12345', 'skein-streams-app', 'Ünïcødé 群組', 'emoji 🎉 group', 'x'.repeat(1000)]) {
      expect(javaStringHashCode(id), id).toBe(referenceHashCode(id));
    }
  });

  it('maps Integer.MIN_VALUE to 0 (Utils.abs) and takes the rest modulo the partition count', () => {
    expect(kafkaAbs(-2147483648)).toBe(0);
    expect(kafkaAbs(-5)).toBe(5);
    expect(partitionForGroup('polygenelubricants', 50)).toBe(0);
    for (const id of ['my-group', 'console-consumer-12345', 'test-group', 'emoji 🎉 group']) {
      const h = referenceHashCode(id);
      const expected = (h === -2147483648 ? 0 : Math.abs(h)) % 50;
      expect(partitionForGroup(id, 50), id).toBe(expected);
    }
    // with Kafka's default of 50 partitions (hash codes worked out separately with Java's algorithm)
    expect(javaStringHashCode('my-group')).toBe(-1906497762);
    expect(partitionForGroup('my-group', 50)).toBe(12);
    expect(partitionForGroup('console-consumer-12345', 50)).toBe(6);
    expect(partitionForGroup('test-group', 50)).toBe(12);
    expect(javaStringHashCode('emoji 🎉 group')).toBe(-777889274); // the emoji is two UTF-16 code units
    expect(partitionForGroup('emoji 🎉 group', 50)).toBe(24);
  });
});

describe('GroupMetadataManager', () => {
  let t: TestCoordinator | undefined;
  const dirs: string[] = [];
  afterEach(async () => {
    await t?.close();
    t = undefined;
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  /** A coordinator over `dir` (a fresh one by default), on `clock` (the system clock by default). */
  async function open(dir?: string, clock?: ManualClock): Promise<TestCoordinator> {
    await t?.close();
    t = await openTestCoordinator({ dir, overrides: { 'offsets.topic.num.partitions': '3' }, clock });
    if (!dir) dirs.push(t.dir);
    return t;
  }

  /** A JoinGroup on a manual clock: the join completes when the (zero) initial rebalance delay has run. */
  function joinNow(c: TestCoordinator, clock: ManualClock, p: Partial<JoinGroupParams>): Promise<JoinGroupResult> {
    const joined = c.coordinator.handleJoinGroup(joinParams(p));
    clock.advance(0);
    return joined;
  }

  function createTopic(c: TestCoordinator, name: string, partitions: number): void {
    c.topicManager.createTopic({ name, numPartitions: partitions, replicationFactor: -1, assignments: [], configs: {} });
  }

  const commit = (c: TestCoordinator, groupId: string, offsets: Array<[string, number, bigint]>, metadata: string | null = null) =>
    c.coordinator.handleCommitOffsets({
      groupId,
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      retentionTimeMs: -1n,
      offsets: offsets.map(([topic, partition, offset]) => ({ topic, partition, offset, leaderEpoch: -1, metadata, commitTimestamp: -1n })),
    });

  it('creates __consumer_offsets on first need, compacted, with offsets.topic.segment.bytes', async () => {
    const c = await open();
    expect(c.topics.get(GROUP_METADATA_TOPIC_NAME)).toBeUndefined();
    c.coordinator.ensureOffsetsTopic();
    const topic = c.topics.get(GROUP_METADATA_TOPIC_NAME);
    expect(topic).toMatchObject({ partitions: 3, internal: true });
    expect(topic?.configs).toMatchObject({ 'cleanup.policy': 'compact', 'segment.bytes': String(c.config.offsetsTopicSegmentBytes) });
  });

  it('replays committed offsets and group metadata on restart; tombstones remove', async () => {
    let c = await open();
    createTopic(c, 't', 4);
    expect(
      commit(
        c,
        'simple',
        [
          ['t', 0, 10n],
          ['t', 1, 20n],
        ],
        'meta',
      ).every((r) => r.errorCode === ErrorCode.NONE),
    ).toBe(true);
    commit(c, 'simple', [['t', 0, 11n]]); // the later commit wins
    commit(c, 'doomed', [['t', 2, 5n]]);
    expect(c.coordinator.handleDeleteGroups(['doomed'])).toEqual([{ groupId: 'doomed', errorCode: ErrorCode.NONE }]);

    // a consumer group that became Empty again after one generation
    const joined = await c.coordinator.handleJoinGroup(joinParams({ groupId: 'consumers' }));
    expect(joined.errorCode).toBe(ErrorCode.NONE);
    await c.coordinator.handleSyncGroup({
      groupId: 'consumers',
      generationId: joined.generationId,
      memberId: joined.memberId,
      groupInstanceId: null,
      protocolType: null,
      protocolName: null,
      assignments: [{ memberId: joined.memberId, assignment: Buffer.from('A') }],
    });
    c.coordinator.handleCommitOffsets({
      groupId: 'consumers',
      generationId: joined.generationId,
      memberId: joined.memberId,
      groupInstanceId: null,
      retentionTimeMs: -1n,
      offsets: [{ topic: 't', partition: 3, offset: 99n, leaderEpoch: 2, metadata: 'x', commitTimestamp: -1n }],
    });
    c.coordinator.handleLeaveGroup('consumers', [{ memberId: joined.memberId, groupInstanceId: null }]);
    expect(c.manager.getGroup('consumers')?.state).toBe(GroupState.Empty);

    c = await open(c.dir);
    const simple = c.coordinator.handleFetchOffsets('simple', null, false);
    expect(simple.offsets.map((o) => [o.topic, o.partition, o.offset, o.metadata])).toEqual([
      ['t', 0, 11n, ''],
      ['t', 1, 20n, 'meta'],
    ]);
    expect(c.manager.getGroup('doomed')).toBeUndefined();
    expect(c.coordinator.handleFetchOffsets('doomed', [{ topic: 't', partition: 2 }], false).offsets[0].offset).toBe(-1n);
    const consumers = c.manager.getGroup('consumers');
    expect(consumers).toMatchObject({ state: GroupState.Empty, generationId: 2, protocolType: 'consumer', protocolName: null });
    expect(consumers?.offset('t', 3)).toMatchObject({ offset: 99n, leaderEpoch: 2, metadata: 'x' });
  });

  it('brings a Stable group back with its members, who must heartbeat within their session', async () => {
    const clock = new ManualClock();
    let c = await open(undefined, clock);
    const joined = await joinNow(c, clock, { groupId: 'live', groupInstanceId: 'i-1', sessionTimeoutMs: 200 });
    await c.coordinator.handleSyncGroup({
      groupId: 'live',
      generationId: joined.generationId,
      memberId: joined.memberId,
      groupInstanceId: 'i-1',
      protocolType: null,
      protocolName: null,
      assignments: [{ memberId: joined.memberId, assignment: Buffer.from('A') }],
    });
    c = await open(c.dir, clock);
    const g = c.manager.getGroup('live');
    expect(g).toMatchObject({ state: GroupState.Stable, generationId: 1, leaderId: joined.memberId, protocolName: 'range' });
    expect(g?.get(joined.memberId).assignment.toString()).toBe('A');
    expect(g?.currentStaticMemberId('i-1')).toBe(joined.memberId);
    expect(c.coordinator.handleHeartbeat({ groupId: 'live', generationId: 1, memberId: joined.memberId, groupInstanceId: 'i-1' })).toBe(ErrorCode.NONE);
    // without further heartbeats the member's session ends and the group empties
    clock.advance(199);
    expect(c.manager.getGroup('live')?.state).toBe(GroupState.Stable);
    clock.advance(1);
    expect(c.manager.getGroup('live')?.state).toBe(GroupState.Empty);
  });

  it('makes transactional offsets visible on a COMMIT marker and drops them on ABORT when loading', async () => {
    let c = await open();
    createTopic(c, 't', 2);
    c.coordinator.ensureOffsetsTopic();
    const partition = c.manager.partitionFor('txn-group');
    const txnBatch = (producerId: bigint, p: number, offset: bigint) =>
      encodeRecordBatch({
        timestamp: 1_700_000_000_000n,
        transactional: true,
        producerId,
        producerEpoch: 0,
        baseSequence: 0,
        records: [
          {
            key: encodeOffsetCommitKey('txn-group', 't', p),
            value: encodeOffsetCommitValue({ offset, leaderEpoch: -1, metadata: '', commitTimestamp: 1n, expireTimestamp: -1n }),
          },
        ],
      });
    const marker = (producerId: bigint, commit: boolean) =>
      encodeControlBatch({ producerId, producerEpoch: 0, commit, coordinatorEpoch: 0, timestamp: 1n, baseOffset: 0n });
    c.replicaManager.appendInternal(GROUP_METADATA_TOPIC_NAME, partition, txnBatch(7n, 0, 100n));
    c.replicaManager.appendInternal(GROUP_METADATA_TOPIC_NAME, partition, txnBatch(8n, 1, 200n));
    c.replicaManager.appendInternal(GROUP_METADATA_TOPIC_NAME, partition, marker(7n, true));
    c.replicaManager.appendInternal(GROUP_METADATA_TOPIC_NAME, partition, marker(8n, false));
    c.replicaManager.appendInternal(GROUP_METADATA_TOPIC_NAME, partition, txnBatch(9n, 1, 300n)); // still open

    c = await open(c.dir);
    const asked = [
      { topic: 't', partition: 0 },
      { topic: 't', partition: 1 },
    ];
    expect(c.coordinator.handleFetchOffsets('txn-group', asked, false).offsets.map((o) => o.offset)).toEqual([100n, -1n]);
    // the open transaction's offset is pending: RequireStable readers are told to wait
    expect(c.coordinator.handleFetchOffsets('txn-group', asked, true).offsets.map((o) => o.errorCode)).toEqual([
      ErrorCode.NONE,
      ErrorCode.UNSTABLE_OFFSET_COMMIT,
    ]);
    c.manager.handleTxnCompletion(9n, true);
    expect(c.coordinator.handleFetchOffsets('txn-group', asked, true).offsets.map((o) => o.offset)).toEqual([100n, 300n]);
  });

  it('expires offsets of a group Empty for longer than offsets.retention.minutes, then removes the group', async () => {
    const clock = new ManualClock();
    const c = await open(undefined, clock);
    createTopic(c, 't', 1);
    commit(c, 'old', [['t', 0, 1n]]);
    const joined = await joinNow(c, clock, { groupId: 'consumers' });
    await c.coordinator.handleSyncGroup({
      groupId: 'consumers',
      generationId: joined.generationId,
      memberId: joined.memberId,
      groupInstanceId: null,
      protocolType: null,
      protocolName: null,
      assignments: [],
    });
    const committed = c.coordinator.handleCommitOffsets({
      groupId: 'consumers',
      generationId: joined.generationId,
      memberId: joined.memberId,
      groupInstanceId: null,
      retentionTimeMs: -1n,
      offsets: [{ topic: 't', partition: 0, offset: 5n, leaderEpoch: -1, metadata: '', commitTimestamp: -1n }],
    });
    expect(committed[0].errorCode).toBe(ErrorCode.NONE);
    c.coordinator.handleLeaveGroup('consumers', [{ memberId: joined.memberId, groupInstanceId: null }]);

    // The expiry job runs every offsets.retention.check.interval.ms of the clock.
    const retention = c.config.offsetsRetentionMs;
    const checkInterval = c.config.offsetsRetentionCheckIntervalMs;
    clock.advance(retention - 1);
    expect(c.manager.getGroup('old')?.offset('t', 0)?.offset).toBe(1n);
    expect(c.manager.getGroup('consumers')?.offset('t', 0)?.offset).toBe(5n);
    clock.advance(checkInterval);
    expect(c.manager.getGroup('old')).toBeUndefined();
    expect(c.manager.getGroup('consumers')).toBeUndefined();
    // and they stay gone after a restart: tombstones were written
    const reopened = await open(c.dir);
    expect(reopened.manager.currentGroups()).toEqual([]);
  });

  it('expires an offset at the expire timestamp an OffsetCommit v2-4 retention time set', async () => {
    const clock = new ManualClock();
    const c = await open(undefined, clock);
    createTopic(c, 't', 1);
    c.coordinator.handleCommitOffsets({
      groupId: 'g',
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      retentionTimeMs: 1_000n,
      offsets: [{ topic: 't', partition: 0, offset: 5n, leaderEpoch: -1, metadata: '', commitTimestamp: -1n }],
    });
    expect(c.manager.getGroup('g')?.offset('t', 0)?.expireTimestamp).toBe(clock.now() + 1_000);
    expect(c.coordinator.cleanupExpiredOffsets(clock.now() + 999)).toBe(0);
    // the next run of the expiry job, offsets.retention.check.interval.ms on, removes it
    clock.advance(c.config.offsetsRetentionCheckIntervalMs);
    expect(c.manager.getGroup('g')?.offset('t', 0)).toBeUndefined();
  });
});
