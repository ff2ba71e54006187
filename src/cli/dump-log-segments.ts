/**
 * Reads a partition's files straight from disk for `skein dump-log`, like Kafka's DumpLogSegments:
 *
 * - `.log`: RecordBatch v2 back to back (docs/log-format.md). Each batch is read whole and its CRC
 *   checked; `isvalid: false` marks a batch whose CRC does not match. Reading stops at the first
 *   bytes that cannot be a batch — a tail shorter than a batch header or than the batch's own
 *   length (a torn write), a length below the minimum, or a magic other than 2 — and those bytes
 *   are reported as `Found N invalid bytes at the end of <file>`.
 * - `.index`: 8-byte entries (relative offset int32, position int32); each is checked against the
 *   `.log` beside it (the batch at that position must contain the offset).
 * - `.timeindex`: 12-byte entries (timestamp int64, relative offset int32).
 *
 * A segment's base offset is its file name's digits. The files are read with positional reads, one
 * batch at a time, so a segment of any size is dumped in constant memory.
 *
 * Left out: `.txnindex` and producer `.snapshot` files, legacy (magic 0/1) message sets, and
 * Kafka's --verify-index-only / --index-sanity-check / --max-bytes modes.
 */
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { BATCH_HEADER_SIZE, CURRENT_MAGIC, hasValidCrc, LOG_OVERHEAD, lastOffsetOf, Offsets, readBatchHeader } from '../protocol/batch-header.js';
import { decodeRecordBatch, type DecodedRecord } from '../protocol/record-batch.js';
import { CliError } from './cli-error.js';
import { formatBatchLine, formatOffsetIndexEntry, formatRecordLine, formatTimeIndexEntry } from './dump-log-format.js';

export interface DumpOptions {
  /** Print each record with its key and payload (implies deepIteration). */
  printDataLog: boolean;
  /** Print each record's metadata line. */
  deepIteration: boolean;
}

/** Receives findings that go to stderr (index mismatches, non-consecutive offsets, ignored files). */
export type ProblemSink = (line: string) => void;

const OFFSET_INDEX_ENTRY = 8;
const TIME_INDEX_ENTRY = 12;

/** The lines dumping `path` prints; throws (Node's errors, CliError) when the file cannot be read. */
export function* dumpFile(path: string, opts: DumpOptions, problem: ProblemSink): Generator<string, void, undefined> {
  yield `Dumping ${path}`;
  switch (extname(path)) {
    case '.log':
      yield* dumpLog(path, opts, problem);
      break;
    case '.index':
      yield* dumpOffsetIndex(path, problem);
      break;
    case '.timeindex':
      yield* dumpTimeIndex(path);
      break;
    default:
      problem(`Ignoring unknown file ${path}`);
  }
}

/** The base offset a segment file's name states (`00000000000000001042.log` → 1042n), or null. */
export function baseOffsetOf(path: string): bigint | null {
  const m = /^(\d{1,20})\.[a-z]+$/.exec(basename(path));
  return m ? BigInt(m[1]) : null;
}

function* dumpLog(path: string, opts: DumpOptions, problem: ProblemSink): Generator<string, void, undefined> {
  const fd = openSync(path, 'r');
  const base = baseOffsetOf(path);
  const deep = opts.printDataLog || opts.deepIteration;
  const nonConsecutive: Array<[bigint, bigint]> = [];
  let lastOffset: bigint | null = null;
  try {
    if (base !== null) yield `Log starting offset: ${base}`;
    const size = fstatSync(fd).size;
    const prefix = Buffer.alloc(LOG_OVERHEAD);
    let position = 0;
    while (size - position >= LOG_OVERHEAD) {
      readFully(fd, prefix, position);
      const total = prefix.readInt32BE(Offsets.batchLength) + LOG_OVERHEAD;
      if (total < BATCH_HEADER_SIZE || position + total > size) break;
      const batch = Buffer.allocUnsafe(total);
      readFully(fd, batch, position);
      if (batch.readInt8(Offsets.magic) !== CURRENT_MAGIC) break;
      const header = readBatchHeader(batch);
      yield formatBatchLine(header, position, hasValidCrc(batch));
      if (deep) {
        let records: DecodedRecord[];
        try {
          records = decodeRecordBatch(batch, { verifyCrc: false }).records;
        } catch (err) {
          records = [];
          yield `| records unreadable: ${(err as Error).message}`;
        }
        for (const r of records) {
          if (lastOffset !== null && r.offset !== lastOffset + 1n) nonConsecutive.push([lastOffset, r.offset]);
          lastOffset = r.offset;
          yield formatRecordLine(header, r, opts.printDataLog);
        }
      }
      position += total;
    }
    if (position < size) yield `Found ${size - position} invalid bytes at the end of ${basename(path)}`;
  } finally {
    closeSync(fd);
  }
  if (nonConsecutive.length > 0) {
    problem(`Non-consecutive offsets in ${path}`);
    for (const [a, b] of nonConsecutive) problem(`  ${a} is followed by ${b}`);
  }
}

