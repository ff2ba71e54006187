/**
 * SessionWindows (Kafka Streams'): per key, records closer together than the inactivity gap form one
 * session `[first record, last record]`; a record that falls between two sessions merges them.
 */
import { checkMs } from './time-windows.js';

export class SessionWindows {
  private constructor(
    readonly inactivityGapMs: number,
    readonly graceMs: number,
  ) {}

  static ofInactivityGapWithNoGrace(gapMs: number): SessionWindows {
    return SessionWindows.ofInactivityGapAndGrace(gapMs, 0);
  }

  static ofInactivityGapAndGrace(gapMs: number, graceMs: number): SessionWindows {
    checkMs('inactivity gap', gapMs, 1);
    checkMs('grace period', graceMs, 0);
    return new SessionWindows(gapMs, graceMs);
  }

  /** How long a session store must keep sessions: gap plus grace. */
  get retentionMs(): number {
    return this.inactivityGapMs + this.graceMs;
  }
}
