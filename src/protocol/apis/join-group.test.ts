import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { Reader } from '../reader.js';
import type { MessageCodec } from '../schema.js';
import { Writer } from '../writer.js';
import { JoinGroup, type JoinGroupRequest, type JoinGroupResponse } from './join-group.js';

const require = createRequire(import.meta.url);
const kafkajs = (path: string) => require(`kafkajs/src/protocol/requests/joinGroup/${path}.js`);

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

const SUBSCRIPTION = Buffer.from([0, 1, 0, 0, 0, 1, 0, 6, 0x6f, 0x72, 0x64, 0x65, 0x72, 0x73, 0xff, 0xff, 0xff, 0xff]);

const full: JoinGroupRequest = {
  groupId: 'app-1',
  sessionTimeoutMs: 30_000,
  rebalanceTimeoutMs: 60_000,
  memberId: 'member-1',
  groupInstanceId: 'instance-1',
  protocolType: 'consumer',
  protocols: [
    { name: 'RoundRobinAssigner', metadata: SUBSCRIPTION },
    { name: 'range', metadata: Buffer.alloc(0) },
  ],
  reason: 'rebalance needed',
};

const requestAt = (v: number): JoinGroupRequest => ({
  ...full,
  rebalanceTimeoutMs: v >= 1 ? 60_000 : -1,
  groupInstanceId: v >= 5 ? 'instance-1' : null,
  reason: v >= 8 ? 'rebalance needed' : null,
});

const fullResponse: JoinGroupResponse = {
  throttleTimeMs: 25,
  errorCode: 27,
  generationId: 3,
  protocolType: 'consumer',
  protocolName: 'RoundRobinAssigner',
  leader: 'member-1',
  skipAssignment: true,
  memberId: 'member-1',
  members: [
    { memberId: 'member-1', groupInstanceId: 'instance-1', metadata: SUBSCRIPTION },
    { memberId: 'member-2', groupInstanceId: null, metadata: Buffer.from([1, 2, 3]) },
  ],
};

const responseAt = (v: number): JoinGroupResponse => ({
  ...fullResponse,
  throttleTimeMs: v >= 2 ? 25 : 0,
  protocolType: v >= 7 ? 'consumer' : null,
  skipAssignment: v >= 9,
  members: [
    { memberId: 'member-1', groupInstanceId: v >= 5 ? 'instance-1' : null, metadata: SUBSCRIPTION },
    { memberId: 'member-2', groupInstanceId: null, metadata: Buffer.from([1, 2, 3]) },
  ],
});

describe('JoinGroup', () => {
  it('spans v0-9, flexible from v6', () => {
    expect(JoinGroup.key).toBe(11);
    expect([JoinGroup.versions.lo, JoinGroup.versions.hi]).toEqual([0, 9]);
    for (let v = 0; v <= 9; v++) expect(JoinGroup.requestHeaderVersion(v)).toBe(v >= 6 ? 2 : 1);
  });

  for (let v = 0; v <= 9; v++) {
    it(`round-trips the request at v${v}`, () => {
      expect(decode(JoinGroup.request, encode(JoinGroup.request, full, v), v)).toEqual(requestAt(v));
      expect(encode(JoinGroup.request, requestAt(v), v)).toEqual(encode(JoinGroup.request, full, v));
    });

    it(`round-trips the response at v${v}`, () => {
      expect(decode(JoinGroup.response, encode(JoinGroup.response, fullResponse, v), v)).toEqual(responseAt(v));
    });
  }

  it('lets ProtocolName be null from v7 only', () => {
    for (let v = 7; v <= 9; v++) {
      const body = { ...responseAt(v), protocolName: null, protocolType: null };
      expect(decode(JoinGroup.response, encode(JoinGroup.response, body, v), v)).toEqual(body);
    }
    expect(() => encode(JoinGroup.response, { ...responseAt(6), protocolName: null }, 6)).toThrow(/cannot be/);
  });

  describe('matches what kafkajs 2.2.4 sends', () => {
    const kafkajsArgs = {
      groupId: 'app-1',
      sessionTimeout: 30_000,
      rebalanceTimeout: 60_000,
      memberId: 'member-1',
      groupInstanceId: 'instance-1',
      protocolType: 'consumer',
      groupProtocols: [
        { name: 'RoundRobinAssigner', metadata: SUBSCRIPTION },
        { name: 'range', metadata: Buffer.alloc(0) },
      ],
    };

    for (let v = 0; v <= 5; v++) {
      it(`v${v} request: same bytes, and decodes to the same values`, async () => {
        const req = kafkajs(`v${v}/request`)(kafkajsArgs);
        expect([req.apiKey, req.apiVersion]).toEqual([11, v]);
        const theirs: Buffer = (await req.encode()).buffer;
        expect(encode(JoinGroup.request, requestAt(v), v)).toEqual(theirs);
        expect(decode(JoinGroup.request, theirs, v)).toEqual(requestAt(v));
      });

      it(`v${v} response: kafkajs reads what we write`, async () => {
        const decoded = await kafkajs(`v${v}/response`).decode(encode(JoinGroup.response, responseAt(v), v));
        expect(decoded).toMatchObject({
          errorCode: 27,
          generationId: 3,
          groupProtocol: 'RoundRobinAssigner',
          leaderId: 'member-1',
          memberId: 'member-1',
        });
        expect(decoded.members.map((m: { memberId: string }) => m.memberId)).toEqual(['member-1', 'member-2']);
        expect(decoded.members[0].memberMetadata).toEqual(SUBSCRIPTION);
        if (v === 5) expect(decoded.members.map((m: { groupInstanceId: string | null }) => m.groupInstanceId)).toEqual(['instance-1', null]);
        if (v === 2) expect(decoded.throttleTime).toBe(25);
        if (v >= 3) expect(decoded.clientSideThrottleTime).toBe(25);
      });
    }
  });
});
