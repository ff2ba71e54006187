/**
 * docs/streams.md cannot go stale: its example programs run (against dist/, imported as 'skein',
 * as a user would), its printed output and describe() text match what the code prints, the drawing's
 * Mermaid source matches toMermaid(), every public DSL and test-driver method is in its reference, and
 * the claims it makes about internal topic names, RxJS segments and punctuation hold.
 *
 * Markers in the markdown (HTML comments, invisible when rendered) say which fenced block is what:
 * `<!-- example: name -->` before a ```js program, `<!-- stdout: name -->` before the ```text that
 * program prints, `<!-- describe: word-count -->` before the describe() text.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { bufferCount, first, map, mergeAll, take } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  BranchedKStream,
  KGroupedStream,
  KGroupedTable,
  KStream,
  KTable,
  Serdes,
  StreamsBuilder,
  Stores,
  TestInputTopic,
  TestOutputTopic,
  TopologyTestDriver,
} from '../../src/index.js';
import type { ProcessorContext, StreamRecord } from '../../src/index.js';

const ROOT = resolve(import.meta.dirname, '../..');
const STREAMS_MD = readFileSync(join(ROOT, 'docs/streams.md'), 'utf8');

/** The fenced block that follows each `<!-- kind: name -->` marker. */
function markedBlocks(markdown: string, kind: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = new RegExp(`<!-- ${kind}: ([\\w-]+) -->\\n\`\`\`\\w*\\n([\\s\\S]*?)\`\`\`\\n`, 'g');
  for (const m of markdown.matchAll(re)) out.set(m[1], m[2]);
  return out;
}

/** Runs a program as an ES module from the repository root, where 'skein' resolves to the package itself. */
function runModule(source: string, args: string[] = []): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--input-type=module', '-', ...args], { cwd: ROOT, input: source, encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const examples = markedBlocks(STREAMS_MD, 'example');

describe('docs/streams.md examples', () => {
  it('has the quick start and the other examples', () => {
    expect([...examples.keys()]).toEqual(
      expect.arrayContaining(['quick-start', 'branches', 'table-aggregation', 'async-enrichment', 'processor-api', 'caching']),
    );
  });

  for (const [name, source] of examples) {
    it(`runs ${name}`, () => {
      const r = runModule(source);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const expected = markedBlocks(STREAMS_MD, 'stdout').get(name);
      if (expected !== undefined) expect(r.stdout).toBe(expected);
    });
  }

  it("the quick start is the issue's contract program, and the drawn topology is its topology", () => {
    const contract = readFileSync(join(ROOT, 'examples/word-count/word-count.mjs'), 'utf8');
    const program = (s: string) => s.slice(s.indexOf('import '));
    expect(examples.get('quick-start')).toBe(program(contract));
    const script = readFileSync(join(ROOT, 'scripts/word-count-topology.mjs'), 'utf8');
    const topology = script.slice(script.indexOf('// topology:start\n') + 18, script.indexOf('// topology:end'));
    expect(examples.get('quick-start')).toContain(topology);
  });
});

describe('docs/streams.md describe() and drawing', () => {
  const script = readFileSync(join(ROOT, 'scripts/word-count-topology.mjs'), 'utf8');

  it('shows the describe() text the word count prints', () => {
    const r = runModule(script, ['--describe']);
    expect(r.status).toBe(0);
    expect(markedBlocks(STREAMS_MD, 'describe').get('word-count')).toBe(r.stdout);
  });

  it('draws the Mermaid that toMermaid() prints, rendered to the committed SVG', () => {
    const r = runModule(script);
    expect(r.status).toBe(0);
    expect(readFileSync(join(ROOT, 'docs/images/word-count-topology.mmd'), 'utf8')).toBe(r.stdout);
    expect(STREAMS_MD).toContain('(images/word-count-topology.svg)');
    expect(readFileSync(join(ROOT, 'docs/images/word-count-topology.svg'), 'utf8')).toMatch(/^<svg[\s\S]*word-counts-repartition-source[\s\S]*<\/svg>$/);
  });
});

