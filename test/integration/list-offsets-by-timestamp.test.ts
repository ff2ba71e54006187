/**
 * ListOffsets by timestamp: the answer is the first offset whose record timestamp is at or after
 * the one asked — before the first record, exactly on one, inside a batch, between batches, with
 * timestamps going backwards inside a batch — and "none" after the last record (offset -1 on the
 * wire; kafkajs turns that into the high watermark, librdkafka into the end). The same answers
 * come from kafkajs admin.fetchTopicOffsetsByTimestamp, raw ListOffsets v7, kcat -Q
 * (offsetsForTimes) and kcat -C -o s@<ts>; and they hold whether the batches share one segment,
 * have a time-index entry each, or each sit in their own segment.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { useBrokerWithClients } from '../support/broker-with-clients.js';
import { hasKcat, kcatConsume, kcatMissing, kcatOffsetForTime } from '../support/kcat.js';
import { segmentFiles } from '../support/log-files.js';

const T = 1_700_000_000_000;

/** Each inner array is one produce request, so one batch: record timestamps as offsets from T. */
const BATCHES = [
  [1_000, 2_000, 3_000], //        offsets 0-2
  [5_000, 5_000, 6_000], //        offsets 3-5
  [9_000, 8_000, 10_000], //       offsets 6-8: time goes backwards inside the batch
  [12_000, 12_000], //             offsets 9-10
];
const END = 11;

/** [asked (offset from T), expected offset, expected record timestamp (offset from T)]; -1: none. */
const CASES: Array<[string, number, number, number]> = [
  ['long before the first record', -1_000_000, 0, 1_000],
  ['exactly the first record', 1_000, 0, 1_000],
  ['inside the first batch', 1_500, 1, 2_000],
  ['exactly the last record of a batch', 3_000, 2, 3_000],
  ['between two batches', 4_000, 3, 5_000],
  ['a timestamp two records share', 5_000, 3, 5_000],
  ['between the two', 5_500, 5, 6_000],
  ['a timestamp only a later record reaches, the earlier one having a larger one', 8_500, 6, 9_000],
  ['the smaller timestamp that follows a larger one in the batch', 8_000, 6, 9_000],
  ['just after the largest of the third batch', 10_001, 9, 12_000],
  ['exactly the last record', 12_000, 9, 12_000],
  ['after the last record', 12_001, -1, -1],
];

const VARIANTS: Array<[string, Record<string, string>, number]> = [
  ['one segment, sparse index', {}, 1],
  ['one segment, a time-index entry per batch', { 'index.interval.bytes': '1' }, 1],
  ['a segment per batch', { 'segment.bytes': '150' }, BATCHES.length],
];

const env = useBrokerWithClients();

describe.each(VARIANTS)('%s', (name, configs, segments) => {
  const topic = `by-time-${name.replace(/[^a-z]+/g, '-')}`;

  beforeAll(async () => {
    await env.admin.createTopics({
      topics: [{ topic, numPartitions: 1, configEntries: Object.entries(configs).map(([k, v]) => ({ name: k, value: v })) }],
    });
    let offset = 0;
    for (const batch of BATCHES) {
      const [ack] = await env.producer.send({
        topic,
        acks: -1,
        messages: batch.map((ts, i) => ({ key: `k${offset + i}`, value: `v${offset + i}`, timestamp: String(T + ts) })),
      });
      expect(Number(ack.baseOffset)).toBe(offset);
      offset += batch.length;
    }
    expect(segmentFiles(env.broker.logDir, topic, 0)).toHaveLength(segments);
  });

  it("raw ListOffsets v7 returns the first offset at or after the time, with that record's timestamp", async () => {
    for (const [what, asked, offset, ts] of CASES) {
      const r = await env.raw.listOffset(topic, 0, BigInt(T + asked));
      expect({ what, errorCode: r.errorCode, offset: Number(r.offset), timestamp: Number(r.timestamp) }).toEqual({
        what,
        errorCode: 0,
        offset,
        timestamp: ts === -1 ? -1 : T + ts,
      });
    }
    // -3: the first record with the largest timestamp (KIP-734).
    const max = await env.raw.listOffset(topic, 0, -3n);
    expect([Number(max.offset), Number(max.timestamp)]).toEqual([9, T + 12_000]);
  });

  it('kafkajs admin.fetchTopicOffsetsByTimestamp agrees (and answers the high watermark where there is none)', async () => {
    for (const [what, asked, offset] of CASES) {
      const [p] = await env.admin.fetchTopicOffsetsByTimestamp(topic, T + asked);
      expect({ what, offset: Number(p.offset) }).toEqual({ what, offset: offset === -1 ? END : offset });
    }
  });

  it.skipIf(!hasKcat)(`kcat -Q (librdkafka offsetsForTimes) agrees${hasKcat ? '' : ` (skipped: ${kcatMissing})`}`, async () => {
    for (const [what, asked, offset] of CASES) {
      if (T + asked < 0) continue;
      expect({ what, offset: await kcatOffsetForTime(env.broker.bootstrap, topic, 0, T + asked) }).toEqual({ what, offset });
    }
  });

  it.skipIf(!hasKcat)(`kcat -C -o s@<ts> starts consuming there${hasKcat ? '' : ` (skipped: ${kcatMissing})`}`, async () => {
    for (const [what, asked, offset] of [CASES[2], CASES[4], CASES[8], CASES[CASES.length - 1]]) {
      const records = await kcatConsume(env.broker.bootstrap, topic, 0, { offset: `s@${T + asked}` });
      const expected = offset === -1 ? [] : Array.from({ length: END - offset }, (_, i) => offset + i);
      expect({ what, offsets: records.map((r) => r.offset) }).toEqual({ what, offsets: expected });
    }
  });
});
