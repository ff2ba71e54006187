/**
 * JoinGroup (key 11): v0-9. Flexible from v6.
 *
 * v0 has no RebalanceTimeoutMs: the session timeout stands in for it. v2 adds throttle time. From v4
 * a member joining with an empty member id is answered MEMBER_ID_REQUIRED together with the id it
 * must rejoin with (KIP-394). v5 adds the static member's GroupInstanceId, in the request and for each
 * member in the leader's response. v7's response echoes ProtocolType and may give a null
 * ProtocolName; v8 adds the client's Reason (KIP-800); v9 adds SkipAssignment, which tells a
 * rejoining static leader that it leads but must not compute a new assignment (KIP-814).
 */
import { defineApi } from '../api.js';
import type { MessageSpec } from '../schema.js';

export interface JoinGroupRequest {
  groupId: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs?: number;
  memberId: string;
  groupInstanceId?: string | null;
  protocolType: string;
  protocols: Array<{ name: string; metadata: Buffer }>;
  reason?: string | null;
}

export interface JoinGroupResponse {
  throttleTimeMs?: number;
  errorCode: number;
  generationId: number;
  protocolType?: string | null;
  /** Null allowed from v7. */
  protocolName: string | null;
  leader: string;
  skipAssignment?: boolean;
  memberId: string;
  members: Array<{ memberId: string; groupInstanceId?: string | null; metadata: Buffer }>;
}

const request: MessageSpec = {
  apiKey: 11,
  type: 'request',
  name: 'JoinGroupRequest',
  validVersions: '0-9',
  flexibleVersions: '6+',
  fields: [
    { name: 'GroupId', type: 'string', versions: '0+' },
    { name: 'SessionTimeoutMs', type: 'int32', versions: '0+' },
    { name: 'RebalanceTimeoutMs', type: 'int32', versions: '1+', default: '-1' },
    { name: 'MemberId', type: 'string', versions: '0+' },
    { name: 'GroupInstanceId', type: 'string', versions: '5+', nullableVersions: '5+', default: 'null' },
    { name: 'ProtocolType', type: 'string', versions: '0+' },
    {
      name: 'Protocols',
      type: '[]JoinGroupRequestProtocol',
      versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        { name: 'Metadata', type: 'bytes', versions: '0+' },
      ],
    },
    { name: 'Reason', type: 'string', versions: '8+', nullableVersions: '8+', default: 'null' },
  ],
};

const response: MessageSpec = {
  apiKey: 11,
  type: 'response',
  name: 'JoinGroupResponse',
  validVersions: '0-9',
  flexibleVersions: '6+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '2+' },
    { name: 'ErrorCode', type: 'int16', versions: '0+' },
    { name: 'GenerationId', type: 'int32', versions: '0+', default: '-1' },
    { name: 'ProtocolType', type: 'string', versions: '7+', nullableVersions: '7+', default: 'null' },
    { name: 'ProtocolName', type: 'string', versions: '0+', nullableVersions: '7+' },
    { name: 'Leader', type: 'string', versions: '0+' },
    { name: 'SkipAssignment', type: 'bool', versions: '9+', default: 'false' },
    { name: 'MemberId', type: 'string', versions: '0+' },
    {
      name: 'Members',
      type: '[]JoinGroupResponseMember',
      versions: '0+',
      fields: [
        { name: 'MemberId', type: 'string', versions: '0+' },
        { name: 'GroupInstanceId', type: 'string', versions: '5+', nullableVersions: '5+', default: 'null' },
        { name: 'Metadata', type: 'bytes', versions: '0+' },
      ],
    },
  ],
};

export const JoinGroup = defineApi<JoinGroupRequest, JoinGroupResponse>(request, response);
