/**
 * Bytes as they are, as Java's ByteArraySerializer. Neither direction copies: `deserialize` returns
 * the buffer it is given, and `serialize` returns the caller's buffer (a plain Uint8Array is wrapped
 * as a Buffer over the same memory).
 */
import type { Serde } from './serde.js';
import { describeValue, invalidValue } from './serde-fault.js';

export const ByteArraySerde: Serde<Buffer> = {
  name: 'ByteArray',
  serialize(topic, data) {
    if (data === null || data === undefined) return null;
    if (Buffer.isBuffer(data)) return data;
    // The type says Buffer; JavaScript callers may still pass a Uint8Array or anything else.
    const bytes: unknown = data;
    if (bytes instanceof Uint8Array) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    throw invalidValue('ByteArray', topic, `ByteArraySerializer takes a Buffer or a Uint8Array; got ${describeValue(bytes)}`);
  },
  deserialize(_topic, data) {
    if (data === null || data === undefined) return null;
    return data;
  },
};
