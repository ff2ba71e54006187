import { describe, expect, it } from 'vitest';
import { Reader } from '../reader.js';
import { roundTrip, since } from '../testing.js';
import { DescribeCluster, type DescribeClusterRequest, type DescribeClusterResponse } from './describe-cluster.js';

// kafkajs has no DescribeCluster, so there is no client fixture here.
function request(v: number): DescribeClusterRequest {
  return {
    includeClusterAuthorizedOperations: true,
    endpointType: since(v, 1, 2, 1),
    includeFencedBrokers: since(v, 2, true, false),
  };
}

function response(v: number): DescribeClusterResponse {
  return {
    throttleTimeMs: 15,
    errorCode: 0,
    errorMessage: null,
    endpointType: 1,
    clusterId: 'skein-cluster',
    controllerId: 1,
    brokers: [
      { brokerId: 1, host: 'localhost', port: 9092, rack: null, isFenced: false },
      { brokerId: 2, host: 'localhost', port: 9093, rack: 'rack-b', isFenced: since(v, 2, true, false) },
    ],
    clusterAuthorizedOperations: 0x1f,
  };
}

describe('DescribeCluster', () => {
  it('covers v0-2, all flexible', () => {
    expect([DescribeCluster.versions.lo, DescribeCluster.versions.hi]).toEqual([0, 2]);
    expect(DescribeCluster.requestHeaderVersion(0)).toBe(2);
    expect(DescribeCluster.responseHeaderVersion(0)).toBe(1);
  });

  for (let v = 0; v <= 2; v++) {
    it(`round-trips the request at v${v}`, () => {
      const rt = roundTrip(DescribeCluster.request, request(v), v);
      expect(rt.left).toBe(0);
      expect(rt.decoded).toEqual(request(v));
      expect(rt.reencoded).toEqual(rt.bytes);
    });

    it(`round-trips the response at v${v}`, () => {
      const rt = roundTrip(DescribeCluster.response, response(v), v);
      expect(rt.left).toBe(0);
      expect(rt.decoded).toEqual(response(v));
      expect(rt.reencoded).toEqual(rt.bytes);
    });
  }

  it('lays out a v0 request as one bool and an empty tag buffer', () => {
    const rt = roundTrip(DescribeCluster.request, request(0), 0);
    expect([...rt.bytes]).toEqual([1, 0]);
    expect(DescribeCluster.request.decode(new Reader(Buffer.from([0, 0])), 0).includeClusterAuthorizedOperations).toBe(false);
  });
});
