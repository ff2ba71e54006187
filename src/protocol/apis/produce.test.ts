import { describe, expect, it } from 'vitest';
import { ZERO_UUID } from '../reader.js';
import { decodeBody, encodeBody, kafkajsDecodeResponse, kafkajsRequestBody, roundTrip, since } from '../testing.js';
import { Produce, type ProduceRequest, type ProduceResponse } from './produce.js';

const TOPIC_ID = '5f0c6d1e-8a55-4b41-9a3c-2b7f1c0d9e42';
const RECORDS = Buffer.from('not a real batch, the codec does not look inside', 'utf8');

function request(v: number): ProduceRequest {
  return {
    transactionalId: 'app-0_1',
    acks: -1,
    timeoutMs: 30_000,
    topicData: [
      {
        name: since(v, 13, '', 'orders'),
        topicId: since(v, 13, TOPIC_ID, ZERO_UUID),
        partitionData: [
          { index: 0, records: RECORDS },
          { index: 1, records: null },
        ],
      },
    ],
  };
}

function response(v: number): ProduceResponse {
  return {
    responses: [
      {
        name: since(v, 13, '', 'orders'),
        topicId: since(v, 13, TOPIC_ID, ZERO_UUID),
        partitionResponses: [
          {
            index: 0,
            errorCode: 6,
            baseOffset: 42n,
            logAppendTimeMs: 1_700_000_000_000n,
            logStartOffset: since(v, 5, 7n, -1n),
            recordErrors: since(
              v,
              8,
              [
                { batchIndex: 3, batchIndexErrorMessage: 'bad key' },
                { batchIndex: 4, batchIndexErrorMessage: null },
              ],
              [],
            ),
            errorMessage: since<string | null>(v, 8, 'not the leader', null),
            currentLeader: { leaderId: since(v, 10, 2, -1), leaderEpoch: since(v, 10, 5, -1) },
          },
        ],
      },
    ],
    throttleTimeMs: 10,
    nodeEndpoints: since(v, 10, [{ nodeId: 2, host: 'broker-2', port: 9092, rack: null }], []),
  };
}

describe('Produce', () => {
  it('covers v3-13', () => {
    expect([Produce.versions.lo, Produce.versions.hi]).toEqual([3, 13]);
    expect(Produce.requestHeaderVersion(8)).toBe(1);
    expect(Produce.requestHeaderVersion(9)).toBe(2);
  });

  for (let v = 3; v <= 13; v++) {
    it(`round-trips the request at v${v}`, () => {
      const rt = roundTrip(Produce.request, request(v), v);
      expect(rt.left).toBe(0);
      expect(rt.decoded).toEqual(request(v));
      expect(rt.reencoded).toEqual(rt.bytes);
    });

    it(`round-trips the response at v${v}`, () => {
      const rt = roundTrip(Produce.response, response(v), v);
      expect(rt.left).toBe(0);
      expect(rt.decoded).toEqual(response(v));
      expect(rt.reencoded).toEqual(rt.bytes);
    });
  }

  it('leaves the tagged CurrentLeader out while it holds its defaults', () => {
    const base = response(10);
    const plain = {
      ...base,
      nodeEndpoints: [],
      responses: [
        { ...base.responses[0], partitionResponses: [{ ...base.responses[0].partitionResponses[0], currentLeader: { leaderId: -1, leaderEpoch: -1 } }] },
      ],
    };
    const withoutField = {
      ...plain,
      responses: [{ ...plain.responses[0], partitionResponses: [{ ...plain.responses[0].partitionResponses[0], currentLeader: undefined }] }],
    };
    expect(encodeBody(Produce.response, plain, 10)).toEqual(encodeBody(Produce.response, withoutField, 10));
    expect(encodeBody(Produce.response, plain, 10).length).toBeLessThan(encodeBody(Produce.response, response(10), 10).length);
  });

  for (let v = 3; v <= 7; v++) {
    it(`reads what kafkajs sends at v${v} and writes it back byte for byte`, async () => {
      const bytes = await kafkajsRequestBody('produce', v, {
        acks: -1,
        timeout: 30_000,
        transactionalId: 'app-0_1',
        topicData: [
          {
            topic: 'orders',
            partitions: [
              { partition: 0, messages: [{ key: 'k1', value: 'v1', timestamp: 1_700_000_000_000 }] },
              { partition: 3, messages: [{ key: null, value: 'v2', timestamp: 1_700_000_000_001 }] },
            ],
          },
        ],
      });
      const { value, left } = decodeBody(Produce.request, bytes, v);
      expect(left).toBe(0);
      expect(value.transactionalId).toBe('app-0_1');
      expect(value.acks).toBe(-1);
      expect(value.timeoutMs).toBe(30_000);
      expect(value.topicData.map((t) => t.name)).toEqual(['orders']);
      expect(value.topicData[0].partitionData.map((p) => p.index)).toEqual([0, 3]);
      for (const p of value.topicData[0].partitionData) expect(p.records?.[16]).toBe(2); // RecordBatch magic
      expect(encodeBody(Produce.request, value, v)).toEqual(bytes);
    });

    it(`writes a v${v} response that kafkajs reads`, async () => {
      const decoded = await kafkajsDecodeResponse('produce', v, encodeBody(Produce.response, response(v), v));
      expect(decoded).toMatchObject({
        topics: [
          {
            topicName: 'orders',
            partitions: [{ partition: 0, errorCode: 6, baseOffset: '42', logAppendTime: '1700000000000', ...(v >= 5 ? { logStartOffset: '7' } : {}) }],
          },
        ],
        // from v6 the client, not the broker, waits out the throttle time (KIP-219)
        ...(v >= 6 ? { clientSideThrottleTime: 10 } : { throttleTime: 10 }),
      });
    });
  }
});
