/**
 * LogSegment: one `.log` file of record batches plus its `.index`, `.timeindex` and `.txnindex`
 * (docs/log-format.md, docs/transactions.md). Kafka's `LogSegment`, with the same operations:
 * `append`, `read`, `translateOffset`, `findOffsetByTimestamp`, `recover`, `truncateTo`, `shouldRoll`,
 * `flush`, `close`, `delete`.
 *
 * File access is synchronous (positional reads and writes on descriptors kept open for the segment's
 * life) except fsync and written-behind appends (docs/log-format.md, "Writing behind"), which run on
 * the thread pool; reads see written-behind bytes before they reach the file, and a close requested
 * while an fsync or a write is in flight waits for it, so a descriptor is never closed under either.
 *
 * The `.txnindex` (aborted transactions) is filled by the PartitionLog, which knows the producer
 * state; after `recover()` it is empty until the log's producer-state replay refills it.
 *
 * Left out, compared with Kafka: producer-state rebuilding inside `recover()` (the PartitionLog
 * replays the log instead), leader epochs, and segment jitter.
 */
import fs from 'node:fs';
import path from 'node:path';
import { BATCH_HEADER_SIZE, CURRENT_MAGIC, computeBatchCrc, LOG_OVERHEAD, Offsets } from '../../protocol/batch-header.js';
import { INT32_MAX } from '../../protocol/constants.js';
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import { decodeRecords } from '../../protocol/record-batch.js';
import { BatchHeaderCursor, MIN_BATCH_LENGTH } from './batch-header-cursor.js';
import { fsyncAsync, readFully, readInt64 } from './file-io.js';
import { OffsetIndex } from './offset-index.js';
import { SegmentWriter } from './segment-writer.js';
import { TimeIndex } from './time-index.js';
import { TransactionIndex, TXN_INDEX_FILE_SUFFIX } from './transaction-index.js';

export const LOG_FILE_SUFFIX = '.log';
export const INDEX_FILE_SUFFIX = '.index';
export const TIME_INDEX_FILE_SUFFIX = '.timeindex';

/** `00000000000000368769.log`: the base offset as 20 zero-padded digits, then the suffix. */
export function segmentFileName(baseOffset: number, suffix: string): string {
  return String(baseOffset).padStart(20, '0') + suffix;
}

/** The base offset named by a segment file, or undefined if `name` is not `<20 digits><suffix>`. */
export function parseSegmentFileName(name: string, suffix = LOG_FILE_SUFFIX): number | undefined {
  if (!name.endsWith(suffix)) return undefined;
  const digits = name.slice(0, -suffix.length);
  return /^\d{20}$/.test(digits) ? Number(digits) : undefined;
}

