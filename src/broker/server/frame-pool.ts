/**
 * Buffers for large request frames, reused once a request is done with them.
 *
 * A fresh megabyte per Produce request is memory the kernel has to find and zero for the socket read
 * to fill (page faults), and that the garbage collector has to account for; at ingest rates that is
 * a tenth of the broker's CPU. Frames come from here in power-of-two capacities (a frame is a view of
 * the first `size` bytes) and go back only when the connection knows the request's bytes are no
 * longer referenced (Handler.keepsNoRequestBytes). The pool keeps at most `maxFreeBytes` idle;
 * a buffer it did not hand out, or one already back, is ignored.
 */
export class FramePool {
  private readonly free = new Map<number, ArrayBuffer[]>();
  private readonly ours = new WeakSet<ArrayBuffer>();
  private readonly idle = new WeakSet<ArrayBuffer>();
  private freeBytes = 0;

  constructor(private readonly maxFreeBytes: number) {}

  /** A buffer of exactly `size` bytes (contents undefined). */
  take(size: number): Buffer {
    const capacity = capacityFor(size);
    const list = this.free.get(capacity);
    const reused = list?.pop();
    if (reused !== undefined) {
      this.idle.delete(reused);
      this.freeBytes -= capacity;
      return Buffer.from(reused, 0, size);
    }
    const fresh = Buffer.allocUnsafeSlow(capacity);
    this.ours.add(fresh.buffer);
    return fresh.subarray(0, size);
  }

  /** Gives back a frame from `take`; its bytes may be overwritten by the next request. */
  release(frame: Buffer): void {
    const ab = frame.buffer as ArrayBuffer;
    if (!this.ours.has(ab) || this.idle.has(ab)) return;
    if (this.freeBytes + ab.byteLength > this.maxFreeBytes) return;
    let list = this.free.get(ab.byteLength);
    if (list === undefined) {
      list = [];
      this.free.set(ab.byteLength, list);
    }
    list.push(ab);
    this.idle.add(ab);
    this.freeBytes += ab.byteLength;
  }

  /** Bytes held idle. */
  get idleBytes(): number {
    return this.freeBytes;
  }
}

/** The power of two at or above `size`, at least 64 KB. */
function capacityFor(size: number): number {
  let c = 64 * 1024;
  while (c < size) c *= 2;
  return c;
}
