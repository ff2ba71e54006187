/**
 * Test support for compaction, used only by `*.test.ts` files: keyed batches, reading a whole log
 * back as (offset, key, value) rows, and the table a consumer would build from them.
 */
import fs from 'node:fs';
import { isControl, isTransactional, lastOffsetOf, readBatchHeader } from '../../protocol/batch-header.js';
import { ControlRecordType, readControlBatch } from '../../protocol/control-record.js';
import { decodeRecordBatch, encodeRecordBatch, iterateBatches, type EncodeRecordBatchOptions } from '../../protocol/record-batch.js';
import type { PartitionLog } from './partition-log.js';

export const T0 = 1_700_000_000_000;

export interface KeyedRow {
  offset: number;
  key: string | null;
  value: string | null;
  timestamp: number;
}

/** `[key, value]` pairs, null for no key / a tombstone; one batch, as a producer sends it. */
export function keyedBatch(
  records: Array<[string | null, string | null]>,
  opts: Partial<Omit<EncodeRecordBatchOptions, 'records'>> & { timestamps?: number[] } = {},
): Buffer {
  const ts = opts.timestamp ?? BigInt(T0);
  return encodeRecordBatch({
    ...opts,
    timestamp: ts,
    records: records.map(([k, v], i) => ({
      key: k === null ? null : Buffer.from(k),
      value: v === null ? null : Buffer.from(v),
      timestamp: opts.timestamps?.[i] !== undefined ? BigInt(opts.timestamps[i]) : ts,
    })),
  });
}

/** Every record of the log, from the log start offset to its end, decoded. */
export function readRows(log: PartitionLog): KeyedRow[] {
  const rows: KeyedRow[] = [];
  for (const batch of readBatches(log)) {
    for (const r of decodeRecordBatch(batch).records) {
      rows.push({
        offset: Number(r.offset),
        key: r.key === null ? null : r.key.toString(),
        value: r.value === null ? null : r.value.toString(),
        timestamp: Number(r.timestamp),
      });
    }
  }
  return rows;
}

/**
 * What a `read_committed` consumer reading the whole log gets: the data records below the last
 * stable offset, without those of the aborted transactions the log lists for that range (the
 * consumer's rule: a producer's transactional batches are skipped from an aborted transaction's
 * first offset until that producer's ABORT marker) and without control records.
 */
export function readCommittedRows(log: PartitionLog): KeyedRow[] {
  const lso = log.lastStableOffset;
  const aborted = log.collectAbortedTransactions(log.logStartOffset, lso).sort((a, b) => a.firstOffset - b.firstOffset);
  const aborting = new Set<bigint>();
  let next = 0;
  const rows: KeyedRow[] = [];
  for (const batch of readBatches(log)) {
    const h = readBatchHeader(batch);
    if (Number(h.baseOffset) >= lso) break;
    while (next < aborted.length && aborted[next].firstOffset <= Number(lastOffsetOf(h))) aborting.add(aborted[next++].producerId);
    if (isControl(h.attributes)) {
      if (h.recordCount > 0 && readControlBatch(batch).type === ControlRecordType.abort) aborting.delete(h.producerId);
      continue;
    }
    if (isTransactional(h.attributes) && aborting.has(h.producerId)) continue;
    rows.push(...rowsOfBatch(batch));
  }
  return rows;
}

/** What a `read_uncommitted` consumer reading the whole log gets: every data record (control records are never shown). */
export function readUncommittedRows(log: PartitionLog): KeyedRow[] {
  return readBatches(log)
    .filter((b) => !isControl(readBatchHeader(b).attributes))
    .flatMap(rowsOfBatch);
}

function rowsOfBatch(batch: Buffer): KeyedRow[] {
  return decodeRecordBatch(batch).records.map((r) => ({
    offset: Number(r.offset),
    key: r.key === null ? null : r.key.toString(),
    value: r.value === null ? null : r.value.toString(),
    timestamp: Number(r.timestamp),
  }));
}

/** Every batch of the log, in order (each checked against its CRC when decoded by the caller). */
export function readBatches(log: PartitionLog): Buffer[] {
  const out: Buffer[] = [];
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const { records } = log.read(offset, 1 << 20);
    let last = -1;
    for (const chunk of records) {
      for (const batch of iterateBatches(chunk)) {
        out.push(Buffer.from(batch));
        last = Number(batch.readBigInt64BE(0)) + batch.readInt32BE(23);
      }
    }
    if (last < 0) break;
    offset = last + 1;
  }
  return out;
}

/** The table a consumer builds by applying `rows` in order: key → value, a tombstone deleting its key. */
export function tableOf(rows: ReadonlyArray<{ key: string | null; value: string | null }>): Map<string, string> {
  const table = new Map<string, string>();
  for (const r of rows) {
    if (r.key === null) continue;
    if (r.value === null) table.delete(r.key);
    else table.set(r.key, r.value);
  }
  return table;
}

/** Files in `dir` ending with `suffix`. */
export function filesEndingWith(dir: string, suffix: string): string[] {
  return fs.readdirSync(dir).filter((n) => n.endsWith(suffix));
}
