import { describe, expect, it } from 'vitest';
import { Reader } from '../reader.js';
import type { MessageCodec } from '../schema.js';
import { Writer } from '../writer.js';
import { OffsetDelete, type OffsetDeleteRequest, type OffsetDeleteResponse } from './offset-delete.js';

// kafkajs 2.2.4 has no OffsetDelete encoder, so the bytes are spelled out here instead.

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

const request: OffsetDeleteRequest = {
  groupId: 'app-1',
  topics: [
    { name: 'orders', partitions: [{ partitionIndex: 0 }, { partitionIndex: 2 }] },
    { name: 'payments', partitions: [{ partitionIndex: 1 }] },
  ],
};

const response: OffsetDeleteResponse = {
  errorCode: 0,
  throttleTimeMs: 25,
  topics: [
    {
      name: 'orders',
      partitions: [
        { partitionIndex: 0, errorCode: 0 },
        { partitionIndex: 2, errorCode: 86 },
      ],
    },
  ],
};

describe('OffsetDelete', () => {
  it('has v0 only, never flexible', () => {
    expect(OffsetDelete.key).toBe(47);
    expect([OffsetDelete.versions.lo, OffsetDelete.versions.hi]).toEqual([0, 0]);
    expect(OffsetDelete.requestHeaderVersion(0)).toBe(1);
    expect(OffsetDelete.responseHeaderVersion(0)).toBe(0);
  });

  it('round-trips the request and the response at v0', () => {
    expect(decode(OffsetDelete.request, encode(OffsetDelete.request, request, 0), 0)).toEqual(request);
    expect(decode(OffsetDelete.response, encode(OffsetDelete.response, response, 0), 0)).toEqual(response);
  });

  it('puts the response ErrorCode before ThrottleTimeMs', () => {
    const buf = encode(OffsetDelete.response, { errorCode: 30, throttleTimeMs: 7, topics: [] }, 0);
    expect(buf).toEqual(Buffer.from([0, 30, 0, 0, 0, 7, 0, 0, 0, 0]));
  });

  it('lays out the request as Kafka does', () => {
    const one: OffsetDeleteRequest = { groupId: 'g', topics: [{ name: 't', partitions: [{ partitionIndex: 3 }] }] };
    expect(encode(OffsetDelete.request, one, 0)).toEqual(Buffer.from([0, 1, 0x67, 0, 0, 0, 1, 0, 1, 0x74, 0, 0, 0, 1, 0, 0, 0, 3]));
  });

  it('has no v1', () => {
    expect(() => encode(OffsetDelete.request, request, 1)).toThrow(/no version 1/);
  });
});
