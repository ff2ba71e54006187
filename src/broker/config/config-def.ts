/**
 * The shared vocabulary of the broker and topic config tables: value types, how a written value is
 * parsed (the way Kafka's ConfigDef parses it: trimmed, Java number syntax, case-insensitive
 * booleans, comma lists), validators, the numbers DescribeConfigs puts on the wire, and the typed
 * fields a table stands for (`ConfigFields`: one per definition, named and typed by it).
 *
 * Java's `long` does not fit a JS number; a long at or beyond 2^53 - 1 is clamped to
 * Number.MAX_SAFE_INTEGER, which every consumer treats as Long.MAX_VALUE ("never"). Printing goes
 * the other way, so DescribeConfigs shows Kafka's 9223372036854775807.
 */
import { INT32_MAX, INT32_MIN } from '../../protocol/constants.js';
import { ConfigError } from './config-error.js';

/** The value types of Kafka's ConfigDef. */
export type ConfigValueType = 'boolean' | 'string' | 'int' | 'short' | 'long' | 'double' | 'list' | 'class' | 'password';

/** A parsed configuration value. */
export type ConfigValue = number | boolean | string | string[];

/** How much a config matters, as in Kafka's documentation. */
export type Importance = 'high' | 'medium' | 'low';

/**
 * What Skein does with a config:
 * - `honoured`: it changes Skein's behaviour as it would Kafka's;
 * - `stored`: validated, kept and reported by DescribeConfigs (tools set it), but not acted on;
 * - `ignored`: accepted so that a Kafka `server.properties` loads, and otherwise without effect.
 */
export type Support = 'honoured' | 'stored' | 'ignored';

/**
 * A check of a parsed value. `T` is what the check lets through, when that is narrower than the
 * config's type (`oneOf('a', 'b')`: 'a' | 'b'), so that the typed field says so.
 */
export interface Validator<T extends ConfigValue = ConfigValue> {
  /** What is accepted, phrased to follow "expected …". */
  readonly expected: string;
  // Method syntax on purpose: a Validator<number> is then a Validator of any config value (it is
  // only ever given values its config's type parses to).
  test(value: T): boolean;
}

export interface ConfigDefinition {
  readonly name: string;
  readonly type: ConfigValueType;
  /** The default as Kafka prints it; null when there is none (the value is then derived or absent). */
  readonly default: string | null;
  readonly validator?: Validator;
  readonly importance: Importance;
  /** One line of our own: what the config does in Skein. */
  readonly doc: string;
  readonly support: Support;
}

/** DescribeConfigs `config_source` (Kafka's DescribeConfigsResponse.ConfigSource ids). */
export const ConfigSource = {
  UNKNOWN: 0,
  TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
  DYNAMIC_BROKER_LOGGER_CONFIG: 6,
} as const;
export type ConfigSourceId = (typeof ConfigSource)[keyof typeof ConfigSource];

/** DescribeConfigs v3+ `config_type` (KIP-569). */
export const ConfigTypeId = {
  UNKNOWN: 0,
  BOOLEAN: 1,
  STRING: 2,
  INT: 3,
  SHORT: 4,
  LONG: 5,
  DOUBLE: 6,
  LIST: 7,
  CLASS: 8,
  PASSWORD: 9,
} as const;
export type ConfigTypeIdValue = (typeof ConfigTypeId)[keyof typeof ConfigTypeId];

export function configTypeId(type: ConfigValueType): ConfigTypeIdValue {
  return ConfigTypeId[type.toUpperCase() as Uppercase<ConfigValueType>];
}

/** One synonym in a DescribeConfigs v1+ entry. */
export interface ConfigSynonym {
  name: string;
  value: string | null;
  source: ConfigSourceId;
}

/** One entry of a DescribeConfigs answer, independent of the wire version. */
export interface DescribedConfig {
  name: string;
  /** null for a sensitive config or one without a value. */
  value: string | null;
  source: ConfigSourceId;
  readOnly: boolean;
  isSensitive: boolean;
  /** v1+: highest precedence first. */
  synonyms: ConfigSynonym[];
  /** v3+. */
  type: ConfigTypeIdValue;
  /** v3+. */
  documentation: string;
}

export const LONG_MAX_STRING = '9223372036854775807';
const LONG_MIN_STRING = '-9223372036854775808';

const INTEGER_RANGES: Record<'int' | 'short' | 'long', [bigint, bigint]> = {
  short: [-32768n, 32767n],
  int: [BigInt(INT32_MIN), BigInt(INT32_MAX)],
  long: [-9223372036854775808n, 9223372036854775807n],
};

const TYPE_EXPECTED: Record<ConfigValueType, string> = {
  boolean: 'true or false',
  string: 'a string',
  class: 'a class name',
  password: 'a string',
  list: 'a comma-separated list',
  int: `a whole number from ${INT32_MIN} to ${INT32_MAX} (int)`,
  short: 'a whole number from -32768 to 32767 (short)',
  long: 'a whole number from -9223372036854775808 to 9223372036854775807 (long)',
  double: 'a decimal number (double)',
};

const WHOLE = /^[+-]?\d+$/;
// Java's Double.parseDouble: optional sign, digits with an optional fraction, exponent, d/f suffix.
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[dDfF]?$/;

/**
 * Parse a written value as Kafka's ConfigDef would, then run the definition's validator.
 * `origin` (e.g. "set by --override") is added to the error message.
 */
export function parseConfigValue(def: ConfigDefinition, raw: string, origin?: string): ConfigValue {
  const value = parseTyped(def.name, def.type, raw, origin);
  if (def.validator && !def.validator.test(value)) {
    throw ConfigError.invalidValue(def.name, raw, def.validator.expected, origin);
  }
  return value;
}

