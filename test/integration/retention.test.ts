/**
 * Retention deletes whole segments, oldest first — by record time (retention.ms against the broker's
 * clock) and by size (retention.bytes) — and moves the log start offset with them: kafkajs sees the
 * new low watermark, a fetch below it is OFFSET_OUT_OF_RANGE, and everything from it on reads back
 * intact.
 *
 * The broker runs in this process on a ManualClock. Its LogManager checks retention every
 * log.retention.check.interval.ms (20 ms here) of that clock, so nothing is deleted until the test
 * moves the clock; moving it runs the checks due, at the clock's new time, and the test then waits
 * (in real time) for the clients to see what they deleted.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/broker/clock.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { useBrokerWithClients } from '../support/broker-with-clients.js';
import { partitionBatches, segmentFiles } from '../support/log-files.js';

const CHECK_INTERVAL_MS = 20;
const BATCHES = 6;
const PER_BATCH = 5;
/** One batch of 5 small records is ~170 bytes: two do not fit, so each batch gets its own segment. */
const SEGMENT_BYTES = '250';

const clock = new ManualClock();
const env = useBrokerWithClients({ 'log.retention.check.interval.ms': String(CHECK_INTERVAL_MS) }, { clock });

/** Sends batch k (records k*5 … k*5+4), every record stamped `timestamp`. */
async function sendBatch(topic: string, k: number, timestamp: number): Promise<void> {
  const messages = Array.from({ length: PER_BATCH }, (_, j) => ({
    key: `k${j}`,
    value: `value-${String(k * PER_BATCH + j).padStart(4, '0')}`,
    timestamp: String(timestamp),
  }));
  const [ack] = await env.producer.send({ topic, acks: -1, messages });
  expect(Number(ack.baseOffset)).toBe(k * PER_BATCH);
}

async function watermarks(topic: string): Promise<{ low: number; high: number }> {
  const [p] = await env.admin.fetchTopicOffsets(topic);
  return { low: Number(p.low), high: Number(p.high) };
}

/** Waits (real time) until the low watermark reaches `low`, for a few retention checks at most. */
async function waitForLow(topic: string, low: number): Promise<void> {
  const deadline = Date.now() + 5_000;
  while ((await watermarks(topic)).low !== low) {
    if (Date.now() > deadline) expect.fail(`low watermark of ${topic} is ${(await watermarks(topic)).low}, expected ${low}`);
    await new Promise((r) => setTimeout(r, CHECK_INTERVAL_MS));
  }
}

/** Waits a while in real time: whatever the last move of the clock started has finished. */
const severalChecks = (): Promise<void> => new Promise((r) => setTimeout(r, CHECK_INTERVAL_MS * 10));

function expectedRecords(from: number, to: number): Array<{ offset: number; key: string; value: string }> {
  return Array.from({ length: to - from }, (_, i) => {
    const o = from + i;
    return { offset: o, key: `k${o % PER_BATCH}`, value: `value-${String(o).padStart(4, '0')}` };
  });
}

async function readFrom(topic: string, from: number): Promise<Array<{ offset: number; key: string | null; value: string | null }>> {
  return (await env.raw.readAll(topic, 0, from)).map(({ offset, key, value }) => ({ offset, key, value }));
}

