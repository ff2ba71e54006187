/**
 * Fetch (key 1): v4-18. Flexible from v12.
 *
 * Range: Kafka lists v4-18 (v0-3 were removed in 4.0); v4 is the first version whose answer may hold
 * RecordBatch magic v2, the only format Skein stores. kafkajs sends v4-11. We stop at v18: the v19
 * seen in some forks (MirrorLeaderEpoch, KIP-1279) is not settled upstream yet.
 *
 * Version notes that matter to a broker:
 * - v4 adds IsolationLevel, LastStableOffset and AbortedTransactions: read_committed stops at the LSO
 *   and carries the aborted transactions in the fetched range.
 * - v5 adds LogStartOffset; v7 adds fetch sessions (SessionId, SessionEpoch, ForgottenTopicsData);
 *   a broker without sessions answers SessionId 0, which the client takes as "full fetches only".
 * - v9 adds CurrentLeaderEpoch for fencing; v11 adds RackId and PreferredReadReplica (KIP-392).
 * - v12 is flexible and adds LastFetchedEpoch and the tagged DivergingEpoch/CurrentLeader/SnapshotId.
 * - v13 names topics by TopicId (KIP-516), in the request, the forgotten topics and the answer.
 * - v15 replaces ReplicaId with the tagged ReplicaState (KIP-903); v16 adds the tagged NodeEndpoints
 *   (KIP-951); v17 the tagged ReplicaDirectoryId (KIP-853); v18 a follower's tagged HighWatermark
 *   (KIP-1166). None of v14-18 changes what a consumer fetch needs.
 */
import { defineApi } from '../api.js';
import type { MessageSpec } from '../schema.js';

export interface FetchRequest {
  clusterId?: string | null;
  /** v4-14; -1 for a consumer */
  replicaId: number;
  replicaState?: { replicaId: number; replicaEpoch: bigint };
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  /** 0 read_uncommitted, 1 read_committed */
  isolationLevel: number;
  sessionId: number;
  sessionEpoch: number;
  topics: FetchTopic[];
  forgottenTopicsData: ForgottenTopic[];
  rackId: string;
}

export interface FetchTopic {
  /** v4-12 */
  topic: string;
  /** v13+ */
  topicId: string;
  partitions: FetchPartition[];
}

export interface FetchPartition {
  partition: number;
  currentLeaderEpoch: number;
  fetchOffset: bigint;
  lastFetchedEpoch: number;
  logStartOffset: bigint;
  partitionMaxBytes: number;
  replicaDirectoryId?: string;
  highWatermark?: bigint;
}

export interface ForgottenTopic {
  /** v7-12 */
  topic: string;
  /** v13+ */
  topicId: string;
  partitions: number[];
}

export interface FetchResponse {
  throttleTimeMs: number;
  errorCode: number;
  sessionId: number;
  responses: FetchableTopicResponse[];
  nodeEndpoints?: Array<{ nodeId: number; host: string; port: number; rack: string | null }>;
}

export interface FetchableTopicResponse {
  /** v4-12 */
  topic: string;
  /** v13+ */
  topicId: string;
  partitions: FetchPartitionData[];
}

export interface FetchPartitionData {
  partitionIndex: number;
  errorCode: number;
  highWatermark: bigint;
  lastStableOffset: bigint;
  logStartOffset: bigint;
  divergingEpoch?: { epoch: number; endOffset: bigint };
  currentLeader?: { leaderId: number; leaderEpoch: number };
  snapshotId?: { endOffset: bigint; epoch: number };
  abortedTransactions: Array<{ producerId: bigint; firstOffset: bigint }> | null;
  preferredReadReplica: number;
  /** Decoding always gives one Buffer; to encode, a list of buffers is written back to back, uncopied. */
  records: Buffer | Buffer[] | null;
}

