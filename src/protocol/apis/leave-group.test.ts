import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { Reader } from '../reader.js';
import type { MessageCodec } from '../schema.js';
import { Writer } from '../writer.js';
import { LeaveGroup, type LeaveGroupRequest, type LeaveGroupResponse } from './leave-group.js';

const require = createRequire(import.meta.url);
const kafkajs = (path: string) => require(`kafkajs/src/protocol/requests/leaveGroup/${path}.js`);

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

const full: LeaveGroupRequest = {
  groupId: 'app-1',
  memberId: 'member-1',
  members: [
    { memberId: 'member-1', groupInstanceId: null, reason: 'consumer closed' },
    { memberId: '', groupInstanceId: 'instance-2', reason: null },
  ],
};

const requestAt = (v: number): LeaveGroupRequest => ({
  groupId: 'app-1',
  memberId: v <= 2 ? 'member-1' : '',
  members:
    v >= 3
      ? [
          { memberId: 'member-1', groupInstanceId: null, reason: v >= 5 ? 'consumer closed' : null },
          { memberId: '', groupInstanceId: 'instance-2', reason: null },
        ]
      : [],
});

const members = [
  { memberId: 'member-1', groupInstanceId: null, errorCode: 0 },
  { memberId: '', groupInstanceId: 'instance-2', errorCode: 25 },
];
const fullResponse: LeaveGroupResponse = { throttleTimeMs: 25, errorCode: 16, members };
const responseAt = (v: number): LeaveGroupResponse => ({ throttleTimeMs: v >= 1 ? 25 : 0, errorCode: 16, members: v >= 3 ? members : [] });

describe('LeaveGroup', () => {
  it('spans v0-5, flexible from v4', () => {
    expect(LeaveGroup.key).toBe(13);
    expect([LeaveGroup.versions.lo, LeaveGroup.versions.hi]).toEqual([0, 5]);
    for (let v = 0; v <= 5; v++) expect(LeaveGroup.requestHeaderVersion(v)).toBe(v >= 4 ? 2 : 1);
  });

  for (let v = 0; v <= 5; v++) {
    it(`round-trips the request at v${v}`, () => {
      expect(decode(LeaveGroup.request, encode(LeaveGroup.request, full, v), v)).toEqual(requestAt(v));
      expect(encode(LeaveGroup.request, requestAt(v), v)).toEqual(encode(LeaveGroup.request, full, v));
    });

    it(`round-trips the response at v${v}`, () => {
      expect(decode(LeaveGroup.response, encode(LeaveGroup.response, fullResponse, v), v)).toEqual(responseAt(v));
    });
  }

  describe('matches what kafkajs 2.2.4 sends', () => {
    const kafkajsArgs = (v: number) =>
      v <= 2
        ? { groupId: 'app-1', memberId: 'member-1' }
        : {
            groupId: 'app-1',
            members: [{ memberId: 'member-1' }, { memberId: '', groupInstanceId: 'instance-2' }],
          };

    for (let v = 0; v <= 3; v++) {
      it(`v${v} request: same bytes, and decodes to the same values`, async () => {
        const req = kafkajs(`v${v}/request`)(kafkajsArgs(v));
        expect([req.apiKey, req.apiVersion]).toEqual([13, v]);
        const theirs: Buffer = (await req.encode()).buffer;
        expect(encode(LeaveGroup.request, requestAt(v), v)).toEqual(theirs);
        expect(decode(LeaveGroup.request, theirs, v)).toEqual(requestAt(v));
      });

      it(`v${v} response: kafkajs reads what we write`, async () => {
        const decoded = await kafkajs(`v${v}/response`).decode(encode(LeaveGroup.response, responseAt(v), v));
        expect(decoded.errorCode).toBe(16);
        if (v === 1) expect(decoded.throttleTime).toBe(25);
        if (v >= 2) expect(decoded.clientSideThrottleTime).toBe(25);
        if (v === 3) expect(decoded.members).toEqual(members);
      });
    }
  });
});
