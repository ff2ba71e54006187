/**
 * OffsetDelete (key 47): v0. Never flexible.
 *
 * Deletes a group's committed offsets for some partitions (KIP-496); refused with
 * GROUP_SUBSCRIBED_TO_TOPIC for a topic the group still consumes. The top-level ErrorCode comes before
 * ThrottleTimeMs here, unlike most responses.
 *
 * Left out: Kafka's development branch has a flexible v1 that travels with a new request header v3
 * (KIP-1313), which this codec does not read.
 */
import { defineApi } from '../api.js';
import type { MessageSpec } from '../schema.js';

export interface OffsetDeleteRequest {
  groupId: string;
  topics: Array<{ name: string; partitions: Array<{ partitionIndex: number }> }>;
}

export interface OffsetDeleteResponse {
  errorCode: number;
  throttleTimeMs: number;
  topics: Array<{ name: string; partitions: Array<{ partitionIndex: number; errorCode: number }> }>;
}

const request: MessageSpec = {
  apiKey: 47,
  type: 'request',
  name: 'OffsetDeleteRequest',
  validVersions: '0',
  flexibleVersions: 'none',
  fields: [
    { name: 'GroupId', type: 'string', versions: '0+' },
    {
      name: 'Topics',
      type: '[]OffsetDeleteRequestTopic',
      versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        {
          name: 'Partitions',
          type: '[]OffsetDeleteRequestPartition',
          versions: '0+',
          fields: [{ name: 'PartitionIndex', type: 'int32', versions: '0+' }],
        },
      ],
    },
  ],
};

const response: MessageSpec = {
  apiKey: 47,
  type: 'response',
  name: 'OffsetDeleteResponse',
  validVersions: '0',
  flexibleVersions: 'none',
  fields: [
    { name: 'ErrorCode', type: 'int16', versions: '0+' },
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'Topics',
      type: '[]OffsetDeleteResponseTopic',
      versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        {
          name: 'Partitions',
          type: '[]OffsetDeleteResponsePartition',
          versions: '0+',
          fields: [
            { name: 'PartitionIndex', type: 'int32', versions: '0+' },
            { name: 'ErrorCode', type: 'int16', versions: '0+' },
          ],
        },
      ],
    },
  ],
};

export const OffsetDelete = defineApi<OffsetDeleteRequest, OffsetDeleteResponse>(request, response);
