import { describe, expect, it } from 'vitest';
import { SerdeErrorCode } from './error-codes.js';
import { Serdes } from './serdes.js';
import { serializationErrorOf } from './testing.js';

describe('Serdes.Json', () => {
  const json = Serdes.Json<unknown>();
  it('writes JSON text in UTF-8', () => {
    expect(json.serialize('t', { a: [1, 'é'] })?.toString('utf8')).toBe('{"a":[1,"é"]}');
    expect(json.deserialize('t', Buffer.from(' {"a": [1, "\\u00e9"]} '))).toEqual({ a: [1, 'é'] });
  });

  it("keeps Kafka's null apart from JSON's: null is a null record, the bytes `null` read as null", () => {
    expect(json.serialize('t', null)).toBeNull();
    expect(json.deserialize('t', Buffer.from('null'))).toBeNull();
  });

  it.each([
    ['not JSON', 'hello'],
    ['truncated', '{"a":'],
    ['empty', ''],
  ])('refuses bytes that are %s', (_what, text) => {
    const error = serializationErrorOf(() => json.deserialize('orders', Buffer.from(text)));
    expect(error.code).toBe(SerdeErrorCode.CORRUPT_DATA);
    expect(error.detail).toMatch(/^Data is not valid JSON: /);
    expect(error.message).toMatch(/^Failed to deserialize data from orders with serde Json: Data is not valid JSON: /);
  });

  it('refuses values JSON cannot hold', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(serializationErrorOf(() => json.serialize('t', cycle)).detail).toMatch(/^JSON\.stringify failed: /);
    expect(serializationErrorOf(() => json.serialize('t', { n: 1n })).detail).toMatch(/^JSON\.stringify failed: .*BigInt/);
    expect(serializationErrorOf(() => json.serialize('t', () => 1)).detail).toBe('JSON cannot represent a function');
  });
});
