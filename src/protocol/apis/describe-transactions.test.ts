import { describe, expect, it } from 'vitest';
import { Reader } from '../reader.js';
import type { MessageCodec } from '../schema.js';
import { Writer } from '../writer.js';
import { DescribeTransactions, type DescribeTransactionsRequest, type DescribeTransactionsResponse } from './describe-transactions.js';

// kafkajs 2.2.4 has no DescribeTransactions encoder (it is an admin API of Kafka's own tools).

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

const request: DescribeTransactionsRequest = { transactionalIds: ['app-1-0_0', 'app-1-0_1'] };

const response: DescribeTransactionsResponse = {
  throttleTimeMs: 25,
  transactionStates: [
    {
      errorCode: 0,
      transactionalId: 'app-1-0_0',
      transactionState: 'Ongoing',
      transactionTimeoutMs: 60_000,
      transactionStartTimeMs: 1_700_000_000_000n,
      producerId: 1000n,
      producerEpoch: 4,
      topics: [
        { topic: 'orders', partitions: [0, 2] },
        { topic: '__consumer_offsets', partitions: [17] },
      ],
    },
    {
      errorCode: 105,
      transactionalId: 'app-1-0_1',
      transactionState: '',
      transactionTimeoutMs: 0,
      transactionStartTimeMs: -1n,
      producerId: -1n,
      producerEpoch: -1,
      topics: [],
    },
  ],
};

describe('DescribeTransactions', () => {
  it('has v0 only, flexible', () => {
    expect(DescribeTransactions.key).toBe(65);
    expect([DescribeTransactions.versions.lo, DescribeTransactions.versions.hi]).toEqual([0, 0]);
    expect(DescribeTransactions.requestHeaderVersion(0)).toBe(2);
    expect(DescribeTransactions.responseHeaderVersion(0)).toBe(1);
  });

  it('round-trips the request and the response at v0', () => {
    expect(decode(DescribeTransactions.request, encode(DescribeTransactions.request, request, 0), 0)).toEqual(request);
    expect(decode(DescribeTransactions.response, encode(DescribeTransactions.response, response, 0), 0)).toEqual(response);
  });

  it('lays out the request in the compact encoding', () => {
    expect(encode(DescribeTransactions.request, { transactionalIds: ['x'] }, 0)).toEqual(Buffer.from([2, 2, 0x78, 0]));
  });
});
