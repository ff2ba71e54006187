/**
 * TimeIndex: the sparse `.timeindex` of one segment, mapping running-maximum timestamps to offsets.
 *
 * File format: 12-byte entries, big-endian — timestamp (int64) and relative offset (int32). An entry
 * (T, O) is written only when the segment's max timestamp has grown past the last entry, so timestamps
 * strictly increase and offsets never decrease. It promises that every record at or before offset O
 * has a timestamp ≤ T, which is what makes a search by timestamp exact even when record timestamps
 * go backwards. Entries live in memory in typed arrays; the file holds exactly the entries, written
 * by `writePending()` once per append (see OffsetIndex).
 */
import fs from 'node:fs';
import { CorruptIndexError } from './corrupt-index-error.js';
import { fsyncAsync, readFully, readInt64, writeFully, writeInt64 } from './file-io.js';

export interface TimestampOffset {
  timestamp: number;
  offset: number;
}

const ENTRY_SIZE = 12;
const INT32_MAX = 0x7fffffff;

export class TimeIndex {
  static readonly ENTRY_SIZE = ENTRY_SIZE;

  /** Entries this index may hold before the segment rolls: segment.index.bytes / 12. */
  readonly maxEntries: number;
  private timestamps = new Float64Array(64);
  private relOffsets = new Int32Array(64);
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
  static open(file: string, baseOffset: number, maxIndexSize: number): TimeIndex {
    const fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
    return new TimeIndex(file, baseOffset, maxIndexSize, fd);
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
      const ts = readInt64(buf, i * ENTRY_SIZE);
      const rel = buf.readInt32BE(i * ENTRY_SIZE + 8);
      if (rel < 0 || (i > 0 && (ts <= this.timestamps[i - 1] || rel < this.relOffsets[i - 1]))) {
        throw new CorruptIndexError(`${this.file}: entry ${i} (${ts}, ${rel}) is out of order`);
      }
      this.timestamps[i] = ts;
      this.relOffsets[i] = rel;
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

  lastEntry(): TimestampOffset | undefined {
    return this.count === 0 ? undefined : this.entry(this.count - 1);
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

  /** Writes the entries added since the last call to the end of the file, in one write. */
  writePending(): void {
    const from = this.written;
    const n = this.count - from;
    if (n <= 0) return;
    const bytes = n * ENTRY_SIZE;
    if (this.scratch.length < bytes) this.scratch = Buffer.allocUnsafe(Math.max(bytes, this.scratch.length * 2));
    for (let i = 0; i < n; i++) {
      writeInt64(this.scratch, this.timestamps[from + i], i * ENTRY_SIZE);
      this.scratch.writeInt32BE(this.relOffsets[from + i], i * ENTRY_SIZE + 8);
    }
    writeFully(this.fd, this.scratch.subarray(0, bytes), from * ENTRY_SIZE);
    this.written = this.count;
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
    if (keep === this.count) return;
    this.count = keep;
    if (this.written > keep) {
      this.written = keep;
      fs.ftruncateSync(this.fd, keep * ENTRY_SIZE);
    }
  }

  /** Replaces all entries with the given ones (absolute offsets), in one write. */
  rebuild(timestamps: ArrayLike<number>, offsets: ArrayLike<number>): void {
    const n = timestamps.length;
    const buf = Buffer.allocUnsafe(n * ENTRY_SIZE);
    this.count = 0;
    this.reserve(n);
    for (let i = 0; i < n; i++) {
      const rel = offsets[i] - this.baseOffset;
      this.timestamps[i] = timestamps[i];
      this.relOffsets[i] = rel;
      writeInt64(buf, timestamps[i], i * ENTRY_SIZE);
      buf.writeInt32BE(rel, i * ENTRY_SIZE + 8);
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

  private reserve(n: number): void {
    if (n <= this.timestamps.length) return;
    let cap = this.timestamps.length;
    while (cap < n) cap *= 2;
    const ts = new Float64Array(cap);
    ts.set(this.timestamps.subarray(0, this.count));
    const rel = new Int32Array(cap);
    rel.set(this.relOffsets.subarray(0, this.count));
    this.timestamps = ts;
    this.relOffsets = rel;
  }
}
