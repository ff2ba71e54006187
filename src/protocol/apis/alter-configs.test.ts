import { describe, expect, it } from 'vitest';
import { decodeBody, encodeBody, kafkajsRequestBody, roundTrip } from '../testing.js';
import { AlterConfigs, type AlterConfigsRequest, type AlterConfigsResponse } from './alter-configs.js';

const request: AlterConfigsRequest = {
  resources: [
    {
      resourceType: 2,
      resourceName: 'orders',
      configs: [
        { name: 'cleanup.policy', value: 'compact' },
        { name: 'retention.ms', value: null },
      ],
    },
  ],
  validateOnly: true,
};

const response: AlterConfigsResponse = {
  throttleTimeMs: 15,
  responses: [
    { errorCode: 0, errorMessage: null, resourceType: 2, resourceName: 'orders' },
    { errorCode: 40, errorMessage: 'bad value', resourceType: 4, resourceName: '1' },
  ],
};

describe('AlterConfigs', () => {
  it('covers v0-2, flexible from v2', () => {
    expect([AlterConfigs.versions.lo, AlterConfigs.versions.hi]).toEqual([0, 2]);
    expect(AlterConfigs.responseHeaderVersion(2)).toBe(1);
  });

  for (let v = 0; v <= 2; v++) {
    it(`round-trips the request and the response at v${v}`, () => {
      const req = roundTrip(AlterConfigs.request, request, v);
      expect(req.left).toBe(0);
      expect(req.decoded).toEqual(request);
      expect(req.reencoded).toEqual(req.bytes);
      const res = roundTrip(AlterConfigs.response, response, v);
      expect(res.left).toBe(0);
      expect(res.decoded).toEqual(response);
      expect(res.reencoded).toEqual(res.bytes);
    });
  }

  for (let v = 0; v <= 1; v++) {
    it(`reads what kafkajs sends at v${v} and writes it back byte for byte`, async () => {
      const bytes = await kafkajsRequestBody('alterConfigs', v, {
        validateOnly: true,
        resources: [{ type: 2, name: 'orders', configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }],
      });
      const { value, left } = decodeBody(AlterConfigs.request, bytes, v);
      expect(left).toBe(0);
      expect(value).toEqual({
        resources: [{ resourceType: 2, resourceName: 'orders', configs: [{ name: 'cleanup.policy', value: 'compact' }] }],
        validateOnly: true,
      });
      expect(encodeBody(AlterConfigs.request, value, v)).toEqual(bytes);
    });
  }
});