function* dumpOffsetIndex(path: string, problem: ProblemSink): Generator<string, void, undefined> {
  const base = requireBaseOffset(path);
  const buf = readFileSync(path);
  if (buf.length === 0) {
    yield `${path} is empty.`;
    return;
  }
  const logPath = join(dirname(path), `${basename(path, '.index')}.log`);
  const logFd = existsSync(logPath) ? openSync(logPath, 'r') : null;
  const mismatches: Array<[bigint, bigint]> = [];
  try {
    const logSize = logFd === null ? 0 : fstatSync(logFd).size;
    const header = Buffer.alloc(BATCH_HEADER_SIZE);
    const count = Math.floor(buf.length / OFFSET_INDEX_ENTRY);
    for (let i = 0; i < count; i++) {
      const relative = buf.readInt32BE(i * OFFSET_INDEX_ENTRY);
      const position = buf.readInt32BE(i * OFFSET_INDEX_ENTRY + 4);
      // A zero entry after the first is preallocated space that was never written, as Kafka reads it.
      if (i > 0 && relative === 0) break;
      const offset = base + BigInt(relative);
      if (logFd !== null) {
        // The batch at `position` must contain `offset` (Skein keys entries by a batch's base
        // offset, Kafka by its last; both pass this check).
        let found = -1n;
        if (position >= 0 && position + BATCH_HEADER_SIZE <= logSize) {
          readFully(logFd, header, position);
          const h = readBatchHeader(header);
          found = lastOffsetOf(h);
          if (offset >= h.baseOffset && offset <= found) found = offset;
        }
        if (found !== offset) mismatches.push([offset, found]);
      }
      yield formatOffsetIndexEntry(offset, position);
    }
  } finally {
    if (logFd !== null) closeSync(logFd);
  }
  if (buf.length % OFFSET_INDEX_ENTRY !== 0) yield `Found ${buf.length % OFFSET_INDEX_ENTRY} invalid bytes at the end of ${basename(path)}`;
  if (mismatches.length > 0) {
    problem(`Mismatches in :${path}`);
    for (const [indexOffset, logOffset] of mismatches) problem(`  Index offset: ${indexOffset}, log offset: ${logOffset}`);
  }
}

function* dumpTimeIndex(path: string): Generator<string, void, undefined> {
  const base = requireBaseOffset(path);
  const buf = readFileSync(path);
  const count = Math.floor(buf.length / TIME_INDEX_ENTRY);
  for (let i = 0; i < count; i++) {
    const timestamp = buf.readBigInt64BE(i * TIME_INDEX_ENTRY);
    const relative = buf.readInt32BE(i * TIME_INDEX_ENTRY + 8);
    if (i > 0 && relative === 0) break;
    yield formatTimeIndexEntry(timestamp, base + BigInt(relative));
  }
  if (buf.length % TIME_INDEX_ENTRY !== 0) yield `Found ${buf.length % TIME_INDEX_ENTRY} invalid bytes at the end of ${basename(path)}`;
}

function requireBaseOffset(path: string): bigint {
  const base = baseOffsetOf(path);
  if (base === null) throw new CliError(`Cannot tell the base offset of ${path}: index files are named <base offset>${extname(path)}`);
  return base;
}

/** Fills `buf` from `fd` at `position`; the caller has checked that the bytes exist. */
function readFully(fd: number, buf: Buffer, position: number): void {
  let done = 0;
  while (done < buf.length) {
    const n = readSync(fd, buf, done, buf.length - done, position + done);
    if (n === 0) throw new Error(`unexpected end of file at byte ${position + done}`);
    done += n;
  }
}
