/**
 * Metadata (key 3): v0-13. Flexible from v9.
 *
 * Range: as Kafka 4.x lists it; kafkajs sends v0-6.
 *
 * Version notes that matter to a broker:
 * - Topics: in v0 an empty array means "all topics"; from v1 null means all and empty means none.
 * - v1 adds Rack, ControllerId and IsInternal; v2 ClusterId; v3 ThrottleTimeMs; v5 OfflineReplicas;
 *   v7 LeaderEpoch per partition.
 * - v4 adds AllowAutoTopicCreation (v0-3 always allow it, subject to auto.create.topics.enable).
 * - v8 adds authorized-operation bitfields; the cluster one is gone again from v11 (it moved to
 *   DescribeCluster, KIP-700). -2147483648 means "not asked for".
 * - v10 adds TopicId to the answer and the request; a request topic from v10 may be named by id only
 *   (Name null). v12 lets the answer carry a null Name for an unknown topic id.
 * - v13 adds a top-level ErrorCode (used with REBOOTSTRAP_REQUIRED, KIP-1102).
 */
import { defineApi } from '../api.js';
import type { MessageSpec } from '../schema.js';

export interface MetadataRequest {
  /** null (v1+) asks for every topic */
  topics: Array<{ topicId: string; name: string | null }> | null;
  allowAutoTopicCreation: boolean;
  /** v8-10 */
  includeClusterAuthorizedOperations: boolean;
  includeTopicAuthorizedOperations: boolean;
}

export interface MetadataResponse {
  throttleTimeMs: number;
  brokers: MetadataResponseBroker[];
  clusterId: string | null;
  controllerId: number;
  topics: MetadataResponseTopic[];
  /** v8-10 */
  clusterAuthorizedOperations: number;
  /** v13+ */
  errorCode: number;
}

export interface MetadataResponseBroker {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

export interface MetadataResponseTopic {
  errorCode: number;
  name: string | null;
  topicId: string;
  isInternal: boolean;
  partitions: MetadataResponsePartition[];
  topicAuthorizedOperations: number;
}

export interface MetadataResponsePartition {
  errorCode: number;
  partitionIndex: number;
  leaderId: number;
  leaderEpoch: number;
  replicaNodes: number[];
  isrNodes: number[];
  offlineReplicas: number[];
}

const request: MessageSpec = {
  apiKey: 3,
  type: 'request',
  name: 'MetadataRequest',
  validVersions: '0-13',
  flexibleVersions: '9+',
  fields: [
    {
      name: 'Topics',
      type: '[]MetadataRequestTopic',
      versions: '0+',
      nullableVersions: '1+',
      fields: [
        { name: 'TopicId', type: 'uuid', versions: '10+' },
        { name: 'Name', type: 'string', versions: '0+', nullableVersions: '10+' },
      ],
    },
    { name: 'AllowAutoTopicCreation', type: 'bool', versions: '4+', default: 'true' },
    { name: 'IncludeClusterAuthorizedOperations', type: 'bool', versions: '8-10' },
    { name: 'IncludeTopicAuthorizedOperations', type: 'bool', versions: '8+' },
  ],
};

const response: MessageSpec = {
  apiKey: 3,
  type: 'response',
  name: 'MetadataResponse',
  validVersions: '0-13',
  flexibleVersions: '9+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '3+' },
    {
      name: 'Brokers',
      type: '[]MetadataResponseBroker',
      versions: '0+',
      fields: [
        { name: 'NodeId', type: 'int32', versions: '0+' },
        { name: 'Host', type: 'string', versions: '0+' },
        { name: 'Port', type: 'int32', versions: '0+' },
        { name: 'Rack', type: 'string', versions: '1+', nullableVersions: '1+', default: 'null' },
      ],
    },
    { name: 'ClusterId', type: 'string', nullableVersions: '2+', versions: '2+', default: 'null' },
    { name: 'ControllerId', type: 'int32', versions: '1+', default: '-1' },
    {
      name: 'Topics',
      type: '[]MetadataResponseTopic',
      versions: '0+',
      fields: [
        { name: 'ErrorCode', type: 'int16', versions: '0+' },
        { name: 'Name', type: 'string', versions: '0+', nullableVersions: '12+' },
        { name: 'TopicId', type: 'uuid', versions: '10+' },
        { name: 'IsInternal', type: 'bool', versions: '1+', default: 'false' },
        {
          name: 'Partitions',
          type: '[]MetadataResponsePartition',
          versions: '0+',
          fields: [
            { name: 'ErrorCode', type: 'int16', versions: '0+' },
            { name: 'PartitionIndex', type: 'int32', versions: '0+' },
            { name: 'LeaderId', type: 'int32', versions: '0+' },
            { name: 'LeaderEpoch', type: 'int32', versions: '7+', default: '-1' },
            { name: 'ReplicaNodes', type: '[]int32', versions: '0+' },
            { name: 'IsrNodes', type: '[]int32', versions: '0+' },
            { name: 'OfflineReplicas', type: '[]int32', versions: '5+' },
          ],
        },
        { name: 'TopicAuthorizedOperations', type: 'int32', versions: '8+', default: '-2147483648' },
      ],
    },
    { name: 'ClusterAuthorizedOperations', type: 'int32', versions: '8-10', default: '-2147483648' },
    { name: 'ErrorCode', type: 'int16', versions: '13+' },
  ],
};

export const Metadata = defineApi<MetadataRequest, MetadataResponse>(request, response);
