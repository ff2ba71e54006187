/**
 * The stateless KStream operations, each run through the TopologyTestDriver on seeded random input
 * and compared with the same operation done by plain JavaScript over that input (the reference
 * model). Timestamps and headers must travel with each record.
 */
import { describe, expect, it } from 'vitest';
import { ProcessingError, Serdes, StreamsBuilder, type TestRecord } from '../../src/index.js';
import { Random, errorOf, openDrivers } from './helpers.js';

const driverFor = openDrivers();
const S = Serdes.String();
const I = Serdes.Int32();

interface In {
  key: string | null;
  value: number;
  timestamp: number;
}

/** Random records: keys from a small set (sometimes null), values in [-50, 50], increasing timestamps. */
function randomInput(seed: number, n: number): In[] {
  const rnd = new Random(seed);
  const keys = ['alpha', 'beta', 'gamma', 'delta', 'épsilon', '😀'];
  let t = 1_000;
  return Array.from({ length: n }, () => ({
    key: rnd.chance(0.1) ? null : rnd.pick(keys),
    value: rnd.int(-50, 50),
    timestamp: (t += rnd.int(0, 5)),
  }));
}

async function pipeAll(input: { pipeInput(k: string | null, v: number, t?: number, h?: Record<string, string>): Promise<void> }, records: In[]): Promise<void> {
  for (const [i, r] of records.entries()) await input.pipeInput(r.key, r.value, r.timestamp, { seq: String(i) });
}

/** What a record looks like on an output topic: key, value, timestamp and the header it came in with. */
function shape<K, V>(r: TestRecord<K, V>): { key: K | null; value: V | null; timestamp: number; seq: unknown } {
  return { key: r.key, value: r.value, timestamp: r.timestamp, seq: r.headers.seq };
}

