/**
 * `topology.describe()`: the text must be what Kafka Streams prints for the same program — node
 * names with the counter values Kafka Streams burns, sub-topologies cut at repartition topics, nodes
 * ordered by the size of the graph below them, then by name. The expected strings are written out
 * as Kafka Streams prints them (the first is its documentation's WordCount); they are not produced
 * by this code. Also the Mermaid drawing.
 */
import { describe, expect, it } from 'vitest';
import { Serdes, StreamsBuilder, Stores, type Topology } from '../../src/index.js';

const S = Serdes.String();

/** Kafka Streams' WordCount (its tutorial's "Writing a Streams Application"), in Skein's DSL. */
function wordCount(): Topology {
  const b = new StreamsBuilder();
  b.stream<string, string>('streams-plaintext-input', { keySerde: S, valueSerde: S })
    .flatMapValues((v) => v.toLowerCase().split(/\W+/))
    .groupBy((_k, v) => v, { keySerde: S, valueSerde: S })
    .count({ storeName: 'counts-store' })
    .toStream()
    .to('streams-wordcount-output', { keySerde: S, valueSerde: Serdes.Long() });
  return b.build();
}

describe('describe()', () => {
  it('prints Kafka Streams’ WordCount description, character for character', () => {
    expect(wordCount().describe().toString()).toBe(
      [
        'Topologies:',
        '   Sub-topology: 0',
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [streams-plaintext-input])',
        '      --> KSTREAM-FLATMAPVALUES-0000000001',
        '    Processor: KSTREAM-FLATMAPVALUES-0000000001 (stores: [])',
        '      --> KSTREAM-KEY-SELECT-0000000002',
        '      <-- KSTREAM-SOURCE-0000000000',
        '    Processor: KSTREAM-KEY-SELECT-0000000002 (stores: [])',
        '      --> counts-store-repartition-filter',
        '      <-- KSTREAM-FLATMAPVALUES-0000000001',
        '    Processor: counts-store-repartition-filter (stores: [])',
        '      --> counts-store-repartition-sink',
        '      <-- KSTREAM-KEY-SELECT-0000000002',
        '    Sink: counts-store-repartition-sink (topic: counts-store-repartition)',
        '      <-- counts-store-repartition-filter',
        '',
        '  Sub-topology: 1',
        '    Source: counts-store-repartition-source (topics: [counts-store-repartition])',
        '      --> KSTREAM-AGGREGATE-0000000003',
        '    Processor: KSTREAM-AGGREGATE-0000000003 (stores: [counts-store])',
        '      --> KTABLE-TOSTREAM-0000000007',
        '      <-- counts-store-repartition-source',
        '    Processor: KTABLE-TOSTREAM-0000000007 (stores: [])',
        '      --> KSTREAM-SINK-0000000008',
        '      <-- KSTREAM-AGGREGATE-0000000003',
        '    Sink: KSTREAM-SINK-0000000008 (topic: streams-wordcount-output)',
        '      <-- KTABLE-TOSTREAM-0000000007',
        '',
        '',
      ].join('\n'),
    );
  });

  it('an unnamed count gets a generated store name, and the repartition topic and nodes take it', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('text-lines', { keySerde: S, valueSerde: S })
      .flatMapValues((v) => v.split(' '))
      .groupBy((_k, v) => v, { keySerde: S, valueSerde: S })
      .count()
      .toStream()
      .to('out', { keySerde: S, valueSerde: Serdes.Long() });
    expect(b.build().describe().toString()).toBe(
      [
        'Topologies:',
        '   Sub-topology: 0',
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [text-lines])',
        '      --> KSTREAM-FLATMAPVALUES-0000000001',
        '    Processor: KSTREAM-FLATMAPVALUES-0000000001 (stores: [])',
        '      --> KSTREAM-KEY-SELECT-0000000002',
        '      <-- KSTREAM-SOURCE-0000000000',
        '    Processor: KSTREAM-KEY-SELECT-0000000002 (stores: [])',
        '      --> KSTREAM-FILTER-0000000006',
        '      <-- KSTREAM-FLATMAPVALUES-0000000001',
        '    Processor: KSTREAM-FILTER-0000000006 (stores: [])',
        '      --> KSTREAM-SINK-0000000005',
        '      <-- KSTREAM-KEY-SELECT-0000000002',
        '    Sink: KSTREAM-SINK-0000000005 (topic: KSTREAM-AGGREGATE-STATE-STORE-0000000003-repartition)',
        '      <-- KSTREAM-FILTER-0000000006',
        '',
        '  Sub-topology: 1',
        '    Source: KSTREAM-SOURCE-0000000007 (topics: [KSTREAM-AGGREGATE-STATE-STORE-0000000003-repartition])',
        '      --> KSTREAM-AGGREGATE-0000000004',
        '    Processor: KSTREAM-AGGREGATE-0000000004 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000003])',
        '      --> KTABLE-TOSTREAM-0000000008',
        '      <-- KSTREAM-SOURCE-0000000007',
        '    Processor: KTABLE-TOSTREAM-0000000008 (stores: [])',
        '      --> KSTREAM-SINK-0000000009',
        '      <-- KSTREAM-AGGREGATE-0000000004',
        '    Sink: KSTREAM-SINK-0000000009 (topic: out)',
        '      <-- KTABLE-TOSTREAM-0000000008',
        '',
        '',
      ].join('\n'),
    );
  });

  it('a split: each branch burns a counter value where Kafka Streams burns one, and a chain is built in place', () => {
    const b = new StreamsBuilder();
    const branches = b
      .stream<string, number>('orders', { keySerde: S, valueSerde: Serdes.Int32() })
      .split()
      .branch((_k, v) => v > 100)
      .branch((_k, v) => v < 0, { withChain: (s) => s.mapValues((v) => -v) })
      .defaultBranch();
    branches['KSTREAM-BRANCH-00000000011'].to('big');
    branches['KSTREAM-BRANCH-00000000012'].to('refunds', { valueSerde: Serdes.Int32() });
    branches['KSTREAM-BRANCH-00000000010'].to('normal');
    expect(b.build().describe().toString()).toBe(
      [
        'Topologies:',
        '   Sub-topology: 0',
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [orders])',
        '      --> KSTREAM-BRANCH-0000000001',
        '    Processor: KSTREAM-BRANCH-0000000001 (stores: [])',
        '      --> KSTREAM-BRANCH-00000000012, KSTREAM-BRANCH-00000000010, KSTREAM-BRANCH-00000000011',
        '      <-- KSTREAM-SOURCE-0000000000',
        '    Processor: KSTREAM-BRANCH-00000000012 (stores: [])',
        '      --> KSTREAM-MAPVALUES-0000000004',
        '      <-- KSTREAM-BRANCH-0000000001',
        '    Processor: KSTREAM-BRANCH-00000000010 (stores: [])',
        '      --> KSTREAM-SINK-0000000008',
        '      <-- KSTREAM-BRANCH-0000000001',
        '    Processor: KSTREAM-BRANCH-00000000011 (stores: [])',
        '      --> KSTREAM-SINK-0000000006',
        '      <-- KSTREAM-BRANCH-0000000001',
        '    Processor: KSTREAM-MAPVALUES-0000000004 (stores: [])',
        '      --> KSTREAM-SINK-0000000007',
        '      <-- KSTREAM-BRANCH-00000000012',
        '    Sink: KSTREAM-SINK-0000000006 (topic: big)',
        '      <-- KSTREAM-BRANCH-00000000011',
        '    Sink: KSTREAM-SINK-0000000007 (topic: refunds)',
        '      <-- KSTREAM-MAPVALUES-0000000004',
        '    Sink: KSTREAM-SINK-0000000008 (topic: normal)',
        '      <-- KSTREAM-BRANCH-00000000010',
        '',
        '',
      ].join('\n'),
    );
  });

  it('a named split names its branches after it; a node named by the user keeps its name and still burns a counter value, as in Kafka Streams', () => {
    const b = new StreamsBuilder();
    const branches = b
      .stream<string, number>('orders', { keySerde: S, valueSerde: Serdes.Int32() })
      .split({ name: 'route-' })
      .branch((_k, v) => v > 100, { name: 'big' })
      .noDefaultBranch();
    branches['route-big'].filter((_k, v) => v < 1000, { name: 'not-huge' }).to('big');
    expect(b.build().describe().toString()).toBe(
      [
        'Topologies:',
        '   Sub-topology: 0',
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [orders])',
        '      --> route-',
        '    Processor: route- (stores: [])',
        '      --> route-big',
        '      <-- KSTREAM-SOURCE-0000000000',
        '    Processor: route-big (stores: [])',
        '      --> not-huge',
        '      <-- route-',
        '    Processor: not-huge (stores: [])',
        '      --> KSTREAM-SINK-0000000004',
        '      <-- route-big',
        '    Sink: KSTREAM-SINK-0000000004 (topic: big)',
        '      <-- not-huge',
        '',
        '',
      ].join('\n'),
    );
  });

  it('two sources merged into one sub-topology: peek, filterNot, mapValues, merge and foreach, with their generated names', () => {
    const b = new StreamsBuilder();
    const a = b.stream<string, string>('a', { keySerde: S, valueSerde: S });
    const c = b.stream<string, string>('c', { keySerde: S, valueSerde: S });
    a.peek(() => undefined)
      .filterNot(() => false)
      .merge(c.mapValues((v) => v))
      .foreach(() => undefined);
    expect(b.build().describe().toString()).toBe(
      [
        'Topologies:',
        '   Sub-topology: 0',
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [a])',
        '      --> KSTREAM-PEEK-0000000002',
        '    Processor: KSTREAM-PEEK-0000000002 (stores: [])',
        '      --> KSTREAM-FILTER-0000000003',
        '      <-- KSTREAM-SOURCE-0000000000',
        '    Source: KSTREAM-SOURCE-0000000001 (topics: [c])',
        '      --> KSTREAM-MAPVALUES-0000000004',
        '    Processor: KSTREAM-FILTER-0000000003 (stores: [])',
        '      --> KSTREAM-MERGE-0000000005',
        '      <-- KSTREAM-PEEK-0000000002',
        '    Processor: KSTREAM-MAPVALUES-0000000004 (stores: [])',
        '      --> KSTREAM-MERGE-0000000005',
        '      <-- KSTREAM-SOURCE-0000000001',
        '    Processor: KSTREAM-MERGE-0000000005 (stores: [])',
        '      --> KSTREAM-FOREACH-0000000006',
        '      <-- KSTREAM-FILTER-0000000003, KSTREAM-MAPVALUES-0000000004',
        '    Processor: KSTREAM-FOREACH-0000000006 (stores: [])',
        '      --> none',
        '      <-- KSTREAM-MERGE-0000000005',
        '',
        '',
      ].join('\n'),
    );
  });

  it('a table regrouped and counted: the table’s store, the select, and the aggregation behind its repartition topic', () => {
    const b = new StreamsBuilder();
    b.table<string, string>('users', { keySerde: S, valueSerde: S })
      .groupBy((u, r) => [r, u] as const, { keySerde: S, valueSerde: S })
      .count()
      .toStream()
      .to('per-region', { keySerde: S, valueSerde: Serdes.Long() });
    expect(b.build().describe().toString()).toBe(
      [
        'Topologies:',
        '   Sub-topology: 0',
        '    Source: KSTREAM-SOURCE-0000000001 (topics: [users])',
        '      --> KTABLE-SOURCE-0000000002',
        '    Processor: KTABLE-SOURCE-0000000002 (stores: [users-STATE-STORE-0000000000])',
        '      --> KTABLE-SELECT-0000000003',
        '      <-- KSTREAM-SOURCE-0000000001',
        '    Processor: KTABLE-SELECT-0000000003 (stores: [])',
        '      --> KSTREAM-SINK-0000000005',
        '      <-- KTABLE-SOURCE-0000000002',
        '    Sink: KSTREAM-SINK-0000000005 (topic: KTABLE-AGGREGATE-STATE-STORE-0000000004-repartition)',
        '      <-- KTABLE-SELECT-0000000003',
        '',
        '  Sub-topology: 1',
        '    Source: KSTREAM-SOURCE-0000000006 (topics: [KTABLE-AGGREGATE-STATE-STORE-0000000004-repartition])',
        '      --> KTABLE-AGGREGATE-0000000007',
        '    Processor: KTABLE-AGGREGATE-0000000007 (stores: [KTABLE-AGGREGATE-STATE-STORE-0000000004])',
        '      --> KTABLE-TOSTREAM-0000000008',
        '      <-- KSTREAM-SOURCE-0000000006',
        '    Processor: KTABLE-TOSTREAM-0000000008 (stores: [])',
        '      --> KSTREAM-SINK-0000000009',
        '      <-- KTABLE-AGGREGATE-0000000007',
        '    Sink: KSTREAM-SINK-0000000009 (topic: per-region)',
        '      <-- KTABLE-TOSTREAM-0000000008',
        '',
        '',
      ].join('\n'),
    );
  });

  it('a table filtered into a store it names itself: the store’s name is generated before the node’s, as in Kafka Streams', () => {
    const b = new StreamsBuilder();
    b.table<string, string>('t', { keySerde: S, valueSerde: S })
      .filter(() => true, { storeType: 'in-memory' })
      .mapValues((v) => v.length, { storeName: 'lengths', valueSerde: Serdes.Int32() })
      .toStream()
      .to('out', { valueSerde: Serdes.Int32() });
    expect(b.build().describe().toString()).toBe(
      [
        'Topologies:',
        '   Sub-topology: 0',
        '    Source: KSTREAM-SOURCE-0000000001 (topics: [t])',
        '      --> KTABLE-SOURCE-0000000002',
        '    Processor: KTABLE-SOURCE-0000000002 (stores: [t-STATE-STORE-0000000000])',
        '      --> KTABLE-FILTER-0000000004',
        '      <-- KSTREAM-SOURCE-0000000001',
        '    Processor: KTABLE-FILTER-0000000004 (stores: [KTABLE-FILTER-STATE-STORE-0000000003])',
        '      --> KTABLE-MAPVALUES-0000000005',
        '      <-- KTABLE-SOURCE-0000000002',
        '    Processor: KTABLE-MAPVALUES-0000000005 (stores: [lengths])',
        '      --> KTABLE-TOSTREAM-0000000006',
        '      <-- KTABLE-FILTER-0000000004',
        '    Processor: KTABLE-TOSTREAM-0000000006 (stores: [])',
        '      --> KSTREAM-SINK-0000000007',
        '      <-- KTABLE-MAPVALUES-0000000005',
        '    Sink: KSTREAM-SINK-0000000007 (topic: out)',
        '      <-- KTABLE-TOSTREAM-0000000006',
        '',
        '',
      ].join('\n'),
    );
  });

  it('a processor with a store added by the user, and a sink whose topic is chosen per record', () => {
    const b = new StreamsBuilder();
    b.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('seen'), S, S));
    b.stream<string, string>('in', { keySerde: S, valueSerde: S })
      .process(() => ({ process: () => undefined }), { stores: ['seen'] })
      .to((k) => `out-${k}`, { keySerde: S, valueSerde: S });
    expect(b.build().describe().toString()).toBe(
      [
        'Topologies:',
        '   Sub-topology: 0',
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [in])',
        '      --> KSTREAM-PROCESSOR-0000000001',
        '    Processor: KSTREAM-PROCESSOR-0000000001 (stores: [seen])',
        '      --> KSTREAM-SINK-0000000002',
        '      <-- KSTREAM-SOURCE-0000000000',
        '    Sink: KSTREAM-SINK-0000000002 (extractor class: topic name extractor)',
        '      <-- KSTREAM-PROCESSOR-0000000001',
        '',
        '',
      ].join('\n'),
    );
  });

  it('gives the same structure as data: sub-topologies, nodes, their neighbours, topics and stores', () => {
    const d = wordCount().describe();
    expect(d.subtopologies.map((s) => s.nodes.map((n) => n.name))).toEqual([
      [
        'KSTREAM-SOURCE-0000000000',
        'KSTREAM-FLATMAPVALUES-0000000001',
        'KSTREAM-KEY-SELECT-0000000002',
        'counts-store-repartition-filter',
        'counts-store-repartition-sink',
      ],
      ['counts-store-repartition-source', 'KSTREAM-AGGREGATE-0000000003', 'KTABLE-TOSTREAM-0000000007', 'KSTREAM-SINK-0000000008'],
    ]);
    const agg = d.subtopologies[1].nodes[1];
    expect(agg).toEqual({
      name: 'KSTREAM-AGGREGATE-0000000003',
      kind: 'processor',
      predecessors: ['counts-store-repartition-source'],
      successors: ['KTABLE-TOSTREAM-0000000007'],
      topics: [],
      stores: ['counts-store'],
    });
    expect(d.subtopologies[0].nodes[4]).toMatchObject({ kind: 'sink', topics: ['counts-store-repartition'] });
  });

  it('is the same for the same program, run after run', () => {
    expect(wordCount().describe().toString()).toBe(wordCount().describe().toString());
  });
});

