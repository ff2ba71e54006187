/**
 * The TopologyTestDriver's own API, as Kafka Streams' test API has it: input topics with their
 * clock (start time, auto-advance, advanceTime) and list helpers, output topics and their readers,
 * the topics a topology wrote, the stores, and closing.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Serdes, StreamsBuilder, TopologyTestDriver, keyValue } from '../../src/index.js';
import { openDrivers } from './helpers.js';

const driverFor = openDrivers();
const S = Serdes.String();
const I = Serdes.Int32();

function passThrough(): ReturnType<StreamsBuilder['build']> {
  const b = new StreamsBuilder();
  b.stream('in', { keySerde: S, valueSerde: I }).to('out');
  return b.build();
}

describe('TestInputTopic', () => {
  it('stamps records without a timestamp with the topic’s time: the start, advanced per record and by advanceTime', async () => {
    const d = driverFor(passThrough());
    const input = d.createInputTopic('in', S, I, { startTimestampMs: 1_000, autoAdvanceMs: 10 });
    await input.pipeInput('a', 1); // 1000
    await input.pipeInput('b', 2); // 1010
    await input.pipeInput('c', 3, 5); // its own timestamp; the clock does not move
    input.advanceTime(100);
    await input.pipeValue(4); // 1120, null key
    await input.pipeKeyValueList([keyValue('d', 5), keyValue('e', 6)]); // 1130, 1140
    await input.pipeValueList([7, 8]); // 1150, 1160
    await input.pipeRecordList([
      { key: 'f', value: 9, timestamp: 42, headers: { h: 'x' } },
      { key: 'g', value: null, timestamp: 43, headers: {} },
    ]);
    const out = d.createOutputTopic('out', S, I).readRecordsToList();
    expect(out.map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['a', 1, 1000],
      ['b', 2, 1010],
      ['c', 3, 5],
      [null, 4, 1120],
      ['d', 5, 1130],
      ['e', 6, 1140],
      [null, 7, 1150],
      [null, 8, 1160],
      ['f', 9, 42],
      ['g', null, 43],
    ]);
    expect(out[8].headers).toEqual({ h: 'x' });
    expect(() => input.advanceTime(-1)).toThrow(/non-negative/);
    expect(() => d.createInputTopic('in', S, I, { autoAdvanceMs: -1 })).toThrow(/must not be negative/);
  });

  it('without a start time, the topic’s clock starts at the driver’s wall clock', async () => {
    const d = driverFor(passThrough(), {}, 777);
    await d.createInputTopic('in', S, I).pipeInput('k', 1);
    expect(d.createOutputTopic('out', S, I).readRecord().timestamp).toBe(777);
  });
});

describe('TestOutputTopic', () => {
  it('reads each record once, in order, however it is read; every output topic of one name shares the position', async () => {
    const d = driverFor(passThrough());
    const input = d.createInputTopic('in', S, I);
    for (let i = 0; i < 6; i++) await input.pipeInput(`k${i % 2}`, i);
    const out = d.createOutputTopic('out', S, I);
    const other = d.createOutputTopic('out', S, I);
    expect(out.getQueueSize()).toBe(6);
    expect(out.readValue()).toBe(0);
    expect(other.readKeyValue()).toEqual({ key: 'k1', value: 1 });
    expect(out.readRecord()).toMatchObject({ key: 'k0', value: 2 });
    expect(out.getQueueSize()).toBe(3);
    expect(out.readKeyValuesToMap()).toEqual(
      new Map([
        ['k1', 5],
        ['k0', 4],
      ]),
    );
    expect(out.isEmpty()).toBe(true);
    expect(out.readValuesToList()).toEqual([]);
    await input.pipeInput('k0', 9);
    expect(out.readKeyValuesToList()).toEqual([{ key: 'k0', value: 9 }]);
  });

  it('readKeyValuesToMap treats a null value as a deletion, as a table would', async () => {
    const d = driverFor(passThrough());
    const input = d.createInputTopic('in', S, I);
    await input.pipeKeyValueList([keyValue('a', 1), keyValue('b', 2), keyValue('a', null), keyValue('c', 3)]);
    expect(d.createOutputTopic('out', S, I).readKeyValuesToMap()).toEqual(
      new Map([
        ['b', 2],
        ['c', 3],
      ]),
    );
  });
});

describe('TopologyTestDriver', () => {
  it('lists the topics the topology wrote, internal ones with the application id', async () => {
    const b = new StreamsBuilder();
    b.stream<string, number>('in', { keySerde: S, valueSerde: I })
      .groupBy((_k, v) => String(v % 2), { keySerde: S })
      .count({ storeName: 'parity' })
      .toStream()
      .to('counts', { valueSerde: Serdes.Long() });
    const d = driverFor(b.build(), { 'application.id': 'listing' });
    expect([...d.producedTopicNames()]).toEqual([]);
    await d.createInputTopic('in', S, I).pipeInput('k', 3);
    expect([...d.producedTopicNames()].sort()).toEqual(['counts', 'listing-parity-changelog', 'listing-parity-repartition']);
    expect([...d.getAllStateStores().keys()]).toEqual(['parity']);
    expect(d.getStateStore('parity').name).toBe('parity');
  });

  it('keeps its stores in a temporary state directory under state.dir and removes it on close, also with await using', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'skein-ttd-test-'));
    try {
      const b = new StreamsBuilder();
      b.stream<string, number>('in', { keySerde: S, valueSerde: I }).groupByKey().count({ storeName: 'c' });
      {
        await using d = new TopologyTestDriver(b.build(), { 'state.dir': stateDir });
        await d.createInputTopic('in', S, I).pipeInput('k', 1);
        expect(readdirSync(stateDir)).toHaveLength(1);
      }
      expect(readdirSync(stateDir)).toEqual([]);
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  });

  it('refuses a negative advance of the wall clock', () => {
    const d = driverFor(passThrough());
    expect(() => d.advanceWallClockTime(-1)).toThrow(/non-negative duration/);
    expect(() => d.advanceWallClockTime(Number.NaN)).toThrow(/non-negative duration/);
  });
});
