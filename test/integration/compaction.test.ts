/**
 * Compaction end to end: kafkajs writes keyed records (some gzip, some tombstones) to a topic created
 * with cleanup.policy=compact and tiny segments; the broker's cleaner runs (LogManager.cleanNow); kcat
 * then reads the partition from the beginning and sees the latest value of each key at the offset the
 * broker acknowledged for it, no superseded record in the cleaned range, the same table a reader of
 * the uncompacted log would have built, and — after delete.retention.ms and one more round — the
 * tombstones gone.
 */
import { CompressionTypes, type Admin, type Kafka, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startBroker, type TestBroker } from '../support/broker.js';
import { expectAtAcknowledgedOffsets, kcatTable, tableOf } from '../support/compaction.js';
import { createCompactedTopic, kafkaClient, kafkaProducer } from '../support/kafkajs.js';
import { hasKcat, kcatConsume, kcatMissing, type KcatRecord } from '../support/kcat.js';

const TOPIC = 'compacted-table';
const KEYS = 25;
const ROUNDS = 12;
const DELETE_RETENTION_MS = 300;

interface Produced {
  offset: number;
  key: string;
  value: string | null;
}

describe.skipIf(!hasKcat)(`compaction: kafkajs → cleaner → kcat${hasKcat ? '' : ` (skipped: ${kcatMissing})`}`, () => {
  let b: TestBroker;
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  const produced: Produced[] = [];

  beforeAll(async () => {
    // The cleaner is driven by cleanNow; a long backoff keeps the background rounds out of the way.
    b = await startBroker({ 'log.cleaner.backoff.ms': '3600000' });
    kafka = kafkaClient(b.bootstrap);
    admin = kafka.admin();
    await admin.connect();
    producer = kafkaProducer(kafka);
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await admin?.disconnect();
    await b?.stop();
    if (b) removeDir(b.logDir);
  });

  async function send(messages: Array<{ key: string; value: string | null }>, compression = CompressionTypes.None): Promise<void> {
    const [ack] = await producer.send({ topic: TOPIC, acks: -1, compression, messages });
    expect(ack.errorCode).toBe(0);
    const base = Number(ack.baseOffset);
    messages.forEach((m, i) => produced.push({ offset: base + i, key: m.key, value: m.value }));
  }

  async function readAll(from: string | number = 'beginning'): Promise<KcatRecord[]> {
    return kcatConsume(b.bootstrap, TOPIC, 0, { offset: from });
  }

  const expectOriginalOffsets = (records: KcatRecord[]): void => expectAtAcknowledgedOffsets(records, produced);

  it('keeps the latest value of each key at its original offset, then drops tombstones after delete.retention.ms', async () => {
    await createCompactedTopic(admin, TOPIC, DELETE_RETENTION_MS);

    for (let round = 0; round < ROUNDS; round++) {
      const messages = Array.from({ length: KEYS }, (_, k) => ({ key: `key-${k}`, value: `value-${k}-round-${round}` as string | null }));
      // Keys divisible by 5 are deleted in the second-to-last round (and some come back in the last).
      if (round === ROUNDS - 2) for (let k = 0; k < KEYS; k += 5) messages[k].value = null;
      const toSend = round === ROUNDS - 1 ? messages.filter((_, k) => k % 10 !== 0) : messages;
      await send(toSend, round % 3 === 1 ? CompressionTypes.GZIP : CompressionTypes.None);
    }
    // Enough after the tombstones that they leave the active segment, which is never cleaned.
    await send(Array.from({ length: KEYS }, (_, k) => ({ key: `other-${k}`, value: 'x'.repeat(20) })));
    const before = await readAll();
    expect(before).toHaveLength(produced.length);
    const expectedTable = tableOf(produced);

    const logs = b.server.logManager;
    const first = await logs.cleanNow(TOPIC, 0);
    const cleanedUpTo = first.endOffset;
    const lastTombstone = Math.max(...produced.filter((p) => p.value === null).map((p) => p.offset));
    expect(cleanedUpTo).toBeGreaterThan(lastTombstone);
    expect(logs.getLog(TOPIC, 0)!.numberOfSegments).toBeGreaterThan(1);

    const afterFirst = await readAll();
    expectOriginalOffsets(afterFirst);
    expect(afterFirst.length).toBeLessThan(produced.length);
    // A consumer reading from the start builds the same table as from the uncompacted log.
    expect(kcatTable(afterFirst)).toEqual(expectedTable);
    // Each key's latest record is there, tombstones included (they are within delete.retention.ms).
    const latest = new Map(produced.map((p) => [p.key, p]));
    const offsets = new Set(afterFirst.map((r) => r.offset));
    for (const p of latest.values()) expect(offsets.has(p.offset), `latest record of ${p.key}`).toBe(true);
    // In the cleaned range nothing superseded is left.
    for (const r of afterFirst.filter((x) => x.offset < cleanedUpTo)) {
      const newer = produced.find((p) => p.key === r.key && p.offset > r.offset && p.offset < cleanedUpTo);
      expect(newer, `record ${r.offset} of ${r.key}`).toBeUndefined();
    }
    const tombstones = afterFirst.filter((r) => r.payload === null && r.offset < cleanedUpTo);
    expect(tombstones.length).toBeGreaterThan(0);

    // A fetch at a removed offset lands on the next record that is still there.
    const removed = produced.find((p) => !offsets.has(p.offset))!.offset;
    const [next] = await kcatConsume(b.bootstrap, TOPIC, 0, { offset: removed, count: 1 });
    expect(next.offset).toBe(Math.min(...[...offsets].filter((o) => o > removed)));

    // After delete.retention.ms, the next round removes the tombstones it had kept.
    await new Promise((resolve) => setTimeout(resolve, DELETE_RETENTION_MS + 50));
    await logs.cleanNow(TOPIC, 0);
    const afterSecond = await readAll();
    expectOriginalOffsets(afterSecond);
    expect(afterSecond.filter((r) => r.payload === null && r.offset < cleanedUpTo)).toEqual([]);
    expect(kcatTable(afterSecond)).toEqual(expectedTable);
    for (const p of latest.values()) {
      if (p.value !== null)
        expect(
          afterSecond.some((r) => r.offset === p.offset),
          `latest value of ${p.key}`,
        ).toBe(true);
    }
  });
});
