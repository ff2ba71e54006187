/**
 * OffsetCommit (key 8): v0-10. Flexible from v8.
 *
 * v0 carries no generation or member id, so the commit is never checked against group membership;
 * v1 adds generation, member id and a per-partition commit timestamp; v2-4 replace that timestamp
 * with one retention time for the whole request; v5 drops retention (offsets.retention.minutes alone
 * decides); v6 adds the leader epoch; v7 the static member's instance id. v9 is the first version a
 * KIP-848 consumer group takes, where GenerationIdOrMemberEpoch carries the member epoch. v10 names
 * each topic by TopicId instead of Name (KIP-848; Kafka 4.1 marked it unstable, 4.2 made it stable).
 *
 * Range extended downward: Kafka 4.x lists v2-10 (KIP-896 removed v0-1); v0-1 are transcribed from
 * the older definition because kafkajs and librdkafka still send them.
 */
import { defineApi } from '../api.js';
import type { MessageSpec } from '../schema.js';

export interface OffsetCommitRequest {
  groupId: string;
  generationIdOrMemberEpoch?: number;
  memberId?: string;
  groupInstanceId?: string | null;
  retentionTimeMs?: bigint;
  topics: Array<{
    name?: string;
    topicId?: string;
    partitions: Array<{
      partitionIndex: number;
      committedOffset: bigint;
      committedLeaderEpoch?: number;
      commitTimestamp?: bigint;
      committedMetadata: string | null;
    }>;
  }>;
}

export interface OffsetCommitResponse {
  throttleTimeMs?: number;
  topics: Array<{
    name?: string;
    topicId?: string;
    partitions: Array<{ partitionIndex: number; errorCode: number }>;
  }>;
}

const request: MessageSpec = {
  apiKey: 8,
  type: 'request',
  name: 'OffsetCommitRequest',
  validVersions: '0-10',
  flexibleVersions: '8+',
  fields: [
    { name: 'GroupId', type: 'string', versions: '0+' },
    { name: 'GenerationIdOrMemberEpoch', type: 'int32', versions: '1+', default: '-1' },
    { name: 'MemberId', type: 'string', versions: '1+' },
    { name: 'GroupInstanceId', type: 'string', versions: '7+', nullableVersions: '7+', default: 'null' },
    { name: 'RetentionTimeMs', type: 'int64', versions: '2-4', default: '-1' },
    {
      name: 'Topics',
      type: '[]OffsetCommitRequestTopic',
      versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0-9' },
        { name: 'TopicId', type: 'uuid', versions: '10+' },
        {
          name: 'Partitions',
          type: '[]OffsetCommitRequestPartition',
          versions: '0+',
          fields: [
            { name: 'PartitionIndex', type: 'int32', versions: '0+' },
            { name: 'CommittedOffset', type: 'int64', versions: '0+' },
            { name: 'CommittedLeaderEpoch', type: 'int32', versions: '6+', default: '-1' },
            { name: 'CommitTimestamp', type: 'int64', versions: '1', default: '-1' },
            { name: 'CommittedMetadata', type: 'string', versions: '0+', nullableVersions: '0+' },
          ],
        },
      ],
    },
  ],
};

const response: MessageSpec = {
  apiKey: 8,
  type: 'response',
  name: 'OffsetCommitResponse',
  validVersions: '0-10',
  flexibleVersions: '8+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '3+' },
    {
      name: 'Topics',
      type: '[]OffsetCommitResponseTopic',
      versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0-9' },
        { name: 'TopicId', type: 'uuid', versions: '10+' },
        {
          name: 'Partitions',
          type: '[]OffsetCommitResponsePartition',
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

export const OffsetCommit = defineApi<OffsetCommitRequest, OffsetCommitResponse>(request, response);
