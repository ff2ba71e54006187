/**
 * The keep/drop decision of compaction for one batch and its records, and the rewrite of a batch
 * that lost records (docs/log-format.md, "Compaction" → "One round", step 3). Kafka's
 * `MemoryRecords.filterTo` with the cleaner's `RecordFilter`: a batch that keeps all its records is
 * returned byte for byte; otherwise it is rebuilt with the same base offset, last offset delta,
 * producer id / epoch / base sequence, attributes and compression codec, each kept record at its
 * original offset. Tombstones get a delete horizon (KIP-534) the first time they are kept, and are
 * dropped once it has passed. What the transaction filter discards (aborted data, expired markers)
 * goes whole, or leaves only its header when it is its producer's last batch; a marker whose
 * transaction has no data left is stamped with a delete horizon the same way as tombstones.
 *
 * Decompression and compression run on the libuv thread pool (the async codecs).
 */
import { emptyBatchOf, type BatchHeader, compressionOf, hasDeleteHorizon, isControl, isLogAppendTime, isTransactional } from '../../protocol/batch-header.js';
import { decodeRecordBatchAsync, type DecodedRecord, encodeRecordBatchAsync } from '../../protocol/record-batch.js';
import type { OffsetMap } from './offset-map.js';
import type { BatchDecision } from './transaction-aware-filter.js';

export interface CompactionContext {
  /** Key → offset of its latest record in the part of the log this round mapped. */
  map: OffsetMap;
  /** The round's end offset: records at or after it were not mapped and are kept. */
  endOffset: number;
  /** The round's time. */
  now: number;
  /** delete.retention.ms */
  deleteRetentionMs: number;
}

export interface FilteredBatch {
  /** What to write in place of the batch; undefined if the batch goes. */
  batch: Buffer | undefined;
  recordsRead: number;
  recordsKept: number;
  /** The original bytes were kept as they are. */
  unchanged: boolean;
  /** The delete horizon of the batch as written, if it has one and still holds tombstones or a marker. */
  deleteHorizon?: number;
}

/** Decides what becomes of `batch` (whose header is `header`), given the transaction filter's `decision`. */
export async function filterBatch(batch: Buffer, header: BatchHeader, decision: BatchDecision, ctx: CompactionContext): Promise<FilteredBatch> {
  const existingHorizon = hasDeleteHorizon(header.attributes) ? Number(header.baseTimestamp) : undefined;
  if (decision.action === 'discard') {
    const read = header.recordCount;
    if (!decision.retainEmpty) return { batch: undefined, recordsRead: read, recordsKept: 0, unchanged: false };
    // A producer's last batch: its header stays, for the producer's epoch and sequence.
    return read === 0
      ? { batch, recordsRead: 0, recordsKept: 0, unchanged: true }
      : { batch: emptyBatchOf(batch), recordsRead: read, recordsKept: 0, unchanged: false };
  }
  if (decision.action === 'retain') {
    const count = header.recordCount;
    if (!decision.setDeleteHorizon || existingHorizon !== undefined || count === 0) {
      return { batch, recordsRead: count, recordsKept: count, unchanged: true, deleteHorizon: existingHorizon };
    }
    const horizon = ctx.now + ctx.deleteRetentionMs;
    const { records } = await decodeRecordBatchAsync(batch);
    return { batch: await rebuild(header, records, horizon), recordsRead: count, recordsKept: count, unchanged: false, deleteHorizon: horizon };
  }

  const { records } = await decodeRecordBatchAsync(batch);
  const tombstonesExpired = existingHorizon !== undefined && ctx.now >= existingHorizon;
  const kept: DecodedRecord[] = [];
  let tombstones = false;
  for (const r of records) {
    if (shouldRetainRecord(r, ctx, tombstonesExpired)) {
      kept.push(r);
      if (r.value === null) tombstones = true;
    }
  }
  const read = records.length;
  if (kept.length === 0) {
    if (decision.retainEmpty && read > 0) return { batch: emptyBatchOf(batch), recordsRead: read, recordsKept: 0, unchanged: false };
    return { batch: decision.retainEmpty ? batch : undefined, recordsRead: read, recordsKept: 0, unchanged: decision.retainEmpty };
  }
  const needsHorizon = tombstones && existingHorizon === undefined;
  const horizon = needsHorizon ? ctx.now + ctx.deleteRetentionMs : existingHorizon;
  const deleteHorizon = tombstones ? horizon : undefined;
  if (kept.length === read && !needsHorizon) {
    return { batch, recordsRead: read, recordsKept: read, unchanged: true, deleteHorizon };
  }
  return { batch: await rebuild(header, kept, horizon), recordsRead: read, recordsKept: kept.length, unchanged: false, deleteHorizon };
}

/**
 * Kafka's rule: records the round did not map are kept; keyless records go; a record whose key has
 * a later offset in the map goes; a tombstone goes once its batch's delete horizon has passed.
 */
function shouldRetainRecord(r: DecodedRecord, ctx: CompactionContext, tombstonesExpired: boolean): boolean {
  const offset = Number(r.offset);
  if (offset >= ctx.endOffset) return true;
  if (r.key === null) return false;
  const latest = ctx.map.get(r.key);
  if (latest !== undefined && latest > offset) return false;
  if (r.value === null) return !tombstonesExpired;
  return true;
}

/** The batch rebuilt with only `records`, at their original offsets, with the same header fields. */
function rebuild(header: BatchHeader, records: DecodedRecord[], deleteHorizonMs: number | undefined): Promise<Buffer> {
  const attributes = header.attributes;
  return encodeRecordBatchAsync({
    records: records.map((r) => ({ key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp, offsetDelta: r.offsetDelta })),
    // Every record keeps its own timestamp; the batch's is only the encoder's fallback.
    timestamp: header.baseTimestamp,
    baseOffset: header.baseOffset,
    partitionLeaderEpoch: header.partitionLeaderEpoch,
    compression: compressionOf(attributes),
    transactional: isTransactional(attributes),
    control: isControl(attributes),
    logAppendTime: isLogAppendTime(attributes),
    producerId: header.producerId,
    producerEpoch: header.producerEpoch,
    baseSequence: header.baseSequence,
    lastOffsetDelta: header.lastOffsetDelta,
    deleteHorizonMs: deleteHorizonMs === undefined ? undefined : BigInt(deleteHorizonMs),
  });
}
