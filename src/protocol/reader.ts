/**
 * Reader: decodes Kafka protocol primitives from a Buffer, front to back. Performs no I/O.
 *
 * Every read checks bounds and throws a `ProtocolDecodeError` on a short or malformed buffer, so a
 * hostile frame can only ever produce an error, never an out-of-range read or a huge allocation.
 */
import { ProtocolDecodeError } from './errors.js';

export class Reader {
  offset: number;

  constructor(
    readonly buf: Buffer,
    offset = 0,
    readonly end = buf.length,
  ) {
    this.offset = offset;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  private need(n: number): number {
    const at = this.offset;
    if (n < 0 || at + n > this.end) {
      throw new ProtocolDecodeError(`need ${n} bytes at offset ${at}, only ${this.end - at} left`);
    }
    this.offset = at + n;
    return at;
  }

  int8(): number {
    return this.buf.readInt8(this.need(1));
  }

  bool(): boolean {
    return this.buf[this.need(1)] !== 0;
  }

  int16(): number {
    return this.buf.readInt16BE(this.need(2));
  }

  uint16(): number {
    return this.buf.readUInt16BE(this.need(2));
  }

  int32(): number {
    return this.buf.readInt32BE(this.need(4));
  }

  uint32(): number {
    return this.buf.readUInt32BE(this.need(4));
  }

  int64(): bigint {
    return this.buf.readBigInt64BE(this.need(8));
  }

  float64(): number {
    return this.buf.readDoubleBE(this.need(8));
  }

  uuid(): string {
    const at = this.need(16);
    return uuidToString(this.buf, at);
  }

  /** Unsigned LEB128 varint of at most 32 bits (Kafka's UNSIGNED_VARINT). */
  uvarint(): number {
    // Fast path, taken whenever the longest encoding (5 bytes) fits before the end: one bounds check
    // instead of one per byte. Record walks (walkRecords) spend most of their time here.
    const buf = this.buf;
    let at = this.offset;
    if (at + 5 > this.end) return this.uvarintNearEnd();
    let byte = buf[at++];
    let value = byte & 0x7f;
    if (byte >= 0x80) {
      byte = buf[at++];
      value |= (byte & 0x7f) << 7;
      if (byte >= 0x80) {
        byte = buf[at++];
        value |= (byte & 0x7f) << 14;
        if (byte >= 0x80) {
          byte = buf[at++];
          value |= (byte & 0x7f) << 21;
          if (byte >= 0x80) {
            byte = buf[at++];
            if (byte > 0x0f) throw new ProtocolDecodeError('unsigned varint longer than 32 bits');
            value |= byte << 28;
          }
        }
      }
    }
    this.offset = at;
    return value >>> 0;
  }

  /** uvarint within 5 bytes of the end: every byte bounds-checked. */
  private uvarintNearEnd(): number {
    let value = 0;
    let shift = 0;
    for (;;) {
      const byte = this.buf[this.need(1)];
      if (shift === 28 && byte > 0x0f) throw new ProtocolDecodeError('unsigned varint longer than 32 bits');
      value |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return value >>> 0;
      shift += 7;
    }
  }

  /** Zig-zag signed varint of at most 32 bits (Kafka's VARINT). */
  varint(): number {
    const raw = this.uvarint();
    return (raw >>> 1) ^ -(raw & 1);
  }

  /** Zig-zag signed varlong of at most 64 bits (Kafka's VARLONG), as a number; exact up to 2^53. */
  varlong(): number {
    // Fast path for values that fit in one byte (timestamp deltas within a batch are mostly 0).
    const at = this.offset;
    if (at < this.end) {
      const first = this.buf[at];
      if (first < 0x80) {
        this.offset = at + 1;
        return (first >>> 1) ^ -(first & 1);
      }
    }
    let lo = 0;
    let hi = 0; // value = hi * 2^28 + lo, enough precision for timestamps and offsets in batches
    let shift = 0;
    for (;;) {
      if (shift > 63) throw new ProtocolDecodeError('varlong longer than 64 bits');
      const byte = this.buf[this.need(1)];
      if (shift < 28) lo |= (byte & 0x7f) << shift;
      else hi += (byte & 0x7f) * 2 ** (shift - 28);
      if ((byte & 0x80) === 0) break;
      shift += 7;
    }
    const raw = hi * 2 ** 28 + lo;
    // zig-zag decode without 32-bit operators
    return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
  }

  /** Kafka STRING / NULLABLE_STRING: int16 length, -1 for null. */
  string(): string | null {
    const len = this.int16();
    if (len < 0) {
      if (len === -1) return null;
      throw new ProtocolDecodeError(`invalid string length ${len}`);
    }
    const at = this.need(len);
    return this.buf.toString('utf8', at, at + len);
  }

  /** Kafka COMPACT_STRING / COMPACT_NULLABLE_STRING: uvarint length + 1, 0 for null. */
  compactString(): string | null {
    const len = this.uvarint() - 1;
    if (len < 0) return null;
    const at = this.need(len);
    return this.buf.toString('utf8', at, at + len);
  }

  /** Kafka BYTES / NULLABLE_BYTES: int32 length, -1 for null. Returns a view, not a copy. */
  bytes(): Buffer | null {
    const len = this.int32();
    if (len < 0) {
      if (len === -1) return null;
      throw new ProtocolDecodeError(`invalid bytes length ${len}`);
    }
    const at = this.need(len);
    return this.buf.subarray(at, at + len);
  }

  /** Kafka COMPACT_BYTES: uvarint length + 1, 0 for null. Returns a view, not a copy. */
  compactBytes(): Buffer | null {
    const len = this.uvarint() - 1;
    if (len < 0) return null;
    const at = this.need(len);
    return this.buf.subarray(at, at + len);
  }

  /** Array length: int32 (-1 null) or, in flexible versions, uvarint length + 1 (0 null). */
  arrayLength(compact: boolean): number {
    const len = compact ? this.uvarint() - 1 : this.int32();
    if (len < -1) throw new ProtocolDecodeError(`invalid array length ${len}`);
    // Each element takes at least one byte, so a length above what is left is a lie; refusing it
    // here stops a 4-byte frame from asking for a two-billion-element allocation.
    if (len > this.remaining) throw new ProtocolDecodeError(`array length ${len} exceeds the ${this.remaining} bytes left`);
    return len;
  }

  /** Raw bytes as a view. */
  raw(n: number): Buffer {
    const at = this.need(n);
    return this.buf.subarray(at, at + n);
  }

  skip(n: number): void {
    this.need(n);
  }
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function uuidToString(buf: Buffer, at = 0): string {
  let s = '';
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) s += '-';
    s += HEX[buf[at + i]];
  }
  return s;
}

export function uuidToBytes(uuid: string): Buffer {
  const hex = uuid.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new ProtocolDecodeError(`invalid uuid ${uuid}`);
  return Buffer.from(hex, 'hex');
}

export const ZERO_UUID = '00000000-0000-0000-0000-000000000000';
