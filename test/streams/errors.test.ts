/**
 * What goes wrong, and what the user is told: a record that cannot be deserialized (failing by
 * default, skipped with `logAndContinue`, sent with its original bytes to a dead-letter topic), an
 * exception in user code, a serde that is missing, and names that cannot be topic or store names.
 */
import { describe, expect, it } from 'vitest';
import {
  type DeserializationExceptionHandler,
  type Logger,
  ProcessingError,
  Serdes,
  StreamsBuilder,
  StreamsConfigError,
  StreamsError,
  StreamsErrorCode,
  Stores,
  TopologyError,
  TopologyTestDriver,
} from '../../src/index.js';
import { errorOf, openDrivers } from './helpers.js';

const driverFor = openDrivers();
const S = Serdes.String();
const I = Serdes.Int32();

/** A logger that keeps its lines. */
function keepingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const make = (c: string): Logger => ({
    debug: (m) => void lines.push(`DEBUG ${m} (${c})`),
    info: (m) => void lines.push(`INFO ${m} (${c})`),
    warn: (m) => void lines.push(`WARN ${m} (${c})`),
    error: (m) => void lines.push(`ERROR ${m} (${c})`),
    child: (cc) => make(cc),
  });
  return Object.assign(make('test'), { lines });
}

/** in (String key, Int32 value) → doubled → out. Pipe with a String value serde to make bad records. */
function doubler(): ReturnType<StreamsBuilder['build']> {
  const b = new StreamsBuilder();
  b.stream<string, number>('in', { keySerde: S, valueSerde: I })
    .mapValues((v) => v * 2)
    .to('out', { valueSerde: I });
  return b.build();
}

