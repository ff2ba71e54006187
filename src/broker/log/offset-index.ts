/**
 * OffsetIndex: the sparse `.index` of one segment, mapping offsets to byte positions in its `.log`.
 *
 * File format: 8-byte entries, big-endian — relative offset (int32, batch base offset − segment base
 * offset) and position (int32). Both strictly increase. Unlike Kafka, the file is neither preallocated
 * nor memory-mapped: it holds exactly its entries, which are kept in memory in typed arrays. New
 * entries are written to the end of the file by `writePending()`, which the segment calls once per
 * append, so an append that adds several entries costs one write, not one per entry.
 *
 * The index is derived data: if it is missing or malformed, the segment rebuilds it from the `.log`.
 */
import fs from 'node:fs';
import { CorruptIndexError } from './corrupt-index-error.js';
import { fsyncAsync, readFully, writeFully } from './file-io.js';

export interface OffsetPosition {
  offset: number;
  position: number;
}

const ENTRY_SIZE = 8;
const INT32_MAX = 0x7fffffff;

export class OffsetIndex {
  static readonly ENTRY_SIZE = ENTRY_SIZE;

  /** Entries this index may hold: segment.index.bytes / 8. */
  readonly maxEntries: number;
  private relOffsets = new Int32Array(64);
  private positions = new Int32Array(64);
  private count = 0;
  /** Entries [0, written) are in the file. */
  private written = 0;
  private scratch = Buffer.allocUnsafe(ENTRY_SIZE * 16);

  private constructor(
    readonly file: string,
    readonly baseOffset: number,
    maxIndexSize: number,
    private readonly fd: number,
  ) {
    this.maxEntries = Math.max(1, Math.floor(maxIndexSize / ENTRY_SIZE));
  }

  /** Opens the index file, creating it if absent. Call `load()` to read existing entries. */
  static open(file: string, baseOffset: number, maxIndexSize: number): OffsetIndex {
    const fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
    return new OffsetIndex(file, baseOffset, maxIndexSize, fd);
  }

  /** Reads the file into memory. Throws `CorruptIndexError` if its size or ordering is wrong. */
  load(): void {
    const size = fs.fstatSync(this.fd).size;
    if (size % ENTRY_SIZE !== 0) throw new CorruptIndexError(`${this.file}: size ${size} is not a multiple of ${ENTRY_SIZE}`);
    const n = size / ENTRY_SIZE;
    const buf = Buffer.allocUnsafe(size);
    if (readFully(this.fd, buf, size, 0) !== size) throw new CorruptIndexError(`${this.file}: short read`);
    this.count = 0;
    this.reserve(n);
    for (let i = 0; i < n; i++) {
      const rel = buf.readInt32BE(i * ENTRY_SIZE);
      const pos = buf.readInt32BE(i * ENTRY_SIZE + 4);
      if (rel < 0 || pos < 0 || (i > 0 && (rel <= this.relOffsets[i - 1] || pos <= this.positions[i - 1]))) {
        throw new CorruptIndexError(`${this.file}: entry ${i} (${rel}, ${pos}) is out of order`);
      }
      this.relOffsets[i] = rel;
      this.positions[i] = pos;
    }
    this.count = n;
    this.written = n;
  }

  get entries(): number {
    return this.count;
  }

  get isFull(): boolean {
    return this.count >= this.maxEntries;
  }

  get sizeInBytes(): number {
    return this.count * ENTRY_SIZE;
  }

  /** The last entry, or undefined if the index is empty. */
  lastEntry(): OffsetPosition | undefined {
    return this.count === 0 ? undefined : this.entry(this.count - 1);
  }

  entry(i: number): OffsetPosition {
    return { offset: this.baseOffset + this.relOffsets[i], position: this.positions[i] };
  }

  /** Whether `offset` can be stored relative to this index's base offset. */
  canAppendOffset(offset: number): boolean {
    const rel = offset - this.baseOffset;
    return rel >= 0 && rel <= INT32_MAX;
  }

