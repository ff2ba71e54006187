import { describe, expect, it } from 'vitest';
import { SerdeErrorCode } from './error-codes.js';
import { Serdes } from './serdes.js';
import { hex, serializationErrorOf } from './testing.js';

// Expected bytes are written out by hand from the Java serializers' definitions (big-endian two's
// complement; IEEE 754 with Java's canonical NaN), not produced by the code under test.

describe('Serdes.Long', () => {
  const long = Serdes.Long();
  const cases: [number, string][] = [
    [0, '00 00 00 00 00 00 00 00'],
    [1, '00 00 00 00 00 00 00 01'],
    [-1, 'ff ff ff ff ff ff ff ff'],
    [255, '00 00 00 00 00 00 00 ff'],
    [2 ** 32, '00 00 00 01 00 00 00 00'],
    [-(2 ** 32), 'ff ff ff ff 00 00 00 00'],
    [1234567890123, '00 00 01 1f 71 fb 04 cb'],
    [-1234567890123, 'ff ff fe e0 8e 04 fb 35'],
    [Number.MAX_SAFE_INTEGER, '00 1f ff ff ff ff ff ff'],
    [Number.MIN_SAFE_INTEGER, 'ff e0 00 00 00 00 00 01'],
  ];

  it.each(cases)('%d is written as Java writes it, and reads back', (value, bytes) => {
    expect(long.serialize('t', value)).toEqual(hex(bytes));
    expect(long.deserialize('t', hex(bytes))).toBe(value);
  });

  it('writes -0 as 0', () => {
    expect(long.serialize('t', -0)).toEqual(hex('00 00 00 00 00 00 00 00'));
  });

  it.each([
    ['2^53', '00 20 00 00 00 00 00 00', '9007199254740992'],
    ['-2^53', 'ff e0 00 00 00 00 00 00', '-9007199254740992'],
    ['Long.MAX_VALUE', '7f ff ff ff ff ff ff ff', '9223372036854775807'],
    ['Long.MIN_VALUE', '80 00 00 00 00 00 00 00', '-9223372036854775808'],
  ])('refuses to read %s rather than round it', (_name, bytes, exact) => {
    const error = serializationErrorOf(() => long.deserialize('counts', hex(bytes)));
    expect(error.code).toBe(SerdeErrorCode.CORRUPT_DATA);
    expect(error.detail).toBe(`LongDeserializer read ${exact}, outside the safe integer range of a JavaScript number (±9007199254740991)`);
  });

  it.each([1.5, Number.MAX_SAFE_INTEGER + 1, -(2 ** 60), NaN, Infinity])('refuses to write %d', (value) => {
    const error = serializationErrorOf(() => long.serialize('counts', value));
    expect(error.code).toBe(SerdeErrorCode.INVALID_VALUE);
    expect(error.operation).toBe('serialize');
    expect(error.message).toMatch(/^Failed to serialize data for counts with serde Long: LongSerializer takes a safe integer/);
  });

  it('refuses a bigint or a string from JavaScript callers', () => {
    expect(serializationErrorOf(() => long.serialize('t', 5n as unknown as number)).detail).toMatch(/got bigint 5$/);
    expect(serializationErrorOf(() => long.serialize('t', '5' as unknown as number)).detail).toMatch(/got string "5"$/);
  });

  it.each([0, 4, 7, 9])("refuses %d bytes with Java's message", (size) => {
    const error = serializationErrorOf(() => long.deserialize('text-lines', Buffer.alloc(size)));
    expect(error.code).toBe(SerdeErrorCode.CORRUPT_DATA);
    expect(error.detail).toBe('Size of data received by LongDeserializer is not 8');
    expect(error.message).toBe('Failed to deserialize data from text-lines with serde Long: Size of data received by LongDeserializer is not 8');
    expect(error.serde).toBe('Long');
    expect(error.topic).toBe('text-lines');
  });

  it('reads a value inside a larger buffer (a slice of a fetch response)', () => {
    const fetched = hex('aa 00 00 00 00 00 00 00 2a bb');
    expect(long.deserialize('t', fetched.subarray(1, 9))).toBe(42);
  });
});