describe('deserialization errors', () => {
  it('fail by default, naming the topic, partition, offset, the key or value, and the serde', async () => {
    const logger = keepingLogger();
    const d = driverFor(doubler(), { logger });
    const good = d.createInputTopic('in', S, I);
    const bad = d.createInputTopic('in', S, S);
    await good.pipeInput('a', 1);
    await good.pipeInput('b', 2);
    const e = (await errorOf(() => bad.pipeInput('c', 'xyz'))) as ProcessingError;
    expect(e).toBeInstanceOf(ProcessingError);
    expect(e.code).toBe(StreamsErrorCode.PROCESSING);
    expect(e.message).toMatch(
      /^Failed to deserialize the value of the record at in-0@2 with serde Int32: .*Size of data received by Int32Deserializer is not 4/,
    );
    expect(e.where).toMatchObject({ topic: 'in', partition: 0, offset: 2 });
    expect(logger.lines.some((l) => l.startsWith('ERROR Failed to deserialize the value of the record at in-0@2') && l.includes('logAndFail'))).toBe(true);
    expect(d.createOutputTopic('out', S, I).readValuesToList()).toEqual([2, 4]);
  });

  it('a bad key is named as the key', async () => {
    const b = new StreamsBuilder();
    b.stream('in', { keySerde: I, valueSerde: S }).to('out');
    const d = driverFor(b.build(), { logger: keepingLogger() });
    const e = await errorOf(() => d.createInputTopic('in', S, S).pipeInput('too long for an int', 'v'));
    expect(String(e)).toMatch(/Failed to deserialize the key of the record at in-0@0 with serde Int32/);
  });

  it('are skipped with logAndContinue, which logs them; processing goes on', async () => {
    const logger = keepingLogger();
    const d = driverFor(doubler(), { 'default.deserialization.exception.handler': 'logAndContinue', logger });
    const good = d.createInputTopic('in', S, I);
    const bad = d.createInputTopic('in', S, S);
    await good.pipeInput('a', 1);
    await bad.pipeInput('b', 'not an int');
    await good.pipeInput('c', 3);
    await bad.pipeInput('d', '');
    await good.pipeInput('e', 5);
    expect(d.createOutputTopic('out', S, I).readKeyValuesToList()).toEqual([
      { key: 'a', value: 2 },
      { key: 'c', value: 6 },
      { key: 'e', value: 10 },
    ]);
    const warnings = logger.lines.filter((l) => l.startsWith('WARN'));
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/in-0@1 with serde Int32.*skipping the record/);
    expect(warnings[1]).toMatch(/in-0@3 with serde Int32.*skipping the record/);
  });

  it('go to the dead-letter topic with their original bytes and the error in headers', async () => {
    const d = driverFor(doubler(), {
      'default.deserialization.exception.handler': 'logAndContinue',
      'errors.deadletterqueue.topic.name': 'dead-letters',
      logger: keepingLogger(),
    });
    const good = d.createInputTopic('in', S, I);
    const bad = d.createInputTopic('in', S, Serdes.ByteArray());
    await good.pipeInput('a', 1);
    const original = Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00]);
    await bad.pipeInput('b', original, 1234, { trace: 'abc' });
    await good.pipeInput('c', 3);
    expect(d.createOutputTopic('out', S, I).readValuesToList()).toEqual([2, 6]);
    const dlq = d.createOutputTopic('dead-letters', Serdes.ByteArray(), Serdes.ByteArray()).readRecordsToList();
    expect(dlq).toHaveLength(1);
    const [r] = dlq;
    expect(r.key).toEqual(Buffer.from('b'));
    expect(r.value).toEqual(original);
    expect(r.timestamp).toBe(1234);
    expect(r.headers).toMatchObject({
      trace: 'abc',
      '__streams.errors.topic': 'in',
      '__streams.errors.partition': '0',
      '__streams.errors.offset': '1',
    });
    expect(String(r.headers['__streams.errors.exception'])).toMatch(/Error/);
    expect(String(r.headers['__streams.errors.message'])).toMatch(/Failed to deserialize the value of the record at in-0@1 with serde Int32/);
    expect(String(r.headers['__streams.errors.stacktrace']).length).toBeGreaterThan(0);
  });

  it('a handler function decides, and may write its own dead-letter records', async () => {
    const seen: string[] = [];
    const handler: DeserializationExceptionHandler = (error, raw) => {
      seen.push(`${raw.topic}@${raw.offset}: ${error.where.offset}`);
      return raw.offset === 1
        ? {
            response: 'CONTINUE',
            deadLetterQueueRecords: [
              { topic: 'mine', partition: undefined, key: raw.key, value: Buffer.from('rejected'), timestamp: raw.timestamp, headers: {} },
            ],
          }
        : 'FAIL';
    };
    const d = driverFor(doubler(), { 'default.deserialization.exception.handler': handler, logger: keepingLogger() });
    const bad = d.createInputTopic('in', S, S);
    await d.createInputTopic('in', S, I).pipeInput('a', 1);
    await bad.pipeInput('b', 'bad');
    expect(d.createOutputTopic('mine', S, S).readKeyValuesToList()).toEqual([{ key: 'b', value: 'rejected' }]);
    expect(String(await errorOf(() => bad.pipeInput('c', 'bad again')))).toMatch(/in-0@2/);
    expect(seen).toEqual(['in@1: 1', 'in@2: 2']);
  });

  it('an unknown handler setting is refused when the driver starts', () => {
    expect(() => new TopologyTestDriver(doubler(), { 'default.deserialization.exception.handler': 'logAndIgnore' })).toThrow(StreamsConfigError);
  });
});

