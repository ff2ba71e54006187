/**
 * DescribeCluster (key 60): v0-2. Flexible from v0.
 *
 * The admin client's view of the cluster (KIP-700): cluster id, controller and brokers, without the
 * topic list Metadata carries. v1 adds EndpointType (1 brokers, 2 controllers, KIP-919); a broker
 * asked for controllers answers MISMATCHED_ENDPOINT_TYPE. v2 adds IncludeFencedBrokers and, per
 * broker, IsFenced (KIP-1073).
 */
import { defineApi } from '../api.js';
import type { MessageSpec } from '../schema.js';

export interface DescribeClusterRequest {
  includeClusterAuthorizedOperations: boolean;
  endpointType: number;
  includeFencedBrokers: boolean;
}

export interface DescribeClusterResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  endpointType: number;
  clusterId: string;
  controllerId: number;
  brokers: DescribeClusterBroker[];
  clusterAuthorizedOperations: number;
}

export interface DescribeClusterBroker {
  brokerId: number;
  host: string;
  port: number;
  rack: string | null;
  isFenced: boolean;
}

const request: MessageSpec = {
  apiKey: 60,
  type: 'request',
  name: 'DescribeClusterRequest',
  validVersions: '0-2',
  flexibleVersions: '0+',
  fields: [
    { name: 'IncludeClusterAuthorizedOperations', type: 'bool', versions: '0+' },
    { name: 'EndpointType', type: 'int8', versions: '1+', default: '1' },
    { name: 'IncludeFencedBrokers', type: 'bool', versions: '2+', default: 'false' },
  ],
};

const response: MessageSpec = {
  apiKey: 60,
  type: 'response',
  name: 'DescribeClusterResponse',
  validVersions: '0-2',
  flexibleVersions: '0+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
    { name: 'ErrorCode', type: 'int16', versions: '0+' },
    { name: 'ErrorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: 'null' },
    { name: 'EndpointType', type: 'int8', versions: '1+', default: '1' },
    { name: 'ClusterId', type: 'string', versions: '0+' },
    { name: 'ControllerId', type: 'int32', versions: '0+', default: '-1' },
    {
      name: 'Brokers',
      type: '[]DescribeClusterBroker',
      versions: '0+',
      fields: [
        { name: 'BrokerId', type: 'int32', versions: '0+' },
        { name: 'Host', type: 'string', versions: '0+' },
        { name: 'Port', type: 'int32', versions: '0+' },
        { name: 'Rack', type: 'string', versions: '0+', nullableVersions: '0+', default: 'null' },
        { name: 'IsFenced', type: 'bool', versions: '2+', default: 'false' },
      ],
    },
    { name: 'ClusterAuthorizedOperations', type: 'int32', versions: '0+', default: '-2147483648' },
  ],
};

export const DescribeCluster = defineApi<DescribeClusterRequest, DescribeClusterResponse>(request, response);
