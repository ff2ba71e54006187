/**
 * Replays one partition of a coordinator's compacted internal topic, from its log start offset to
 * its end, into a CoordinatorPlayback: every data record that has a key, in offset order, and every
 * transaction marker. Played in order, the records leave the latest one per key, and a tombstone (a
 * null value) removes its key; what a key and a value mean is the playback's business.
 *
 * Left out, compared with Kafka's coordinator loader: the load buffer size (reads are 1 MiB at a
 * time) and stopping a load part way when the partition's leadership moves.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { isControl, isTransactional, readBatchHeader } from '../../protocol/batch-header.js';
import { ControlRecordType, decodeControlRecord } from '../../protocol/control-record.js';
import { decodeRecordBatch, iterateBatches } from '../../protocol/record-batch.js';
import type { PartitionLog } from '../log/partition-log.js';

/** Bytes read from the log at a time while loading. */
const LOAD_READ_BYTES = 1024 * 1024;

export interface CoordinatorRecord {
  key: Buffer;
  /** Null: a tombstone. */
  value: Buffer | null;
  offset: number;
  /** The batch's producer id (-1 when none). */
  producerId: bigint;
  /** Written in a transaction: it counts once its producer's COMMIT marker follows. */
  transactional: boolean;
}

/** Where a loaded partition's records go. */
export interface CoordinatorPlayback {
  replay(record: CoordinatorRecord): void;
  /** A COMMIT (`commit` true) or ABORT marker of `producerId`'s transaction. */
  replayEndTransactionMarker(producerId: bigint, commit: boolean): void;
}

export type CoordinatorLog = Pick<PartitionLog, 'logStartOffset' | 'logEndOffset' | 'read'>;

/** Plays `log` from its start to its end into `playback`, yielding to the event loop between reads. */
export async function loadCoordinatorPartition(log: CoordinatorLog, playback: CoordinatorPlayback): Promise<void> {
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const data = log.read(offset, LOAD_READ_BYTES, { minOneBatch: true });
    let next = offset;
    for (const chunk of data.records) {
      for (const batch of iterateBatches(chunk)) {
        const header = readBatchHeader(batch);
        const last = Number(header.baseOffset) + header.lastOffsetDelta;
        if (last < offset) continue;
        replayBatch(batch, header.attributes, header.producerId, playback);
        next = last + 1;
      }
    }
    if (next <= offset) break; // nothing readable further on
    offset = next;
    await yieldToEventLoop();
  }
}

function replayBatch(batch: Buffer, attributes: number, producerId: bigint, playback: CoordinatorPlayback): void {
  const { records } = decodeRecordBatch(batch);
  if (isControl(attributes)) {
    // A marker the log cleaner emptied: its transaction's records are gone, there is nothing to end.
    if (records.length === 0) return;
    const marker = decodeControlRecord(records[0]);
    if (marker.type === ControlRecordType.commit || marker.type === ControlRecordType.abort) {
      playback.replayEndTransactionMarker(producerId, marker.type === ControlRecordType.commit);
    }
    return;
  }
  const transactional = isTransactional(attributes);
  for (const r of records) {
    if (r.key === null) continue;
    playback.replay({ key: r.key, value: r.value, offset: Number(r.offset), producerId, transactional });
  }
}
