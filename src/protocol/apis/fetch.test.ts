import { describe, expect, it } from 'vitest';
import { ZERO_UUID } from '../reader.js';
import { decodeBody, encodeBody, kafkajsDecodeResponse, kafkajsRequestBody, roundTrip, since } from '../testing.js';
import { Fetch, type FetchRequest, type FetchResponse } from './fetch.js';
import { Produce } from './produce.js';

const TOPIC_ID = '5f0c6d1e-8a55-4b41-9a3c-2b7f1c0d9e42';
const OLD_TOPIC_ID = '0a1b2c3d-4e5f-4061-8a7b-9c0d1e2f3a4b';
const DIR_ID = 'c0ffee00-1234-4567-89ab-cdef01234567';
const RECORDS = Buffer.from('opaque record data');

function request(v: number): FetchRequest {
  return {
    clusterId: since<string | null>(v, 12, 'skein-cluster', null),
    replicaId: v <= 14 ? 3 : -1,
    replicaState: { replicaId: since(v, 15, 3, -1), replicaEpoch: since(v, 15, 9n, -1n) },
    maxWaitMs: 500,
    minBytes: 1,
    maxBytes: 52_428_800,
    isolationLevel: 1,
    sessionId: since(v, 7, 77, 0),
    sessionEpoch: since(v, 7, 2, -1),
    topics: [
      {
        topic: since(v, 13, '', 'orders'),
        topicId: since(v, 13, TOPIC_ID, ZERO_UUID),
        partitions: [
          {
            partition: 0,
            currentLeaderEpoch: since(v, 9, 4, -1),
            fetchOffset: 100n,
            lastFetchedEpoch: since(v, 12, 3, -1),
            logStartOffset: since(v, 5, 0n, -1n),
            partitionMaxBytes: 1_048_576,
            replicaDirectoryId: since(v, 17, DIR_ID, ZERO_UUID),
            highWatermark: since(v, 18, 150n, 9_223_372_036_854_775_807n),
          },
        ],
      },
    ],
    forgottenTopicsData: since(v, 7, [{ topic: since(v, 13, '', 'old'), topicId: since(v, 13, OLD_TOPIC_ID, ZERO_UUID), partitions: [1, 2] }], []),
    rackId: since(v, 11, 'rack-a', ''),
  };
}

function response(v: number, records: Buffer = RECORDS): FetchResponse {
  return {
    throttleTimeMs: 0,
    errorCode: 0,
    sessionId: since(v, 7, 77, 0),
    responses: [
      {
        topic: since(v, 13, '', 'orders'),
        topicId: since(v, 13, TOPIC_ID, ZERO_UUID),
        partitions: [
          {
            partitionIndex: 0,
            errorCode: 0,
            highWatermark: 200n,
            lastStableOffset: 180n,
            logStartOffset: since(v, 5, 0n, -1n),
            divergingEpoch: { epoch: since(v, 12, 2, -1), endOffset: since(v, 12, 90n, -1n) },
            currentLeader: { leaderId: since(v, 12, 1, -1), leaderEpoch: since(v, 12, 4, -1) },
            snapshotId: { endOffset: since(v, 12, 80n, -1n), epoch: since(v, 12, 1, -1) },
            abortedTransactions: [{ producerId: 5n, firstOffset: 120n }],
            preferredReadReplica: since(v, 11, 2, -1),
            records,
          },
          {
            partitionIndex: 1,
            errorCode: 1,
            highWatermark: -1n,
            lastStableOffset: -1n,
            logStartOffset: -1n,
            divergingEpoch: { epoch: -1, endOffset: -1n },
            currentLeader: { leaderId: -1, leaderEpoch: -1 },
            snapshotId: { endOffset: -1n, epoch: -1 },
            abortedTransactions: null,
            preferredReadReplica: -1,
            records: null,
          },
        ],
      },
    ],
    nodeEndpoints: since(v, 16, [{ nodeId: 1, host: 'broker-1', port: 9092, rack: 'rack-a' }], []),
  };
}

/** A real RecordBatch, as kafkajs writes it into a Produce request. */
async function kafkajsBatch(): Promise<Buffer> {
  const bytes = await kafkajsRequestBody('produce', 3, {
    acks: 1,
    timeout: 1000,
    topicData: [{ topic: 't', partitions: [{ partition: 0, messages: [{ key: 'k', value: 'hello', timestamp: 1_700_000_000_000 }] }] }],
  });
  const records = decodeBody(Produce.request, bytes, 3).value.topicData[0].partitionData[0].records;
  if (!records) throw new Error('kafkajs wrote no records');
  return Buffer.from(records);
}

