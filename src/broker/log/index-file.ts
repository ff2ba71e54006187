/**
 * IndexFile: what OffsetIndex and TimeIndex share — a sparse index of fixed-size entries, kept in
 * memory (typed arrays owned by the subclass) and mirrored by a file that holds exactly those
 * entries. Entries added in memory reach the end of the file at `writePending()`, in one write.
 *
 * A subclass supplies its entry layout (`decodeEntry`, `encodeEntry`), its arrays (`capacity`,
 * `resize`) and its lookup rule; the file handling, growth and bookkeeping live here.
 */
import fs from 'node:fs';
import { CorruptIndexError } from './corrupt-index-error.js';
import { fsyncAsync, readFully, writeFully } from './file-io.js';

/** Opens an index file read-write, creating it if absent. */
export function openIndexFile(file: string): number {
  return fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
}

export abstract class IndexFile<Entry> {
  /** Entries this index may hold: segment.index.bytes / entry size. */
  readonly maxEntries: number;
  protected count = 0;
  /** Entries [0, written) are in the file. */
  private written = 0;
  private scratch: Buffer;

  protected constructor(
    readonly file: string,
    readonly baseOffset: number,
    maxIndexSize: number,
    private readonly entrySize: number,
    private readonly fd: number,
  ) {
    this.maxEntries = Math.max(1, Math.floor(maxIndexSize / entrySize));
    this.scratch = Buffer.allocUnsafe(entrySize * 16);
  }

  /** Entry `i` as the caller sees it (absolute offsets). */
  abstract entry(i: number): Entry;

  /**
   * Reads entry `i` from `buf` at byte `at` into the arrays; entries [0, i) are already there. Throws
   * `CorruptIndexError` if it is out of order.
   */
  protected abstract decodeEntry(buf: Buffer, at: number, i: number): void;

  /** Writes entry `i` from the arrays into `buf` at byte `at`. */
  protected abstract encodeEntry(buf: Buffer, at: number, i: number): void;

  /** How many entries the arrays can hold. */
  protected abstract capacity(): number;

  /** Replaces the arrays with ones of `capacity`, keeping entries [0, count). */
  protected abstract resize(capacity: number, count: number): void;

  /** Reads the file into memory. Throws `CorruptIndexError` if its size or ordering is wrong. */
  load(): void {
    const size = fs.fstatSync(this.fd).size;
    if (size % this.entrySize !== 0) {
      throw new CorruptIndexError(`${this.file}: size ${size} is not a multiple of ${this.entrySize}`);
    }
    const n = size / this.entrySize;
    const buf = Buffer.allocUnsafe(size);
    if (readFully(this.fd, buf, size, 0) !== size) throw new CorruptIndexError(`${this.file}: short read`);
    this.count = 0;
    this.reserve(n);
    for (let i = 0; i < n; i++) this.decodeEntry(buf, i * this.entrySize, i);
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
    return this.count * this.entrySize;
  }

  /** The last entry, or undefined if the index is empty. */
  lastEntry(): Entry | undefined {
    return this.count === 0 ? undefined : this.entry(this.count - 1);
  }

  /** Writes the entries added since the last call to the end of the file, in one write. */
  writePending(): void {
    const from = this.written;
    const n = this.count - from;
    if (n <= 0) return;
    const bytes = n * this.entrySize;
    if (this.scratch.length < bytes) this.scratch = Buffer.allocUnsafe(Math.max(bytes, this.scratch.length * 2));
    this.encodeRange(this.scratch, from, n);
    writeFully(this.fd, this.scratch.subarray(0, bytes), from * this.entrySize);
    this.written = this.count;
  }

  flush(): Promise<void> {
    this.writePending();
    return fsyncAsync(this.fd);
  }

  close(): void {
    this.writePending();
    fs.closeSync(this.fd);
  }

  /** Keeps entries [0, keep), cutting the file back if they had been written. */
  protected truncateEntries(keep: number): void {
    if (keep === this.count) return;
    this.count = keep;
    if (this.written > keep) {
      this.written = keep;
      fs.ftruncateSync(this.fd, keep * this.entrySize);
    }
  }

  /** Replaces all entries with `n` set by `fill(i)`, and the file's contents with them, in one write. */
  protected replaceEntries(n: number, fill: (i: number) => void): void {
    this.count = 0;
    this.reserve(n);
    for (let i = 0; i < n; i++) fill(i);
    const buf = Buffer.allocUnsafe(n * this.entrySize);
    this.encodeRange(buf, 0, n);
    fs.ftruncateSync(this.fd, 0);
    writeFully(this.fd, buf, 0);
    this.count = n;
    this.written = n;
  }

  /** Makes room in the arrays for `n` entries, doubling. */
  protected reserve(n: number): void {
    let cap = this.capacity();
    if (n <= cap) return;
    while (cap < n) cap *= 2;
    this.resize(cap, this.count);
  }

  private encodeRange(buf: Buffer, from: number, n: number): void {
    for (let i = 0; i < n; i++) this.encodeEntry(buf, i * this.entrySize, from + i);
  }
}

/** A copy of `array`'s first `count` elements in a new array of `capacity`. */
export function grown<T extends Int32Array | Float64Array>(array: T, capacity: number, count: number): T {
  const next = new (array.constructor as new (n: number) => T)(capacity);
  next.set(array.subarray(0, count));
  return next;
}
