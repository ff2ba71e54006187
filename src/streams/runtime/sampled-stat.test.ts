import { describe, expect, it } from 'vitest';
import { SampledStat } from './sampled-stat.js';

describe('SampledStat', () => {
  it('keeps a total, and the count, average, maximum and rate of the last one to two windows', () => {
    const t0 = 1_000_000_020_000; // the start of a 30 s window
    const s = new SampledStat(t0);
    s.record(10, t0 + 1000);
    s.record(30, t0 + 2000);
    expect(s.total).toBe(40);
    expect(s.count(t0 + 2000)).toBe(2);
    expect(s.avg(t0 + 2000)).toBe(20);
    expect(s.max(t0 + 2000)).toBe(30);
    // 40 recorded over the 4 s since the stat was created; two events in those 4 s.
    expect(s.rate(t0 + 4000)).toBe(10);
    expect(s.countRate(t0 + 4000)).toBe(0.5);
    // The next window still counts the previous one; the one after forgets it.
    s.record(5, t0 + 31_000);
    expect(s.count(t0 + 31_000)).toBe(3);
    expect(s.max(t0 + 60_000)).toBe(5);
    expect(s.count(t0 + 95_000)).toBe(0);
    expect(s.avg(t0 + 95_000)).toBeNaN();
    expect(s.rate(t0 + 95_000)).toBe(0);
    expect(s.total).toBe(45);
  });

  it('divides by at least a second, so a burst at creation is not an enormous rate', () => {
    const s = new SampledStat(5_000);
    s.record(200, 5_010);
    expect(s.rate(5_010)).toBe(200);
  });
});
