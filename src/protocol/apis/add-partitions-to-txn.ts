/**
 * AddPartitionsToTxn (key 24): v0-5. Flexible from v3.
 *
 * v0-3 are what clients send: one transaction (the V3AndBelow* fields) and a result per partition.
 * v4+ is the broker-to-broker batched form (KIP-890 part 1): a partition leader asks the coordinator
 * about several transactions at once, usually with VerifyOnly set so that nothing is added, and the
 * response gains a top-level ErrorCode and results grouped by transactional id. v2 may answer
 * PRODUCER_FENCED and v5 TRANSACTION_ABORTABLE without layout changes.
 */
import { defineApi } from '../api.js';
import type { MessageSpec } from '../schema.js';

export interface AddPartitionsToTxnTopic {
  name: string;
  partitions: number[];
}

export interface AddPartitionsToTxnTopicResult {
  name: string;
  resultsByPartition: Array<{ partitionIndex: number; partitionErrorCode: number }>;
}

export interface AddPartitionsToTxnRequest {
  transactions?: Array<{
    transactionalId: string;
    producerId: bigint;
    producerEpoch: number;
    verifyOnly: boolean;
    topics: AddPartitionsToTxnTopic[];
  }>;
  v3AndBelowTransactionalId?: string;
  v3AndBelowProducerId?: bigint;
  v3AndBelowProducerEpoch?: number;
  v3AndBelowTopics?: AddPartitionsToTxnTopic[];
}

export interface AddPartitionsToTxnResponse {
  throttleTimeMs: number;
  errorCode?: number;
  resultsByTransaction?: Array<{ transactionalId: string; topicResults: AddPartitionsToTxnTopicResult[] }>;
  resultsByTopicV3AndBelow?: AddPartitionsToTxnTopicResult[];
}

const request: MessageSpec = {
  apiKey: 24,
  type: 'request',
  name: 'AddPartitionsToTxnRequest',
  validVersions: '0-5',
  flexibleVersions: '3+',
  fields: [
    {
      name: 'Transactions',
      type: '[]AddPartitionsToTxnTransaction',
      versions: '4+',
      fields: [
        { name: 'TransactionalId', type: 'string', versions: '4+' },
        { name: 'ProducerId', type: 'int64', versions: '4+' },
        { name: 'ProducerEpoch', type: 'int16', versions: '4+' },
        { name: 'VerifyOnly', type: 'bool', versions: '4+', default: false },
        { name: 'Topics', type: '[]AddPartitionsToTxnTopic', versions: '4+' },
      ],
    },
    { name: 'V3AndBelowTransactionalId', type: 'string', versions: '0-3' },
    { name: 'V3AndBelowProducerId', type: 'int64', versions: '0-3' },
    { name: 'V3AndBelowProducerEpoch', type: 'int16', versions: '0-3' },
    { name: 'V3AndBelowTopics', type: '[]AddPartitionsToTxnTopic', versions: '0-3' },
  ],
  commonStructs: [
    {
      name: 'AddPartitionsToTxnTopic',
      versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        { name: 'Partitions', type: '[]int32', versions: '0+' },
      ],
    },
  ],
};

const response: MessageSpec = {
  apiKey: 24,
  type: 'response',
  name: 'AddPartitionsToTxnResponse',
  validVersions: '0-5',
  flexibleVersions: '3+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
    { name: 'ErrorCode', type: 'int16', versions: '4+' },
    {
      name: 'ResultsByTransaction',
      type: '[]AddPartitionsToTxnResult',
      versions: '4+',
      fields: [
        { name: 'TransactionalId', type: 'string', versions: '4+' },
        { name: 'TopicResults', type: '[]AddPartitionsToTxnTopicResult', versions: '4+' },
      ],
    },
    { name: 'ResultsByTopicV3AndBelow', type: '[]AddPartitionsToTxnTopicResult', versions: '0-3' },
  ],
  commonStructs: [
    {
      name: 'AddPartitionsToTxnTopicResult',
      versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        { name: 'ResultsByPartition', type: '[]AddPartitionsToTxnPartitionResult', versions: '0+' },
      ],
    },
    {
      name: 'AddPartitionsToTxnPartitionResult',
      versions: '0+',
      fields: [
        { name: 'PartitionIndex', type: 'int32', versions: '0+' },
        { name: 'PartitionErrorCode', type: 'int16', versions: '0+' },
      ],
    },
  ],
};

export const AddPartitionsToTxn = defineApi<AddPartitionsToTxnRequest, AddPartitionsToTxnResponse>(request, response);
