import { describe, expect, it } from 'vitest';
import {
  consumerSubscriptionTopics,
  decodeGroupMetadataValue,
  decodeOffsetCommitValue,
  decodeOffsetsKey,
  encodeGroupMetadataKey,
  encodeGroupMetadataValue,
  encodeOffsetCommitKey,
  encodeOffsetCommitValue,
  type GroupMetadataValue,
  type OffsetCommitValue,
} from './offsets-records.js';
import { subscription } from './testing.js';

const commit: OffsetCommitValue = { offset: 42n, leaderEpoch: 3, metadata: 'm', commitTimestamp: 1_700_000_000_000n, expireTimestamp: -1n };

const group: GroupMetadataValue = {
  protocolType: 'consumer',
  generation: 7,
  protocol: 'range',
  leader: 'a-1',
  currentStateTimestamp: 1_700_000_000_123n,
  members: [
    {
      memberId: 'a-1',
      groupInstanceId: 'instance-a',
      clientId: 'a',
      clientHost: '/127.0.0.1',
      rebalanceTimeout: 60_000,
      sessionTimeout: 10_000,
      subscription: Buffer.from([1, 2, 3]),
      assignment: Buffer.from([4, 5]),
    },
  ],
};

describe('__consumer_offsets records', () => {
  it('writes an OffsetCommitKey as key version 1: group, topic, partition', () => {
    const key = encodeOffsetCommitKey('g', 'topic', 5);
    // int16 version, int16-length strings, int32 partition
    expect(key.toString('hex')).toBe('0001' + '0001' + Buffer.from('g').toString('hex') + '0005' + Buffer.from('topic').toString('hex') + '00000005');
    expect(decodeOffsetsKey(key)).toEqual({ type: 'offset', group: 'g', topic: 'topic', partition: 5 });
  });

  it('reads key version 0 (older brokers) the same way', () => {
    const key = encodeOffsetCommitKey('g', 't', 1);
    key.writeInt16BE(0, 0);
    expect(decodeOffsetsKey(key)).toEqual({ type: 'offset', group: 'g', topic: 't', partition: 1 });
  });

  it('writes a GroupMetadataKey as key version 2', () => {
    const key = encodeGroupMetadataKey('my-group');
    expect(key.readInt16BE(0)).toBe(2);
    expect(decodeOffsetsKey(key)).toEqual({ type: 'group', group: 'my-group' });
  });

  it('reports keys of other record types as unknown', () => {
    const key = Buffer.from([0, 5, 0, 1, 0x67]);
    expect(decodeOffsetsKey(key)).toEqual({ type: 'unknown', version: 5 });
  });

  it('round-trips OffsetCommitValue v3 (written), and v1 when an expire timestamp is set', () => {
    const v3 = encodeOffsetCommitValue(commit);
    expect(v3.readInt16BE(0)).toBe(3);
    expect(decodeOffsetCommitValue(v3)).toEqual(commit);

    const withExpiry = { ...commit, leaderEpoch: -1, expireTimestamp: 1_700_000_100_000n };
    const v1 = encodeOffsetCommitValue(withExpiry);
    expect(v1.readInt16BE(0)).toBe(1);
    expect(decodeOffsetCommitValue(v1)).toEqual(withExpiry);
  });

  it('reads every OffsetCommitValue version, and newer ones as v4', () => {
    for (const version of [0, 2, 3, 4]) {
      const decoded = decodeOffsetCommitValue(encodeOffsetCommitValue(commit, version));
      expect(decoded.offset).toBe(42n);
      expect(decoded.metadata).toBe('m');
      expect(decoded.leaderEpoch).toBe(version >= 3 ? 3 : -1);
    }
    const v5 = encodeOffsetCommitValue(commit, 4);
    v5.writeInt16BE(5, 0);
    expect(decodeOffsetCommitValue(v5)).toEqual(commit);
  });

  it('round-trips GroupMetadataValue v3 and reads v0-4', () => {
    const v3 = encodeGroupMetadataValue(group);
    expect(v3.readInt16BE(0)).toBe(3);
    expect(decodeGroupMetadataValue(v3)).toEqual(group);
    expect(decodeGroupMetadataValue(encodeGroupMetadataValue(group, 4))).toEqual(group);

    const v0 = decodeGroupMetadataValue(encodeGroupMetadataValue(group, 0));
    expect(v0.currentStateTimestamp).toBe(-1n);
    expect(v0.members[0].groupInstanceId).toBeNull();
    // v0 has no rebalance timeout: the session timeout stands in for it
    expect(v0.members[0].rebalanceTimeout).toBe(10_000);

    const empty: GroupMetadataValue = { ...group, protocol: null, leader: null, members: [] };
    expect(decodeGroupMetadataValue(encodeGroupMetadataValue(empty))).toEqual(empty);
  });

  it('reads the topics of a consumer subscription, and null for anything else', () => {
    expect(consumerSubscriptionTopics(subscription(['a', 'b']))).toEqual(['a', 'b']);
    expect(consumerSubscriptionTopics(Buffer.from([0, 1]))).toBeNull();
    expect(consumerSubscriptionTopics(Buffer.from('not a subscription at all'))).toBeNull();
  });
});
