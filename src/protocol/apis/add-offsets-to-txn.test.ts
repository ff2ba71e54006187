import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { Reader } from '../reader.js';
import type { MessageCodec } from '../schema.js';
import { Writer } from '../writer.js';
import { AddOffsetsToTxn, type AddOffsetsToTxnRequest, type AddOffsetsToTxnResponse } from './add-offsets-to-txn.js';

const require = createRequire(import.meta.url);
const kafkajs = (path: string) => require(`kafkajs/src/protocol/requests/addOffsetsToTxn/${path}.js`);

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

const body: AddOffsetsToTxnRequest = { transactionalId: 'app-1-0_0', producerId: 1000n, producerEpoch: 4, groupId: 'app-1' };
const responseBody: AddOffsetsToTxnResponse = { throttleTimeMs: 25, errorCode: 51 };

describe('AddOffsetsToTxn', () => {
  it('spans v0-4, flexible from v3', () => {
    expect(AddOffsetsToTxn.key).toBe(25);
    expect([AddOffsetsToTxn.versions.lo, AddOffsetsToTxn.versions.hi]).toEqual([0, 4]);
    for (let v = 0; v <= 4; v++) expect(AddOffsetsToTxn.requestHeaderVersion(v)).toBe(v >= 3 ? 2 : 1);
  });

  for (let v = 0; v <= 4; v++) {
    it(`round-trips the request at v${v}`, () => {
      expect(decode(AddOffsetsToTxn.request, encode(AddOffsetsToTxn.request, body, v), v)).toEqual(body);
    });

    it(`round-trips the response at v${v}`, () => {
      expect(decode(AddOffsetsToTxn.response, encode(AddOffsetsToTxn.response, responseBody, v), v)).toEqual(responseBody);
    });
  }

  it('writes compact strings and a tagged-field count from v3', () => {
    expect(encode(AddOffsetsToTxn.request, body, 3).length).toBe(encode(AddOffsetsToTxn.request, body, 2).length - 2 + 1);
  });

  describe('matches what kafkajs 2.2.4 sends', () => {
    for (let v = 0; v <= 1; v++) {
      it(`v${v} request: same bytes, and decodes to the same values`, async () => {
        const req = kafkajs(`v${v}/request`)({ transactionalId: 'app-1-0_0', producerId: '1000', producerEpoch: 4, groupId: 'app-1' });
        expect([req.apiKey, req.apiVersion]).toEqual([25, v]);
        const theirs: Buffer = (await req.encode()).buffer;
        expect(encode(AddOffsetsToTxn.request, body, v)).toEqual(theirs);
        expect(decode(AddOffsetsToTxn.request, theirs, v)).toEqual(body);
      });

      it(`v${v} response: kafkajs reads what we write`, async () => {
        const decoded = await kafkajs(`v${v}/response`).decode(encode(AddOffsetsToTxn.response, responseBody, v));
        expect(decoded.errorCode).toBe(51);
        expect(v === 0 ? decoded.throttleTime : decoded.clientSideThrottleTime).toBe(25);
      });
    }
  });
});