describe('KStream stateless operations', () => {
  const input = randomInput(0x5eed, 300);

  it('filter keeps exactly the records the predicate accepts, in order', async () => {
    const b = new StreamsBuilder();
    b.stream<string, number>('in', { keySerde: S, valueSerde: I })
      .filter((_k, v) => v % 3 === 0)
      .to('out');
    const d = driverFor(b.build());
    await pipeAll(d.createInputTopic('in', S, I), input);
    const expected = input.flatMap((r, i) => (r.value % 3 === 0 ? [{ key: r.key, value: r.value, timestamp: r.timestamp, seq: String(i) }] : []));
    expect(d.createOutputTopic('out', S, I).readRecordsToList().map(shape)).toEqual(expected);
  });

  it('filterNot keeps exactly the records the predicate rejects', async () => {
    const b = new StreamsBuilder();
    b.stream<string, number>('in', { keySerde: S, valueSerde: I })
      .filterNot((k, v) => k === 'alpha' || v < 0)
      .to('out');
    const d = driverFor(b.build());
    await pipeAll(d.createInputTopic('in', S, I), input);
    const expected = input.filter((r) => !(r.key === 'alpha' || r.value < 0)).map((r) => ({ key: r.key, value: r.value }));
    expect(d.createOutputTopic('out', S, I).readKeyValuesToList()).toEqual(expected);
  });

  it('map accepts both { key, value } and [key, value] from the mapper', async () => {
    const b = new StreamsBuilder();
    const s = b.stream<string, number>('in', { keySerde: S, valueSerde: I });
    s.map((k, v) => ({ key: `${k ?? 'none'}#${v}`, value: v * 2 })).to('out-object', { keySerde: S, valueSerde: I });
    s.map((k, v) => [v, k ?? ''] as const).to('out-tuple', { keySerde: I, valueSerde: S });
    const d = driverFor(b.build());
    await pipeAll(d.createInputTopic('in', S, I), input);
    expect(d.createOutputTopic('out-object', S, I).readRecordsToList().map(shape)).toEqual(
      input.map((r, i) => ({ key: `${r.key ?? 'none'}#${r.value}`, value: r.value * 2, timestamp: r.timestamp, seq: String(i) })),
    );
    expect(d.createOutputTopic('out-tuple', I, S).readKeyValuesToList()).toEqual(input.map((r) => ({ key: r.value, value: r.key ?? '' })));
  });

  it('map refuses a mapper result that is neither { key, value } nor a pair', async () => {
    const b = new StreamsBuilder();
    b.stream<string, number>('in', { keySerde: S, valueSerde: I })
      .map((_k, v) => v as never)
      .to('out', { keySerde: S, valueSerde: I });
    const d = driverFor(b.build());
    await expect(async () => d.createInputTopic('in', S, I).pipeInput('k', 1)).rejects.toThrow(/must return \{ key, value \} or \[key, value\]/);
  });

  it('mapValues gives (value, key) and keeps the key, timestamp and headers', async () => {
    const b = new StreamsBuilder();
    b.stream<string, number>('in', { keySerde: S, valueSerde: I })
      .mapValues((v, k) => `${k}:${v * v}`)
      .to('out', { valueSerde: S });
    const d = driverFor(b.build());
    await pipeAll(d.createInputTopic('in', S, I), input);
    expect(d.createOutputTopic('out', S, S).readRecordsToList().map(shape)).toEqual(
      input.map((r, i) => ({ key: r.key, value: `${r.key}:${r.value * r.value}`, timestamp: r.timestamp, seq: String(i) })),
    );
  });

  it('flatMap emits zero or more new records per record, in the order the mapper gives them', async () => {
    const b = new StreamsBuilder();
    b.stream<string, number>('in', { keySerde: S, valueSerde: I })
      .flatMap((k, v) => {
        const n = Math.abs(v) % 4; // 0 to 3 records, the first as an object, the rest as pairs
        return Array.from({ length: n }, (_, j) => (j === 0 ? { key: j, value: `${k}/${v}/${j}` } : ([j, `${k}/${v}/${j}`] as const)));
      })
      .to('out', { keySerde: I, valueSerde: S });
    const d = driverFor(b.build());
    await pipeAll(d.createInputTopic('in', S, I), input);
    const expected = input.flatMap((r, i) =>
      Array.from({ length: Math.abs(r.value) % 4 }, (_, j) => ({ key: j, value: `${r.key}/${r.value}/${j}`, timestamp: r.timestamp, seq: String(i) })),
    );
    expect(d.createOutputTopic('out', I, S).readRecordsToList().map(shape)).toEqual(expected);
  });

  it('flatMapValues emits each value with the record key; any iterable works', async () => {
    const b = new StreamsBuilder();
    b.stream<string, number>('in', { keySerde: S, valueSerde: I })
      .flatMapValues(function* (v) {
        for (let j = 0; j < Math.abs(v) % 5; j++) yield v + j;
      })
      .to('out', { valueSerde: I });
    const d = driverFor(b.build());
    await pipeAll(d.createInputTopic('in', S, I), input);
    const expected = input.flatMap((r) => Array.from({ length: Math.abs(r.value) % 5 }, (_, j) => ({ key: r.key, value: r.value + j })));
    expect(d.createOutputTopic('out', S, I).readKeyValuesToList()).toEqual(expected);
  });

  it('flatMapValues refuses a mapper that returns something not iterable', async () => {
    const b = new StreamsBuilder();
    b.stream<string, number>('in', { keySerde: S, valueSerde: I })
      .flatMapValues(() => 42 as unknown as number[])
      .to('out', { valueSerde: I });
    const d = driverFor(b.build());
    await expect(async () => d.createInputTopic('in', S, I).pipeInput('k', 1)).rejects.toThrow(/flatMapValues\(\) must return an iterable/);
  });

  it('selectKey replaces the key and keeps value, timestamp and headers', async () => {
    const b = new StreamsBuilder();
    b.stream<string, number>('in', { keySerde: S, valueSerde: I })
      .selectKey((k, v) => (v >= 0 ? `pos-${k}` : `neg-${k}`))
      .to('out', { keySerde: S, valueSerde: I });
    const d = driverFor(b.build());
    await pipeAll(d.createInputTopic('in', S, I), input);
    expect(d.createOutputTopic('out', S, I).readRecordsToList().map(shape)).toEqual(
      input.map((r, i) => ({ key: r.value >= 0 ? `pos-${r.key}` : `neg-${r.key}`, value: r.value, timestamp: r.timestamp, seq: String(i) })),
    );
  });

  it('peek sees every record and passes it on; foreach sees every record and ends the branch', async () => {
    const peeked: [string | null, number][] = [];
    const eached: [string | null, number][] = [];
    const b = new StreamsBuilder();
    const s = b.stream<string, number>('in', { keySerde: S, valueSerde: I });
    s.peek((k, v) => peeked.push([k, v])).to('out');
    s.filter((_k, v) => v > 0).foreach((k, v) => void eached.push([k, v]));
    const d = driverFor(b.build());
    await pipeAll(d.createInputTopic('in', S, I), input);
    expect(peeked).toEqual(input.map((r) => [r.key, r.value]));
    expect(eached).toEqual(input.filter((r) => r.value > 0).map((r) => [r.key, r.value]));
    expect(d.createOutputTopic('out', S, I).readKeyValuesToList()).toEqual(input.map((r) => ({ key: r.key, value: r.value })));
    expect([...d.producedTopicNames()]).toEqual(['out']);
  });

  it('chains of operations compose as functions do', async () => {
    const b = new StreamsBuilder();
    b.stream<string, number>('in', { keySerde: S, valueSerde: I })
      .filter((k) => k !== null)
      .mapValues((v) => v + 100)
      .flatMapValues((v) => [v, -v])
      .filterNot((_k, v) => v % 2 === 0)
      .selectKey((k, v) => `${k}${v}`)
      .map((k, v) => [v, k] as const)
      .to('out', { keySerde: I, valueSerde: S });
    const d = driverFor(b.build());
    await pipeAll(d.createInputTopic('in', S, I), input);
    const expected = input
      .filter((r) => r.key !== null)
      .flatMap((r) => [r.value + 100, -(r.value + 100)].map((v) => ({ k: r.key as string, v })))
      .filter(({ v }) => v % 2 !== 0)
      .map(({ k, v }) => ({ key: v, value: `${k}${v}` }));
    expect(d.createOutputTopic('out', I, S).readKeyValuesToList()).toEqual(expected);
  });
});

