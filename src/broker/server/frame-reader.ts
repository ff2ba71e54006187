/**
 * Splits a TCP byte stream into Kafka frames: a 4-byte big-endian size, then that many bytes.
 *
 * A size below the smallest possible request header or above `socket.request.max.bytes` is a
 * protocol violation; Kafka closes such a connection (InvalidReceiveException), and so do we,
 * before allocating anything for the claimed size.
 */

/** Smallest request: api key, api version, correlation id, client id length. */
const MIN_FRAME = 2 + 2 + 4 + 2;

export class FrameError extends Error {
  override name = 'FrameError';
}

export class FrameReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly maxFrameBytes: number) {}

  /** Feeds bytes from the socket; returns every frame now complete (bodies without the size). */
  push(chunk: Buffer): Buffer[] {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    const frames: Buffer[] = [];
    while (this.pendingBytes >= 4) {
      const size = this.peekSize();
      if (size < MIN_FRAME || size > this.maxFrameBytes) {
        throw new FrameError(`frame size ${size} outside [${MIN_FRAME}, ${this.maxFrameBytes}] (socket.request.max.bytes)`);
      }
      if (this.pendingBytes < 4 + size) break;
      frames.push(this.take(4 + size).subarray(4));
    }
    return frames;
  }

  private peekSize(): number {
    const first = this.pending[0];
    if (first.length >= 4) return first.readInt32BE(0);
    const head = Buffer.concat(this.pending, Math.min(this.pendingBytes, 4));
    return head.readInt32BE(0);
  }

  /** Removes and returns the first n pending bytes, copying only when they span chunks. */
  private take(n: number): Buffer {
    const first = this.pending[0];
    if (first.length >= n) {
      const out = first.subarray(0, n);
      if (first.length === n) this.pending.shift();
      else this.pending[0] = first.subarray(n);
      this.pendingBytes -= n;
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.pending[0];
      const use = Math.min(chunk.length, n - filled);
      chunk.copy(out, filled, 0, use);
      filled += use;
      if (use === chunk.length) this.pending.shift();
      else this.pending[0] = chunk.subarray(use);
    }
    this.pendingBytes -= n;
    return out;
  }
}
