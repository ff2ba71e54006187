/**
 * DescribeGroups (key 15): v0-6. Flexible from v5.
 *
 * v1 adds throttle time; v3 lets the client ask for the group's authorized operations (the field's
 * default, INT32_MIN, means "not asked"); v4 shows each member's static GroupInstanceId. From v6 an
 * unknown group is answered GROUP_ID_NOT_FOUND with an ErrorMessage (KIP-1043) instead of a Dead
 * group with no members.
 */
import { defineApi } from '../api.js';
import type { MessageSpec } from '../schema.js';

export interface DescribeGroupsRequest {
  groups: string[];
  includeAuthorizedOperations?: boolean;
}

export interface DescribeGroupsResponse {
  throttleTimeMs?: number;
  groups: Array<{
    errorCode: number;
    errorMessage?: string | null;
    groupId: string;
    groupState: string;
    protocolType: string;
    protocolData: string;
    members: Array<{
      memberId: string;
      groupInstanceId?: string | null;
      clientId: string;
      clientHost: string;
      memberMetadata: Buffer;
      memberAssignment: Buffer;
    }>;
    authorizedOperations?: number;
  }>;
}

const request: MessageSpec = {
  apiKey: 15,
  type: 'request',
  name: 'DescribeGroupsRequest',
  validVersions: '0-6',
  flexibleVersions: '5+',
  fields: [
    { name: 'Groups', type: '[]string', versions: '0+' },
    { name: 'IncludeAuthorizedOperations', type: 'bool', versions: '3+', default: 'false' },
  ],
};

const response: MessageSpec = {
  apiKey: 15,
  type: 'response',
  name: 'DescribeGroupsResponse',
  validVersions: '0-6',
  flexibleVersions: '5+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '1+' },
    {
      name: 'Groups',
      type: '[]DescribedGroup',
      versions: '0+',
      fields: [
        { name: 'ErrorCode', type: 'int16', versions: '0+' },
        { name: 'ErrorMessage', type: 'string', versions: '6+', nullableVersions: '6+', default: 'null' },
        { name: 'GroupId', type: 'string', versions: '0+' },
        { name: 'GroupState', type: 'string', versions: '0+' },
        { name: 'ProtocolType', type: 'string', versions: '0+' },
        { name: 'ProtocolData', type: 'string', versions: '0+' },
        {
          name: 'Members',
          type: '[]DescribedGroupMember',
          versions: '0+',
          fields: [
            { name: 'MemberId', type: 'string', versions: '0+' },
            { name: 'GroupInstanceId', type: 'string', versions: '4+', nullableVersions: '4+', default: 'null' },
            { name: 'ClientId', type: 'string', versions: '0+' },
            { name: 'ClientHost', type: 'string', versions: '0+' },
            { name: 'MemberMetadata', type: 'bytes', versions: '0+' },
            { name: 'MemberAssignment', type: 'bytes', versions: '0+' },
          ],
        },
        { name: 'AuthorizedOperations', type: 'int32', versions: '3+', default: '-2147483648' },
      ],
    },
  ],
};

export const DescribeGroups = defineApi<DescribeGroupsRequest, DescribeGroupsResponse>(request, response);
