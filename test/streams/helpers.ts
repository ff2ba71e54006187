/**
 * What the streams tests share: a seeded random source (replayable from its seed), a driver factory
 * that closes every driver after its test, and small reference-model helpers.
 */
import type { Kafka, KafkaMessage } from 'kafkajs';
import { afterEach } from 'vitest';
import { type Logger, type Topology, TopologyTestDriver } from '../../src/index.js';

export { Random } from '../fuzz/prng.js';

/** `const driverFor = openDrivers()` in a file; each driver it makes is closed after its test. */
export function openDrivers(): (topology: Topology, props?: Record<string, unknown>, wallClockMs?: number) => TopologyTestDriver {
  const open: TopologyTestDriver[] = [];
  afterEach(async () => {
    for (const d of open.splice(0)) await d.close();
  });
  return (topology, props = {}, wallClockMs) => {
    const d = wallClockMs === undefined ? new TopologyTestDriver(topology, props) : new TopologyTestDriver(topology, props, wallClockMs);
    open.push(d);
    return d;
  };
}

/** Collects an async iterator (a store scan) into an array. */
export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** Compares two strings by their UTF-8 bytes, the order a store keeps String keys in. */
export function byUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The error `fn` throws or its promise rejects with (a synchronous topology throws from pipeInput itself). */
export async function errorOf(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error, but none was thrown');
}

/** A logger that keeps its lines (for the driver's or the runtime's `logger`), to check what was logged. */
export function recordingLogger(): { logger: Logger; lines: { level: string; msg: string }[]; warnings(): string[] } {
  const lines: { level: string; msg: string }[] = [];
  const make = (): Logger => ({
    debug: (msg) => void lines.push({ level: 'debug', msg }),
    info: (msg) => void lines.push({ level: 'info', msg }),
    warn: (msg) => void lines.push({ level: 'warn', msg }),
    error: (msg) => void lines.push({ level: 'error', msg }),
    child: () => make(),
  });
  return { logger: make(), lines, warnings: () => lines.filter((l) => l.level === 'warn').map((l) => l.msg) };
}

/** Every committed record of `topic` (read_committed, from the beginning) once there are at least `n`. */
export async function readCommitted(kafka: Kafka, topic: string, n: number, timeoutMs = 30_000): Promise<KafkaMessage[]> {
  const consumer = kafka.consumer({ groupId: `reader-${topic}-${Math.random()}`, readUncommitted: false, maxWaitTimeInMs: 100 });
  const out: KafkaMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void out.push(message) });
    const deadline = Date.now() + timeoutMs;
    while (out.length < n) {
      if (Date.now() > deadline) throw new Error(`only ${out.length} of ${n} records in ${topic}`);
      await sleep(100);
    }
  } finally {
    await consumer.disconnect();
  }
  return out;
}
