/**
 * RxJS inside a stream: `KStream.pipe(...operators)`, `mapValuesAsync` and `mapAsync`, and how they
 * meet the commit (docs/streams-internals.md, "Async nodes and RxJS at commit points"): every
 * record consumed before a commit has all of its results in that commit — the driver commits after
 * every record, so everything a record caused must be out before the next record goes in — results
 * of `mapValuesAsync` come in input order whatever the delays, and operators that end the stream or
 * emit something other than records are refused with an error that says why.
 */
import { bufferCount, bufferTime, concatMap, filter, from, map, mergeAll, mergeMap, take, delay, of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { type ConsumedRecord, ProcessingError, Serdes, StreamsBuilder } from '../../src/index.js';
import { Random, errorOf, openDrivers, sleep } from './helpers.js';

const driverFor = openDrivers();
const S = Serdes.String();
const I = Serdes.Int32();

describe('pipe()', () => {
  it('applies synchronous operators to records that carry their origin', async () => {
    const rnd = new Random(101);
    const b = new StreamsBuilder();
    b.stream<string, number>('in', { keySerde: S, valueSerde: I })
      .pipe<string, string>(
        filter((r: ConsumedRecord<string, number>) => r.value % 2 === 0),
        map((r: ConsumedRecord<string, number>) => ({ ...r, key: r.key.toUpperCase(), value: `${r.topic}/${r.partition}/${r.offset}:${r.value / 2}` })),
      )
      .to('out', { keySerde: S, valueSerde: S });
    const d = driverFor(b.build());
    const input = d.createInputTopic('in', S, I);
    const values = Array.from({ length: 200 }, () => rnd.int(0, 1000));
    for (const [i, v] of values.entries()) await input.pipeInput(`k${i % 7}`, v, 1000 + i, { n: String(i) });
    const expected = values.flatMap((v, i) =>
      v % 2 === 0 ? [{ key: `K${i % 7}`, value: `in/0/${i}:${v / 2}`, timestamp: 1000 + i, headers: { n: String(i) } }] : [],
    );
    expect(d.createOutputTopic('out', S, S).readRecordsToList()).toEqual(expected);
  });

  it('mergeMap with async work: each record’s results are out before the next record is processed', async () => {
    const rnd = new Random(202);
    const delays = Array.from({ length: 2000 }, () => rnd.int(0, 4));
    let call = 0;
    const log: string[] = [];
    const b = new StreamsBuilder();
    b.stream<string, number>('in', { keySerde: S, valueSerde: I })
      .peek((_k, v) => void log.push(`in ${v}`))
      .pipe<string, number>(
        mergeMap(async (r: ConsumedRecord<string, number>) => {
          await sleep(delays[call++ % delays.length]);
          return { ...r, value: r.value * 10 };
        }),
        // Each record fans out into three results, which finish in any order.
        mergeMap((r: ConsumedRecord<string, number>) =>
          from([0, 1, 2]).pipe(mergeMap((j) => of({ ...r, value: r.value + j }).pipe(delay(delays[(r.value + j) % delays.length])))),
        ),
      )
      .peek((_k, v) => void log.push(`out ${Math.floor(v / 10)}`))
      .to('out', { keySerde: S, valueSerde: I });
    const d = driverFor(b.build());
    const input = d.createInputTopic('in', S, I);
    // Piped without waiting: the driver still takes them one at a time, each to its commit.
    for (let i = 0; i < 60; i++) void input.pipeInput('k', i);
    await d.settled();
    const expectedLog = Array.from({ length: 60 }, (_, i) => [`in ${i}`, `out ${i}`, `out ${i}`, `out ${i}`]).flat();
    expect(log).toEqual(expectedLog);
    const out = d.createOutputTopic('out', S, I).readValuesToList() as number[];
    for (let i = 0; i < 60; i++) expect(out.slice(3 * i, 3 * i + 3).sort((a, c) => a - c)).toEqual([10 * i, 10 * i + 1, 10 * i + 2]);
  });

  it('bufferCount(n) + mergeAll(): what a record put in the buffer comes out at its commit, in order', async () => {
    const log: string[] = [];
    const b = new StreamsBuilder();
    b.stream<string, string>('in', { keySerde: S, valueSerde: S })
      .peek((_k, v) => void log.push(`in ${v}`))
      .flatMapValues((v) => Array.from({ length: Number(v) }, (_, j) => `${v}.${j}`))
      .pipe<string, string>(bufferCount(3), mergeAll())
      .peek((_k, v) => void log.push(`out ${v}`))
      .to('out', { keySerde: S, valueSerde: S });
    const d = driverFor(b.build());
    const input = d.createInputTopic('in', S, S);
    const sizes = [1, 0, 7, 3, 2, 5];
    for (const n of sizes) void input.pipeInput('k', String(n));
    await d.settled();
    // Without the commit rule, a buffer of 3 would hold record 1's only value until record 3 came.
    expect(log).toEqual(sizes.flatMap((n) => [`in ${n}`, ...Array.from({ length: n }, (_, j) => `out ${n}.${j}`)]));
    expect(d.createOutputTopic('out', S, S).readValuesToList()).toEqual(sizes.flatMap((n) => Array.from({ length: n }, (_, j) => `${n}.${j}`)));
  });

  it('bufferTime + mergeAll(): the buffer is emitted at the commit, not a second later', async () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in', { keySerde: S, valueSerde: S })
      .pipe<string, string>(bufferTime(60_000), mergeAll())
      .to('out', { keySerde: S, valueSerde: S });
    const d = driverFor(b.build());
    const input = d.createInputTopic('in', S, S);
    const out = d.createOutputTopic('out', S, S);
    const started = Date.now();
    for (const v of ['a', 'b', 'c']) {
      await input.pipeInput('k', v);
      expect(out.readValuesToList()).toEqual([v]);
    }
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('refuses an operator that completes the pipeline before its input (take), saying why', async () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in', { keySerde: S, valueSerde: S }).pipe(take(1)).to('out', { keySerde: S, valueSerde: S });
    const d = driverFor(b.build());
    const e = await errorOf(() => d.createInputTopic('in', S, S).pipeInput('k', 'v'));
    expect(e).toBeInstanceOf(ProcessingError);
    expect((e as Error).message).toMatch(/KSTREAM-PIPE-0000000001/);
    expect((e as Error).message).toMatch(
      /completed before their input did; a stream never ends, so operators that end it \(take, first, takeWhile, …\) cannot be used in pipe\(\)/,
    );
  });

  it('refuses a value that is not a record — bufferCount without mergeAll — with an error that says so', async () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in', { keySerde: S, valueSerde: S }).pipe(bufferCount(2)).to('out', { keySerde: S, valueSerde: S });
    const d = driverFor(b.build());
    const e = await errorOf(() => d.createInputTopic('in', S, S).pipeInput('k', 'v'));
    expect(e).toBeInstanceOf(ProcessingError);
    expect((e as Error).message).toMatch(/KSTREAM-PIPE-0000000001/);
    expect((e as Error).message).toMatch(
      /pipe\(\) must emit records \(\{ key, value, … \}\), got an array \(after a buffer operator, flatten it with mergeAll\(\)\)/,
    );
    expect((e as Error).message).toMatch(/in-0@0/);
  });

  it('an error inside an operator is a ProcessingError naming the node and the record', async () => {
    const b = new StreamsBuilder();
    b.stream<string, number>('in', { keySerde: S, valueSerde: I })
      .pipe(
        concatMap(async (r: ConsumedRecord<string, number>) => {
          if (r.value === 3) throw new Error('three is right out');
          return r;
        }),
      )
      .to('out', { keySerde: S, valueSerde: I });
    const d = driverFor(b.build());
    const input = d.createInputTopic('in', S, I);
    for (const v of [1, 2]) await input.pipeInput('k', v);
    const e = await errorOf(() => input.pipeInput('k', 3));
    expect(String(e)).toBe(
      'ProcessingError: Exception in KSTREAM-PIPE-0000000001 of task 0_0 in the RxJS operators, after the record at in-0@2: three is right out',
    );
    expect(d.createOutputTopic('out', S, I).readValuesToList()).toEqual([1, 2]);
  });

  it('a pipe that changes keys makes the next grouping repartition', async () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in', { keySerde: S, valueSerde: S })
      .pipe<string, string>(map((r: ConsumedRecord<string, string>) => ({ ...r, key: r.value })))
      .groupByKey({ keySerde: S, valueSerde: S })
      .count({ storeName: 'by-value' });
    const d = driverFor(b.build(), { 'application.id': 'rx' });
    const input = d.createInputTopic('in', S, S);
    for (const v of ['x', 'y', 'x']) await input.pipeInput('k', v);
    expect(d.createOutputTopic('rx-by-value-repartition', S, S).readKeyValuesToList()).toEqual([
      { key: 'x', value: 'x' },
      { key: 'y', value: 'y' },
      { key: 'x', value: 'x' },
    ]);
    expect(d.getKeyValueStore<string, number>('by-value').get('x')).toBe(2);
  });

  it('takes only operators', () => {
    expect(() => new StreamsBuilder().stream('in').pipe(42 as never)).toThrow(/pipe\(\) takes RxJS operators/);
  });
});

