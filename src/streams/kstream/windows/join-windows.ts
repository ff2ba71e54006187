/**
 * JoinWindows (Kafka Streams'): two stream records join when their timestamps are at most `before`
 * ms (the other record earlier) or `after` ms (later) apart; symmetric by default.
 */
import { TopologyError } from '../../errors.js';
import { checkMs } from './time-windows.js';

export class JoinWindows {
  private constructor(
    readonly beforeMs: number,
    readonly afterMs: number,
    readonly graceMs: number,
  ) {}

  static ofTimeDifferenceWithNoGrace(timeDifferenceMs: number): JoinWindows {
    return JoinWindows.ofTimeDifferenceAndGrace(timeDifferenceMs, 0);
  }

  static ofTimeDifferenceAndGrace(timeDifferenceMs: number, graceMs: number): JoinWindows {
    checkMs('time difference', timeDifferenceMs, 0);
    checkMs('grace period', graceMs, 0);
    return new JoinWindows(timeDifferenceMs, timeDifferenceMs, graceMs);
  }

  /** Only other records at most `beforeMs` earlier (and up to `after` later) join. */
  before(beforeMs: number): JoinWindows {
    checkMs('before', beforeMs, 0);
    return this.check(new JoinWindows(beforeMs, this.afterMs, this.graceMs));
  }

  /** Only other records at most `afterMs` later (and up to `before` earlier) join. */
  after(afterMs: number): JoinWindows {
    checkMs('after', afterMs, 0);
    return this.check(new JoinWindows(this.beforeMs, afterMs, this.graceMs));
  }

  private check(w: JoinWindows): JoinWindows {
    if (w.beforeMs + w.afterMs < 0) throw new TopologyError('a join window must not be empty');
    return w;
  }

  get sizeMs(): number {
    return this.beforeMs + this.afterMs;
  }

  /** A join store keeps records for the window and the grace period. */
  get retentionMs(): number {
    return this.beforeMs + this.afterMs + this.graceMs;
  }
}
