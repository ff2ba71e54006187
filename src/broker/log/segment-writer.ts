/**
 * SegmentWriter: the writes to one segment's `.log`, either at once (`writeSync`) or behind
 * (`enqueue`), in file order (docs/log-format.md, "Writing behind").
 *
 * Written-behind buffers wait in a queue and go to the file on libuv's thread pool, gathered into
 * `writev` calls of up to a megabyte, one call in flight at a time. Until then they are the only copy of their
 * bytes, so `copyQueued` lets readers see them. `writeOut` writes the whole queue synchronously (it
 * may rewrite bytes that are also in flight: the same bytes at the same position). A descriptor is
 * closed only when no write is in flight. After a failed write the writer drops its queue and refuses
 * everything with KAFKA_STORAGE_ERROR.
 */
import fs from 'node:fs';
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import { writeFully } from './file-io.js';

/**
 * How much one writev carries (at least one queued buffer, whatever its size). Small appends are
 * gathered; but one call for everything a slow disk let pile up is slower than several (measured on
 * Linux/ext4: 64 MB in one writev took up to twice as long as 64 calls of 1 MB).
 */
const MAX_WRITE_BYTES = 1024 * 1024;

interface Queued {
  position: number;
  buf: Buffer;
}

interface Waiter {
  target: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

export class SegmentWriter {
  /** Every byte below this is in the file. */
  private written: number;
  /** Logical end: written plus queued. */
  private end: number;
  /** Bytes below this were handed to a write (in flight or done). */
  private issued: number;
  private queue: Queued[] = [];
  private waiters: Waiter[] = [];
  private idleWaiters: Array<() => void> = [];
  private inFlight = false;
  /** Where the write in flight starts: it holds the queued buffers from here on. */
  private inFlightStart = 0;
  /** Set when the descriptor is to be closed as soon as the write in flight returns. */
  private closeWhenIdle: (() => void) | undefined;
  private fdClosed = false;
  private failure: Error | undefined;
  /** Called after each completed write-behind (with the error if it failed). */
  onWritten: ((err?: Error) => void) | undefined;

  constructor(
    private readonly fd: number,
    size: number,
    private readonly name: string,
  ) {
    this.written = size;
    this.end = size;
    this.issued = size;
  }

  get writtenSize(): number {
    return this.written;
  }

  /** A write is running on the thread pool. */
  get writing(): boolean {
    return this.inFlight;
  }

  /** Writes `buf` at the end now, after everything queued. */
  writeSync(buf: Buffer, position: number): void {
    this.check(position);
    this.writeOut();
    writeFully(this.fd, buf, position);
    this.written = this.end = this.issued = position + buf.length;
  }

  /** Queues `buf` for the end of the file; it is written on the thread pool. */
  enqueue(buf: Buffer, position: number): void {
    this.check(position);
    this.queue.push({ position, buf });
    this.end = position + buf.length;
    this.issue();
  }

  /** Writes everything queued, synchronously. */
  writeOut(): void {
    if (this.failure) throw this.storageError();
    for (const q of this.queue) {
      const skip = Math.max(0, this.written - q.position);
      if (skip < q.buf.length) writeFully(this.fd, skip === 0 ? q.buf : q.buf.subarray(skip), q.position + skip);
    }
    this.queue = [];
    this.written = this.end;
    this.issued = Math.max(this.issued, this.end);
    this.settle();
  }

