/**
 * describe() of joins: node, store and repartition topic names as Kafka Streams gives them. Each
 * expected text is written from Kafka Streams' naming rules (KStreamImplJoin, KStreamImpl and
 * KTableImpl: which prefixes, which counter values each call burns, the `-store`, `-this-join`,
 * `-outer-other-join`, `-left-shared-join` suffixes, the repartition topic a key-changed stream is
 * written through) and its describe() layout (nodes by size of the graph below them, then by name; a
 * merge node lists the predecessor it was linked to first; stores in Java HashSet order), for the
 * same programs that Kafka Streams' own tests describe.
 */
import { describe, expect, it } from 'vitest';
import { JoinWindows, Serdes, StreamsBuilder } from '../../src/index.js';

const S = Serdes.String();
const joiner = (a: string | null, b: string | null): string => `${a}+${b}`;
const lines = (...l: string[]): string => `${l.join('\n')}\n`;

describe('describe() of stream-stream joins', () => {
  it("an inner join: two windowed nodes, JOINTHIS and JOINOTHER, each reading the other side's store, and a merge", () => {
    const b = new StreamsBuilder();
    const s1 = b.stream<string, string>('input-topic1', { keySerde: S, valueSerde: S });
    const s2 = b.stream<string, string>('input-topic2', { keySerde: S, valueSerde: S });
    s1.join(s2, joiner, JoinWindows.ofTimeDifferenceAndGrace(100, 86_400_000 - 100));
    expect(b.build().describe().toString()).toBe(
      lines(
        'Topologies:',
        '   Sub-topology: 0',
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic1])',
        '      --> KSTREAM-WINDOWED-0000000002',
        '    Source: KSTREAM-SOURCE-0000000001 (topics: [input-topic2])',
        '      --> KSTREAM-WINDOWED-0000000003',
        '    Processor: KSTREAM-WINDOWED-0000000002 (stores: [KSTREAM-JOINTHIS-0000000004-store])',
        '      --> KSTREAM-JOINTHIS-0000000004',
        '      <-- KSTREAM-SOURCE-0000000000',
        '    Processor: KSTREAM-WINDOWED-0000000003 (stores: [KSTREAM-JOINOTHER-0000000005-store])',
        '      --> KSTREAM-JOINOTHER-0000000005',
        '      <-- KSTREAM-SOURCE-0000000001',
        '    Processor: KSTREAM-JOINOTHER-0000000005 (stores: [KSTREAM-JOINTHIS-0000000004-store])',
        '      --> KSTREAM-MERGE-0000000006',
        '      <-- KSTREAM-WINDOWED-0000000003',
        '    Processor: KSTREAM-JOINTHIS-0000000004 (stores: [KSTREAM-JOINOTHER-0000000005-store])',
        '      --> KSTREAM-MERGE-0000000006',
        '      <-- KSTREAM-WINDOWED-0000000002',
        '    Processor: KSTREAM-MERGE-0000000006 (stores: [])',
        '      --> none',
        '      <-- KSTREAM-JOINTHIS-0000000004, KSTREAM-JOINOTHER-0000000005',
        '',
      ),
    );
  });

  it('a left join: the right side is OUTEROTHER, and both sides share the OUTERSHARED store', () => {
    const b = new StreamsBuilder();
    const s1 = b.stream<string, string>('input-topic1', { keySerde: S, valueSerde: S });
    const s2 = b.stream<string, string>('input-topic2', { keySerde: S, valueSerde: S });
    s1.leftJoin(s2, joiner, JoinWindows.ofTimeDifferenceWithNoGrace(100));
    expect(b.build().describe().toString()).toBe(
      lines(
        'Topologies:',
        '   Sub-topology: 0',
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic1])',
        '      --> KSTREAM-WINDOWED-0000000002',
        '    Source: KSTREAM-SOURCE-0000000001 (topics: [input-topic2])',
        '      --> KSTREAM-WINDOWED-0000000003',
        '    Processor: KSTREAM-WINDOWED-0000000002 (stores: [KSTREAM-JOINTHIS-0000000004-store])',
        '      --> KSTREAM-JOINTHIS-0000000004',
        '      <-- KSTREAM-SOURCE-0000000000',
        '    Processor: KSTREAM-WINDOWED-0000000003 (stores: [KSTREAM-OUTEROTHER-0000000005-store])',
        '      --> KSTREAM-OUTEROTHER-0000000005',
        '      <-- KSTREAM-SOURCE-0000000001',
        '    Processor: KSTREAM-JOINTHIS-0000000004 (stores: [KSTREAM-OUTEROTHER-0000000005-store, KSTREAM-OUTERSHARED-0000000004-store])',
        '      --> KSTREAM-MERGE-0000000006',
        '      <-- KSTREAM-WINDOWED-0000000002',
        '    Processor: KSTREAM-OUTEROTHER-0000000005 (stores: [KSTREAM-JOINTHIS-0000000004-store, KSTREAM-OUTERSHARED-0000000004-store])',
        '      --> KSTREAM-MERGE-0000000006',
        '      <-- KSTREAM-WINDOWED-0000000003',
        '    Processor: KSTREAM-MERGE-0000000006 (stores: [])',
        '      --> none',
        '      <-- KSTREAM-JOINTHIS-0000000004, KSTREAM-OUTEROTHER-0000000005',
        '',
      ),
    );
  });

  it('a left join with a store name: <name>-this-join-store, <name>-outer-other-join-store, <name>-left-shared-join-store', () => {
    const b = new StreamsBuilder();
    const s1 = b.stream<string, string>('input-topic1', { keySerde: S, valueSerde: S });
    const s2 = b.stream<string, string>('input-topic2', { keySerde: S, valueSerde: S });
    s1.leftJoin(s2, joiner, JoinWindows.ofTimeDifferenceWithNoGrace(100), { storeName: 'custom-name' });
    expect(b.build().describe().toString()).toBe(
      lines(
        'Topologies:',
        '   Sub-topology: 0',
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic1])',
        '      --> KSTREAM-WINDOWED-0000000002',
        '    Source: KSTREAM-SOURCE-0000000001 (topics: [input-topic2])',
        '      --> KSTREAM-WINDOWED-0000000003',
        '    Processor: KSTREAM-WINDOWED-0000000002 (stores: [custom-name-this-join-store])',
        '      --> KSTREAM-JOINTHIS-0000000004',
        '      <-- KSTREAM-SOURCE-0000000000',
        '    Processor: KSTREAM-WINDOWED-0000000003 (stores: [custom-name-outer-other-join-store])',
        '      --> KSTREAM-OUTEROTHER-0000000005',
        '      <-- KSTREAM-SOURCE-0000000001',
        '    Processor: KSTREAM-JOINTHIS-0000000004 (stores: [custom-name-outer-other-join-store, custom-name-left-shared-join-store])',
        '      --> KSTREAM-MERGE-0000000006',
        '      <-- KSTREAM-WINDOWED-0000000002',
        '    Processor: KSTREAM-OUTEROTHER-0000000005 (stores: [custom-name-this-join-store, custom-name-left-shared-join-store])',
        '      --> KSTREAM-MERGE-0000000006',
        '      <-- KSTREAM-WINDOWED-0000000003',
        '    Processor: KSTREAM-MERGE-0000000006 (stores: [])',
        '      --> none',
        '      <-- KSTREAM-JOINTHIS-0000000004, KSTREAM-OUTEROTHER-0000000005',
        '',
      ),
    );
  });

  it('an outer join named by the user: <name>-this-windowed, <name>-outer-this-join, …, and OUTERTHIS / OUTEROTHER / OUTERSHARED stores', () => {
    const b = new StreamsBuilder();
    const s1 = b.stream<string, string>('input-topic1', { keySerde: S, valueSerde: S });
    const s2 = b.stream<string, string>('input-topic2', { keySerde: S, valueSerde: S });
    s1.outerJoin(s2, joiner, JoinWindows.ofTimeDifferenceWithNoGrace(100), { name: 'op' }).to('out', { valueSerde: S });
    const t = b.build();
    expect([...t.stores.keys()]).toEqual(['KSTREAM-OUTERTHIS-0000000004-store', 'KSTREAM-OUTEROTHER-0000000005-store', 'KSTREAM-OUTERSHARED-0000000004-store']);
    expect([...t.nodes.keys()]).toEqual([
      'KSTREAM-SOURCE-0000000000',
      'KSTREAM-SOURCE-0000000001',
      'op-this-windowed',
      'op-other-windowed',
      'op-outer-this-join',
      'op-outer-other-join',
      'op-merge',
      'KSTREAM-SINK-0000000007',
    ]);
  });

  it('a key-changed stream joined twice without names goes through one repartition topic, named after the node that changed the key', () => {
    const b = new StreamsBuilder();
    const s1 = b.stream<string, string>('topic', { keySerde: S, valueSerde: S });
    const s2 = b.stream<string, string>('topic2', { keySerde: S, valueSerde: S });
    const s3 = b.stream<string, string>('topic3', { keySerde: S, valueSerde: S });
    const rekeyed = s1.map((k, v) => [v, k] as const);
    rekeyed.join(s2, joiner, JoinWindows.ofTimeDifferenceWithNoGrace(100)).to('out-one', { valueSerde: S });
    rekeyed.join(s3, joiner, JoinWindows.ofTimeDifferenceWithNoGrace(100)).to('out-to', { valueSerde: S });
    expect(b.build().describe().toString()).toBe(
      lines(
        'Topologies:',
        '   Sub-topology: 0',
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [topic])',
        '      --> KSTREAM-MAP-0000000003',
        '    Processor: KSTREAM-MAP-0000000003 (stores: [])',
        '      --> KSTREAM-FILTER-0000000005',
        '      <-- KSTREAM-SOURCE-0000000000',
        '    Processor: KSTREAM-FILTER-0000000005 (stores: [])',
        '      --> KSTREAM-SINK-0000000004',
        '      <-- KSTREAM-MAP-0000000003',
        '    Sink: KSTREAM-SINK-0000000004 (topic: KSTREAM-MAP-0000000003-repartition)',
        '      <-- KSTREAM-FILTER-0000000005',
        '',
        '  Sub-topology: 1',
        '    Source: KSTREAM-SOURCE-0000000006 (topics: [KSTREAM-MAP-0000000003-repartition])',
        '      --> KSTREAM-WINDOWED-0000000007, KSTREAM-WINDOWED-0000000016',
        '    Source: KSTREAM-SOURCE-0000000001 (topics: [topic2])',
        '      --> KSTREAM-WINDOWED-0000000008',
        '    Source: KSTREAM-SOURCE-0000000002 (topics: [topic3])',
        '      --> KSTREAM-WINDOWED-0000000017',
        '    Processor: KSTREAM-WINDOWED-0000000007 (stores: [KSTREAM-JOINTHIS-0000000009-store])',
        '      --> KSTREAM-JOINTHIS-0000000009',
        '      <-- KSTREAM-SOURCE-0000000006',
        '    Processor: KSTREAM-WINDOWED-0000000008 (stores: [KSTREAM-JOINOTHER-0000000010-store])',
        '      --> KSTREAM-JOINOTHER-0000000010',
        '      <-- KSTREAM-SOURCE-0000000001',
        '    Processor: KSTREAM-WINDOWED-0000000016 (stores: [KSTREAM-JOINTHIS-0000000018-store])',
        '      --> KSTREAM-JOINTHIS-0000000018',
        '      <-- KSTREAM-SOURCE-0000000006',
        '    Processor: KSTREAM-WINDOWED-0000000017 (stores: [KSTREAM-JOINOTHER-0000000019-store])',
        '      --> KSTREAM-JOINOTHER-0000000019',
        '      <-- KSTREAM-SOURCE-0000000002',
        '    Processor: KSTREAM-JOINOTHER-0000000010 (stores: [KSTREAM-JOINTHIS-0000000009-store])',
        '      --> KSTREAM-MERGE-0000000011',
        '      <-- KSTREAM-WINDOWED-0000000008',
        '    Processor: KSTREAM-JOINOTHER-0000000019 (stores: [KSTREAM-JOINTHIS-0000000018-store])',
        '      --> KSTREAM-MERGE-0000000020',
        '      <-- KSTREAM-WINDOWED-0000000017',
        '    Processor: KSTREAM-JOINTHIS-0000000009 (stores: [KSTREAM-JOINOTHER-0000000010-store])',
        '      --> KSTREAM-MERGE-0000000011',
        '      <-- KSTREAM-WINDOWED-0000000007',
        '    Processor: KSTREAM-JOINTHIS-0000000018 (stores: [KSTREAM-JOINOTHER-0000000019-store])',
        '      --> KSTREAM-MERGE-0000000020',
        '      <-- KSTREAM-WINDOWED-0000000016',
        '    Processor: KSTREAM-MERGE-0000000011 (stores: [])',
        '      --> KSTREAM-SINK-0000000012',
        '      <-- KSTREAM-JOINTHIS-0000000009, KSTREAM-JOINOTHER-0000000010',
        '    Processor: KSTREAM-MERGE-0000000020 (stores: [])',
        '      --> KSTREAM-SINK-0000000021',
        '      <-- KSTREAM-JOINTHIS-0000000018, KSTREAM-JOINOTHER-0000000019',
        '    Sink: KSTREAM-SINK-0000000012 (topic: out-one)',
        '      <-- KSTREAM-MERGE-0000000011',
        '    Sink: KSTREAM-SINK-0000000021 (topic: out-to)',
        '      <-- KSTREAM-MERGE-0000000020',
        '',
      ),
    );
  });

  it('joins named by the user each get a repartition topic <name>-left-repartition, and the counter values are burnt as if unnamed', () => {
    const b = new StreamsBuilder();
    const s1 = b.stream<string, string>('topic', { keySerde: S, valueSerde: S });
    const s2 = b.stream<string, string>('topic2', { keySerde: S, valueSerde: S });
    const s3 = b.stream<string, string>('topic3', { keySerde: S, valueSerde: S });
    const rekeyed = s1.map((k, v) => [v, k] as const);
    const opts = { keySerde: S, valueSerde: S, otherValueSerde: S };
    rekeyed.join(s2, joiner, JoinWindows.ofTimeDifferenceWithNoGrace(100), { ...opts, name: 'first-join' }).to('out-one', { valueSerde: S });
    rekeyed.join(s3, joiner, JoinWindows.ofTimeDifferenceWithNoGrace(100), { ...opts, name: 'second-join' }).to('out-two', { valueSerde: S });
    const t = b.build();
    expect([...t.internalTopics.keys()]).toEqual(['first-join-left-repartition', 'second-join-left-repartition']);
    expect(t.describe().toString()).toBe(
      lines(
        'Topologies:',
        '   Sub-topology: 0',
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [topic])',
        '      --> KSTREAM-MAP-0000000003',
        '    Processor: KSTREAM-MAP-0000000003 (stores: [])',
        '      --> second-join-left-repartition-filter, first-join-left-repartition-filter',
        '      <-- KSTREAM-SOURCE-0000000000',
        '    Processor: first-join-left-repartition-filter (stores: [])',
        '      --> first-join-left-repartition-sink',
        '      <-- KSTREAM-MAP-0000000003',
        '    Processor: second-join-left-repartition-filter (stores: [])',
        '      --> second-join-left-repartition-sink',
        '      <-- KSTREAM-MAP-0000000003',
        '    Sink: first-join-left-repartition-sink (topic: first-join-left-repartition)',
        '      <-- first-join-left-repartition-filter',
        '    Sink: second-join-left-repartition-sink (topic: second-join-left-repartition)',
        '      <-- second-join-left-repartition-filter',
        '',
        '  Sub-topology: 1',
        '    Source: KSTREAM-SOURCE-0000000001 (topics: [topic2])',
        '      --> first-join-other-windowed',
        '    Source: first-join-left-repartition-source (topics: [first-join-left-repartition])',
        '      --> first-join-this-windowed',
        '    Processor: first-join-other-windowed (stores: [KSTREAM-JOINOTHER-0000000010-store])',
        '      --> first-join-other-join',
        '      <-- KSTREAM-SOURCE-0000000001',
        '    Processor: first-join-this-windowed (stores: [KSTREAM-JOINTHIS-0000000009-store])',
        '      --> first-join-this-join',
        '      <-- first-join-left-repartition-source',
        '    Processor: first-join-other-join (stores: [KSTREAM-JOINTHIS-0000000009-store])',
        '      --> first-join-merge',
        '      <-- first-join-other-windowed',
        '    Processor: first-join-this-join (stores: [KSTREAM-JOINOTHER-0000000010-store])',
        '      --> first-join-merge',
        '      <-- first-join-this-windowed',
        '    Processor: first-join-merge (stores: [])',
        '      --> KSTREAM-SINK-0000000012',
        '      <-- first-join-this-join, first-join-other-join',
        '    Sink: KSTREAM-SINK-0000000012 (topic: out-one)',
        '      <-- first-join-merge',
        '',
        '  Sub-topology: 2',
        '    Source: KSTREAM-SOURCE-0000000002 (topics: [topic3])',
        '      --> second-join-other-windowed',
        '    Source: second-join-left-repartition-source (topics: [second-join-left-repartition])',
        '      --> second-join-this-windowed',
        '    Processor: second-join-other-windowed (stores: [KSTREAM-JOINOTHER-0000000019-store])',
        '      --> second-join-other-join',
        '      <-- KSTREAM-SOURCE-0000000002',
        '    Processor: second-join-this-windowed (stores: [KSTREAM-JOINTHIS-0000000018-store])',
        '      --> second-join-this-join',
        '      <-- second-join-left-repartition-source',
        '    Processor: second-join-other-join (stores: [KSTREAM-JOINTHIS-0000000018-store])',
        '      --> second-join-merge',
        '      <-- second-join-other-windowed',
        '    Processor: second-join-this-join (stores: [KSTREAM-JOINOTHER-0000000019-store])',
        '      --> second-join-merge',
        '      <-- second-join-this-windowed',
        '    Processor: second-join-merge (stores: [])',
        '      --> KSTREAM-SINK-0000000021',
        '      <-- second-join-this-join, second-join-other-join',
        '    Sink: KSTREAM-SINK-0000000021 (topic: out-two)',
        '      <-- second-join-merge',
        '',
      ),
    );
  });
});

