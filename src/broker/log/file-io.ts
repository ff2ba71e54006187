/**
 * Small synchronous file helpers for the log: positional reads and writes that loop until done, and
 * 64-bit offsets/timestamps read and written as JS numbers without allocating a bigint.
 *
 * Offsets and timestamps inside the log are `number`s: exact up to 2^53, which an offset would reach
 * after 285 years at a million records a second. The protocol edge converts to and from `bigint`.
 */
import fs from 'node:fs';

const TWO_32 = 4294967296;

/** Writes all of `buf` at `position`. */
export function writeFully(fd: number, buf: Buffer, position: number): void {
  let done = 0;
  while (done < buf.length) {
    done += fs.writeSync(fd, buf, done, buf.length - done, position + done);
  }
}

/** Reads up to `length` bytes at `position` into `buf`; returns how many were read (fewer only at EOF). */
export function readFully(fd: number, buf: Buffer, length: number, position: number): number {
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, buf, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

/** Reads a big-endian int64 as a number (exact for |v| < 2^53). */
export function readInt64(buf: Buffer, at: number): number {
  return buf.readInt32BE(at) * TWO_32 + buf.readUInt32BE(at + 4);
}

/** Writes a number as a big-endian int64 (exact for |v| < 2^53). */
export function writeInt64(buf: Buffer, value: number, at: number): void {
  const hi = Math.floor(value / TWO_32);
  buf.writeInt32BE(hi, at);
  buf.writeUInt32BE(value - hi * TWO_32, at + 4);
}

/** A DataView over exactly `buf`: its accessors are cheaper than Buffer's in per-batch loops. */
export function viewOf(buf: Buffer): DataView {
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** As `readInt64`, through a DataView. */
export function getInt64(view: DataView, at: number): number {
  return view.getInt32(at) * TWO_32 + view.getUint32(at + 4);
}

/** As `writeInt64`, through a DataView. */
export function setInt64(view: DataView, value: number, at: number): void {
  const hi = Math.floor(value / TWO_32);
  view.setInt32(at, hi);
  view.setUint32(at + 4, value - hi * TWO_32);
}

/** fsync as a promise. */
export function fsyncAsync(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.fsync(fd, (err) => (err ? reject(err) : resolve())));
}

/** fsyncs a directory so that a rename or unlink inside it is durable. Best effort: some platforms refuse. */
export function fsyncDirSync(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Windows cannot open a directory for fsync; the rename itself is still atomic there.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
