/**
 * Time: where a record's timestamp comes from (the record itself, or a `TimestampExtractor`), what
 * happens to an invalid one, stream time (the largest timestamp a task has processed, per task), and
 * punctuation on stream time and on the wall clock whose writes and forwards belong to the task's
 * commit — aborted with it, and done again when the records are processed again.
 *
 * Expected values come from the definitions: a field of the value, a function of the record, the
 * partition's largest timestamp so far for an invalid one, a running maximum per task for stream
 * time, and for punctuation the documented schedule (first at the first record, then at the first
 * multiple of the interval past the time it fired).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  Broker,
  KafkaStreams,
  type KeyValueStore,
  ProcessingError,
  type ProcessorContext,
  Serdes,
  Stores,
  StreamsBuilder,
  type TimestampExtractor,
  TimestampExtractors,
  TimeWindows,
  Topology,
  WindowedSerdes,
  silentLogger,
} from '../../src/index.js';
import { Random, errorOf, openDrivers, readCommitted } from './helpers.js';
import { TaskHarness } from './task-harness.js';

const driverFor = openDrivers();
const S = Serdes.String();
const L = Serdes.Long();

const harnesses: TaskHarness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.close();
});

/** A topology that copies `in` to `out` through a source with the given extractor. */
function passThrough(extractor: TimestampExtractor | string | null, json = true) {
  const b = new StreamsBuilder();
  const valueSerde = json ? Serdes.Json<Record<string, unknown>>() : S;
  const timestampExtractor = extractor === null ? undefined : typeof extractor === 'string' ? TimestampExtractors.fromValue(extractor) : extractor;
  b.stream<string, unknown>('in', { keySerde: S, valueSerde: valueSerde as never, ...(timestampExtractor === undefined ? {} : { timestampExtractor }) }).to(
    'out',
  );
  return b.build();
}