describe('errors in user code', () => {
  it('are ProcessingErrors naming the node, the task and the record’s origin, with the original as the cause', async () => {
    const b = new StreamsBuilder();
    b.stream<string, number>('in', { keySerde: S, valueSerde: I })
      .selectKey((_k, v) => `k${v % 2}`)
      .repartition({ name: 'by-parity', keySerde: S, valueSerde: I })
      .mapValues(
        (v) => {
          if (v === 7) throw new TypeError('seven is unlucky');
          return v;
        },
        { name: 'superstitious' },
      )
      .to('out', { valueSerde: I });
    const d = driverFor(b.build(), { 'application.id': 'errs' });
    const input = d.createInputTopic('in', S, I);
    for (const v of [1, 2, 3]) await input.pipeInput('x', v);
    const e = (await errorOf(() => input.pipeInput('x', 7))) as ProcessingError;
    expect(e).toBeInstanceOf(ProcessingError);
    expect(e).toBeInstanceOf(StreamsError);
    expect(e.name).toBe('ProcessingError');
    // The record came to the failing node through the repartition topic, its 4th record.
    expect(e.message).toBe('Exception in superstitious of task 1_0 processing the record at errs-by-parity-repartition-0@3: seven is unlucky');
    expect(e.where).toEqual({ taskId: '1_0', node: 'superstitious', topic: 'errs-by-parity-repartition', partition: 0, offset: 3 });
    expect(e.cause).toBeInstanceOf(TypeError);
  });

  it('an error in a predicate, a key selector or an aggregator is reported the same way', async () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in', { keySerde: S, valueSerde: S })
      .filter((_k, v) => JSON.parse(v).ok)
      .groupByKey()
      .aggregate(
        () => 0,
        (_k, v) => {
          throw new Error(`cannot add ${v}`);
        },
        { name: 'adder', valueSerde: I },
      );
    const d = driverFor(b.build());
    const input = d.createInputTopic('in', S, S);
    expect(String(await errorOf(() => input.pipeInput('k', '{')))).toMatch(
      /^ProcessingError: Exception in KSTREAM-FILTER-0000000001 of task 0_0 processing the record at in-0@0: .*JSON/,
    );
    expect(String(await errorOf(() => input.pipeInput('k', '{"ok":true}')))).toBe(
      'ProcessingError: Exception in adder of task 0_0 processing the record at in-0@1: cannot add {"ok":true}',
    );
  });

  it('a value the sink’s serde cannot write names the sink, the topic, the serde and the input record', async () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in', { keySerde: S, valueSerde: S })
      .mapValues((v) => (v === 'big' ? 2 ** 40 : v.length))
      .to('out', { valueSerde: I });
    const d = driverFor(b.build());
    const input = d.createInputTopic('in', S, S);
    await input.pipeInput('k', 'ok');
    expect(String(await errorOf(() => input.pipeInput('k', 'big')))).toMatch(
      /^ProcessingError: Failed to serialize the value of a record for topic out in KSTREAM-SINK-0000000002 with serde Int32 \(input in-0@1\): .*Int32Serializer takes an integer/,
    );
  });

  it('a negative timestamp, from the record or from a timestamp extractor, is refused', async () => {
    const b = new StreamsBuilder();
    b.stream('in', { keySerde: S, valueSerde: S }).to('out');
    b.stream<string, string>('stamped', { keySerde: S, valueSerde: S, timestampExtractor: (r) => Number(r.value) }).to('out2');
    const d = driverFor(b.build());
    expect(String(await errorOf(() => d.createInputTopic('in', S, S).pipeInput('k', 'v', -5)))).toMatch(/in-0@0 has the invalid timestamp -5/);
    const stamped = d.createInputTopic('stamped', S, S);
    await stamped.pipeInput('k', '42', 0);
    expect(d.createOutputTopic('out2', S, S).readRecord().timestamp).toBe(42);
    expect(String(await errorOf(() => stamped.pipeInput('k', '-1', 0)))).toMatch(
      /The timestamp extractor of KSTREAM-SOURCE-0000000002 returned -1 for the record at stamped-0@1/,
    );
  });
});

