/**
 * Java `.properties` text → Map, following java.util.Properties.load:
 * - a line whose first non-blank character is `#` or `!` is a comment (and never continues);
 * - the key ends at the first unescaped `=`, `:` or blank; blanks around one `=`/`:` are dropped,
 *   so `k=v`, `k: v`, `k v` and `k = v` are all the same; a line with only a key has value "";
 * - a line ending in an odd number of backslashes continues on the next line, whose leading
 *   blanks are dropped;
 * - escapes: `\t \n \r \f`, `\uXXXX`; a backslash before any other character stands for that
 *   character (so `\=`, `\:`, `\ ` and `\\` put those characters into a key);
 * - trailing blanks of a value are kept; a later duplicate key wins.
 *
 * Differences, deliberately: the text is whatever the caller decoded (the CLI reads UTF-8, Java
 * reads ISO-8859-1 — identical for ASCII files, and `\uXXXX` works either way); a leading byte
 * order mark is dropped instead of becoming part of the first key.
 */
import { ConfigError } from './config-error.js';

const BLANK = new Set([' ', '\t', '\f']);

export function parseProperties(text: string): Map<string, string> {
  const props = new Map<string, string>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    const lineNumber = i + 1;
    let logical = stripLeadingBlanks(lines[i]);
    if (logical === '' || logical[0] === '#' || logical[0] === '!') continue;
    while (endsWithContinuation(logical)) {
      logical = logical.slice(0, -1);
      if (++i >= lines.length) break; // a backslash on the last line is dropped, as Java does
      logical += stripLeadingBlanks(lines[i]);
    }
    const [rawKey, rawValue] = splitKeyValue(logical);
    props.set(unescape(rawKey, lineNumber), unescape(rawValue, lineNumber));
  }
  return props;
}

/**
 * One `--override key=value` argument of `skein broker start`. The value is everything after the
 * first `=` (it may itself contain `=`, and may be empty).
 */
export function parseOverride(arg: string): { key: string; value: string } {
  const eq = arg.indexOf('=');
  const key = eq < 0 ? '' : arg.slice(0, eq).trim();
  if (key === '' || /\s/.test(key)) {
    throw new ConfigError(`Malformed --override ${JSON.stringify(arg)}: expected key=value, e.g. --override log.retention.hours=24`, {
      value: arg,
      expected: 'key=value',
    });
  }
  return { key, value: arg.slice(eq + 1) };
}

/** Several `--override` arguments, in order; a later one for the same key wins. */
export function parseOverrides(args: readonly string[]): Map<string, string> {
  const overrides = new Map<string, string>();
  for (const arg of args) {
    const { key, value } = parseOverride(arg);
    overrides.set(key, value);
  }
  return overrides;
}

function stripLeadingBlanks(line: string): string {
  let start = 0;
  while (start < line.length && BLANK.has(line[start])) start++;
  return line.slice(start);
}

function endsWithContinuation(line: string): boolean {
  let backslashes = 0;
  for (let j = line.length - 1; j >= 0 && line[j] === '\\'; j--) backslashes++;
  return backslashes % 2 === 1;
}

function splitKeyValue(line: string): [string, string] {
  let keyEnd = 0;
  let escaped = false;
  for (; keyEnd < line.length; keyEnd++) {
    const c = line[keyEnd];
    if (escaped) {
      escaped = false;
    } else if (c === '\\') {
      escaped = true;
    } else if (c === '=' || c === ':' || BLANK.has(c)) {
      break;
    }
  }
  let valueStart = keyEnd;
  let separatorSeen = false;
  while (valueStart < line.length) {
    const c = line[valueStart];
    if (BLANK.has(c)) {
      valueStart++;
    } else if (!separatorSeen && (c === '=' || c === ':')) {
      separatorSeen = true;
      valueStart++;
    } else {
      break;
    }
  }
  return [line.slice(0, keyEnd), line.slice(valueStart)];
}

const SIMPLE_ESCAPES: Record<string, string> = { t: '\t', n: '\n', r: '\r', f: '\f' };

function unescape(s: string, lineNumber: number): string {
  if (!s.includes('\\')) return s;
  let out = '';
  for (let j = 0; j < s.length; j++) {
    const c = s[j];
    if (c !== '\\' || j === s.length - 1) {
      out += c === '\\' ? '' : c;
      continue;
    }
    const next = s[++j];
    if (next === 'u') {
      const hex = s.slice(j + 1, j + 5);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
        throw new ConfigError(`Malformed \\uXXXX escape on line ${lineNumber} of the properties: \\u${hex} (expected four hex digits)`, {
          value: `\\u${hex}`,
          expected: 'four hex digits after \\u',
        });
      }
      out += String.fromCharCode(parseInt(hex, 16));
      j += 4;
    } else {
      out += SIMPLE_ESCAPES[next] ?? next;
    }
  }
  return out;
}
