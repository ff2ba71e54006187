/**
 * OffsetFetch (key 9): v0-10. Flexible from v6.
 *
 * v0 read offsets from ZooKeeper on old brokers; its layout is v1's, and a broker with no ZooKeeper
 * answers both from the same store. From v2 a null topic list asks for every committed partition
 * and the response gains a group-level ErrorCode; v3 adds throttle time; v5 the committed leader
 * epoch; v7 RequireStable (answer UNSTABLE_OFFSET_COMMIT while a transactional commit is pending,
 * KIP-447). v8 batches several groups in one request (Groups replaces GroupId/Topics, in the
 * response too). v9 adds MemberId/MemberEpoch for KIP-848 groups; v10 names topics by TopicId
 * (KIP-848; Kafka 4.1 marked it unstable, 4.2 made it stable).
 *
 * Range extended downward: Kafka 4.x lists v1-10 (KIP-896 removed v0); v0 is transcribed from the
 * older definition.
 */
import { defineApi } from '../api.js';
import type { MessageSpec } from '../schema.js';

export interface OffsetFetchRequest {
  groupId?: string;
  /** v2-7: null asks for every partition the group has committed. */
  topics?: Array<{ name: string; partitionIndexes: number[] }> | null;
  groups?: Array<{
    groupId: string;
    memberId?: string | null;
    memberEpoch?: number;
    /** null asks for every partition the group has committed. */
    topics: Array<{ name?: string; topicId?: string; partitionIndexes: number[] }> | null;
  }>;
  requireStable?: boolean;
}

export interface OffsetFetchResponsePartition {
  partitionIndex: number;
  committedOffset: bigint;
  committedLeaderEpoch?: number;
  metadata: string | null;
  errorCode: number;
}

export interface OffsetFetchResponse {
  throttleTimeMs?: number;
  topics?: Array<{ name: string; partitions: OffsetFetchResponsePartition[] }>;
  errorCode?: number;
  groups?: Array<{
    groupId: string;
    topics: Array<{ name?: string; topicId?: string; partitions: OffsetFetchResponsePartition[] }>;
    errorCode: number;
  }>;
}

const request: MessageSpec = {
  apiKey: 9,
  type: 'request',
  name: 'OffsetFetchRequest',
  validVersions: '0-10',
  flexibleVersions: '6+',
  fields: [
    { name: 'GroupId', type: 'string', versions: '0-7' },
    {
      name: 'Topics',
      type: '[]OffsetFetchRequestTopic',
      versions: '0-7',
      nullableVersions: '2-7',
      fields: [
        { name: 'Name', type: 'string', versions: '0-7' },
        { name: 'PartitionIndexes', type: '[]int32', versions: '0-7' },
      ],
    },
    {
      name: 'Groups',
      type: '[]OffsetFetchRequestGroup',
      versions: '8+',
      fields: [
        { name: 'GroupId', type: 'string', versions: '8+' },
        { name: 'MemberId', type: 'string', versions: '9+', nullableVersions: '9+', default: 'null' },
        { name: 'MemberEpoch', type: 'int32', versions: '9+', default: '-1' },
        {
          name: 'Topics',
          type: '[]OffsetFetchRequestTopics',
          versions: '8+',
          nullableVersions: '8+',
          fields: [
            { name: 'Name', type: 'string', versions: '8-9' },
            { name: 'TopicId', type: 'uuid', versions: '10+' },
            { name: 'PartitionIndexes', type: '[]int32', versions: '8+' },
          ],
        },
      ],
    },
    { name: 'RequireStable', type: 'bool', versions: '7+', default: 'false' },
  ],
};

const response: MessageSpec = {
  apiKey: 9,
  type: 'response',
  name: 'OffsetFetchResponse',
  validVersions: '0-10',
  flexibleVersions: '6+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '3+' },
    {
      name: 'Topics',
      type: '[]OffsetFetchResponseTopic',
      versions: '0-7',
      fields: [
        { name: 'Name', type: 'string', versions: '0-7' },
        {
          name: 'Partitions',
          type: '[]OffsetFetchResponsePartition',
          versions: '0-7',
          fields: [
            { name: 'PartitionIndex', type: 'int32', versions: '0-7' },
            { name: 'CommittedOffset', type: 'int64', versions: '0-7' },
            { name: 'CommittedLeaderEpoch', type: 'int32', versions: '5-7', default: '-1' },
            { name: 'Metadata', type: 'string', versions: '0-7', nullableVersions: '0-7' },
            { name: 'ErrorCode', type: 'int16', versions: '0-7' },
          ],
        },
      ],
    },
    { name: 'ErrorCode', type: 'int16', versions: '2-7', default: '0' },
    {
      name: 'Groups',
      type: '[]OffsetFetchResponseGroup',
      versions: '8+',
      fields: [
        { name: 'GroupId', type: 'string', versions: '8+' },
        {
          name: 'Topics',
          type: '[]OffsetFetchResponseTopics',
          versions: '8+',
          fields: [
            { name: 'Name', type: 'string', versions: '8-9' },
            { name: 'TopicId', type: 'uuid', versions: '10+' },
            {
              name: 'Partitions',
              type: '[]OffsetFetchResponsePartitions',
              versions: '8+',
              fields: [
                { name: 'PartitionIndex', type: 'int32', versions: '8+' },
                { name: 'CommittedOffset', type: 'int64', versions: '8+' },
                { name: 'CommittedLeaderEpoch', type: 'int32', versions: '8+', default: '-1' },
                { name: 'Metadata', type: 'string', versions: '8+', nullableVersions: '8+' },
                { name: 'ErrorCode', type: 'int16', versions: '8+' },
              ],
            },
          ],
        },
        { name: 'ErrorCode', type: 'int16', versions: '8+', default: '0' },
      ],
    },
  ],
};

export const OffsetFetch = defineApi<OffsetFetchRequest, OffsetFetchResponse>(request, response);