  /** Resolves when no write is in flight (one may start again at the next append). */
  whenIdle(): Promise<void> {
    if (!this.inFlight) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Resolves once every byte queued so far is in the file and no write in flight still holds one of
   * their buffers — after that the caller may reuse them. (A `writeOut` puts the bytes in the file
   * at once, but a write already handed to the thread pool may still be about to read them.)
   */
  whenWritten(): Promise<void> {
    if (this.failure) return Promise.reject(this.storageError());
    if (this.released(this.end)) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ target: this.end, resolve, reject }));
  }

  /**
   * Copies the queued bytes in [position, position + length) into `target` at `targetStart`; returns
   * how many it copied (they run from `position` up to the logical end).
   */
  copyQueued(target: Buffer, targetStart: number, position: number, length: number): number {
    let copied = 0;
    for (const q of this.queue) {
      const at = position + copied;
      if (copied >= length) break;
      if (at < q.position || at >= q.position + q.buf.length) continue;
      const from = at - q.position;
      const n = Math.min(q.buf.length - from, length - copied);
      q.buf.copy(target, targetStart + copied, from, from + n);
      copied += n;
    }
    return copied;
  }

  /**
   * Cuts the logical end back (truncation), after writing out the queue. Only with no write in flight
   * (see `whenIdle`): a write landing after the cut would put the cut bytes back.
   */
  truncate(size: number): void {
    if (this.inFlight) throw new Error(`${this.name}: truncation while a write is in flight`);
    this.writeOut();
    this.written = this.end = this.issued = size;
  }

  /** Forgets the queued bytes (the segment is being deleted) and releases their waiters. */
  drop(): void {
    this.queue = [];
    this.written = this.issued = this.end;
    this.settle();
  }

  /** Closes the descriptor (by `closeFd`) now, or when the write in flight returns. */
  closeAfterWrites(closeFd: () => void): void {
    if (this.fdClosed) return;
    if (this.inFlight) {
      this.closeWhenIdle = closeFd;
      return;
    }
    this.fdClosed = true;
    closeFd();
  }

  /** Everything queued so far is in the file and no write in flight holds any of it (`whenWritten` would resolve at once). */
  get settled(): boolean {
    return this.failure === undefined && this.released(this.end);
  }

  /** The write that failed, if one did. */
  get failed(): Error | undefined {
    return this.failure;
  }

  private check(position: number): void {
    if (this.failure) throw this.storageError();
    if (this.fdClosed || this.closeWhenIdle !== undefined) throw new Error(`${this.name}: write after close`);
    if (position !== this.end) throw new Error(`${this.name}: write at ${position}, but the file ends at ${this.end}`);
  }

  private issue(): void {
    if (this.inFlight || this.closeWhenIdle !== undefined || this.fdClosed || this.issued >= this.end) return;
    const bufs: Buffer[] = [];
    let total = 0;
    for (const q of this.queue) {
      const skip = Math.max(0, this.issued - q.position);
      if (skip >= q.buf.length) continue;
      if (total > 0 && total + q.buf.length - skip > MAX_WRITE_BYTES) break;
      const b = skip === 0 ? q.buf : q.buf.subarray(skip);
      bufs.push(b);
      total += b.length;
    }
    if (total === 0) return;
    const start = this.issued;
    this.issued = start + total;
    this.inFlight = true;
    this.inFlightStart = start;
    fs.writev(this.fd, bufs, start, (err, bytes) => {
      this.inFlight = false;
      const close = this.closeWhenIdle;
      if (close !== undefined) {
        this.closeWhenIdle = undefined;
        this.closeAfterWrites(close);
        this.settle();
        this.releaseIdle();
        return;
      }
      if (err) {
        this.fail(err);
        this.releaseIdle();
        return;
      }
      const reached = start + bytes;
      if (reached > this.written) {
        this.written = reached;
        while (this.queue.length > 0 && this.queue[0].position + this.queue[0].buf.length <= this.written) this.queue.shift();
      }
      // A short write: the rest goes again, unless a writeOut already wrote it.
      if (bytes < total) this.issued = Math.max(this.written, reached);
      this.issue();
      this.settle();
      if (!this.inFlight) this.releaseIdle();
      this.onWritten?.();
    });
  }

  private releaseIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  /** Bytes up to `target` are in the file and no write in flight holds any of their buffers. */
  private released(target: number): boolean {
    return target <= this.written && (!this.inFlight || target <= this.inFlightStart);
  }

  private settle(): void {
    let n = 0;
    while (n < this.waiters.length && this.released(this.waiters[n].target)) this.waiters[n++].resolve();
    if (n > 0) this.waiters.splice(0, n);
  }

  private fail(err: Error): void {
    this.failure = err;
    // The partition is offline: nothing will be written or read from the queue again.
    this.queue = [];
    const error = this.storageError();
    for (const w of this.waiters) w.reject(error);
    this.waiters = [];
    this.onWritten?.(err);
  }

  private storageError(): KafkaError {
    return new KafkaError(
      ErrorCode.KAFKA_STORAGE_ERROR,
      `${this.name}: a write failed (${this.failure?.message}); the partition is offline until the broker restarts`,
    );
  }
}
