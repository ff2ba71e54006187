/**
 * Records that do not deserialize (issue #11, item 5), on a real broker. With 'logAndContinue' and a
 * dead-letter topic, a poison record goes there — its own bytes, the error in headers — and
 * processing goes on; under exactly_once the skipped record's offset commits with it, so neither a
 * SIGKILL nor a restart brings it back, and the good records' outputs are each there exactly once.
 * With the default 'logAndFail', the application stops in ERROR with a message that names the
 * record's topic, partition, offset and the serde, and nothing after the record is committed.
 * A record the broker refuses (too large for its topic) fails the application under the default
 * production handler, 'fail', rather than being rolled back and sent again for ever.
 */
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type KafkaStreamsState, KafkaStreams, Serdes, StreamsBuilder } from '../../src/index.js';
import type { RawRecord } from '../../src/streams/runtime/record-collector.js';
import { recordingLogger } from '../support/recording-logger.js';
import { committedOffsets, startStreamsBroker, type StreamsBroker, waitForCommitted } from '../support/streams-broker.js';
import { readTopics, startApp } from '../support/streams-apps.js';

const ORDERS_APP = resolve(import.meta.dirname, '../support/streams-orders-app.mjs');
const POISON = '{not json';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function broker(topics: Record<string, number>): Promise<StreamsBroker> {
  const b = await startStreamsBroker(topics);
  cleanups.push(() => b.stop());
  return b;
}

interface Input {
  key: string;
  value: string;
  partition: number;
  headers?: Record<string, string>;
}

const order = (partition: number, n: number): Input => ({
  key: `${partition === 0 ? 'a' : 'b'}${n % 5}`,
  value: JSON.stringify({ id: `${partition}-${n}`, amount: n }),
  partition,
});
const poison = (partition: number, key: string): Input => ({ key, value: POISON, partition, headers: { 'trace-id': `poison-${partition}` } });

async function produce(b: StreamsBroker, inputs: Input[]): Promise<void> {
  const producer = b.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    for (const i of inputs)
      await producer.send({ topic: 'orders', acks: -1, messages: [{ key: i.key, value: i.value, partition: i.partition, headers: i.headers }] });
  } finally {
    await producer.disconnect();
  }
}

const str = (b: Buffer | string | undefined | null): string | undefined => (b === undefined || b === null ? undefined : b.toString());

