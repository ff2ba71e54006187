import { describe, expect, it } from 'vitest';
import { ZERO_UUID } from '../reader.js';
import { decodeBody, encodeBody, kafkajsDecodeResponse, kafkajsRequestBody, roundTrip, since } from '../testing.js';
import { Metadata, type MetadataRequest, type MetadataResponse } from './metadata.js';

const TOPIC_ID = '5f0c6d1e-8a55-4b41-9a3c-2b7f1c0d9e42';
const UNKNOWN_ID = '0a1b2c3d-4e5f-4061-8a7b-9c0d1e2f3a4b';
const NOT_ASKED = -2147483648;

const oldAuthOps = (v: number): boolean => v >= 8 && v <= 10;

function request(v: number): MetadataRequest {
  return {
    topics: [
      { topicId: since(v, 10, TOPIC_ID, ZERO_UUID), name: 'orders' },
      { topicId: since(v, 10, UNKNOWN_ID, ZERO_UUID), name: since<string | null>(v, 10, null, 'payments') },
    ],
    allowAutoTopicCreation: since(v, 4, false, true),
    includeClusterAuthorizedOperations: oldAuthOps(v),
    includeTopicAuthorizedOperations: since(v, 8, true, false),
  };
}

function response(v: number): MetadataResponse {
  return {
    throttleTimeMs: since(v, 3, 5, 0),
    brokers: [
      { nodeId: 1, host: 'localhost', port: 9092, rack: since<string | null>(v, 1, 'rack-a', null) },
      { nodeId: 2, host: 'localhost', port: 9093, rack: null },
    ],
    clusterId: since<string | null>(v, 2, 'skein-cluster', null),
    controllerId: since(v, 1, 1, -1),
    topics: [
      {
        errorCode: 0,
        name: 'orders',
        topicId: since(v, 10, TOPIC_ID, ZERO_UUID),
        isInternal: since(v, 1, true, false),
        partitions: [
          {
            errorCode: 0,
            partitionIndex: 0,
            leaderId: 1,
            leaderEpoch: since(v, 7, 3, -1),
            replicaNodes: [1, 2],
            isrNodes: [1],
            offlineReplicas: since(v, 5, [2], []),
          },
        ],
        topicAuthorizedOperations: since(v, 8, 0x5f8, NOT_ASKED),
      },
      {
        errorCode: since(v, 12, 100, 3),
        name: since<string | null>(v, 12, null, 'gone'),
        topicId: since(v, 10, UNKNOWN_ID, ZERO_UUID),
        isInternal: false,
        partitions: [],
        topicAuthorizedOperations: NOT_ASKED,
      },
    ],
    clusterAuthorizedOperations: oldAuthOps(v) ? 0x1f : NOT_ASKED,
    errorCode: 0,
  };
}

describe('Metadata', () => {
  it('covers v0-13', () => {
    expect([Metadata.versions.lo, Metadata.versions.hi]).toEqual([0, 13]);
  });

  for (let v = 0; v <= 13; v++) {
    it(`round-trips the request at v${v}`, () => {
      const rt = roundTrip(Metadata.request, request(v), v);
      expect(rt.left).toBe(0);
      expect(rt.decoded).toEqual(request(v));
      expect(rt.reencoded).toEqual(rt.bytes);
    });

    it(`round-trips the response at v${v}`, () => {
      const rt = roundTrip(Metadata.response, response(v), v);
      expect(rt.left).toBe(0);
      expect(rt.decoded).toEqual(response(v));
      expect(rt.reencoded).toEqual(rt.bytes);
    });
  }

  it('carries the v13 top-level error code', () => {
    const rt = roundTrip(Metadata.response, { ...response(13), errorCode: 129 }, 13);
    expect(rt.decoded.errorCode).toBe(129);
  });

  it('tells "all topics" (null, v1+) from "no topics" (empty)', () => {
    for (const v of [1, 9, 13]) {
      expect(roundTrip(Metadata.request, { ...request(v), topics: null }, v).decoded.topics).toBeNull();
      expect(roundTrip(Metadata.request, { ...request(v), topics: [] }, v).decoded.topics).toEqual([]);
    }
    expect(() => encodeBody(Metadata.request, { ...request(0), topics: null }, 0)).toThrow(/null/);
  });

  for (let v = 0; v <= 6; v++) {
    it(`reads what kafkajs sends at v${v} and writes it back byte for byte`, async () => {
      const bytes = await kafkajsRequestBody('metadata', v, { topics: ['orders', 'payments'], allowAutoTopicCreation: false });
      const { value, left } = decodeBody(Metadata.request, bytes, v);
      expect(left).toBe(0);
      expect(value.topics?.map((t) => t.name)).toEqual(['orders', 'payments']);
      expect(value.allowAutoTopicCreation).toBe(v < 4);
      expect(encodeBody(Metadata.request, value, v)).toEqual(bytes);

      if (v >= 1) {
        // kafkajs asks for every topic with an empty list, which it sends as null
        const all = await kafkajsRequestBody('metadata', v, { topics: [] });
        expect(decodeBody(Metadata.request, all, v).value.topics).toBeNull();
      }
    });

    it(`writes a v${v} response that kafkajs reads`, async () => {
      const decoded = await kafkajsDecodeResponse('metadata', v, encodeBody(Metadata.response, response(v), v));
      expect(decoded).toMatchObject({
        brokers: [
          { nodeId: 1, host: 'localhost', port: 9092, ...(v >= 1 ? { rack: 'rack-a' } : {}) },
          { nodeId: 2, host: 'localhost', port: 9093 },
        ],
        ...(v >= 2 ? { clusterId: 'skein-cluster' } : {}),
        ...(v >= 1 ? { controllerId: 1 } : {}),
        topicMetadata: [
          {
            topicErrorCode: 0,
            topic: 'orders',
            partitionMetadata: [{ partitionErrorCode: 0, partitionId: 0, leader: 1, replicas: [1, 2], isr: [1], ...(v >= 5 ? { offlineReplicas: [2] } : {}) }],
          },
          { topicErrorCode: 3, topic: 'gone', partitionMetadata: [] },
        ],
      });
    });
  }
});
