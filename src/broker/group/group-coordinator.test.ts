import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/errors.js';
import { ManualClock } from '../clock.js';
import type { GroupCoordinator, JoinGroupParams, SyncGroupParams } from './group-coordinator.js';
import type { JoinGroupResult, SyncGroupResult } from './group-metadata.js';
import { GroupState } from './group-state.js';
import { joinParams, openTestCoordinator, subscription, type TestCoordinator } from './testing.js';

/** A promise whose outcome can be looked at without awaiting it. */
interface Tracked<T> {
  readonly settled: boolean;
  readonly value: T;
}

function track<T>(p: Promise<T>): Tracked<T> {
  const t = { settled: false, value: undefined as T };
  void p.then((v) => {
    t.settled = true;
    t.value = v;
  });
  return t;
}

/** Lets the promises settled by what just ran settle in turn (a turn of the event loop). */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('GroupCoordinator', () => {
  let t: TestCoordinator;
  let c: GroupCoordinator;
  /** The coordinator's time: its sessions, rebalance timeouts and delays run only when a test moves it. */
  let clock: ManualClock;

  async function setup(overrides: Record<string, string> = {}): Promise<void> {
    clock = new ManualClock();
    t = await openTestCoordinator({ overrides, clock });
    c = t.coordinator;
    t.topicManager.createTopic({ name: 't', numPartitions: 4, replicationFactor: -1, assignments: [], configs: {} });
  }

  beforeEach(async () => setup());

  /** Starts over with other broker settings. */
  async function restartWith(overrides: Record<string, string>): Promise<void> {
    await t.close();
    fs.rmSync(t.dir, { recursive: true, force: true });
    await setup(overrides);
  }

  afterEach(async () => {
    await t.close();
    fs.rmSync(t.dir, { recursive: true, force: true });
  });

  /** Moves the clock `ms` on, running the timers due by then, and lets the promises they resolve settle. */
  async function tick(ms = 1): Promise<void> {
    clock.advance(ms);
    await settle();
  }

  async function join(p: Partial<JoinGroupParams> = {}): Promise<JoinGroupResult> {
    const r = track(c.handleJoinGroup(joinParams(p)));
    await tick();
    expect(r.settled, 'join answered').toBe(true);
    return r.value;
  }

  const sync = (p: Partial<SyncGroupParams> & { memberId: string; generationId: number }): Promise<SyncGroupResult> =>
    c.handleSyncGroup({ groupId: 'g', groupInstanceId: null, protocolType: null, protocolName: null, assignments: [], ...p });

  const heartbeat = (memberId: string, generationId: number, groupInstanceId: string | null = null) =>
    c.handleHeartbeat({ groupId: 'g', memberId, generationId, groupInstanceId });

  const commit = (memberId: string, generationId: number, offset = 1n, extra: { metadata?: string; groupInstanceId?: string | null } = {}) =>
    c.handleCommitOffsets({
      groupId: 'g',
      generationId,
      memberId,
      groupInstanceId: extra.groupInstanceId ?? null,
      retentionTimeMs: -1n,
      offsets: [{ topic: 't', partition: 0, offset, leaderEpoch: -1, metadata: extra.metadata ?? null, commitTimestamp: -1n }],
    })[0].errorCode;

  const group = () => t.manager.getGroup('g');

  /** One member joined, synced and Stable; returns its id and generation. */
  async function stableLeader(p: Partial<JoinGroupParams> = {}): Promise<{ memberId: string; generationId: number }> {
    const j = await join(p);
    expect(j.errorCode).toBe(ErrorCode.NONE);
    const s = await sync({
      memberId: j.memberId,
      generationId: j.generationId,
      groupInstanceId: p.groupInstanceId ?? null,
      assignments: [{ memberId: j.memberId, assignment: Buffer.from('all') }],
    });
    expect(s.errorCode).toBe(ErrorCode.NONE);
    expect(group()?.state).toBe(GroupState.Stable);
    return { memberId: j.memberId, generationId: j.generationId };
  }

  it('hands out a member id first from JoinGroup v4 (KIP-394), then forms generation 1 with the member as leader', async () => {
    const first = await join({ requireKnownMemberId: true, clientId: 'app' });
    expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    expect(first.memberId).toMatch(/^app-[0-9a-f-]{36}$/);
    const second = await join({ requireKnownMemberId: true, memberId: first.memberId });
    expect(second).toMatchObject({
      errorCode: ErrorCode.NONE,
      generationId: 1,
      memberId: first.memberId,
      leaderId: first.memberId,
      protocolType: 'consumer',
      protocolName: 'range',
    });
    expect(second.members).toEqual([{ memberId: first.memberId, groupInstanceId: null, metadata: subscription(['t']) }]);
    expect(group()?.state).toBe(GroupState.CompletingRebalance);
    const s = await sync({ memberId: first.memberId, generationId: 1, assignments: [{ memberId: first.memberId, assignment: Buffer.from('a') }] });
    expect(s).toMatchObject({ errorCode: ErrorCode.NONE, protocolType: 'consumer', protocolName: 'range' });
    expect(s.assignment.toString()).toBe('a');
    expect(group()?.state).toBe(GroupState.Stable);
    expect(heartbeat(first.memberId, 1)).toBe(ErrorCode.NONE);
  });

  it('forgets a KIP-394 member id that does not come back within the session timeout', async () => {
    const first = await join({ requireKnownMemberId: true });
    expect(group()?.isPendingMember(first.memberId)).toBe(true);
    await tick(600);
    expect(group()?.isPendingMember(first.memberId)).toBe(false);
  });

  it('rebalances when a member joins: the others learn it from their heartbeat and rejoin', async () => {
    const a = await stableLeader();
    const bJoin = track(c.handleJoinGroup(joinParams({ clientId: 'b' })));
    await tick();
    expect(bJoin.settled).toBe(false);
    expect(group()?.state).toBe(GroupState.PreparingRebalance);
    expect(heartbeat(a.memberId, 1)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    // a commit while PreparingRebalance is still accepted (Kafka does, so work done is not lost)
    expect(commit(a.memberId, 1, 5n)).toBe(ErrorCode.NONE);

    const aJoin = track(c.handleJoinGroup(joinParams({ memberId: a.memberId })));
    await tick();
    expect(aJoin.settled && bJoin.settled).toBe(true);
    expect(aJoin.value).toMatchObject({ generationId: 2, leaderId: a.memberId });
    expect(aJoin.value.members.map((m) => m.memberId).sort()).toEqual([a.memberId, bJoin.value.memberId].sort());
    expect(bJoin.value).toMatchObject({ generationId: 2, leaderId: a.memberId, members: [] });

    // a commit between the join and the assignment is REBALANCE_IN_PROGRESS
    expect(commit(a.memberId, 2)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    // ... and one from the old generation is ILLEGAL_GENERATION
    expect(commit(a.memberId, 1)).toBe(ErrorCode.ILLEGAL_GENERATION);
    // heartbeats are fine while the leader computes the assignment
    expect(heartbeat(bJoin.value.memberId, 2)).toBe(ErrorCode.NONE);

    const bSync = track(sync({ memberId: bJoin.value.memberId, generationId: 2 }));
    await tick();
    expect(bSync.settled).toBe(false); // followers wait for the leader
    const aSync = await sync({
      memberId: a.memberId,
      generationId: 2,
      assignments: [
        { memberId: a.memberId, assignment: Buffer.from('A') },
        { memberId: bJoin.value.memberId, assignment: Buffer.from('B') },
      ],
    });
    await tick();
    expect(aSync.assignment.toString()).toBe('A');
    expect(bSync.value.assignment.toString()).toBe('B');
    expect(group()?.state).toBe(GroupState.Stable);
  });

  it('removes a member whose session runs out, and the rest rebalance without it', async () => {
    const a = await stableLeader();
    const bJoin = track(c.handleJoinGroup(joinParams({ clientId: 'b', sessionTimeoutMs: 300 })));
    await tick();
    await c.handleJoinGroup(joinParams({ memberId: a.memberId })).then(() => undefined);
    await tick();
    const b = bJoin.value;
    const bSync = track(sync({ memberId: b.memberId, generationId: 2 }));
    await sync({ memberId: a.memberId, generationId: 2, assignments: [{ memberId: b.memberId, assignment: Buffer.from('B') }] });
    await tick();
    expect(bSync.value.errorCode).toBe(ErrorCode.NONE);

    // a keeps heartbeating (session 500 ms), b goes silent (session 300 ms)
    const answers: number[] = [];
    for (let i = 0; i < 4; i++) {
      await tick(100);
      answers.push(heartbeat(a.memberId, 2));
    }
    // a learns of the rebalance once b's session has run out (at 300 ms)
    expect(answers).toEqual([ErrorCode.NONE, ErrorCode.NONE, ErrorCode.REBALANCE_IN_PROGRESS, ErrorCode.REBALANCE_IN_PROGRESS]);
    expect(group()?.has(b.memberId)).toBe(false);
    expect(group()?.state).toBe(GroupState.PreparingRebalance);
    expect(heartbeat(b.memberId, 2)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(commit(b.memberId, 2)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    const again = await join({ memberId: a.memberId });
    expect(again).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 3 });
    expect(again.members.map((m) => m.memberId)).toEqual([a.memberId]);
  });

  it('drops members that do not rejoin within the rebalance timeout', async () => {
    const a = await stableLeader();
    const bJoin = track(c.handleJoinGroup(joinParams({ clientId: 'b', rebalanceTimeoutMs: 2_000, sessionTimeoutMs: 5_000 })));
    // a stays alive (heartbeats) but never rejoins
    for (let i = 0; i < 19; i++) {
      await tick(100);
      expect(heartbeat(a.memberId, 1)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    }
    expect(bJoin.settled).toBe(false); // still waiting for a (rebalance timeout: the largest, 2000 ms)
    await tick(200);
    expect(bJoin.value).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 2, leaderId: bJoin.value.memberId });
    expect(group()?.has(a.memberId)).toBe(false);
  });

  it('removes members that do not send SyncGroup within the rebalance timeout', async () => {
    const a = await stableLeader({ sessionTimeoutMs: 5_000 });
    const bJoin = track(c.handleJoinGroup(joinParams({ clientId: 'b', sessionTimeoutMs: 5_000 })));
    await tick();
    const aJoin = track(c.handleJoinGroup(joinParams({ memberId: a.memberId, sessionTimeoutMs: 5_000 })));
    await tick();
    expect(aJoin.value.generationId).toBe(2);
    // only the leader syncs
    const aSync = track(sync({ memberId: a.memberId, generationId: 2, assignments: [] }));
    await tick();
    expect(aSync.value.errorCode).toBe(ErrorCode.NONE);
    await tick(1_100);
    expect(group()?.has(bJoin.value.memberId)).toBe(false);
    expect(group()?.state).toBe(GroupState.PreparingRebalance);
  });

  it('lets a LeaveGroup trigger the rebalance at once, and empties the group with the last member', async () => {
    const a = await stableLeader();
    expect(c.handleLeaveGroup('g', [{ memberId: 'nobody', groupInstanceId: null }]).members[0].errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(c.handleLeaveGroup('g', [{ memberId: a.memberId, groupInstanceId: null }])).toEqual({
      errorCode: ErrorCode.NONE,
      members: [{ memberId: a.memberId, groupInstanceId: null, errorCode: ErrorCode.NONE }],
    });
    await tick();
    expect(group()).toMatchObject({ state: GroupState.Empty, generationId: 2 });
    // nobody is a member now: a commit from outside group management is fine
    expect(commit('', -1)).toBe(ErrorCode.NONE);
  });

  it("keeps to Kafka's rule for JoinGroup in Stable: the leader rebalances, an unchanged follower does not", async () => {
    const a = await stableLeader();
    const bJoin = track(c.handleJoinGroup(joinParams({ clientId: 'b' })));
    await tick();
    void c.handleJoinGroup(joinParams({ memberId: a.memberId }));
    await tick();
    const b = bJoin.value.memberId;
    void sync({ memberId: b, generationId: 2 });
    await sync({ memberId: a.memberId, generationId: 2 });
    expect(group()?.state).toBe(GroupState.Stable);

    const followerAgain = await join({ memberId: b });
    expect(followerAgain).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 2, members: [] });
    expect(group()?.state).toBe(GroupState.Stable);

    void c.handleJoinGroup(joinParams({ memberId: a.memberId }));
    await tick();
    expect(group()?.state).toBe(GroupState.PreparingRebalance);
  });

  it("refuses bad joins with Kafka's errors and carries on", async () => {
    const a = await stableLeader();
    expect((await join({ groupId: '' })).errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
    expect((await join({ sessionTimeoutMs: 5 })).errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT);
    expect((await join({ sessionTimeoutMs: 1_800_001 })).errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT);
    expect((await join({ protocolType: 'connect' })).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    expect((await join({ protocols: [{ name: 'roundrobin', metadata: Buffer.alloc(0) }] })).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    expect((await join({ memberId: 'made-up' })).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect((await join({ groupId: 'other', memberId: 'made-up' })).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(group()?.state).toBe(GroupState.Stable);
    expect(heartbeat(a.memberId, a.generationId)).toBe(ErrorCode.NONE);
    expect(heartbeat(a.memberId, 99)).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect((await sync({ memberId: a.memberId, generationId: 99 })).errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect((await sync({ memberId: a.memberId, generationId: 1, protocolType: 'connect' })).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    expect(commit(a.memberId, 1, 1n, { metadata: 'x'.repeat(t.config.offsetMetadataMaxBytes + 1) })).toBe(ErrorCode.OFFSET_METADATA_TOO_LARGE);
    expect(commit(a.memberId, 1, 1n, { metadata: 'x'.repeat(t.config.offsetMetadataMaxBytes) })).toBe(ErrorCode.NONE);
    expect(commit('', -1)).toBe(ErrorCode.UNKNOWN_MEMBER_ID); // the group has members
    expect(
      c.handleCommitOffsets({
        groupId: 'g',
        generationId: 1,
        memberId: a.memberId,
        groupInstanceId: null,
        retentionTimeMs: -1n,
        offsets: [{ topic: 'nope', partition: 0, offset: 1n, leaderEpoch: -1, metadata: null, commitTimestamp: -1n }],
      })[0].errorCode,
    ).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(
      c.handleCommitOffsets({
        groupId: 'fresh',
        generationId: 3,
        memberId: 'm',
        groupInstanceId: null,
        retentionTimeMs: -1n,
        offsets: [{ topic: 't', partition: 0, offset: 1n, leaderEpoch: -1, metadata: null, commitTimestamp: -1n }],
      })[0].errorCode,
    ).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(group()?.state).toBe(GroupState.Stable);
  });

  it('enforces group.max.size', async () => {
    await restartWith({ 'group.max.size': '1' });
    await stableLeader();
    expect((await join({ clientId: 'second' })).errorCode).toBe(ErrorCode.GROUP_MAX_SIZE_REACHED);
    expect(group()?.state).toBe(GroupState.Stable);
  });

  it('waits group.initial.rebalance.delay.ms for more members, extending it while they arrive (KIP-134)', async () => {
    await restartWith({ 'group.initial.rebalance.delay.ms': '100' });
    const a = track(c.handleJoinGroup(joinParams({ clientId: 'a', rebalanceTimeoutMs: 1_000 })));
    await tick(60);
    const b = track(c.handleJoinGroup(joinParams({ clientId: 'b', rebalanceTimeoutMs: 1_000 })));
    await tick(60);
    expect(a.settled).toBe(false); // a second member arrived during the first delay: it is extended
    await tick(100);
    expect(a.settled && b.settled).toBe(true);
    expect(a.value.generationId).toBe(1);
    expect(a.value.members).toHaveLength(2);
  });

  it('chooses the protocol with the most votes among those every member supports', async () => {
    const p = (name: string) => ({ name, metadata: subscription(['t']) });
    const a = track(c.handleJoinGroup(joinParams({ clientId: 'a', protocols: [p('range'), p('roundrobin')] })));
    const b = track(c.handleJoinGroup(joinParams({ clientId: 'b', protocols: [p('roundrobin'), p('range'), p('sticky')] })));
    const d = track(c.handleJoinGroup(joinParams({ clientId: 'd', protocols: [p('sticky'), p('roundrobin')] })));
    await tick();
    expect([a, b, d].every((x) => x.settled)).toBe(true);
    expect(a.value.protocolName).toBe('roundrobin'); // range is not d's; roundrobin wins 2 votes to 1
  });

  describe('static membership (KIP-345)', () => {
    it('replaces a restarted static member without a rebalance and fences its old member id', async () => {
      const a = await stableLeader({ groupInstanceId: 'ia', clientId: 'a' });
      const bJoin = track(c.handleJoinGroup(joinParams({ groupInstanceId: 'ib', clientId: 'b' })));
      await tick();
      void c.handleJoinGroup(joinParams({ memberId: a.memberId, groupInstanceId: 'ia' }));
      await tick();
      const b = bJoin.value;
      void sync({ memberId: b.memberId, generationId: 2, groupInstanceId: 'ib' });
      await sync({
        memberId: a.memberId,
        generationId: 2,
        groupInstanceId: 'ia',
        assignments: [
          { memberId: a.memberId, assignment: Buffer.from('A') },
          { memberId: b.memberId, assignment: Buffer.from('B') },
        ],
      });
      expect(group()?.state).toBe(GroupState.Stable);

      // b restarts: same instance id, no member id (static members never get MEMBER_ID_REQUIRED)
      const restarted = await join({ groupInstanceId: 'ib', clientId: 'b', requireKnownMemberId: false });
      expect(restarted).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 2, leaderId: a.memberId, members: [] });
      expect(restarted.memberId).not.toBe(b.memberId);
      expect(group()?.state).toBe(GroupState.Stable); // no rebalance for anyone
      expect(heartbeat(a.memberId, 2, 'ia')).toBe(ErrorCode.NONE);
      const s = await sync({ memberId: restarted.memberId, generationId: 2, groupInstanceId: 'ib' });
      expect(s.assignment.toString()).toBe('B'); // the same assignment as before
      // the old incarnation is fenced
      expect(heartbeat(b.memberId, 2, 'ib')).toBe(ErrorCode.FENCED_INSTANCE_ID);
      expect(commit(b.memberId, 2, 1n, { groupInstanceId: 'ib' })).toBe(ErrorCode.FENCED_INSTANCE_ID);
      expect((await join({ memberId: b.memberId, groupInstanceId: 'ib' })).errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID);

      // the replacement was persisted: it survives a coordinator restart
      await t.close();
      const reopened = await openTestCoordinator({ dir: t.dir, clock });
      expect(reopened.manager.getGroup('g')?.currentStaticMemberId('ib')).toBe(restarted.memberId);
      await reopened.close();
      t = await openTestCoordinator({ dir: t.dir, clock });
    });

    it('tells a rejoining static leader to skip the assignment from JoinGroup v9, and gives older versions the old leader id', async () => {
      const a = await stableLeader({ groupInstanceId: 'ia' });
      const old = await join({ groupInstanceId: 'ia' });
      expect(old).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 1, leaderId: a.memberId, skipAssignment: false, members: [] });
      const v9 = await join({ groupInstanceId: 'ia', supportSkippingAssignment: true });
      expect(v9).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 1, leaderId: v9.memberId, skipAssignment: true });
      expect(v9.members.map((m) => m.groupInstanceId)).toEqual(['ia']);
      expect(group()?.state).toBe(GroupState.Stable);
    });

    it('lets an admin remove a static member by instance id; its session is what removes it otherwise', async () => {
      await stableLeader({ groupInstanceId: 'ia' });
      expect(c.handleLeaveGroup('g', [{ memberId: '', groupInstanceId: 'nope' }]).members[0].errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
      expect(c.handleLeaveGroup('g', [{ memberId: 'other', groupInstanceId: 'ia' }]).members[0].errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID);
      expect(c.handleLeaveGroup('g', [{ memberId: '', groupInstanceId: 'ia' }]).members[0].errorCode).toBe(ErrorCode.NONE);
      await tick();
      expect(group()?.state).toBe(GroupState.Empty);
    });
  });

  describe('admin APIs', () => {
    it('describes a Stable group with metadata and assignments, other states without', async () => {
      const a = await stableLeader();
      const d = c.handleDescribeGroup('g');
      expect(d.summary).toMatchObject({ state: 'Stable', protocolType: 'consumer', protocol: 'range' });
      expect(d.summary?.members[0]).toMatchObject({ memberId: a.memberId, clientId: 'client', clientHost: '/127.0.0.1' });
      expect(d.summary?.members[0].assignment.toString()).toBe('all');
      void c.handleJoinGroup(joinParams({ clientId: 'b' }));
      await tick();
      const rebalancing = c.handleDescribeGroup('g').summary;
      expect(rebalancing).toMatchObject({ state: 'PreparingRebalance', protocol: '' });
      expect(rebalancing?.members[0].assignment.length).toBe(0);
      expect(c.handleDescribeGroup('unknown').summary).toBeNull();
    });

    it('lists groups, filtered by state and type', async () => {
      await stableLeader();
      commit('', -1); // fails (members) — no new group
      c.handleCommitOffsets({
        groupId: 'offsets-only',
        generationId: -1,
        memberId: '',
        groupInstanceId: null,
        retentionTimeMs: -1n,
        offsets: [{ topic: 't', partition: 1, offset: 3n, leaderEpoch: -1, metadata: null, commitTimestamp: -1n }],
      });
      const all = c.handleListGroups([], []);
      expect(all.groups.sort((x, y) => x.groupId.localeCompare(y.groupId))).toEqual([
        { groupId: 'g', protocolType: 'consumer', state: 'Stable' },
        { groupId: 'offsets-only', protocolType: '', state: 'Empty' },
      ]);
      expect(c.handleListGroups(['stable'], []).groups.map((g) => g.groupId)).toEqual(['g']);
      expect(c.handleListGroups([], ['consumer']).groups).toEqual([]);
      expect(c.handleListGroups([], ['Classic']).groups).toHaveLength(2);
    });

    it('deletes only empty groups', async () => {
      await stableLeader();
      expect(c.handleDeleteGroups(['g', 'missing'])).toEqual([
        { groupId: 'g', errorCode: ErrorCode.NON_EMPTY_GROUP },
        { groupId: 'missing', errorCode: ErrorCode.GROUP_ID_NOT_FOUND },
      ]);
    });

    it('deletes offsets of topics the group does not consume (KIP-496)', async () => {
      t.topicManager.createTopic({ name: 'other', numPartitions: 1, replicationFactor: -1, assignments: [], configs: {} });
      const a = await stableLeader();
      c.handleCommitOffsets({
        groupId: 'g',
        generationId: 1,
        memberId: a.memberId,
        groupInstanceId: null,
        retentionTimeMs: -1n,
        offsets: [
          { topic: 't', partition: 0, offset: 1n, leaderEpoch: -1, metadata: null, commitTimestamp: -1n },
          { topic: 'other', partition: 0, offset: 2n, leaderEpoch: -1, metadata: null, commitTimestamp: -1n },
        ],
      });
      const r = c.handleDeleteOffsets('g', [
        { topic: 't', partition: 0 },
        { topic: 'other', partition: 0 },
        { topic: 'gone', partition: 0 },
      ]);
      expect(r.errorCode).toBe(ErrorCode.NONE);
      expect(r.partitions).toEqual(
        expect.arrayContaining([
          { topic: 't', partition: 0, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC },
          { topic: 'other', partition: 0, errorCode: ErrorCode.NONE },
          { topic: 'gone', partition: 0, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION },
        ]),
      );
      expect(group()?.offset('other', 0)).toBeUndefined();
      expect(group()?.offset('t', 0)?.offset).toBe(1n);
      expect(c.handleDeleteOffsets('missing', []).errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
    });
  });
});
