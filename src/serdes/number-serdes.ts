/**
 * Fixed-width numbers, byte for byte as Java's serializers write them, so a Java (or kafkajs, or
 * librdkafka) application on the other side of a topic reads the same value:
 *
 * | serde  | bytes | Java counterpart                  | JavaScript value              |
 * |--------|-------|-----------------------------------|-------------------------------|
 * | Short  | 2     | ShortSerializer (int16 BE)        | integer in [-2^15, 2^15)      |
 * | Int32  | 4     | IntegerSerializer (int32 BE)      | integer in [-2^31, 2^31)      |
 * | Long   | 8     | LongSerializer (int64 BE)         | safe integer (±(2^53 - 1))    |
 * | Float  | 4     | FloatSerializer (IEEE 754 binary32 BE) | number, rounded to binary32 |
 * | Double | 8     | DoubleSerializer (IEEE 754 binary64 BE) | number                 |
 *
 * NaN is written as Java writes it (one canonical NaN), whatever sign and payload bits it carries.
 * Long deserializes to a `number` because counts are numbers; a long beyond the safe range is an
 * error rather than a silently rounded number, and so is serializing a non-integer or unsafe one.
 */
import type { Serde } from './serde.js';
import { corruptData, describeValue, invalidValue } from './serde-fault.js';

const TWO_POW_32 = 2 ** 32;
const FLOAT_NAN: readonly number[] = [0x7f, 0xc0, 0, 0];
const DOUBLE_NAN: readonly number[] = [0x7f, 0xf8, 0, 0, 0, 0, 0, 0];

/** Java's wording, so a message reads the same from either side of a topic. */
function checkSize(serde: string, topic: string, data: Buffer, size: number): void {
  if (data.length !== size) {
    throw corruptData(serde, topic, `Size of data received by ${serde}Deserializer is not ${size}`);
  }
}

function checkInteger(serde: string, topic: string, data: unknown, min: number, max: number): asserts data is number {
  if (typeof data !== 'number' || !Number.isInteger(data) || data < min || data > max) {
    throw invalidValue(serde, topic, `${serde}Serializer takes an integer from ${min} to ${max}; got ${describeValue(data)}`);
  }
}

function checkNumber(serde: string, topic: string, data: unknown): asserts data is number {
  if (typeof data !== 'number') {
    throw invalidValue(serde, topic, `${serde}Serializer takes a number; got ${describeValue(data)}`);
  }
}

export const ShortSerde: Serde<number> = {
  name: 'Short',
  serialize(topic, data) {
    if (data === null || data === undefined) return null;
    checkInteger('Short', topic, data, -0x8000, 0x7fff);
    const out = Buffer.allocUnsafe(2);
    out.writeInt16BE(data, 0);
    return out;
  },
  deserialize(topic, data) {
    if (data === null || data === undefined) return null;
    checkSize('Short', topic, data, 2);
    return data.readInt16BE(0);
  },
};

export const Int32Serde: Serde<number> = {
  name: 'Int32',
  serialize(topic, data) {
    if (data === null || data === undefined) return null;
    checkInteger('Int32', topic, data, -0x80000000, 0x7fffffff);
    const out = Buffer.allocUnsafe(4);
    out.writeInt32BE(data, 0);
    return out;
  },
  deserialize(topic, data) {
    if (data === null || data === undefined) return null;
    checkSize('Int32', topic, data, 4);
    return data.readInt32BE(0);
  },
};

export const LongSerde: Serde<number> = {
  name: 'Long',
  serialize(topic, data) {
    if (data === null || data === undefined) return null;
    if (typeof data !== 'number' || !Number.isSafeInteger(data)) {
      throw invalidValue(
        'Long',
        topic,
        `LongSerializer takes a safe integer (from -${Number.MAX_SAFE_INTEGER} to ${Number.MAX_SAFE_INTEGER}); got ${describeValue(data)}`,
      );
    }
    // Two 32-bit halves instead of a BigInt: counts are on the hot path, and both halves are exact
    // for a safe integer. The high half is signed (two's complement), the low half unsigned.
    const high = Math.floor(data / TWO_POW_32);
    const out = Buffer.allocUnsafe(8);
    out.writeInt32BE(high, 0);
    out.writeUInt32BE(data - high * TWO_POW_32, 4);
    return out;
  },
  deserialize(topic, data) {
    if (data === null || data === undefined) return null;
    checkSize('Long', topic, data, 8);
    // Exact whenever the true value is safe; when it is not, the rounded result is not safe either
    // (rounding is monotonic and ±2^53 are not safe), so the check below cannot be fooled.
    const value = data.readInt32BE(0) * TWO_POW_32 + data.readUInt32BE(4);
    if (!Number.isSafeInteger(value)) {
      throw corruptData(
        'Long',
        topic,
        `LongDeserializer read ${data.readBigInt64BE(0)}, outside the safe integer range of a JavaScript number (±${Number.MAX_SAFE_INTEGER})`,
      );
    }
    return value;
  },
};

export const FloatSerde: Serde<number> = {
  name: 'Float',
  serialize(topic, data) {
    if (data === null || data === undefined) return null;
    checkNumber('Float', topic, data);
    // Java's floatToIntBits writes every NaN as 7fc00000; V8 keeps a NaN's sign and payload bits.
    if (Number.isNaN(data)) return Buffer.from(FLOAT_NAN);
    const out = Buffer.allocUnsafe(4);
    out.writeFloatBE(data, 0);
    return out;
  },
  deserialize(topic, data) {
    if (data === null || data === undefined) return null;
    checkSize('Float', topic, data, 4);
    return data.readFloatBE(0);
  },
};

export const DoubleSerde: Serde<number> = {
  name: 'Double',
  serialize(topic, data) {
    if (data === null || data === undefined) return null;
    checkNumber('Double', topic, data);
    // Java's doubleToLongBits writes every NaN as 7ff8000000000000; V8 keeps a NaN's sign and
    // payload bits (0/0 is fff8… on x86), so NaN is written from the canonical bytes.
    if (Number.isNaN(data)) return Buffer.from(DOUBLE_NAN);
    const out = Buffer.allocUnsafe(8);
    out.writeDoubleBE(data, 0);
    return out;
  },
  deserialize(topic, data) {
    if (data === null || data === undefined) return null;
    checkSize('Double', topic, data, 8);
    return data.readDoubleBE(0);
  },
};
