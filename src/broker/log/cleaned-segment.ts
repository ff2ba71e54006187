/**
 * CleanedSegment: the new segment a compaction group is written into, under temporary names —
 * `<base>.log.cleaned`, `<base>.index.cleaned`, `<base>.timeindex.cleaned`, and
 * `<base>.txnindex.cleaned` if it has aborted transactions — until the swap moves it
 * into place (docs/log-format.md, "Swapping segments, crash-safely"). Its indexes follow the same
 * rules as a LogSegment's: an offset index entry before a batch that starts more than
 * index.interval.bytes after the previous entry, a time index entry with it when the max timestamp
 * grew, and a final time index entry holding the segment's max timestamp.
 */
import fs from 'node:fs';
import path from 'node:path';
import { LOG_OVERHEAD, Offsets } from '../../protocol/batch-header.js';
import { fsyncAsync, getInt64, viewOf, writeFully } from './file-io.js';
import { INDEX_FILE_SUFFIX, LOG_FILE_SUFFIX, segmentFileName, TIME_INDEX_FILE_SUFFIX } from './log-segment.js';
import { OffsetIndex } from './offset-index.js';
import { TimeIndex } from './time-index.js';
import { type AbortedTxn, TransactionIndex, TXN_INDEX_FILE_SUFFIX } from './transaction-index.js';

export const CLEANED_FILE_SUFFIX = '.cleaned';

export interface CleanedSegmentOptions {
  /** index.interval.bytes */
  indexIntervalBytes: number;
  /** segment.index.bytes */
  maxIndexSize: number;
}

export class CleanedSegment {
  private sizeValue = 0;
  private bytesSinceLastIndexEntry = 0;
  private maxTimestamp = -1;
  private offsetOfMaxTimestamp: number;
  private closed = false;

  private constructor(
    readonly dir: string,
    readonly baseOffset: number,
    private readonly logFd: number,
    private readonly offsetIndex: OffsetIndex,
    private readonly timeIndex: TimeIndex,
    private readonly txnIndex: TransactionIndex,
    private readonly indexIntervalBytes: number,
  ) {
    this.offsetOfMaxTimestamp = baseOffset;
  }

  /** Creates empty `.cleaned` files for a segment with base offset `baseOffset` (replacing stale ones). */
  static create(dir: string, baseOffset: number, opts: CleanedSegmentOptions): CleanedSegment {
    const file = (suffix: string) => cleanedFile(dir, baseOffset, suffix);
    const logFd = fs.openSync(file(LOG_FILE_SUFFIX), fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_TRUNC, 0o644);
    const offsetIndex = OffsetIndex.open(file(INDEX_FILE_SUFFIX), baseOffset, opts.maxIndexSize);
    const timeIndex = TimeIndex.open(file(TIME_INDEX_FILE_SUFFIX), baseOffset, opts.maxIndexSize);
    offsetIndex.rebuild([], []);
    timeIndex.rebuild([], []);
    const txnIndex = new TransactionIndex(file(TXN_INDEX_FILE_SUFFIX), baseOffset);
    txnIndex.reset();
    return new CleanedSegment(dir, baseOffset, logFd, offsetIndex, timeIndex, txnIndex, opts.indexIntervalBytes);
  }

  get size(): number {
    return this.sizeValue;
  }

  /** Appends whole batches (offsets as they were), adding index entries as a LogSegment would. */
  append(batches: Buffer): void {
    if (batches.length === 0) return;
    const position = this.sizeValue;
    writeFully(this.logFd, batches, position);
    const view = viewOf(batches);
    let at = 0;
    while (at < batches.length) {
      const size = view.getInt32(at + Offsets.batchLength) + LOG_OVERHEAD;
      const baseOffset = getInt64(view, at + Offsets.baseOffset);
      const lastOffset = baseOffset + view.getInt32(at + Offsets.lastOffsetDelta);
      if (!this.offsetIndex.canAppendOffset(lastOffset)) {
        throw new Error(`${this.logFile}: offset ${lastOffset} cannot be stored relative to base offset ${this.baseOffset}`);
      }
      if (this.bytesSinceLastIndexEntry > this.indexIntervalBytes) {
        if (!this.offsetIndex.isFull) {
          this.offsetIndex.append(baseOffset, position + at);
          this.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp);
        }
        this.bytesSinceLastIndexEntry = 0;
      }
      const batchMax = getInt64(view, at + Offsets.maxTimestamp);
      if (batchMax > this.maxTimestamp) {
        this.maxTimestamp = batchMax;
        this.offsetOfMaxTimestamp = lastOffset;
      }
      this.bytesSinceLastIndexEntry += size;
      at += size;
    }
    this.sizeValue = position + batches.length;
    this.offsetIndex.writePending();
    this.timeIndex.writePending();
  }

  /** Records an aborted transaction whose ABORT marker this segment keeps (in marker order). */
  appendAbortedTxn(txn: AbortedTxn): void {
    this.txnIndex.append(txn);
  }

  /**
   * Completes the files: the final time index entry, fsync of all three, close; the `.log`'s
   * modification time is set to `mtimeMs` (the newest of the segments it replaces, as Kafka does, so
   * time retention of a `compact,delete` log is not reset by cleaning).
   */
  async finish(mtimeMs: number): Promise<void> {
    if (this.maxTimestamp >= 0) this.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp, true);
    this.timeIndex.writePending();
    await Promise.all([fsyncAsync(this.logFd), this.offsetIndex.flush(), this.timeIndex.flush(), this.txnIndex.flush()]);
    this.close();
    const seconds = mtimeMs / 1000;
    fs.utimesSync(this.logFile, seconds, seconds);
  }

  /** Closes and removes the files (a round cut short, or a group whose segments went meanwhile). */
  abandon(): void {
    this.close();
    removeCleanedFiles(this.dir, this.baseOffset);
  }

  private get logFile(): string {
    return cleanedFile(this.dir, this.baseOffset, LOG_FILE_SUFFIX);
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.offsetIndex.close();
    this.timeIndex.close();
    this.txnIndex.close();
    fs.closeSync(this.logFd);
  }
}

function cleanedFile(dir: string, baseOffset: number, suffix: string): string {
  return path.join(dir, segmentFileName(baseOffset, suffix) + CLEANED_FILE_SUFFIX);
}

/** Removes every `<base>.*.cleaned` file of the segment with base offset `baseOffset`. */
export function removeCleanedFiles(dir: string, baseOffset: number): void {
  const prefix = segmentFileName(baseOffset, '');
  for (const name of fs.readdirSync(dir)) {
    if (name.startsWith(prefix) && name.endsWith(CLEANED_FILE_SUFFIX)) fs.rmSync(path.join(dir, name), { force: true });
  }
}