describe('missing serdes', () => {
  it('a source or sink without serdes (and no defaults) is a TopologyError when the driver starts, naming it', () => {
    const b = new StreamsBuilder();
    b.stream('in').to('out');
    const e = errorOrNull(() => new TopologyTestDriver(b.build()));
    expect(e).toBeInstanceOf(TopologyError);
    expect((e as TopologyError).code).toBe(StreamsErrorCode.TOPOLOGY);
    expect(String(e)).toMatch(/no key serde for source KSTREAM-SOURCE-0000000000 \(topics in\): pass \{ keySerde \} to the DSL call, or set default.key.serde/);
  });

  it('a key serde lost by a key change is named: the store needs one, and so does its repartition topic', () => {
    const b = new StreamsBuilder();
    const s = b.stream<string, string>('in', { keySerde: S, valueSerde: S }).selectKey((_k, v) => v.length);
    s.groupByKey().count({ storeName: 'by-length' });
    expect(errorOrNull(() => new TopologyTestDriver(b.build()))).toEqual(
      new TopologyError('store by-length has no key serde: pass { keySerde } in its options, or set default.key.serde'),
    );
    const b2 = new StreamsBuilder();
    b2.stream<string, string>('in', { keySerde: S, valueSerde: S })
      .selectKey((_k, v) => v.length)
      .repartition({ name: 'by-length' })
      .to('out', { keySerde: I });
    expect(errorOrNull(() => new TopologyTestDriver(b2.build()))).toEqual(
      new TopologyError(
        'no key serde for sink by-length-repartition-sink (topic by-length-repartition): pass { keySerde } to the DSL call, or set default.key.serde',
      ),
    );
  });

  it('a store whose value serde the DSL could not know is a TopologyError when the driver starts, naming the store', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in', { keySerde: S, valueSerde: S })
      .mapValues((v) => v.length)
      .groupByKey()
      .reduce((a, v) => a + v, { storeName: 'lengths' });
    const e = errorOrNull(() => new TopologyTestDriver(b.build()));
    expect(e).toBeInstanceOf(TopologyError);
    expect(String(e)).toMatch(/store lengths has no value serde: pass \{ valueSerde \} in its options, or set default.value.serde/);
  });

  it('a KTable.groupBy with no value serde and no default names its repartition topic', () => {
    const b = new StreamsBuilder();
    b.table<string, string>('users', { keySerde: S, valueSerde: S })
      .groupBy((u, r) => [r, u] as const, { keySerde: S })
      .count({ storeName: 'per-region' });
    expect(errorOrNull(() => new TopologyTestDriver(b.build()))).toEqual(
      new TopologyError(
        'repartition topic per-region-repartition (KTable.groupBy) has no value serde: pass { valueSerde } in its options, or set default.value.serde',
      ),
    );
  });

  it('default serdes fill in what the DSL calls left out', async () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in')
      .mapValues((v) => v.toUpperCase())
      .groupByKey()
      .reduce((a, v) => `${a}${v}`, { storeName: 'joined' })
      .toStream()
      .to('out');
    const d = driverFor(b.build(), { 'default.key.serde': S, 'default.value.serde': S });
    const input = d.createInputTopic('in', S, S);
    await input.pipeInput('k', 'a');
    await input.pipeInput('k', 'b');
    expect(d.createOutputTopic('out', S, S).readValuesToList()).toEqual(['A', 'AB']);
    expect(d.getKeyValueStore('joined').get('k')).toBe('AB');
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

describe('illegal names', () => {
  const illegalTopics = ['', '.', '..', 'has space', 'slash/ed', 'colon:', 'ü', 'x'.repeat(250)];

  it.each(illegalTopics.map((t) => [JSON.stringify(t).slice(0, 20), t]))(
    'topic %s is refused by stream(), table(), to() and the Topology API',
    (_label, topic) => {
      const b = new StreamsBuilder();
      expect(() => b.stream(topic)).toThrow(TopologyError);
      expect(() => b.table(topic)).toThrow(TopologyError);
      const s = b.stream('fine');
      expect(() => s.to(topic)).toThrow(/is not a legal topic name/);
    },
  );

  it('a topic name extractor must return a legal topic name; one that throws is reported as the sink’s', async () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in', { keySerde: S, valueSerde: S }).to(
      (_k, v) => {
        if (v === 'throw') throw new Error('no topic for you');
        return v === 'null' ? (null as unknown as string) : v;
      },
      { name: 'router' },
    );
    const d = driverFor(b.build());
    const input = d.createInputTopic('in', S, S);
    await input.pipeInput('k', 'fine.topic');
    expect(d.createOutputTopic('fine.topic', S, S).readValuesToList()).toEqual(['fine.topic']);
    expect(String(await errorOf(() => input.pipeInput('k', 'bad topic')))).toBe(
      'ProcessingError: The topic name extractor of router returned "bad topic" for the record at in-0@1, which is not a legal topic name',
    );
    expect(String(await errorOf(() => input.pipeInput('k', 'null')))).toMatch(/router returned null for the record at in-0@2/);
    expect(String(await errorOf(() => input.pipeInput('k', 'throw')))).toBe(
      'ProcessingError: Exception in router of task 0_0 choosing the topic of the record at in-0@3: no topic for you',
    );
  });

  it('the longest legal topic name and every legal character are accepted', () => {
    const b = new StreamsBuilder();
    b.stream('x'.repeat(249)).to('azAZ09._-');
  });

  it.each([['has space'], ['slash/ed'], ['star*'], ['x'.repeat(210)]])('store name %s is refused', (name) => {
    expect(() => Stores.persistentKeyValueStore(name)).toThrow(/store name ".*" is illegal/);
    expect(() => Stores.inMemoryKeyValueStore(name)).toThrow(TopologyError);
    const s = new StreamsBuilder().stream('in');
    expect(() => s.groupByKey().count({ storeName: name })).toThrow(/is illegal/);
    expect(() => s.toTable({ storeName: name })).toThrow(/is illegal/);
  });

  it('node names must be legal and unique; so must store names', () => {
    const b = new StreamsBuilder();
    const s = b.stream('in', { name: 'source' });
    expect(() => s.filter(() => true, { name: 'bad name' })).toThrow(/"bad name" is not a legal name/);
    expect(() => s.mapValues((v) => v, { name: '' })).toThrow(/is not a legal name/);
    s.filter(() => true, { name: 'f' });
    expect(() => s.filter(() => true, { name: 'f' })).toThrow(/a node named f was already added/);
    expect(() => b.stream('other', { name: 'source' })).toThrow(/a node named source was already added/);
    s.groupByKey().count({ storeName: 'c' });
    expect(() => s.groupByKey().count({ storeName: 'c' })).toThrow(/a store named c was already added/);
  });

  it('a builder is built once', () => {
    const b = new StreamsBuilder();
    b.stream('in').to('out');
    b.build();
    expect(() => b.stream('again')).toThrow(/already built/);
  });
});

describe('the test driver', () => {
  it('refuses an unknown input topic, reading an empty topic, null keys in a map, and use after close', async () => {
    const b = new StreamsBuilder();
    b.stream('in', { keySerde: S, valueSerde: S }).to('out');
    const d = new TopologyTestDriver(b.build());
    expect(() => d.createInputTopic('nope', S, S).pipeInput('k', 'v')).toThrow(/Unknown topic nope: the topology reads in/);
    const out = d.createOutputTopic('out', S, S);
    expect(() => out.readRecord()).toThrow(/Empty topic: out/);
    await d.createInputTopic('in', S, S).pipeInput(null, 'v');
    expect(() => out.readKeyValuesToMap()).toThrow(/has a null key; use readKeyValuesToList/);
    await d.close();
    expect(() => d.createInputTopic('in', S, S).pipeInput('k', 'v')).toThrow(/The TopologyTestDriver is closed/);
    await d.close(); // closing twice is harmless
  });
});
