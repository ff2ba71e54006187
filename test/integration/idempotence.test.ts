/**
 * An idempotent kafkajs producer behind a proxy that breaks connections: some produce requests never
 * reach the broker, others are written but their answers are lost, so the producer retries batches
 * the broker already has. Read back with kcat (librdkafka, read_committed by default), every record
 * is there exactly once, in the order sent, at consecutive offsets.
 */
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startBroker, type TestBroker } from '../support/broker.js';
import { FlakyProxy } from '../support/flaky-proxy.js';
import { kafkaClient, kafkaProducer } from '../support/kafkajs.js';
import { hasKcat, kcatConsume, kcatMissing } from '../support/kcat.js';

const PRODUCE = 0;
const SENDS = 40;
const PER_SEND = 10;

describe.skipIf(!hasKcat)(`idempotent kafkajs producer over a flaky connection${hasKcat ? '' : ` (skipped: ${kcatMissing})`}`, () => {
  let proxy: FlakyProxy;
  let b: TestBroker;
  let kafka: Kafka;

  beforeAll(async () => {
    proxy = await FlakyProxy.start();
    b = await startBroker({ 'advertised.listeners': `PLAINTEXT://127.0.0.1:${proxy.port}` });
    proxy.setTarget(b.broker.port);
    kafka = kafkaClient(`127.0.0.1:${proxy.port}`);
  });

  afterAll(async () => {
    await proxy?.close();
    await b?.stop();
    if (b) removeDir(b.logDir);
  });

  it.each([1, 5])('maxInFlightRequests %i: no duplicates, no gaps, order kept', async (maxInFlightRequests) => {
    const topic = `idempotent-${maxInFlightRequests}`;
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();

    // Every 3rd produce request is written but its answer is lost; every 7th never arrives.
    const before = { ...proxy.stats };
    proxy.fault = (r) => {
      if (r.apiKey !== PRODUCE) return 'pass';
      if (r.nthOfKey % 7 === 0) return 'drop-request';
      if (r.nthOfKey % 3 === 0) return 'drop-response';
      return 'pass';
    };
    const producer = kafkaProducer(kafka, { idempotent: true, maxInFlightRequests });
    await producer.connect();
    const expected: string[] = [];
    try {
      for (let s = 0; s < SENDS; s++) {
        const messages = Array.from({ length: PER_SEND }, (_, i) => ({ value: `m-${s * PER_SEND + i}` }));
        expected.push(...messages.map((m) => m.value));
        const [ack] = await producer.send({ topic, acks: -1, messages });
        expect(ack.errorCode).toBe(0);
        // A retried batch is answered with the offset it got the first time.
        expect(Number(ack.baseOffset), `send ${s}`).toBe(s * PER_SEND);
      }
    } finally {
      proxy.fault = () => 'pass';
      await producer.disconnect();
    }
    expect(proxy.stats.droppedResponses - before.droppedResponses).toBeGreaterThan(5);
    expect(proxy.stats.droppedRequests - before.droppedRequests).toBeGreaterThan(2);

    const log = b.server.services.replicaManager.partitionLog(topic, 0);
    expect(log.logEndOffset).toBe(SENDS * PER_SEND);
    const records = await kcatConsume(b.bootstrap, topic, 0);
    expect(records.map((r) => r.payload)).toEqual(expected);
    expect(records.map((r) => r.offset)).toEqual(expected.map((_, i) => i));
  });
});