function parseTyped(name: string, type: ConfigValueType, raw: string, origin?: string): ConfigValue {
  const trimmed = raw.trim();
  const fail = (): never => {
    throw ConfigError.invalidValue(name, raw, TYPE_EXPECTED[type], origin);
  };
  switch (type) {
    case 'boolean': {
      const lower = trimmed.toLowerCase();
      if (lower === 'true') return true;
      if (lower === 'false') return false;
      return fail();
    }
    case 'string':
    case 'class':
    case 'password':
      return trimmed;
    case 'list':
      return trimmed === '' ? [] : trimmed.split(/\s*,\s*/);
    case 'int':
    case 'short':
    case 'long': {
      if (!WHOLE.test(trimmed)) return fail();
      const n = BigInt(trimmed);
      const [min, max] = INTEGER_RANGES[type];
      if (n < min || n > max) return fail();
      if (n >= BigInt(Number.MAX_SAFE_INTEGER)) return Number.MAX_SAFE_INTEGER;
      if (n <= BigInt(-Number.MAX_SAFE_INTEGER)) return -Number.MAX_SAFE_INTEGER;
      return Number(n);
    }
    case 'double': {
      if (trimmed === 'NaN') return NaN;
      if (/^[+-]?Infinity$/.test(trimmed)) return trimmed.startsWith('-') ? -Infinity : Infinity;
      if (!DECIMAL.test(trimmed)) return fail();
      return Number(trimmed.replace(/[dDfF]$/, ''));
    }
  }
}

/** Print a parsed value the way Kafka prints it in DescribeConfigs. */
export function formatConfigValue(type: ConfigValueType, value: ConfigValue): string {
  switch (type) {
    case 'list':
      return (value as string[]).join(',');
    case 'long': {
      const n = value as number;
      if (n >= Number.MAX_SAFE_INTEGER) return LONG_MAX_STRING;
      if (n <= -Number.MAX_SAFE_INTEGER) return LONG_MIN_STRING;
      return String(n);
    }
    case 'double':
      return javaDoubleString(value as number);
    default:
      return String(value);
  }
}

/** Java's Double.toString for the values configs hold: 0.5, 1.0, 1.7976931348623157E308. */
function javaDoubleString(n: number): string {
  if (!Number.isFinite(n)) return Number.isNaN(n) ? 'NaN' : n > 0 ? 'Infinity' : '-Infinity';
  const abs = Math.abs(n);
  if (abs !== 0 && (abs >= 1e7 || abs < 1e-3)) {
    const [mantissa, exponent] = n.toExponential().split('e');
    const m = mantissa.includes('.') ? mantissa : `${mantissa}.0`;
    return `${m}E${Number(exponent)}`;
  }
  return Number.isInteger(n) ? n.toFixed(1) : String(n);
}

// ---- validators -------------------------------------------------------------------------------

export function atLeast(min: number): Validator<number> {
  return { expected: `a value of at least ${min}`, test: (v) => v >= min };
}

export function between(min: number, max: number): Validator<number> {
  return { expected: `a value between ${min} and ${max}`, test: (v) => v >= min && v <= max };
}

/** One of a fixed set of strings, case-sensitive as Kafka's ValidString. */
export function oneOf<const T extends string>(...options: T[]): Validator<T> {
  const allowed: readonly string[] = options;
  return { expected: `one of ${options.join(', ')}`, test: (v) => allowed.includes(v) };
}

/** A non-empty list whose every item is one of the options. */
export function nonEmptySubsetOf<const T extends string>(...options: T[]): Validator<T[]> {
  const allowed: readonly string[] = options;
  return {
    expected: `a comma-separated list of one or more of ${options.join(', ')}`,
    test: (items) => items.length > 0 && items.every((item) => allowed.includes(item)),
  };
}

export function validator<T extends ConfigValue = ConfigValue>(expected: string, test: (value: T) => boolean): Validator<T> {
  return { expected, test };
}

// ---- typed fields ------------------------------------------------------------------------------

/** What a value of each config type parses to. */
export type ConfigTypeValue<T extends ConfigValueType> = T extends 'boolean'
  ? boolean
  : T extends 'int' | 'short' | 'long' | 'double'
    ? number
    : T extends 'list'
      ? string[]
      : string;

/** A definition's parsed value: what its validator lets through when that is narrower, else its type's. */
export type ConfigDefinitionValue<D extends ConfigDefinition> = D extends { readonly validator: Validator<infer V> }
  ? [V] extends [ConfigTypeValue<D['type']>]
    ? V
    : ConfigTypeValue<D['type']>
  : ConfigTypeValue<D['type']>;

/** A config's field name: `log.retention.check.interval.ms` → `logRetentionCheckIntervalMs`. */
export type CamelCase<S extends string> = S extends `${infer Head}.${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : S;

export function camelCase(name: string): string {
  return name.replace(/\.(.)/g, (_, c: string) => c.toUpperCase());
}

/**
 * One field per definition of a table (declared `as const`), named `camelCase(name)` and typed by
 * its `type` and validator; null when the definition has no default and nothing was given.
 */
export type ConfigFields<D extends ConfigDefinition> = {
  [K in D as CamelCase<K['name']>]: K['default'] extends null ? ConfigDefinitionValue<K> | null : ConfigDefinitionValue<K>;
};

/** Index a table by name, refusing duplicates (a typo in a table should fail the tests, not hide). */
export function indexDefinitions(defs: readonly ConfigDefinition[]): ReadonlyMap<string, ConfigDefinition> {
  const byName = new Map<string, ConfigDefinition>();
  for (const def of defs) {
    if (byName.has(def.name)) throw new Error(`config ${def.name} is defined twice`);
    byName.set(def.name, def);
  }
  return byName;
}
