/**
 * Produce (key 0): v3-13. Flexible from v9.
 *
 * Range: Kafka lists v3-13 (v0-2 were removed in 4.0). v3 is also where we start on our own, since it
 * is the first version that carries RecordBatch magic v2, the only format Skein stores; kafkajs
 * sends v3-7. Kafka still advertises Produce from v0 in ApiVersions because librdkafka refuses a
 * broker whose minimum is above 0 (KAFKA-18659) and then rejects v0-2 when they arrive.
 *
 * Version notes that matter to a broker:
 * - v3 adds TransactionalId, used for authorization and to check the producer's transaction.
 * - v5 adds LogStartOffset to the answer; v8 adds RecordErrors and ErrorMessage (KIP-467).
 * - From v6 a throttled answer is sent at once and the client waits ThrottleTimeMs itself (KIP-219).
 * - v10 adds the tagged CurrentLeader per partition and NodeEndpoints, filled on
 *   NOT_LEADER_OR_FOLLOWER so the client can move without a Metadata round trip (KIP-951).
 * - v11 may answer TRANSACTION_ABORTABLE. From v12, when transaction version 2 is enabled, a
 *   transactional produce adds its partition to the transaction itself, with no AddPartitionsToTxn
 *   first (KIP-890 part 2); a client without it stays at v11 inside transactions.
 * - v13 names topics by TopicId instead of Name (KIP-516), and may answer UNKNOWN_TOPIC_ID.
 * - Acks = 0 gets no answer at all.
 */
import { defineApi } from '../api.js';
import type { MessageSpec } from '../schema.js';

export interface ProduceRequest {
  transactionalId: string | null;
  acks: number;
  timeoutMs: number;
  topicData: TopicProduceData[];
}

export interface TopicProduceData {
  /** v3-12 */
  name: string;
  /** v13+ */
  topicId: string;
  partitionData: PartitionProduceData[];
}

export interface PartitionProduceData {
  index: number;
  records: Buffer | null;
}

export interface ProduceResponse {
  responses: TopicProduceResponse[];
  throttleTimeMs: number;
  nodeEndpoints?: Array<{ nodeId: number; host: string; port: number; rack: string | null }>;
}

export interface TopicProduceResponse {
  /** v3-12 */
  name: string;
  /** v13+ */
  topicId: string;
  partitionResponses: PartitionProduceResponse[];
}

export interface PartitionProduceResponse {
  index: number;
  errorCode: number;
  baseOffset: bigint;
  logAppendTimeMs: bigint;
  logStartOffset: bigint;
  recordErrors: Array<{ batchIndex: number; batchIndexErrorMessage: string | null }>;
  errorMessage: string | null;
  currentLeader?: { leaderId: number; leaderEpoch: number };
}

const request: MessageSpec = {
  apiKey: 0,
  type: 'request',
  name: 'ProduceRequest',
  validVersions: '3-13',
  flexibleVersions: '9+',
  fields: [
    { name: 'TransactionalId', type: 'string', versions: '3+', nullableVersions: '3+', default: 'null' },
    { name: 'Acks', type: 'int16', versions: '0+' },
    { name: 'TimeoutMs', type: 'int32', versions: '0+' },
    {
      name: 'TopicData',
      type: '[]TopicProduceData',
      versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0-12' },
        { name: 'TopicId', type: 'uuid', versions: '13+' },
        {
          name: 'PartitionData',
          type: '[]PartitionProduceData',
          versions: '0+',
          fields: [
            { name: 'Index', type: 'int32', versions: '0+' },
            { name: 'Records', type: 'records', versions: '0+', nullableVersions: '0+' },
          ],
        },
      ],
    },
  ],
};

const response: MessageSpec = {
  apiKey: 0,
  type: 'response',
  name: 'ProduceResponse',
  validVersions: '3-13',
  flexibleVersions: '9+',
  fields: [
    {
      name: 'Responses',
      type: '[]TopicProduceResponse',
      versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0-12' },
        { name: 'TopicId', type: 'uuid', versions: '13+' },
        {
          name: 'PartitionResponses',
          type: '[]PartitionProduceResponse',
          versions: '0+',
          fields: [
            { name: 'Index', type: 'int32', versions: '0+' },
            { name: 'ErrorCode', type: 'int16', versions: '0+' },
            { name: 'BaseOffset', type: 'int64', versions: '0+' },
            { name: 'LogAppendTimeMs', type: 'int64', versions: '2+', default: '-1' },
            { name: 'LogStartOffset', type: 'int64', versions: '5+', default: '-1' },
            {
              name: 'RecordErrors',
              type: '[]BatchIndexAndErrorMessage',
              versions: '8+',
              fields: [
                { name: 'BatchIndex', type: 'int32', versions: '8+' },
                { name: 'BatchIndexErrorMessage', type: 'string', default: 'null', versions: '8+', nullableVersions: '8+' },
              ],
            },
            { name: 'ErrorMessage', type: 'string', default: 'null', versions: '8+', nullableVersions: '8+' },
            {
              name: 'CurrentLeader',
              type: 'LeaderIdAndEpoch',
              versions: '10+',
              taggedVersions: '10+',
              tag: 0,
              fields: [
                { name: 'LeaderId', type: 'int32', versions: '10+', default: '-1' },
                { name: 'LeaderEpoch', type: 'int32', versions: '10+', default: '-1' },
              ],
            },
          ],
        },
      ],
    },
    { name: 'ThrottleTimeMs', type: 'int32', versions: '1+', default: '0' },
    {
      name: 'NodeEndpoints',
      type: '[]NodeEndpoint',
      versions: '10+',
      taggedVersions: '10+',
      tag: 0,
      fields: [
        { name: 'NodeId', type: 'int32', versions: '10+' },
        { name: 'Host', type: 'string', versions: '10+' },
        { name: 'Port', type: 'int32', versions: '10+' },
        { name: 'Rack', type: 'string', versions: '10+', nullableVersions: '10+', default: 'null' },
      ],
    },
  ],
};

export const Produce = defineApi<ProduceRequest, ProduceResponse>(request, response);
