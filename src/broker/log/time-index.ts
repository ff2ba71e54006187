/**
 * TimeIndex: the sparse `.timeindex` of one segment, mapping running-maximum timestamps to offsets.
 *
 * File format: 12-byte entries, big-endian — timestamp (int64) and relative offset (int32). An entry
 * (T, O) is written only when the segment's max timestamp has grown past the last entry, so timestamps
 * strictly increase and offsets never decrease. It promises that every record at or before offset O
 * has a timestamp ≤ T, which is what makes a search by timestamp exact even when record timestamps
 * go backwards. Entries live in memory in typed arrays; the file holds exactly the entries, written
 * by `writePending()` once per append (see IndexFile).
 */
import { INT32_MAX } from '../../protocol/constants.js';
import { CorruptIndexError } from './corrupt-index-error.js';
import { readInt64, writeInt64 } from './file-io.js';
import { grown, IndexFile, openIndexFile } from './index-file.js';

export interface TimestampOffset {
  timestamp: number;
  offset: number;
}

const ENTRY_SIZE = 12;

export class TimeIndex extends IndexFile<TimestampOffset> {
  static readonly ENTRY_SIZE = ENTRY_SIZE;

  private timestamps = new Float64Array(64);
  private relOffsets = new Int32Array(64);

  private constructor(file: string, baseOffset: number, maxIndexSize: number, fd: number) {
    super(file, baseOffset, maxIndexSize, ENTRY_SIZE, fd);
  }

  /** Opens the index file, creating it if absent. Call `load()` to read existing entries. */
  static open(file: string, baseOffset: number, maxIndexSize: number): TimeIndex {
    return new TimeIndex(file, baseOffset, maxIndexSize, openIndexFile(file));
  }

  entry(i: number): TimestampOffset {
    return { timestamp: this.timestamps[i], offset: this.baseOffset + this.relOffsets[i] };
  }

  /**
   * Appends (timestamp, offset) if the timestamp exceeds the last entry's. A full index takes no more
   * entries unless `skipFullCheck` (the final entry written when a segment stops being active).
   * The entry reaches the file at the next `writePending()`.
   */
  maybeAppend(timestamp: number, offset: number, skipFullCheck = false): void {
    const n = this.count;
    if (n > 0 && timestamp <= this.timestamps[n - 1]) return;
    if (this.isFull && !skipFullCheck) return;
    const rel = offset - this.baseOffset;
    if (rel < 0 || rel > INT32_MAX) throw new Error(`${this.file}: offset ${offset} is out of range for base ${this.baseOffset}`);
    if (n > 0 && rel < this.relOffsets[n - 1]) {
      throw new Error(`${this.file}: entry (${timestamp}, ${offset}) goes back in offset`);
    }
    this.reserve(n + 1);
    this.timestamps[n] = timestamp;
    this.relOffsets[n] = rel;
    this.count = n + 1;
  }

  /** The first entry whose timestamp is ≥ `timestamp`, or undefined. */
  lookup(timestamp: number): TimestampOffset | undefined {
    const i = this.firstSlotAtLeast(timestamp);
    return i < this.count ? this.entry(i) : undefined;
  }

  /**
   * Where a search for the first record with timestamp ≥ `timestamp` may start: the offset of the last
   * entry whose timestamp is below it (nothing at or before that offset qualifies), else the base offset.
   */
  scanStartOffset(timestamp: number): number {
    const i = this.firstSlotAtLeast(timestamp);
    return i === 0 ? this.baseOffset : this.baseOffset + this.relOffsets[i - 1];
  }

  /** Removes every entry with offset ≥ `offset`. */
  truncateTo(offset: number): void {
    const rel = offset - this.baseOffset;
    let keep = this.count;
    while (keep > 0 && this.relOffsets[keep - 1] >= rel) keep--;
    this.truncateEntries(keep);
  }

  /** Replaces all entries with the given ones (absolute offsets), in one write. */
  rebuild(timestamps: ArrayLike<number>, offsets: ArrayLike<number>): void {
    this.replaceEntries(timestamps.length, (i) => {
      this.timestamps[i] = timestamps[i];
      this.relOffsets[i] = offsets[i] - this.baseOffset;
    });
  }

  protected decodeEntry(buf: Buffer, at: number, i: number): void {
    const ts = readInt64(buf, at);
    const rel = buf.readInt32BE(at + 8);
    if (rel < 0 || (i > 0 && (ts <= this.timestamps[i - 1] || rel < this.relOffsets[i - 1]))) {
      throw new CorruptIndexError(`${this.file}: entry ${i} (${ts}, ${rel}) is out of order`);
    }
    this.timestamps[i] = ts;
    this.relOffsets[i] = rel;
  }

  protected encodeEntry(buf: Buffer, at: number, i: number): void {
    writeInt64(buf, this.timestamps[i], at);
    buf.writeInt32BE(this.relOffsets[i], at + 8);
  }

  protected capacity(): number {
    return this.timestamps.length;
  }

  protected resize(capacity: number, count: number): void {
    this.timestamps = grown(this.timestamps, capacity, count);
    this.relOffsets = grown(this.relOffsets, capacity, count);
  }

  private firstSlotAtLeast(timestamp: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timestamps[mid] < timestamp) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