describe('retention.ms', () => {
  const RETENTION_MS = 60_000;

  /** A topic whose batch k (its own segment) carries timestamp t0 + k seconds; returns t0. */
  async function timedTopic(topic: string): Promise<number> {
    const t0 = clock.now();
    await env.admin.createTopics({
      topics: [
        {
          topic,
          numPartitions: 1,
          configEntries: [
            { name: 'segment.bytes', value: SEGMENT_BYTES },
            { name: 'retention.ms', value: String(RETENTION_MS) },
          ],
        },
      ],
    });
    for (let k = 0; k < BATCHES; k++) await sendBatch(topic, k, t0 + k * 1_000);
    expect(segmentFiles(env.broker.logDir, topic, 0)).toHaveLength(BATCHES);
    return t0;
  }

  it('deletes the segments whose newest record is older than retention.ms, and only those', async () => {
    const topic = 'retention-by-time';
    const t0 = await timedTopic(topic);

    // Exactly retention.ms old is not yet expired (Kafka: now - timestamp > retention.ms).
    clock.advance(t0 + RETENTION_MS - clock.now());
    await severalChecks();
    expect(await watermarks(topic)).toEqual({ low: 0, high: BATCHES * PER_BATCH });
    expect(segmentFiles(env.broker.logDir, topic, 0)).toHaveLength(BATCHES);

    // Batches 0-2 are now 62.5, 61.5 and 60.5 s old: expired. Batch 3 is 59.5 s old: kept.
    clock.advance(2_500);
    await waitForLow(topic, 3 * PER_BATCH);
    await severalChecks();
    expect(await watermarks(topic)).toEqual({ low: 3 * PER_BATCH, high: BATCHES * PER_BATCH });
    expect(segmentFiles(env.broker.logDir, topic, 0)).toHaveLength(BATCHES - 3);

    const below = await env.raw.fetchPartition(topic, 0, BigInt(3 * PER_BATCH - 1));
    expect(below.errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    expect(below.logStartOffset).toBe(BigInt(3 * PER_BATCH));
    expect((await env.raw.fetchPartition(topic, 0, 0n)).errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    expect(await readFrom(topic, 3 * PER_BATCH)).toEqual(expectedRecords(3 * PER_BATCH, BATCHES * PER_BATCH));
    expect((await env.raw.listOffset(topic, 0, -2n)).offset).toBe(BigInt(3 * PER_BATCH));
  });

  it('when even the active segment has expired, the log rolls and empties; the next append continues the offsets', async () => {
    const topic = 'retention-all-expired';
    const t0 = await timedTopic(topic);
    clock.advance(t0 + (BATCHES - 1) * 1_000 + RETENTION_MS + 1 - clock.now());
    const end = BATCHES * PER_BATCH;
    await waitForLow(topic, end);
    expect(await watermarks(topic)).toEqual({ low: end, high: end });
    expect((await env.raw.fetchPartition(topic, 0, BigInt(end - 1))).errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    const atEnd = await env.raw.fetchPartition(topic, 0, BigInt(end));
    expect(atEnd.errorCode).toBe(ErrorCode.NONE);
    expect(atEnd.highWatermark).toBe(BigInt(end));

    await sendBatch(topic, BATCHES, clock.now());
    expect(await readFrom(topic, end)).toEqual(expectedRecords(end, end + PER_BATCH));
    expect(await watermarks(topic)).toEqual({ low: end, high: end + PER_BATCH });
  });
});

describe('retention.bytes', () => {
  const topic = 'retention-by-size';

  it('deletes the oldest segments while the log stays above retention.bytes without them', async () => {
    await env.admin.createTopics({ topics: [{ topic, numPartitions: 1, configEntries: [{ name: 'segment.bytes', value: SEGMENT_BYTES }] }] });
    for (let k = 0; k < BATCHES; k++) await sendBatch(topic, k, clock.now());
    const batches = partitionBatches(env.broker.logDir, topic, 0);
    expect(batches).toHaveLength(BATCHES);
    const size = batches[0].size;
    expect(batches.every((x) => x.size === size)).toBe(true);

    // 6 segments of `size` bytes, limit 2.5 segments: deleting 3 leaves 3 (still 0.5 over, but
    // deleting a 4th would go below the limit, which Kafka does not do).
    const limit = Math.floor(2.5 * size);
    await env.admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: 2, // TOPIC
          name: topic,
          configEntries: [
            { name: 'segment.bytes', value: SEGMENT_BYTES },
            { name: 'retention.bytes', value: String(limit) },
          ],
        },
      ],
    });
    clock.advance(CHECK_INTERVAL_MS);
    await waitForLow(topic, 3 * PER_BATCH);
    clock.advance(CHECK_INTERVAL_MS);
    await severalChecks();
    expect(await watermarks(topic)).toEqual({ low: 3 * PER_BATCH, high: BATCHES * PER_BATCH });
    expect(segmentFiles(env.broker.logDir, topic, 0)).toHaveLength(3);

    expect((await env.raw.fetchPartition(topic, 0, BigInt(3 * PER_BATCH - 1))).errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    expect(await readFrom(topic, 3 * PER_BATCH)).toEqual(expectedRecords(3 * PER_BATCH, BATCHES * PER_BATCH));
  });
});
