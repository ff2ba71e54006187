/**
 * An exception in user code fails the task (issue #11, item 5), on a real broker under exactly_once.
 * With the default uncaught-exception handler the client ends in ERROR and nothing from the failing
 * record on is committed — not its offset, not what a sibling branch forwarded for it before the
 * throw, not the records after it. With `REPLACE_THREAD` a new thread takes the tasks over, and when
 * the failure was transient the output is every input exactly once, in order, with the right counts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { KafkaStreams, type KafkaStreamsState, Serdes, StreamsBuilder } from '../../src/index.js';
import type { RawRecord } from '../../src/streams/runtime/record-collector.js';
import { recordingLogger } from '../support/recording-logger.js';
import { readTopics, waitUntil } from '../support/streams-apps.js';
import { committedOffsets, startStreamsBroker, type StreamsBroker, waitForCommitted } from '../support/streams-broker.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const MARK = 'boom';
const OUTPUTS = ['echo', 'upper', 'event-counts'];

/**
 * events → echo (first branch), and → mapValues (throws on the marked record while `shouldThrow()`)
 * → upper, and a count per key → event-counts.
 */
function topology(shouldThrow: () => boolean) {
  const builder = new StreamsBuilder();
  const events = builder.stream('events', { keySerde: Serdes.String(), valueSerde: Serdes.String() });
  events.to('echo');
  const upper = events.mapValues((v) => {
    if (v === MARK && shouldThrow()) throw new Error('the marked record');
    return v.toUpperCase();
  });
  upper.to('upper', { valueSerde: Serdes.String() });
  upper.groupByKey().count({ storeName: 'event-counts' }).toStream().to('event-counts', { valueSerde: Serdes.Long() });
  return builder.build();
}

async function start(b: StreamsBroker, appId: string, shouldThrow: () => boolean, configure: (s: KafkaStreams) => void = () => undefined) {
  const logger = recordingLogger();
  const streams = new KafkaStreams(
    topology(shouldThrow),
    {
      'application.id': appId,
      'bootstrap.servers': b.bootstrap,
      'processing.guarantee': 'exactly_once',
      'statestore.cache.max.bytes': 0,
      'state.dir': b.tempDir('skein-task-failure-state-'),
      'session.timeout.ms': 6000,
      'heartbeat.interval.ms': 500,
    },
    { logger },
  );
  const states: KafkaStreamsState[] = [];
  streams.setStateListener((s) => states.push(s));
  configure(streams);
  cleanups.push(async () => void (await streams.close({ timeout: 20_000 })));
  await streams.start();
  return { streams, logger, states };
}

async function produce(b: StreamsBroker, values: string[], firstIndex: number): Promise<void> {
  const producer = b.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  await producer.send({ topic: 'events', acks: -1, messages: values.map((value, i) => ({ key: `k${(firstIndex + i) % 4}`, value })) });
  await producer.disconnect();
}

const values = (from: number, n: number): string[] => Array.from({ length: n }, (_, i) => `v${from + i}`);
const str = (b: Buffer | null): string => (b as Buffer).toString();

async function outputs(b: StreamsBroker): Promise<{ echo: string[]; upper: string[]; counts: Map<string, number[]> }> {
  const t = await readTopics(
    b.kafka,
    OUTPUTS.map((topic) => ({ topic, partitions: 1 })),
  );
  const counts = new Map<string, number[]>();
  for (const r of (t.get('event-counts') as RawRecord[][])[0])
    counts.set(str(r.key), [...(counts.get(str(r.key)) ?? []), Number((r.value as Buffer).readBigInt64BE(0))]);
  return {
    echo: (t.get('echo') as RawRecord[][])[0].map((r) => str(r.value)),
    upper: (t.get('upper') as RawRecord[][])[0].map((r) => str(r.value)),
    counts,
  };
}

/** Each key's counts 1, 2, …, n for `inputs` (keys k0…k3 in turn). */
function expectedCounts(n: number): Map<string, number[]> {
  const m = new Map<string, number[]>();
  for (let i = 0; i < n; i++) m.set(`k${i % 4}`, [...(m.get(`k${i % 4}`) ?? []), (m.get(`k${i % 4}`)?.length ?? 0) + 1]);
  return m;
}