describe('Fetch', () => {
  it('covers v4-18', () => {
    expect([Fetch.versions.lo, Fetch.versions.hi]).toEqual([4, 18]);
    expect(Fetch.responseHeaderVersion(11)).toBe(0);
    expect(Fetch.responseHeaderVersion(12)).toBe(1);
  });

  for (let v = 4; v <= 18; v++) {
    it(`round-trips the request at v${v}`, () => {
      const rt = roundTrip(Fetch.request, request(v), v);
      expect(rt.left).toBe(0);
      expect(rt.decoded).toEqual(request(v));
      expect(rt.reencoded).toEqual(rt.bytes);
    });

    it(`round-trips the response at v${v}`, () => {
      const rt = roundTrip(Fetch.response, response(v), v);
      expect(rt.left).toBe(0);
      expect(rt.decoded).toEqual(response(v));
      expect(rt.reencoded).toEqual(rt.bytes);
    });
  }

  it('re-encodes a decoded v12 answer without the tagged fields it did not carry', () => {
    const plain = response(12);
    plain.responses[0].partitions = [plain.responses[0].partitions[1]];
    const bytes = encodeBody(Fetch.response, plain, 12);
    const { value } = decodeBody(Fetch.response, bytes, 12);
    expect(value.responses[0].partitions[0].currentLeader).toEqual({ leaderId: -1, leaderEpoch: -1 });
    expect(encodeBody(Fetch.response, value, 12)).toEqual(bytes);
  });

  it('accepts a record set given as several buffers, as a zero-copy read hands it over', () => {
    const whole = encodeBody(Fetch.response, response(11), 11);
    const pieces = response(11);
    pieces.responses[0].partitions[0].records = [RECORDS.subarray(0, 5), RECORDS.subarray(5)];
    expect(encodeBody(Fetch.response, pieces, 11)).toEqual(whole);
  });

  for (let v = 4; v <= 11; v++) {
    it(`reads what kafkajs sends at v${v} and writes it back byte for byte`, async () => {
      const bytes = await kafkajsRequestBody('fetch', v, {
        replicaId: -1,
        maxWaitTime: 500,
        minBytes: 1,
        maxBytes: 10_485_760,
        isolationLevel: 1,
        sessionId: 0,
        sessionEpoch: -1,
        rackId: 'rack-a',
        topics: [
          {
            topic: 'orders',
            partitions: [
              { partition: 0, fetchOffset: '100', maxBytes: 1_048_576, currentLeaderEpoch: 4 },
              { partition: 2, fetchOffset: '7', maxBytes: 1_048_576 },
            ],
          },
        ],
        forgottenTopics: [{ topic: 'old', partitions: [1] }],
      });
      const { value, left } = decodeBody(Fetch.request, bytes, v);
      expect(left).toBe(0);
      expect(value).toMatchObject({ replicaId: -1, maxWaitMs: 500, minBytes: 1, maxBytes: 10_485_760, isolationLevel: 1 });
      expect(value.topics[0].topic).toBe('orders');
      expect(value.topics[0].partitions.map((p) => [p.partition, p.fetchOffset, p.partitionMaxBytes])).toEqual([
        [0, 100n, 1_048_576],
        [2, 7n, 1_048_576],
      ]);
      if (v >= 7) expect(value.forgottenTopicsData).toEqual([{ topic: 'old', topicId: ZERO_UUID, partitions: [1] }]);
      if (v >= 9) expect(value.topics[0].partitions[0].currentLeaderEpoch).toBe(4);
      if (v >= 11) expect(value.rackId).toBe('rack-a');
      expect(encodeBody(Fetch.request, value, v)).toEqual(bytes);
    });

    it(`writes a v${v} response whose records kafkajs reads`, async () => {
      const batch = await kafkajsBatch();
      const decoded = await kafkajsDecodeResponse('fetch', v, encodeBody(Fetch.response, response(v, batch), v));
      const partition = (decoded as { responses: Array<{ topicName: string; partitions: Array<Record<string, unknown>> }> }).responses[0];
      expect(partition.topicName).toBe('orders');
      expect(partition.partitions[0]).toMatchObject({
        partition: 0,
        errorCode: 0,
        highWatermark: '200',
        lastStableOffset: '180',
        abortedTransactions: [{ producerId: '5', firstOffset: '120' }],
      });
      const messages = partition.partitions[0].messages as Array<{ key: Buffer; value: Buffer }>;
      expect(messages.map((m) => m.value.toString())).toEqual(['hello']);
    });
  }
});