  /**
   * Adds an entry; offset and position must exceed the last entry's. The caller checks `isFull`. The
   * entry reaches the file at the next `writePending()`.
   */
  append(offset: number, position: number): void {
    const rel = offset - this.baseOffset;
    if (this.isFull) throw new Error(`${this.file}: index is full (${this.count} entries)`);
    if (rel < 0 || rel > INT32_MAX) throw new Error(`${this.file}: offset ${offset} is out of range for base ${this.baseOffset}`);
    const n = this.count;
    if (n > 0 && (rel <= this.relOffsets[n - 1] || position <= this.positions[n - 1])) {
      throw new Error(`${this.file}: entry (${offset}, ${position}) does not follow the last entry`);
    }
    this.reserve(n + 1);
    this.relOffsets[n] = rel;
    this.positions[n] = position;
    this.count = n + 1;
  }

  /** Writes the entries added since the last call to the end of the file, in one write. */
  writePending(): void {
    const from = this.written;
    const n = this.count - from;
    if (n <= 0) return;
    const bytes = n * ENTRY_SIZE;
    if (this.scratch.length < bytes) this.scratch = Buffer.allocUnsafe(Math.max(bytes, this.scratch.length * 2));
    for (let i = 0; i < n; i++) {
      this.scratch.writeInt32BE(this.relOffsets[from + i], i * ENTRY_SIZE);
      this.scratch.writeInt32BE(this.positions[from + i], i * ENTRY_SIZE + 4);
    }
    writeFully(this.fd, this.scratch.subarray(0, bytes), from * ENTRY_SIZE);
    this.written = this.count;
  }

  /** The entry with the largest offset ≤ `offset`, or (base offset, 0) if there is none. */
  lookup(offset: number): OffsetPosition {
    const i = this.floorSlot(offset - this.baseOffset);
    return i < 0 ? { offset: this.baseOffset, position: 0 } : this.entry(i);
  }

  /** Removes every entry with offset ≥ `offset`. */
  truncateTo(offset: number): void {
    const keep = this.floorSlot(offset - this.baseOffset - 1) + 1;
    if (keep === this.count) return;
    this.count = keep;
    if (this.written > keep) {
      this.written = keep;
      fs.ftruncateSync(this.fd, keep * ENTRY_SIZE);
    }
  }

  /** Replaces all entries (absolute offsets) with the given ones, in one write. Used by segment recovery. */
  rebuild(offsets: ArrayLike<number>, positions: ArrayLike<number>): void {
    const n = Math.min(offsets.length, this.maxEntries);
    const buf = Buffer.allocUnsafe(n * ENTRY_SIZE);
    this.count = 0;
    this.reserve(n);
    for (let i = 0; i < n; i++) {
      const rel = offsets[i] - this.baseOffset;
      this.relOffsets[i] = rel;
      this.positions[i] = positions[i];
      buf.writeInt32BE(rel, i * ENTRY_SIZE);
      buf.writeInt32BE(positions[i], i * ENTRY_SIZE + 4);
    }
    fs.ftruncateSync(this.fd, 0);
    writeFully(this.fd, buf, 0);
    this.count = n;
    this.written = n;
  }

  flush(): Promise<void> {
    this.writePending();
    return fsyncAsync(this.fd);
  }

  close(): void {
    this.writePending();
    fs.closeSync(this.fd);
  }

  /** Index of the last entry whose relative offset ≤ rel, or -1. */
  private floorSlot(rel: number): number {
    let lo = 0;
    let hi = this.count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.relOffsets[mid] <= rel) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  private reserve(n: number): void {
    if (n <= this.relOffsets.length) return;
    let cap = this.relOffsets.length;
    while (cap < n) cap *= 2;
    const rel = new Int32Array(cap);
    rel.set(this.relOffsets.subarray(0, this.count));
    const pos = new Int32Array(cap);
    pos.set(this.positions.subarray(0, this.count));
    this.relOffsets = rel;
    this.positions = pos;
  }
}
