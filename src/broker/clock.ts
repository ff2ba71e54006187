/**
 * The broker's sense of time, injected so that retention, timeouts and tests do not depend on the
 * wall: what time it is (`now`), and callbacks to run later (`setTimeout`, `setInterval`) — Kafka's
 * `Time` and `Scheduler` in one. Every timer of the broker's own logic goes through it: the group
 * coordinator's sessions and rebalances, the transaction coordinator's timeouts and retries, the
 * coordinators' expiry jobs and the log manager's periodic work. A test on a `ManualClock` moves
 * time with `advance(ms)`, and the timers due by then run, in order, at once.
 *
 * What stays on real time, on purpose: waits a client on the wire is timing — a Fetch long poll's
 * max.wait.ms (DelayedFetches runs on `systemClock` whatever clock the broker has), and socket-level
 * waits — and durations measured for log lines (`performance.now()`).
 */

/** A callback scheduled on a clock. */
export interface TimerHandle {
  /** It will not run (again). Harmless after it ran, or twice. */
  cancel(): void;
  /**
   * On the system clock, a pending timer no longer keeps the process alive (Node's `unref`): the
   * broker's own timers never should, its sockets do. Nothing to do on a manual clock. Returns the timer.
   */
  unref(): TimerHandle;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `fn` once, `ms` from now. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Runs `fn` every `ms` from now on, until cancelled. */
  setInterval(fn: () => void, ms: number): TimerHandle;
}

/** Node's longest timer delay (2^31 - 1 ms, about 24.8 days): a longer one would fire at once. */
const MAX_TIMER_DELAY_MS = 0x7fffffff;

const nodeDelay = (ms: number): number => Math.min(Math.max(ms, 0), MAX_TIMER_DELAY_MS);

class NodeTimer implements TimerHandle {
  constructor(
    private readonly timeout: NodeJS.Timeout,
    private readonly repeats: boolean,
  ) {}

  cancel(): void {
    if (this.repeats) clearInterval(this.timeout);
    else clearTimeout(this.timeout);
  }

  unref(): TimerHandle {
    this.timeout.unref();
    return this;
  }
}

/**
 * The wall clock and Node's timers. A delay beyond Node's longest (about 24.8 days) is shortened
 * to it — such a timer fires early rather than at once — so "never" settings need no special case.
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => new NodeTimer(setTimeout(fn, nodeDelay(ms)), false),
  setInterval: (fn, ms) => new NodeTimer(setInterval(fn, nodeDelay(ms)), true),
};

class ManualTimer implements TimerHandle {
  cancelled = false;

  constructor(
    private readonly clock: ManualClock,
    readonly fn: () => void,
    /** When it runs next. */
    public due: number,
    /** For an interval, its period; undefined for a one-off timer. */
    readonly period: number | undefined,
  ) {}

  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.clock.remove(this);
  }

  unref(): TimerHandle {
    return this;
  }
}

/**
 * A clock tests move by hand. Time stands still until `advance(ms)`, which runs every timer due by
 * the new time, in time order — timers due at the same moment in the order they were scheduled —
 * each with `now()` at its own due time; a timer scheduled by a callback runs in the same advance if
 * it falls due within it, and an interval runs once per period. Callbacks run synchronously inside
 * `advance`; what they resolve settles after it (await a turn of the event loop to see it). A callback
 * that throws stops the advance there and the error reaches the caller.
 */
export class ManualClock implements Clock {
  /** Pending timers, by due time, then scheduling order. */
  private readonly timers: ManualTimer[] = [];

  constructor(private t = 1_700_000_000_000) {}

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.schedule(new ManualTimer(this, fn, this.t + Math.max(ms, 0), undefined));
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    // As Node does, a period under 1 ms is 1 ms (0 would run forever within one advance).
    const period = Math.max(ms, 1);
    return this.schedule(new ManualTimer(this, fn, this.t + period, period));
  }

  /** Moves time forward by `ms` (≥ 0), running the timers that fall due; `advance(0)` runs those due now. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`a clock cannot go back or stand on ${ms} ms`);
    const target = this.t + ms;
    for (let next = this.timers[0]; next !== undefined && next.due <= target; next = this.timers[0]) {
      this.timers.shift();
      this.t = next.due;
      // Rescheduled before it runs, so that the callback may cancel it.
      if (next.period !== undefined) {
        next.due += next.period;
        this.insert(next);
      } else {
        next.cancelled = true;
      }
      next.fn();
    }
    this.t = target;
  }

  /** How many timers are waiting to run. */
  get pendingTimers(): number {
    return this.timers.length;
  }

  /** @internal For `ManualTimer.cancel`. */
  remove(timer: ManualTimer): void {
    const i = this.timers.indexOf(timer);
    if (i >= 0) this.timers.splice(i, 1);
  }

  private schedule(timer: ManualTimer): TimerHandle {
    this.insert(timer);
    return timer;
  }

  /** After every timer due at or before it: equal due times keep their scheduling order. */
  private insert(timer: ManualTimer): void {
    let lo = 0;
    let hi = this.timers.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timers[mid].due <= timer.due) lo = mid + 1;
      else hi = mid;
    }
    this.timers.splice(lo, 0, timer);
  }
}
