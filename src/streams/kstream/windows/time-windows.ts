/**
 * TimeWindows (Kafka Streams'): fixed-size windows `[start, start + size)`, tumbling (advance =
 * size) or hopping (`advanceBy`), aligned to the epoch. A record belongs to every window that
 * contains its timestamp. Records later than the grace period after a window's end are dropped.
 */
import { TopologyError } from '../../errors.js';
import type { Window } from '../../state/window-store.js';

export class TimeWindows {
  private constructor(
    readonly sizeMs: number,
    readonly advanceMs: number,
    readonly graceMs: number,
  ) {}

  /** Tumbling windows of `sizeMs` with no grace: a record after its window's end is dropped. */
  static ofSizeWithNoGrace(sizeMs: number): TimeWindows {
    return TimeWindows.ofSizeAndGrace(sizeMs, 0);
  }

  /** Tumbling windows of `sizeMs` that accept out-of-order records up to `graceMs` after their end. */
  static ofSizeAndGrace(sizeMs: number, graceMs: number): TimeWindows {
    checkMs('window size', sizeMs, 1);
    checkMs('grace period', graceMs, 0);
    return new TimeWindows(sizeMs, sizeMs, graceMs);
  }

  /** Hopping windows: a new window every `advanceMs` (0 < advance ≤ size). */
  advanceBy(advanceMs: number): TimeWindows {
    checkMs('advance', advanceMs, 1);
    if (advanceMs > this.sizeMs) throw new TopologyError(`the advance (${advanceMs} ms) must not be larger than the window size (${this.sizeMs} ms)`);
    return new TimeWindows(this.sizeMs, advanceMs, this.graceMs);
  }

  /** The windows containing `timestamp`, earliest first. */
  windowsFor(timestamp: number): Window[] {
    const out: Window[] = [];
    let start = Math.floor(Math.max(0, timestamp - this.sizeMs + this.advanceMs) / this.advanceMs) * this.advanceMs;
    for (; start <= timestamp; start += this.advanceMs) out.push({ start, end: start + this.sizeMs });
    return out;
  }

  /** How long a window store must keep these windows: size plus grace. */
  get retentionMs(): number {
    return this.sizeMs + this.graceMs;
  }
}

export function checkMs(what: string, ms: number, min: number): void {
  if (!Number.isInteger(ms) || ms < min) throw new TopologyError(`the ${what} must be a whole number of milliseconds ≥ ${min}, not ${ms}`);
}