describe('timestamp extractors', () => {
  it('fromValue(field): the field as milliseconds or an ISO-8601 string is the record’s time, downstream and for windows', async () => {
    const rnd = new Random(5);
    const values = Array.from({ length: 60 }, (_, i) => {
      const at = rnd.int(0, 100_000);
      return { id: i, at: rnd.chance(0.5) ? at : new Date(at).toISOString() };
    });
    const b = new StreamsBuilder();
    const events = b.stream<string, { id: number; at: number | string }>('in', {
      keySerde: S,
      valueSerde: Serdes.Json(),
      timestampExtractor: TimestampExtractors.fromValue('at'),
    });
    events.to('out');
    events
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeAndGrace(10_000, 1_000_000))
      .count({ storeName: 'per-10s' })
      .toStream()
      .to('counts', { keySerde: WindowedSerdes.timeWindowed(S, 10_000) });
    const d = driverFor(b.build(), { 'statestore.cache.max.bytes': 0 });
    const input = d.createInputTopic('in', S, Serdes.Json<{ id: number; at: number | string }>());
    for (const v of values) await input.pipeInput('k', v, 5); // the record's own timestamp (5) is not used
    const ms = (at: number | string): number => (typeof at === 'number' ? at : Date.parse(at));
    expect(
      d
        .createOutputTopic('out', S, Serdes.Json())
        .readRecordsToList()
        .map((r) => r.timestamp),
    ).toEqual(values.map((v) => ms(v.at)));
    // The windowed count saw the field's time: its last update per window is the model's count.
    const expected = new Map<number, number>();
    for (const v of values) {
      const start = Math.floor(ms(v.at) / 10_000) * 10_000;
      expected.set(start, (expected.get(start) ?? 0) + 1);
    }
    const got = new Map(
      d
        .createOutputTopic('counts', WindowedSerdes.timeWindowed(S, 10_000), L)
        .readRecordsToList()
        .map((r) => [r.key?.window.start as number, r.value as number]),
    );
    expect(got).toEqual(expected);
  });

  it('fromValue(function): what the function returns (a number, a Date, an ISO string)', async () => {
    const extractor = TimestampExtractors.fromValue((r) => {
      const v = String(r.value);
      return v.startsWith('n:') ? Number(v.slice(2)) : v.startsWith('d:') ? new Date(Number(v.slice(2))) : v.slice(2);
    });
    const d = driverFor(passThrough(extractor, false));
    const input = d.createInputTopic('in', S, S);
    await input.pipeInput('a', 'n:1234', 1);
    await input.pipeInput('a', 'd:98765', 1);
    await input.pipeInput('a', 's:1970-01-01T00:00:10.000Z', 1);
    expect(
      d
        .createOutputTopic('out', S, S)
        .readRecordsToList()
        .map((r) => r.timestamp),
    ).toEqual([1234, 98765, 10_000]);
  });

  it('fromValue: a record without a usable time fails the task, naming the field and the record (topic-partition@offset)', async () => {
    const d = driverFor(passThrough('at'));
    const input = d.createInputTopic('in', S, Serdes.Json<Record<string, unknown>>());
    await input.pipeInput('a', { at: 5 });
    await input.pipeInput('a', { at: 6 });
    const e = await errorOf(() => input.pipeInput('a', { when: 7 }));
    expect(e).toBeInstanceOf(ProcessingError);
    expect((e as Error).message).toMatch(/in-0@2 has no usable time in field "at" \(got undefined\)/);
    expect((e as ProcessingError).where).toMatchObject({ topic: 'in', partition: 0, offset: 2 });
  });

  it('wallclock(): the time the record is processed, not its own', async () => {
    const d = driverFor(passThrough(TimestampExtractors.wallclock(), false));
    const input = d.createInputTopic('in', S, S);
    const before = Date.now();
    await input.pipeInput('a', 'x', 1);
    await input.pipeInput('a', 'y', 2);
    const after = Date.now();
    for (const r of d.createOutputTopic('out', S, S).readRecordsToList()) {
      expect(r.timestamp).toBeGreaterThanOrEqual(before);
      expect(r.timestamp).toBeLessThanOrEqual(after);
    }
  });

  it('usePartitionTimeOnInvalidTimestamp(): a negative timestamp becomes the largest one of the partition so far', async () => {
    const rnd = new Random(11);
    const stamps = Array.from({ length: 200 }, () => (rnd.chance(0.3) ? -rnd.int(1, 100) : rnd.int(0, 10_000)));
    stamps[0] = 42;
    const d = driverFor(passThrough(TimestampExtractors.usePartitionTimeOnInvalidTimestamp(), false));
    const input = d.createInputTopic('in', S, S);
    for (const t of stamps) await input.pipeInput('a', String(t), t);
    let partitionTime = -1;
    const expected = stamps.map((t) => {
      const out = t >= 0 ? t : partitionTime;
      partitionTime = Math.max(partitionTime, out);
      return out;
    });
    expect(
      d
        .createOutputTopic('out', S, S)
        .readRecordsToList()
        .map((r) => r.timestamp),
    ).toEqual(expected);
  });

  it('usePartitionTimeOnInvalidTimestamp(): a negative timestamp before the partition has any time fails the task', async () => {
    const d = driverFor(passThrough(TimestampExtractors.usePartitionTimeOnInvalidTimestamp(), false));
    const e = await errorOf(() => d.createInputTopic('in', S, S).pipeInput('a', 'x', -1));
    expect((e as Error).message).toMatch(/in-0@0 has the invalid timestamp -1 and its partition has no time yet/);
  });

  it('without an extractor a negative timestamp fails the task with a message naming topic, partition and offset', async () => {
    const d = driverFor(passThrough(null, false));
    const input = d.createInputTopic('in', S, S);
    await input.pipeInput('a', 'x', 10);
    const e = await errorOf(() => input.pipeInput('a', 'y', -7));
    expect(e).toBeInstanceOf(ProcessingError);
    expect((e as Error).message).toMatch(/in-0@1 has the invalid timestamp -7/);
    expect((e as ProcessingError).where).toMatchObject({ taskId: '0_0', topic: 'in', partition: 0, offset: 1 });
  });

  it('an extractor that returns a negative time fails the task, naming the source and the record', async () => {
    const d = driverFor(passThrough((r) => Number(r.value), false));
    const input = d.createInputTopic('in', S, S);
    await input.pipeInput('a', '3', 0);
    const e = await errorOf(() => input.pipeInput('a', '-3', 0));
    expect((e as Error).message).toMatch(/timestamp extractor of KSTREAM-SOURCE-0000000000 returned -3 for the record at in-0@1/);
  });
});

