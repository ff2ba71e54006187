import { describe, expect, it } from 'vitest';
import { Reader } from '../reader.js';
import type { MessageCodec } from '../schema.js';
import { Writer } from '../writer.js';
import { WriteTxnMarkers, type WriteTxnMarkersRequest, type WriteTxnMarkersResponse } from './write-txn-markers.js';

// kafkajs never sends WriteTxnMarkers (only a transaction coordinator does), so there is no client
// fixture to compare with; the v0 layout check below spells the bytes out instead.

const encode = <T>(codec: MessageCodec<T>, body: T, v: number): Buffer => {
  const w = new Writer();
  codec.encode(w, body, v);
  return w.toBuffer();
};
const decode = <T>(codec: MessageCodec<T>, buf: Buffer, v: number): T => {
  const r = new Reader(buf);
  const out = codec.decode(r, v);
  expect(r.remaining).toBe(0);
  return out;
};

const markersAt = (v: number): WriteTxnMarkersRequest['markers'] => [
  {
    producerId: 1000n,
    producerEpoch: 4,
    transactionResult: true,
    topics: [
      { name: 'orders', partitionIndexes: [0, 2] },
      { name: '__consumer_offsets', partitionIndexes: [17] },
    ],
    coordinatorEpoch: 3,
    transactionVersion: v >= 2 ? 2 : 0,
  },
  {
    producerId: 1001n,
    producerEpoch: 0,
    transactionResult: false,
    topics: [{ name: 'payments', partitionIndexes: [1] }],
    coordinatorEpoch: 3,
    transactionVersion: v >= 2 ? 1 : 0,
  },
];
const full: WriteTxnMarkersRequest = { markers: markersAt(2) };

const response: WriteTxnMarkersResponse = {
  markers: [
    {
      producerId: 1000n,
      topics: [
        {
          name: 'orders',
          partitions: [
            { partitionIndex: 0, errorCode: 0 },
            { partitionIndex: 2, errorCode: 6 },
          ],
        },
      ],
    },
    { producerId: 1001n, topics: [] },
  ],
};

describe('WriteTxnMarkers', () => {
  it('spans v0-2, flexible from v1', () => {
    expect(WriteTxnMarkers.key).toBe(27);
    expect([WriteTxnMarkers.versions.lo, WriteTxnMarkers.versions.hi]).toEqual([0, 2]);
    for (let v = 0; v <= 2; v++) expect(WriteTxnMarkers.requestHeaderVersion(v)).toBe(v >= 1 ? 2 : 1);
  });

  for (let v = 0; v <= 2; v++) {
    it(`round-trips the request at v${v}`, () => {
      expect(decode(WriteTxnMarkers.request, encode(WriteTxnMarkers.request, full, v), v)).toEqual({ markers: markersAt(v) });
    });

    it(`round-trips the response at v${v}`, () => {
      expect(decode(WriteTxnMarkers.response, encode(WriteTxnMarkers.response, response, v), v)).toEqual(response);
    });
  }

  it('lays out v0 as the classic (non-flexible) encoding', () => {
    const one: WriteTxnMarkersRequest = {
      markers: [{ producerId: 1n, producerEpoch: 2, transactionResult: true, topics: [{ name: 't', partitionIndexes: [7] }], coordinatorEpoch: 9 }],
    };
    const expected = Buffer.from([
      0,
      0,
      0,
      1, // markers: 1
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      1, // producer id
      0,
      2, // producer epoch
      1, // commit
      0,
      0,
      0,
      1,
      0,
      1,
      0x74,
      0,
      0,
      0,
      1,
      0,
      0,
      0,
      7, // topics: [{ "t", [7] }]
      0,
      0,
      0,
      9, // coordinator epoch
    ]);
    expect(encode(WriteTxnMarkers.request, one, 0)).toEqual(expected);
  });
});
