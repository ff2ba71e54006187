/**
 * OffsetIndex: the sparse `.index` of one segment, mapping offsets to byte positions in its `.log`.
 *
 * File format: 8-byte entries, big-endian — relative offset (int32, batch base offset − segment base
 * offset) and position (int32). Both strictly increase. Unlike Kafka, the file is neither preallocated
 * nor memory-mapped: it holds exactly its entries, which are kept in memory in typed arrays. New
 * entries are written to the end of the file by `writePending()`, which the segment calls once per
 * append, so an append that adds several entries costs one write, not one per entry (see IndexFile).
 *
 * The index is derived data: if it is missing or malformed, the segment rebuilds it from the `.log`.
 */
import { INT32_MAX } from '../../protocol/constants.js';
import { CorruptIndexError } from './corrupt-index-error.js';
import { grown, IndexFile, openIndexFile } from './index-file.js';

export interface OffsetPosition {
  offset: number;
  position: number;
}

const ENTRY_SIZE = 8;

export class OffsetIndex extends IndexFile<OffsetPosition> {
  static readonly ENTRY_SIZE = ENTRY_SIZE;

  private relOffsets = new Int32Array(64);
  private positions = new Int32Array(64);

  private constructor(file: string, baseOffset: number, maxIndexSize: number, fd: number) {
    super(file, baseOffset, maxIndexSize, ENTRY_SIZE, fd);
  }

  /** Opens the index file, creating it if absent. Call `load()` to read existing entries. */
  static open(file: string, baseOffset: number, maxIndexSize: number): OffsetIndex {
    return new OffsetIndex(file, baseOffset, maxIndexSize, openIndexFile(file));
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

  /** The entry with the largest offset ≤ `offset`, or (base offset, 0) if there is none. */
  lookup(offset: number): OffsetPosition {
    const i = this.floorSlot(offset - this.baseOffset);
    return i < 0 ? { offset: this.baseOffset, position: 0 } : this.entry(i);
  }

  /** Removes every entry with offset ≥ `offset`. */
  truncateTo(offset: number): void {
    this.truncateEntries(this.floorSlot(offset - this.baseOffset - 1) + 1);
  }

  /** Replaces all entries (absolute offsets) with the given ones, in one write. Used by segment recovery. */
  rebuild(offsets: ArrayLike<number>, positions: ArrayLike<number>): void {
    this.replaceEntries(Math.min(offsets.length, this.maxEntries), (i) => {
      this.relOffsets[i] = offsets[i] - this.baseOffset;
      this.positions[i] = positions[i];
    });
  }

  protected decodeEntry(buf: Buffer, at: number, i: number): void {
    const rel = buf.readInt32BE(at);
    const pos = buf.readInt32BE(at + 4);
    if (rel < 0 || pos < 0 || (i > 0 && (rel <= this.relOffsets[i - 1] || pos <= this.positions[i - 1]))) {
      throw new CorruptIndexError(`${this.file}: entry ${i} (${rel}, ${pos}) is out of order`);
    }
    this.relOffsets[i] = rel;
    this.positions[i] = pos;
  }

  protected encodeEntry(buf: Buffer, at: number, i: number): void {
    buf.writeInt32BE(this.relOffsets[i], at);
    buf.writeInt32BE(this.positions[i], at + 4);
  }

  protected capacity(): number {
    return this.relOffsets.length;
  }

  protected resize(capacity: number, count: number): void {
    this.relOffsets = grown(this.relOffsets, capacity, count);
    this.positions = grown(this.positions, capacity, count);
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
}
