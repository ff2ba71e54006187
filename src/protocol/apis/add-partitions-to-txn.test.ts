import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { Reader } from '../reader.js';
import type { MessageCodec } from '../schema.js';
import { Writer } from '../writer.js';
import {
  AddPartitionsToTxn,
  type AddPartitionsToTxnRequest,
  type AddPartitionsToTxnResponse,
  type AddPartitionsToTxnTopicResult,
} from './add-partitions-to-txn.js';

const require = createRequire(import.meta.url);
const kafkajs = (path: string) => require(`kafkajs/src/protocol/requests/addPartitionsToTxn/${path}.js`);

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

const TOPICS = [
  { name: 'orders', partitions: [0, 2] },
  { name: 'payments', partitions: [1] },
];
const TRANSACTIONS = [
  { transactionalId: 'app-1-0_0', producerId: 1000n, producerEpoch: 4, verifyOnly: true, topics: TOPICS },
  { transactionalId: 'app-1-0_1', producerId: 1001n, producerEpoch: 0, verifyOnly: false, topics: [{ name: 'payments', partitions: [3] }] },
];

const full: AddPartitionsToTxnRequest = {
  transactions: TRANSACTIONS,
  v3AndBelowTransactionalId: 'app-1-0_0',
  v3AndBelowProducerId: 1000n,
  v3AndBelowProducerEpoch: 4,
  v3AndBelowTopics: TOPICS,
};
const requestAt = (v: number): AddPartitionsToTxnRequest =>
  v <= 3
    ? { ...full, transactions: [] }
    : { transactions: TRANSACTIONS, v3AndBelowTransactionalId: '', v3AndBelowProducerId: 0n, v3AndBelowProducerEpoch: 0, v3AndBelowTopics: [] };

const RESULTS: AddPartitionsToTxnTopicResult[] = [
  {
    name: 'orders',
    resultsByPartition: [
      { partitionIndex: 0, partitionErrorCode: 0 },
      { partitionIndex: 2, partitionErrorCode: 53 },
    ],
  },
];
const fullResponse: AddPartitionsToTxnResponse = {
  throttleTimeMs: 25,
  errorCode: 51,
  resultsByTransaction: [{ transactionalId: 'app-1-0_0', topicResults: RESULTS }],
  resultsByTopicV3AndBelow: RESULTS,
};
const responseAt = (v: number): AddPartitionsToTxnResponse => ({
  throttleTimeMs: 25,
  errorCode: v >= 4 ? 51 : 0,
  resultsByTransaction: v >= 4 ? [{ transactionalId: 'app-1-0_0', topicResults: RESULTS }] : [],
  resultsByTopicV3AndBelow: v <= 3 ? RESULTS : [],
});

describe('AddPartitionsToTxn', () => {
  it('spans v0-5, flexible from v3', () => {
    expect(AddPartitionsToTxn.key).toBe(24);
    expect([AddPartitionsToTxn.versions.lo, AddPartitionsToTxn.versions.hi]).toEqual([0, 5]);
    for (let v = 0; v <= 5; v++) expect(AddPartitionsToTxn.requestHeaderVersion(v)).toBe(v >= 3 ? 2 : 1);
  });

  for (let v = 0; v <= 5; v++) {
    it(`round-trips the request at v${v}`, () => {
      expect(decode(AddPartitionsToTxn.request, encode(AddPartitionsToTxn.request, full, v), v)).toEqual(requestAt(v));
      expect(encode(AddPartitionsToTxn.request, requestAt(v), v)).toEqual(encode(AddPartitionsToTxn.request, full, v));
    });

    it(`round-trips the response at v${v}`, () => {
      expect(decode(AddPartitionsToTxn.response, encode(AddPartitionsToTxn.response, fullResponse, v), v)).toEqual(responseAt(v));
    });
  }

  describe('matches what kafkajs 2.2.4 sends', () => {
    const kafkajsArgs = {
      transactionalId: 'app-1-0_0',
      producerId: '1000',
      producerEpoch: 4,
      topics: [
        { topic: 'orders', partitions: [0, 2] },
        { topic: 'payments', partitions: [1] },
      ],
    };

    for (let v = 0; v <= 1; v++) {
      it(`v${v} request: same bytes, and decodes to the same values`, async () => {
        const req = kafkajs(`v${v}/request`)(kafkajsArgs);
        expect([req.apiKey, req.apiVersion]).toEqual([24, v]);
        const theirs: Buffer = (await req.encode()).buffer;
        expect(encode(AddPartitionsToTxn.request, requestAt(v), v)).toEqual(theirs);
        expect(decode(AddPartitionsToTxn.request, theirs, v)).toEqual(requestAt(v));
      });

      it(`v${v} response: kafkajs reads what we write`, async () => {
        const decoded = await kafkajs(`v${v}/response`).decode(encode(AddPartitionsToTxn.response, responseAt(v), v));
        expect(decoded.errors).toEqual([
          {
            topic: 'orders',
            partitionErrors: [
              { partition: 0, errorCode: 0 },
              { partition: 2, errorCode: 53 },
            ],
          },
        ]);
        expect(v === 0 ? decoded.throttleTime : decoded.clientSideThrottleTime).toBe(25);
      });
    }
  });
});
