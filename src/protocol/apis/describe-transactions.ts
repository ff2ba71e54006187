/**
 * DescribeTransactions (key 65): v0. Flexible from v0.
 *
 * Sent to a transaction coordinator: the state, timeout, start time, producer id/epoch and the
 * partitions of each named transactional id (KIP-664). While a transaction is preparing to commit or
 * abort, Topics lists only the partitions whose markers are not written yet.
 */
import { defineApi } from '../api.js';
import type { MessageSpec } from '../schema.js';

export interface DescribeTransactionsRequest {
  transactionalIds: string[];
}

export interface DescribeTransactionsResponse {
  throttleTimeMs: number;
  transactionStates: Array<{
    errorCode: number;
    transactionalId: string;
    transactionState: string;
    transactionTimeoutMs: number;
    transactionStartTimeMs: bigint;
    producerId: bigint;
    producerEpoch: number;
    topics: Array<{ topic: string; partitions: number[] }>;
  }>;
}

const request: MessageSpec = {
  apiKey: 65,
  type: 'request',
  name: 'DescribeTransactionsRequest',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [{ name: 'TransactionalIds', type: '[]string', versions: '0+' }],
};

const response: MessageSpec = {
  apiKey: 65,
  type: 'response',
  name: 'DescribeTransactionsResponse',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'TransactionStates',
      type: '[]TransactionState',
      versions: '0+',
      fields: [
        { name: 'ErrorCode', type: 'int16', versions: '0+' },
        { name: 'TransactionalId', type: 'string', versions: '0+' },
        { name: 'TransactionState', type: 'string', versions: '0+' },
        { name: 'TransactionTimeoutMs', type: 'int32', versions: '0+' },
        { name: 'TransactionStartTimeMs', type: 'int64', versions: '0+' },
        { name: 'ProducerId', type: 'int64', versions: '0+' },
        { name: 'ProducerEpoch', type: 'int16', versions: '0+' },
        {
          name: 'Topics',
          type: '[]TopicData',
          versions: '0+',
          fields: [
            { name: 'Topic', type: 'string', versions: '0+' },
            { name: 'Partitions', type: '[]int32', versions: '0+' },
          ],
        },
      ],
    },
  ],
};

export const DescribeTransactions = defineApi<DescribeTransactionsRequest, DescribeTransactionsResponse>(request, response);