/** Index of the segment with the largest base offset ≤ `offset` in `segments` (sorted by base offset); 0 if none. */
export function floorSegmentIndex(segments: readonly LogSegment[], offset: number): number {
  let lo = 0;
  let hi = segments.length - 1;
  let found = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (segments[mid].baseOffset <= offset) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

/** Where a batch sits: its offsets, its byte position in the `.log`, and its size. */
export interface LogOffsetPosition {
  baseOffset: number;
  lastOffset: number;
  position: number;
  size: number;
}

export interface SegmentReadResult {
  /** Whole batches, the first of which contains the requested offset; may be empty (limits). */
  records: Buffer;
  /** Position in the `.log` of the first batch. */
  position: number;
}

export interface TimestampAndOffset {
  timestamp: number;
  offset: number;
}

export interface RollParams {
  segmentBytes: number;
  segmentMs: number;
  /** Size of the append about to happen. */
  messagesSize: number;
  maxTimestampInMessages: number;
  maxOffsetInMessages: number;
  now: number;
}

export interface RecoveryResult {
  /** Bytes of the `.log` kept. */
  validBytes: number;
  /** Bytes cut off the end of the `.log`. */
  truncatedBytes: number;
  /** Where the first bad batch was and why it was refused; set when bytes were truncated. */
  torn?: { offset: number; position: number; reason: string };
}

export interface SegmentOptions {
  /** index.interval.bytes */
  indexIntervalBytes: number;
  /** segment.index.bytes */
  maxIndexSize: number;
  /** The broker clock's now, for segments whose first batch has no timestamp (segment.ms). */
  now: number;
}

/** How much of the `.log` recovery reads at a time. */
const RECOVERY_CHUNK = 1024 * 1024;
const EMPTY = Buffer.alloc(0);
/** Scratch for batch headers read from files. Single-threaded and never held across calls. */
const headerBuf = Buffer.allocUnsafe(BATCH_HEADER_SIZE);
/** Walks bytes in memory (an append's, a read's). Never held across calls. */
const bytesCursor = new BatchHeaderCursor();

export class LogSegment {
  /** Bytes in the `.log`, counting written-behind bytes not yet in the file. */
  size: number;
  /** index.interval.bytes; a topic config change applies from the next append. */
  indexIntervalBytes: number;
  private nextOffsetValue: number;
  private maxTimestampSoFar = -1;
  private offsetOfMaxTimestampSoFar: number;
  private bytesSinceLastIndexEntry = 0;
  /** The first batch's max timestamp (segment.ms); undefined until read. */
  private rollingBasedTimestamp: number | undefined;
  private created: number;
  private pendingFlushes = 0;
  private closeRequested = false;
  private closed = false;
  /** Aborted transactions whose ABORT marker is in this segment. */
  readonly txnIndex: TransactionIndex;
  /** Writes to the `.log`; written-behind bytes wait here until they are in the file. */
  private readonly writer: SegmentWriter;
  /** Why the `.txnindex` could not be loaded, if it could not (set by `open`); the PartitionLog rebuilds it. */
  txnIndexProblem: string | undefined;
  /** Walks the `.log`'s batch headers (written-behind bytes included), through the shared scratch. */
  private readonly logCursor = new BatchHeaderCursor((cursor, position, length) => {
    if (this.readLog(headerBuf, length, position) !== length) return false;
    cursor.point(headerBuf, 0);
    return true;
  });

  private constructor(
    readonly dir: string,
    readonly baseOffset: number,
    private readonly logFd: number,
    readonly offsetIndex: OffsetIndex,
    readonly timeIndex: TimeIndex,
    opts: SegmentOptions,
    /** Why the indexes cannot be used as they are, if they cannot (set by `open`). */
    readonly indexProblem?: string,
  ) {
    this.size = fs.fstatSync(logFd).size;
    this.writer = new SegmentWriter(logFd, this.size, path.join(dir, this.name));
    this.indexIntervalBytes = opts.indexIntervalBytes;
    this.created = opts.now;
    this.nextOffsetValue = baseOffset;
    this.offsetOfMaxTimestampSoFar = baseOffset;
    this.txnIndex = new TransactionIndex(path.join(dir, segmentFileName(baseOffset, TXN_INDEX_FILE_SUFFIX)), baseOffset);
  }

  /** Creates a new empty segment (replacing empty files of the same name, if any). */
  static create(dir: string, baseOffset: number, opts: SegmentOptions): LogSegment {
    const file = (suffix: string) => path.join(dir, segmentFileName(baseOffset, suffix));
    const flags = fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_TRUNC;
    const logFd = fs.openSync(file(LOG_FILE_SUFFIX), flags, 0o644);
    const offsetIndex = OffsetIndex.open(file(INDEX_FILE_SUFFIX), baseOffset, opts.maxIndexSize);
    const timeIndex = TimeIndex.open(file(TIME_INDEX_FILE_SUFFIX), baseOffset, opts.maxIndexSize);
    offsetIndex.rebuild([], []);
    timeIndex.rebuild([], []);
    const seg = new LogSegment(dir, baseOffset, logFd, offsetIndex, timeIndex, opts);
    seg.txnIndex.reset();
    return seg;
  }

  /**
   * Opens an existing segment and loads its indexes. The segment is not usable until the caller runs
   * either `recover()` or `loadTail()` (which reads the next offset and max timestamp).
   */
  static open(dir: string, baseOffset: number, opts: SegmentOptions): LogSegment {
    const file = (suffix: string) => path.join(dir, segmentFileName(baseOffset, suffix));
    const logFd = fs.openSync(file(LOG_FILE_SUFFIX), fs.constants.O_RDWR);
    const problems: string[] = [];
    const load = <T extends OffsetIndex | TimeIndex>(suffix: string, open: () => T): T => {
      if (!fs.existsSync(file(suffix))) problems.push(`${suffix} file missing`);
      const index = open();
      try {
        index.load();
      } catch (err) {
        problems.push((err as Error).message);
      }
      return index;
    };
    const offsetIndex = load(INDEX_FILE_SUFFIX, () => OffsetIndex.open(file(INDEX_FILE_SUFFIX), baseOffset, opts.maxIndexSize));
    const timeIndex = load(TIME_INDEX_FILE_SUFFIX, () => TimeIndex.open(file(TIME_INDEX_FILE_SUFFIX), baseOffset, opts.maxIndexSize));
    const seg = new LogSegment(dir, baseOffset, logFd, offsetIndex, timeIndex, opts, problems.length > 0 ? problems.join('; ') : undefined);
    try {
      seg.txnIndex.load();
    } catch (err) {
      seg.txnIndexProblem = (err as Error).message;
    }
    return seg;
  }

  get name(): string {
    return segmentFileName(this.baseOffset, LOG_FILE_SUFFIX);
  }

  /** The offset the next appended batch would get: last offset + 1, or the base offset if empty. */
  get nextOffset(): number {
    return this.nextOffsetValue;
  }

  /** The largest batch max timestamp in the segment, or -1. */
  get maxTimestamp(): number {
    return this.maxTimestampSoFar;
  }

  /** The last offset of the first batch that holds `maxTimestamp`. */
  get offsetOfMaxTimestamp(): number {
    return this.offsetOfMaxTimestampSoFar;
  }

  /** For retention: the max record timestamp, or the `.log`'s modification time if there is none. */
  largestTimestamp(): number {
    return this.maxTimestampSoFar >= 0 ? this.maxTimestampSoFar : fs.fstatSync(this.logFd).mtimeMs;
  }

  /**
   * Appends `records` (whole batches, offsets already assigned) at the end of the `.log` with one
   * write — now, after anything queued, or with `writeBehind` queued for the thread pool — then adds
   * an index entry before each batch that starts more than index.interval.bytes after the previous
   * entry (one more write per index file, only if entries were added). Reads two header fields per
   * batch; never looks at records. A written-behind `records` must not change until it is written.
   */
  append(records: Buffer, largestOffset: number, largestTimestamp: number, offsetOfMaxTimestamp: number, writeBehind = false): void {
    if (records.length === 0) return;
    if (!this.offsetIndex.canAppendOffset(largestOffset)) {
      throw new Error(`${this.name}: offset ${largestOffset} cannot be stored relative to base offset ${this.baseOffset}`);
    }
    const physicalPosition = this.size;
    if (physicalPosition === 0) this.rollingBasedTimestamp = largestTimestamp;
    if (writeBehind) this.writer.enqueue(records, physicalPosition);
    else this.writer.writeSync(records, physicalPosition);
    this.size = physicalPosition + records.length;
    if (largestTimestamp > this.maxTimestampSoFar) {
      this.maxTimestampSoFar = largestTimestamp;
      this.offsetOfMaxTimestampSoFar = offsetOfMaxTimestamp;
    }
    for (const c = bytesCursor.over(records); c.load(LOG_OVERHEAD); c.next()) {
      if (this.bytesSinceLastIndexEntry > this.indexIntervalBytes) {
        if (!this.offsetIndex.isFull) {
          this.offsetIndex.append(c.baseOffset, physicalPosition + c.position);
          this.timeIndex.maybeAppend(this.maxTimestampSoFar, this.offsetOfMaxTimestampSoFar);
        }
        this.bytesSinceLastIndexEntry = 0;
      }
      this.bytesSinceLastIndexEntry += c.size;
    }
    this.offsetIndex.writePending();
    this.timeIndex.writePending();
    this.nextOffsetValue = largestOffset + 1;
  }

  /**
   * The first batch whose last offset is ≥ `offset` — the batch containing `offset`, or the next one
   * after a gap — found from the index and a walk over batch headers. Undefined past the end.
   */
  translateOffset(offset: number, startingPosition = 0): LogOffsetPosition | undefined {
    const from = Math.max(this.offsetIndex.lookup(offset).position, startingPosition);
    for (const c = this.logCursor.seek(from, this.size); c.load(Offsets.lastOffsetDelta + 4); c.next()) {
      this.checkWhole(c);
      const lastOffset = c.lastOffset;
      if (lastOffset >= offset) return { baseOffset: c.baseOffset, lastOffset, position: c.position, size: c.size };
    }
    return undefined;
  }

  /**
   * Whole batches starting with the one that contains `startOffset`, up to `maxBytes` and not past
   * `maxPosition`. With `minOneBatch`, the first batch is returned even if it exceeds `maxBytes`
   * (never if it crosses `maxPosition`). Undefined if no batch here has an offset ≥ `startOffset`.
   * The bytes go into a buffer from `buffer`.
   */
  read(
    startOffset: number,
    maxBytes: number,
    maxPosition = this.size,
    minOneBatch = false,
    buffer: (size: number) => Buffer = Buffer.allocUnsafe,
  ): SegmentReadResult | undefined {
    const first = this.translateOffset(startOffset);
    if (first === undefined) return undefined;
    const limit = Math.min(maxPosition, this.size);
    const position = first.position;
    if (position + first.size > limit) return { records: EMPTY, position };
    let length = Math.min(Math.max(maxBytes, 0), limit - position);
    if (length < first.size) {
      if (!minOneBatch) return { records: EMPTY, position };
      length = first.size;
    }
    const buf = buffer(length);
    const n = this.readLog(buf, length, position);
    // Cut a trailing partial batch: the limit rarely falls on a batch boundary.
    const c = bytesCursor.over(buf, 0, n);
    while (c.load(LOG_OVERHEAD) && c.isWhole) c.next();
    const end = c.position;
    return { records: end === buf.length ? buf : buf.subarray(0, end), position };
  }

  /**
   * The first record at or after `startingOffset` whose timestamp is ≥ `timestamp`, or undefined if
   * this segment has none. The time index bounds where to start; batch headers skip batches whose max
   * timestamp is too small; only the batch found is decoded.
   */
  findOffsetByTimestamp(timestamp: number, startingOffset = this.baseOffset): TimestampAndOffset | undefined {
    if (this.maxTimestampSoFar < timestamp) return undefined;
    const from = Math.max(this.timeIndex.scanStartOffset(timestamp), startingOffset);
    for (const c = this.logCursor.seek(this.offsetIndex.lookup(from).position, this.size); c.load(BATCH_HEADER_SIZE); c.next()) {
      this.checkWhole(c);
      if (c.lastOffset >= startingOffset && c.maxTimestamp >= timestamp) {
        const found = this.searchBatch(c.position, c.size, timestamp, startingOffset);
        if (found !== undefined) return found;
      }
    }
    return undefined;
  }

  /**
   * Re-reads the whole `.log`, keeping batches while each is complete, magic 2, passes its CRC-32C and
   * continues the offsets; truncates at the first that does not and rebuilds both indexes from the
   * batches kept.
   */
  recover(): RecoveryResult {
    const fileSize = fs.fstatSync(this.logFd).size;
    const idxOffsets: number[] = [];
    const idxPositions: number[] = [];
    const tsTimestamps: number[] = [];
    const tsOffsets: number[] = [];
    let maxTs = -1;
    let offsetOfMax = this.baseOffset;
    let next = this.baseOffset;
    let bytesSince = 0;
    let firstBatchTimestamp: number | undefined;
    // The `.log` is read a chunk at a time; a batch larger than the chunk gets a chunk of its own.
    let chunk = Buffer.allocUnsafe(Math.min(RECOVERY_CHUNK, Math.max(fileSize, BATCH_HEADER_SIZE)));
    let chunkStart = 0;
    let chunkLen = 0;
    const c = new BatchHeaderCursor((cursor, pos, length) => {
      if (pos < chunkStart || pos + length > chunkStart + chunkLen) {
        if (length > chunk.length) chunk = Buffer.allocUnsafe(length);
        chunkStart = pos;
        chunkLen = readFully(this.logFd, chunk, Math.min(chunk.length, fileSize - pos), pos);
      }
      cursor.point(chunk, pos - chunkStart);
      return true;
    });

    let reason: string | undefined;
    for (c.seek(0, fileSize); c.position < fileSize; c.next()) {
      const pos = c.position;
      if (!c.load(BATCH_HEADER_SIZE)) {
        reason = `incomplete batch header (${fileSize - pos} bytes)`;
        break;
      }
      const batchLength = c.batchLength;
      const size = batchLength + LOG_OVERHEAD;
      if (batchLength < MIN_BATCH_LENGTH) {
        reason = `batch length ${batchLength} is below the ${MIN_BATCH_LENGTH}-byte minimum`;
        break;
      }
      if (pos + size > fileSize) {
        reason = `incomplete batch (${fileSize - pos} of ${size} bytes)`;
        break;
      }
      const magic = c.magic;
      if (magic !== CURRENT_MAGIC) {
        reason = `magic ${magic}`;
        break;
      }
      c.load(size);
      const at = pos - chunkStart;
      const batch = chunk.subarray(at, at + size);
      if (computeBatchCrc(batch) !== batch.readUInt32BE(Offsets.crc)) {
        reason = 'CRC mismatch';
        break;
      }
      const baseOffset = c.baseOffset;
      const lastOffsetDelta = c.lastOffsetDelta;
      const lastOffset = baseOffset + lastOffsetDelta;
      if (baseOffset < next || lastOffsetDelta < 0) {
        reason = `offsets ${baseOffset}..${lastOffset} do not follow ${next - 1}`;
        break;
      }
      if (lastOffset - this.baseOffset > INT32_MAX) {
        reason = `offset ${lastOffset} cannot be stored relative to base offset ${this.baseOffset}`;
        break;
      }
      const batchMax = c.maxTimestamp;
      if (firstBatchTimestamp === undefined) firstBatchTimestamp = batchMax;
      if (batchMax > maxTs) {
        maxTs = batchMax;
        offsetOfMax = lastOffset;
      }
      if (bytesSince > this.indexIntervalBytes && idxOffsets.length < this.offsetIndex.maxEntries) {
        idxOffsets.push(baseOffset);
        idxPositions.push(pos);
        const lastTs = tsTimestamps.length > 0 ? tsTimestamps[tsTimestamps.length - 1] : -Infinity;
        if (maxTs > lastTs && tsTimestamps.length < this.timeIndex.maxEntries) {
          tsTimestamps.push(maxTs);
          tsOffsets.push(offsetOfMax);
        }
        bytesSince = 0;
      }
      bytesSince += size;
      next = lastOffset + 1;
    }

    const pos = c.position;
    const truncatedBytes = fileSize - pos;
    if (truncatedBytes > 0) {
      this.writer.truncate(pos);
      fs.ftruncateSync(this.logFd, pos);
    }
    // As when a segment is closed: the last time index entry holds the segment's max timestamp.
    const lastTs = tsTimestamps.length > 0 ? tsTimestamps[tsTimestamps.length - 1] : -Infinity;
    if (maxTs >= 0 && maxTs > lastTs) {
      tsTimestamps.push(maxTs);
      tsOffsets.push(offsetOfMax);
    }
    this.offsetIndex.rebuild(idxOffsets, idxPositions);
    this.timeIndex.rebuild(tsTimestamps, tsOffsets);
    this.size = pos;
    this.nextOffsetValue = next;
    this.maxTimestampSoFar = maxTs;
    this.offsetOfMaxTimestampSoFar = offsetOfMax;
    this.bytesSinceLastIndexEntry = bytesSince;
    this.rollingBasedTimestamp = firstBatchTimestamp;
    return {
      validBytes: pos,
      truncatedBytes,
      torn: truncatedBytes > 0 ? { offset: next, position: pos, reason: reason ?? 'unreadable data' } : undefined,
    };
  }

  /**
   * For a segment trusted as it is (below the recovery point, or after a clean shutdown): works out the
   * next offset and max timestamp from the last index entries and the batch headers after them.
   * Returns a description of the problem if the files do not agree — the caller then runs `recover()`.
   */
  loadTail(): string | undefined {
    const lastEntry = this.offsetIndex.lastEntry();
    const scanFrom = lastEntry?.position ?? 0;
    const c = this.logCursor.seek(scanFrom, this.size);
    if (lastEntry !== undefined) {
      if (!c.load(LOG_OVERHEAD)) return `last index entry points at position ${scanFrom}, beyond the ${this.size}-byte log`;
      if (c.baseOffset !== lastEntry.offset) return `last index entry (${lastEntry.offset}, ${scanFrom}) does not point at that batch`;
    }
    const lastTime = this.timeIndex.lastEntry();
    let maxTs = lastTime?.timestamp ?? -1;
    let offsetOfMax = lastTime?.offset ?? this.baseOffset;
    let next = this.baseOffset;
    for (; c.position < this.size; c.next()) {
      if (!c.load(BATCH_HEADER_SIZE)) return `incomplete batch at position ${c.position}`;
      if (!c.isWhole || c.magic !== CURRENT_MAGIC) return `malformed batch at position ${c.position}`;
      const baseOffset = c.baseOffset;
      const lastOffset = baseOffset + c.lastOffsetDelta;
      if (baseOffset < next || lastOffset < baseOffset) return `offsets go backwards at position ${c.position}`;
      const batchMax = c.maxTimestamp;
      if (batchMax > maxTs) {
        maxTs = batchMax;
        offsetOfMax = lastOffset;
      }
      next = lastOffset + 1;
    }
    if (lastTime !== undefined && lastTime.offset >= next) {
      return `last time index entry offset ${lastTime.offset} is beyond the last offset ${next - 1}`;
    }
    this.nextOffsetValue = next;
    this.maxTimestampSoFar = maxTs;
    this.offsetOfMaxTimestampSoFar = offsetOfMax;
    this.bytesSinceLastIndexEntry = this.size - scanFrom;
    this.rollingBasedTimestamp = undefined;
    return undefined;
  }

  /**
   * Removes the batch containing `offset` and everything after it (the log only ever ends on a batch
   * boundary). Returns the bytes removed. Only with no write in flight (`whenIdle`).
   */
  truncateTo(offset: number, now: number): number {
    if (this.writer.writing) throw new Error(`${this.name}: truncation while a write is in flight`);
    const batch = this.translateOffset(offset);
    if (batch === undefined) return 0;
    this.offsetIndex.truncateTo(batch.baseOffset);
    this.timeIndex.truncateTo(batch.baseOffset);
    this.txnIndex.truncateTo(batch.baseOffset);
    this.writer.truncate(batch.position);
    fs.ftruncateSync(this.logFd, batch.position);
    const removed = this.size - batch.position;
    this.size = batch.position;
    if (this.size === 0) this.created = now;
    const problem = this.loadTail();
    if (problem !== undefined) throw new Error(`${this.name}: after truncation, ${problem}`);
    this.bytesSinceLastIndexEntry = 0;
    return removed;
  }

  /** Kafka's roll conditions; see docs/log-format.md. */
  shouldRoll(p: RollParams): boolean {
    if (this.offsetIndex.isFull || this.timeIndex.isFull || !this.offsetIndex.canAppendOffset(p.maxOffsetInMessages)) return true;
    if (this.size === 0) return false;
    if (this.size + p.messagesSize > p.segmentBytes || this.size + p.messagesSize > INT32_MAX) return true;
    return this.timeWaitedForRoll(p.now, p.maxTimestampInMessages) > p.segmentMs;
  }

  /**
   * For segment.ms: how far the new batch's timestamp is past the first batch's, or, if the first
   * batch has no timestamp, how long ago the segment was created (Kafka's rule).
   */
  timeWaitedForRoll(now: number, messageTimestamp: number): number {
    if (this.rollingBasedTimestamp === undefined && this.size > 0) {
      const c = this.logCursor.seek(0, this.size);
      if (c.load(BATCH_HEADER_SIZE)) this.rollingBasedTimestamp = c.maxTimestamp;
    }
    const first = this.rollingBasedTimestamp ?? -1;
    return first >= 0 ? messageTimestamp - first : now - this.created;
  }

  /** Called when the segment stops being active: its time index ends with its max timestamp. */
  onBecomeInactiveSegment(): void {
    if (this.maxTimestampSoFar >= 0) this.timeIndex.maybeAppend(this.maxTimestampSoFar, this.offsetOfMaxTimestampSoFar, true);
    this.timeIndex.writePending();
  }

  /** Every byte below this is in the file; the rest waits in the writer's queue. */
  get writtenSize(): number {
    return this.writer.writtenSize;
  }

  /** Called after each written-behind write completes (with the error if it failed). */
  set onWritten(listener: ((err?: Error) => void) | undefined) {
    this.writer.onWritten = listener;
  }

  /** Everything appended so far is in the file and no write in flight holds any of its buffers. */
  get writeSettled(): boolean {
    return this.writer.settled;
  }

  /**
   * Resolves once everything appended so far is in the file and no write in flight still holds its
   * buffers; rejects with KAFKA_STORAGE_ERROR if a write failed.
   */
  whenWritten(): Promise<void> {
    return this.writer.whenWritten();
  }

  /** Resolves when no write to the `.log` is in flight. */
  whenIdle(): Promise<void> {
    return this.writer.whenIdle();
  }

  /** A written-behind write to the `.log` is running on the thread pool. */
  get writing(): boolean {
    return this.writer.writing;
  }

  /** Writes everything queued, synchronously. */
  writeOut(): void {
    this.writer.writeOut();
  }

  /** fsyncs the `.log` and both indexes, after the queued writes. */
  async flush(): Promise<void> {
    if (this.closed || this.closeRequested) return;
    this.pendingFlushes++;
    try {
      await this.writer.whenWritten();
      await Promise.all([fsyncAsync(this.logFd), this.offsetIndex.flush(), this.timeIndex.flush(), this.txnIndex.flush()]);
    } finally {
      this.pendingFlushes--;
      if (this.closeRequested && this.pendingFlushes === 0) this.closeNow();
    }
  }

  /**
   * Closes the files (after any fsync or write in flight). Writes out what is queued and the final
   * time index entry first; after a failed write the queue is given up (recovery handles the tail).
   */
  close(): void {
    if (this.closed || this.closeRequested) return;
    if (this.writer.failed === undefined) this.writer.writeOut();
    this.onBecomeInactiveSegment();
    this.closeHandles();
  }

  /** Closes and removes the segment's files: `.log` first, so a crash never leaves data without its name. */
  delete(): void {
    this.writer.drop();
    if (!this.closed && !this.closeRequested) this.closeHandles();
    for (const suffix of [LOG_FILE_SUFFIX, INDEX_FILE_SUFFIX, TIME_INDEX_FILE_SUFFIX, TXN_INDEX_FILE_SUFFIX]) {
      fs.rmSync(path.join(this.dir, segmentFileName(this.baseOffset, suffix)), { force: true });
    }
  }

  private closeHandles(): void {
    if (this.pendingFlushes > 0) this.closeRequested = true;
    else this.closeNow();
  }

  private closeNow(): void {
    if (this.closed) return;
    this.closed = true;
    this.offsetIndex.close();
    this.timeIndex.close();
    this.txnIndex.close();
    this.writer.closeAfterWrites(() => fs.closeSync(this.logFd));
  }

  /**
   * Reads up to `length` bytes of the log at `position` into `buf`: from the file below the writer's
   * written size, from its queue above. Returns how many were read (fewer only at the end).
   */
  private readLog(buf: Buffer, length: number, position: number): number {
    const inFile = Math.min(length, this.writer.writtenSize - position);
    let n = 0;
    if (inFile > 0) {
      n = readFully(this.logFd, buf, inFile, position);
      if (n < inFile) return n;
    }
    if (n < length) n += this.writer.copyQueued(buf, n, position + n, length - n);
    return n;
  }

  /** The cursor's batch must be whole: a nonsense length in a segment trusted so far means a corrupt file. */
  private checkWhole(c: BatchHeaderCursor): void {
    if (!c.isWhole) {
      throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `${path.join(this.dir, this.name)}: batch at position ${c.position} has length ${c.batchLength}`);
    }
  }

  /** Decodes the batch at `pos` and returns its first record at/after `startingOffset` with timestamp ≥ `timestamp`. */
  private searchBatch(pos: number, size: number, timestamp: number, startingOffset: number): TimestampAndOffset | undefined {
    const batch = Buffer.allocUnsafe(size);
    this.readLog(batch, size, pos);
    let records;
    try {
      records = decodeRecords(batch, { verifyCrc: false });
    } catch {
      // Records we cannot read (e.g. a codec this Node lacks): answer with the batch's first offset,
      // which is at or before the true answer, so a consumer starting there misses nothing.
      const baseOffset = readInt64(batch, Offsets.baseOffset);
      return { offset: Math.max(baseOffset, startingOffset), timestamp: readInt64(batch, Offsets.maxTimestamp) };
    }
    for (const r of records) {
      const offset = Number(r.offset);
      const ts = Number(r.timestamp);
      if (offset >= startingOffset && ts >= timestamp) return { offset, timestamp: ts };
    }
    return undefined;
  }
}
