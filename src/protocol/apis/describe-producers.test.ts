import { describe, expect, it } from 'vitest';
import { Reader } from '../reader.js';
import type { MessageCodec } from '../schema.js';
import { Writer } from '../writer.js';
import { DescribeProducers, type DescribeProducersRequest, type DescribeProducersResponse } from './describe-producers.js';

// kafkajs 2.2.4 has no DescribeProducers encoder (it is an admin API of Kafka's own tools).

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

const request: DescribeProducersRequest = {
  topics: [
    { name: 'orders', partitionIndexes: [0, 2] },
    { name: 'payments', partitionIndexes: [] },
  ],
};

const response: DescribeProducersResponse = {
  throttleTimeMs: 25,
  topics: [
    {
      name: 'orders',
      partitions: [
        {
          partitionIndex: 0,
          errorCode: 0,
          errorMessage: null,
          activeProducers: [
            { producerId: 1000n, producerEpoch: 4, lastSequence: 41, lastTimestamp: 1_700_000_000_000n, coordinatorEpoch: 3, currentTxnStartOffset: 120n },
            { producerId: 1001n, producerEpoch: 0, lastSequence: -1, lastTimestamp: -1n, coordinatorEpoch: -1, currentTxnStartOffset: -1n },
          ],
        },
        { partitionIndex: 2, errorCode: 6, errorMessage: 'This broker is not the leader.', activeProducers: [] },
      ],
    },
  ],
};

describe('DescribeProducers', () => {
  it('has v0 only, flexible', () => {
    expect(DescribeProducers.key).toBe(61);
    expect([DescribeProducers.versions.lo, DescribeProducers.versions.hi]).toEqual([0, 0]);
    expect(DescribeProducers.requestHeaderVersion(0)).toBe(2);
    expect(DescribeProducers.responseHeaderVersion(0)).toBe(1);
  });

  it('round-trips the request and the response at v0', () => {
    expect(decode(DescribeProducers.request, encode(DescribeProducers.request, request, 0), 0)).toEqual(request);
    expect(decode(DescribeProducers.response, encode(DescribeProducers.response, response, 0), 0)).toEqual(response);
  });

  it('lays out the request in the compact encoding', () => {
    const one: DescribeProducersRequest = { topics: [{ name: 't', partitionIndexes: [3] }] };
    // topics: 1 (+1), name "t" (+1), partitions: 1 (+1), 3, topic tags, message tags
    expect(encode(DescribeProducers.request, one, 0)).toEqual(Buffer.from([2, 2, 0x74, 2, 0, 0, 0, 3, 0, 0]));
  });

  it('writes ProducerEpoch as an int32', () => {
    const one: DescribeProducersResponse = {
      throttleTimeMs: 0,
      topics: [
        {
          name: 't',
          partitions: [
            {
              partitionIndex: 0,
              errorCode: 0,
              errorMessage: null,
              activeProducers: [{ producerId: 1n, producerEpoch: 2, lastSequence: 3, lastTimestamp: 4n, coordinatorEpoch: 5, currentTxnStartOffset: 6n }],
            },
          ],
        },
      ],
    };
    const buf = encode(DescribeProducers.response, one, 0);
    const producerAt = buf.indexOf(Buffer.from([0, 0, 0, 0, 0, 0, 0, 1]));
    expect(buf.readInt32BE(producerAt + 8)).toBe(2);
    expect(buf.readInt32BE(producerAt + 12)).toBe(3);
  });
});
