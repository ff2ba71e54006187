/**
 * ListTransactions (key 66): v0-2. Flexible from v0.
 *
 * Lists the transactional ids a coordinator holds, filtered by state and producer id (an empty filter
 * means no filtering); states the coordinator does not know come back in UnknownStateFilters
 * (KIP-664). v1 adds DurationFilter, "running longer than this many ms" (-1 = any, KIP-994); v2 adds
 * TransactionalIdPattern, a regular expression (null or empty = any, KIP-1152; Kafka 4.1). The
 * response layout is the same in all three.
 */
import { defineApi } from '../api.js';
import type { MessageSpec } from '../schema.js';

export interface ListTransactionsRequest {
  stateFilters: string[];
  producerIdFilters: bigint[];
  durationFilter?: bigint;
  transactionalIdPattern?: string | null;
}

export interface ListTransactionsResponse {
  throttleTimeMs: number;
  errorCode: number;
  unknownStateFilters: string[];
  transactionStates: Array<{ transactionalId: string; producerId: bigint; transactionState: string }>;
}

const request: MessageSpec = {
  apiKey: 66,
  type: 'request',
  name: 'ListTransactionsRequest',
  validVersions: '0-2',
  flexibleVersions: '0+',
  fields: [
    { name: 'StateFilters', type: '[]string', versions: '0+' },
    { name: 'ProducerIdFilters', type: '[]int64', versions: '0+' },
    { name: 'DurationFilter', type: 'int64', versions: '1+', default: -1 },
    { name: 'TransactionalIdPattern', type: 'string', versions: '2+', nullableVersions: '2+', default: 'null' },
  ],
};

const response: MessageSpec = {
  apiKey: 66,
  type: 'response',
  name: 'ListTransactionsResponse',
  validVersions: '0-2',
  flexibleVersions: '0+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
    { name: 'ErrorCode', type: 'int16', versions: '0+' },
    { name: 'UnknownStateFilters', type: '[]string', versions: '0+' },
    {
      name: 'TransactionStates',
      type: '[]TransactionState',
      versions: '0+',
      fields: [
        { name: 'TransactionalId', type: 'string', versions: '0+' },
        { name: 'ProducerId', type: 'int64', versions: '0+' },
        { name: 'TransactionState', type: 'string', versions: '0+' },
      ],
    },
  ],
};

export const ListTransactions = defineApi<ListTransactionsRequest, ListTransactionsResponse>(request, response);
