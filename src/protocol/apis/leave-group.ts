/**
 * LeaveGroup (key 13): v0-5. Flexible from v4.
 *
 * v0-2 remove the one member named by MemberId. v3 replaces it with a batch of Members (member id and
 * static instance id, so an admin can remove static members, KIP-345), answered per member. v1 adds
 * throttle time; v5 adds the leaving member's Reason (KIP-800).
 */
import { defineApi } from '../api.js';
import type { MessageSpec } from '../schema.js';

export interface LeaveGroupRequest {
  groupId: string;
  memberId?: string;
  members?: Array<{ memberId: string; groupInstanceId: string | null; reason?: string | null }>;
}

export interface LeaveGroupResponse {
  throttleTimeMs?: number;
  errorCode: number;
  members?: Array<{ memberId: string; groupInstanceId: string | null; errorCode: number }>;
}

const request: MessageSpec = {
  apiKey: 13,
  type: 'request',
  name: 'LeaveGroupRequest',
  validVersions: '0-5',
  flexibleVersions: '4+',
  fields: [
    { name: 'GroupId', type: 'string', versions: '0+' },
    { name: 'MemberId', type: 'string', versions: '0-2' },
    {
      name: 'Members',
      type: '[]MemberIdentity',
      versions: '3+',
      fields: [
        { name: 'MemberId', type: 'string', versions: '3+' },
        { name: 'GroupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: 'null' },
        { name: 'Reason', type: 'string', versions: '5+', nullableVersions: '5+', default: 'null' },
      ],
    },
  ],
};

const response: MessageSpec = {
  apiKey: 13,
  type: 'response',
  name: 'LeaveGroupResponse',
  validVersions: '0-5',
  flexibleVersions: '4+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '1+' },
    { name: 'ErrorCode', type: 'int16', versions: '0+' },
    {
      name: 'Members',
      type: '[]MemberResponse',
      versions: '3+',
      fields: [
        { name: 'MemberId', type: 'string', versions: '3+' },
        { name: 'GroupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+' },
        { name: 'ErrorCode', type: 'int16', versions: '3+' },
      ],
    },
  ],
};

export const LeaveGroup = defineApi<LeaveGroupRequest, LeaveGroupResponse>(request, response);
