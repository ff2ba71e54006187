/**
 * Moving a cleaned segment into place, and finishing or rolling back a move a crash cut short
 * (docs/log-format.md, "Swapping segments, crash-safely"). Kafka's `LocalLog.replaceSegments` and
 * the swap handling of `LogLoader`:
 *
 *   1. `<base>.*.cleaned` written and fsynced                 (crash: recovery deletes them)
 *   2. rename `.cleaned` → `.swap`, indexes first, `.log` last; fsync the directory.
 *      `<base>.log.swap` existing is the commit point        (crash: recovery completes the swap)
 *   3. delete the old segments (`.log` first)
 *   4. rename `.swap` → final name, indexes first, `.log` last; fsync the directory
 *
 * Recovery, before a log is loaded: `*.cleaned` files are deleted; for each `<base>.log.swap`, every
 * non-swap segment file with a base offset in [base, max(next offset of the swap segment, base + 1))
 * is deleted and the swap files are renamed into place; a `.swap` index without its `.log.swap` is
 * deleted. Missing indexes are then rebuilt by the normal loading.
 */
import fs from 'node:fs';
import path from 'node:path';
import { BATCH_HEADER_SIZE, CURRENT_MAGIC, LOG_OVERHEAD, Offsets } from '../../protocol/batch-header.js';
import { CLEANED_FILE_SUFFIX } from './cleaned-segment.js';
import { fsyncDirSync, readFully, readInt64 } from './file-io.js';
import { LOG_FILE_SUFFIX, LogSegment, segmentFileName, type SegmentOptions } from './log-segment.js';
import type { LogLogger } from './partition-log.js';

export const SWAP_FILE_SUFFIX = '.swap';

/**
 * The files a segment may have. The `.log` comes last: renamed last, so a `.log.swap` proves its
 * indexes were renamed before it. `.txnindex` is the transaction index of docs/transactions.md.
 */
const SEGMENT_FILE_SUFFIXES = ['.index', '.timeindex', '.txnindex', LOG_FILE_SUFFIX];
const SEGMENT_FILE = /^(\d{20})(\.[a-z]+)$/;

/**
 * The points of a swap at which a test can simulate a crash (by throwing from `onStep`):
 *  - `committing`: some `.cleaned` files renamed to `.swap`, not yet the `.log`
 *  - `committed`: `.log.swap` exists, the old segments are all there
 *  - `deleting`: the first old segment is deleted, the others are not
 *  - `deleted`: every old segment is deleted, the new one is still `.swap`
 *  - `installing`: the indexes have their final names, the `.log` is still `.log.swap`
 *  - `installed`: every file has its final name
 */
export type SwapStep = 'committing' | 'committed' | 'deleting' | 'deleted' | 'installing' | 'installed';

/**
 * Swaps the cleaned segment with base offset `baseOffset` in for `oldSegments` (steps 2–4) and returns
 * it opened. Synchronous: called by `PartitionLog.replaceSegments`, so no read sees a half-done swap.
 */
export function swapInCleanedSegment(
  dir: string,
  baseOffset: number,
  oldSegments: readonly LogSegment[],
  segOpts: SegmentOptions,
  onStep: (step: SwapStep) => void = () => {},
): LogSegment {
  renameSegmentFiles(dir, baseOffset, CLEANED_FILE_SUFFIX, SWAP_FILE_SUFFIX, () => onStep('committing'));
  fsyncDirSync(dir);
  onStep('committed');
  oldSegments.forEach((s, i) => {
    s.delete();
    if (i === 0 && oldSegments.length > 1) onStep('deleting');
  });
  onStep('deleted');
  renameSegmentFiles(dir, baseOffset, SWAP_FILE_SUFFIX, '', () => onStep('installing'));
  fsyncDirSync(dir);
  onStep('installed');
  return openSegment(dir, baseOffset, segOpts);
}

