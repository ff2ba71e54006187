import { describe, expect, it } from 'vitest';
import { topicPartitionKey } from '../protocol/topic-partition.js';
import { CliError } from './cli-error.js';
import { type OffsetLookup, parseDateTime, parseDuration, planOffsetReset, type ResetSpec } from './offset-reset.js';

// t-0 holds offsets 10..20 (records at 1000 ms per offset from t=0), t-1 is empty at 5.
const starts = new Map([
  [topicPartitionKey('t', 0), 10n],
  [topicPartitionKey('t', 1), 5n],
]);
const ends = new Map([
  [topicPartitionKey('t', 0), 20n],
  [topicPartitionKey('t', 1), 5n],
]);
const lookup = (committed: Array<[number, bigint]> = []): OffsetLookup => ({
  earliest: async (tps) =>
    new Map(tps.map((tp) => [topicPartitionKey(tp.topic, tp.partition), starts.get(topicPartitionKey(tp.topic, tp.partition)) as bigint])),
  latest: async (tps) => new Map(tps.map((tp) => [topicPartitionKey(tp.topic, tp.partition), ends.get(topicPartitionKey(tp.topic, tp.partition)) as bigint])),
  forTime: async (tps, ts) =>
    new Map(tps.map((tp) => [topicPartitionKey(tp.topic, tp.partition), tp.partition === 0 && ts <= 20_000n ? (ts < 10_000n ? 10n : ts / 1000n) : null])),
  committed: new Map(committed.map(([p, o]) => [topicPartitionKey('t', p), o])),
  now: () => 25_000n,
});
const both = [
  { topic: 't', partition: 1 },
  { topic: 't', partition: 0 },
];

async function plan(spec: ResetSpec, committed: Array<[number, bigint]> = []) {
  const warnings: string[] = [];
  const offsets = await planOffsetReset(both, spec, lookup(committed), (w) => warnings.push(w));
  return { offsets: offsets.map((o) => `${o.topic}-${o.partition}:${o.offset}`), warnings };
}

describe('planOffsetReset', () => {
  it('to-earliest and to-latest take the log start and end, sorted by partition', async () => {
    expect((await plan({ kind: 'to-earliest' })).offsets).toEqual(['t-0:10', 't-1:5']);
    expect((await plan({ kind: 'to-latest' })).offsets).toEqual(['t-0:20', 't-1:5']);
  });

  it('to-offset clamps to the log with Kafka warnings', async () => {
    const high = await plan({ kind: 'to-offset', offset: 30n });
    expect(high.offsets).toEqual(['t-0:20', 't-1:5']);
    expect(high.warnings).toEqual([
      'WARN New offset (30) is higher than latest offset for topic partition t-0. Value will be set to 20',
      'WARN New offset (30) is higher than latest offset for topic partition t-1. Value will be set to 5',
    ]);
    const low = await plan({ kind: 'to-offset', offset: 7n });
    expect(low.offsets).toEqual(['t-0:10', 't-1:5']);
    expect(low.warnings).toEqual([
      'WARN New offset (7) is lower than earliest offset for topic partition t-0. Value will be set to 10',
      'WARN New offset (7) is higher than latest offset for topic partition t-1. Value will be set to 5',
    ]);
  });

  it('shift-by moves the committed offset, clamped, and needs one', async () => {
    expect(
      (
        await plan({ kind: 'shift-by', by: -3n }, [
          [0, 15n],
          [1, 5n],
        ])
      ).offsets,
    ).toEqual(['t-0:12', 't-1:5']);
    expect(
      (
        await plan({ kind: 'shift-by', by: -30n }, [
          [0, 15n],
          [1, 5n],
        ])
      ).offsets,
    ).toEqual(['t-0:10', 't-1:5']);
    await expect(plan({ kind: 'shift-by', by: 1n }, [[0, 15n]])).rejects.toThrow(
      new CliError('Cannot shift offset for partition t-1 since there is no current committed offset'),
    );
  });

  it('to-datetime takes the first offset at the time, or the log end for a partition with nothing that recent', async () => {
    const r = await plan({ kind: 'to-datetime', timestamp: 13_000n });
    expect(r.offsets).toEqual(['t-0:13', 't-1:5']);
    expect(r.warnings).toEqual(['Warn: Partition 1 from topic t is empty. Falling back to latest known offset.']);
    expect((await plan({ kind: 'by-duration', ms: 10_000n })).offsets).toEqual(['t-0:15', 't-1:5']);
  });

  it('to-current keeps committed offsets and takes the log end elsewhere', async () => {
    expect((await plan({ kind: 'to-current' }, [[0, 12n]])).offsets).toEqual(['t-0:12', 't-1:5']);
  });
});

describe('parseDateTime', () => {
  it('reads UTC without a zone, and Z or an offset', () => {
    expect(parseDateTime('2023-11-14T22:13:20.000')).toBe(1_700_000_000_000n);
    expect(parseDateTime('2023-11-14T22:13:20.000Z')).toBe(1_700_000_000_000n);
    expect(parseDateTime('2023-11-15T00:13:20.123+02:00')).toBe(1_700_000_000_123n);
    expect(parseDateTime('2023-11-14T21:13:20.000-0100')).toBe(1_700_000_000_000n);
    expect(parseDateTime('2023-11-15T00:13:20.000+02')).toBe(1_700_000_000_000n);
  });

  it('refuses anything else, strictly', () => {
    for (const bad of ['2023-11-14', '2023-11-14T22:13:20', '2023-02-30T00:00:00.000', '2023-11-14T24:00:00.000', 'yesterday']) {
      expect(() => parseDateTime(bad)).toThrow(/Error parsing timestamp/);
    }
  });
});

describe('parseDuration', () => {
  it('reads ISO-8601 durations as Java does', () => {
    expect(parseDuration('PT30M')).toBe(1_800_000n);
    expect(parseDuration('P1DT2H')).toBe(93_600_000n);
    expect(parseDuration('PT1.5S')).toBe(1_500n);
    expect(parseDuration('-PT1M')).toBe(-60_000n);
    for (const bad of ['P', 'PT', '30m', 'P1H']) expect(() => parseDuration(bad)).toThrow(/Error parsing duration/);
  });
});
