/**
 * Working out the new offsets for `consumer-groups --reset-offsets`, as Kafka's ConsumerGroupCommand
 * does: to-earliest / to-latest take the log start / end offset; to-offset and shift-by are clamped
 * to [log start, log end] with a warning; to-datetime and by-duration take the first offset whose
 * timestamp is at or after the time, or the log end offset (with a warning) when there is none;
 * to-current keeps the committed offset (log end where there is none). No I/O: the offsets come
 * from an `OffsetLookup`.
 */
import { type TopicPartition, topicPartitionKey } from '../protocol/topic-partition.js';
import { CliError } from './cli-error.js';
import { tpString } from './cluster-client.js';
import type { CommittedOffset } from './consumer-group-service.js';

export type ResetSpec =
  | { kind: 'to-earliest' }
  | { kind: 'to-latest' }
  | { kind: 'to-current' }
  | { kind: 'to-offset'; offset: bigint }
  | { kind: 'shift-by'; by: bigint }
  | { kind: 'to-datetime'; timestamp: bigint }
  | { kind: 'by-duration'; ms: bigint };

export interface OffsetLookup {
  /** Log start offsets, keyed by topicPartitionKey. */
  earliest(partitions: readonly TopicPartition[]): Promise<Map<string, bigint>>;
  /** Log end offsets, keyed by topicPartitionKey. */
  latest(partitions: readonly TopicPartition[]): Promise<Map<string, bigint>>;
  /** The first offset at or after `timestamp`; null when no record is that recent. */
  forTime(partitions: readonly TopicPartition[], timestamp: bigint): Promise<Map<string, bigint | null>>;
  /** The group's committed offsets, keyed by topicPartitionKey. */
  committed: ReadonlyMap<string, bigint>;
  /** The time now (for by-duration). */
  now(): bigint;
}

/** New offsets for `partitions`, sorted by topic and partition. `warn` gets Kafka's warnings. */
export async function planOffsetReset(
  partitions: readonly TopicPartition[],
  spec: ResetSpec,
  lookup: OffsetLookup,
  warn: (line: string) => void,
): Promise<CommittedOffset[]> {
  const tps = [...new Map(partitions.map((tp) => [topicPartitionKey(tp.topic, tp.partition), tp])).values()].sort((a, b) =>
    a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition,
  );
  const pick = (found: Map<string, bigint>, what: string) =>
    tps.map((tp) => {
      const offset = found.get(topicPartitionKey(tp.topic, tp.partition));
      if (offset === undefined) throw new CliError(`Error getting ${what} offset of topic partition: ${tpString(tp)}`);
      return { ...tp, offset };
    });

  switch (spec.kind) {
    case 'to-earliest':
      return pick(await lookup.earliest(tps), 'starting');
    case 'to-latest':
      return pick(await lookup.latest(tps), 'ending');
    case 'to-current': {
      const without = tps.filter((tp) => !lookup.committed.has(topicPartitionKey(tp.topic, tp.partition)));
      const ends = await lookup.latest(without);
      const found = new Map([...ends, ...lookup.committed]);
      return pick(found, 'ending');
    }
    case 'to-offset':
      return clamp(
        tps.map((tp) => ({ ...tp, offset: spec.offset })),
        lookup,
        warn,
      );
    case 'shift-by':
      return clamp(
        tps.map((tp) => {
          const current = lookup.committed.get(topicPartitionKey(tp.topic, tp.partition));
          if (current === undefined) throw new CliError(`Cannot shift offset for partition ${tpString(tp)} since there is no current committed offset`);
          return { ...tp, offset: current + spec.by };
        }),
        lookup,
        warn,
      );
    case 'to-datetime':
    case 'by-duration': {
      const timestamp = spec.kind === 'to-datetime' ? spec.timestamp : lookup.now() - spec.ms;
      const found = await lookup.forTime(tps, timestamp);
      const empty = tps.filter((tp) => (found.get(topicPartitionKey(tp.topic, tp.partition)) ?? null) === null);
      for (const tp of empty) warn(`Warn: Partition ${tp.partition} from topic ${tp.topic} is empty. Falling back to latest known offset.`);
      const ends = await lookup.latest(empty);
      const merged = new Map<string, bigint>(ends);
      for (const [k, v] of found) if (v !== null) merged.set(k, v);
      return pick(merged, 'ending');
    }
  }
}

