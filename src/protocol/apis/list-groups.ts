/**
 * ListGroups (key 16): v0-5. Flexible from v3.
 *
 * v0-3 list every group the broker coordinates. v4 adds StatesFilter and each group's GroupState
 * (KIP-518); v5 adds TypesFilter and GroupType ("classic", "consumer", …; KIP-848). An empty filter
 * means no filtering.
 */
import { defineApi } from '../api.js';
import type { MessageSpec } from '../schema.js';

export interface ListGroupsRequest {
  statesFilter?: string[];
  typesFilter?: string[];
}

export interface ListGroupsResponse {
  throttleTimeMs?: number;
  errorCode: number;
  groups: Array<{ groupId: string; protocolType: string; groupState?: string; groupType?: string }>;
}

const request: MessageSpec = {
  apiKey: 16,
  type: 'request',
  name: 'ListGroupsRequest',
  validVersions: '0-5',
  flexibleVersions: '3+',
  fields: [
    { name: 'StatesFilter', type: '[]string', versions: '4+' },
    { name: 'TypesFilter', type: '[]string', versions: '5+' },
  ],
};

const response: MessageSpec = {
  apiKey: 16,
  type: 'response',
  name: 'ListGroupsResponse',
  validVersions: '0-5',
  flexibleVersions: '3+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '1+' },
    { name: 'ErrorCode', type: 'int16', versions: '0+' },
    {
      name: 'Groups',
      type: '[]ListedGroup',
      versions: '0+',
      fields: [
        { name: 'GroupId', type: 'string', versions: '0+' },
        { name: 'ProtocolType', type: 'string', versions: '0+' },
        { name: 'GroupState', type: 'string', versions: '4+' },
        { name: 'GroupType', type: 'string', versions: '5+' },
      ],
    },
  ],
};

export const ListGroups = defineApi<ListGroupsRequest, ListGroupsResponse>(request, response);
