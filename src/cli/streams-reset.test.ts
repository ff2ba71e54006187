import { describe, expect, it } from 'vitest';
import { topicPartitionKey as tpKey } from '../protocol/topic-partition.js';
import type { CommittedOffset, MemberDescription } from './consumer-group-service.js';
import { isInternalTopic, type StreamsResetAdmin, StreamsResetter, type StreamsResetRequest } from './streams-reset.js';

describe('isInternalTopic', () => {
  it("knows Kafka Streams' internal topics of the application, and only those", () => {
    for (const t of [
      'app-counts-changelog',
      'app-KSTREAM-AGGREGATE-STATE-STORE-0000000003-repartition',
      'app-x-subscription-registration-topic',
      'app-KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-0000000012-topic',
    ]) {
      expect(isInternalTopic('app', t)).toBe(true);
    }
    for (const t of ['app2-counts-changelog', 'other-app-counts-changelog', 'app-output', 'counts-changelog', 'app-changelog-archive']) {
      expect(isInternalTopic('app', t)).toBe(false);
    }
  });
});

/** A cluster in memory that records what was changed. */
function fakeAdmin(members: MemberDescription[] = []) {
  const changes: string[] = [];
  const topics = new Map([
    ['in', 2],
    ['mid', 1],
    ['app-s-changelog', 2],
    ['app-s-repartition', 2],
  ]);
  const committed: CommittedOffset[] = [
    { topic: 'in', partition: 0, offset: 5n },
    { topic: 'app-s-repartition', partition: 1, offset: 3n },
  ];
  const offsets = (v: bigint) => async (tps: readonly { topic: string; partition: number }[]) => new Map(tps.map((tp) => [tpKey(tp.topic, tp.partition), v]));
  const admin: StreamsResetAdmin = {
    groupMembers: async () => members,
    removeMembers: async (_g, ms) => void changes.push(`remove ${ms.map((m) => m.memberId).join(',')}`),
    listTopics: async () => [...topics.keys()],
    partitionsOf: async (names) => names.flatMap((topic) => Array.from({ length: topics.get(topic) ?? 0 }, (_, partition) => ({ topic, partition }))),
    offsets: { earliest: offsets(0n), latest: offsets(9n), forTime: offsets(4n) },
    committedOffsets: async () => committed,
    commitOffsets: async (_g, os) => void changes.push(`commit ${os.map((o) => `${o.topic}-${o.partition}@${o.offset}`).join(',')}`),
    deleteOffsets: async (_g, tps) => void changes.push(`delete offsets ${tps.map((tp) => `${tp.topic}-${tp.partition}`).join(',')}`),
    deleteTopics: async (names) => void changes.push(`delete topics ${names.join(',')}`),
    now: () => 0n,
  };
  return { admin, changes };
}

const request = (r: Partial<StreamsResetRequest> = {}): StreamsResetRequest => ({
  applicationId: 'app',
  inputTopics: ['in'],
  intermediateTopics: ['mid', 'in'],
  reset: { kind: 'to-earliest' },
  dryRun: false,
  force: false,
  ...r,
});

describe('StreamsResetter', () => {
  it('resets inputs, skips intermediates to their end (a topic named as both is an input), deletes internal topics and their offsets', async () => {
    const { admin, changes } = fakeAdmin();
    const out: string[] = [];
    expect(await new StreamsResetter(admin, (l) => out.push(l)).reset(request())).toBe(0);
    expect(changes).toEqual(['commit in-0@0,in-1@0,mid-0@9', 'delete offsets app-s-repartition-1', 'delete topics app-s-changelog,app-s-repartition']);
    expect(out).toContain('Seek-to-end for intermediate topics [mid, in]');
  });

  it('a dry run with --force changes nothing, not even the members', async () => {
    const { admin, changes } = fakeAdmin([{ memberId: 'm-1', groupInstanceId: null, clientId: 'c', host: '/h', assignment: [] }]);
    const out: string[] = [];
    expect(
      await new StreamsResetter(admin, (l) => out.push(l)).reset(request({ dryRun: true, force: true, reset: { kind: 'to-datetime', timestamp: 1n } })),
    ).toBe(0);
    expect(changes).toEqual([]);
    expect(out[0]).toBe('Would force delete all active members in the group: app [m-1 (client c, host /h)]');
    expect(out).toContain('Topic: in Partition: 1 Offset: 4');
  });

  it('--force removes the members first', async () => {
    const { admin, changes } = fakeAdmin([{ memberId: 'm-1', groupInstanceId: null, clientId: 'c', host: '/h', assignment: [] }]);
    await new StreamsResetter(admin, () => undefined).reset(request({ force: true }));
    expect(changes[0]).toBe('remove m-1');
    await expect(
      new StreamsResetter(fakeAdmin([{ memberId: 'm-1', groupInstanceId: null, clientId: 'c', host: '/h', assignment: [] }]).admin, () => undefined).reset(
        request(),
      ),
    ).rejects.toThrow("ERROR: Consumer group 'app' is still active and has following members: [m-1 (client c, host /h)].");
  });

  it('no topics to reset: says so, and still deletes the internal topics', async () => {
    const { admin, changes } = fakeAdmin();
    const out: string[] = [];
    await new StreamsResetter(admin, (l) => out.push(l)).reset(request({ inputTopics: [], intermediateTopics: [] }));
    expect(out[0]).toBe('No input or intermediate topics specified. Skipping seek.');
    expect(changes).toEqual(['delete offsets app-s-repartition-1', 'delete topics app-s-changelog,app-s-repartition']);
  });
});
