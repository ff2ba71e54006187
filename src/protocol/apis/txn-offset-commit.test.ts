import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { Reader } from '../reader.js';
import type { MessageCodec } from '../schema.js';
import { Writer } from '../writer.js';
import { TxnOffsetCommit, type TxnOffsetCommitRequest, type TxnOffsetCommitResponse } from './txn-offset-commit.js';

const require = createRequire(import.meta.url);
const kafkajs = (path: string) => require(`kafkajs/src/protocol/requests/txnOffsetCommit/${path}.js`);

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

const full: TxnOffsetCommitRequest = {
  transactionalId: 'app-1-0_0',
  groupId: 'app-1',
  producerId: 1000n,
  producerEpoch: 4,
  generationId: 3,
  memberId: 'member-1',
  groupInstanceId: 'instance-1',
  topics: [
    {
      name: 'orders',
      partitions: [
        { partitionIndex: 0, committedOffset: 42n, committedLeaderEpoch: 3, committedMetadata: 'meta' },
        { partitionIndex: 2, committedOffset: 7n, committedLeaderEpoch: 2, committedMetadata: null },
      ],
    },
  ],
};
const requestAt = (v: number): TxnOffsetCommitRequest => ({
  ...full,
  generationId: v >= 3 ? 3 : -1,
  memberId: v >= 3 ? 'member-1' : '',
  groupInstanceId: v >= 3 ? 'instance-1' : null,
  topics: [
    {
      name: 'orders',
      partitions: [
        { partitionIndex: 0, committedOffset: 42n, committedLeaderEpoch: v >= 2 ? 3 : -1, committedMetadata: 'meta' },
        { partitionIndex: 2, committedOffset: 7n, committedLeaderEpoch: v >= 2 ? 2 : -1, committedMetadata: null },
      ],
    },
  ],
});

const response: TxnOffsetCommitResponse = {
  throttleTimeMs: 25,
  topics: [
    {
      name: 'orders',
      partitions: [
        { partitionIndex: 0, errorCode: 0 },
        { partitionIndex: 2, errorCode: 22 },
      ],
    },
  ],
};

describe('TxnOffsetCommit', () => {
  it('spans v0-5, flexible from v3', () => {
    expect(TxnOffsetCommit.key).toBe(28);
    expect([TxnOffsetCommit.versions.lo, TxnOffsetCommit.versions.hi]).toEqual([0, 5]);
    for (let v = 0; v <= 5; v++) expect(TxnOffsetCommit.requestHeaderVersion(v)).toBe(v >= 3 ? 2 : 1);
  });

  for (let v = 0; v <= 5; v++) {
    it(`round-trips the request at v${v}`, () => {
      expect(decode(TxnOffsetCommit.request, encode(TxnOffsetCommit.request, full, v), v)).toEqual(requestAt(v));
      expect(encode(TxnOffsetCommit.request, requestAt(v), v)).toEqual(encode(TxnOffsetCommit.request, full, v));
    });

    it(`round-trips the response at v${v}`, () => {
      expect(decode(TxnOffsetCommit.response, encode(TxnOffsetCommit.response, response, v), v)).toEqual(response);
    });
  }

  it('round-trips a null GroupInstanceId (v3+)', () => {
    const body = { ...requestAt(3), groupInstanceId: null };
    expect(decode(TxnOffsetCommit.request, encode(TxnOffsetCommit.request, body, 3), 3)).toEqual(body);
  });

  describe('matches what kafkajs 2.2.4 sends', () => {
    const kafkajsArgs = {
      transactionalId: 'app-1-0_0',
      groupId: 'app-1',
      producerId: '1000',
      producerEpoch: 4,
      topics: [
        {
          topic: 'orders',
          partitions: [
            { partition: 0, offset: '42', metadata: 'meta' },
            { partition: 2, offset: '7', metadata: null },
          ],
        },
      ],
    };

    for (let v = 0; v <= 1; v++) {
      it(`v${v} request: same bytes, and decodes to the same values`, async () => {
        const req = kafkajs(`v${v}/request`)(kafkajsArgs);
        expect([req.apiKey, req.apiVersion]).toEqual([28, v]);
        const theirs: Buffer = (await req.encode()).buffer;
        expect(encode(TxnOffsetCommit.request, requestAt(v), v)).toEqual(theirs);
        expect(decode(TxnOffsetCommit.request, theirs, v)).toEqual(requestAt(v));
      });

      it(`v${v} response: kafkajs reads what we write`, async () => {
        const decoded = await kafkajs(`v${v}/response`).decode(encode(TxnOffsetCommit.response, response, v));
        expect(decoded.topics).toEqual([
          {
            topic: 'orders',
            partitions: [
              { partition: 0, errorCode: 0 },
              { partition: 2, errorCode: 22 },
            ],
          },
        ]);
        expect(v === 0 ? decoded.throttleTime : decoded.clientSideThrottleTime).toBe(25);
      });
    }
  });
});
