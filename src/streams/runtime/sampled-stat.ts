/**
 * A windowed statistic as Kafka's metrics library keeps one (`SampledStat` with
 * `metrics.sample.window.ms` = 30 000 and `metrics.num.samples` = 2): values recorded into
 * fixed-length time windows, of which the current one and the one before count. It answers the
 * count, average, maximum and rate per second of what was recorded in them, and a running total.
 *
 * The rate divides by the time those windows cover — from the start of the older window (or from
 * when the stat was created, if that is later) to now — so it does not start low, as Kafka's does
 * while fewer than two windows have passed.
 */
export class SampledStat {
  private readonly samples: { start: number; count: number; sum: number; max: number }[] = [];
  /** Everything ever recorded (Kafka's `CumulativeSum`). */
  total = 0;

  constructor(
    private readonly createdAt: number = Date.now(),
    private readonly windowMs = 30_000,
    private readonly numSamples = 2,
  ) {}

  record(value: number, now: number = Date.now()): void {
    this.total += value;
    const start = now - (now % this.windowMs);
    let current = this.samples[this.samples.length - 1];
    if (current === undefined || current.start !== start) {
      current = { start, count: 0, sum: 0, max: Number.NEGATIVE_INFINITY };
      this.samples.push(current);
      if (this.samples.length > this.numSamples) this.samples.shift();
    }
    current.count++;
    current.sum += value;
    if (value > current.max) current.max = value;
  }

  private live(now: number): { start: number; count: number; sum: number; max: number }[] {
    const oldest = now - (now % this.windowMs) - (this.numSamples - 1) * this.windowMs;
    return this.samples.filter((s) => s.start >= oldest);
  }

  /** How many values were recorded in the windows. */
  count(now: number = Date.now()): number {
    return this.live(now).reduce((n, s) => n + s.count, 0);
  }

  /** The mean of the values in the windows; NaN when there are none (Kafka reports NaN too). */
  avg(now: number = Date.now()): number {
    const live = this.live(now);
    const count = live.reduce((n, s) => n + s.count, 0);
    return count === 0 ? Number.NaN : live.reduce((n, s) => n + s.sum, 0) / count;
  }

  /** The largest value in the windows; NaN when there are none. */
  max(now: number = Date.now()): number {
    const live = this.live(now);
    return live.length === 0 ? Number.NaN : Math.max(...live.map((s) => s.max));
  }

  /** The sum of the values in the windows per second (records per second when each records a count). */
  rate(now: number = Date.now()): number {
    return (this.live(now).reduce((n, s) => n + s.sum, 0) * 1000) / this.elapsedMs(now);
  }

  /** Values recorded per second (commits per second when each commit records its latency). */
  countRate(now: number = Date.now()): number {
    return (this.count(now) * 1000) / this.elapsedMs(now);
  }

  /** The time the windows cover, at least a second (so a stat a moment old does not report a burst as a huge rate). */
  private elapsedMs(now: number): number {
    const windowsStart = now - (now % this.windowMs) - (this.numSamples - 1) * this.windowMs;
    return Math.max(1000, now - Math.max(windowsStart, this.createdAt));
  }
}
