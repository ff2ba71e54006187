import { describe, expect, it } from 'vitest';
import { decodeBody, encodeBody, kafkajsRequestBody, roundTrip } from '../testing.js';
import { CreatePartitions, type CreatePartitionsRequest, type CreatePartitionsResponse } from './create-partitions.js';

const request: CreatePartitionsRequest = {
  topics: [
    { name: 'orders', count: 6, assignments: null },
    { name: 'placed', count: 3, assignments: [{ brokerIds: [1, 2] }, { brokerIds: [2, 1] }] },
  ],
  timeoutMs: 30_000,
  validateOnly: false,
};

const response: CreatePartitionsResponse = {
  throttleTimeMs: 15,
  results: [
    { name: 'orders', errorCode: 0, errorMessage: null },
    { name: 'placed', errorCode: 37, errorMessage: 'Topic currently has 4 partitions, which is higher than the requested 3.' },
  ],
};

describe('CreatePartitions', () => {
  it('covers v0-3, flexible from v2', () => {
    expect([CreatePartitions.versions.lo, CreatePartitions.versions.hi]).toEqual([0, 3]);
    expect(CreatePartitions.requestHeaderVersion(2)).toBe(2);
  });

  for (let v = 0; v <= 3; v++) {
    it(`round-trips the request and the response at v${v}`, () => {
      const req = roundTrip(CreatePartitions.request, request, v);
      expect(req.left).toBe(0);
      expect(req.decoded).toEqual(request);
      expect(req.reencoded).toEqual(req.bytes);
      const res = roundTrip(CreatePartitions.response, response, v);
      expect(res.left).toBe(0);
      expect(res.decoded).toEqual(response);
      expect(res.reencoded).toEqual(res.bytes);
    });
  }

  for (let v = 0; v <= 1; v++) {
    it(`reads what kafkajs sends at v${v} and writes it back byte for byte`, async () => {
      const bytes = await kafkajsRequestBody('createPartitions', v, {
        timeout: 30_000,
        validateOnly: true,
        topicPartitions: [
          { topic: 'orders', count: 6 }, // no assignments: kafkajs sends null
          { topic: 'placed', count: 3, assignments: [[1, 2]] },
        ],
      });
      const { value, left } = decodeBody(CreatePartitions.request, bytes, v);
      expect(left).toBe(0);
      expect(value).toEqual({
        topics: [
          { name: 'orders', count: 6, assignments: null },
          { name: 'placed', count: 3, assignments: [{ brokerIds: [1, 2] }] },
        ],
        timeoutMs: 30_000,
        validateOnly: true,
      });
      expect(encodeBody(CreatePartitions.request, value, v)).toEqual(bytes);
    });
  }
});
