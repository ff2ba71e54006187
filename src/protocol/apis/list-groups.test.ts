import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { Reader } from '../reader.js';
import type { MessageCodec } from '../schema.js';
import { Writer } from '../writer.js';
import { ListGroups, type ListGroupsRequest, type ListGroupsResponse } from './list-groups.js';

const require = createRequire(import.meta.url);
const kafkajs = (path: string) => require(`kafkajs/src/protocol/requests/listGroups/${path}.js`);

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

const full: ListGroupsRequest = { statesFilter: ['Stable', 'Empty'], typesFilter: ['classic'] };
const requestAt = (v: number): ListGroupsRequest => ({
  statesFilter: v >= 4 ? ['Stable', 'Empty'] : [],
  typesFilter: v >= 5 ? ['classic'] : [],
});

const fullResponse: ListGroupsResponse = {
  throttleTimeMs: 25,
  errorCode: 15,
  groups: [
    { groupId: 'app-1', protocolType: 'consumer', groupState: 'Stable', groupType: 'classic' },
    { groupId: 'connect-1', protocolType: 'connect', groupState: 'Empty', groupType: 'classic' },
  ],
};
const responseAt = (v: number): ListGroupsResponse => ({
  throttleTimeMs: v >= 1 ? 25 : 0,
  errorCode: 15,
  groups: [
    { groupId: 'app-1', protocolType: 'consumer', groupState: v >= 4 ? 'Stable' : '', groupType: v >= 5 ? 'classic' : '' },
    { groupId: 'connect-1', protocolType: 'connect', groupState: v >= 4 ? 'Empty' : '', groupType: v >= 5 ? 'classic' : '' },
  ],
});

describe('ListGroups', () => {
  it('spans v0-5, flexible from v3', () => {
    expect(ListGroups.key).toBe(16);
    expect([ListGroups.versions.lo, ListGroups.versions.hi]).toEqual([0, 5]);
    for (let v = 0; v <= 5; v++) expect(ListGroups.requestHeaderVersion(v)).toBe(v >= 3 ? 2 : 1);
  });

  for (let v = 0; v <= 5; v++) {
    it(`round-trips the request at v${v}`, () => {
      expect(decode(ListGroups.request, encode(ListGroups.request, full, v), v)).toEqual(requestAt(v));
      expect(encode(ListGroups.request, requestAt(v), v)).toEqual(encode(ListGroups.request, full, v));
    });

    it(`round-trips the response at v${v}`, () => {
      expect(decode(ListGroups.response, encode(ListGroups.response, fullResponse, v), v)).toEqual(responseAt(v));
    });
  }

  it('v0-2 requests have an empty body; v3 is only the tagged-field count', () => {
    for (let v = 0; v <= 2; v++) expect(encode(ListGroups.request, {}, v).length).toBe(0);
    expect(encode(ListGroups.request, {}, 3)).toEqual(Buffer.from([0]));
  });

  describe('matches what kafkajs 2.2.4 sends', () => {
    for (let v = 0; v <= 2; v++) {
      it(`v${v} request: same bytes, and decodes to the same values`, async () => {
        const req = kafkajs(`v${v}/request`)();
        expect([req.apiKey, req.apiVersion]).toEqual([16, v]);
        const theirs: Buffer = (await req.encode()).buffer;
        expect(encode(ListGroups.request, requestAt(v), v)).toEqual(theirs);
        expect(decode(ListGroups.request, theirs, v)).toEqual(requestAt(v));
      });

      it(`v${v} response: kafkajs reads what we write`, async () => {
        const decoded = await kafkajs(`v${v}/response`).decode(encode(ListGroups.response, responseAt(v), v));
        expect(decoded.errorCode).toBe(15);
        expect(decoded.groups).toEqual([
          { groupId: 'app-1', protocolType: 'consumer' },
          { groupId: 'connect-1', protocolType: 'connect' },
        ]);
        if (v === 1) expect(decoded.throttleTime).toBe(25);
        if (v === 2) expect(decoded.clientSideThrottleTime).toBe(25);
      });
    }
  });
});