describe('stream time', () => {
  /** Two unconnected sources: two sub-topologies, two tasks, each reporting its stream time per record. */
  function twoTasks() {
    const t = new Topology();
    for (const topic of ['a', 'b']) {
      t.addSource(`src-${topic}`, topic, { keySerde: S, valueSerde: S });
      t.addProcessor(
        `report-${topic}`,
        () => {
          let ctx!: ProcessorContext<string, string>;
          return {
            init: (c: ProcessorContext<string, string>) => void (ctx = c),
            process: (r: { key: string; timestamp: number }) =>
              ctx.forward({ key: r.key, value: `${ctx.taskId()}:${ctx.currentStreamTimeMs()}`, timestamp: r.timestamp, headers: {} }),
          };
        },
        `src-${topic}`,
      );
      t.addSink(`sink-${topic}`, 'times', { keySerde: S, valueSerde: S }, `report-${topic}`);
    }
    return t;
  }

  it('is the largest timestamp each task has processed: it never goes back, and one task’s records do not move another’s', async () => {
    const rnd = new Random(23);
    const d = driverFor(twoTasks());
    const inputs = { a: d.createInputTopic('a', S, S), b: d.createInputTopic('b', S, S) };
    const out = d.createOutputTopic('times', S, S);
    const model = { a: -1, b: -1 };
    for (let i = 0; i < 300; i++) {
      const topic = rnd.pick(['a', 'b'] as const);
      const t = rnd.int(0, 5_000);
      await inputs[topic].pipeInput(topic, 'x', t);
      model[topic] = Math.max(model[topic], t);
      expect(out.readValue()).toBe(`${topic === 'a' ? '0_0' : '1_0'}:${model[topic]}`);
    }
  });
});

/**
 * Counts records in a store and, at each punctuation, forwards how many came since the last one
 * (and resets the count): what a punctuation forwards depends on what it and the records wrote.
 */
function tickingTopology(type: 'STREAM_TIME' | 'WALL_CLOCK_TIME', interval: number) {
  return new Topology()
    .addSource('src', 'in', { keySerde: S, valueSerde: S })
    .addProcessor(
      'ticker',
      () => {
        let store!: KeyValueStore<string, number>;
        return {
          init(c: ProcessorContext<string, number>) {
            store = c.getStateStore('since-tick');
            c.schedule(interval, type, (time) => {
              c.forward({ key: 'tick', value: store.get('n') ?? 0, timestamp: time, headers: {} });
              store.put('n', 0);
            });
          },
          process() {
            store.put('n', (store.get('n') ?? 0) + 1);
          },
        };
      },
      'src',
    )
    .addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('since-tick'), S, L), 'ticker')
    .addSink('sink', 'ticks', { keySerde: S, valueSerde: L }, 'ticker');
}

/**
 * The documented STREAM_TIME schedule: first at the first record, then at the first multiple of the
 * interval past the time it fired. A restart (before the records at `restarts`) schedules anew, so
 * the first record after it fires, as in Kafka Streams.
 */
function streamTimeTicks(stamps: readonly number[], interval: number, restarts: ReadonlySet<number> = new Set()): string[] {
  const out: string[] = [];
  let streamTime = -1;
  let next = 0;
  let since = 0;
  for (const [i, t] of stamps.entries()) {
    if (restarts.has(i)) next = 0;
    streamTime = Math.max(streamTime, t);
    since++;
    if (streamTime >= next) {
      out.push(`${since}@${streamTime}`);
      since = 0;
      next = (Math.floor(streamTime / interval) + 1) * interval;
    }
  }
  return out;
}

