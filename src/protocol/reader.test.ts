import { describe, expect, it } from 'vitest';
import { ProtocolDecodeError } from './errors.js';
import { Reader } from './reader.js';
import { Writer } from './writer.js';

// Reader.uvarint has a fast path (5 bytes or more before the end) and a byte-by-byte one near the
// end; varlong has a one-byte fast path. Both must agree with the Writer everywhere.
describe('Reader varints', () => {
  const uvalues = [0, 1, 0x7f, 0x80, 0x3fff, 0x4000, 0x1fffff, 0x200000, 0xfffffff, 0x10000000, 0x7fffffff, 0x80000000, 0xffffffff];
  const svalues = [0, 1, -1, 63, -64, 64, -65, 2 ** 20, -(2 ** 20), 2 ** 31 - 1, -(2 ** 31)];
  const lvalues = [0, 1, -1, 63, -64, 64, -65, 8191, -8192, 2 ** 31, -(2 ** 31) - 1, 2 ** 40, -(2 ** 40), 2 ** 52, -(2 ** 52)];

  it('uvarint: every value, whatever its distance from the end of the buffer', () => {
    for (const v of uvalues) {
      for (let trailing = 0; trailing <= 6; trailing++) {
        const buf = Buffer.concat([new Writer().uvarint(v).toBuffer(), Buffer.alloc(trailing, 0xaa)]);
        const r = new Reader(buf, 0, buf.length - trailing);
        expect(r.uvarint()).toBe(v);
        expect(r.remaining).toBe(0);
      }
    }
  });

  it('varint and varlong round-trip at every distance from the end', () => {
    for (let trailing = 0; trailing <= 6; trailing++) {
      for (const v of svalues) {
        const buf = Buffer.concat([new Writer().varint(v).toBuffer(), Buffer.alloc(trailing)]);
        expect(new Reader(buf).varint()).toBe(v);
      }
      for (const v of lvalues) {
        const buf = Buffer.concat([new Writer().varlong(v).toBuffer(), Buffer.alloc(trailing)]);
        const r = new Reader(buf);
        expect(r.varlong()).toBe(v);
        expect(r.offset).toBe(buf.length - trailing);
      }
    }
  });

  it('a uvarint longer than 32 bits is refused on both paths', () => {
    const tooLong = Buffer.from([0xff, 0xff, 0xff, 0xff, 0x10]);
    expect(() => new Reader(tooLong).uvarint()).toThrow(ProtocolDecodeError);
    expect(() => new Reader(Buffer.concat([tooLong, Buffer.alloc(4)])).uvarint()).toThrow(ProtocolDecodeError);
  });

  it('a truncated uvarint is refused, not read past the end', () => {
    const buf = Buffer.from([0x80, 0x80, 0x80, 0x80, 0x01]);
    expect(() => new Reader(buf, 0, 3).uvarint()).toThrow(ProtocolDecodeError);
    expect(() => new Reader(Buffer.from([0x80])).varlong()).toThrow(ProtocolDecodeError);
    expect(() => new Reader(Buffer.alloc(0)).varlong()).toThrow(ProtocolDecodeError);
  });
});
