/**
 * CreatePartitions (key 37): v0-3. Flexible from v2.
 *
 * Raises a topic's partition count to Count (it can never go down: INVALID_PARTITIONS). Assignments,
 * when not null, hold one replica list per new partition. v1 differs from v0 only in throttling
 * behaviour; v2 is flexible; v3 may answer THROTTLING_QUOTA_EXCEEDED (KIP-599).
 */
import { defineApi } from '../api.js';
import type { MessageSpec } from '../schema.js';

export interface CreatePartitionsRequest {
  topics: CreatePartitionsTopic[];
  timeoutMs: number;
  validateOnly: boolean;
}

export interface CreatePartitionsTopic {
  name: string;
  count: number;
  assignments: Array<{ brokerIds: number[] }> | null;
}

export interface CreatePartitionsResponse {
  throttleTimeMs: number;
  results: Array<{ name: string; errorCode: number; errorMessage: string | null }>;
}

const request: MessageSpec = {
  apiKey: 37,
  type: 'request',
  name: 'CreatePartitionsRequest',
  validVersions: '0-3',
  flexibleVersions: '2+',
  fields: [
    {
      name: 'Topics',
      type: '[]CreatePartitionsTopic',
      versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        { name: 'Count', type: 'int32', versions: '0+' },
        {
          name: 'Assignments',
          type: '[]CreatePartitionsAssignment',
          versions: '0+',
          nullableVersions: '0+',
          fields: [{ name: 'BrokerIds', type: '[]int32', versions: '0+' }],
        },
      ],
    },
    { name: 'TimeoutMs', type: 'int32', versions: '0+' },
    { name: 'ValidateOnly', type: 'bool', versions: '0+' },
  ],
};

const response: MessageSpec = {
  apiKey: 37,
  type: 'response',
  name: 'CreatePartitionsResponse',
  validVersions: '0-3',
  flexibleVersions: '2+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'Results',
      type: '[]CreatePartitionsTopicResult',
      versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        { name: 'ErrorCode', type: 'int16', versions: '0+' },
        { name: 'ErrorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: 'null' },
      ],
    },
  ],
};

export const CreatePartitions = defineApi<CreatePartitionsRequest, CreatePartitionsResponse>(request, response);
