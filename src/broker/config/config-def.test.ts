import { describe, expect, it } from 'vitest';
import { configTypeId, ConfigTypeId, formatConfigValue, parseConfigValue, type ConfigDefinition, type ConfigValueType } from './config-def.js';

const def = (type: ConfigValueType): ConfigDefinition => ({
  name: 'x',
  type,
  default: null,
  importance: 'low',
  support: 'honoured',
  doc: 'test',
});
const parse = (type: ConfigValueType, raw: string) => parseConfigValue(def(type), raw);

describe('parseConfigValue', () => {
  it('keeps longs within the safe range and clamps Long.MAX_VALUE / MIN_VALUE to ±MAX_SAFE_INTEGER', () => {
    expect(parse('long', '9007199254740990')).toBe(9007199254740990);
    expect(parse('long', '9223372036854775807')).toBe(Number.MAX_SAFE_INTEGER);
    expect(parse('long', '-9223372036854775808')).toBe(-Number.MAX_SAFE_INTEGER);
    expect(() => parse('long', '9223372036854775808')).toThrowError(/\(long\)/);
  });

  it('enforces int and short ranges', () => {
    expect(parse('int', '-2147483648')).toBe(-2147483648);
    expect(() => parse('int', '-2147483649')).toThrowError(/\(int\)/);
    expect(parse('short', '32767')).toBe(32767);
    expect(() => parse('short', '32768')).toThrowError(/\(short\)/);
  });

  it('rejects what Java would not parse as a whole number', () => {
    for (const raw of ['', '0x10', '1_000', '1e3', '1.0', '--1']) expect(() => parse('int', raw), raw).toThrow();
  });

  it('parses doubles as Java does', () => {
    expect(parse('double', '.5')).toBe(0.5);
    expect(parse('double', '5.')).toBe(5);
    expect(parse('double', '1e-3')).toBe(0.001);
    expect(parse('double', '0.9f')).toBe(0.9);
    expect(() => parse('double', '0,5')).toThrow();
  });

  it('splits lists on commas with blanks and reads an empty string as an empty list', () => {
    expect(parse('list', ' a ,b,  c ')).toEqual(['a', 'b', 'c']);
    expect(parse('list', '   ')).toEqual([]);
  });
});

describe('formatConfigValue', () => {
  it('prints like Java', () => {
    expect(formatConfigValue('double', 1)).toBe('1.0');
    expect(formatConfigValue('double', 0.25)).toBe('0.25');
    expect(formatConfigValue('double', 0.0001)).toBe('1.0E-4');
    expect(formatConfigValue('double', 12345678)).toBe('1.2345678E7');
    expect(formatConfigValue('long', Number.MAX_SAFE_INTEGER)).toBe('9223372036854775807');
    expect(formatConfigValue('int', -1)).toBe('-1');
    expect(formatConfigValue('list', ['compact', 'delete'])).toBe('compact,delete');
    expect(formatConfigValue('boolean', false)).toBe('false');
  });
});

describe('configTypeId', () => {
  it('maps to the DescribeConfigs v3 numbers', () => {
    expect((['boolean', 'string', 'int', 'short', 'long', 'double', 'list', 'class', 'password'] as const).map(configTypeId)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9,
    ]);
    expect(ConfigTypeId.UNKNOWN).toBe(0);
  });
});
