/**
 * The Processor API: `KStream.process` with a user Processor and a store added with
 * `builder.addStateStore`, `context.forward` (to all children or one by name), the record context,
 * and punctuation — stream time driven by the records' timestamps, wall-clock time driven by
 * `driver.advanceWallClockTime` — checked against a model of the documented schedule: a stream-time
 * punctuation first fires at the first record, a wall-clock one `interval` after it was scheduled;
 * each then fires when its time comes, with the time it was due, and one that fell behind fires once
 * and resumes `interval` after the time it fired at. Also the low-level Topology API.
 */
import { describe, expect, it } from 'vitest';
import { type Cancellable, type KeyValueStore, type ProcessorContext, type RecordMetadata, Serdes, StreamsBuilder, Stores, Topology } from '../../src/index.js';
import { Random, collect, errorOf, openDrivers } from './helpers.js';

const driverFor = openDrivers();
const S = Serdes.String();
const L = Serdes.Long();

/**
 * The documented schedule of one punctuation (Kafka Streams' `PunctuationSchedule`): feed it the
 * clock, it says when it fired and with which time — the current one; behind by several intervals,
 * it fires once and stays on its grid.
 */
class ScheduleModel {
  readonly fired: { at: number; time: number }[] = [];
  constructor(
    private next: number,
    private readonly interval: number,
  ) {}

  advance(now: number, _firstAtStart = false): void {
    if (this.next > now) return;
    const due = this.next;
    this.fired.push({ at: now, time: now });
    this.next = due + (Math.floor((now - due) / this.interval) + 1) * this.interval;
  }
}

describe('process() with a user Processor and a store', () => {
  it('keeps a running total per key in its store and forwards it; the store holds the model’s totals', async () => {
    const rnd = new Random(31337);
    const b = new StreamsBuilder();
    b.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('totals'), S, L));
    b.stream<string, number>('amounts', { keySerde: S, valueSerde: L })
      .process<string, string>(
        () => {
          let ctx!: ProcessorContext<string, string>;
          let totals!: KeyValueStore<string, number>;
          return {
            init(c) {
              ctx = c;
              totals = c.getStateStore('totals');
            },
            process(r) {
              const total = (totals.get(r.key) ?? 0) + r.value;
              totals.put(r.key, total);
              const m = ctx.recordMetadata() as RecordMetadata;
              ctx.forward({ key: r.key, value: `${total}@${m.topic}-${m.partition}@${m.offset}`, timestamp: r.timestamp + 1, headers: { from: 'processor' } });
            },
          };
        },
        { stores: ['totals'] },
      )
      .to('totals-out', { keySerde: S, valueSerde: S });
    const d = driverFor(b.build());
    const input = d.createInputTopic('amounts', S, L);
    const model = new Map<string, number>();
    const expected: { key: string; value: string; timestamp: number; headers: unknown }[] = [];
    for (let i = 0; i < 300; i++) {
      const key = rnd.pick(['x', 'y', 'z', 'w']);
      const amount = rnd.int(-50, 100);
      const ts = rnd.int(0, 1_000_000);
      await input.pipeInput(key, amount, ts);
      model.set(key, (model.get(key) ?? 0) + amount);
      expected.push({ key, value: `${model.get(key)}@amounts-0@${i}`, timestamp: ts + 1, headers: { from: 'processor' } });
    }
    expect(d.createOutputTopic('totals-out', S, S).readRecordsToList()).toEqual(expected);
    expect(new Map((await collect(d.getKeyValueStore<string, number>('totals').all())).map((e) => [e.key, e.value]))).toEqual(model);
  });

  it('forward(record, childName) reaches only that child; an unknown child name is an error', async () => {
    const b = new StreamsBuilder();
    const routed = b.stream<string, string>('in', { keySerde: S, valueSerde: S }).process<string, string>(
      () => {
        let ctx!: ProcessorContext<string, string>;
        return {
          init: (c) => void (ctx = c),
          process: (r) => ctx.forward(r, r.value === 'bad' ? 'no-such-child' : r.value === 'left' ? 'left' : 'right'),
        };
      },
      { name: 'router' },
    );
    routed.filter(() => true, { name: 'left' }).to('left', { keySerde: S, valueSerde: S });
    routed.filter(() => true, { name: 'right' }).to('right', { keySerde: S, valueSerde: S });
    const d = driverFor(b.build());
    const input = d.createInputTopic('in', S, S);
    const values = ['left', 'right', 'right', 'left', 'up'];
    for (const v of values) await input.pipeInput('k', v);
    expect(d.createOutputTopic('left', S, S).readValuesToList()).toEqual(values.filter((v) => v === 'left'));
    expect(d.createOutputTopic('right', S, S).readValuesToList()).toEqual(values.filter((v) => v !== 'left'));
    expect(String(await errorOf(() => input.pipeInput('k', 'bad')))).toMatch(/router has no child named no-such-child \(its children: left, right\)/);
  });

  it('gives the context: task id, application id, configs, stream time and the wall clock', async () => {
    const seen: unknown[] = [];
    const b = new StreamsBuilder();
    b.stream<string, string>('in', { keySerde: S, valueSerde: S }).process(() => {
      let ctx!: ProcessorContext<never, never>;
      return {
        init: (c) => void (ctx = c),
        process: () =>
          void seen.push([ctx.taskId(), ctx.applicationId(), ctx.appConfigs()['custom.setting'], ctx.currentStreamTimeMs(), ctx.currentSystemTimeMs()]),
      };
    });
    const d = driverFor(b.build(), { 'application.id': 'ctx-app', 'custom.setting': 42 }, 5_000);
    const input = d.createInputTopic('in', S, S);
    await input.pipeInput('k', 'v', 300);
    await input.pipeInput('k', 'v', 100); // stream time never goes back
    await d.advanceWallClockTime(250);
    await input.pipeInput('k', 'v', 400);
    expect(seen).toEqual([
      ['0_0', 'ctx-app', 42, 300, 5_000],
      ['0_0', 'ctx-app', 42, 300, 5_000],
      ['0_0', 'ctx-app', 42, 400, 5_250],
    ]);
  });

  it('an exception in process() names the node and the record; one in init() names the node', async () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in', { keySerde: S, valueSerde: S }).process(
      () => ({
        process: (r) => {
          if (r.value === 'boom') throw new RangeError('no boom allowed');
        },
      }),
      { name: 'picky' },
    );
    const d = driverFor(b.build());
    const input = d.createInputTopic('in', S, S);
    await input.pipeInput('k', 'fine');
    const e = (await errorOf(() => input.pipeInput('k', 'boom'))) as Error & { where: unknown; cause: unknown };
    expect(e.name).toBe('ProcessingError');
    expect(e.message).toBe('Exception in picky of task 0_0 processing the record at in-0@1: no boom allowed');
    expect(e.where).toEqual({ taskId: '0_0', node: 'picky', topic: 'in', partition: 0, offset: 1 });
    expect(e.cause).toBeInstanceOf(RangeError);

    const b2 = new StreamsBuilder();
    b2.stream('in', { keySerde: S, valueSerde: S }).process(
      () => ({
        init: () => {
          throw new Error('cannot start');
        },
        process: () => undefined,
      }),
      { name: 'fragile' },
    );
    expect(() => driverFor(b2.build())).toThrow(/^Exception in fragile of task 0_0 initializing: cannot start$/);
  });
});

