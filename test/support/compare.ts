/**
 * Comparing long record sequences: on a mismatch, say where the first difference is and show a few
 * records around it, instead of diffing 100,000 lines.
 */
import { expect } from 'vitest';

export function expectSameSequence<T>(actual: readonly T[], expected: readonly T[], label: string): void {
  const show = (xs: readonly T[], at: number): string => JSON.stringify(xs.slice(Math.max(0, at - 2), at + 3));
  const n = Math.min(actual.length, expected.length);
  for (let i = 0; i < n; i++) {
    if (JSON.stringify(actual[i]) !== JSON.stringify(expected[i])) {
      expect.fail(`${label}: first difference at index ${i}\n  expected …${show(expected, i)}…\n  actual   …${show(actual, i)}…`);
    }
  }
  if (actual.length !== expected.length) {
    expect.fail(
      `${label}: ${actual.length} records, expected ${expected.length}; the first ${n} agree; next expected ${show(expected, n)}, next actual ${show(actual, n)}`,
    );
  }
}
