import { describe, expect, it } from 'vitest';
import { decodeBody, encodeBody, kafkajsRequestBody, roundTrip } from '../testing.js';
import { DeleteRecords, type DeleteRecordsRequest, type DeleteRecordsResponse } from './delete-records.js';

const request: DeleteRecordsRequest = {
  topics: [
    {
      name: 'orders',
      partitions: [
        { partitionIndex: 0, offset: 100n },
        { partitionIndex: 1, offset: -1n },
      ],
    },
  ],
  timeoutMs: 30_000,
};

const response: DeleteRecordsResponse = {
  throttleTimeMs: 15,
  topics: [
    {
      name: 'orders',
      partitions: [
        { partitionIndex: 0, lowWatermark: 100n, errorCode: 0 },
        { partitionIndex: 1, lowWatermark: -1n, errorCode: 1 },
      ],
    },
  ],
};

describe('DeleteRecords', () => {
  it('covers v0-2, flexible from v2', () => {
    expect([DeleteRecords.versions.lo, DeleteRecords.versions.hi]).toEqual([0, 2]);
    expect(DeleteRecords.requestHeaderVersion(1)).toBe(1);
    expect(DeleteRecords.requestHeaderVersion(2)).toBe(2);
  });

  for (let v = 0; v <= 2; v++) {
    it(`round-trips the request and the response at v${v}`, () => {
      const req = roundTrip(DeleteRecords.request, request, v);
      expect(req.left).toBe(0);
      expect(req.decoded).toEqual(request);
      expect(req.reencoded).toEqual(req.bytes);
      const res = roundTrip(DeleteRecords.response, response, v);
      expect(res.left).toBe(0);
      expect(res.decoded).toEqual(response);
      expect(res.reencoded).toEqual(res.bytes);
    });
  }

  for (let v = 0; v <= 1; v++) {
    it(`reads what kafkajs sends at v${v} and writes it back byte for byte`, async () => {
      const bytes = await kafkajsRequestBody('deleteRecords', v, {
        timeout: 30_000,
        topics: [
          {
            topic: 'orders',
            partitions: [
              { partition: 0, offset: '100' },
              { partition: 1, offset: '-1' },
            ],
          },
        ],
      });
      const { value, left } = decodeBody(DeleteRecords.request, bytes, v);
      expect(left).toBe(0);
      expect(value).toEqual(request);
      expect(encodeBody(DeleteRecords.request, value, v)).toEqual(bytes);
    });
  }
});
