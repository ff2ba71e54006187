/**
 * The transactional producers' coordinators are remembered (src/streams/runtime/coordinator-cache.ts):
 * a task's transactions stop paying a FindCoordinator round trip before each transactional request,
 * and a remembered answer expires.
 */
import { createRequire } from 'node:module';
import { Kafka, logLevel } from 'kafkajs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Broker } from '../../src/index.js';
import { silentLogger } from '../../src/common/logger.js';
import { rememberCoordinators } from '../../src/streams/runtime/coordinator-cache.js';

const require = createRequire(import.meta.url);
const Cluster = require('kafkajs/src/cluster/index.js') as { prototype: { findGroupCoordinatorMetadata: (...a: unknown[]) => Promise<unknown> } };

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  vi.restoreAllMocks();
});

/** `n` transactions of one record each, with the consumed offsets sent along, as a task commits. */
async function transactions(kafka: Kafka, n: number, pauseMs = 0): Promise<void> {
  const producer = kafka.producer({ transactionalId: 'app-0_0', idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  cleanups.push(() => producer.disconnect());
  for (let i = 0; i < n; i++) {
    const txn = await producer.transaction();
    await txn.send({ topic: 'out', messages: [{ key: 'k', value: String(i) }] });
    await txn.sendOffsets({ consumerGroupId: 'app', topics: [{ topic: 'in', partitions: [{ partition: 0, offset: String(i + 1) }] }] });
    await txn.commit();
    if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
  }
}

describe('rememberCoordinators', () => {
  async function setUp(): Promise<{ kafka: () => Kafka; lookups: { mock: { calls: unknown[] } } }> {
    const broker = await Broker.start({ logger: silentLogger });
    cleanups.push(() => broker.close());
    await broker.createTopics([
      { topic: 'in', partitions: 1 },
      { topic: 'out', partitions: 1 },
    ]);
    const lookups = vi.spyOn(Cluster.prototype, 'findGroupCoordinatorMetadata');
    return { kafka: () => new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }), lookups };
  }

  it('ten transactions ask for their two coordinators once each, not four times per transaction', async () => {
    const { kafka, lookups } = await setUp();
    await transactions(kafka(), 10);
    const without = lookups.mock.calls.length;
    expect(without).toBeGreaterThanOrEqual(40);

    lookups.mock.calls.length = 0;
    const remembering = kafka();
    expect(rememberCoordinators(remembering, 60_000)).toBe(true);
    await transactions(remembering, 10);
    // The transaction coordinator (for InitProducerId on) and the group's: one lookup each.
    expect(lookups.mock.calls.length).toBe(2);
  });

  it('asks again once a remembered coordinator is older than the time given', async () => {
    const { kafka, lookups } = await setUp();
    const remembering = kafka();
    rememberCoordinators(remembering, 100);
    await transactions(remembering, 3, 150);
    expect(lookups.mock.calls.length).toBeGreaterThanOrEqual(6);
  });
});
