/**
 * BatchHeaderCursor: a walk over the record batches laid end to end in a run of bytes — a segment's
 * `.log`, the bytes of an append, the bytes a read returns — one batch header at a time, as Kafka's
 * `FileRecords.batchesFrom` walks `FileChannelRecordBatch`es: each step reads only the header fields
 * asked for, and nothing is allocated per batch (the walks it serves are on the Produce and Fetch
 * paths). Offsets and timestamps come out as `number`s, as everywhere in the log.
 *
 *   for (c.seek(position, end); c.load(BATCH_HEADER_SIZE); c.next()) { … c.baseOffset … }
 *
 * Where the bytes come from is the caller's: `over(buf)` walks bytes in memory; a `HeaderReader`
 * (given to the constructor) copies them from a file, or anywhere else, on each `load`. A cursor is
 * reused from walk to walk and never held across an `await`.
 *
 * The cursor does not judge the batches it passes: `isWhole` says whether the current one's length
 * can be a batch that ends before `end`, and the caller decides what a bad one means (truncate,
 * report, refuse, stop).
 */
import { BATCH_HEADER_SIZE, LOG_OVERHEAD, Offsets } from '../../protocol/batch-header.js';
import { getInt64 } from './file-io.js';

/** The smallest legal `batchLength`: a header with no records. */
export const MIN_BATCH_LENGTH = BATCH_HEADER_SIZE - LOG_OVERHEAD;

/**
 * Makes `length` bytes of the batch at `position` readable by `cursor` (through `cursor.point`).
 * False if they cannot all be had.
 */
export type HeaderReader = (cursor: BatchHeaderCursor, position: number, length: number) => boolean;

const NO_BYTES: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));

export class BatchHeaderCursor {
  /** Where the current batch starts, in the walked bytes' own positions (file offset, index in `buf`). */
  position = 0;
  /** Where the walk ends: no batch is loaded past it. */
  end = 0;
  /** A view over the bytes holding the current header, and where in it the header starts. */
  private view = NO_BYTES;
  private at = 0;
  /** For `over`: the walked buffer's offset in its ArrayBuffer. */
  private base = 0;

  /** `reader` supplies the bytes of a walk started with `seek`; `over` needs none. */
  constructor(private readonly reader?: HeaderReader) {}

  /** Starts a walk at `position`, ending at `end`, over what the reader supplies. */
  seek(position: number, end: number): this {
    this.position = position;
    this.end = end;
    this.base = -1;
    return this;
  }

  /** Starts a walk over the batches in `buf[start, end)`; positions are indexes in `buf`. */
  over(buf: Buffer, start = 0, end = buf.length): this {
    // One view per ArrayBuffer, not per buffer: appends and reads come from pooled buffers.
    if (this.view.buffer !== buf.buffer) this.view = new DataView(buf.buffer);
    this.base = buf.byteOffset;
    this.position = start;
    this.end = end;
    return this;
  }

  /**
   * Makes the first `length` bytes of the batch at `position` readable: the fields inside them may
   * be read until the next `load` or `next`. False at the end of the walk — fewer than `length`
   * bytes before `end` — or if the reader could not supply them.
   */
  load(length: number = BATCH_HEADER_SIZE): boolean {
    if (this.end - this.position < length) return false;
    if (this.base >= 0) {
      this.at = this.base + this.position;
      return true;
    }
    return (this.reader as HeaderReader)(this, this.position, length);
  }

  /** For a `HeaderReader`: the loaded bytes are `buf[at …]`. */
  point(buf: Buffer, at: number): void {
    if (this.view.buffer !== buf.buffer) this.view = new DataView(buf.buffer);
    this.at = buf.byteOffset + at;
  }

  /** Moves to the batch after the current one (by its length field). */
  next(): void {
    this.position += this.view.getInt32(this.at + Offsets.batchLength) + LOG_OVERHEAD;
  }

  get batchLength(): number {
    return this.view.getInt32(this.at + Offsets.batchLength);
  }

  /** The whole batch's size in bytes, header included. */
  get size(): number {
    return this.view.getInt32(this.at + Offsets.batchLength) + LOG_OVERHEAD;
  }

  /** The length field can be a batch's, and that batch ends by `end`. */
  get isWhole(): boolean {
    const batchLength = this.view.getInt32(this.at + Offsets.batchLength);
    return batchLength >= MIN_BATCH_LENGTH && this.position + batchLength + LOG_OVERHEAD <= this.end;
  }

  get baseOffset(): number {
    return getInt64(this.view, this.at + Offsets.baseOffset);
  }

  get lastOffsetDelta(): number {
    return this.view.getInt32(this.at + Offsets.lastOffsetDelta);
  }

  get lastOffset(): number {
    return getInt64(this.view, this.at + Offsets.baseOffset) + this.view.getInt32(this.at + Offsets.lastOffsetDelta);
  }

  get magic(): number {
    return this.view.getInt8(this.at + Offsets.magic);
  }

  get maxTimestamp(): number {
    return getInt64(this.view, this.at + Offsets.maxTimestamp);
  }
}

/** For the short walks of callers that hold no cursor of their own: never held across calls. */
const scratch = new BatchHeaderCursor();

/** The offset after the last whole batch in `chunk` (whole batches, e.g. what a read returned); -1 if none. */
export function nextOffsetAfter(chunk: Buffer): number {
  let next = -1;
  for (const c = scratch.over(chunk); c.load(BATCH_HEADER_SIZE); c.next()) next = c.lastOffset + 1;
  return next;
}
