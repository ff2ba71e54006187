/**
 * kcat (librdkafka 2.x, Debian's package) as an independent reader and writer of a test broker.
 * Tests that use it must skip when it is missing: `describe.skipIf(!hasKcat)`.
 */
import { existsSync } from 'node:fs';
import { run } from './run.js';

export const KCAT = '/usr/bin/kcat';
export const hasKcat = existsSync(KCAT);
export const kcatMissing = `${KCAT} is not installed (Debian package kcat)`;

/** One record as kcat -J prints it. */
export interface KcatRecord {
  topic: string;
  partition: number;
  offset: number;
  /** 'create' or 'logappend'. */
  tstype: string;
  ts: number;
  key: string | null;
  payload: string | null;
  /** [name, value, name, value, …] */
  headers?: string[];
}

/** A request the broker does not answer fails in 10 s instead of librdkafka's 60. */
const COMMON = ['-X', 'socket.timeout.ms=10000'];

export interface KcatConsumeOptions {
  /** kcat -o: 'beginning', 'end', a number, 's@<ts>', … Default 'beginning'. */
  offset?: string | number;
  /** kcat -c: stop after this many records. */
  count?: number;
  /** Extra arguments, e.g. ['-X', 'fetch.wait.max.ms=100']. */
  extra?: string[];
  timeoutMs?: number;
}

/** Reads partition `partition` of `topic` from `offset` up to the end (-e) and returns every record. */
export async function kcatConsume(bootstrap: string, topic: string, partition: number, opts: KcatConsumeOptions = {}): Promise<KcatRecord[]> {
  // check.crcs: librdkafka verifies every batch's CRC-32C, so a batch served damaged fails the read.
  const args = [
    '-C',
    '-b',
    bootstrap,
    '-t',
    topic,
    '-p',
    String(partition),
    '-o',
    String(opts.offset ?? 'beginning'),
    '-e',
    '-q',
    '-J',
    '-X',
    'check.crcs=true',
    ...COMMON,
  ];
  if (opts.count !== undefined) args.push('-c', String(opts.count));
  args.push(...(opts.extra ?? []));
  const { stdout } = await run(KCAT, args, { timeoutMs: opts.timeoutMs ?? 60_000 });
  return parseJsonLines<KcatRecord>(stdout);
}

export interface KcatProduceOptions {
  /** kcat -p: a fixed partition; omitted, librdkafka's partitioner picks one per key. */
  partition?: number;
  /** kcat -K: the key delimiter within each line. */
  keyDelimiter?: string;
  extra?: string[];
  timeoutMs?: number;
}

/** Produces one record per line with `kcat -P`; resolves when kcat has flushed every record. */
export async function kcatProduce(bootstrap: string, topic: string, lines: readonly string[], opts: KcatProduceOptions = {}): Promise<void> {
  const args = ['-P', '-b', bootstrap, '-t', topic, ...COMMON];
  if (opts.partition !== undefined) args.push('-p', String(opts.partition));
  if (opts.keyDelimiter !== undefined) args.push('-K', opts.keyDelimiter);
  args.push(...(opts.extra ?? []));
  const { stderr } = await run(KCAT, args, { stdin: lines.map((l) => `${l}\n`).join(''), timeoutMs: opts.timeoutMs ?? 60_000 });
  // kcat reports failed deliveries on stderr but may still exit 0.
  if (/ERROR|Delivery failed|failed to produce/i.test(stderr)) throw new Error(`kcat -P reported errors:\n${stderr}`);
}

/**
 * `kcat -Q`: librdkafka's offsetsForTimes for one partition — the first offset whose timestamp is
 * at or after `timestamp`, or -1 when there is none.
 */
export async function kcatOffsetForTime(bootstrap: string, topic: string, partition: number, timestamp: number): Promise<number> {
  const { stdout } = await run(KCAT, ['-Q', '-b', bootstrap, '-t', `${topic}:${partition}:${timestamp}`, ...COMMON], { timeoutMs: 30_000 });
  const m = new RegExp(`\\[${partition}\\]\\s+offset\\s+(-?\\d+)`).exec(stdout);
  if (m === null) throw new Error(`unexpected kcat -Q output: ${stdout}`);
  return Number(m[1]);
}

export function parseJsonLines<T>(text: string): T[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T);
}
