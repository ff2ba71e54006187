/**
 * Scheduled punctuations of a task (Kafka Streams' `PunctuationQueue`), one queue per time type.
 *
 * Stream-time schedules start at 0, so the first record fires them; wall-clock ones `interval` after
 * they were scheduled. A punctuation that fell behind fires once (not once per missed interval) and
 * stays on its grid: next due at the first multiple of the interval after now.
 */
import type { Cancellable, Punctuator } from '../processor/processor.js';

interface Schedule {
  readonly node: string;
  readonly interval: number;
  readonly punctuator: Punctuator;
  next: number;
  cancelled: boolean;
}

export class PunctuationQueue {
  private schedules: Schedule[] = [];

  schedule(node: string, first: number, interval: number, punctuator: Punctuator): Cancellable {
    const s: Schedule = { node, interval, punctuator, next: first, cancelled: false };
    this.schedules.push(s);
    return {
      cancel: () => {
        s.cancelled = true;
        this.schedules = this.schedules.filter((x) => x !== s);
      },
    };
  }

  /** Fires every schedule due at `now`, earliest first; `run` wraps each call. Returns whether any fired. */
  mayPunctuate(now: number, run: (node: string, punctuator: Punctuator, time: number) => void): boolean {
    let fired = false;
    for (;;) {
      let due: Schedule | undefined;
      for (const s of this.schedules) if (s.next <= now && (due === undefined || s.next < due.next)) due = s;
      if (due === undefined) return fired;
      const at = due.next;
      // Behind by several intervals: fire once, and stay on the schedule's grid (Kafka Streams'
      // PunctuationSchedule.next).
      due.next = at + (Math.floor((now - at) / due.interval) + 1) * due.interval;
      fired = true;
      // As in Kafka Streams, the punctuator is told the current time, not the time it was due.
      run(due.node, due.punctuator, now);
    }
  }

  get size(): number {
    return this.schedules.length;
  }
}
