/**
 * WriteTxnMarkers (key 27): v0-2. Flexible from v1.
 *
 * Sent by a transaction coordinator to partition leaders, never by clients: write a COMMIT
 * (TransactionResult = true) or ABORT control batch for the producer on each listed partition.
 * v1 only makes the messages flexible. v2 adds the marker's TransactionVersion (KIP-1228, Kafka 4.2)
 * so that a leader can hold transaction-version-2 markers to a strictly newer epoch.
 *
 * Range extended downward: Kafka 4.x lists v1-2 (KIP-896 removed v0); v0 is v1's layout without
 * flexible encoding, as the older definition lists it.
 */
import { defineApi } from '../api.js';
import type { MessageSpec } from '../schema.js';

export interface WriteTxnMarkersRequest {
  markers: Array<{
    producerId: bigint;
    producerEpoch: number;
    transactionResult: boolean;
    topics: Array<{ name: string; partitionIndexes: number[] }>;
    coordinatorEpoch: number;
    transactionVersion?: number;
  }>;
}

export interface WriteTxnMarkersResponse {
  markers: Array<{
    producerId: bigint;
    topics: Array<{ name: string; partitions: Array<{ partitionIndex: number; errorCode: number }> }>;
  }>;
}

const request: MessageSpec = {
  apiKey: 27,
  type: 'request',
  name: 'WriteTxnMarkersRequest',
  validVersions: '0-2',
  flexibleVersions: '1+',
  fields: [
    {
      name: 'Markers',
      type: '[]WritableTxnMarker',
      versions: '0+',
      fields: [
        { name: 'ProducerId', type: 'int64', versions: '0+' },
        { name: 'ProducerEpoch', type: 'int16', versions: '0+' },
        { name: 'TransactionResult', type: 'bool', versions: '0+' },
        {
          name: 'Topics',
          type: '[]WritableTxnMarkerTopic',
          versions: '0+',
          fields: [
            { name: 'Name', type: 'string', versions: '0+' },
            { name: 'PartitionIndexes', type: '[]int32', versions: '0+' },
          ],
        },
        { name: 'CoordinatorEpoch', type: 'int32', versions: '0+' },
        { name: 'TransactionVersion', type: 'int8', versions: '2+', default: '0' },
      ],
    },
  ],
};

const response: MessageSpec = {
  apiKey: 27,
  type: 'response',
  name: 'WriteTxnMarkersResponse',
  validVersions: '0-2',
  flexibleVersions: '1+',
  fields: [
    {
      name: 'Markers',
      type: '[]WritableTxnMarkerResult',
      versions: '0+',
      fields: [
        { name: 'ProducerId', type: 'int64', versions: '0+' },
        {
          name: 'Topics',
          type: '[]WritableTxnMarkerTopicResult',
          versions: '0+',
          fields: [
            { name: 'Name', type: 'string', versions: '0+' },
            {
              name: 'Partitions',
              type: '[]WritableTxnMarkerPartitionResult',
              versions: '0+',
              fields: [
                { name: 'PartitionIndex', type: 'int32', versions: '0+' },
                { name: 'ErrorCode', type: 'int16', versions: '0+' },
              ],
            },
          ],
        },
      ],
    },
  ],
};

export const WriteTxnMarkers = defineApi<WriteTxnMarkersRequest, WriteTxnMarkersResponse>(request, response);
