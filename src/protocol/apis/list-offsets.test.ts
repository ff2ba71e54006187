import { describe, expect, it } from 'vitest';
import { decodeBody, encodeBody, kafkajsDecodeResponse, kafkajsRequestBody, roundTrip, since } from '../testing.js';
import { ListOffsets, type ListOffsetsRequest, type ListOffsetsResponse } from './list-offsets.js';

function request(v: number): ListOffsetsRequest {
  return {
    replicaId: -1,
    isolationLevel: since(v, 2, 1, 0),
    topics: [
      {
        name: 'orders',
        partitions: [
          { partitionIndex: 0, currentLeaderEpoch: since(v, 4, 7, -1), timestamp: -1n, maxNumOffsets: since(v, 1, 1, 5) },
          { partitionIndex: 1, currentLeaderEpoch: -1, timestamp: 1_700_000_000_000n, maxNumOffsets: 1 },
        ],
      },
    ],
    timeoutMs: since(v, 10, 5_000, 0),
  };
}

function response(v: number): ListOffsetsResponse {
  return {
    throttleTimeMs: since(v, 2, 25, 0),
    topics: [
      {
        name: 'orders',
        partitions: [
          {
            partitionIndex: 0,
            errorCode: 0,
            oldStyleOffsets: since(v, 1, [], [42n, 0n]),
            timestamp: since(v, 1, -1n, -1n),
            offset: since(v, 1, 42n, -1n),
            leaderEpoch: since(v, 4, 7, -1),
          },
        ],
      },
    ],
  };
}

describe('ListOffsets', () => {
  it('covers v0-10', () => {
    expect([ListOffsets.versions.lo, ListOffsets.versions.hi]).toEqual([0, 10]);
  });

  for (let v = 0; v <= 10; v++) {
    it(`round-trips the request at v${v}`, () => {
      const rt = roundTrip(ListOffsets.request, request(v), v);
      expect(rt.left).toBe(0);
      expect(rt.decoded).toEqual(request(v));
      expect(rt.reencoded).toEqual(rt.bytes);
    });

    it(`round-trips the response at v${v}`, () => {
      const rt = roundTrip(ListOffsets.response, response(v), v);
      expect(rt.left).toBe(0);
      expect(rt.decoded).toEqual(response(v));
      expect(rt.reencoded).toEqual(rt.bytes);
    });
  }

  for (let v = 0; v <= 3; v++) {
    it(`reads what kafkajs sends at v${v} and writes it back byte for byte`, async () => {
      const bytes = await kafkajsRequestBody('listOffsets', v, {
        replicaId: -1,
        isolationLevel: 1,
        topics: [
          {
            topic: 'orders',
            partitions: [
              { partition: 0, timestamp: -1 },
              { partition: 1, timestamp: -2 },
            ],
          },
        ],
      });
      const { value, left } = decodeBody(ListOffsets.request, bytes, v);
      expect(left).toBe(0);
      expect(value.replicaId).toBe(-1);
      if (v >= 2) expect(value.isolationLevel).toBe(1);
      expect(value.topics[0].name).toBe('orders');
      expect(value.topics[0].partitions.map((p) => [p.partitionIndex, p.timestamp, p.maxNumOffsets])).toEqual([
        [0, -1n, 1],
        [1, -2n, 1],
      ]);
      expect(encodeBody(ListOffsets.request, value, v)).toEqual(bytes);
    });

    it(`writes a v${v} response that kafkajs reads`, async () => {
      const decoded = await kafkajsDecodeResponse('listOffsets', v, encodeBody(ListOffsets.response, response(v), v));
      const partition = v === 0 ? { partition: 0, errorCode: 0, offsets: ['42', '0'] } : { partition: 0, errorCode: 0, timestamp: '-1', offset: '42' };
      expect(decoded).toMatchObject({ responses: [{ topic: 'orders', partitions: [partition] }] });
    });
  }
});
