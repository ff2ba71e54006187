/**
 * TxnOffsetCommit (key 28): v0-5. Flexible from v3.
 *
 * Stages consumer offsets inside the producer's transaction; they become visible on commit and are
 * dropped on abort. v2 adds the committed leader epoch. v3 adds GenerationId, MemberId and
 * GroupInstanceId so that the group coordinator can fence a zombie by its consumer-group generation
 * (KIP-447); v0-2 carry none, so only the producer epoch fences. v4 may answer TRANSACTION_ABORTABLE;
 * v5 is transaction version 2 (KIP-890 part 2), where the commit itself adds the offsets partition to
 * the transaction and no AddOffsetsToTxn comes first. Neither changes the layout.
 */
import { defineApi } from '../api.js';
import type { MessageSpec } from '../schema.js';

export interface TxnOffsetCommitRequest {
  transactionalId: string;
  groupId: string;
  producerId: bigint;
  producerEpoch: number;
  generationId?: number;
  memberId?: string;
  groupInstanceId?: string | null;
  topics: Array<{
    name: string;
    partitions: Array<{
      partitionIndex: number;
      committedOffset: bigint;
      committedLeaderEpoch?: number;
      committedMetadata: string | null;
    }>;
  }>;
}

export interface TxnOffsetCommitResponse {
  throttleTimeMs: number;
  topics: Array<{ name: string; partitions: Array<{ partitionIndex: number; errorCode: number }> }>;
}

const request: MessageSpec = {
  apiKey: 28,
  type: 'request',
  name: 'TxnOffsetCommitRequest',
  validVersions: '0-5',
  flexibleVersions: '3+',
  fields: [
    { name: 'TransactionalId', type: 'string', versions: '0+' },
    { name: 'GroupId', type: 'string', versions: '0+' },
    { name: 'ProducerId', type: 'int64', versions: '0+' },
    { name: 'ProducerEpoch', type: 'int16', versions: '0+' },
    { name: 'GenerationId', type: 'int32', versions: '3+', default: '-1' },
    { name: 'MemberId', type: 'string', versions: '3+', default: '' },
    { name: 'GroupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: 'null' },
    {
      name: 'Topics',
      type: '[]TxnOffsetCommitRequestTopic',
      versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        {
          name: 'Partitions',
          type: '[]TxnOffsetCommitRequestPartition',
          versions: '0+',
          fields: [
            { name: 'PartitionIndex', type: 'int32', versions: '0+' },
            { name: 'CommittedOffset', type: 'int64', versions: '0+' },
            { name: 'CommittedLeaderEpoch', type: 'int32', versions: '2+', default: '-1' },
            { name: 'CommittedMetadata', type: 'string', versions: '0+', nullableVersions: '0+' },
          ],
        },
      ],
    },
  ],
};

const response: MessageSpec = {
  apiKey: 28,
  type: 'response',
  name: 'TxnOffsetCommitResponse',
  validVersions: '0-5',
  flexibleVersions: '3+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'Topics',
      type: '[]TxnOffsetCommitResponseTopic',
      versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        {
          name: 'Partitions',
          type: '[]TxnOffsetCommitResponsePartition',
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

export const TxnOffsetCommit = defineApi<TxnOffsetCommitRequest, TxnOffsetCommitResponse>(request, response);
