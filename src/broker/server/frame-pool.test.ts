import { describe, expect, it } from 'vitest';
import { FramePool } from './frame-pool.js';

describe('FramePool', () => {
  it('hands a released buffer to the next frame of its size class', () => {
    const pool = new FramePool(8 << 20);
    const a = pool.take(1_000_000);
    expect(a.length).toBe(1_000_000);
    pool.release(a);
    expect(pool.idleBytes).toBe(1 << 20);
    const b = pool.take(900_000);
    expect(b.buffer).toBe(a.buffer);
    expect(b.length).toBe(900_000);
    expect(pool.idleBytes).toBe(0);
    // A frame of another class gets a buffer of its own.
    expect(pool.take(3_000_000).buffer).not.toBe(a.buffer);
  });

  it('ignores buffers it did not hand out, and a second release of the same one', () => {
    const pool = new FramePool(8 << 20);
    pool.release(Buffer.alloc(1 << 20));
    expect(pool.idleBytes).toBe(0);
    const a = pool.take(100_000);
    pool.release(a);
    pool.release(a);
    expect(pool.idleBytes).toBe(128 * 1024);
    const b = pool.take(100_000);
    const c = pool.take(100_000);
    expect(b.buffer).toBe(a.buffer);
    expect(c.buffer).not.toBe(a.buffer);
  });

  it('keeps no more than its limit idle', () => {
    const pool = new FramePool(2 << 20);
    const frames = [pool.take(1 << 20), pool.take(1 << 20), pool.take(1 << 20)];
    for (const f of frames) pool.release(f);
    expect(pool.idleBytes).toBe(2 << 20);
    const none = new FramePool(0);
    none.release(none.take(1 << 20));
    expect(none.idleBytes).toBe(0);
  });
});
