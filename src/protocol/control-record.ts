/**
 * Control records: the transaction markers (COMMIT / ABORT) the broker writes to each partition a
 * transaction touched. Performs no I/O.
 *
 * A marker is a batch with the transactional and control attributes set, the producer's id and
 * epoch, no sequence, and one uncompressed record whose
 *
 *   key   => version:int16 (0) type:int16 (0 abort, 1 commit)
 *   value => version:int16 (0) coordinatorEpoch:int32
 *
 * Readers accept newer key/value versions as long as the fields above are there, as Kafka does.
 * Types 2 and up are KRaft's own control records; they are reported by number and carry no epoch.
 */
import { Attr, BATCH_HEADER_SIZE, Compression, compressionOf, isControl, LOG_OVERHEAD, NO_SEQUENCE, Offsets } from './batch-header.js';
import { ErrorCode, KafkaError, ProtocolDecodeError } from './errors.js';
import { Reader } from './reader.js';
import { encodeRecordBatch } from './record-batch.js';

export const ControlRecordType = { abort: 0, commit: 1 } as const;

export interface ControlRecord {
  /** Version of the key (0 today). */
  version: number;
  /** `ControlRecordType`: 0 abort, 1 commit; other values are KRaft control records. */
  type: number;
  /** For abort and commit: the epoch of the transaction coordinator that wrote the marker. */
  coordinatorEpoch: number | null;
}

export interface EncodeControlBatchOptions {
  producerId: bigint;
  producerEpoch: number;
  commit: boolean;
  coordinatorEpoch: number;
  /** Milliseconds since the epoch. */
  timestamp: bigint;
  baseOffset: bigint;
  /** Default -1; the broker usually stamps the leader epoch when it appends. */
  partitionLeaderEpoch?: number;
}

const KEY_SIZE = 4;
const END_TXN_VALUE_SIZE = 6;

/** The key of a transaction marker record. */
export function encodeControlKey(type: number): Buffer {
  const key = Buffer.allocUnsafe(KEY_SIZE);
  key.writeInt16BE(0, 0);
  key.writeInt16BE(type, 2);
  return key;
}

/** The value of a transaction marker record. */
export function encodeEndTxnMarkerValue(coordinatorEpoch: number): Buffer {
  const value = Buffer.allocUnsafe(END_TXN_VALUE_SIZE);
  value.writeInt16BE(0, 0);
  value.writeInt32BE(coordinatorEpoch, 2);
  return value;
}

/** A complete COMMIT or ABORT marker batch, ready to append at `baseOffset`. */
export function encodeControlBatch(opts: EncodeControlBatchOptions): Buffer {
  return encodeRecordBatch({
    baseOffset: opts.baseOffset,
    partitionLeaderEpoch: opts.partitionLeaderEpoch ?? -1,
    transactional: true,
    control: true,
    producerId: opts.producerId,
    producerEpoch: opts.producerEpoch,
    // markers are not part of the producer's sequence
    baseSequence: NO_SEQUENCE,
    timestamp: opts.timestamp,
    records: [
      {
        key: encodeControlKey(opts.commit ? ControlRecordType.commit : ControlRecordType.abort),
        value: encodeEndTxnMarkerValue(opts.coordinatorEpoch),
      },
    ],
  });
}

/** Reads a control record's key and value; CORRUPT_MESSAGE when they are too short. */
export function decodeControlRecord(record: { key: Buffer | null; value: Buffer | null }): ControlRecord {
  const { key, value } = record;
  if (key === null || key.length < KEY_SIZE) {
    throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `control record key of ${key?.length ?? 'null'} bytes; needs ${KEY_SIZE}`);
  }
  const version = key.readInt16BE(0);
  if (version < 0) throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `invalid control record key version ${version}`);
  const type = key.readInt16BE(2);
  if (type !== ControlRecordType.abort && type !== ControlRecordType.commit) return { version, type, coordinatorEpoch: null };
  if (value === null || value.length < END_TXN_VALUE_SIZE) {
    throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `transaction marker value of ${value?.length ?? 'null'} bytes; needs ${END_TXN_VALUE_SIZE}`);
  }
  const valueVersion = value.readInt16BE(0);
  if (valueVersion < 0) throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `invalid transaction marker version ${valueVersion}`);
  return { version, type, coordinatorEpoch: value.readInt32BE(2) };
}

/**
 * The marker carried by a control batch, read straight from the batch bytes without decoding the
 * batch into records: what the log's producer-state and transaction-index code needs when it meets
 * a control batch. The batch must be uncompressed, as the broker writes them.
 */
export function readControlBatch(batch: Buffer): ControlRecord {
  const attributes = batch.readInt16BE(Offsets.attributes);
  if (!isControl(attributes) || (attributes & Attr.compressionMask) !== Compression.none) {
    throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `not an uncompressed control batch (attributes ${attributes}, compression ${compressionOf(attributes)})`);
  }
  if (batch.readInt32BE(Offsets.recordCount) < 1) throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, 'control batch without a record');
  const end = Math.min(batch.length, batch.readInt32BE(Offsets.batchLength) + LOG_OVERHEAD);
  const r = new Reader(batch, BATCH_HEADER_SIZE, end);
  try {
    r.varint(); // length
    r.skip(1); // attributes
    r.varlong(); // timestampDelta
    r.varint(); // offsetDelta
    const key = bytesOrNull(r);
    const value = bytesOrNull(r);
    return decodeControlRecord({ key, value });
  } catch (err) {
    if (err instanceof ProtocolDecodeError) throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `malformed control record: ${err.message}`);
    throw err;
  }
}

function bytesOrNull(r: Reader): Buffer | null {
  const len = r.varint();
  return len < 0 ? null : r.raw(len);
}
