import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { Reader } from '../reader.js';
import type { MessageCodec } from '../schema.js';
import { Writer } from '../writer.js';
import { DescribeGroups, type DescribeGroupsRequest, type DescribeGroupsResponse } from './describe-groups.js';

const require = createRequire(import.meta.url);
const kafkajs = (path: string) => require(`kafkajs/src/protocol/requests/describeGroups/${path}.js`);

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

const METADATA = Buffer.from([0, 1, 0, 0, 0, 1, 0, 6, 0x6f, 0x72, 0x64, 0x65, 0x72, 0x73, 0xff, 0xff, 0xff, 0xff]);
const ASSIGNMENT = Buffer.from([0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
const NOT_ASKED = -2147483648;

const full: DescribeGroupsRequest = { groups: ['app-1', 'app-2'], includeAuthorizedOperations: true };
const requestAt = (v: number): DescribeGroupsRequest => ({ groups: ['app-1', 'app-2'], includeAuthorizedOperations: v >= 3 });

const groupsAt = (v: number): DescribeGroupsResponse['groups'] => [
  {
    errorCode: 0,
    errorMessage: null,
    groupId: 'app-1',
    groupState: 'Stable',
    protocolType: 'consumer',
    protocolData: 'RoundRobinAssigner',
    members: [
      {
        memberId: 'member-1',
        groupInstanceId: v >= 4 ? 'instance-1' : null,
        clientId: 'client-1',
        clientHost: '/127.0.0.1',
        memberMetadata: METADATA,
        memberAssignment: ASSIGNMENT,
      },
    ],
    authorizedOperations: v >= 3 ? 0b1100_0000_1000 : NOT_ASKED,
  },
  {
    errorCode: 69,
    errorMessage: v >= 6 ? 'Group app-2 not found.' : null,
    groupId: 'app-2',
    groupState: 'Dead',
    protocolType: '',
    protocolData: '',
    members: [],
    authorizedOperations: v >= 3 ? 0 : NOT_ASKED,
  },
];

const fullResponse: DescribeGroupsResponse = { throttleTimeMs: 25, groups: groupsAt(6) };
const responseAt = (v: number): DescribeGroupsResponse => ({ throttleTimeMs: v >= 1 ? 25 : 0, groups: groupsAt(v) });

describe('DescribeGroups', () => {
  it('spans v0-6, flexible from v5', () => {
    expect(DescribeGroups.key).toBe(15);
    expect([DescribeGroups.versions.lo, DescribeGroups.versions.hi]).toEqual([0, 6]);
    for (let v = 0; v <= 6; v++) expect(DescribeGroups.requestHeaderVersion(v)).toBe(v >= 5 ? 2 : 1);
  });

  for (let v = 0; v <= 6; v++) {
    it(`round-trips the request at v${v}`, () => {
      expect(decode(DescribeGroups.request, encode(DescribeGroups.request, full, v), v)).toEqual(requestAt(v));
      expect(encode(DescribeGroups.request, requestAt(v), v)).toEqual(encode(DescribeGroups.request, full, v));
    });

    it(`round-trips the response at v${v}`, () => {
      expect(decode(DescribeGroups.response, encode(DescribeGroups.response, fullResponse, v), v)).toEqual(responseAt(v));
    });
  }

  describe('matches what kafkajs 2.2.4 sends', () => {
    for (let v = 0; v <= 2; v++) {
      it(`v${v} request: same bytes, and decodes to the same values`, async () => {
        const req = kafkajs(`v${v}/request`)({ groupIds: ['app-1', 'app-2'] });
        expect([req.apiKey, req.apiVersion]).toEqual([15, v]);
        const theirs: Buffer = (await req.encode()).buffer;
        expect(encode(DescribeGroups.request, requestAt(v), v)).toEqual(theirs);
        expect(decode(DescribeGroups.request, theirs, v)).toEqual(requestAt(v));
      });

      it(`v${v} response: kafkajs reads what we write`, async () => {
        const decoded = await kafkajs(`v${v}/response`).decode(encode(DescribeGroups.response, responseAt(v), v));
        expect(decoded.groups).toEqual([
          {
            errorCode: 0,
            groupId: 'app-1',
            state: 'Stable',
            protocolType: 'consumer',
            protocol: 'RoundRobinAssigner',
            members: [{ memberId: 'member-1', clientId: 'client-1', clientHost: '/127.0.0.1', memberMetadata: METADATA, memberAssignment: ASSIGNMENT }],
          },
          { errorCode: 69, groupId: 'app-2', state: 'Dead', protocolType: '', protocol: '', members: [] },
        ]);
        if (v === 1) expect(decoded.throttleTime).toBe(25);
        if (v === 2) expect(decoded.clientSideThrottleTime).toBe(25);
      });
    }
  });
});
