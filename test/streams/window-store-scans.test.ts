/**
 * Open-ended scans of a window store read only its live segments: `all()` and a
 * `fetchRange(key, 0, Date.now())` used to walk every segment id from the range's start to its end
 * (millions at today's timestamps, billions for `all()`) and never finished — found by the
 * interactive-query tests, which scan stores over wall-clock ranges.
 */
import { describe, expect, it } from 'vitest';
import { Serdes, StreamsBuilder, TimeWindows, type WindowStore } from '../../src/index.js';
import { collect, openDrivers } from './helpers.js';

const open = openDrivers();

describe('window store scans over wall-clock ranges', () => {
  it('answer from the live segments, also before any record', async () => {
    const b = new StreamsBuilder();
    b.stream('in', { keySerde: Serdes.String(), valueSerde: Serdes.String() })
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeWithNoGrace(60_000))
      .count({ storeName: 'per-minute', retentionMs: 3_600_000 });
    const now = Date.now();
    const d = open(b.build(), {}, now);
    const store = d.getStateStore('per-minute') as unknown as WindowStore<string, { value: number }>;
    const started = Date.now();
    expect(await collect(store.fetchRange('a', 0, now))).toEqual([]);
    expect(await collect(store.all())).toEqual([]);
    const input = d.createInputTopic('in', Serdes.String(), Serdes.String());
    await input.pipeInput('a', 'x', now - 120_000);
    await input.pipeInput('a', 'x', now - 1);
    await input.pipeInput('b', 'x', now);
    const start = (t: number): number => t - (t % 60_000);
    expect((await collect(store.fetchRange('a', 0, Number.MAX_SAFE_INTEGER))).map((e) => [e.key, e.value.value])).toEqual([
      [start(now - 120_000), 1],
      [start(now - 1), 1],
    ]);
    expect((await collect(store.all())).map((e) => [e.key.key, e.key.window.start])).toHaveLength(3);
    expect((await collect(store.fetchAll(0, now))).length).toBe(3);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
