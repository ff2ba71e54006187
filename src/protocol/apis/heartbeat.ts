/**
 * Heartbeat (key 12): v0-4. Flexible from v4.
 *
 * v1 adds throttle time to the response; v3 adds the static member's GroupInstanceId. A member learns
 * that a rebalance has begun from the REBALANCE_IN_PROGRESS answer, so the error code is the message.
 */
import { defineApi } from '../api.js';
import type { MessageSpec } from '../schema.js';

export interface HeartbeatRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId?: string | null;
}

export interface HeartbeatResponse {
  throttleTimeMs?: number;
  errorCode: number;
}

const request: MessageSpec = {
  apiKey: 12,
  type: 'request',
  name: 'HeartbeatRequest',
  validVersions: '0-4',
  flexibleVersions: '4+',
  fields: [
    { name: 'GroupId', type: 'string', versions: '0+' },
    { name: 'GenerationId', type: 'int32', versions: '0+' },
    { name: 'MemberId', type: 'string', versions: '0+' },
    { name: 'GroupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: 'null' },
  ],
};

const response: MessageSpec = {
  apiKey: 12,
  type: 'response',
  name: 'HeartbeatResponse',
  validVersions: '0-4',
  flexibleVersions: '4+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '1+' },
    { name: 'ErrorCode', type: 'int16', versions: '0+' },
  ],
};

export const Heartbeat = defineApi<HeartbeatRequest, HeartbeatResponse>(request, response);