describe('punctuation', () => {
  /** A processor that schedules one punctuation and forwards (and stores) each firing. */
  function punctuating(type: 'STREAM_TIME' | 'WALL_CLOCK_TIME', interval: number, log: { time: number; streamTime: number; metadata: unknown }[]) {
    const b = new StreamsBuilder();
    b.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('fired'), S, L));
    b.stream<string, string>('in', { keySerde: S, valueSerde: S })
      .process<string, number>(
        () => {
          let ctx!: ProcessorContext<string, number>;
          let store!: KeyValueStore<string, number>;
          return {
            init(c) {
              ctx = c;
              store = c.getStateStore('fired');
              c.schedule(interval, type, (time) => {
                log.push({ time, streamTime: ctx.currentStreamTimeMs(), metadata: ctx.recordMetadata() });
                store.put('count', (store.get('count') ?? 0) + 1);
                ctx.forward({ key: 'punctuated', value: time, timestamp: time, headers: {} });
              });
            },
            process: () => undefined,
          };
        },
        { stores: ['fired'] },
      )
      .to('ticks', { keySerde: S, valueSerde: L });
    return b.build();
  }

  it('STREAM_TIME fires as the records’ timestamps advance stream time (never on wall-clock time)', async () => {
    const rnd = new Random(2718);
    const interval = 100;
    const log: { time: number; streamTime: number; metadata: unknown }[] = [];
    const d = driverFor(punctuating('STREAM_TIME', interval, log), {}, 0);
    const input = d.createInputTopic('in', S, S);
    const ticks = d.createOutputTopic('ticks', S, L);
    const model = new ScheduleModel(0, interval);
    let streamTime = -1;
    let t = 1_000;
    for (let i = 0; i < 400; i++) {
      // Mostly small steps forward, sometimes a jump over several intervals, sometimes a late record.
      t += rnd.chance(0.05) ? rnd.int(200, 1000) : rnd.int(0, 30);
      const ts = rnd.chance(0.1) ? Math.max(0, t - rnd.int(1, 500)) : t;
      await input.pipeInput('k', 'v', ts);
      streamTime = Math.max(streamTime, ts);
      const before = model.fired.length;
      model.advance(streamTime, true);
      // What a record caused is committed with it: the firing is on the output topic already.
      expect(ticks.readValuesToList(), `record ${i} at ${ts}`).toEqual(model.fired.slice(before).map((f) => f.time));
      if (rnd.chance(0.05)) await d.advanceWallClockTime(10_000);
    }
    expect(model.fired.length).toBeGreaterThan(50);
    expect(log.map((l) => l.time)).toEqual(model.fired.map((f) => f.time));
    expect(log.map((l) => l.streamTime)).toEqual(model.fired.map((f) => f.at));
    expect(log.every((l) => l.metadata === null)).toBe(true);
    expect(d.getKeyValueStore<string, number>('fired').get('count')).toBe(model.fired.length);
  });

  it('WALL_CLOCK_TIME fires as driver.advanceWallClockTime moves the clock (never on records)', async () => {
    const rnd = new Random(1414);
    const interval = 1_000;
    const log: { time: number; streamTime: number; metadata: unknown }[] = [];
    const start = 50_000;
    const d = driverFor(punctuating('WALL_CLOCK_TIME', interval, log), {}, start);
    const input = d.createInputTopic('in', S, S);
    const ticks = d.createOutputTopic('ticks', S, L);
    const model = new ScheduleModel(start + interval, interval);
    let now = start;
    for (let i = 0; i < 300; i++) {
      if (rnd.chance(0.3)) {
        await input.pipeInput('k', 'v', rnd.int(0, 1e9));
        expect(ticks.isEmpty()).toBe(true);
        continue;
      }
      const step = rnd.chance(0.1) ? rnd.int(2_000, 5_000) : rnd.int(0, 600);
      await d.advanceWallClockTime(step);
      now += step;
      const before = model.fired.length;
      model.advance(now);
      expect(ticks.readValuesToList(), `step ${i} to ${now}`).toEqual(model.fired.slice(before).map((f) => f.time));
    }
    expect(model.fired.length).toBeGreaterThan(30);
    expect(log.map((l) => l.time)).toEqual(model.fired.map((f) => f.time));
    expect(d.getKeyValueStore<string, number>('fired').get('count')).toBe(model.fired.length);
  });

  it('a cancelled punctuation stops; two schedules fire independently; bad intervals and types are refused', async () => {
    const fired: string[] = [];
    const errors: string[] = [];
    const b = new StreamsBuilder();
    b.stream<string, string>('in', { keySerde: S, valueSerde: S }).process(() => {
      let every50: Cancellable;
      return {
        init(c) {
          every50 = c.schedule(50, 'STREAM_TIME', (t) => void fired.push(`50:${t}`));
          c.schedule(120, 'STREAM_TIME', (t) => void fired.push(`120:${t}`));
          for (const bad of [0, -5, Number.NaN]) errors.push(String(errorOrNull(() => c.schedule(bad, 'STREAM_TIME', () => undefined))));
          errors.push(String(errorOrNull(() => c.schedule(10, 'EVENT_TIME' as never, () => undefined))));
        },
        process(r) {
          if (r.value === 'stop') every50.cancel();
        },
      };
    });
    const d = driverFor(b.build());
    const input = d.createInputTopic('in', S, S);
    await input.pipeInput('k', 'go', 10); // both fire first at the first record
    await input.pipeInput('k', 'go', 60); // 50 is due (at 50), told the current time
    await input.pipeInput('k', 'go', 130); // 50 is due at 100 (next at 150); 120 is due at 120 (next at 240)
    await input.pipeInput('k', 'stop', 190); // cancelled before the punctuation runs
    await input.pipeInput('k', 'go', 400); // 120 fell behind (due at 240, and 360): fires once, and stays on its grid (next at 480)
    await input.pipeInput('k', 'go', 519);
    await input.pipeInput('k', 'go', 520);
    expect(fired).toEqual(['50:10', '120:10', '50:60', '50:130', '120:130', '120:400', '120:519']);
    expect(errors).toEqual([
      'StreamsError: A punctuation interval must be at least 1 ms, not 0',
      'StreamsError: A punctuation interval must be at least 1 ms, not -5',
      'StreamsError: A punctuation interval must be at least 1 ms, not NaN',
      "StreamsError: Unknown punctuation type EVENT_TIME: use 'STREAM_TIME' or 'WALL_CLOCK_TIME'",
    ]);
  });

  it('an exception in a punctuator is a ProcessingError naming the node', async () => {
    const b = new StreamsBuilder();
    b.stream('in', { keySerde: S, valueSerde: S }).process(
      () => ({
        init: (c) =>
          void c.schedule(10, 'WALL_CLOCK_TIME', () => {
            throw new Error('tick failed');
          }),
        process: () => undefined,
      }),
      { name: 'ticker' },
    );
    const d = driverFor(b.build(), {}, 0);
    const e = await errorOf(() => d.advanceWallClockTime(10));
    expect(String(e)).toBe('ProcessingError: Exception in ticker of task 0_0 punctuating at 10: tick failed');
  });
});