describe('punctuation belongs to the task’s commit', () => {
  it('STREAM_TIME: in the driver, each punctuation’s forward and write go out with the record that moved stream time', async () => {
    const rnd = new Random(8);
    const stamps = Array.from({ length: 200 }, (_, i) => i * 7 + rnd.int(-30, 30)).map((t) => Math.max(0, t));
    const d = driverFor(tickingTopology('STREAM_TIME', 50), { 'application.id': 'tick' });
    const input = d.createInputTopic('in', S, S);
    const ticks = d.createOutputTopic('ticks', S, L);
    const changelog = d.createOutputTopic('tick-since-tick-changelog', S, L);
    const got: string[] = [];
    for (const t of stamps) {
      await input.pipeInput('k', 'x', t);
      const fired = ticks.readRecordsToList();
      got.push(...fired.map((r) => `${r.value}@${r.timestamp}`));
      // The write the punctuator made (n = 0) is in the same commit as its forward.
      const writes = changelog.readValuesToList();
      if (fired.length > 0) expect(writes.at(-1)).toBe(0);
    }
    expect(got).toEqual(streamTimeTicks(stamps, 50));
  });

  it('STREAM_TIME: after a rollback the punctuations are done again, so the committed output is the failure-free one (a restart schedules anew)', async () => {
    const rnd = new Random(9);
    const stamps = Array.from({ length: 300 }, (_, i) => Math.max(0, i * 5 + rnd.int(-20, 20)));
    const h = TaskHarness.create(tickingTopology('STREAM_TIME', 40), { applicationId: 'tick' });
    harnesses.push(h);
    for (const t of stamps) h.append('in', S, S, 'k', 'x', t);
    let rollbacks = 0;
    const restarts = new Set<number>();
    while ((h.task.position('in', 0) ?? 0) < stamps.length) {
      const from = h.task.position('in', 0) ?? 0;
      await h.processUntil('in', Math.min(stamps.length, from + rnd.int(1, 30)));
      const r = rnd.next();
      if (r < 0.25) {
        await h.rollback();
        rollbacks++;
      } else if (r < 0.4) {
        await h.crashAndRestart();
        restarts.add(h.task.position('in', 0) ?? 0);
      } else {
        await h.commit();
      }
    }
    await h.commit();
    expect(rollbacks).toBeGreaterThan(3);
    expect(restarts.size).toBeGreaterThan(1);
    expect(h.all('ticks', S, L).map((r) => `${r.value}@${r.timestamp}`)).toEqual(streamTimeTicks(stamps, 40, restarts));
  });

  it('WALL_CLOCK_TIME: a punctuation’s forward and write are aborted with the transaction, and done again after the rollback', async () => {
    const h = TaskHarness.create(tickingTopology('WALL_CLOCK_TIME', 100), { applicationId: 'tick' });
    harnesses.push(h);
    for (let i = 0; i < 6; i++) h.append('in', S, S, 'k', 'x', i);
    await h.processUntil('in', 3);
    await h.commit();
    await h.processUntil('in', 5);
    h.wallClockMs = 100;
    expect(h.task.maybePunctuateWallClockTime()).toBe(true); // forwards 5, writes n = 0: not committed
    expect(h.pendingOf('ticks')).toBe(1);
    await h.rollback();
    expect(h.all('ticks', S, L)).toEqual([]);
    // Processed again; the punctuation that was aborted is due again and sees the same state.
    await h.processUntil('in', 5);
    expect(h.task.maybePunctuateWallClockTime()).toBe(true);
    await h.processUntil('in', 6);
    await h.commit();
    expect(h.all('ticks', S, L).map((r) => `${r.value}@${r.timestamp}`)).toEqual(['5@100']);
    // The store's committed count is the one record after the punctuation.
    h.wallClockMs = 200;
    h.task.maybePunctuateWallClockTime();
    await h.commit();
    expect(h.all('ticks', S, L).map((r) => `${r.value}@${r.timestamp}`)).toEqual(['5@100', '1@200']);
  });

  it('WALL_CLOCK_TIME in the driver: advanceWallClockTime fires and commits, the write in the changelog with the forward', async () => {
    const d = driverFor(tickingTopology('WALL_CLOCK_TIME', 100), { 'application.id': 'tick' }, 0);
    const input = d.createInputTopic('in', S, S);
    await input.pipeInput('k', 'x', 1);
    await input.pipeInput('k', 'x', 2);
    await d.advanceWallClockTime(99);
    const ticks = d.createOutputTopic('ticks', S, L);
    expect(ticks.isEmpty()).toBe(true);
    await d.advanceWallClockTime(1);
    expect(ticks.readRecordsToList().map((r) => `${r.value}@${r.timestamp}`)).toEqual(['2@100']);
    expect(d.createOutputTopic('tick-since-tick-changelog', S, L).readValuesToList()).toEqual([1, 2, 0]);
  });
});