describe('split()', () => {
  const input = randomInput(0xb4a9c4, 200);

  it('sends each record to the first branch whose predicate accepts it, the rest to the default branch', async () => {
    const b = new StreamsBuilder();
    const branches = b
      .stream<string, number>('in', { keySerde: S, valueSerde: I })
      .split({ name: 'sign-' })
      .branch((_k, v) => v < 0, { name: 'negative' })
      .branch((_k, v) => v % 2 === 0, { name: 'even' })
      .branch((_k, v) => v < -10) // never reached: the first branch took these
      .defaultBranch({ name: 'rest' });
    expect(Object.keys(branches).sort()).toEqual(['sign-3', 'sign-even', 'sign-negative', 'sign-rest']);
    branches['sign-negative'].to('negative');
    branches['sign-even'].to('even');
    branches['sign-3'].to('never');
    branches['sign-rest'].to('rest');
    const d = driverFor(b.build());
    await pipeAll(d.createInputTopic('in', S, I), input);
    const kv = (r: In) => ({ key: r.key, value: r.value });
    expect(d.createOutputTopic('negative', S, I).readKeyValuesToList()).toEqual(input.filter((r) => r.value < 0).map(kv));
    expect(d.createOutputTopic('even', S, I).readKeyValuesToList()).toEqual(input.filter((r) => r.value >= 0 && r.value % 2 === 0).map(kv));
    expect(d.createOutputTopic('never', S, I).isEmpty()).toBe(true);
    expect(d.createOutputTopic('rest', S, I).readKeyValuesToList()).toEqual(input.filter((r) => r.value >= 0 && r.value % 2 !== 0).map(kv));
  });

  it('noDefaultBranch drops unmatched records; unnamed branches are numbered from 1 after a generated split name', async () => {
    const b = new StreamsBuilder();
    const branches = b
      .stream<string, number>('in', { keySerde: S, valueSerde: I })
      .split()
      .branch((k) => k === 'alpha')
      .branch((k) => k === 'beta')
      .noDefaultBranch();
    // Kafka Streams' names: the split is KSTREAM-BRANCH-0000000001, its branches add 1, 2, … to it.
    expect(Object.keys(branches).sort()).toEqual(['KSTREAM-BRANCH-00000000011', 'KSTREAM-BRANCH-00000000012']);
    branches['KSTREAM-BRANCH-00000000011'].to('a');
    branches['KSTREAM-BRANCH-00000000012'].to('b');
    const d = driverFor(b.build());
    await pipeAll(d.createInputTopic('in', S, I), input);
    expect(d.createOutputTopic('a', S, I).readValuesToList()).toEqual(input.filter((r) => r.key === 'alpha').map((r) => r.value));
    expect(d.createOutputTopic('b', S, I).readValuesToList()).toEqual(input.filter((r) => r.key === 'beta').map((r) => r.value));
  });

  it('withChain continues a branch; the chain result is the branch in the map, and a chain that returns nothing leaves it out', async () => {
    const b = new StreamsBuilder();
    const branches = b
      .stream<string, number>('in', { keySerde: S, valueSerde: I })
      .split({ name: 's-' })
      .branch((_k, v) => v > 25, { name: 'big', withChain: (s) => s.mapValues((v) => v * 1000) })
      .branch((_k, v) => v < -25, {
        name: 'small',
        withChain: (s) => {
          s.to('small');
        },
      })
      .defaultBranch({ withChain: (s) => s.filter((_k, v) => v === 0) });
    expect(Object.keys(branches).sort()).toEqual(['s-0', 's-big']);
    branches['s-big'].to('big', { valueSerde: I });
    branches['s-0'].to('zero');
    const d = driverFor(b.build());
    await pipeAll(d.createInputTopic('in', S, I), input);
    expect(d.createOutputTopic('big', S, I).readValuesToList()).toEqual(input.filter((r) => r.value > 25).map((r) => r.value * 1000));
    expect(d.createOutputTopic('small', S, I).readValuesToList()).toEqual(input.filter((r) => r.value < -25).map((r) => r.value));
    expect(d.createOutputTopic('zero', S, I).readValuesToList()).toEqual(input.filter((r) => r.value === 0).map((r) => r.value));
  });

  it('refuses a second end, a branch after the end, and two branches with one name', () => {
    const b = new StreamsBuilder();
    const s = b.stream<string, number>('in', { keySerde: S, valueSerde: I });
    const split = s.split({ name: 'x-' }).branch(() => true, { name: 'a' });
    split.noDefaultBranch();
    expect(() => split.defaultBranch()).toThrow(/already ended/);
    expect(() => split.branch(() => true)).toThrow(/already ended/);
    expect(() =>
      s
        .split({ name: 'y-' })
        .branch(() => true, { name: 'a' })
        .branch(() => false, { name: 'a' })
        .noDefaultBranch(),
    ).toThrow(/named y-a/);
  });
});