/** Finishes or rolls back the swaps a crash interrupted in `dir` (see the header), logging what it did. */
export function recoverInterruptedSwaps(dir: string, logger: LogLogger): void {
  const names = fs.readdirSync(dir);
  let changed = false;
  for (const name of names) {
    if (!name.endsWith(CLEANED_FILE_SUFFIX)) continue;
    logger.info(`${dir}: removing ${name}, left by a compaction that did not complete`);
    fs.rmSync(path.join(dir, name), { force: true });
    changed = true;
  }
  const swapBases = names
    .filter((n) => n.endsWith(LOG_FILE_SUFFIX + SWAP_FILE_SUFFIX))
    .map((n) => parseBase(n.slice(0, -SWAP_FILE_SUFFIX.length)))
    .filter((b): b is number => b !== undefined)
    .sort((a, b) => a - b);
  for (const base of swapBases) {
    const next = nextOffsetOf(path.join(dir, segmentFileName(base, LOG_FILE_SUFFIX) + SWAP_FILE_SUFFIX), base);
    const end = Math.max(next, base + 1);
    const replaced: string[] = [];
    for (const name of fs.readdirSync(dir)) {
      const m = SEGMENT_FILE.exec(name);
      if (m === null || !SEGMENT_FILE_SUFFIXES.includes(m[2])) continue;
      const b = Number(m[1]);
      if (b >= base && b < end) {
        fs.rmSync(path.join(dir, name), { force: true });
        replaced.push(name);
      }
    }
    renameSegmentFiles(dir, base, SWAP_FILE_SUFFIX, '');
    logger.info(
      `${dir}: completed the swap of cleaned segment ${segmentFileName(base, LOG_FILE_SUFFIX)} (offsets ${base}..${next - 1})` +
        (replaced.length > 0 ? `, removing ${replaced.join(', ')}` : ''),
    );
    changed = true;
  }
  for (const name of fs.readdirSync(dir)) {
    if (!name.endsWith(SWAP_FILE_SUFFIX)) continue;
    logger.info(`${dir}: removing ${name}, whose segment's swap had not committed`);
    fs.rmSync(path.join(dir, name), { force: true });
    changed = true;
  }
  if (changed) fsyncDirSync(dir);
}

/**
 * Renames `<base><suffix><from>` to `<base><suffix><to>` for every segment file suffix that exists,
 * the `.log` last; `between` runs after the indexes and before the `.log`.
 */
function renameSegmentFiles(dir: string, base: number, from: string, to: string, between: () => void = () => {}): void {
  for (const suffix of SEGMENT_FILE_SUFFIXES) {
    if (suffix === LOG_FILE_SUFFIX) between();
    const name = segmentFileName(base, suffix);
    const source = path.join(dir, name + from);
    if (suffix !== LOG_FILE_SUFFIX && !fs.existsSync(source)) continue;
    fs.renameSync(source, path.join(dir, name + to));
  }
}

function openSegment(dir: string, baseOffset: number, segOpts: SegmentOptions): LogSegment {
  const seg = LogSegment.open(dir, baseOffset, segOpts);
  const problem = seg.indexProblem ?? seg.loadTail();
  if (problem !== undefined) seg.recover();
  return seg;
}

function parseBase(name: string): number | undefined {
  const m = SEGMENT_FILE.exec(name);
  return m === null ? undefined : Number(m[1]);
}

/**
 * The offset after the last complete batch of a `.log` file (its base offset if it has none), from
 * the batch headers. The file was fsynced before it was committed, so its batches are whole; the
 * loader validates them again like any other segment.
 */
function nextOffsetOf(file: string, base: number): number {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const header = Buffer.allocUnsafe(BATCH_HEADER_SIZE);
    let next = base;
    let pos = 0;
    while (size - pos >= BATCH_HEADER_SIZE && readFully(fd, header, BATCH_HEADER_SIZE, pos) === BATCH_HEADER_SIZE) {
      const batchSize = header.readInt32BE(Offsets.batchLength) + LOG_OVERHEAD;
      if (batchSize < BATCH_HEADER_SIZE || pos + batchSize > size || header.readInt8(Offsets.magic) !== CURRENT_MAGIC) break;
      next = readInt64(header, Offsets.baseOffset) + header.readInt32BE(Offsets.lastOffsetDelta) + 1;
      pos += batchSize;
    }
    return next;
  } finally {
    fs.closeSync(fd);
  }
}
