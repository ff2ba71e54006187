import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { Reader } from '../reader.js';
import type { MessageCodec } from '../schema.js';
import { Writer } from '../writer.js';
import { DeleteGroups, type DeleteGroupsRequest, type DeleteGroupsResponse } from './delete-groups.js';

const require = createRequire(import.meta.url);
const kafkajs = (path: string) => require(`kafkajs/src/protocol/requests/deleteGroups/${path}.js`);

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

const body: DeleteGroupsRequest = { groupsNames: ['app-1', 'app-2'] };

const fullResponse: DeleteGroupsResponse = {
  throttleTimeMs: 25,
  results: [
    { groupId: 'app-1', errorCode: 0, errorMessage: null },
    { groupId: 'app-2', errorCode: 68, errorMessage: 'The group is not empty.' },
  ],
};
const responseAt = (v: number): DeleteGroupsResponse => ({
  throttleTimeMs: 25,
  results: [
    { groupId: 'app-1', errorCode: 0, errorMessage: null },
    { groupId: 'app-2', errorCode: 68, errorMessage: v >= 3 ? 'The group is not empty.' : null },
  ],
});

describe('DeleteGroups', () => {
  it('spans v0-3, flexible from v2', () => {
    expect(DeleteGroups.key).toBe(42);
    expect([DeleteGroups.versions.lo, DeleteGroups.versions.hi]).toEqual([0, 3]);
    for (let v = 0; v <= 3; v++) expect(DeleteGroups.requestHeaderVersion(v)).toBe(v >= 2 ? 2 : 1);
  });

  for (let v = 0; v <= 3; v++) {
    it(`round-trips the request at v${v}`, () => {
      expect(decode(DeleteGroups.request, encode(DeleteGroups.request, body, v), v)).toEqual(body);
    });

    it(`round-trips the response at v${v}`, () => {
      expect(decode(DeleteGroups.response, encode(DeleteGroups.response, fullResponse, v), v)).toEqual(responseAt(v));
    });
  }

  describe('matches what kafkajs 2.2.4 sends', () => {
    for (let v = 0; v <= 1; v++) {
      it(`v${v} request: same bytes, and decodes to the same values`, async () => {
        const req = kafkajs(`v${v}/request`)(['app-1', 'app-2']);
        expect([req.apiKey, req.apiVersion]).toEqual([42, v]);
        const theirs: Buffer = (await req.encode()).buffer;
        expect(encode(DeleteGroups.request, body, v)).toEqual(theirs);
        expect(decode(DeleteGroups.request, theirs, v)).toEqual(body);
      });

      it(`v${v} response: kafkajs reads what we write`, async () => {
        const decoded = await kafkajs(`v${v}/response`).decode(encode(DeleteGroups.response, responseAt(v), v));
        expect(decoded.throttleTimeMs).toBe(25);
        expect(decoded.results.map(({ groupId, errorCode }: { groupId: string; errorCode: number }) => ({ groupId, errorCode }))).toEqual([
          { groupId: 'app-1', errorCode: 0 },
          { groupId: 'app-2', errorCode: 68 },
        ]);
      });
    }
  });
});