/** Offsets outside [log start, log end] are moved to the nearer end, with Kafka's warning. */
async function clamp(requested: CommittedOffset[], lookup: OffsetLookup, warn: (line: string) => void): Promise<CommittedOffset[]> {
  const starts = await lookup.earliest(requested);
  const ends = await lookup.latest(requested);
  return requested.map((r) => {
    const key = topicPartitionKey(r.topic, r.partition);
    const end = ends.get(key);
    const start = starts.get(key);
    if (end === undefined || start === undefined) throw new CliError(`Unexpected non-existing offset value for topic partition ${tpString(r)}`);
    if (r.offset > end) {
      warn(`WARN New offset (${r.offset}) is higher than latest offset for topic partition ${tpString(r)}. Value will be set to ${end}`);
      return { ...r, offset: end };
    }
    if (r.offset < start) {
      warn(`WARN New offset (${r.offset}) is lower than earliest offset for topic partition ${tpString(r)}. Value will be set to ${start}`);
      return { ...r, offset: start };
    }
    return r;
  });
}

/**
 * `--to-datetime`: `yyyy-MM-ddTHH:mm:ss.SSS`, optionally followed by `Z` or a UTC offset (`+02`,
 * `+0200`, `+02:00`); without one the time is UTC, as in Kafka. Milliseconds since the epoch.
 */
export function parseDateTime(text: string): bigint {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{3})(Z|[+-]\d{2}(?::?\d{2})?)?$/.exec(text.trim());
  const fail = () => new CliError(`Error parsing timestamp '${text}': expected yyyy-MM-ddTHH:mm:ss.SSS, optionally followed by Z or an offset such as +02:00`);
  if (m === null) throw fail();
  const [year, month, day, hour, minute, second, ms] = m.slice(1, 8).map(Number);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59) throw fail();
  let offsetMinutes = 0;
  const zone = m[8];
  if (zone !== undefined && zone !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    const hh = Number(digits.slice(0, 2));
    const mm = digits.length > 2 ? Number(digits.slice(2)) : 0;
    if (hh > 18 || mm > 59) throw fail();
    offsetMinutes = (zone[0] === '-' ? -1 : 1) * (hh * 60 + mm);
  }
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  return BigInt(utc - offsetMinutes * 60_000);
}

/**
 * `--by-duration`: an ISO-8601 duration as Java's Duration.parse reads it, `PnDTnHnMn.nS` (e.g.
 * `PT30M`, `P1DT12H`), optionally negative. Milliseconds.
 */
export function parseDuration(text: string): bigint {
  const m = /^([-+]?)P(?:([-+]?\d+)D)?(?:T(?:([-+]?\d+)H)?(?:([-+]?\d+)M)?(?:([-+]?\d+)(?:[.,](\d{1,9}))?S)?)?$/i.exec(text.trim());
  if (m === null || (m[2] ?? m[3] ?? m[4] ?? m[5]) === undefined || /T$/i.test(text.trim())) {
    throw new CliError(`Error parsing duration '${text}': expected an ISO-8601 duration such as PT30M or P1DT2H`);
  }
  const n = (s: string | undefined) => BigInt(s ?? '0');
  const fraction = m[6] === undefined ? 0n : BigInt(m[6].padEnd(9, '0').slice(0, 3));
  const seconds = n(m[5]);
  const ms =
    n(m[2]) * 86_400_000n + n(m[3]) * 3_600_000n + n(m[4]) * 60_000n + seconds * 1000n + (seconds < 0n || m[5]?.startsWith('-') ? -fraction : fraction);
  return m[1] === '-' ? -ms : ms;
}
