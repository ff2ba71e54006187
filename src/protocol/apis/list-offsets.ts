/**
 * ListOffsets (key 2): v0-10. Flexible from v6.
 *
 * Range: Kafka 4.0 lists v1-10; we keep v0 because kafkajs sends v0-3 and v0 carries no record data.
 * v0 is the old shape: the request asks for up to MaxNumOffsets offsets and the answer lists them in
 * OldStyleOffsets; from v1 there is exactly one Timestamp/Offset pair per partition.
 *
 * Version notes that matter to a broker:
 * - Timestamp -1 asks for the log end offset (the LSO under read_committed), -2 for the log start
 *   offset; v7 adds -3 max timestamp (KIP-734), v8 -4 local log start (KIP-405), v9 -5 last tiered
 *   offset (KIP-1005); those two only mean something with tiered storage.
 * - v2 adds IsolationLevel: read_committed caps the latest offset at the last stable offset.
 * - v4 adds CurrentLeaderEpoch in the request and LeaderEpoch in the answer (fencing).
 * - v10 adds TimeoutMs for lookups served from remote storage (KIP-1075).
 */
import { defineApi } from '../api.js';
import type { MessageSpec } from '../schema.js';

/**
 * The special Timestamps (Kafka's ListOffsetsRequest.LATEST_TIMESTAMP …): what each asks for is in
 * the version notes above. Any other negative timestamp is INVALID_REQUEST.
 */
export const OffsetSpec = { latest: -1n, earliest: -2n, maxTimestamp: -3n, earliestLocal: -4n, latestTiered: -5n } as const;

export interface ListOffsetsRequest {
  replicaId: number;
  isolationLevel: number;
  topics: ListOffsetsTopic[];
  timeoutMs: number;
}

export interface ListOffsetsTopic {
  name: string;
  partitions: ListOffsetsPartition[];
}

export interface ListOffsetsPartition {
  partitionIndex: number;
  currentLeaderEpoch: number;
  timestamp: bigint;
  /** v0 only */
  maxNumOffsets: number;
}

export interface ListOffsetsResponse {
  throttleTimeMs: number;
  topics: ListOffsetsTopicResponse[];
}

export interface ListOffsetsTopicResponse {
  name: string;
  partitions: ListOffsetsPartitionResponse[];
}

export interface ListOffsetsPartitionResponse {
  partitionIndex: number;
  errorCode: number;
  /** v0 only */
  oldStyleOffsets: bigint[];
  timestamp: bigint;
  offset: bigint;
  leaderEpoch: number;
}

const request: MessageSpec = {
  apiKey: 2,
  type: 'request',
  name: 'ListOffsetsRequest',
  validVersions: '0-10',
  flexibleVersions: '6+',
  fields: [
    { name: 'ReplicaId', type: 'int32', versions: '0+' },
    { name: 'IsolationLevel', type: 'int8', versions: '2+' },
    {
      name: 'Topics',
      type: '[]ListOffsetsTopic',
      versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        {
          name: 'Partitions',
          type: '[]ListOffsetsPartition',
          versions: '0+',
          fields: [
            { name: 'PartitionIndex', type: 'int32', versions: '0+' },
            { name: 'CurrentLeaderEpoch', type: 'int32', versions: '4+', default: '-1' },
            { name: 'Timestamp', type: 'int64', versions: '0+' },
            { name: 'MaxNumOffsets', type: 'int32', versions: '0', default: '1' },
          ],
        },
      ],
    },
    { name: 'TimeoutMs', type: 'int32', versions: '10+' },
  ],
};

const response: MessageSpec = {
  apiKey: 2,
  type: 'response',
  name: 'ListOffsetsResponse',
  validVersions: '0-10',
  flexibleVersions: '6+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '2+' },
    {
      name: 'Topics',
      type: '[]ListOffsetsTopicResponse',
      versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        {
          name: 'Partitions',
          type: '[]ListOffsetsPartitionResponse',
          versions: '0+',
          fields: [
            { name: 'PartitionIndex', type: 'int32', versions: '0+' },
            { name: 'ErrorCode', type: 'int16', versions: '0+' },
            { name: 'OldStyleOffsets', type: '[]int64', versions: '0' },
            { name: 'Timestamp', type: 'int64', versions: '1+', default: '-1' },
            { name: 'Offset', type: 'int64', versions: '1+', default: '-1' },
            { name: 'LeaderEpoch', type: 'int32', versions: '4+', default: '-1' },
          ],
        },
      ],
    },
  ],
};

export const ListOffsets = defineApi<ListOffsetsRequest, ListOffsetsResponse>(request, response);
