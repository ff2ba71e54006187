/**
 * DeleteGroups (key 42): v0-3. Flexible from v2.
 *
 * Deletes empty groups and their committed offsets, with a result per group (NON_EMPTY_GROUP while
 * members remain). v1 only moves throttling before the response. v3 adds a per-group ErrorMessage; it
 * is in Kafka's current definition but in no release we know of (Kafka 4.2 stops at v2).
 */
import { defineApi } from '../api.js';
import type { MessageSpec } from '../schema.js';

export interface DeleteGroupsRequest {
  groupsNames: string[];
}

export interface DeleteGroupsResponse {
  throttleTimeMs: number;
  results: Array<{ groupId: string; errorCode: number; errorMessage?: string | null }>;
}

const request: MessageSpec = {
  apiKey: 42,
  type: 'request',
  name: 'DeleteGroupsRequest',
  validVersions: '0-3',
  flexibleVersions: '2+',
  fields: [{ name: 'GroupsNames', type: '[]string', versions: '0+' }],
};

const response: MessageSpec = {
  apiKey: 42,
  type: 'response',
  name: 'DeleteGroupsResponse',
  validVersions: '0-3',
  flexibleVersions: '2+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'Results',
      type: '[]DeletableGroupResult',
      versions: '0+',
      fields: [
        { name: 'GroupId', type: 'string', versions: '0+' },
        { name: 'ErrorCode', type: 'int16', versions: '0+' },
        { name: 'ErrorMessage', type: 'string', versions: '3+', nullableVersions: '3+', default: 'null' },
      ],
    },
  ],
};

export const DeleteGroups = defineApi<DeleteGroupsRequest, DeleteGroupsResponse>(request, response);