describe('a record that does not deserialize', () => {
  it("goes to the dead-letter topic with 'logAndContinue', with its bytes and the error in headers; its offset commits, and nothing is lost or duplicated through a SIGKILL", async () => {
    const b = await broker({ orders: 2, valid: 2, 'order-counts': 2, 'orders-dlq': 1 });
    // Partition 0: a poison record among good ones; partition 1: a poison record last, so only
    // the skip itself can move its committed offset past it.
    const first: Input[] = [
      ...Array.from({ length: 10 }, (_, n) => order(0, n)),
      poison(0, 'a1'),
      ...Array.from({ length: 9 }, (_, n) => order(0, 11 + n)),
      ...Array.from({ length: 20 }, (_, n) => order(1, n)),
      poison(1, 'b3'),
    ];
    await produce(b, first);
    const app = startApp('orders', ORDERS_APP, {
      BOOTSTRAP: b.bootstrap,
      STATE_DIR: b.tempDir('skein-dlq-state-'),
      APP_ID: 'orders-dlq-app',
      DESERIALIZATION_HANDLER: 'logAndContinue',
      DLQ_TOPIC: 'orders-dlq',
    });
    cleanups.push(() => app.kill());
    await waitForCommitted(b.admin, 'orders-dlq-app', 'orders', [20, 21], 60_000, () => app.output);

    // Killed and restarted, with another poison record on the way: the first two are not seen again.
    await app.kill();
    const firstLog = app.output;
    const second: Input[] = [
      ...Array.from({ length: 5 }, (_, n) => order(0, 20 + n)),
      poison(0, 'a0'),
      ...Array.from({ length: 5 }, (_, n) => order(0, 26 + n)),
      ...Array.from({ length: 5 }, (_, n) => order(1, 21 + n)),
    ];
    await produce(b, second);
    app.restart();
    await waitForCommitted(b.admin, 'orders-dlq-app', 'orders', [31, 26], 60_000, () => app.output);
    await app.stop();
    const secondLog = app.output.slice(firstLog.length);

    const skipped =
      /WARN Failed to deserialize the value of the record at (orders-\d@\d+) with serde Json: .*; skipping the record \(to the dead-letter topic orders-dlq\)/g;
    expect([...firstLog.matchAll(skipped)].map((m) => m[1]).sort()).toEqual(['orders-0@10', 'orders-1@20']);
    expect([...secondLog.matchAll(skipped)].map((m) => m[1])).toEqual(['orders-0@25']);

    const t = await readTopics(b.kafka, [
      { topic: 'orders', partitions: 2 },
      { topic: 'valid', partitions: 2 },
      { topic: 'order-counts', partitions: 2 },
      { topic: 'orders-dlq', partitions: 1 },
    ]);
    // The dead-letter topic: each poison record once, its own key, value and headers, and the error.
    const dlq = (t.get('orders-dlq') as RawRecord[][])[0];
    expect(
      dlq
        .map((r) => [str(r.key), str(r.value), str(r.headers['__streams.errors.partition'] as Buffer), str(r.headers['__streams.errors.offset'] as Buffer)])
        .sort(),
    ).toEqual([
      ['a0', POISON, '0', '25'],
      ['a1', POISON, '0', '10'],
      ['b3', POISON, '1', '20'],
    ]);
    const byOrigin = new Map(
      dlq.map((r) => [`${str(r.headers['__streams.errors.partition'] as Buffer)}@${str(r.headers['__streams.errors.offset'] as Buffer)}`, r]),
    );
    for (const [origin, r] of byOrigin) {
      const [partition, offset] = origin.split('@');
      expect(str(r.value)).toBe(POISON);
      expect(str(r.headers['trace-id'] as Buffer)).toBe(`poison-${partition}`);
      expect(str(r.headers['__streams.errors.topic'] as Buffer)).toBe('orders');
      expect(str(r.headers['__streams.errors.exception'] as Buffer)).toBe('SerializationError');
      expect(str(r.headers['__streams.errors.message'] as Buffer)).toMatch(
        new RegExp(`^Failed to deserialize the value of the record at orders-${partition}@${offset} with serde Json: `),
      );
      expect(str(r.headers['__streams.errors.stacktrace'] as Buffer)).toMatch(/\n\s+at /);
    }

    // The good records: each exactly once, each key's in order (the sink partitions by key, the
    // input here was placed by hand); the counts count only them.
    const orders = t.get('orders') as RawRecord[][];
    const byKey = (records: RawRecord[]): Map<string, unknown[]> => {
      const m = new Map<string, unknown[]>();
      for (const r of records) m.set(str(r.key) as string, [...(m.get(str(r.key) as string) ?? []), JSON.parse(str(r.value) as string)]);
      return m;
    };
    const good = orders.flat().filter((r) => str(r.value) !== POISON);
    const expectedValid = new Map(
      [...byKey(good)].map(([k, vs]) => [k, vs.map((v) => ({ ...(v as { amount: number }), doubled: 2 * (v as { amount: number }).amount }))]),
    );
    expect(byKey((t.get('valid') as RawRecord[][]).flat())).toEqual(expectedValid);
    expect((t.get('valid') as RawRecord[][]).flat()).toHaveLength(54);
    const counts = new Map<string, number[]>();
    for (const r of (t.get('order-counts') as RawRecord[][]).flat())
      counts.set(str(r.key) as string, [...(counts.get(str(r.key) as string) ?? []), Number((r.value as Buffer).readBigInt64BE(0))]);
    const expectedCounts = new Map<string, number[]>();
    for (const r of good) {
      const k = str(r.key) as string;
      expectedCounts.set(k, [...(expectedCounts.get(k) ?? []), (expectedCounts.get(k)?.length ?? 0) + 1]);
    }
    expect(counts).toEqual(expectedCounts);
  }, 180_000);

  it("stops the application with 'logAndFail' (the default): ERROR, a message naming topic, partition, offset and serde, and nothing after the record committed", async () => {
    const b = await broker({ orders: 1, valid: 1, 'order-counts': 1 });
    const builder = new StreamsBuilder();
    const orders = builder.stream('orders', { keySerde: Serdes.String(), valueSerde: Serdes.Json<{ id: string; amount: number }>() });
    orders.mapValues((o) => ({ ...o, doubled: o.amount * 2 })).to('valid', { valueSerde: Serdes.Json() });
    const logger = recordingLogger();
    const streams = new KafkaStreams(
      builder.build(),
      {
        'application.id': 'orders-fail-app',
        'bootstrap.servers': b.bootstrap,
        'processing.guarantee': 'exactly_once',
        'state.dir': b.tempDir('skein-fail-state-'),
      },
      { logger },
    );
    cleanups.push(async () => void (await streams.close({ timeout: 10_000 })));
    const states: KafkaStreamsState[] = [];
    streams.setStateListener((s) => states.push(s));
    await produce(
      b,
      Array.from({ length: 10 }, (_, n) => order(0, n)),
    );
    await streams.start();
    // The records before the poison one are committed before it arrives.
    await waitForCommitted(b.admin, 'orders-fail-app', 'orders', [10]);
    await produce(b, [poison(0, 'a1'), ...Array.from({ length: 5 }, (_, n) => order(0, 11 + n))]);
    await streams.waitForState('ERROR', 60_000);

    expect(streams.state()).toBe('ERROR');
    expect(states.slice(-2)).toEqual(['PENDING_ERROR', 'ERROR']);
    const messages = logger.lines.filter((l) => l.level === 'error').map((l) => l.message);
    const failure = 'Failed to deserialize the value of the record at orders-0@10 with serde Json: ';
    expect(messages.find((m) => m.startsWith(failure))).toMatch(/; failing \(default\.deserialization\.exception\.handler = logAndFail\)$/);
    expect(messages.some((m) => m.startsWith(`Shutting down after a stream thread failed: ${failure}`))).toBe(true);

    // Nothing at or after the poison record was committed: not its offset, not the outputs after it.
    expect(await committedOffsets(b.admin, 'orders-fail-app', 'orders')).toEqual([10]);
    const t = await readTopics(b.kafka, [{ topic: 'valid', partitions: 1 }]);
    expect((t.get('valid') as RawRecord[][])[0].map((r) => JSON.parse(str(r.value) as string).id)).toEqual(Array.from({ length: 10 }, (_, n) => `0-${n}`));
    // The client is down for good: close() returns and it stays in ERROR.
    expect(await streams.close({ timeout: 10_000 })).toBe(true);
    expect(streams.state()).toBe('ERROR');
  }, 120_000);
});

