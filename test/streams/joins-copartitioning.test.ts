/**
 * Co-partitioning of joins, as the runtime checks it when it starts (InternalTopicManager, against
 * an admin client that stands in for the broker): the topics a join reads together must have the
 * same partition count; a repartition topic in front of a join takes the count of the topics it is
 * joined with (Kafka Streams' CopartitionedTopicsEnforcer), or — when both sides are repartitioned —
 * the larger of the two. The expected counts are worked out by hand from the topic layout.
 */
import type { Admin } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/common/logger.js';
import { JoinWindows, Serdes, StreamsBuilder, type Topology } from '../../src/index.js';
import { InternalTopicManager } from '../../src/streams/runtime/internal-topic-manager.js';

const S = Serdes.String();
const joiner = (a: string | null, b: string | null): string => `${a}+${b}`;

/** An admin client over a map of topic → partition count. */
function fakeAdmin(topics: Record<string, number>): { admin: Admin; created: Map<string, number> } {
  const all = new Map(Object.entries(topics));
  const created = new Map<string, number>();
  const admin = {
    listTopics: async () => [...all.keys()],
    fetchTopicMetadata: async ({ topics: names }: { topics: string[] }) => ({
      topics: names.map((name) => ({ name, partitions: Array.from({ length: all.get(name) as number }, (_, partitionId) => ({ partitionId })) })),
    }),
    createTopics: async ({ topics: specs }: { topics: { topic: string; numPartitions: number }[] }) => {
      for (const s of specs) {
        all.set(s.topic, s.numPartitions);
        created.set(s.topic, s.numPartitions);
      }
      return true;
    },
  };
  return { admin: admin as unknown as Admin, created };
}

function setup(topology: Topology, topics: Record<string, number>) {
  const { admin, created } = fakeAdmin(topics);
  return { created, run: () => new InternalTopicManager(admin, 'app', 1, silentLogger).setup(topology) };
}

describe('co-partitioning of joins at start', () => {
  it('refuses a stream-table join whose topics differ in partition count, naming both', async () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('orders', { keySerde: S, valueSerde: S })
      .join(b.table<string, string>('customers', { keySerde: S, valueSerde: S }), joiner)
      .to('enriched', { valueSerde: S });
    const { run } = setup(b.build(), { orders: 3, customers: 2, enriched: 1 });
    await expect(run()).rejects.toThrow(
      'Topics customers (2 partitions), orders (3 partitions) are joined, so they must have the same number of partitions (co-partitioning)',
    );
  });

  it('refuses stream-stream and table-table joins likewise, and accepts equal counts', async () => {
    const streams = (): Topology => {
      const b = new StreamsBuilder();
      b.stream<string, string>('clicks', { keySerde: S, valueSerde: S })
        .join(b.stream<string, string>('views', { keySerde: S, valueSerde: S }), joiner, JoinWindows.ofTimeDifferenceWithNoGrace(1000))
        .to('out', { valueSerde: S });
      return b.build();
    };
    const tables = (): Topology => {
      const b = new StreamsBuilder();
      b.table<string, string>('a', { keySerde: S, valueSerde: S })
        .outerJoin(b.table<string, string>('b', { keySerde: S, valueSerde: S }), joiner)
        .toStream()
        .to('out', { valueSerde: S });
      return b.build();
    };
    await expect(setup(streams(), { clicks: 4, views: 2, out: 1 }).run()).rejects.toThrow(/clicks \(4 partitions\), views \(2 partitions\) are joined/);
    await expect(setup(tables(), { a: 1, b: 2, out: 1 }).run()).rejects.toThrow(/a \(1 partitions\), b \(2 partitions\) are joined/);
    const ok = await setup(streams(), { clicks: 4, views: 4, out: 1 }).run();
    expect(ok.partitionsPerSubtopology.get(0)).toBe(4);
  });

  it('gives the repartition topic in front of a join the partition count of the table, not of the stream that writes it', async () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('orders', { keySerde: S, valueSerde: S })
      .selectKey((_k, v) => v)
      .join(b.table<string, string>('customers', { keySerde: S, valueSerde: S }), joiner)
      .to('enriched', { valueSerde: S });
    const { run, created } = setup(b.build(), { orders: 6, customers: 2, enriched: 1 });
    const layout = await run();
    expect(created.get('app-KSTREAM-KEY-SELECT-0000000001-repartition')).toBe(2);
    expect([...layout.partitionsPerSubtopology]).toEqual([
      [0, 6],
      [1, 2],
    ]);
  });

  it('gives both repartition topics of a stream-stream join between two key-changed streams the larger count', async () => {
    const b = new StreamsBuilder();
    const left = b.stream<string, string>('left', { keySerde: S, valueSerde: S }).selectKey((_k, v) => v);
    const right = b.stream<string, string>('right', { keySerde: S, valueSerde: S }).selectKey((_k, v) => v);
    left
      .leftJoin(right, joiner, JoinWindows.ofTimeDifferenceWithNoGrace(10), { name: 'j', keySerde: S, valueSerde: S, otherValueSerde: S })
      .to('out', { valueSerde: S });
    const { run, created } = setup(b.build(), { left: 2, right: 5, out: 1 });
    await run();
    expect(created.get('app-j-left-repartition')).toBe(5);
    expect(created.get('app-j-right-repartition')).toBe(5);
  });

  it('leaves a repartition topic with a fixed partition count to the check', async () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('orders', { keySerde: S, valueSerde: S })
      .selectKey((_k, v) => v)
      .repartition({ numberOfPartitions: 3, name: 'by-customer' })
      .join(b.table<string, string>('customers', { keySerde: S, valueSerde: S }), joiner)
      .to('enriched', { valueSerde: S });
    await expect(setup(b.build(), { orders: 1, customers: 2, enriched: 1 }).run()).rejects.toThrow(
      /by-customer-repartition \(3 partitions\), customers \(2 partitions\) are joined/,
    );
  });
});
