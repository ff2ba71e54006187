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
