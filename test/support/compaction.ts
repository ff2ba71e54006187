/**
 * What the compaction tests check of a partition read back with kcat: the table it builds, and that
 * every record is one that was produced, at the offset the broker acknowledged for it.
 */
import { expect } from 'vitest';
import { tableOf } from '../../src/broker/log/compaction-testing.js';
import type { KcatRecord } from './kcat.js';

export { tableOf };

/** The table a consumer reading `records` from the start builds. */
export function kcatTable(records: readonly KcatRecord[]): Map<string, string> {
  return tableOf(records.map((r) => ({ key: r.key, value: r.payload })));
}

/**
 * Every record read is one of `produced`, at the offset it was acknowledged at, once, in order; where
 * `produced` says whether it was committed, a committed one.
 */
export function expectAtAcknowledgedOffsets(
  records: readonly KcatRecord[],
  produced: ReadonlyArray<{ offset: number; key: string; value: string | null; committed?: boolean }>,
): void {
  const byOffset = new Map(produced.map((p) => [p.offset, p]));
  let last = -1;
  for (const r of records) {
    expect(r.offset).toBeGreaterThan(last);
    last = r.offset;
    const p = byOffset.get(r.offset);
    expect({ offset: r.offset, key: r.key, value: r.payload }).toEqual({ offset: p?.offset, key: p?.key, value: p?.value });
    if (p?.committed !== undefined) expect(p.committed, `record ${r.offset} (${r.key}=${r.payload}) is committed`).toBe(true);
  }
}
