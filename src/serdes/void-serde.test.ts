import { describe, expect, it } from 'vitest';
import { SerdeErrorCode } from './error-codes.js';
import { Serdes } from './serdes.js';
import { hex, serializationErrorOf } from './testing.js';

describe('Serdes.Void', () => {
  const empty = Serdes.Void();
  it("refuses any bytes, even none, with Java's message", () => {
    for (const data of [Buffer.alloc(0), hex('00')]) {
      const error = serializationErrorOf(() => empty.deserialize('t', data));
      expect(error.code).toBe(SerdeErrorCode.CORRUPT_DATA);
      expect(error.detail).toBe('Data should be null for a VoidDeserializer.');
    }
  });

  it('refuses to write anything but null', () => {
    expect(serializationErrorOf(() => empty.serialize('t', 0 as unknown as null)).detail).toBe('VoidSerializer takes only null; got number 0');
  });
});