describe('toMermaid()', () => {
  it('draws a flowchart with every node, each sub-topology, every topic and store, and the edges between them', () => {
    const t = wordCount();
    const m = t.describe().toMermaid();
    const lines = m.split('\n');
    expect(lines[0]).toBe('flowchart TD');
    expect(m.match(/^ {2}subgraph /gm)).toHaveLength(2);
    expect(m).toContain('Sub-topology 0');
    expect(m).toContain('Sub-topology 1');
    const nodeNames = t.describe().subtopologies.flatMap((s) => s.nodes.map((n) => n.name));
    expect(nodeNames).toHaveLength(9);
    for (const name of nodeNames) expect(m, name).toContain(`"${name}"`);
    for (const topic of ['streams-plaintext-input', 'counts-store-repartition', 'streams-wordcount-output']) expect(m, topic).toContain(`(["${topic}"])`);
    expect(m).toContain('[("counts-store")]');
    // Edges: mermaid ids are the names with the characters it does not take replaced.
    const id = (kind: string, name: string): string => `${kind}_${name.replace(/[^a-zA-Z0-9_]/g, '_')}`;
    const edges = lines.filter((l) => l.includes('-->') || l.includes('---')).map((l) => l.trim());
    expect(edges).toEqual(
      expect.arrayContaining([
        `${id('t', 'streams-plaintext-input')} --> ${id('n', 'KSTREAM-SOURCE-0000000000')}`,
        `${id('n', 'KSTREAM-SOURCE-0000000000')} --> ${id('n', 'KSTREAM-FLATMAPVALUES-0000000001')}`,
        `${id('n', 'counts-store-repartition-sink')} --> ${id('t', 'counts-store-repartition')}`,
        `${id('t', 'counts-store-repartition')} --> ${id('n', 'counts-store-repartition-source')}`,
        `${id('n', 'KSTREAM-AGGREGATE-0000000003')} --- ${id('s', 'counts-store')}`,
        `${id('n', 'KSTREAM-SINK-0000000008')} --> ${id('t', 'streams-wordcount-output')}`,
      ]),
    );
    // 7 edges between nodes, 4 between nodes and topics, 1 to the store.
    expect(edges).toHaveLength(12);
  });
});
