import { describe, expect, it } from 'vitest';
import { decodeBody, encodeBody, kafkajsRequestBody, roundTrip, since } from '../testing.js';
import { DescribeConfigs, type DescribeConfigsRequest, type DescribeConfigsResponse } from './describe-configs.js';

function request(v: number): DescribeConfigsRequest {
  return {
    resources: [
      { resourceType: 2, resourceName: 'orders', configurationKeys: ['cleanup.policy', 'retention.ms'] },
      { resourceType: 4, resourceName: '1', configurationKeys: null },
    ],
    includeSynonyms: since(v, 1, true, false),
    includeDocumentation: since(v, 3, true, false),
  };
}

function response(v: number): DescribeConfigsResponse {
  return {
    throttleTimeMs: 15,
    results: [
      {
        errorCode: 0,
        errorMessage: null,
        resourceType: 2,
        resourceName: 'orders',
        configs: [
          {
            name: 'cleanup.policy',
            value: 'compact',
            readOnly: false,
            isDefault: false,
            configSource: since(v, 1, 1, -1),
            isSensitive: false,
            synonyms: since(
              v,
              1,
              [
                { name: 'cleanup.policy', value: 'compact', source: 1 },
                { name: 'log.cleanup.policy', value: 'delete', source: 5 },
              ],
              [],
            ),
            configType: since(v, 3, 7, 0),
            documentation: since<string | null>(v, 3, 'The retention policy to use on log segments.', ''),
          },
          {
            name: 'ssl.key.password',
            value: null,
            readOnly: true,
            isDefault: since(v, 1, false, true),
            configSource: since(v, 1, 5, -1),
            isSensitive: true,
            synonyms: [],
            configType: since(v, 3, 8, 0),
            documentation: since<string | null>(v, 3, null, ''),
          },
        ],
      },
      { errorCode: 3, errorMessage: 'no such topic', resourceType: 2, resourceName: 'gone', configs: [] },
    ],
  };
}

describe('DescribeConfigs', () => {
  it('covers v0-4', () => {
    expect([DescribeConfigs.versions.lo, DescribeConfigs.versions.hi]).toEqual([0, 4]);
  });

  for (let v = 0; v <= 4; v++) {
    it(`round-trips the request at v${v}`, () => {
      const rt = roundTrip(DescribeConfigs.request, request(v), v);
      expect(rt.left).toBe(0);
      expect(rt.decoded).toEqual(request(v));
      expect(rt.reencoded).toEqual(rt.bytes);
    });

    it(`round-trips the response at v${v}`, () => {
      const rt = roundTrip(DescribeConfigs.response, response(v), v);
      expect(rt.left).toBe(0);
      expect(rt.decoded).toEqual(response(v));
      expect(rt.reencoded).toEqual(rt.bytes);
    });
  }

  for (let v = 0; v <= 2; v++) {
    it(`reads what kafkajs sends at v${v} and writes it back byte for byte`, async () => {
      const bytes = await kafkajsRequestBody('describeConfigs', v, {
        includeSynonyms: true,
        resources: [
          { type: 2, name: 'orders', configNames: ['cleanup.policy'] },
          { type: 4, name: '1' }, // no names: kafkajs sends null, "every key"
        ],
      });
      const { value, left } = decodeBody(DescribeConfigs.request, bytes, v);
      expect(left).toBe(0);
      expect(value).toEqual({
        resources: [
          { resourceType: 2, resourceName: 'orders', configurationKeys: ['cleanup.policy'] },
          { resourceType: 4, resourceName: '1', configurationKeys: null },
        ],
        includeSynonyms: v >= 1,
        includeDocumentation: false,
      });
      expect(encodeBody(DescribeConfigs.request, value, v)).toEqual(bytes);
    });
  }
});