describe('mapValuesAsync and mapAsync', () => {
  it('mapValuesAsync(fn, { concurrency: 16 }) with random delays keeps input order over 500 records', async () => {
    const rnd = new Random(303);
    const b = new StreamsBuilder();
    b.stream<string, number>('in', { keySerde: S, valueSerde: I })
      .mapValuesAsync(
        async (v, k, record) => {
          await sleep(rnd.int(0, 3));
          return `${k}:${v}:${record.timestamp}`;
        },
        { concurrency: 16 },
      )
      .to('out', { keySerde: S, valueSerde: S });
    const d = driverFor(b.build());
    const input = d.createInputTopic('in', S, I);
    const out = d.createOutputTopic('out', S, S);
    const values = Array.from({ length: 500 }, () => rnd.int(0, 1_000_000));
    // Half awaited one by one, half piped at once and awaited together.
    for (let i = 0; i < 250; i++) {
      await input.pipeInput(`k${i % 5}`, values[i], i);
      expect(out.readValue()).toBe(`k${i % 5}:${values[i]}:${i}`);
    }
    for (let i = 250; i < 500; i++) void input.pipeInput(`k${i % 5}`, values[i], i);
    await d.settled();
    expect(out.readValuesToList()).toEqual(values.slice(250).map((v, j) => `k${(250 + j) % 5}:${v}:${250 + j}`));
  });

  it('with many records in flight at once (one record fanned out to 500), keeps input order and at most `concurrency` calls running', async () => {
    const rnd = new Random(404);
    let running = 0;
    let maxRunning = 0;
    const b = new StreamsBuilder();
    b.stream<string, number>('in', { keySerde: S, valueSerde: I })
      .flatMapValues((n) => Array.from({ length: n }, (_, i) => i))
      .mapValuesAsync(
        async (v) => {
          running++;
          maxRunning = Math.max(maxRunning, running);
          await sleep(rnd.int(0, 5));
          running--;
          return v * v;
        },
        { concurrency: 16 },
      )
      .to('out', { keySerde: S, valueSerde: I });
    const d = driverFor(b.build());
    await d.createInputTopic('in', S, I).pipeInput('k', 500);
    expect(d.createOutputTopic('out', S, I).readValuesToList()).toEqual(Array.from({ length: 500 }, (_, i) => i * i));
    expect(maxRunning).toBe(16);
  });

  it('mapAsync gives new keys and values, as { key, value } or [key, value], in input order', async () => {
    const rnd = new Random(505);
    const b = new StreamsBuilder();
    b.stream<string, number>('in', { keySerde: S, valueSerde: I })
      .flatMapValues((n) => [n, n + 1, n + 2])
      .mapAsync(
        async (k, v) => {
          await sleep(rnd.int(0, 4));
          return v % 2 === 0 ? { key: `${k}-even`, value: v / 2 } : ([`${k}-odd`, -v] as const);
        },
        { concurrency: 4 },
      )
      .to('out', { keySerde: S, valueSerde: I });
    const d = driverFor(b.build());
    const input = d.createInputTopic('in', S, I);
    const ns = Array.from({ length: 100 }, () => rnd.int(0, 1000));
    for (const n of ns) void input.pipeInput('k', n);
    await d.settled();
    const expected = ns.flatMap((n) => [n, n + 1, n + 2]).map((v) => (v % 2 === 0 ? { key: 'k-even', value: v / 2 } : { key: 'k-odd', value: -v }));
    expect(d.createOutputTopic('out', S, I).readKeyValuesToList()).toEqual(expected);
  });

  it('a rejected call is a ProcessingError naming the node and the record; synchronous results work too', async () => {
    const b = new StreamsBuilder();
    b.stream<string, number>('in', { keySerde: S, valueSerde: I })
      .mapValuesAsync((v) => (v === 2 ? Promise.reject(new Error('lookup failed')) : v + 1), { name: 'lookup' })
      .to('out', { keySerde: S, valueSerde: I });
    const d = driverFor(b.build());
    const input = d.createInputTopic('in', S, I);
    await input.pipeInput('k', 0);
    await input.pipeInput('k', 1);
    const e = await errorOf(() => input.pipeInput('k', 2));
    expect(String(e)).toBe('ProcessingError: Exception in lookup of task 0_0 calling the async function for the record at in-0@2: lookup failed');
    expect(d.createOutputTopic('out', S, I).readValuesToList()).toEqual([1, 2]);
  });

  it('a call that throws while waiting for a free slot fails the task with the record it was for', async () => {
    const b = new StreamsBuilder();
    b.stream<string, number>('in', { keySerde: S, valueSerde: I })
      .flatMapValues((n) => Array.from({ length: n }, (_, i) => i))
      .mapValuesAsync(
        (v) => {
          if (v === 10) throw new Error('ten is too many');
          return sleep(1).then(() => v);
        },
        { concurrency: 2, name: 'slots' },
      )
      .to('out', { keySerde: S, valueSerde: I });
    const d = driverFor(b.build());
    const e = await errorOf(() => d.createInputTopic('in', S, I).pipeInput('k', 20));
    expect(String(e)).toBe('ProcessingError: Exception in slots of task 0_0 calling the async function for the record at in-0@0: ten is too many');
  });

  it('refuses a concurrency that is not a positive integer', () => {
    const s = new StreamsBuilder().stream<string, number>('in');
    for (const c of [0, -1, 2.5]) {
      expect(() => s.mapValuesAsync(async (v) => v, { concurrency: c })).toThrow(/concurrency must be a positive integer/);
      expect(() => s.mapAsync(async (k, v) => [k, v] as const, { concurrency: c })).toThrow(/concurrency must be a positive integer/);
    }
  });
});