describe('describe() of stream-table and table-table joins', () => {
  it("a key-changed stream joined with two tables: one repartition topic, KSTREAM-JOIN nodes reading the tables' stores", () => {
    const b = new StreamsBuilder();
    const a = b.stream<string, string>('topic', { keySerde: S, valueSerde: S });
    const tb = b.table<string, string>('topic2', { keySerde: S, valueSerde: S });
    const tc = b.table<string, string>('topic3', { keySerde: S, valueSerde: S });
    const rekeyed = a.map((k, v) => [v, k] as const);
    rekeyed.join(tb, joiner).to('out-one', { valueSerde: S });
    rekeyed.join(tc, joiner).to('out-two', { valueSerde: S });
    const t = b.build();
    expect(t.copartitionGroups).toEqual([
      ['KSTREAM-MAP-0000000007-repartition', 'topic2'],
      ['KSTREAM-MAP-0000000007-repartition', 'topic3'],
    ]);
    expect(t.describe().toString()).toBe(
      lines(
        'Topologies:',
        '   Sub-topology: 0',
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [topic])',
        '      --> KSTREAM-MAP-0000000007',
        '    Processor: KSTREAM-MAP-0000000007 (stores: [])',
        '      --> KSTREAM-FILTER-0000000009',
        '      <-- KSTREAM-SOURCE-0000000000',
        '    Processor: KSTREAM-FILTER-0000000009 (stores: [])',
        '      --> KSTREAM-SINK-0000000008',
        '      <-- KSTREAM-MAP-0000000007',
        '    Sink: KSTREAM-SINK-0000000008 (topic: KSTREAM-MAP-0000000007-repartition)',
        '      <-- KSTREAM-FILTER-0000000009',
        '',
        '  Sub-topology: 1',
        '    Source: KSTREAM-SOURCE-0000000010 (topics: [KSTREAM-MAP-0000000007-repartition])',
        '      --> KSTREAM-JOIN-0000000011, KSTREAM-JOIN-0000000016',
        '    Processor: KSTREAM-JOIN-0000000011 (stores: [topic2-STATE-STORE-0000000001])',
        '      --> KSTREAM-SINK-0000000012',
        '      <-- KSTREAM-SOURCE-0000000010',
        '    Processor: KSTREAM-JOIN-0000000016 (stores: [topic3-STATE-STORE-0000000004])',
        '      --> KSTREAM-SINK-0000000017',
        '      <-- KSTREAM-SOURCE-0000000010',
        '    Source: KSTREAM-SOURCE-0000000002 (topics: [topic2])',
        '      --> KTABLE-SOURCE-0000000003',
        '    Source: KSTREAM-SOURCE-0000000005 (topics: [topic3])',
        '      --> KTABLE-SOURCE-0000000006',
        '    Sink: KSTREAM-SINK-0000000012 (topic: out-one)',
        '      <-- KSTREAM-JOIN-0000000011',
        '    Sink: KSTREAM-SINK-0000000017 (topic: out-two)',
        '      <-- KSTREAM-JOIN-0000000016',
        '    Processor: KTABLE-SOURCE-0000000003 (stores: [topic2-STATE-STORE-0000000001])',
        '      --> none',
        '      <-- KSTREAM-SOURCE-0000000002',
        '    Processor: KTABLE-SOURCE-0000000006 (stores: [topic3-STATE-STORE-0000000004])',
        '      --> none',
        '      <-- KSTREAM-SOURCE-0000000005',
        '',
      ),
    );
  });

  it('named stream-table joins: <name>-repartition topics and nodes named <name>', () => {
    const b = new StreamsBuilder();
    const a = b.stream<string, string>('topic', { keySerde: S, valueSerde: S });
    const tb = b.table<string, string>('topic2', { keySerde: S, valueSerde: S });
    const tc = b.table<string, string>('topic3', { keySerde: S, valueSerde: S });
    const rekeyed = a.map((k, v) => [v, k] as const);
    rekeyed.join(tb, joiner, { keySerde: S, valueSerde: S, name: 'first-join' }).to('out-one', { valueSerde: S });
    rekeyed.leftJoin(tc, joiner, { keySerde: S, valueSerde: S, name: 'second-join' }).to('out-two', { valueSerde: S });
    const t = b.build();
    expect([...t.internalTopics.keys()]).toEqual(['first-join-repartition', 'second-join-repartition']);
    const text = t.describe().toString();
    expect(text).toContain(
      lines(
        '    Processor: KSTREAM-MAP-0000000007 (stores: [])',
        '      --> first-join-repartition-filter, second-join-repartition-filter',
        '      <-- KSTREAM-SOURCE-0000000000',
      ),
    );
    expect(text).toContain(
      lines(
        '    Processor: first-join (stores: [topic2-STATE-STORE-0000000001])',
        '      --> KSTREAM-SINK-0000000012',
        '      <-- first-join-repartition-source',
      ),
    );
    expect(text).toContain(
      lines(
        '    Processor: second-join (stores: [topic3-STATE-STORE-0000000004])',
        '      --> KSTREAM-SINK-0000000017',
        '      <-- second-join-repartition-source',
      ),
    );
  });

  it('a global-table join is KSTREAM-LEFTJOIN- whether inner or left, reads no store of its sub-topology and adds no co-partitioning', () => {
    const b = new StreamsBuilder();
    const s = b.stream<string, string>('orders', { keySerde: S, valueSerde: S });
    const g = b.globalTable<string, string>('products', { keySerde: S, valueSerde: S });
    s.join(g, (_k, v) => v, joiner).to('inner', { valueSerde: S });
    s.leftJoin(g, (_k, v) => v, joiner).to('left', { valueSerde: S });
    const t = b.build();
    expect(t.copartitionGroups).toEqual([]);
    expect([...t.nodes.keys()].filter((n) => n.includes('JOIN'))).toEqual(['KSTREAM-LEFTJOIN-0000000004', 'KSTREAM-LEFTJOIN-0000000006']);
    expect(t.describe().toString()).toContain(
      lines('    Processor: KSTREAM-LEFTJOIN-0000000004 (stores: [])', '      --> KSTREAM-SINK-0000000005', '      <-- KSTREAM-SOURCE-0000000000'),
    );
  });

  it("a table-table join of two streams turned into tables: KTABLE-MERGE, then KTABLE-JOINTHIS and KTABLE-JOINOTHER reading the other table's store", () => {
    const b = new StreamsBuilder();
    const t1 = b.stream<string, string>('left', { keySerde: S, valueSerde: S }).toTable();
    const t2 = b.stream<string, string>('right', { keySerde: S, valueSerde: S }).toTable();
    t1.join(t2, joiner).toStream().to('output', { valueSerde: S });
    const t = b.build();
    expect(t.copartitionGroups).toEqual([['left', 'right']]);
    expect(t.describe().toString()).toBe(
      lines(
        'Topologies:',
        '   Sub-topology: 0',
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [left])',
        '      --> KSTREAM-TOTABLE-0000000001',
        '    Source: KSTREAM-SOURCE-0000000003 (topics: [right])',
        '      --> KSTREAM-TOTABLE-0000000004',
        '    Processor: KSTREAM-TOTABLE-0000000001 (stores: [KSTREAM-TOTABLE-STATE-STORE-0000000002])',
        '      --> KTABLE-JOINTHIS-0000000007',
        '      <-- KSTREAM-SOURCE-0000000000',
        '    Processor: KSTREAM-TOTABLE-0000000004 (stores: [KSTREAM-TOTABLE-STATE-STORE-0000000005])',
        '      --> KTABLE-JOINOTHER-0000000008',
        '      <-- KSTREAM-SOURCE-0000000003',
        '    Processor: KTABLE-JOINOTHER-0000000008 (stores: [KSTREAM-TOTABLE-STATE-STORE-0000000002])',
        '      --> KTABLE-MERGE-0000000006',
        '      <-- KSTREAM-TOTABLE-0000000004',
        '    Processor: KTABLE-JOINTHIS-0000000007 (stores: [KSTREAM-TOTABLE-STATE-STORE-0000000005])',
        '      --> KTABLE-MERGE-0000000006',
        '      <-- KSTREAM-TOTABLE-0000000001',
        '    Processor: KTABLE-MERGE-0000000006 (stores: [])',
        '      --> KTABLE-TOSTREAM-0000000009',
        '      <-- KTABLE-JOINTHIS-0000000007, KTABLE-JOINOTHER-0000000008',
        '    Processor: KTABLE-TOSTREAM-0000000009 (stores: [])',
        '      --> KSTREAM-SINK-0000000010',
        '      <-- KTABLE-MERGE-0000000006',
        '    Sink: KSTREAM-SINK-0000000010 (topic: output)',
        '      <-- KTABLE-TOSTREAM-0000000009',
        '',
      ),
    );
  });

  it('a materialized, named table-table join: the store is named (or generated KTABLE-MERGE-STATE-STORE-) before the nodes', () => {
    const b = new StreamsBuilder();
    const t1 = b.table<string, string>('a', { keySerde: S, valueSerde: S });
    const t2 = b.table<string, string>('b', { keySerde: S, valueSerde: S });
    t1.leftJoin(t2, joiner, { storeType: 'in-memory', valueSerde: S });
    t1.outerJoin(t2, joiner, { name: 'both', storeName: 'both-store', valueSerde: S });
    const t = b.build();
    expect([...t.stores.keys()]).toEqual(['a-STATE-STORE-0000000000', 'b-STATE-STORE-0000000003', 'KTABLE-MERGE-STATE-STORE-0000000006', 'both-store']);
    expect([...t.nodes.keys()].slice(4)).toEqual([
      'KTABLE-JOINTHIS-0000000008',
      'KTABLE-JOINOTHER-0000000009',
      'KTABLE-MERGE-0000000007',
      'both-join-this',
      'both-join-other',
      'both',
    ]);
    expect((t.nodes.get('both') as { stores: Set<string> }).stores).toEqual(new Set(['both-store']));
  });

  it('a foreign-key join: subscription and response topics, the KTABLE-FK-JOIN- nodes and the subscription store', () => {
    const b = new StreamsBuilder();
    const leftTable = b.stream<string, string>('input1', { keySerde: S, valueSerde: S }).toTable();
    const rightTable = b.stream<string, string>('input2', { keySerde: S, valueSerde: S }).toTable();
    leftTable
      .join(
        rightTable,
        (v) => v.split('|')[1],
        (v1, v2) => `(${v1},${v2})`,
        { valueSerde: S },
      )
      .toStream()
      .to('output', { valueSerde: S });
    // Kafka Streams leaves the result unmaterialized here (KTABLE-FK-JOIN-OUTPUT-0000000018 (stores: []));
    // Skein always keeps it in the store Kafka Streams would name for it.
    expect(b.build().describe().toString()).toBe(
      lines(
        'Topologies:',
        '   Sub-topology: 0',
        '    Source: KTABLE-SOURCE-0000000016 (topics: [KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-0000000014-topic])',
        '      --> KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-RESOLVER-PROCESSOR-0000000017',
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [input1])',
        '      --> KSTREAM-TOTABLE-0000000001',
        '    Processor: KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-RESOLVER-PROCESSOR-0000000017 (stores: [KSTREAM-TOTABLE-STATE-STORE-0000000002])',
        '      --> KTABLE-FK-JOIN-OUTPUT-0000000018',
        '      <-- KTABLE-SOURCE-0000000016',
        '    Processor: KSTREAM-TOTABLE-0000000001 (stores: [KSTREAM-TOTABLE-STATE-STORE-0000000002])',
        '      --> KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000007',
        '      <-- KSTREAM-SOURCE-0000000000',
        '    Processor: KTABLE-FK-JOIN-OUTPUT-0000000018 (stores: [KTABLE-FK-JOIN-OUTPUT-STATE-STORE-0000000019])',
        '      --> KTABLE-TOSTREAM-0000000020',
        '      <-- KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-RESOLVER-PROCESSOR-0000000017',
        '    Processor: KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000007 (stores: [])',
        '      --> KTABLE-SINK-0000000008',
        '      <-- KSTREAM-TOTABLE-0000000001',
        '    Processor: KTABLE-TOSTREAM-0000000020 (stores: [])',
        '      --> KSTREAM-SINK-0000000021',
        '      <-- KTABLE-FK-JOIN-OUTPUT-0000000018',
        '    Sink: KSTREAM-SINK-0000000021 (topic: output)',
        '      <-- KTABLE-TOSTREAM-0000000020',
        '    Sink: KTABLE-SINK-0000000008 (topic: KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000006-topic)',
        '      <-- KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000007',
        '',
        '  Sub-topology: 1',
        '    Source: KSTREAM-SOURCE-0000000003 (topics: [input2])',
        '      --> KSTREAM-TOTABLE-0000000004',
        '    Source: KTABLE-SOURCE-0000000009 (topics: [KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000006-topic])',
        '      --> KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000011',
        '    Processor: KSTREAM-TOTABLE-0000000004 (stores: [KSTREAM-TOTABLE-STATE-STORE-0000000005])',
        '      --> KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000013',
        '      <-- KSTREAM-SOURCE-0000000003',
        '    Processor: KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000011 (stores: [KTABLE-FK-JOIN-SUBSCRIPTION-STATE-STORE-0000000010])',
        '      --> KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000012',
        '      <-- KTABLE-SOURCE-0000000009',
        '    Processor: KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000012 (stores: [KSTREAM-TOTABLE-STATE-STORE-0000000005])',
        '      --> KTABLE-SINK-0000000015',
        '      <-- KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000011',
        '    Processor: KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000013 (stores: [KTABLE-FK-JOIN-SUBSCRIPTION-STATE-STORE-0000000010])',
        '      --> KTABLE-SINK-0000000015',
        '      <-- KSTREAM-TOTABLE-0000000004',
        '    Sink: KTABLE-SINK-0000000015 (topic: KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-0000000014-topic)',
        '      <-- KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000012, KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000013',
        '',
      ),
    );
  });
});
