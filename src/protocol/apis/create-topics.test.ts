import { describe, expect, it } from 'vitest';
import { ZERO_UUID } from '../reader.js';
import { decodeBody, encodeBody, kafkajsRequestBody, roundTrip, since } from '../testing.js';
import { CreateTopics, type CreateTopicsRequest, type CreateTopicsResponse } from './create-topics.js';

const TOPIC_ID = '5f0c6d1e-8a55-4b41-9a3c-2b7f1c0d9e42';

function request(v: number): CreateTopicsRequest {
  return {
    topics: [
      {
        name: 'orders',
        numPartitions: 3,
        replicationFactor: 1,
        assignments: [],
        configs: [
          { name: 'cleanup.policy', value: 'compact' },
          { name: 'retention.ms', value: null },
        ],
      },
      {
        name: 'placed',
        numPartitions: -1,
        replicationFactor: -1,
        assignments: [
          { partitionIndex: 0, brokerIds: [1] },
          { partitionIndex: 1, brokerIds: [1] },
        ],
        configs: [],
      },
    ],
    timeoutMs: 30_000,
    validateOnly: since(v, 1, true, false),
  };
}

function response(v: number): CreateTopicsResponse {
  return {
    throttleTimeMs: since(v, 2, 15, 0),
    topics: [
      {
        name: 'orders',
        topicId: since(v, 7, TOPIC_ID, ZERO_UUID),
        errorCode: 0,
        errorMessage: since<string | null>(v, 1, null, ''),
        topicConfigErrorCode: 0,
        numPartitions: since(v, 5, 3, -1),
        replicationFactor: since(v, 5, 1, -1),
        configs: since(
          v,
          5,
          [
            { name: 'cleanup.policy', value: 'compact', readOnly: false, configSource: 1, isSensitive: false },
            { name: 'ssl.key.password', value: null, readOnly: false, configSource: 5, isSensitive: true },
          ],
          [],
        ),
      },
      {
        name: 'existing',
        topicId: ZERO_UUID,
        errorCode: 36,
        errorMessage: since<string | null>(v, 1, 'Topic already exists.', ''),
        topicConfigErrorCode: since(v, 5, 29, 0),
        numPartitions: -1,
        replicationFactor: -1,
        configs: since(v, 5, null, []),
      },
    ],
  };
}

describe('CreateTopics', () => {
  it('covers v0-7', () => {
    expect([CreateTopics.versions.lo, CreateTopics.versions.hi]).toEqual([0, 7]);
  });

  for (let v = 0; v <= 7; v++) {
    it(`round-trips the request at v${v}`, () => {
      const rt = roundTrip(CreateTopics.request, request(v), v);
      expect(rt.left).toBe(0);
      expect(rt.decoded).toEqual(request(v));
      expect(rt.reencoded).toEqual(rt.bytes);
    });

    it(`round-trips the response at v${v}`, () => {
      const rt = roundTrip(CreateTopics.response, response(v), v);
      expect(rt.left).toBe(0);
      expect(rt.decoded).toEqual(response(v));
      expect(rt.reencoded).toEqual(rt.bytes);
    });
  }

  for (let v = 0; v <= 3; v++) {
    it(`reads what kafkajs sends at v${v} and writes it back byte for byte`, async () => {
      const bytes = await kafkajsRequestBody('createTopics', v, {
        timeout: 30_000,
        validateOnly: true,
        topics: [
          { topic: 'orders', numPartitions: 3, replicationFactor: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
          { topic: 'placed', replicaAssignment: [{ partition: 0, replicas: [1, 2] }] },
        ],
      });
      const { value, left } = decodeBody(CreateTopics.request, bytes, v);
      expect(left).toBe(0);
      expect(value).toEqual({
        topics: [
          { name: 'orders', numPartitions: 3, replicationFactor: 1, assignments: [], configs: [{ name: 'cleanup.policy', value: 'compact' }] },
          { name: 'placed', numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [1, 2] }], configs: [] },
        ],
        timeoutMs: 30_000,
        validateOnly: v >= 1,
      });
      expect(encodeBody(CreateTopics.request, value, v)).toEqual(bytes);
    });
  }
});
