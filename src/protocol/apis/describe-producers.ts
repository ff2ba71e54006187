/**
 * DescribeProducers (key 61): v0. Flexible from v0.
 *
 * Sent to a partition leader to list the producers it holds state for: epoch, last sequence and
 * timestamp, and the first offset of each one's open transaction (-1 if none), which is how
 * `kafka-transactions.sh find-hanging` spots a transaction that blocks the last stable offset
 * (KIP-664). ProducerEpoch is an int32 here although epochs are int16 everywhere else.
 */
import { defineApi } from '../api.js';
import type { MessageSpec } from '../schema.js';

export interface DescribeProducersRequest {
  topics: Array<{ name: string; partitionIndexes: number[] }>;
}

export interface DescribeProducersResponse {
  throttleTimeMs: number;
  topics: Array<{
    name: string;
    partitions: Array<{
      partitionIndex: number;
      errorCode: number;
      errorMessage: string | null;
      activeProducers: Array<{
        producerId: bigint;
        producerEpoch: number;
        lastSequence: number;
        lastTimestamp: bigint;
        coordinatorEpoch: number;
        currentTxnStartOffset: bigint;
      }>;
    }>;
  }>;
}

const request: MessageSpec = {
  apiKey: 61,
  type: 'request',
  name: 'DescribeProducersRequest',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [
    {
      name: 'Topics',
      type: '[]TopicRequest',
      versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        { name: 'PartitionIndexes', type: '[]int32', versions: '0+' },
      ],
    },
  ],
};

const response: MessageSpec = {
  apiKey: 61,
  type: 'response',
  name: 'DescribeProducersResponse',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'Topics',
      type: '[]TopicResponse',
      versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        {
          name: 'Partitions',
          type: '[]PartitionResponse',
          versions: '0+',
          fields: [
            { name: 'PartitionIndex', type: 'int32', versions: '0+' },
            { name: 'ErrorCode', type: 'int16', versions: '0+' },
            { name: 'ErrorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: 'null' },
            {
              name: 'ActiveProducers',
              type: '[]ProducerState',
              versions: '0+',
              fields: [
                { name: 'ProducerId', type: 'int64', versions: '0+' },
                { name: 'ProducerEpoch', type: 'int32', versions: '0+' },
                { name: 'LastSequence', type: 'int32', versions: '0+', default: '-1' },
                { name: 'LastTimestamp', type: 'int64', versions: '0+', default: '-1' },
                { name: 'CoordinatorEpoch', type: 'int32', versions: '0+' },
                { name: 'CurrentTxnStartOffset', type: 'int64', versions: '0+', default: '-1' },
              ],
            },
          ],
        },
      ],
    },
  ],
};

export const DescribeProducers = defineApi<DescribeProducersRequest, DescribeProducersResponse>(request, response);