describe('a record the broker refuses', () => {
  it("stops the application with the default production handler ('fail') instead of being retried forever", async () => {
    const b = await broker({ orders: 1 });
    await b.admin.createTopics({
      topics: [{ topic: 'small', numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '1000' }] }],
      waitForLeaders: true,
    });
    const builder = new StreamsBuilder();
    builder
      .stream('orders', { keySerde: Serdes.String(), valueSerde: Serdes.String() })
      .mapValues((v) => v.repeat(2_000))
      .to('small', { valueSerde: Serdes.String() });
    const logger = recordingLogger();
    const streams = new KafkaStreams(
      builder.build(),
      {
        'application.id': 'refused-app',
        'bootstrap.servers': b.bootstrap,
        'processing.guarantee': 'exactly_once',
        'state.dir': b.tempDir('skein-refused-state-'),
      },
      { logger },
    );
    cleanups.push(async () => void (await streams.close({ timeout: 10_000 })));
    await produce(b, [{ key: 'a', value: 'xyz', partition: 0 }]);
    await streams.start();
    await streams.waitForState('ERROR', 30_000);
    const errors = logger.lines.filter((l) => l.level === 'error').map((l) => l.message);
    expect(errors).toContainEqual(
      expect.stringMatching(
        /^Shutting down after a stream thread failed: Task 0_0 could not write its records: the broker refused them \(.*larger than the max message size.*\); default\.production\.exception\.handler is 'fail'$/,
      ),
    );
    expect(await committedOffsets(b.admin, 'refused-app', 'orders')).toEqual([-1]);
  }, 60_000);
});