describe('merge', () => {
  it('gives the records of both streams in the order they are processed', async () => {
    const rnd = new Random(77);
    const b = new StreamsBuilder();
    const left = b.stream<string, number>('left', { keySerde: S, valueSerde: I });
    const right = b.stream<string, number>('right', { keySerde: S, valueSerde: I }).mapValues((v) => -v);
    left.merge(right).to('out', { valueSerde: I });
    const d = driverFor(b.build());
    const l = d.createInputTopic('left', S, I);
    const r = d.createInputTopic('right', S, I);
    const expected: { key: string; value: number }[] = [];
    for (let i = 0; i < 200; i++) {
      const v = rnd.int(1, 1000);
      if (rnd.chance(0.5)) {
        await l.pipeInput(`l${i}`, v);
        expected.push({ key: `l${i}`, value: v });
      } else {
        await r.pipeInput(`r${i}`, v);
        expected.push({ key: `r${i}`, value: -v });
      }
    }
    expect(d.createOutputTopic('out', S, I).readKeyValuesToList()).toEqual(expected);
  });

  it('a merge with a re-keyed stream makes the next grouping repartition', async () => {
    const b = new StreamsBuilder();
    const a = b.stream<string, number>('a', { keySerde: S, valueSerde: I });
    const rekeyed = b.stream<string, number>('b', { keySerde: S, valueSerde: I }).selectKey((k) => k.toUpperCase());
    a.merge(rekeyed).groupByKey({ keySerde: S, valueSerde: I }).count({ storeName: 'merged' });
    const d = driverFor(b.build(), { 'application.id': 'm' });
    await d.createInputTopic('a', S, I).pipeInput('x', 1);
    await d.createInputTopic('b', S, I).pipeInput('x', 2);
    expect(d.createOutputTopic('m-merged-repartition', S, I).readKeyValuesToList()).toEqual([
      { key: 'x', value: 1 },
      { key: 'X', value: 2 },
    ]);
  });

  it('refuses a stream of another builder', () => {
    const a = new StreamsBuilder().stream('a');
    const c = new StreamsBuilder().stream('c');
    expect(() => a.merge(c)).toThrow(/same StreamsBuilder/);
  });
});

