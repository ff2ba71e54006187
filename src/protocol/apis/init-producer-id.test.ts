import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { Reader } from '../reader.js';
import type { MessageCodec } from '../schema.js';
import { Writer } from '../writer.js';
import { InitProducerId, type InitProducerIdRequest, type InitProducerIdResponse } from './init-producer-id.js';

const require = createRequire(import.meta.url);
const kafkajs = (path: string) => require(`kafkajs/src/protocol/requests/initProducerId/${path}.js`);

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

const full: InitProducerIdRequest = {
  transactionalId: 'app-1-0_0',
  transactionTimeoutMs: 60_000,
  producerId: 1000n,
  producerEpoch: 4,
  enable2Pc: true,
  keepPreparedTxn: true,
};
const requestAt = (v: number): InitProducerIdRequest => ({
  transactionalId: 'app-1-0_0',
  transactionTimeoutMs: 60_000,
  producerId: v >= 3 ? 1000n : -1n,
  producerEpoch: v >= 3 ? 4 : -1,
  enable2Pc: v >= 6,
  keepPreparedTxn: v >= 6,
});

const fullResponse: InitProducerIdResponse = {
  throttleTimeMs: 25,
  errorCode: 47,
  producerId: 1000n,
  producerEpoch: 5,
  ongoingTxnProducerId: 999n,
  ongoingTxnProducerEpoch: 2,
};
const responseAt = (v: number): InitProducerIdResponse => ({
  throttleTimeMs: 25,
  errorCode: 47,
  producerId: 1000n,
  producerEpoch: 5,
  ongoingTxnProducerId: v >= 6 ? 999n : -1n,
  ongoingTxnProducerEpoch: v >= 6 ? 2 : -1,
});

describe('InitProducerId', () => {
  it('spans v0-6, flexible from v2', () => {
    expect(InitProducerId.key).toBe(22);
    expect([InitProducerId.versions.lo, InitProducerId.versions.hi]).toEqual([0, 6]);
    for (let v = 0; v <= 6; v++) expect(InitProducerId.requestHeaderVersion(v)).toBe(v >= 2 ? 2 : 1);
  });

  for (let v = 0; v <= 6; v++) {
    it(`round-trips the request at v${v}`, () => {
      expect(decode(InitProducerId.request, encode(InitProducerId.request, full, v), v)).toEqual(requestAt(v));
      expect(encode(InitProducerId.request, requestAt(v), v)).toEqual(encode(InitProducerId.request, full, v));
    });

    it(`round-trips the response at v${v}`, () => {
      expect(decode(InitProducerId.response, encode(InitProducerId.response, fullResponse, v), v)).toEqual(responseAt(v));
    });

    it(`round-trips an idempotent-only request (null TransactionalId) at v${v}`, () => {
      const body = { ...requestAt(v), transactionalId: null };
      expect(decode(InitProducerId.request, encode(InitProducerId.request, body, v), v)).toEqual(body);
    });
  }

  describe('matches what kafkajs 2.2.4 sends', () => {
    for (let v = 0; v <= 1; v++) {
      it(`v${v} request: same bytes, and decodes to the same values (transactional and idempotent)`, async () => {
        for (const transactionalId of ['app-1-0_0', null]) {
          const req = kafkajs(`v${v}/request`)({ transactionalId, transactionTimeout: 60_000 });
          expect([req.apiKey, req.apiVersion]).toEqual([22, v]);
          const theirs: Buffer = (await req.encode()).buffer;
          const ours = { ...requestAt(v), transactionalId };
          expect(encode(InitProducerId.request, ours, v)).toEqual(theirs);
          expect(decode(InitProducerId.request, theirs, v)).toEqual(ours);
        }
      });

      it(`v${v} response: kafkajs reads what we write`, async () => {
        const decoded = await kafkajs(`v${v}/response`).decode(encode(InitProducerId.response, responseAt(v), v));
        expect(decoded).toMatchObject({ errorCode: 47, producerId: '1000', producerEpoch: 5 });
        expect(v === 0 ? decoded.throttleTime : decoded.clientSideThrottleTime).toBe(25);
      });
    }
  });
});
