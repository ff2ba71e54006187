/**
 * Writer: encodes Kafka protocol primitives. Performs no I/O.
 *
 * Small values go into a growing scratch buffer; large byte blobs (record sets in Fetch responses)
 * are kept as separate chunks, so a response is sent with the record data never copied.
 */
import { uuidToBytes } from './reader.js';

const ZERO_COPY_THRESHOLD = 4096;

export class Writer {
  private buf: Buffer;
  private pos = 0;
  private chunks: Buffer[] = [];
  private chunkedBytes = 0;

  constructor(initialSize = 256) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  /** Bytes written so far, including detached chunks. */
  get length(): number {
    return this.chunkedBytes + this.pos;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  int8(v: number): this {
    this.ensure(1);
    this.buf.writeInt8(v, this.pos);
    this.pos += 1;
    return this;
  }

  bool(v: boolean): this {
    return this.int8(v ? 1 : 0);
  }

  int16(v: number): this {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }

  uint16(v: number): this {
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }

  int32(v: number): this {
    this.ensure(4);
    this.buf.writeInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  uint32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  int64(v: bigint): this {
    this.ensure(8);
    this.buf.writeBigInt64BE(BigInt.asIntN(64, v), this.pos);
    this.pos += 8;
    return this;
  }

  float64(v: number): this {
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.pos);
    this.pos += 8;
    return this;
  }

  uuid(v: string): this {
    return this.raw(uuidToBytes(v));
  }

  uvarint(v: number): this {
    this.ensure(5);
    let value = v >>> 0;
    while (value >= 0x80) {
      this.buf[this.pos++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    this.buf[this.pos++] = value;
    return this;
  }

  varint(v: number): this {
    return this.uvarint((v << 1) ^ (v >> 31));
  }

  /** Zig-zag varlong from a number (exact up to 2^53, which covers timestamps and deltas). */
  varlong(v: number): this {
    this.ensure(10);
    let value = v >= 0 ? v * 2 : -v * 2 - 1;
    while (value >= 0x80) {
      this.buf[this.pos++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    this.buf[this.pos++] = value;
    return this;
  }

  string(v: string | null): this {
    if (v === null) return this.int16(-1);
    const len = Buffer.byteLength(v);
    this.int16(len);
    this.ensure(len);
    this.pos += this.buf.write(v, this.pos);
    return this;
  }

  compactString(v: string | null): this {
    if (v === null) return this.uvarint(0);
    const len = Buffer.byteLength(v);
    this.uvarint(len + 1);
    this.ensure(len);
    this.pos += this.buf.write(v, this.pos);
    return this;
  }

  bytes(v: Buffer | null): this {
    if (v === null) return this.int32(-1);
    this.int32(v.length);
    return this.raw(v);
  }

  compactBytes(v: Buffer | null): this {
    if (v === null) return this.uvarint(0);
    this.uvarint(v.length + 1);
    return this.raw(v);
  }

  arrayLength(len: number, compact: boolean): this {
    return compact ? this.uvarint(len + 1) : this.int32(len);
  }

  /** Appends bytes; large ones are kept by reference instead of copied. */
  raw(v: Buffer): this {
    if (v.length >= ZERO_COPY_THRESHOLD) {
      this.flushScratch();
      this.chunks.push(v);
      this.chunkedBytes += v.length;
      return this;
    }
    this.ensure(v.length);
    v.copy(this.buf, this.pos);
    this.pos += v.length;
    return this;
  }

  private flushScratch(): void {
    if (this.pos === 0) return;
    const piece = Buffer.from(this.buf.subarray(0, this.pos));
    this.chunks.push(piece);
    this.chunkedBytes += piece.length;
    this.pos = 0;
  }

  /** The encoded bytes as a list of chunks, in order. */
  toChunks(): Buffer[] {
    if (this.chunks.length === 0) return [this.buf.subarray(0, this.pos)];
    this.flushScratch();
    return this.chunks;
  }

  /** The encoded bytes as one buffer (copies when chunks were detached). */
  toBuffer(): Buffer {
    const chunks = this.toChunks();
    return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
  }
}
