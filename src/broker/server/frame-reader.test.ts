import { describe, expect, it } from 'vitest';
import { FrameError, FrameReader } from './frame-reader.js';

function frame(body: Buffer): Buffer {
  const prefix = Buffer.alloc(4);
  prefix.writeInt32BE(body.length);
  return Buffer.concat([prefix, body]);
}

/** Deterministic pseudo-random numbers, so a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('FrameReader', () => {
  const bodies = [10, 11, 100, 4096, 70_000, 1_000_000, 10, 65_536].map((n, i) => Buffer.alloc(n, i + 1));
  const stream = Buffer.concat(bodies.map(frame));

  it('returns the same frames however the stream is cut into chunks', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const next = random(seed);
      const maxChunk = [1, 3, 7, 100, 65_536, 2_000_000][seed % 6];
      const reader = new FrameReader(2_000_000);
      const got: Buffer[] = [];
      for (let at = 0; at < stream.length;) {
        const n = Math.max(1, Math.floor(next() * maxChunk));
        got.push(...reader.push(stream.subarray(at, at + n)));
        at += n;
      }
      expect(got.map((b) => b.length)).toEqual(bodies.map((b) => b.length));
      got.forEach((b, i) => expect(b.equals(bodies[i])).toBe(true));
    }
  });

  it('a frame dribbled in one byte at a time takes linear time', { timeout: 10_000 }, () => {
    // Regression: the size was once re-read by concatenating every pending chunk on each push, so
    // a client sending one byte per segment cost the broker quadratic time (minutes for 100 KB).
    const bytes = frame(Buffer.alloc(200_000, 9));
    const reader = new FrameReader(1 << 20);
    const got: Buffer[] = [];
    for (let i = 0; i < bytes.length; i++) got.push(...reader.push(bytes.subarray(i, i + 1)));
    expect(got).toHaveLength(1);
    expect(got[0].equals(Buffer.alloc(200_000, 9))).toBe(true);
  });

  it('cuts inside the size prefix', () => {
    const reader = new FrameReader(1000);
    const bytes = frame(Buffer.alloc(20, 7));
    expect(reader.push(bytes.subarray(0, 1))).toEqual([]);
    expect(reader.push(bytes.subarray(1, 3))).toEqual([]);
    expect(reader.push(bytes.subarray(3, 10))).toEqual([]);
    const [f] = reader.push(bytes.subarray(10));
    expect(f.equals(Buffer.alloc(20, 7))).toBe(true);
  });

  it('reads the rest of a large frame straight into the frame returned, with no copy', () => {
    const body = Buffer.alloc(300_000, 5);
    const bytes = frame(body);
    const reader = new FrameReader(1 << 20);
    let at = 0;
    const read = (max: number): Buffer[] => {
      const target = reader.nextBuffer();
      const n = Math.min(max, target.length, bytes.length - at);
      bytes.copy(target, 0, at, at + n);
      at += n;
      return reader.filled(n);
    };
    expect(read(1000)).toEqual([]);
    const target = reader.nextBuffer();
    expect(target.length).toBe(body.length - 996);
    let got: Buffer[] = [];
    while (got.length === 0) got = read(65_536);
    expect(got[0].buffer).toBe(target.buffer);
    expect(got[0].equals(body)).toBe(true);
  });

  it('small frames are copies that later reads do not overwrite', () => {
    const reader = new FrameReader(100);
    const [a] = reader.push(frame(Buffer.alloc(16, 1)));
    const [b] = reader.push(frame(Buffer.alloc(16, 2)));
    expect(a.equals(Buffer.alloc(16, 1))).toBe(true);
    expect(b.equals(Buffer.alloc(16, 2))).toBe(true);
  });

  it('refuses a size outside the limits before allocating for it', () => {
    const huge = Buffer.alloc(4);
    huge.writeInt32BE(0x7fffffff);
    expect(() => new FrameReader(1 << 20).push(huge)).toThrow(FrameError);
    const tiny = frame(Buffer.alloc(3));
    expect(() => new FrameReader(1 << 20).push(tiny)).toThrow(FrameError);
    const negative = Buffer.from([0xff, 0xff, 0xff, 0xff]);
    expect(() => new FrameReader(1 << 20).push(negative.subarray(0, 2))).not.toThrow();
    const reader = new FrameReader(1 << 20);
    reader.push(negative.subarray(0, 2));
    expect(() => reader.push(negative.subarray(2))).toThrow(FrameError);
  });
});
