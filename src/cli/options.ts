/** Argument parsers and small helpers shared by the commands' commander definitions. */
import { InvalidArgumentError } from 'commander';

/** For repeatable options (`--config a=1 --config b=2`): collects every value in order. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** A decimal integer (sign allowed), left to the command to range-check with its own message. */
export function integer(value: string): number {
  if (!/^[+-]?\d+$/.test(value.trim())) throw new InvalidArgumentError('Not an integer.');
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError('Out of range.');
  return n;
}

/** A 64-bit signed decimal integer (an offset or an offset delta). */
export function long(value: string): bigint {
  if (!/^[+-]?\d+$/.test(value.trim())) throw new InvalidArgumentError('Not an integer.');
  const n = BigInt(value.trim());
  if (n > 0x7fffffffffffffffn || n < -0x8000000000000000n) throw new InvalidArgumentError('Out of range.');
  return n;
}

/** Writes whole lines to stdout. */
export function printLines(lines: readonly string[]): void {
  if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
}

/** Writes one line to stderr. */
export function printError(line: string): void {
  process.stderr.write(`${line}\n`);
}
