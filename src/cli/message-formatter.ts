/**
 * How `skein console-consumer` prints a record: Kafka's DefaultMessageFormatter, configured with the
 * same `--property` names. Fields come in a fixed order, each printed only when asked for —
 *
 *   CreateTime:1700000000000<sep>Partition:0<sep>Offset:5<sep>h1:v1,h2:v2<sep>key<sep>value\n
 *
 * — where <sep> is `key.separator` (a tab by default). Keys, values and header values are written
 * as the bytes they are; null is written as `null.literal`.
 */
import { CliError } from './cli-error.js';

export interface ConsumedRecord {
  partition: number;
  offset: bigint;
  timestamp: bigint;
  timestampType: 'CreateTime' | 'LogAppendTime';
  key: Buffer | null;
  value: Buffer | null;
  headers: ReadonlyArray<{ key: string; value: Buffer | null }>;
}

export interface MessageFormatterConfig {
  printTimestamp: boolean;
  printPartition: boolean;
  printOffset: boolean;
  printHeaders: boolean;
  printKey: boolean;
  printValue: boolean;
  keySeparator: Buffer;
  lineSeparator: Buffer;
  headersSeparator: Buffer;
  nullLiteral: Buffer;
}

const BOOLEAN_PROPERTIES: Record<string, keyof MessageFormatterConfig> = {
  'print.timestamp': 'printTimestamp',
  'print.partition': 'printPartition',
  'print.offset': 'printOffset',
  'print.headers': 'printHeaders',
  'print.key': 'printKey',
  'print.value': 'printValue',
};
const TEXT_PROPERTIES: Record<string, keyof MessageFormatterConfig> = {
  'key.separator': 'keySeparator',
  'line.separator': 'lineSeparator',
  'headers.separator': 'headersSeparator',
  'null.literal': 'nullLiteral',
};

/** The formatter settings from `--property key=value` arguments; an unknown property is refused. */
export function messageFormatterConfig(properties: readonly string[]): MessageFormatterConfig {
  const config: MessageFormatterConfig = {
    printTimestamp: false,
    printPartition: false,
    printOffset: false,
    printHeaders: false,
    printKey: false,
    printValue: true,
    keySeparator: Buffer.from('\t'),
    lineSeparator: Buffer.from('\n'),
    headersSeparator: Buffer.from(','),
    nullLiteral: Buffer.from('null'),
  };
  for (const prop of properties) {
    const eq = prop.indexOf('=');
    if (eq <= 0) throw new CliError(`Invalid --property "${prop}": expected key=value, e.g. --property print.key=true`);
    const name = prop.slice(0, eq).trim();
    const value = prop.slice(eq + 1);
    const flag = BOOLEAN_PROPERTIES[name];
    const text = TEXT_PROPERTIES[name];
    if (flag !== undefined) {
      // As Kafka: "true" in any case is true, anything else false.
      (config[flag] as boolean) = value.trim().toLowerCase() === 'true';
    } else if (text !== undefined) {
      (config[text] as Buffer) = Buffer.from(value, 'utf8');
    } else {
      const known = [...Object.keys(BOOLEAN_PROPERTIES), ...Object.keys(TEXT_PROPERTIES)].join(', ');
      throw new CliError(`Unknown --property ${name}; the console consumer understands ${known}`);
    }
  }
  return config;
}

/** The bytes printed for one record. */
export function formatRecord(r: ConsumedRecord, c: MessageFormatterConfig): Buffer {
  const parts: Buffer[] = [];
  // After each field: the key separator if another field follows, else the line separator.
  const end = (more: boolean) => parts.push(more ? c.keySeparator : c.lineSeparator);
  const bytes = (b: Buffer | null) => b ?? c.nullLiteral;
  if (c.printTimestamp) {
    parts.push(Buffer.from(`${r.timestampType}:${r.timestamp}`));
    end(c.printPartition || c.printOffset || c.printHeaders || c.printKey || c.printValue);
  }
  if (c.printPartition) {
    parts.push(Buffer.from(`Partition:${r.partition}`));
    end(c.printOffset || c.printHeaders || c.printKey || c.printValue);
  }
  if (c.printOffset) {
    parts.push(Buffer.from(`Offset:${r.offset}`));
    end(c.printHeaders || c.printKey || c.printValue);
  }
  if (c.printHeaders) {
    if (r.headers.length === 0) parts.push(Buffer.from('NO_HEADERS'));
    r.headers.forEach((h, i) => {
      if (i > 0) parts.push(c.headersSeparator);
      parts.push(Buffer.from(`${h.key}:`), bytes(h.value));
    });
    end(c.printKey || c.printValue);
  }
  if (c.printKey) {
    parts.push(bytes(r.key));
    end(c.printValue);
  }
  if (c.printValue) {
    parts.push(bytes(r.value), c.lineSeparator);
  }
  return Buffer.concat(parts);
}
