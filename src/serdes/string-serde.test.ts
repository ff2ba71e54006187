import { describe, expect, it } from 'vitest';
import { SerdeErrorCode } from './error-codes.js';
import { Serdes } from './serdes.js';
import { hex, serializationErrorOf } from './testing.js';

describe('Serdes.String', () => {
  const string = Serdes.String();
  it('writes UTF-8', () => {
    expect(string.serialize('t', 'aé€😀')).toEqual(hex('61 c3a9 e282ac f09f9880'));
    expect(string.deserialize('t', hex('61 c3a9 e282ac f09f9880'))).toBe('aé€😀');
  });

  it('reads invalid UTF-8 with U+FFFD, as Java does, rather than failing', () => {
    expect(string.deserialize('t', hex('61 ff 62'))).toBe('a\ufffdb');
  });

  it('refuses a non-string', () => {
    const error = serializationErrorOf(() => string.serialize('t', 42 as unknown as string));
    expect(error.code).toBe(SerdeErrorCode.INVALID_VALUE);
    expect(error.detail).toBe('StringSerializer takes a string; got number 42');
  });
});