describe('partition time through a rollback', () => {
  it('an invalid timestamp processed again gets the partition time it got before, not one from rolled-back records', async () => {
    const h = TaskHarness.create(passThrough(TimestampExtractors.usePartitionTimeOnInvalidTimestamp(), false));
    harnesses.push(h);
    for (const t of [10, -1, 50, -1]) h.append('in', S, S, 'a', 'x', t);
    await h.processUntil('in', 1);
    await h.commit();
    await h.processUntil('in', 3); // -1 → 10, then 50
    await h.rollback();
    await h.processUntil('in', 4); // -1 → 10 again, 50, -1 → 50
    await h.commit();
    expect(h.all('out', S, S).map((r) => r.timestamp)).toEqual([10, 10, 50, 50]);
  });
});

describe('partition time through a restart (in-process broker, exactly_once)', () => {
  it('usePartitionTimeOnInvalidTimestamp: after a restart an invalid timestamp gets the partition time committed before it', async () => {
    const broker = await Broker.start({ logger: silentLogger });
    const stateDir = mkdtempSync(join(tmpdir(), 'skein-partition-time-'));
    const kafka = new kafkajs.Kafka({ brokers: [broker.bootstrap], logLevel: kafkajs.logLevel.NOTHING });
    const producer = kafka.producer({ idempotent: true });
    const running: KafkaStreams[] = [];
    try {
      await broker.createTopics([
        { topic: 'in', partitions: 1 },
        { topic: 'out', partitions: 1 },
      ]);
      await producer.connect();
      const start = async (): Promise<{ streams: KafkaStreams; failure: Promise<unknown> }> => {
        const streams = new KafkaStreams(
          passThrough(TimestampExtractors.usePartitionTimeOnInvalidTimestamp(), false),
          { 'application.id': 'partition-time', 'bootstrap.servers': broker.bootstrap, 'processing.guarantee': 'exactly_once', 'state.dir': stateDir },
          { logger: silentLogger },
        );
        let fail!: (e: unknown) => void;
        const failure = new Promise<unknown>((resolve) => (fail = resolve));
        streams.setUncaughtExceptionHandler((e) => {
          fail(e);
          return 'SHUTDOWN_CLIENT';
        });
        running.push(streams);
        await streams.start();
        return { streams, failure };
      };
      const base = Date.now() - 60_000;
      const first = await start();
      await producer.send({
        topic: 'in',
        messages: [
          { key: 'a', value: 'x', timestamp: String(base + 500) },
          { key: 'a', value: 'y', timestamp: String(base + 100) },
        ],
      });
      await readCommitted(kafka, 'out', 2);
      await first.streams.close();

      const second = await start();
      await producer.send({ topic: 'in', messages: [{ key: 'a', value: 'z', timestamp: '-1' }] });
      const out = await Promise.race([readCommitted(kafka, 'out', 3), second.failure.then((e) => Promise.reject(e))]);
      expect(out.map((m) => `${String(m.value)}@${m.timestamp}`)).toEqual([`x@${base + 500}`, `y@${base + 100}`, `z@${base + 500}`]);
    } finally {
      for (const s of running) await s.close();
      await producer.disconnect();
      await broker.close();
      rmSync(stateDir, { recursive: true, force: true });
    }
  }, 60_000);
});