const request: MessageSpec = {
  apiKey: 1,
  type: 'request',
  name: 'FetchRequest',
  validVersions: '4-18',
  flexibleVersions: '12+',
  fields: [
    { name: 'ClusterId', type: 'string', versions: '12+', nullableVersions: '12+', default: 'null', taggedVersions: '12+', tag: 0 },
    { name: 'ReplicaId', type: 'int32', versions: '0-14', default: '-1' },
    {
      name: 'ReplicaState',
      type: 'ReplicaState',
      versions: '15+',
      taggedVersions: '15+',
      tag: 1,
      fields: [
        { name: 'ReplicaId', type: 'int32', versions: '15+', default: '-1' },
        { name: 'ReplicaEpoch', type: 'int64', versions: '15+', default: '-1' },
      ],
    },
    { name: 'MaxWaitMs', type: 'int32', versions: '0+' },
    { name: 'MinBytes', type: 'int32', versions: '0+' },
    { name: 'MaxBytes', type: 'int32', versions: '3+', default: '0x7fffffff' },
    { name: 'IsolationLevel', type: 'int8', versions: '4+', default: '0' },
    { name: 'SessionId', type: 'int32', versions: '7+', default: '0' },
    { name: 'SessionEpoch', type: 'int32', versions: '7+', default: '-1' },
    {
      name: 'Topics',
      type: '[]FetchTopic',
      versions: '0+',
      fields: [
        { name: 'Topic', type: 'string', versions: '0-12' },
        { name: 'TopicId', type: 'uuid', versions: '13+' },
        {
          name: 'Partitions',
          type: '[]FetchPartition',
          versions: '0+',
          fields: [
            { name: 'Partition', type: 'int32', versions: '0+' },
            { name: 'CurrentLeaderEpoch', type: 'int32', versions: '9+', default: '-1' },
            { name: 'FetchOffset', type: 'int64', versions: '0+' },
            { name: 'LastFetchedEpoch', type: 'int32', versions: '12+', default: '-1' },
            { name: 'LogStartOffset', type: 'int64', versions: '5+', default: '-1' },
            { name: 'PartitionMaxBytes', type: 'int32', versions: '0+' },
            { name: 'ReplicaDirectoryId', type: 'uuid', versions: '17+', taggedVersions: '17+', tag: 0 },
            { name: 'HighWatermark', type: 'int64', versions: '18+', default: '9223372036854775807', taggedVersions: '18+', tag: 1 },
          ],
        },
      ],
    },
    {
      name: 'ForgottenTopicsData',
      type: '[]ForgottenTopic',
      versions: '7+',
      fields: [
        { name: 'Topic', type: 'string', versions: '7-12' },
        { name: 'TopicId', type: 'uuid', versions: '13+' },
        { name: 'Partitions', type: '[]int32', versions: '7+' },
      ],
    },
    { name: 'RackId', type: 'string', versions: '11+', default: '' },
  ],
};

const response: MessageSpec = {
  apiKey: 1,
  type: 'response',
  name: 'FetchResponse',
  validVersions: '4-18',
  flexibleVersions: '12+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '1+' },
    { name: 'ErrorCode', type: 'int16', versions: '7+' },
    { name: 'SessionId', type: 'int32', versions: '7+', default: '0' },
    {
      name: 'Responses',
      type: '[]FetchableTopicResponse',
      versions: '0+',
      fields: [
        { name: 'Topic', type: 'string', versions: '0-12' },
        { name: 'TopicId', type: 'uuid', versions: '13+' },
        {
          name: 'Partitions',
          type: '[]PartitionData',
          versions: '0+',
          fields: [
            { name: 'PartitionIndex', type: 'int32', versions: '0+' },
            { name: 'ErrorCode', type: 'int16', versions: '0+' },
            { name: 'HighWatermark', type: 'int64', versions: '0+' },
            { name: 'LastStableOffset', type: 'int64', versions: '4+', default: '-1' },
            { name: 'LogStartOffset', type: 'int64', versions: '5+', default: '-1' },
            {
              name: 'DivergingEpoch',
              type: 'EpochEndOffset',
              versions: '12+',
              taggedVersions: '12+',
              tag: 0,
              fields: [
                { name: 'Epoch', type: 'int32', versions: '12+', default: '-1' },
                { name: 'EndOffset', type: 'int64', versions: '12+', default: '-1' },
              ],
            },
            {
              name: 'CurrentLeader',
              type: 'LeaderIdAndEpoch',
              versions: '12+',
              taggedVersions: '12+',
              tag: 1,
              fields: [
                { name: 'LeaderId', type: 'int32', versions: '12+', default: '-1' },
                { name: 'LeaderEpoch', type: 'int32', versions: '12+', default: '-1' },
              ],
            },
            {
              name: 'SnapshotId',
              type: 'SnapshotId',
              versions: '12+',
              taggedVersions: '12+',
              tag: 2,
              fields: [
                { name: 'EndOffset', type: 'int64', versions: '0+', default: '-1' },
                { name: 'Epoch', type: 'int32', versions: '0+', default: '-1' },
              ],
            },
            {
              name: 'AbortedTransactions',
              type: '[]AbortedTransaction',
              versions: '4+',
              nullableVersions: '4+',
              fields: [
                { name: 'ProducerId', type: 'int64', versions: '4+' },
                { name: 'FirstOffset', type: 'int64', versions: '4+' },
              ],
            },
            { name: 'PreferredReadReplica', type: 'int32', versions: '11+', default: '-1' },
            { name: 'Records', type: 'records', versions: '0+', nullableVersions: '0+' },
          ],
        },
      ],
    },
    {
      name: 'NodeEndpoints',
      type: '[]NodeEndpoint',
      versions: '16+',
      taggedVersions: '16+',
      tag: 0,
      fields: [
        { name: 'NodeId', type: 'int32', versions: '16+' },
        { name: 'Host', type: 'string', versions: '16+' },
        { name: 'Port', type: 'int32', versions: '16+' },
        { name: 'Rack', type: 'string', versions: '16+', nullableVersions: '16+', default: 'null' },
      ],
    },
  ],
};

export const Fetch = defineApi<FetchRequest, FetchResponse>(request, response);
