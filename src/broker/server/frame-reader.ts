/**
 * Splits a TCP byte stream into Kafka frames: a 4-byte big-endian size, then that many bytes.
 *
 * A size below the smallest possible request header or above `socket.request.max.bytes` is a
 * protocol violation; Kafka closes such a connection (InvalidReceiveException), and so do we,
 * before allocating anything for the claimed size.
 *
 * A frame that lies within one chunk is returned as a view of it, uncopied. A frame that spans
 * chunks (every large Produce request: the socket delivers at most 64 KB at a time) gets a buffer
 * of its own as soon as its size is known, and each chunk is copied in as it arrives, while it is
 * still in the CPU's cache, rather than all at once when the last one comes.
 */

/** Smallest request: api key, api version, correlation id, client id length. */
const MIN_FRAME = 2 + 2 + 4 + 2;

export class FrameError extends Error {
  override name = 'FrameError';
}

export class FrameReader {
  /** Size prefix bytes received so far, when a chunk ended inside one. */
  private readonly sizeBytes = Buffer.alloc(4);
  private sizeFilled = 0;
  /** The frame being filled, when one spans chunks. */
  private partial: Buffer | null = null;
  private partialFilled = 0;

  constructor(private readonly maxFrameBytes: number) {}

  /** Feeds bytes from the socket; returns every frame now complete (bodies without the size). */
  push(chunk: Buffer): Buffer[] {
    const frames: Buffer[] = [];
    const length = chunk.length;
    let at = 0;
    while (at < length) {
      const partial = this.partial;
      if (partial !== null) {
        const n = Math.min(partial.length - this.partialFilled, length - at);
        chunk.copy(partial, this.partialFilled, at, at + n);
        this.partialFilled += n;
        at += n;
        if (this.partialFilled === partial.length) {
          frames.push(partial);
          this.partial = null;
        }
        continue;
      }

      let size: number;
      if (this.sizeFilled === 0 && length - at >= 4) {
        size = chunk.readInt32BE(at);
        at += 4;
      } else {
        // The size prefix itself is split across chunks.
        const n = Math.min(4 - this.sizeFilled, length - at);
        chunk.copy(this.sizeBytes, this.sizeFilled, at, at + n);
        this.sizeFilled += n;
        at += n;
        if (this.sizeFilled < 4) break;
        this.sizeFilled = 0;
        size = this.sizeBytes.readInt32BE(0);
      }
      if (size < MIN_FRAME || size > this.maxFrameBytes) {
        throw new FrameError(`frame size ${size} outside [${MIN_FRAME}, ${this.maxFrameBytes}] (socket.request.max.bytes)`);
      }
      if (length - at >= size) {
        frames.push(chunk.subarray(at, at + size));
        at += size;
      } else {
        this.partial = Buffer.allocUnsafe(size);
        this.partialFilled = 0;
      }
    }
    return frames;
  }
}
