import { describe, expect, it } from 'vitest';
import { Reader } from '../reader.js';
import type { MessageCodec } from '../schema.js';
import { Writer } from '../writer.js';
import { ListTransactions, type ListTransactionsRequest, type ListTransactionsResponse } from './list-transactions.js';

// kafkajs 2.2.4 has no ListTransactions encoder (it is an admin API of Kafka's own tools).

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

const full: ListTransactionsRequest = {
  stateFilters: ['Ongoing', 'PrepareCommit'],
  producerIdFilters: [1000n, 2n ** 40n],
  durationFilter: 300_000n,
  transactionalIdPattern: '^app-1-.*',
};
const requestAt = (v: number): ListTransactionsRequest => ({
  stateFilters: ['Ongoing', 'PrepareCommit'],
  producerIdFilters: [1000n, 2n ** 40n],
  durationFilter: v >= 1 ? 300_000n : -1n,
  transactionalIdPattern: v >= 2 ? '^app-1-.*' : null,
});

const response: ListTransactionsResponse = {
  throttleTimeMs: 25,
  errorCode: 0,
  unknownStateFilters: ['Bogus'],
  transactionStates: [
    { transactionalId: 'app-1-0_0', producerId: 1000n, transactionState: 'Ongoing' },
    { transactionalId: 'app-1-0_1', producerId: 1001n, transactionState: 'PrepareCommit' },
  ],
};

describe('ListTransactions', () => {
  it('spans v0-2, flexible from v0', () => {
    expect(ListTransactions.key).toBe(66);
    expect([ListTransactions.versions.lo, ListTransactions.versions.hi]).toEqual([0, 2]);
    for (let v = 0; v <= 2; v++) expect(ListTransactions.requestHeaderVersion(v)).toBe(2);
  });

  for (let v = 0; v <= 2; v++) {
    it(`round-trips the request at v${v}`, () => {
      expect(decode(ListTransactions.request, encode(ListTransactions.request, full, v), v)).toEqual(requestAt(v));
      expect(encode(ListTransactions.request, requestAt(v), v)).toEqual(encode(ListTransactions.request, full, v));
    });

    it(`round-trips the response at v${v}`, () => {
      expect(decode(ListTransactions.response, encode(ListTransactions.response, response, v), v)).toEqual(response);
    });
  }

  it('round-trips a null TransactionalIdPattern and empty filters at v2', () => {
    const body: ListTransactionsRequest = { stateFilters: [], producerIdFilters: [], durationFilter: -1n, transactionalIdPattern: null };
    expect(decode(ListTransactions.request, encode(ListTransactions.request, body, 2), 2)).toEqual(body);
    // three empty or null fields: compact array length 0+1, 0+1; int64 -1; compact null string 0; tags 0
    expect(encode(ListTransactions.request, body, 2)).toEqual(Buffer.from([1, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0]));
  });
});
