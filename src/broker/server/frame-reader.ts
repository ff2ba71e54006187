/**
 * Splits a TCP byte stream into Kafka frames: a 4-byte big-endian size, then that many bytes.
 *
 * A size below the smallest possible request header or above `socket.request.max.bytes` is a
 * protocol violation; Kafka closes such a connection (InvalidReceiveException), and so do we,
 * before allocating anything for the claimed size.
 *
 * The reader chooses where the socket's bytes land (`nextBuffer`, then `filled`): normally a 64 KB
 * scratch buffer, from which small frames are copied out; but once a frame too large for the scratch
 * has begun, its own buffer, so the rest of it — most of every large Produce request — goes from the
 * kernel straight to where the broker keeps it, with no copy in between. Those buffers come from a
 * FramePool, to which the connection returns them when it can. `push` feeds bytes that arrived
 * elsewhere through the same path.
 */

import { feed } from './direct-reads.js';
import { FramePool } from './frame-pool.js';

/** Smallest request: api key, api version, correlation id, client id length. */
const MIN_FRAME = 2 + 2 + 4 + 2;
const SCRATCH_BYTES = 64 * 1024;

export class FrameError extends Error {
  override name = 'FrameError';
}

export class FrameReader {
  private readonly scratch = Buffer.allocUnsafe(SCRATCH_BYTES);
  /** Unparsed bytes are scratch[start, end). */
  private start = 0;
  private end = 0;
  /** The large frame being read into its own buffer, and how much of it has arrived. */
  private large: Buffer | null = null;
  private largeFilled = 0;

  /** The default pool keeps nothing: every large frame is a fresh buffer. */
  constructor(
    private readonly maxFrameBytes: number,
    private readonly pool = new FramePool(0),
  ) {}

  /** Where the next bytes from the socket should go (at most this buffer's length). */
  nextBuffer(): Buffer {
    if (this.large !== null) return this.large.subarray(this.largeFilled);
    if (this.end === SCRATCH_BYTES) {
      // Only a partial frame that fits the scratch is left: move it to the front.
      this.scratch.copy(this.scratch, 0, this.start, this.end);
      this.end -= this.start;
      this.start = 0;
    }
    return this.scratch.subarray(this.end);
  }

  /** `n` bytes were written at the start of the last `nextBuffer()`; returns every frame now complete. */
  filled(n: number): Buffer[] {
    const frames: Buffer[] = [];
    if (this.large !== null) {
      this.largeFilled += n;
      if (this.largeFilled < this.large.length) return frames;
      frames.push(this.large);
      this.large = null;
      return frames;
    }
    this.end += n;
    const s = this.scratch;
    while (this.end - this.start >= 4) {
      const size = s.readInt32BE(this.start);
      if (size < MIN_FRAME || size > this.maxFrameBytes) {
        throw new FrameError(`frame size ${size} outside [${MIN_FRAME}, ${this.maxFrameBytes}] (socket.request.max.bytes)`);
      }
      const have = this.end - this.start - 4;
      const bodyAt = this.start + 4;
      if (have >= size) {
        const frame = Buffer.allocUnsafe(size);
        s.copy(frame, 0, bodyAt, bodyAt + size);
        frames.push(frame);
        this.start = bodyAt + size;
      } else {
        if (size + 4 > SCRATCH_BYTES) {
          this.large = this.pool.take(size);
          s.copy(this.large, 0, bodyAt, this.end);
          this.largeFilled = have;
          this.start = this.end = 0;
        }
        return frames;
      }
    }
    if (this.start === this.end) this.start = this.end = 0;
    return frames;
  }

  /** Feeds bytes that arrived in a buffer of their own; returns every frame now complete. */
  push(chunk: Buffer): Buffer[] {
    const frames: Buffer[] = [];
    feed(
      {
        buffer: () => this.nextBuffer(),
        filled: (n) => {
          frames.push(...this.filled(n));
          return true;
        },
      },
      chunk,
    );
    return frames;
  }
}
