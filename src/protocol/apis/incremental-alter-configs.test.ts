import { describe, expect, it } from 'vitest';
import { roundTrip } from '../testing.js';
import { IncrementalAlterConfigs, type IncrementalAlterConfigsRequest, type IncrementalAlterConfigsResponse } from './incremental-alter-configs.js';

// kafkajs has no IncrementalAlterConfigs, so there is no client fixture here.
const request: IncrementalAlterConfigsRequest = {
  resources: [
    {
      resourceType: 2,
      resourceName: 'orders',
      configs: [
        { name: 'cleanup.policy', configOperation: 2, value: 'compact' },
        { name: 'retention.ms', configOperation: 1, value: null },
      ],
    },
  ],
  validateOnly: false,
};

const response: IncrementalAlterConfigsResponse = {
  throttleTimeMs: 15,
  responses: [
    { errorCode: 0, errorMessage: null, resourceType: 2, resourceName: 'orders' },
    { errorCode: 42, errorMessage: 'APPEND on a non-list key', resourceType: 2, resourceName: 'payments' },
  ],
};

describe('IncrementalAlterConfigs', () => {
  it('covers v0-1, flexible from v1', () => {
    expect([IncrementalAlterConfigs.versions.lo, IncrementalAlterConfigs.versions.hi]).toEqual([0, 1]);
    expect(IncrementalAlterConfigs.requestHeaderVersion(0)).toBe(1);
    expect(IncrementalAlterConfigs.requestHeaderVersion(1)).toBe(2);
  });

  for (let v = 0; v <= 1; v++) {
    it(`round-trips the request and the response at v${v}`, () => {
      const req = roundTrip(IncrementalAlterConfigs.request, request, v);
      expect(req.left).toBe(0);
      expect(req.decoded).toEqual(request);
      expect(req.reencoded).toEqual(req.bytes);
      const res = roundTrip(IncrementalAlterConfigs.response, response, v);
      expect(res.left).toBe(0);
      expect(res.decoded).toEqual(response);
      expect(res.reencoded).toEqual(res.bytes);
    });
  }

  it('writes v0 with classic and v1 with compact strings', () => {
    const v0 = roundTrip(IncrementalAlterConfigs.request, request, 0).bytes;
    const v1 = roundTrip(IncrementalAlterConfigs.request, request, 1).bytes;
    expect(v0.readInt32BE(0)).toBe(1); // int32 array length
    expect(v1[0]).toBe(2); // uvarint length + 1
  });
});
