/**
 * A broker Logger that keeps every line (with its level and component) instead of printing it, so a
 * test can assert on what the broker said: e.g. that malformed input produced warnings about closed
 * connections and never an ERROR, which in this broker always means a bug.
 */
import type { Logger } from '../../src/broker/logger.js';

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  component: string;
  message: string;
}

export interface RecordingLogger extends Logger {
  readonly lines: LogLine[];
  /** Lines at `error` level, formatted for an assertion message. */
  errors(): string[];
}

export function recordingLogger(): RecordingLogger {
  const lines: LogLine[] = [];
  const make = (component: string): Logger => ({
    debug: (message) => void lines.push({ level: 'debug', component, message }),
    info: (message) => void lines.push({ level: 'info', component, message }),
    warn: (message) => void lines.push({ level: 'warn', component, message }),
    error: (message) => void lines.push({ level: 'error', component, message }),
    child: (c) => make(c),
  });
  return {
    ...make('skein'),
    lines,
    errors: () => lines.filter((l) => l.level === 'error').map((l) => `ERROR ${l.message} (${l.component})`),
  };
}
