import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { Reader, ZERO_UUID } from '../reader.js';
import type { MessageCodec } from '../schema.js';
import { Writer } from '../writer.js';
import { OffsetCommit, type OffsetCommitRequest, type OffsetCommitResponse } from './offset-commit.js';

const require = createRequire(import.meta.url);
const kafkajs = (path: string) => require(`kafkajs/src/protocol/requests/offsetCommit/${path}.js`);

const encode = <T>(codec: MessageCodec<T>, body: T, v: number): Buffer => {
  const w = new Writer();
  codec.encode(w, body, v);
  return w.toBuffer();
};
const decode = <T>(codec: MessageCodec<T>, buf: Buffer, v: number): T => {
  const r = new Reader(buf);
  const out = codec.decode(r, v);
  expect(r.remaining).toBe(0);
  return out;
};

const TOPIC_ID = '5f1c2a9e-0b7d-4e3a-9c41-6d2e8f0a1b3c';
const BIG_OFFSET = 2n ** 40n + 7n;

/** Every field set to something other than its default; each version keeps only its own fields. */
const full: OffsetCommitRequest = {
  groupId: 'app-1',
  generationIdOrMemberEpoch: 7,
  memberId: 'member-1',
  groupInstanceId: 'instance-1',
  retentionTimeMs: 86_400_000n,
  topics: [
    {
      name: 'orders',
      topicId: TOPIC_ID,
      partitions: [
        { partitionIndex: 0, committedOffset: 42n, committedLeaderEpoch: 3, commitTimestamp: 1_700_000_000_000n, committedMetadata: 'meta' },
        { partitionIndex: 5, committedOffset: BIG_OFFSET, committedLeaderEpoch: 4, commitTimestamp: 1_700_000_000_001n, committedMetadata: null },
      ],
    },
  ],
};

/** What a broker decodes at version v: fields the version lacks come back as Kafka's defaults. */
const requestAt = (v: number): OffsetCommitRequest => ({
  groupId: 'app-1',
  generationIdOrMemberEpoch: v >= 1 ? 7 : -1,
  memberId: v >= 1 ? 'member-1' : '',
  groupInstanceId: v >= 7 ? 'instance-1' : null,
  retentionTimeMs: v >= 2 && v <= 4 ? 86_400_000n : -1n,
  topics: [
    {
      name: v <= 9 ? 'orders' : '',
      topicId: v >= 10 ? TOPIC_ID : ZERO_UUID,
      partitions: [
        {
          partitionIndex: 0,
          committedOffset: 42n,
          committedLeaderEpoch: v >= 6 ? 3 : -1,
          commitTimestamp: v === 1 ? 1_700_000_000_000n : -1n,
          committedMetadata: 'meta',
        },
        {
          partitionIndex: 5,
          committedOffset: BIG_OFFSET,
          committedLeaderEpoch: v >= 6 ? 4 : -1,
          commitTimestamp: v === 1 ? 1_700_000_000_001n : -1n,
          committedMetadata: null,
        },
      ],
    },
  ],
});

const fullResponse: OffsetCommitResponse = {
  throttleTimeMs: 25,
  topics: [
    {
      name: 'orders',
      topicId: TOPIC_ID,
      partitions: [
        { partitionIndex: 0, errorCode: 0 },
        { partitionIndex: 5, errorCode: 22 },
      ],
    },
  ],
};

const responseAt = (v: number): OffsetCommitResponse => ({
  throttleTimeMs: v >= 3 ? 25 : 0,
  topics: [
    {
      name: v <= 9 ? 'orders' : '',
      topicId: v >= 10 ? TOPIC_ID : ZERO_UUID,
      partitions: [
        { partitionIndex: 0, errorCode: 0 },
        { partitionIndex: 5, errorCode: 22 },
      ],
    },
  ],
});

describe('OffsetCommit', () => {
  it('spans v0-10, flexible from v8', () => {
    expect(OffsetCommit.key).toBe(8);
    expect([OffsetCommit.versions.lo, OffsetCommit.versions.hi]).toEqual([0, 10]);
    for (let v = 0; v <= 10; v++) {
      expect(OffsetCommit.requestHeaderVersion(v)).toBe(v >= 8 ? 2 : 1);
      expect(OffsetCommit.responseHeaderVersion(v)).toBe(v >= 8 ? 1 : 0);
    }
  });

  for (let v = 0; v <= 10; v++) {
    it(`round-trips the request at v${v}`, () => {
      expect(decode(OffsetCommit.request, encode(OffsetCommit.request, full, v), v)).toEqual(requestAt(v));
      const again = encode(OffsetCommit.request, requestAt(v), v);
      expect(again).toEqual(encode(OffsetCommit.request, full, v));
    });

    it(`round-trips the response at v${v}`, () => {
      expect(decode(OffsetCommit.response, encode(OffsetCommit.response, fullResponse, v), v)).toEqual(responseAt(v));
    });
  }

  it('round-trips a null GroupInstanceId (v7+)', () => {
    const body = { ...requestAt(8), groupInstanceId: null };
    expect(decode(OffsetCommit.request, encode(OffsetCommit.request, body, 8), 8)).toEqual(body);
  });

  it('writes a null CommittedMetadata as string length -1 (nullable in every version)', () => {
    const buf = encode(OffsetCommit.request, requestAt(0), 0);
    // partition 5 is last: its metadata is the final int16, -1 for null
    expect(buf.readInt16BE(buf.length - 2)).toBe(-1);
  });

  describe('matches what kafkajs 2.2.4 sends', () => {
    const kafkajsArgs = {
      groupId: 'app-1',
      groupGenerationId: 7,
      memberId: 'member-1',
      retentionTime: '86400000',
      topics: [
        {
          topic: 'orders',
          partitions: [
            { partition: 0, offset: '42', timestamp: 1_700_000_000_000, metadata: 'meta' },
            { partition: 5, offset: BIG_OFFSET.toString(), timestamp: 1_700_000_000_001 },
          ],
        },
      ],
    };

    for (let v = 0; v <= 5; v++) {
      it(`v${v} request: same bytes, and decodes to the same values`, async () => {
        const req = kafkajs(`v${v}/request`)(kafkajsArgs);
        expect(req.apiKey).toBe(8);
        expect(req.apiVersion).toBe(v);
        const theirs: Buffer = (await req.encode()).buffer;
        expect(encode(OffsetCommit.request, requestAt(v), v)).toEqual(theirs);
        expect(decode(OffsetCommit.request, theirs, v)).toEqual(requestAt(v));
      });

      it(`v${v} response: kafkajs reads what we write`, async () => {
        const decoded = await kafkajs(`v${v}/response`).decode(encode(OffsetCommit.response, responseAt(v), v));
        expect(decoded.responses).toEqual([
          {
            topic: 'orders',
            partitions: [
              { partition: 0, errorCode: 0 },
              { partition: 5, errorCode: 22 },
            ],
          },
        ]);
        if (v === 3) expect(decoded.throttleTime).toBe(25);
        if (v >= 4) expect(decoded.clientSideThrottleTime).toBe(25);
      });
    }
  });
});
