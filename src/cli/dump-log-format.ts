/**
 * The lines `skein dump-log` prints, in the layout of Kafka's DumpLogSegments (kafka-dump-log.sh),
 * so that output can be compared with Kafka's side by side. Pure functions over decoded headers and
 * records; reading the files is dump-log-segments.ts's job.
 */
import { Attr, type BatchHeader, compressionOf, isControl, isLogAppendTime, isTransactional, lastOffsetOf } from '../protocol/batch-header.js';
import { compressionName } from '../protocol/compression.js';
import { ControlRecordType, decodeControlRecord } from '../protocol/control-record.js';
import type { DecodedRecord } from '../protocol/record-batch.js';

const MAX_INT32 = 2 ** 31 - 1;
/** Kafka's ControlRecordType ids beyond the transaction markers. */
const CONTROL_TYPE_NAMES: Record<number, string> = {
  [ControlRecordType.abort]: 'ABORT',
  [ControlRecordType.commit]: 'COMMIT',
  2: 'LEADER_CHANGE',
  3: 'SNAPSHOT_HEADER',
  4: 'SNAPSHOT_FOOTER',
  5: 'KRAFT_VERSION',
  6: 'KRAFT_VOTERS',
};

/** `CreateTime` or `LogAppendTime`: the batch's timestamp type, as Kafka names it. */
export function timestampTypeName(attributes: number): string {
  return isLogAppendTime(attributes) ? 'LogAppendTime' : 'CreateTime';
}

/** A producer sequence advanced by `delta`, wrapping past Int32.MAX_VALUE to 0 as Kafka's does. */
export function incrementSequence(sequence: number, delta: number): number {
  if (sequence < 0) return -1;
  return sequence > MAX_INT32 - delta ? delta - (MAX_INT32 - sequence) - 1 : sequence + delta;
}

/**
 * One batch:
 * `baseOffset: 0 lastOffset: 1 count: 2 baseSequence: -1 lastSequence: -1 producerId: -1
 * producerEpoch: -1 partitionLeaderEpoch: 0 isTransactional: false isControl: false
 * deleteHorizonMs: OptionalLong.empty position: 0 CreateTime: 1700000000000 size: 80 magic: 2
 * compresscodec: none crc: 123 isvalid: true` (one line).
 */
export function formatBatchLine(h: BatchHeader, position: number, crcValid: boolean): string {
  const deleteHorizon = (h.attributes & Attr.deleteHorizon) !== 0 ? `OptionalLong[${h.baseTimestamp}]` : 'OptionalLong.empty';
  return (
    `baseOffset: ${h.baseOffset} lastOffset: ${lastOffsetOf(h)} count: ${h.recordCount} ` +
    `baseSequence: ${h.baseSequence} lastSequence: ${incrementSequence(h.baseSequence, h.lastOffsetDelta)} ` +
    `producerId: ${h.producerId} producerEpoch: ${h.producerEpoch} partitionLeaderEpoch: ${h.partitionLeaderEpoch} ` +
    `isTransactional: ${isTransactional(h.attributes)} isControl: ${isControl(h.attributes)} deleteHorizonMs: ${deleteHorizon} ` +
    `position: ${position} ${timestampTypeName(h.attributes)}: ${h.maxTimestamp} size: ${h.batchLength + 12} magic: ${h.magic} ` +
    `compresscodec: ${compressionName(compressionOf(h.attributes))} crc: ${h.crc} isvalid: ${crcValid}`
  );
}

/**
 * One record of a batch, `| offset: 0 CreateTime: 1700000000000 keySize: 1 valueSize: 5 sequence: -1
 * headerKeys: []`, followed for a control record by its marker (`endTxnMarker: COMMIT
 * coordinatorEpoch: 0`) and, with `printData`, for a data record by ` key: …` (when there is a key)
 * and ` payload: …` (when there is a value), both decoded as UTF-8.
 */
export function formatRecordLine(h: BatchHeader, r: DecodedRecord, printData: boolean): string {
  let line =
    `| offset: ${r.offset} ${timestampTypeName(h.attributes)}: ${r.timestamp} ` +
    `keySize: ${r.key?.length ?? -1} valueSize: ${r.value?.length ?? -1} ` +
    `sequence: ${incrementSequence(h.baseSequence, r.offsetDelta)} headerKeys: [${r.headers.map((x) => x.key).join(',')}]`;
  if (isControl(h.attributes)) {
    line += ` ${formatControlRecord(r)}`;
  } else if (printData) {
    if (r.key !== null) line += ` key: ${r.key.toString('utf8')}`;
    if (r.value !== null) line += ` payload: ${r.value.toString('utf8')}`;
  }
  return line;
}

function formatControlRecord(r: DecodedRecord): string {
  let marker;
  try {
    marker = decodeControlRecord(r);
  } catch (err) {
    return `controlType: unreadable (${(err as Error).message})`;
  }
  if (marker.coordinatorEpoch !== null) {
    return `endTxnMarker: ${CONTROL_TYPE_NAMES[marker.type]} coordinatorEpoch: ${marker.coordinatorEpoch}`;
  }
  return `controlType: ${CONTROL_TYPE_NAMES[marker.type] ?? 'UNKNOWN'}(${marker.type})`;
}

/** `offset: 1042 position: 65536`: one offset-index entry, with the absolute offset. */
export function formatOffsetIndexEntry(offset: bigint, position: number): string {
  return `offset: ${offset} position: ${position}`;
}

/** `timestamp: 1700000000000 offset: 1042`: one time-index entry, with the absolute offset. */
export function formatTimeIndexEntry(timestamp: bigint, offset: bigint): string {
  return `timestamp: ${timestamp} offset: ${offset}`;
}
