import { describe, expect, it } from 'vitest';
import { Serdes } from '../../serdes/serdes.js';
import { StreamsBuilder } from '../kstream/streams-builder.js';
import { InvalidStateStoreError } from '../errors.js';
import type { TopicLayout } from './internal-topic-manager.js';
import { partitionForKey } from './partitioner.js';
import { KeyQueryMetadata, StreamsMetadataState, parseHostInfo } from './streams-metadata-state.js';

function topology() {
  const b = new StreamsBuilder();
  b.stream('clicks', { keySerde: Serdes.String(), valueSerde: Serdes.String() }).groupByKey().count({ storeName: 'clicks-per-user' });
  b.stream('orders', { keySerde: Serdes.Int32(), valueSerde: Serdes.String() }).groupByKey().count({ storeName: 'orders-per-id' });
  b.globalTable('users', { keySerde: Serdes.String(), valueSerde: Serdes.String(), storeName: 'users' });
  return b.build();
}

const layout: TopicLayout = {
  partitionsPerSubtopology: new Map([
    [0, 4],
    [1, 2],
  ]),
  partitionCounts: new Map([
    ['clicks', 4],
    ['orders', 2],
    ['users', 3],
  ]),
  sourceTopicsPerSubtopology: new Map([
    [0, ['clicks']],
    [1, ['orders']],
  ]),
};

const hosts = {
  'a.example:7070': { active: ['0_0', '0_1', '1_0'], standby: ['0_2', '0_3'] },
  'b.example:7070': { active: ['0_2', '0_3', '1_1'], standby: ['0_0', '0_1'] },
  '': { active: [], standby: ['1_0'] },
};

describe('StreamsMetadataState', () => {
  const state = new StreamsMetadataState(topology(), 'app');

  it("names the instance running the key's task and those with its standbys", () => {
    for (const user of ['alice', 'bob', 'carol', 'dave', 'erin']) {
      const p = partitionForKey(Buffer.from(user), 4);
      const meta = state.keyQueryMetadata('clicks-per-user', user, undefined, layout, hosts, 'a.example:7070');
      const [active, standby] = p < 2 ? ['a.example', 'b.example'] : ['b.example', 'a.example'];
      expect(meta).toEqual({ activeHost: { host: active, port: 7070 }, standbyHosts: [{ host: standby, port: 7070 }], partition: p });
    }
  });

  it('serializes with the serializer given, or the store key serde, for the partition of its sub-topology', () => {
    const p = partitionForKey(Serdes.Int32().serialize('orders', 17) as Buffer, 2);
    expect(state.keyQueryMetadata('orders-per-id', 17, undefined, layout, hosts, '').partition).toBe(p);
    expect(state.keyQueryMetadata('orders-per-id', 17, Serdes.Int32(), layout, hosts, '').activeHost.host).toBe(p === 0 ? 'a.example' : 'b.example');
    // An instance without application.server is not named (the '' entry holds 1_0's standby).
    expect(state.keyQueryMetadata('orders-per-id', 17, undefined, layout, hosts, '').standbyHosts).toEqual([]);
  });

  it('answers NOT_AVAILABLE before an assignment, and this instance for a global store', () => {
    expect(state.keyQueryMetadata('clicks-per-user', 'alice', undefined, null, {}, 'a.example:7070')).toBe(KeyQueryMetadata.NOT_AVAILABLE);
    expect(state.keyQueryMetadata('clicks-per-user', 'alice', undefined, layout, {}, 'a.example:7070')).toBe(KeyQueryMetadata.NOT_AVAILABLE);
    expect(state.keyQueryMetadata('users', 'alice', undefined, layout, hosts, 'b.example:7070')).toEqual({
      activeHost: { host: 'b.example', port: 7070 },
      standbyHosts: [],
      partition: -1,
    });
    expect(() => state.keyQueryMetadata('nope', 'x', undefined, layout, hosts, '')).toThrow(InvalidStateStoreError);
  });

  it('lists every instance with its stores and partitions', () => {
    expect(state.allMetadata(layout, hosts)).toEqual([
      {
        hostInfo: { host: 'a.example', port: 7070 },
        stateStoreNames: ['clicks-per-user', 'orders-per-id', 'users'],
        topicPartitions: [
          { topic: 'clicks', partition: 0 },
          { topic: 'clicks', partition: 1 },
          { topic: 'orders', partition: 0 },
        ],
        standbyStateStoreNames: ['clicks-per-user'],
        standbyTopicPartitions: [
          { topic: 'clicks', partition: 2 },
          { topic: 'clicks', partition: 3 },
        ],
      },
      {
        hostInfo: { host: 'b.example', port: 7070 },
        stateStoreNames: ['clicks-per-user', 'orders-per-id', 'users'],
        topicPartitions: [
          { topic: 'clicks', partition: 2 },
          { topic: 'clicks', partition: 3 },
          { topic: 'orders', partition: 1 },
        ],
        standbyStateStoreNames: ['clicks-per-user'],
        standbyTopicPartitions: [
          { topic: 'clicks', partition: 0 },
          { topic: 'clicks', partition: 1 },
        ],
      },
    ]);
  });

  it('parses host:port', () => {
    expect(parseHostInfo('h:1')).toEqual({ host: 'h', port: 1 });
    expect(parseHostInfo('[::1]:8080')).toEqual({ host: '::1', port: 8080 });
    expect(parseHostInfo('')).toBeNull();
    expect(parseHostInfo('h:x')).toBeNull();
  });
});