describe('an exception in user code', () => {
  it('ends the client in ERROR with the default handler; nothing from the failing record on is committed', async () => {
    const b = await startStreamsBroker({ events: 1, echo: 1, upper: 1, 'event-counts': 1 });
    cleanups.push(() => b.stop());
    await produce(b, values(0, 20), 0);
    const { streams, logger, states } = await start(b, 'fail-app', () => true);
    await waitForCommitted(b.admin, 'fail-app', 'events', [20]);
    // The marked record at offset 20, more records behind it.
    await produce(b, [MARK, ...values(21, 10)], 20);
    await streams.waitForState('ERROR', 60_000);

    expect(states).toEqual(['REBALANCING', 'RUNNING', 'PENDING_ERROR', 'ERROR']);
    const errors = logger.lines.filter((l) => l.level === 'error').map((l) => l.message);
    expect(errors).toContain(
      'Shutting down after a stream thread failed: Exception in KSTREAM-MAPVALUES-0000000002 of task 0_0 processing the record at events-0@20: the marked record',
    );
    expect(await committedOffsets(b.admin, 'fail-app', 'events')).toEqual([20]);
    const out = await outputs(b);
    // echo got the marked record before mapValues threw; that write was aborted with the rest.
    expect(out.echo).toEqual(values(0, 20));
    expect(out.upper).toEqual(values(0, 20).map((v) => v.toUpperCase()));
    expect(out.counts).toEqual(expectedCounts(20));
  }, 120_000);

  it('is survived with REPLACE_THREAD: a new thread takes over and, the failure being transient, every record is processed exactly once', async () => {
    const b = await startStreamsBroker({ events: 1, echo: 1, upper: 1, 'event-counts': 1 });
    cleanups.push(() => b.stop());
    let thrown = 0;
    const handled: unknown[] = [];
    const { streams, logger, states } = await start(
      b,
      'replace-app',
      () => thrown++ === 0, // only the first time
      (s) =>
        s.setUncaughtExceptionHandler((e) => {
          handled.push(e);
          return 'REPLACE_THREAD';
        }),
    );
    await produce(b, values(0, 20), 0);
    await waitForCommitted(b.admin, 'replace-app', 'events', [20]);
    // Records before the marked one in the same transaction are rolled back with it and redone.
    const inputs = [...values(0, 20), ...values(20, 5), MARK, ...values(26, 10)];
    await produce(b, inputs.slice(20), 20);
    await waitForCommitted(b.admin, 'replace-app', 'events', [36], 60_000, () => logger.lines.map((l) => `${l.level} ${l.message}`).join('\n'));
    await waitUntil(
      async () => streams.state() === 'RUNNING',
      30_000,
      () => streams.state(),
    );

    expect(handled).toHaveLength(1);
    expect((handled[0] as Error).message).toBe('Exception in KSTREAM-MAPVALUES-0000000002 of task 0_0 processing the record at events-0@25: the marked record');
    expect(
      logger.lines.some(
        (l) =>
          l.level === 'warn' && l.message.startsWith('Replacing stream thread replace-app-StreamThread-1 after: Exception in KSTREAM-MAPVALUES-0000000002'),
      ),
    ).toBe(true);
    // The failed thread's open transaction (records 20-24 and the marked one) was aborted, and the
    // new thread started the task again from the last commit.
    const infos = logger.lines.filter((l) => l.level === 'info').map((l) => l.message);
    expect(infos).toContain('Task 0_0 closed (dirty)');
    expect(infos.filter((m) => m.startsWith('Task 0_0 is running from ')).map((m) => m.split(' ')[5])).toEqual(['events-0@0', 'events-0@20']);
    expect(streams.localThreadsMetadata().map((t) => [t.threadName, t.activeTasks])).toEqual([['replace-app-StreamThread-2', ['0_0']]]);
    expect(states).not.toContain('ERROR');
    expect(states.at(-1)).toBe('RUNNING');

    const out = await outputs(b);
    expect(out.echo).toEqual(inputs);
    expect(out.upper).toEqual(inputs.map((v) => v.toUpperCase()));
    expect(out.counts).toEqual(expectedCounts(inputs.length));
  }, 120_000);
});
