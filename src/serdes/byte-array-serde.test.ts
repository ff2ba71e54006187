import { describe, expect, it } from 'vitest';
import { Serdes } from './serdes.js';
import { hex, serializationErrorOf } from './testing.js';

describe('Serdes.ByteArray', () => {
  const bytes = Serdes.ByteArray();
  it('neither copies nor changes the bytes', () => {
    const data = hex('00 01 ff');
    expect(bytes.serialize('t', data)).toBe(data);
    expect(bytes.deserialize('t', data)).toBe(data);
  });

  it('wraps a Uint8Array over the same memory', () => {
    const array = new Uint8Array([9, 8, 7, 6]).subarray(1, 3);
    const out = bytes.serialize('t', array as Buffer);
    expect(Buffer.isBuffer(out)).toBe(true);
    expect(out).toEqual(hex('08 07'));
    array[0] = 1;
    expect(out![0]).toBe(1);
  });

  it('refuses anything else', () => {
    expect(serializationErrorOf(() => bytes.serialize('t', 'abc' as unknown as Buffer)).detail).toBe(
      'ByteArraySerializer takes a Buffer or a Uint8Array; got string "abc"',
    );
  });
});
