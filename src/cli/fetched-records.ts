/**
 * The records a consumer shows from one partition's Fetch answer, as Kafka's consumer picks them:
 * whole batches only (an answer may end with part of one), records before the fetch offset skipped
 * (a batch can start earlier), control batches never shown, and under read_committed the batches of
 * aborted transactions dropped. For the last: the answer lists each aborted transaction by producer
 * id and first offset; a producer's batches from that offset on are aborted until its ABORT marker.
 * No I/O.
 */
import { type BatchHeader, isControl, isLogAppendTime, isTransactional, lastOffsetOf, readBatchHeader } from '../protocol/batch-header.js';
import { ControlRecordType, readControlBatch } from '../protocol/control-record.js';
import { decodeRecords, iterateBatches } from '../protocol/record-batch.js';
import type { ConsumedRecord } from './message-formatter.js';

export interface FetchedPartition {
  records: Buffer | null;
  /** null or absent under read_uncommitted. */
  abortedTransactions: ReadonlyArray<{ producerId: bigint; firstOffset: bigint }> | null;
}

export interface FetchedRecords {
  records: ConsumedRecord[];
  /** Where the next fetch starts: after the last whole batch seen (shown or not). */
  nextOffset: bigint;
}

export function readFetchedRecords(partition: number, data: FetchedPartition, fetchOffset: bigint, readCommitted: boolean): FetchedRecords {
  const records: ConsumedRecord[] = [];
  let nextOffset = fetchOffset;
  if (data.records === null || data.records.length === 0) return { records, nextOffset };

  // Aborted transactions not yet reached, by first offset; and producers inside an aborted one.
  const pending = readCommitted ? [...(data.abortedTransactions ?? [])].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : 1)) : [];
  const aborting = new Set<bigint>();

  for (const batch of iterateBatches(data.records)) {
    const header: BatchHeader = readBatchHeader(batch);
    const last = lastOffsetOf(header);
    if (last < fetchOffset) continue;
    nextOffset = last + 1n;
    if (readCommitted && isTransactional(header.attributes)) {
      while (pending.length > 0 && pending[0].firstOffset <= last) aborting.add((pending.shift() as { producerId: bigint }).producerId);
    }
    if (isControl(header.attributes)) {
      // A control batch the log cleaner emptied (recordCount 0) ends nothing.
      if (readCommitted && aborting.has(header.producerId) && header.recordCount > 0 && readControlBatch(batch).type === ControlRecordType.abort) {
        aborting.delete(header.producerId);
      }
      continue;
    }
    if (readCommitted && isTransactional(header.attributes) && aborting.has(header.producerId)) continue;
    const timestampType = isLogAppendTime(header.attributes) ? 'LogAppendTime' : 'CreateTime';
    for (const r of decodeRecords(batch)) {
      if (r.offset < fetchOffset) continue;
      records.push({ partition, offset: r.offset, timestamp: r.timestamp, timestampType, key: r.key, value: r.value, headers: r.headers });
    }
  }
  return { records, nextOffset };
}
