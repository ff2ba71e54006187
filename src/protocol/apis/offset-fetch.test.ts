import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { Reader, ZERO_UUID } from '../reader.js';
import type { MessageCodec } from '../schema.js';
import { Writer } from '../writer.js';
import { OffsetFetch, type OffsetFetchRequest, type OffsetFetchResponse, type OffsetFetchResponsePartition } from './offset-fetch.js';

const require = createRequire(import.meta.url);
const kafkajs = (path: string) => require(`kafkajs/src/protocol/requests/offsetFetch/${path}.js`);

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

const full: OffsetFetchRequest = {
  groupId: 'app-1',
  topics: [
    { name: 'orders', partitionIndexes: [0, 5] },
    { name: 'payments', partitionIndexes: [1] },
  ],
  groups: [
    { groupId: 'app-1', memberId: 'member-1', memberEpoch: 12, topics: [{ name: 'orders', topicId: TOPIC_ID, partitionIndexes: [0, 5] }] },
    { groupId: 'app-2', memberId: null, memberEpoch: 13, topics: null },
  ],
  requireStable: true,
};

const requestAt = (v: number): OffsetFetchRequest => ({
  groupId: v <= 7 ? 'app-1' : '',
  topics:
    v <= 7
      ? [
          { name: 'orders', partitionIndexes: [0, 5] },
          { name: 'payments', partitionIndexes: [1] },
        ]
      : [],
  groups:
    v >= 8
      ? [
          {
            groupId: 'app-1',
            memberId: v >= 9 ? 'member-1' : null,
            memberEpoch: v >= 9 ? 12 : -1,
            topics: [{ name: v <= 9 ? 'orders' : '', topicId: v >= 10 ? TOPIC_ID : ZERO_UUID, partitionIndexes: [0, 5] }],
          },
          { groupId: 'app-2', memberId: null, memberEpoch: v >= 9 ? 13 : -1, topics: null },
        ]
      : [],
  requireStable: v >= 7,
});

const partitions = (withEpoch: boolean): OffsetFetchResponsePartition[] => [
  { partitionIndex: 0, committedOffset: 42n, committedLeaderEpoch: withEpoch ? 3 : -1, metadata: 'meta', errorCode: 0 },
  { partitionIndex: 5, committedOffset: -1n, committedLeaderEpoch: -1, metadata: null, errorCode: 0 },
];

const fullResponse: OffsetFetchResponse = {
  throttleTimeMs: 25,
  topics: [{ name: 'orders', partitions: partitions(true) }],
  errorCode: 15,
  groups: [{ groupId: 'app-1', topics: [{ name: 'orders', topicId: TOPIC_ID, partitions: partitions(true) }], errorCode: 14 }],
};

const responseAt = (v: number): OffsetFetchResponse => ({
  throttleTimeMs: v >= 3 ? 25 : 0,
  topics: v <= 7 ? [{ name: 'orders', partitions: partitions(v >= 5) }] : [],
  errorCode: v >= 2 && v <= 7 ? 15 : 0,
  groups:
    v >= 8
      ? [
          {
            groupId: 'app-1',
            topics: [{ name: v <= 9 ? 'orders' : '', topicId: v >= 10 ? TOPIC_ID : ZERO_UUID, partitions: partitions(true) }],
            errorCode: 14,
          },
        ]
      : [],
});

describe('OffsetFetch', () => {
  it('spans v0-10, flexible from v6', () => {
    expect(OffsetFetch.key).toBe(9);
    expect([OffsetFetch.versions.lo, OffsetFetch.versions.hi]).toEqual([0, 10]);
    for (let v = 0; v <= 10; v++) expect(OffsetFetch.requestHeaderVersion(v)).toBe(v >= 6 ? 2 : 1);
  });

  for (let v = 0; v <= 10; v++) {
    it(`round-trips the request at v${v}`, () => {
      expect(decode(OffsetFetch.request, encode(OffsetFetch.request, full, v), v)).toEqual(requestAt(v));
      expect(encode(OffsetFetch.request, requestAt(v), v)).toEqual(encode(OffsetFetch.request, full, v));
    });

    it(`round-trips the response at v${v}`, () => {
      expect(decode(OffsetFetch.response, encode(OffsetFetch.response, fullResponse, v), v)).toEqual(responseAt(v));
    });
  }

  it('takes a null topic list ("every partition") from v2, and refuses it before', () => {
    for (let v = 2; v <= 7; v++) {
      const body = { ...requestAt(v), topics: null };
      expect(decode(OffsetFetch.request, encode(OffsetFetch.request, body, v), v)).toEqual(body);
    }
    expect(() => encode(OffsetFetch.request, { ...requestAt(1), topics: null }, 1)).toThrow(/cannot be/);
    const nullAtV1 = Buffer.from([0, 5, 0x61, 0x70, 0x70, 0x2d, 0x31, 0xff, 0xff, 0xff, 0xff]);
    expect(() => decode(OffsetFetch.request, nullAtV1, 1)).toThrow(/cannot be/);
  });

  describe('matches what kafkajs 2.2.4 sends', () => {
    const kafkajsArgs = {
      groupId: 'app-1',
      topics: [
        { topic: 'orders', partitions: [{ partition: 0 }, { partition: 5 }] },
        { topic: 'payments', partitions: [{ partition: 1 }] },
      ],
    };

    for (let v = 1; v <= 4; v++) {
      it(`v${v} request: same bytes, and decodes to the same values`, async () => {
        const req = kafkajs(`v${v}/request`)(kafkajsArgs);
        expect([req.apiKey, req.apiVersion]).toEqual([9, v]);
        const theirs: Buffer = (await req.encode()).buffer;
        expect(encode(OffsetFetch.request, requestAt(v), v)).toEqual(theirs);
        expect(decode(OffsetFetch.request, theirs, v)).toEqual(requestAt(v));
      });

      it(`v${v} response: kafkajs reads what we write`, async () => {
        const decoded = await kafkajs(`v${v}/response`).decode(encode(OffsetFetch.response, responseAt(v), v));
        expect(decoded.responses).toEqual([
          {
            topic: 'orders',
            partitions: [
              { partition: 0, offset: '42', metadata: 'meta', errorCode: 0 },
              { partition: 5, offset: '-1', metadata: null, errorCode: 0 },
            ],
          },
        ]);
        if (v >= 2) expect(decoded.errorCode).toBe(15);
        if (v === 3) expect(decoded.throttleTime).toBe(25);
        if (v === 4) expect(decoded.clientSideThrottleTime).toBe(25);
      });
    }

    it('v3-4 request with no topics: kafkajs sends null, which asks for every partition', async () => {
      for (const v of [3, 4]) {
        const theirs: Buffer = (await kafkajs(`v${v}/request`)({ groupId: 'app-1', topics: [] }).encode()).buffer;
        expect(decode(OffsetFetch.request, theirs, v).topics).toBeNull();
        expect(encode(OffsetFetch.request, { groupId: 'app-1', topics: null }, v)).toEqual(theirs);
      }
    });
  });
});