describe('repartition', () => {
  it('sends the records through <application.id>-<name>-repartition and on, unchanged', async () => {
    const input = randomInput(9, 100).filter((r) => r.key !== null);
    const b = new StreamsBuilder();
    b.stream<string, number>('in', { keySerde: S, valueSerde: I })
      .selectKey((_k, v) => `v${v}`)
      .repartition({ name: 'by-value', keySerde: S })
      .mapValues((v) => v + 1)
      .to('out', { valueSerde: I });
    const d = driverFor(b.build(), { 'application.id': 'rep-app' });
    await pipeAll(d.createInputTopic('in', S, I), input);
    const through = input.map((r) => ({ key: `v${r.value}`, value: r.value }));
    // What went through the internal topic, then what came out of it.
    expect(d.createOutputTopic('rep-app-by-value-repartition', S, I).readKeyValuesToList()).toEqual(through);
    expect(d.createOutputTopic('out', S, I).readKeyValuesToList()).toEqual(through.map((r) => ({ key: r.key, value: r.value + 1 })));
    expect([...d.producedTopicNames()].sort()).toEqual(['out', 'rep-app-by-value-repartition']);
  });

  it('an unnamed repartition topic takes the generated node name; records with a null key are dropped before it', async () => {
    const input = randomInput(10, 100);
    const b = new StreamsBuilder();
    b.stream<string, number>('in', { keySerde: S, valueSerde: I }).repartition().to('out');
    const d = driverFor(b.build(), { 'application.id': 'app' });
    await pipeAll(d.createInputTopic('in', S, I), input);
    const kept = input.filter((r) => r.key !== null).map((r) => ({ key: r.key, value: r.value }));
    expect(d.createOutputTopic('app-KSTREAM-REPARTITION-0000000001-repartition', S, I).readKeyValuesToList()).toEqual(kept);
    expect(d.createOutputTopic('out', S, I).readKeyValuesToList()).toEqual(kept);
  });

  it('uses the partitioner it is given, and refuses a partition count that is not a positive integer', async () => {
    const calls: [string, string, number, number][] = [];
    const b = new StreamsBuilder();
    const s = b.stream<string, number>('in', { keySerde: S, valueSerde: I });
    s.repartition({
      name: 'p',
      partitioner: (topic, key, value, n) => {
        calls.push([topic, key, value, n]);
        return 0;
      },
    }).to('out');
    expect(() => s.repartition({ numberOfPartitions: 0 })).toThrow(/positive integer/);
    expect(() => s.repartition({ numberOfPartitions: 1.5 })).toThrow(/positive integer/);
    const d = driverFor(b.build(), { 'application.id': 'app' });
    await d.createInputTopic('in', S, I).pipeInput('k', 7);
    expect(calls).toEqual([['app-p-repartition', 'k', 7, 1]]);
    expect(d.createOutputTopic('out', S, I).readKeyValuesToList()).toEqual([{ key: 'k', value: 7 }]);
  });
});

/** A legal topic name per key (keys like 'épsilon' are not legal in one). */
const topicForKey = (key: string | null): string => (key === null ? 'no-key' : `key-${Buffer.from(key).toString('hex')}`);

describe('to', () => {
  const input = randomInput(0x70, 150);

  it('writes to a static topic with the serdes it is given', async () => {
    const b = new StreamsBuilder();
    b.stream<string, number>('in', { keySerde: S, valueSerde: I }).to('out', { keySerde: S, valueSerde: Serdes.Long() });
    const d = driverFor(b.build());
    await pipeAll(d.createInputTopic('in', S, I), input);
    // Long is 8 bytes: read with the wrong serde, every value would fail.
    expect(d.createOutputTopic('out', S, Serdes.Long()).readRecordsToList().map(shape)).toEqual(
      input.map((r, i) => ({ key: r.key, value: r.value, timestamp: r.timestamp, seq: String(i) })),
    );
  });

  it('writes each record to the topic a function of the record chooses, with the record context', async () => {
    const seen: { topic: string | undefined; offset: number | undefined }[] = [];
    const b = new StreamsBuilder();
    b.stream<string, number>('in', { keySerde: S, valueSerde: I }).to((key, value, context) => {
      seen.push({ topic: context.topic, offset: context.offset });
      return value < 0 ? 'negatives' : topicForKey(key);
    });
    const d = driverFor(b.build());
    await pipeAll(d.createInputTopic('in', S, I), input);
    expect(seen).toEqual(input.map((_, i) => ({ topic: 'in', offset: i })));
    const topics = new Map<string, { key: string | null; value: number }[]>();
    for (const r of input) {
      const t = r.value < 0 ? 'negatives' : topicForKey(r.key);
      if (!topics.has(t)) topics.set(t, []);
      topics.get(t)?.push({ key: r.key, value: r.value });
    }
    expect([...d.producedTopicNames()].sort()).toEqual([...topics.keys()].sort());
    for (const [t, records] of topics) expect(d.createOutputTopic(t, S, I).readKeyValuesToList()).toEqual(records);
  });

  it('asks a custom partitioner for each record, and refuses a partition the topic does not have', async () => {
    const calls: [string, string | null, number, number][] = [];
    const b = new StreamsBuilder();
    const s = b.stream<string, number>('in', { keySerde: S, valueSerde: I });
    s.to('out', {
      partitioner: (topic, key, value, n) => {
        calls.push([topic, key, value, n]);
        return value === 999 ? 3 : value % 2 === 0 ? 0 : null; // null: the default partitioner decides
      },
    });
    const d = driverFor(b.build());
    const topic = d.createInputTopic('in', S, I);
    await pipeAll(topic, input);
    expect(calls).toEqual(input.map((r) => ['out', r.key, r.value, 1]));
    expect(d.createOutputTopic('out', S, I).readKeyValuesToList()).toEqual(input.map((r) => ({ key: r.key, value: r.value })));
    const error = await errorOf(() => topic.pipeInput('k', 999));
    expect(error).toBeInstanceOf(ProcessingError);
    expect((error as Error).message).toMatch(/chose partition 3 of out, which has 1 partitions/);
  });
});