describe('Serdes.Int32', () => {
  const int32 = Serdes.Int32();
  it.each([
    [0, '00 00 00 00'],
    [1, '00 00 00 01'],
    [-1, 'ff ff ff ff'],
    [256, '00 00 01 00'],
    [2147483647, '7f ff ff ff'],
    [-2147483648, '80 00 00 00'],
  ])('%d is written as Java writes it, and reads back', (value, bytes) => {
    expect(int32.serialize('t', value)).toEqual(hex(bytes));
    expect(int32.deserialize('t', hex(bytes))).toBe(value);
  });

  it.each([2147483648, -2147483649, 0.5, NaN])('refuses to write %d', (value) => {
    const error = serializationErrorOf(() => int32.serialize('t', value));
    expect(error.code).toBe(SerdeErrorCode.INVALID_VALUE);
    expect(error.detail).toMatch(/^Int32Serializer takes an integer from -2147483648 to 2147483647; got number/);
  });

  it.each([0, 2, 8])('refuses %d bytes', (size) => {
    expect(serializationErrorOf(() => int32.deserialize('t', Buffer.alloc(size))).detail).toBe('Size of data received by Int32Deserializer is not 4');
  });
});

describe('Serdes.Short', () => {
  const short = Serdes.Short();
  it.each([
    [1, '00 01'],
    [-2, 'ff fe'],
    [32767, '7f ff'],
    [-32768, '80 00'],
  ])('%d is written as Java writes it, and reads back', (value, bytes) => {
    expect(short.serialize('t', value)).toEqual(hex(bytes));
    expect(short.deserialize('t', hex(bytes))).toBe(value);
  });

  it('refuses values outside int16 and wrong sizes', () => {
    expect(serializationErrorOf(() => short.serialize('t', 32768)).code).toBe(SerdeErrorCode.INVALID_VALUE);
    expect(serializationErrorOf(() => short.deserialize('t', Buffer.alloc(4))).detail).toBe('Size of data received by ShortDeserializer is not 2');
  });
});

describe('Serdes.Double', () => {
  const double = Serdes.Double();
  it.each([
    [1.5, '3f f8 00 00 00 00 00 00'],
    [-2, 'c0 00 00 00 00 00 00 00'],
    [0.1, '3f b9 99 99 99 99 99 9a'],
    [0, '00 00 00 00 00 00 00 00'],
    [-0, '80 00 00 00 00 00 00 00'],
    [Infinity, '7f f0 00 00 00 00 00 00'],
    [-Infinity, 'ff f0 00 00 00 00 00 00'],
    [Number.MAX_VALUE, '7f ef ff ff ff ff ff ff'],
  ])('%d is written as Java writes it, and reads back', (value, bytes) => {
    expect(double.serialize('t', value)).toEqual(hex(bytes));
    expect(Object.is(double.deserialize('t', hex(bytes)), value)).toBe(true);
  });

  it("writes every NaN as Java's canonical NaN, and reads NaN back", () => {
    const negativePayloadNaN = hex('ff f8 00 00 00 00 00 01').readDoubleBE(0);
    expect(double.serialize('t', NaN)).toEqual(hex('7f f8 00 00 00 00 00 00'));
    expect(double.serialize('t', negativePayloadNaN)).toEqual(hex('7f f8 00 00 00 00 00 00'));
    expect(double.deserialize('t', hex('7f f8 00 00 00 00 00 00'))).toBeNaN();
  });

  it('refuses a non-number and wrong sizes', () => {
    expect(serializationErrorOf(() => double.serialize('t', '1.5' as unknown as number)).detail).toBe('DoubleSerializer takes a number; got string "1.5"');
    expect(serializationErrorOf(() => double.deserialize('t', Buffer.alloc(4))).detail).toBe('Size of data received by DoubleDeserializer is not 8');
  });
});

describe('Serdes.Float', () => {
  const float = Serdes.Float();
  it('writes IEEE 754 binary32 as Java does, rounding to the nearest float', () => {
    expect(float.serialize('t', 1.5)).toEqual(hex('3f c0 00 00'));
    expect(float.serialize('t', 0.1)).toEqual(hex('3d cc cc cd'));
    expect(float.deserialize('t', hex('3d cc cc cd'))).toBe(0.10000000149011612);
    expect(float.serialize('t', NaN)).toEqual(hex('7f c0 00 00'));
    expect(float.serialize('t', hex('ff f8 00 00 00 00 00 01').readDoubleBE(0))).toEqual(hex('7f c0 00 00'));
  });

  it('refuses wrong sizes', () => {
    expect(serializationErrorOf(() => float.deserialize('t', Buffer.alloc(8))).detail).toBe('Size of data received by FloatDeserializer is not 4');
  });
});
