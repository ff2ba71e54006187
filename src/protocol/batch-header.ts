/**
 * The fixed 61-byte header of a RecordBatch (magic v2), read and patched in place. Performs no I/O.
 *
 *   0  baseOffset            int64   (not covered by the CRC, so the broker can assign it freely)
 *   8  batchLength           int32   bytes after this field; the batch is batchLength + 12 bytes
 *  12  partitionLeaderEpoch  int32   (not covered by the CRC)
 *  16  magic                 int8    2
 *  17  crc                   uint32  CRC-32C of everything from `attributes` to the end
 *  21  attributes            int16   bits 0-2 compression, 3 timestamp type, 4 transactional, 5 control,
 *                                    6 hasDeleteHorizonMs (KIP-534: baseTimestamp is the delete horizon)
 *  23  lastOffsetDelta       int32
 *  27  baseTimestamp         int64
 *  35  maxTimestamp          int64
 *  43  producerId            int64
 *  51  producerEpoch         int16
 *  53  baseSequence          int32
 *  57  recordCount           int32
 *  61  records…
 */
import { crc32c } from './crc32c.js';

export const BATCH_HEADER_SIZE = 61;
/** Bytes before `batchLength`'s count starts: baseOffset + batchLength. */
export const LOG_OVERHEAD = 12;
export const CURRENT_MAGIC = 2;

export const Offsets = {
  baseOffset: 0,
  batchLength: 8,
  partitionLeaderEpoch: 12,
  magic: 16,
  crc: 17,
  attributes: 21,
  lastOffsetDelta: 23,
  baseTimestamp: 27,
  maxTimestamp: 35,
  producerId: 43,
  producerEpoch: 51,
  baseSequence: 53,
  recordCount: 57,
} as const;

export const Compression = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const;
export type CompressionCodec = (typeof Compression)[keyof typeof Compression];

export const Attr = {
  compressionMask: 0x07,
  logAppendTime: 0x08,
  transactional: 0x10,
  control: 0x20,
  deleteHorizon: 0x40,
} as const;

/** A batch without a producer (Kafka's RecordBatch.NO_PRODUCER_ID, NO_PRODUCER_EPOCH, NO_SEQUENCE). */
export const NO_PRODUCER_ID = -1n;
export const NO_PRODUCER_EPOCH = -1;
export const NO_SEQUENCE = -1;

export interface BatchHeader {
  baseOffset: bigint;
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: bigint;
  maxTimestamp: bigint;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

/** Reads the header of the batch starting at `at`; the caller makes sure 61 bytes are there. */
export function readBatchHeader(buf: Buffer, at = 0): BatchHeader {
  return {
    baseOffset: buf.readBigInt64BE(at + Offsets.baseOffset),
    batchLength: buf.readInt32BE(at + Offsets.batchLength),
    partitionLeaderEpoch: buf.readInt32BE(at + Offsets.partitionLeaderEpoch),
    magic: buf.readInt8(at + Offsets.magic),
    crc: buf.readUInt32BE(at + Offsets.crc),
    attributes: buf.readInt16BE(at + Offsets.attributes),
    lastOffsetDelta: buf.readInt32BE(at + Offsets.lastOffsetDelta),
    baseTimestamp: buf.readBigInt64BE(at + Offsets.baseTimestamp),
    maxTimestamp: buf.readBigInt64BE(at + Offsets.maxTimestamp),
    producerId: buf.readBigInt64BE(at + Offsets.producerId),
    producerEpoch: buf.readInt16BE(at + Offsets.producerEpoch),
    baseSequence: buf.readInt32BE(at + Offsets.baseSequence),
    recordCount: buf.readInt32BE(at + Offsets.recordCount),
  };
}

/** Total size in bytes of the batch at `at` (header included), from its length field. */
export function batchSize(buf: Buffer, at = 0): number {
  return buf.readInt32BE(at + Offsets.batchLength) + LOG_OVERHEAD;
}

/** CRC-32C over attributes..end, as stored in the header. */
export function computeBatchCrc(batch: Buffer): number {
  return crc32c(batch.subarray(Offsets.attributes));
}

export function hasValidCrc(batch: Buffer): boolean {
  return computeBatchCrc(batch) === batch.readUInt32BE(Offsets.crc);
}

/** Assigns the base offset; the CRC does not cover it, so nothing else changes. */
export function setBaseOffset(batch: Buffer, baseOffset: bigint): void {
  batch.writeBigInt64BE(baseOffset, Offsets.baseOffset);
}

export function setPartitionLeaderEpoch(batch: Buffer, epoch: number): void {
  batch.writeInt32BE(epoch, Offsets.partitionLeaderEpoch);
}

/**
 * Marks the batch LogAppendTime with the broker's clock. Both fields are covered by the CRC, so it
 * is recomputed; the records themselves are left as they are.
 */
export function setLogAppendTime(batch: Buffer, timestamp: bigint): void {
  const attrs = batch.readInt16BE(Offsets.attributes) | Attr.logAppendTime;
  batch.writeInt16BE(attrs, Offsets.attributes);
  batch.writeBigInt64BE(timestamp, Offsets.maxTimestamp);
  batch.writeUInt32BE(computeBatchCrc(batch), Offsets.crc);
}

/**
 * A header-only copy of `batch` (recordCount 0, no records): same offsets (base and lastOffsetDelta),
 * producer id, epoch, base sequence, leader epoch, timestamp type, transactional and control bits;
 * no compression; both timestamps set to the batch's maxTimestamp. What Kafka's log cleaner keeps of
 * a producer's last batch when compaction removed all of its records, so the producer's epoch and
 * last sequence survive.
 */
export function emptyBatchOf(batch: Buffer): Buffer {
  const out = Buffer.alloc(BATCH_HEADER_SIZE);
  batch.copy(out, 0, 0, BATCH_HEADER_SIZE);
  out.writeInt32BE(BATCH_HEADER_SIZE - LOG_OVERHEAD, Offsets.batchLength);
  const attributes = batch.readInt16BE(Offsets.attributes) & (Attr.logAppendTime | Attr.transactional | Attr.control);
  out.writeInt16BE(attributes, Offsets.attributes);
  batch.copy(out, Offsets.baseTimestamp, Offsets.maxTimestamp, Offsets.maxTimestamp + 8);
  out.writeInt32BE(0, Offsets.recordCount);
  out.writeUInt32BE(computeBatchCrc(out), Offsets.crc);
  return out;
}

export const compressionOf = (attributes: number): number => attributes & Attr.compressionMask;
export const isTransactional = (attributes: number): boolean => (attributes & Attr.transactional) !== 0;
export const isControl = (attributes: number): boolean => (attributes & Attr.control) !== 0;
export const isLogAppendTime = (attributes: number): boolean => (attributes & Attr.logAppendTime) !== 0;
/** KIP-534: the batch's baseTimestamp holds the time after which the cleaner may drop its tombstones. */
export const hasDeleteHorizon = (attributes: number): boolean => (attributes & Attr.deleteHorizon) !== 0;

/** Offset of the last record in the batch. */
export const lastOffsetOf = (h: Pick<BatchHeader, 'baseOffset' | 'lastOffsetDelta'>): bigint => h.baseOffset + BigInt(h.lastOffsetDelta);
