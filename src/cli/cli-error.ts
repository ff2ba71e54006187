/**
 * A mistake on the command line or a request the command cannot carry out, as the user would
 * describe it: the message alone is printed (no stack trace) and the command exits with code 1.
 */
export class CliError extends Error {
  override name = 'CliError';
  /** Stable code for programs that catch it. */
  readonly code = 'SKEIN_CLI_ERROR';
  /** Process exit code the CLI ends with. */
  readonly exitCode: number;

  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** JavaScript's own error classes, whose names say what kind of mistake it was (a typo in a module). */
const BUILTIN_ERRORS = new Set(['SyntaxError', 'TypeError', 'ReferenceError', 'RangeError']);

/** An error as one line for the user: its message (after its class for JavaScript's own errors), no stack. */
export function errorLine(e: unknown): string {
  if (!(e instanceof Error)) return String(e).split('\n')[0].trim();
  const text = BUILTIN_ERRORS.has(e.name) ? `${e.name}: ${e.message}` : e.message;
  return text.split('\n')[0].trim();
}