describe('a topology that reads a topic it writes', () => {
  it('processes what it wrote, after the record that wrote it', async () => {
    const b = new StreamsBuilder();
    // Count down: each number n > 0 goes back into the topic as n - 1.
    const s = b.stream<string, number>('countdown', { keySerde: S, valueSerde: I });
    s.filter((_k, v) => v > 0)
      .mapValues((v) => v - 1)
      .to('countdown', { valueSerde: I });
    s.to('seen');
    const d = driverFor(b.build());
    await d.createInputTopic('countdown', S, I).pipeInput('k', 5);
    expect(d.createOutputTopic('seen', S, I).readValuesToList()).toEqual([5, 4, 3, 2, 1, 0]);
    expect([...d.producedTopicNames()].sort()).toEqual(['countdown', 'seen']);
  });
});

describe('toTable', () => {
  it('turns the stream into a table: the latest value per key, a null value deleting it', async () => {
    const rnd = new Random(4242);
    const keys = ['a', 'b', 'c', 'd', 'e'];
    const b = new StreamsBuilder();
    b.stream<string, number | null>('in', { keySerde: S, valueSerde: I }).toTable({ storeName: 'latest' }).toStream().to('changes');
    const d = driverFor(b.build(), { 'statestore.cache.max.bytes': 0 });
    const topic = d.createInputTopic('in', S, I);
    const model = new Map<string, number>();
    const changes: { key: string; value: number | null }[] = [];
    for (let i = 0; i < 300; i++) {
      const key = rnd.pick(keys);
      const value = rnd.chance(0.2) ? null : rnd.int(0, 100);
      await topic.pipeInput(key, value);
      if (value === null) {
        // Deleting a key that is not there changes nothing and says nothing.
        if (model.delete(key)) changes.push({ key, value: null });
      } else {
        model.set(key, value);
        changes.push({ key, value });
      }
    }
    expect(d.createOutputTopic('changes', S, I).readKeyValuesToList()).toEqual(changes);
    const store = d.getKeyValueStore<string, number>('latest');
    for (const k of keys) expect(store.get(k)).toBe(model.get(k));
  });

  it('after a key change, goes through <application.id>-<name>-repartition', async () => {
    const b = new StreamsBuilder();
    b.stream<string, number>('in', { keySerde: S, valueSerde: I })
      .selectKey((_k, v) => String(v % 3))
      .toTable({ name: 'mod3', storeName: 'mod3-store', keySerde: S, valueSerde: I });
    const d = driverFor(b.build(), { 'application.id': 'tt' });
    const topic = d.createInputTopic('in', S, I);
    const model = new Map<string, number>();
    for (let v = 0; v < 20; v++) {
      await topic.pipeInput('x', v);
      model.set(String(v % 3), v);
    }
    expect(d.createOutputTopic('tt-mod3-repartition', S, I).getQueueSize()).toBe(20);
    const store = d.getKeyValueStore<string, number>('mod3-store');
    for (const [k, v] of model) expect(store.get(k)).toBe(v);
  });
});
