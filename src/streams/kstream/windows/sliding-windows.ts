/**
 * SlidingWindows (Kafka Streams'): windows of a fixed time difference that move with the records —
 * for each record, the window ending at it and the windows it starts — so every distinct set of
 * records within `timeDifferenceMs` of each other is aggregated once.
 */
import { checkMs } from './time-windows.js';

export class SlidingWindows {
  private constructor(
    readonly timeDifferenceMs: number,
    readonly graceMs: number,
  ) {}

  static ofTimeDifferenceWithNoGrace(timeDifferenceMs: number): SlidingWindows {
    return SlidingWindows.ofTimeDifferenceAndGrace(timeDifferenceMs, 0);
  }

  static ofTimeDifferenceAndGrace(timeDifferenceMs: number, graceMs: number): SlidingWindows {
    checkMs('time difference', timeDifferenceMs, 1);
    checkMs('grace period', graceMs, 0);
    return new SlidingWindows(timeDifferenceMs, graceMs);
  }

  /** Windows are `timeDifference` wide and inclusive at both ends: `[start, start + timeDifference]`. */
  get sizeMs(): number {
    return this.timeDifferenceMs;
  }

  /**
   * How long the store keeps windows behind stream time: 2 × time difference + grace + 2 ms. Kafka
   * Streams requires 2 × time difference + grace, counted from the latest window start its store has
   * seen; Skein's window stores count from the task's stream time, which can be later. A record
   * still within the grace period can need the left window of the record before it when that
   * record's right window is still open; that left window starts as much as
   * 2 × time difference + grace + 1 ms before stream time, so it must not expire before that.
   */
  get retentionMs(): number {
    return this.timeDifferenceMs * 2 + this.graceMs + 2;
  }
}