describe('docs/streams.md reference', () => {
  // Public methods, as the type declarations list them: private and @internal members are not there.
  const classes: [string, string][] = [
    ['StreamsBuilder', 'streams/kstream/streams-builder.d.ts'],
    ['KStream', 'streams/kstream/kstream.d.ts'],
    ['KTable', 'streams/kstream/ktable.d.ts'],
    ['KGroupedStream', 'streams/kstream/kgrouped-stream.d.ts'],
    ['KGroupedTable', 'streams/kstream/kgrouped-table.d.ts'],
    ['BranchedKStream', 'streams/kstream/branched-kstream.d.ts'],
    ['Topology', 'streams/processor/topology.d.ts'],
    ['TopologyDescription', 'streams/processor/topology-description.d.ts'],
    ['TopologyTestDriver', 'streams/testing/topology-test-driver.d.ts'],
    ['TestInputTopic', 'streams/testing/test-input-topic.d.ts'],
    ['TestOutputTopic', 'streams/testing/test-output-topic.d.ts'],
  ];
  for (const [name, file] of classes) {
    it(`names every public method of ${name}`, () => {
      const dts = readFileSync(join(ROOT, 'dist', file), 'utf8');
      const body = dts.slice(dts.indexOf(`export declare class ${name}`));
      const classBody = body.slice(0, body.indexOf('\n}'));
      const methods = [...classBody.matchAll(/^ {4}(\w+)(?:<[^(]*>)?\(/gm)].map((m) => m[1]).filter((m) => m !== 'constructor');
      expect(methods.length).toBeGreaterThan(0);
      const missing = methods.filter((m) => !new RegExp(`\\b${m}(<[^(\`]*>)?\\(`).test(STREAMS_MD));
      expect(missing).toEqual([]);
    });
  }

  it('names the DSL classes the package exports', () => {
    for (const c of [StreamsBuilder, KStream, KTable, KGroupedStream, KGroupedTable, BranchedKStream, TopologyTestDriver, TestInputTopic, TestOutputTopic]) {
      expect(STREAMS_MD).toContain(c.name);
    }
  });
});

describe('links', () => {
  /** GitHub's heading anchors: the heading's text, lower case, without punctuation, spaces as hyphens. */
  function anchors(file: string): Set<string> {
    const md = readFileSync(join(ROOT, 'docs', file), 'utf8').replace(/```[\s\S]*?```/g, '');
    return new Set(
      [...md.matchAll(/^#+ (.+)$/gm)].map((m) =>
        m[1]
          .replace(/&lt;/g, '<')
          .replace(/&gt;/g, '>')
          .toLowerCase()
          .replace(/[^\p{L}\p{N}\s_-]/gu, '')
          .replace(/\s/g, '-'),
      ),
    );
  }

  for (const file of ['streams.md', 'streams-vs-kafka-streams.md']) {
    it(`${file} links only to headings that exist`, () => {
      const md = readFileSync(join(ROOT, 'docs', file), 'utf8');
      const broken: string[] = [];
      for (const m of md.matchAll(/\]\(([\w.-]*\.md)?#([^)]+)\)/g)) {
        if (!anchors(m[1] ?? file).has(m[2])) broken.push(m[0]);
      }
      expect(broken).toEqual([]);
    });
  }

  it('README links both documents', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain('](docs/streams.md)');
    expect(readme).toContain('](docs/streams-vs-kafka-streams.md)');
  });
});

describe('claims in docs/streams.md', () => {
  const S = Serdes.String();

  it('names internal topics as its table says', () => {
    const names = (build: (b: StreamsBuilder) => void) => {
      const b = new StreamsBuilder();
      build(b);
      const t = b.build();
      return { repartition: [...t.internalTopics.keys()], stores: [...t.stores.keys()] };
    };
    expect(
      names((b) =>
        b
          .stream('in', { keySerde: S, valueSerde: S })
          .groupBy((_k, v) => v)
          .count(),
      ),
    ).toEqual({
      repartition: ['KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition'],
      stores: ['KSTREAM-AGGREGATE-STATE-STORE-0000000002'],
    });
    expect(
      names((b) =>
        b
          .stream('in')
          .groupBy((_k, v) => v, { name: 'by-word' })
          .reduce((a) => a, { storeName: 's' }),
      ).repartition,
    ).toEqual(['by-word-repartition']);
    expect(
      names((b) =>
        b
          .stream('in')
          .selectKey((_k, v) => v)
          .groupByKey()
          .count({ storeName: 'c' }),
      ).repartition,
    ).toEqual(['c-repartition']);
    expect(
      names((b) =>
        b
          .stream('in')
          .selectKey((_k, v) => v)
          .toTable(),
      ).repartition,
    ).toEqual(['KSTREAM-TOTABLE-0000000002-repartition']);
    expect(names((b) => b.stream('in').repartition()).repartition).toEqual(['KSTREAM-REPARTITION-0000000001-repartition']);
    expect(names((b) => b.stream('in').repartition({ name: 'rp', numberOfPartitions: 3 })).repartition).toEqual(['rp-repartition']);
    expect(
      names((b) =>
        b
          .table('users')
          .groupBy((k, v) => [v, k])
          .count(),
      ),
    ).toEqual({
      repartition: ['KTABLE-AGGREGATE-STATE-STORE-0000000004-repartition'],
      stores: ['users-STATE-STORE-0000000000', 'KTABLE-AGGREGATE-STATE-STORE-0000000004'],
    });
    // A stream without a key change does not repartition before its aggregation.
    expect(
      names((b) =>
        b
          .stream('in')
          .mapValues((v) => v)
          .groupByKey()
          .count(),
      ).repartition,
    ).toEqual([]);
  });

  it('has no changelog for the store of builder.table(): its topic is the changelog', async () => {
    const b = new StreamsBuilder();
    b.table('users', { keySerde: S, valueSerde: S, storeName: 'users' });
    const driver = new TopologyTestDriver(b.build(), { 'application.id': 'app' });
    driver.createInputTopic('users', S, S).pipeInput('ann', 'Oslo');
    expect(driver.getKeyValueStore('users').get('ann')).toBe('Oslo');
    expect([...driver.producedTopicNames()]).toEqual([]);
    await driver.close();
  });

  async function piped(operators: Parameters<KStream<string, string>['pipe']>, values: string[]): Promise<unknown[]> {
    const b = new StreamsBuilder();
    b.stream('in', { keySerde: S, valueSerde: S })
      .pipe(...operators)
      .to('out', { keySerde: S, valueSerde: Serdes.Json() });
    const driver = new TopologyTestDriver(b.build());
    try {
      const input = driver.createInputTopic('in', S, S);
      for (const v of values) await input.pipeInput('k', v);
      await driver.settled();
      return driver.createOutputTopic('out', S, Serdes.Json()).readValuesToList();
    } finally {
      await driver.close();
    }
  }

  it('gives RxJS one record per segment in the test driver: a bufferCount(10) emits one-record buffers', async () => {
    const values = await piped(
      [bufferCount(10), map((rs: StreamRecord<string, string>[]) => ({ key: rs[0].key, value: rs.map((r) => r.value) }))],
      ['a', 'b', 'c'],
    );
    expect(values).toEqual([['a'], ['b'], ['c']]);
    expect(await piped([bufferCount(10), mergeAll()], ['a', 'b'])).toEqual(['a', 'b']);
  });

  it('refuses operators that end the stream, and values that are not records', async () => {
    await expect(piped([take(1)], ['a'])).rejects.toThrow(/completed before their input did; a stream never ends/);
    await expect(piped([first()], ['a'])).rejects.toThrow(/completed before their input did/);
    await expect(piped([bufferCount(2)], ['a'])).rejects.toThrow(/pipe\(\) must emit records \(\{ key, value, … \}\), got an array/);
  });

  it('runs one async call at a time in the test driver, whatever the concurrency', async () => {
    let inFlight = 0;
    let most = 0;
    const b = new StreamsBuilder();
    b.stream('in', { keySerde: S, valueSerde: S })
      .mapValuesAsync(
        async (v) => {
          most = Math.max(most, ++inFlight);
          await new Promise((r) => setTimeout(r, 2));
          inFlight--;
          return v.toUpperCase();
        },
        { concurrency: 8 },
      )
      .to('out', { valueSerde: S });
    const driver = new TopologyTestDriver(b.build());
    const input = driver.createInputTopic('in', S, S);
    for (const v of ['a', 'b', 'c', 'd']) void input.pipeInput('k', v);
    await driver.settled();
    expect(driver.createOutputTopic('out', S, S).readValuesToList()).toEqual(['A', 'B', 'C', 'D']);
    expect(most).toBe(1);
    await driver.close();
  });

  it('gives a punctuator the current time, as Kafka Streams does; the first stream-time call comes with the first record', async () => {
    const calls: [number, number][] = [];
    const b = new StreamsBuilder();
    b.stream('in', { keySerde: S, valueSerde: S }).process(() => {
      let context: ProcessorContext<never, never>;
      return {
        init(ctx) {
          context = ctx;
          ctx.schedule(1000, 'STREAM_TIME', (t) => {
            calls.push([t, context.currentStreamTimeMs()]);
          });
        },
        process() {},
      };
    });
    const driver = new TopologyTestDriver(b.build());
    const input = driver.createInputTopic('in', S, S);
    input.pipeInput('k', 'a', 500);
    input.pipeInput('k', 'b', 1200);
    input.pipeInput('k', 'c', 7000);
    // Due at 0 (fires with the first record), then 1000, 2000; behind at 7000, so it fires once and
    // is next due at 8000. Each call is given the stream time it ran at.
    expect(calls).toEqual([
      [500, 500],
      [1200, 1200],
      [7000, 7000],
    ]);
    input.pipeInput('k', 'd', 7999);
    input.pipeInput('k', 'e', 8000);
    expect(calls.slice(3)).toEqual([[8000, 8000]]);
    await driver.close();
  });

  it('turns caching off for one store with cachingEnabled: false, as for all with statestore.cache.max.bytes 0', async () => {
    const b = new StreamsBuilder();
    b.stream('lines', { keySerde: S, valueSerde: S })
      .flatMapValues((line) => line.split(' '))
      .groupByKey()
      .count({ storeName: 'n', cachingEnabled: false })
      .toStream()
      .to('out');
    const driver = new TopologyTestDriver(b.build());
    driver.createInputTopic('lines', S, S).pipeInput('ann', 'a b c');
    expect(driver.createOutputTopic('out', S, Serdes.Long()).readValuesToList()).toEqual([1, 2, 3]);
    await driver.close();
  });

  it('builds user stores with logging on and caching off by default, as Kafka Streams does', () => {
    const builder = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('s'), S, S);
    expect([builder.cachingEnabled, builder.loggingEnabled]).toEqual([false, true]);
  });

  it('fails a sink left without a serde when the driver builds the task', () => {
    const b = new StreamsBuilder();
    b.stream('in', { keySerde: S, valueSerde: S })
      .mapValues((v) => v.length)
      .to('out');
    expect(() => new TopologyTestDriver(b.build())).toThrow(
      'Invalid topology: no value serde for sink KSTREAM-SINK-0000000002 (topic out): pass { valueSerde } to the DSL call, or set default.value.serde',
    );
  });
});
