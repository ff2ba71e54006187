/**
 * DeleteRecords (key 21): v0-2. Flexible from v2.
 *
 * Moves a partition's log start offset forward to Offset (-1 means the high watermark); segments
 * wholly below it become deletable. The answer's LowWatermark is the new log start offset.
 * v1 differs from v0 only in throttling behaviour; v2 is flexible.
 */
import { defineApi } from '../api.js';
import type { MessageSpec } from '../schema.js';

export interface DeleteRecordsRequest {
  topics: Array<{ name: string; partitions: Array<{ partitionIndex: number; offset: bigint }> }>;
  timeoutMs: number;
}

export interface DeleteRecordsResponse {
  throttleTimeMs: number;
  topics: DeleteRecordsTopicResult[];
}

export interface DeleteRecordsTopicResult {
  name: string;
  partitions: Array<{ partitionIndex: number; lowWatermark: bigint; errorCode: number }>;
}

const request: MessageSpec = {
  apiKey: 21,
  type: 'request',
  name: 'DeleteRecordsRequest',
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [
    {
      name: 'Topics',
      type: '[]DeleteRecordsTopic',
      versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        {
          name: 'Partitions',
          type: '[]DeleteRecordsPartition',
          versions: '0+',
          fields: [
            { name: 'PartitionIndex', type: 'int32', versions: '0+' },
            { name: 'Offset', type: 'int64', versions: '0+' },
          ],
        },
      ],
    },
    { name: 'TimeoutMs', type: 'int32', versions: '0+' },
  ],
};

const response: MessageSpec = {
  apiKey: 21,
  type: 'response',
  name: 'DeleteRecordsResponse',
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'Topics',
      type: '[]DeleteRecordsTopicResult',
      versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        {
          name: 'Partitions',
          type: '[]DeleteRecordsPartitionResult',
          versions: '0+',
          fields: [
            { name: 'PartitionIndex', type: 'int32', versions: '0+' },
            { name: 'LowWatermark', type: 'int64', versions: '0+' },
            { name: 'ErrorCode', type: 'int16', versions: '0+' },
          ],
        },
      ],
    },
  ],
};

export const DeleteRecords = defineApi<DeleteRecordsRequest, DeleteRecordsResponse>(request, response);
