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
  readonly first: number;
  next: number;
  cancelled: boolean;
}

export class PunctuationQueue {
  private schedules: Schedule[] = [];
  /** When each schedule was next due at the task's last commit. */
  private committed = new Map<Schedule, number>();

  schedule(node: string, first: number, interval: number, punctuator: Punctuator): Cancellable {
    const s: Schedule = { node, interval, punctuator, first, next: first, cancelled: false };
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

  /** The task committed: what the punctuations did so far is done. */
  commit(): void {
    this.committed = new Map(this.schedules.map((s) => [s, s.next]));
  }

  /**
   * The task rolled back: the punctuations that fired since its last commit were aborted with it
   * (their writes and forwards), so they are due again, and fire again as the records are
   * processed again (a schedule made since then starts over).
   */
  rollback(): void {
    for (const s of this.schedules) s.next = this.committed.get(s) ?? s.first;
  }

  get size(): number {
    return this.schedules.length;
  }
}
