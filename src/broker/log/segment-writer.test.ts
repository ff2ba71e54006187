import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import { SegmentWriter } from './segment-writer.js';
import { makeTmpDir, removeDir } from './testing.js';

describe('SegmentWriter', () => {
  let dir: string;
  let file: string;
  let fd: number;

  beforeEach(() => {
    dir = makeTmpDir();
    file = path.join(dir, 'seg.log');
    fd = fs.openSync(file, 'w+');
  });
  afterEach(() => removeDir(dir));

  const bytes = (s: string) => Buffer.from(s);
  const closeFd = () => fs.closeSync(fd);

  it('writes queued buffers in order on the thread pool and says when they are in the file', async () => {
    const w = new SegmentWriter(fd, 0, file);
    w.enqueue(bytes('hello '), 0);
    w.enqueue(bytes('queued '), 6);
    w.enqueue(bytes('world'), 13);
    expect(w.writtenSize).toBeLessThan(18);
    await w.whenWritten();
    expect(w.writtenSize).toBe(18);
    expect(fs.readFileSync(file, 'utf8')).toBe('hello queued world');
    w.closeAfterWrites(closeFd);
  });

  it('lets readers copy queued bytes that are not in the file yet, across buffers and from inside one', async () => {
    const w = new SegmentWriter(fd, 0, file);
    w.enqueue(bytes('abcdef'), 0);
    w.enqueue(bytes('ghij'), 6);
    const out = Buffer.alloc(6, '.');
    expect(w.copyQueued(out, 1, 4, 5)).toBe(5);
    expect(out.toString()).toBe('.efghi');
    // Past the end: only what exists.
    expect(w.copyQueued(out, 0, 8, 6)).toBe(2);
    await w.whenWritten();
    w.closeAfterWrites(closeFd);
  });

  it('writes everything queued at once on writeOut, and a synchronous write lands after the queue', async () => {
    const w = new SegmentWriter(fd, 0, file);
    w.enqueue(bytes('one '), 0);
    w.enqueue(bytes('two '), 4);
    w.writeSync(bytes('three'), 8);
    // Synchronous: in the file on return, whatever is still in flight (it rewrites the same bytes).
    expect(fs.readFileSync(file, 'utf8')).toBe('one two three');
    expect(w.writtenSize).toBe(13);
    await w.whenWritten();
    await new Promise((r) => setTimeout(r, 20));
    expect(fs.readFileSync(file, 'utf8')).toBe('one two three');
    w.closeAfterWrites(closeFd);
  });

  it('after a writeOut, keeps the buffers unreleased until the write already handed to the thread pool has run', async () => {
    // Keep every thread-pool thread busy, so the writev waits in libuv's queue while writeOut runs.
    const busy = Array.from({ length: 8 }, () => new Promise((r) => crypto.pbkdf2('x', 'y', 200_000, 32, 'sha512', r)));
    const w = new SegmentWriter(fd, 0, file);
    const frame = Buffer.alloc(4096, 0x41);
    w.enqueue(frame, 0);
    expect(w.writing).toBe(true);
    w.writeOut(); // as a marker append does: the bytes are in the file now
    expect(w.writtenSize).toBe(4096);
    await w.whenWritten(); // the Produce response is ready, its frame goes back to the pool …
    frame.fill(0x42); // … and the next request is read into it
    await w.whenIdle();
    await Promise.all(busy);
    expect(fs.readFileSync(file).every((b) => b === 0x41)).toBe(true);
    w.closeAfterWrites(closeFd);
  });

  it('a short write after a writeOut issues nothing more', async () => {
    const realWritev = fs.writev;
    let calls = 0;
    const short = ((f: number, bufs: Buffer[], pos: number, cb: (err: Error | null, n: number) => void) => {
      calls++;
      // Write only the first byte, and answer after a writeOut has put everything in the file.
      realWritev(f, [bufs[0].subarray(0, 1)], pos, (err, n) => setTimeout(() => cb(err, n), 5));
    }) as unknown as typeof fs.writev;
    (fs as { writev: typeof fs.writev }).writev = short;
    try {
      const w = new SegmentWriter(fd, 0, file);
      w.enqueue(bytes('abcdef'), 0);
      w.writeOut();
      await w.whenWritten();
      await new Promise((r) => setTimeout(r, 30));
      expect(calls).toBe(1);
      expect(w.writing).toBe(false);
      expect(fs.readFileSync(file, 'utf8')).toBe('abcdef');
      w.closeAfterWrites(closeFd);
    } finally {
      (fs as { writev: typeof fs.writev }).writev = realWritev;
    }
  });

  it('refuses a write anywhere but the end', () => {
    const w = new SegmentWriter(fd, 0, file);
    w.writeSync(bytes('abc'), 0);
    expect(() => w.enqueue(bytes('x'), 5)).toThrow(/file ends at 3/);
    expect(() => w.writeSync(bytes('x'), 1)).toThrow(/file ends at 3/);
    w.closeAfterWrites(closeFd);
  });

  it('closes the descriptor only after the write in flight returns', async () => {
    const w = new SegmentWriter(fd, 0, file);
    w.enqueue(Buffer.alloc(4 << 20, 7), 0);
    expect(w.writing).toBe(true);
    let closed = false;
    w.closeAfterWrites(() => {
      closed = true;
      fs.closeSync(fd);
    });
    expect(closed).toBe(false);
    await new Promise<void>((resolve) => {
      const poll = () => (closed ? resolve() : setTimeout(poll, 1));
      poll();
    });
    expect(() => w.enqueue(bytes('late'), 4 << 20)).toThrow(/after close/);
  });

  it('refuses truncation while a write is in flight', async () => {
    const w = new SegmentWriter(fd, 0, file);
    w.enqueue(Buffer.alloc(1 << 20), 0);
    expect(() => w.truncate(0)).toThrow(/in flight/);
    await w.whenWritten();
    w.truncate(10);
    expect(w.writtenSize).toBe(10);
    w.closeAfterWrites(closeFd);
  });

  it('after a failed write, rejects the waiters and every later write with KAFKA_STORAGE_ERROR', async () => {
    fs.closeSync(fd);
    const readOnly = fs.openSync(file, 'r');
    const w = new SegmentWriter(readOnly, 0, file);
    const failures: Error[] = [];
    w.onWritten = (err) => err && failures.push(err);
    w.enqueue(bytes('never'), 0);
    const err = await w.whenWritten().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(KafkaError);
    expect((err as KafkaError).code).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
    expect(failures).toHaveLength(1);
    expect(w.writtenSize).toBe(0);
    expect(() => w.enqueue(bytes('more'), 5)).toThrow(KafkaError);
    expect(() => w.writeOut()).toThrow(/offline/);
    fs.closeSync(readOnly);
  });
});
