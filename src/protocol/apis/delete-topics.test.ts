import { describe, expect, it } from 'vitest';
import { ZERO_UUID } from '../reader.js';
import { decodeBody, encodeBody, kafkajsRequestBody, roundTrip, since } from '../testing.js';
import { DeleteTopics, type DeleteTopicsRequest, type DeleteTopicsResponse } from './delete-topics.js';

const TOPIC_ID = '5f0c6d1e-8a55-4b41-9a3c-2b7f1c0d9e42';

function request(v: number): DeleteTopicsRequest {
  return {
    topics: since(
      v,
      6,
      [
        { name: 'orders', topicId: ZERO_UUID },
        { name: null, topicId: TOPIC_ID },
      ],
      [],
    ),
    topicNames: since(v, 6, [], ['orders', 'payments']),
    timeoutMs: 30_000,
  };
}

function response(v: number): DeleteTopicsResponse {
  return {
    throttleTimeMs: since(v, 1, 15, 0),
    responses: [
      { name: 'orders', topicId: since(v, 6, TOPIC_ID, ZERO_UUID), errorCode: 0, errorMessage: null },
      {
        name: since<string | null>(v, 6, null, 'payments'),
        topicId: ZERO_UUID,
        errorCode: since(v, 6, 100, 3),
        errorMessage: since<string | null>(v, 5, 'unknown topic', null),
      },
    ],
  };
}

describe('DeleteTopics', () => {
  it('covers v0-6', () => {
    expect([DeleteTopics.versions.lo, DeleteTopics.versions.hi]).toEqual([0, 6]);
  });

  for (let v = 0; v <= 6; v++) {
    it(`round-trips the request at v${v}`, () => {
      const rt = roundTrip(DeleteTopics.request, request(v), v);
      expect(rt.left).toBe(0);
      expect(rt.decoded).toEqual(request(v));
      expect(rt.reencoded).toEqual(rt.bytes);
    });

    it(`round-trips the response at v${v}`, () => {
      const rt = roundTrip(DeleteTopics.response, response(v), v);
      expect(rt.left).toBe(0);
      expect(rt.decoded).toEqual(response(v));
      expect(rt.reencoded).toEqual(rt.bytes);
    });
  }

  for (let v = 0; v <= 1; v++) {
    it(`reads what kafkajs sends at v${v} and writes it back byte for byte`, async () => {
      const bytes = await kafkajsRequestBody('deleteTopics', v, { topics: ['orders', 'payments'], timeout: 30_000 });
      const { value, left } = decodeBody(DeleteTopics.request, bytes, v);
      expect(left).toBe(0);
      expect(value).toEqual({ topics: [], topicNames: ['orders', 'payments'], timeoutMs: 30_000 });
      expect(encodeBody(DeleteTopics.request, value, v)).toEqual(bytes);
    });
  }
});
