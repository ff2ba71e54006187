/**
 * Looking at a partition's files on disk (docs/log-format.md): its segments, and the batches in them
 * with their byte positions — to check what a client really sent, and to damage a log on purpose.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readBatchHeader, type BatchHeader } from '../../src/protocol/batch-header.js';
import { iterateBatches } from '../../src/protocol/record-batch.js';

export function partitionDir(logDir: string, topic: string, partition: number): string {
  return join(logDir, `${topic}-${partition}`);
}

/** The `.log` files of a partition, oldest first (names are zero-padded base offsets). */
export function segmentFiles(logDir: string, topic: string, partition: number): string[] {
  const dir = partitionDir(logDir, topic, partition);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => /^\d{20}\.log$/.test(n))
    .sort()
    .map((n) => join(dir, n));
}

export interface BatchOnDisk extends BatchHeader {
  /** Byte position in its segment file. */
  position: number;
  /** Size in bytes, header included. */
  size: number;
}

/** Every complete batch in one `.log` file. */
export function batchesIn(file: string): BatchOnDisk[] {
  const buf = readFileSync(file);
  const out: BatchOnDisk[] = [];
  let position = 0;
  for (const batch of iterateBatches(buf)) {
    out.push({ ...readBatchHeader(batch), position, size: batch.length });
    position += batch.length;
  }
  return out;
}

/** Every batch of a partition, across its segments. */
export function partitionBatches(logDir: string, topic: string, partition: number): BatchOnDisk[] {
  return segmentFiles(logDir, topic, partition).flatMap(batchesIn);
}

/** The compression codec (attributes bits 0-2) of each batch of a partition. */
export function codecsOnDisk(logDir: string, topic: string, partition: number): Set<number> {
  return new Set(partitionBatches(logDir, topic, partition).map((b) => b.attributes & 0x07));
}
