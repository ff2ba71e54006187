/**
 * DescribeCluster: v0-2.
 *
 * Behavior: this one node is the whole cluster and its controller. Version notes: v1 adds the
 * endpoint type (1 = brokers; asking for controllers gets UNSUPPORTED_ENDPOINT_TYPE, since this
 * broker has no separate controller listener); v2 can include fenced brokers (there are none).
 */
import { DescribeCluster, type DescribeClusterRequest, type DescribeClusterResponse } from '../../protocol/apis/describe-cluster.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { BrokerServices } from '../broker-services.js';
import { handler } from '../server/handler.js';

const BROKERS = 1;

export const describeClusterHandler = (s: BrokerServices) =>
  handler(DescribeCluster, {}, (req: DescribeClusterRequest, ctx): DescribeClusterResponse => {
    const self = s.advertisedEndpoint(ctx.listenerName);
    const base = {
      throttleTimeMs: 0,
      endpointType: req.endpointType,
      clusterId: s.clusterId,
      controllerId: s.nodeId,
      clusterAuthorizedOperations: -2147483648,
    };
    if (ctx.header.apiVersion >= 1 && req.endpointType !== BROKERS) {
      return { ...base, errorCode: ErrorCode.UNSUPPORTED_ENDPOINT_TYPE, errorMessage: 'Only the brokers endpoint type is served.', brokers: [] };
    }
    return {
      ...base,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      brokers: [{ brokerId: s.nodeId, host: self.host, port: self.port, rack: null, isFenced: false }],
    };
  });
