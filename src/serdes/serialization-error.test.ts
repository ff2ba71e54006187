import { describe, expect, it } from 'vitest';
import { SerdeErrorCode } from './error-codes.js';
import { SerializationError } from './serialization-error.js';
import { Serdes } from './serdes.js';
import { serializationErrorOf } from './testing.js';

describe('SerializationError', () => {
  it('carries a name, a stable code, the serde and the topic', () => {
    const error = serializationErrorOf(() => Serdes.Long().deserialize('text-lines', Buffer.alloc(3)));
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('SerializationError');
    expect(error.code).toBe('SKEIN_SERIALIZATION_CORRUPT_DATA');
    expect(error.serde).toBe('Long');
    expect(error.topic).toBe('text-lines');
    expect(error.operation).toBe('deserialize');
    expect(error.partition).toBeUndefined();
  });

  it('is rewrapped by the runtime to name the record: topic-partition@offset', () => {
    const error = serializationErrorOf(() => Serdes.Long().deserialize('text-lines', Buffer.alloc(3)));
    const atRecord = SerializationError.atRecord(error, {
      operation: 'deserialize',
      part: 'value',
      serde: 'Long',
      topic: 'text-lines',
      partition: 2,
      offset: '17',
    });
    expect(atRecord.message).toBe(
      'Failed to deserialize the value of the record at text-lines-2@17 with serde Long: Size of data received by LongDeserializer is not 8',
    );
    expect(atRecord.code).toBe(SerdeErrorCode.CORRUPT_DATA);
    expect(atRecord.partition).toBe(2);
    expect(atRecord.offset).toBe('17');
    expect(atRecord.part).toBe('value');
    expect(atRecord.cause).toBe(error);
  });

  it('names a record being written by its topic, and partition when known', () => {
    const error = serializationErrorOf(() => Serdes.Int32().serialize('word-counts', 2 ** 40));
    const at = { operation: 'serialize', part: 'key', serde: 'Int32', topic: 'word-counts' } as const;
    expect(SerializationError.atRecord(error, at).message).toBe(
      'Failed to serialize the key of a record for word-counts with serde Int32: Int32Serializer takes an integer from -2147483648 to 2147483647; got number 1099511627776',
    );
    expect(SerializationError.atRecord(error, { ...at, partition: 0 }).message).toMatch(
      /^Failed to serialize the key of a record for word-counts-0 with serde Int32: /,
    );
  });

  it("wraps an error from a user's own serde under the generic code, keeping it as the cause", () => {
    const thrown = new TypeError('cannot read properties of undefined');
    const error = SerializationError.atRecord(thrown, {
      operation: 'deserialize',
      part: 'key',
      serde: 'OrderKey',
      topic: 'orders',
      partition: 0,
      offset: 5n,
    });
    expect(error.code).toBe(SerdeErrorCode.SERIALIZATION_ERROR);
    expect(error.code).toBe('SKEIN_SERIALIZATION_ERROR');
    expect(error.message).toBe('Failed to deserialize the key of the record at orders-0@5 with serde OrderKey: cannot read properties of undefined');
    expect(error.cause).toBe(thrown);
  });

  it('has codes that are all distinct and prefixed SKEIN_', () => {
    const codes = Object.values(SerdeErrorCode);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code).toMatch(/^SKEIN_[A-Z_]+$/);
  });
});
