/**
 * SyncGroup (key 14): v0-5. Flexible from v4.
 *
 * Every member sends it after JoinGroup; only the leader's carries Assignments, and each member gets
 * its own assignment back. v1 adds throttle time; v3 the static member's GroupInstanceId; v5 has the
 * client send ProtocolType and ProtocolName, which the broker checks against the group's and echoes
 * (KIP-559).
 */
import { defineApi } from '../api.js';
import type { MessageSpec } from '../schema.js';

export interface SyncGroupRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId?: string | null;
  protocolType?: string | null;
  protocolName?: string | null;
  assignments: Array<{ memberId: string; assignment: Buffer }>;
}

export interface SyncGroupResponse {
  throttleTimeMs?: number;
  errorCode: number;
  protocolType?: string | null;
  protocolName?: string | null;
  assignment: Buffer;
}

const request: MessageSpec = {
  apiKey: 14,
  type: 'request',
  name: 'SyncGroupRequest',
  validVersions: '0-5',
  flexibleVersions: '4+',
  fields: [
    { name: 'GroupId', type: 'string', versions: '0+' },
    { name: 'GenerationId', type: 'int32', versions: '0+' },
    { name: 'MemberId', type: 'string', versions: '0+' },
    { name: 'GroupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: 'null' },
    { name: 'ProtocolType', type: 'string', versions: '5+', nullableVersions: '5+', default: 'null' },
    { name: 'ProtocolName', type: 'string', versions: '5+', nullableVersions: '5+', default: 'null' },
    {
      name: 'Assignments',
      type: '[]SyncGroupRequestAssignment',
      versions: '0+',
      fields: [
        { name: 'MemberId', type: 'string', versions: '0+' },
        { name: 'Assignment', type: 'bytes', versions: '0+' },
      ],
    },
  ],
};

const response: MessageSpec = {
  apiKey: 14,
  type: 'response',
  name: 'SyncGroupResponse',
  validVersions: '0-5',
  flexibleVersions: '4+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '1+' },
    { name: 'ErrorCode', type: 'int16', versions: '0+' },
    { name: 'ProtocolType', type: 'string', versions: '5+', nullableVersions: '5+', default: 'null' },
    { name: 'ProtocolName', type: 'string', versions: '5+', nullableVersions: '5+', default: 'null' },
    { name: 'Assignment', type: 'bytes', versions: '0+' },
  ],
};

export const SyncGroup = defineApi<SyncGroupRequest, SyncGroupResponse>(request, response);
