import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { Reader } from '../reader.js';
import type { MessageCodec } from '../schema.js';
import { Writer } from '../writer.js';
import { EndTxn, type EndTxnRequest, type EndTxnResponse } from './end-txn.js';

const require = createRequire(import.meta.url);
const kafkajs = (path: string) => require(`kafkajs/src/protocol/requests/endTxn/${path}.js`);

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

const commit: EndTxnRequest = { transactionalId: 'app-1-0_0', producerId: 1000n, producerEpoch: 4, committed: true };
const abort: EndTxnRequest = { ...commit, committed: false };

const fullResponse: EndTxnResponse = { throttleTimeMs: 25, errorCode: 48, producerId: 1000n, producerEpoch: 5 };
const responseAt = (v: number): EndTxnResponse => ({
  throttleTimeMs: 25,
  errorCode: 48,
  producerId: v >= 5 ? 1000n : -1n,
  producerEpoch: v >= 5 ? 5 : -1,
});

describe('EndTxn', () => {
  it('spans v0-5, flexible from v3', () => {
    expect(EndTxn.key).toBe(26);
    expect([EndTxn.versions.lo, EndTxn.versions.hi]).toEqual([0, 5]);
    for (let v = 0; v <= 5; v++) expect(EndTxn.requestHeaderVersion(v)).toBe(v >= 3 ? 2 : 1);
  });

  for (let v = 0; v <= 5; v++) {
    it(`round-trips commit and abort requests at v${v}`, () => {
      expect(decode(EndTxn.request, encode(EndTxn.request, commit, v), v)).toEqual(commit);
      expect(decode(EndTxn.request, encode(EndTxn.request, abort, v), v)).toEqual(abort);
    });

    it(`round-trips the response at v${v}`, () => {
      expect(decode(EndTxn.response, encode(EndTxn.response, fullResponse, v), v)).toEqual(responseAt(v));
    });
  }

  describe('matches what kafkajs 2.2.4 sends', () => {
    for (let v = 0; v <= 1; v++) {
      it(`v${v} request: same bytes, and decodes to the same values`, async () => {
        for (const body of [commit, abort]) {
          const req = kafkajs(`v${v}/request`)({
            transactionalId: 'app-1-0_0',
            producerId: '1000',
            producerEpoch: 4,
            transactionResult: body.committed,
          });
          expect([req.apiKey, req.apiVersion]).toEqual([26, v]);
          const theirs: Buffer = (await req.encode()).buffer;
          expect(encode(EndTxn.request, body, v)).toEqual(theirs);
          expect(decode(EndTxn.request, theirs, v)).toEqual(body);
        }
      });

      it(`v${v} response: kafkajs reads what we write`, async () => {
        const decoded = await kafkajs(`v${v}/response`).decode(encode(EndTxn.response, responseAt(v), v));
        expect(decoded.errorCode).toBe(48);
        expect(v === 0 ? decoded.throttleTime : decoded.clientSideThrottleTime).toBe(25);
      });
    }
  });
});
