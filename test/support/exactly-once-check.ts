/**
 * The exactly-once check of the streams kill tests: read back read_committed, every key's outputs
 * must be exactly its running aggregates in input order — none missing, none twice.
 */
import type { RawRecord } from '../../src/streams/runtime/record-collector.js';

/** Each key's values in input order, read from the data topic's partitions. */
export function inputsByKey(data: RawRecord[][]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const partition of data) {
    for (const r of partition) {
      const k = (r.key as Buffer).toString();
      if (!out.has(k)) out.set(k, []);
      (out.get(k) as number[]).push(Number((r.value as Buffer).toString()));
    }
  }
  return out;
}

export function outputsByKey<T>(topic: RawRecord[][], decode: (b: Buffer) => T): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const partition of topic) {
    for (const r of partition) {
      const k = (r.key as Buffer).toString();
      if (!out.has(k)) out.set(k, []);
      (out.get(k) as T[]).push(decode(r.value as Buffer));
    }
  }
  return out;
}

export function runningSums(values: number[]): number[] {
  let s = 0;
  return values.map((v) => (s += v));
}

/** Differences between expected and actual per key: empty when exactly once. */
export function compare<T>(expected: Map<string, T[]>, actual: Map<string, T[]>): string[] {
  const problems: string[] = [];
  for (const [k, exp] of expected) {
    const act = actual.get(k) ?? [];
    if (JSON.stringify(act) !== JSON.stringify(exp)) {
      let i = 0;
      while (i < exp.length && i < act.length && JSON.stringify(exp[i]) === JSON.stringify(act[i])) i++;
      problems.push(
        `${k}: ${act.length} outputs for ${exp.length} inputs, first difference at #${i}: expected ${JSON.stringify(exp[i])}, got ${JSON.stringify(act[i])}`,
      );
    }
  }
  for (const k of actual.keys()) if (!expected.has(k)) problems.push(`${k}: outputs for a key never written`);
  return problems;
}

/** A Serdes.Long() value. */
export const long = (b: Buffer): number => Number(b.readBigInt64BE(0));

/** `key=value` of each record, for comparing a topic with its input partition by partition. */
export const pairs = (p: RawRecord[]): string[] => p.map((r) => `${r.key?.toString()}=${r.value?.toString()}`);
