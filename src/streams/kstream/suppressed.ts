/**
 * Suppressed (Kafka Streams' `Suppressed` and `BufferConfig`): how `KTable.suppress` holds updates
 * back.
 *
 * - `Suppressed.untilWindowCloses(BufferConfig.unbounded())` — for windowed tables: one final
 *   result per window, when stream time passes the window's end plus its grace period (a
 *   session's end plus the inactivity gap and the grace period: until then it can still grow).
 * - `Suppressed.untilTimeLimit(ms, bufferConfig)` — each key's latest value once `ms` of stream time
 *   have passed since its first update was buffered (rate limiting).
 *
 * The buffer is a changelogged store, so what it holds survives a crash and what it emits is in the
 * same transaction as its deletion: final results are emitted exactly once.
 */
import { TopologyError } from '../errors.js';

export interface BufferConfig {
  readonly maxRecords: number;
  readonly maxBytes: number;
  /** What to do when full: emit the oldest entries early, or fail the task (`untilWindowCloses` requires the latter or unbounded). */
  readonly whenFull: 'emitEarly' | 'shutDown';
  readonly loggingEnabled: boolean;
  readonly logConfig: Readonly<Record<string, string>>;
}

export const BufferConfig = {
  unbounded(): BufferConfig {
    return { maxRecords: Number.POSITIVE_INFINITY, maxBytes: Number.POSITIVE_INFINITY, whenFull: 'shutDown', loggingEnabled: true, logConfig: {} };
  },
  maxRecords(n: number): BufferConfig {
    if (!Number.isInteger(n) || n < 1) throw new TopologyError(`BufferConfig.maxRecords needs a positive integer, not ${n}`);
    return { ...BufferConfig.unbounded(), maxRecords: n, whenFull: 'emitEarly' };
  },
  maxBytes(n: number): BufferConfig {
    if (!Number.isInteger(n) || n < 1) throw new TopologyError(`BufferConfig.maxBytes needs a positive integer, not ${n}`);
    return { ...BufferConfig.unbounded(), maxBytes: n, whenFull: 'emitEarly' };
  },
  /** Emit the oldest buffered entries early when the buffer is full (not allowed with untilWindowCloses). */
  emitEarlyWhenFull(c: BufferConfig): BufferConfig {
    return { ...c, whenFull: 'emitEarly' };
  },
  /** Fail the task when the buffer is full rather than emit anything early. */
  shutDownWhenFull(c: BufferConfig): BufferConfig {
    return { ...c, whenFull: 'shutDown' };
  },
  withLoggingDisabled(c: BufferConfig): BufferConfig {
    return { ...c, loggingEnabled: false };
  },
  withLoggingEnabled(c: BufferConfig, config: Record<string, string> = {}): BufferConfig {
    return { ...c, loggingEnabled: true, logConfig: config };
  },
};

export interface Suppressed {
  readonly kind: 'untilWindowCloses' | 'untilTimeLimit';
  readonly timeToWaitMs: number;
  readonly buffer: BufferConfig;
  /** Names the node, and the buffer's store (`<name>-store`). */
  readonly name?: string;
}

export const Suppressed = {
  untilWindowCloses(buffer: BufferConfig): Suppressed {
    if (buffer.whenFull === 'emitEarly')
      throw new TopologyError('untilWindowCloses needs a buffer that never emits early: BufferConfig.unbounded() or shutDownWhenFull');
    return { kind: 'untilWindowCloses', timeToWaitMs: 0, buffer };
  },
  untilTimeLimit(timeToWaitMs: number, buffer: BufferConfig): Suppressed {
    if (!Number.isInteger(timeToWaitMs) || timeToWaitMs < 0)
      throw new TopologyError(`untilTimeLimit needs a non-negative whole number of milliseconds, not ${timeToWaitMs}`);
    return { kind: 'untilTimeLimit', timeToWaitMs, buffer };
  },
  withName(s: Suppressed, name: string): Suppressed {
    return { ...s, name };
  },
};
