/**
 * Turns stdin lines into records for `skein console-producer`, as Kafka's LineMessageReader does,
 * configured by `--property key=value`:
 *
 *   parse.key      true: split each line at key.separator into key and value (default false)
 *   key.separator  where to split (default a tab)
 *   ignore.error   true: a line without the separator becomes a value with no key instead of an
 *                  error (default false)
 *   null.marker    a key or value equal to this string is sent as null (default: none)
 *
 * Left out: parse.headers and its separators. Unknown properties are refused rather than ignored,
 * so a typo does not silently change what gets sent.
 */
import { CliError } from './cli-error.js';

export interface LineReaderConfig {
  parseKey: boolean;
  keySeparator: string;
  ignoreError: boolean;
  nullMarker: string | null;
}

export interface LineRecord {
  key: string | null;
  value: string | null;
}

const KNOWN = ['parse.key', 'key.separator', 'ignore.error', 'null.marker'];

/** Reads `--property` arguments (`key=value` each) into a reader configuration. */
export function lineReaderConfig(properties: readonly string[]): LineReaderConfig {
  const config: LineReaderConfig = { parseKey: false, keySeparator: '\t', ignoreError: false, nullMarker: null };
  for (const prop of properties) {
    const eq = prop.indexOf('=');
    if (eq <= 0) throw new CliError(`Invalid --property "${prop}": expected key=value, e.g. --property parse.key=true`);
    const key = prop.slice(0, eq).trim();
    const value = prop.slice(eq + 1);
    switch (key) {
      case 'parse.key':
        config.parseKey = javaBoolean(value);
        break;
      case 'key.separator':
        if (value === '') throw new CliError('Invalid --property key.separator=: the separator cannot be empty');
        config.keySeparator = value;
        break;
      case 'ignore.error':
        config.ignoreError = javaBoolean(value);
        break;
      case 'null.marker':
        if (value === '') throw new CliError('Invalid --property null.marker=: the marker cannot be empty');
        config.nullMarker = value;
        break;
      default:
        throw new CliError(`Unknown --property ${key}; the console producer understands ${KNOWN.join(', ')}`);
    }
  }
  if (config.nullMarker !== null && config.parseKey && config.nullMarker === config.keySeparator) {
    throw new CliError('null.marker and key.separator may not be equal');
  }
  return config;
}

export class LineMessageReader {
  private lineNumber = 0;

  constructor(private readonly config: LineReaderConfig) {}

  /** The record for the next line; CliError for a line without the separator (unless ignore.error). */
  read(line: string): LineRecord {
    this.lineNumber++;
    const { parseKey, keySeparator, ignoreError } = this.config;
    if (!parseKey) return { key: null, value: this.orNull(line) };
    const at = line.indexOf(keySeparator);
    if (at < 0) {
      if (ignoreError) return { key: null, value: this.orNull(line) };
      throw new CliError(`No key separator found on line number ${this.lineNumber}: '${line}'`);
    }
    return { key: this.orNull(line.slice(0, at)), value: this.orNull(line.slice(at + keySeparator.length)) };
  }

  private orNull(s: string): string | null {
    return this.config.nullMarker !== null && s === this.config.nullMarker ? null : s;
  }
}

/** java.lang.Boolean.parseBoolean: "true" in any case is true, anything else false. */
function javaBoolean(s: string): boolean {
  return s.trim().toLowerCase() === 'true';
}
