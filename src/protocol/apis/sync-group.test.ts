import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { Reader } from '../reader.js';
import type { MessageCodec } from '../schema.js';
import { Writer } from '../writer.js';
import { SyncGroup, type SyncGroupRequest, type SyncGroupResponse } from './sync-group.js';

const require = createRequire(import.meta.url);
const kafkajs = (path: string) => require(`kafkajs/src/protocol/requests/syncGroup/${path}.js`);

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

const ASSIGNMENT_1 = Buffer.from([0, 1, 0, 0, 0, 1, 0, 6, 0x6f, 0x72, 0x64, 0x65, 0x72, 0x73, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
const ASSIGNMENT_2 = Buffer.from([0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);

const full: SyncGroupRequest = {
  groupId: 'app-1',
  generationId: 3,
  memberId: 'member-1',
  groupInstanceId: 'instance-1',
  protocolType: 'consumer',
  protocolName: 'RoundRobinAssigner',
  assignments: [
    { memberId: 'member-1', assignment: ASSIGNMENT_1 },
    { memberId: 'member-2', assignment: ASSIGNMENT_2 },
  ],
};

const requestAt = (v: number): SyncGroupRequest => ({
  ...full,
  groupInstanceId: v >= 3 ? 'instance-1' : null,
  protocolType: v >= 5 ? 'consumer' : null,
  protocolName: v >= 5 ? 'RoundRobinAssigner' : null,
});

const fullResponse: SyncGroupResponse = {
  throttleTimeMs: 25,
  errorCode: 27,
  protocolType: 'consumer',
  protocolName: 'RoundRobinAssigner',
  assignment: ASSIGNMENT_1,
};

const responseAt = (v: number): SyncGroupResponse => ({
  throttleTimeMs: v >= 1 ? 25 : 0,
  errorCode: 27,
  protocolType: v >= 5 ? 'consumer' : null,
  protocolName: v >= 5 ? 'RoundRobinAssigner' : null,
  assignment: ASSIGNMENT_1,
});

describe('SyncGroup', () => {
  it('spans v0-5, flexible from v4', () => {
    expect(SyncGroup.key).toBe(14);
    expect([SyncGroup.versions.lo, SyncGroup.versions.hi]).toEqual([0, 5]);
    for (let v = 0; v <= 5; v++) expect(SyncGroup.requestHeaderVersion(v)).toBe(v >= 4 ? 2 : 1);
  });

  for (let v = 0; v <= 5; v++) {
    it(`round-trips the request at v${v}`, () => {
      expect(decode(SyncGroup.request, encode(SyncGroup.request, full, v), v)).toEqual(requestAt(v));
      expect(encode(SyncGroup.request, requestAt(v), v)).toEqual(encode(SyncGroup.request, full, v));
    });

    it(`round-trips the response at v${v}`, () => {
      expect(decode(SyncGroup.response, encode(SyncGroup.response, fullResponse, v), v)).toEqual(responseAt(v));
    });
  }

  it('round-trips a follower request (no assignments) and null protocol fields at v5', () => {
    const body = { ...requestAt(5), groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] };
    expect(decode(SyncGroup.request, encode(SyncGroup.request, body, 5), 5)).toEqual(body);
  });

  describe('matches what kafkajs 2.2.4 sends', () => {
    const kafkajsArgs = {
      groupId: 'app-1',
      generationId: 3,
      memberId: 'member-1',
      groupInstanceId: 'instance-1',
      groupAssignment: [
        { memberId: 'member-1', memberAssignment: ASSIGNMENT_1 },
        { memberId: 'member-2', memberAssignment: ASSIGNMENT_2 },
      ],
    };

    for (let v = 0; v <= 3; v++) {
      it(`v${v} request: same bytes, and decodes to the same values`, async () => {
        const req = kafkajs(`v${v}/request`)(kafkajsArgs);
        expect([req.apiKey, req.apiVersion]).toEqual([14, v]);
        const theirs: Buffer = (await req.encode()).buffer;
        expect(encode(SyncGroup.request, requestAt(v), v)).toEqual(theirs);
        expect(decode(SyncGroup.request, theirs, v)).toEqual(requestAt(v));
      });

      it(`v${v} response: kafkajs reads what we write`, async () => {
        const decoded = await kafkajs(`v${v}/response`).decode(encode(SyncGroup.response, responseAt(v), v));
        expect(decoded.errorCode).toBe(27);
        expect(decoded.memberAssignment).toEqual(ASSIGNMENT_1);
        if (v === 1) expect(decoded.throttleTime).toBe(25);
        if (v >= 2) expect(decoded.clientSideThrottleTime).toBe(25);
      });
    }
  });
});