function errorOrNull(fn: () => unknown): unknown {
  try {
    fn();
    return null;
  } catch (e) {
    return e;
  }
}

describe('the Topology API', () => {
  it('builds sources, processors, stores and sinks by hand, and runs them', async () => {
    const t = new Topology()
      .addSource('words', 'words-in', { keySerde: S, valueSerde: S })
      .addProcessor(
        'count',
        () => {
          let ctx!: ProcessorContext<string, number>;
          let store!: KeyValueStore<string, number>;
          return {
            init(c: ProcessorContext<string, number>) {
              ctx = c;
              store = c.getStateStore('seen');
            },
            process(r: { key: string; value: string; timestamp: number; headers: Record<string, string> }) {
              const n = (store.get(r.value) ?? 0) + 1;
              store.put(r.value, n);
              ctx.forward({ ...r, key: r.value, value: n }, n === 1 ? 'first-sink' : 'again-sink');
            },
          };
        },
        'words',
      )
      .addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('seen'), S, L), 'count')
      .addSink('first-sink', 'first', { keySerde: S, valueSerde: L }, 'count')
      .addSink('again-sink', 'again', { keySerde: S, valueSerde: L }, 'count');
    const d = driverFor(t);
    const input = d.createInputTopic('words-in', S, S);
    const words = 'the cat and the hat and the bat'.split(' ');
    for (const w of words) await input.pipeInput(null, w);
    const counts = new Map<string, number>();
    const first: string[] = [];
    const again: { key: string; value: number }[] = [];
    for (const w of words) {
      counts.set(w, (counts.get(w) ?? 0) + 1);
      if (counts.get(w) === 1) first.push(w);
      else again.push({ key: w, value: counts.get(w) as number });
    }
    expect(
      d
        .createOutputTopic('first', S, L)
        .readKeyValuesToList()
        .map((r) => r.key),
    ).toEqual(first);
    expect(d.createOutputTopic('again', S, L).readKeyValuesToList()).toEqual(again);
  });

  it('refuses a graph that cannot run', () => {
    const t = new Topology().addSource('src', 'in');
    expect(() => t.addSource('src', 'other')).toThrow(/a node named src was already added/);
    expect(() => t.addSource('src2', 'in')).toThrow(/topic in is already read by source src/);
    expect(() => t.addProcessor('p', () => ({ process: () => undefined }))).toThrow(/must have at least one parent/);
    expect(() => t.addProcessor('p', () => ({ process: () => undefined }), 'nope')).toThrow(/parent nope of p is not a node/);
    t.addSink('sink', 'out', 'src');
    expect(() => t.addProcessor('p', () => ({ process: () => undefined }), 'sink')).toThrow(/sink sink cannot be the parent of p/);
    expect(() => t.connectProcessorAndStateStores('src', 'x')).toThrow(/src is not a processor/);
    t.addProcessor('p', () => ({ process: () => undefined }), 'src');
    expect(() => t.connectProcessorAndStateStores('p', 'x')).toThrow(/uses store x, which was not added/);
    t.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('x'), S, S));
    expect(() => t.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('x'), S, S))).toThrow(/a store named x was already added/);
  });

  it('a supplier must make a processor', () => {
    const t = new Topology().addSource('src', 'in', { keySerde: S, valueSerde: S }).addProcessor('p', () => ({}) as never, 'src');
    expect(() => driverFor(t)).toThrow(/the supplier of processor p must return an object with a process\(record\) method/);
    expect(() => new StreamsBuilder().stream('in').process(42 as never)).toThrow(/process\(\) takes a function/);
  });
});
