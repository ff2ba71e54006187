/**
 * RecordBatch v2 (magic 2): building a batch, reading its records, walking a buffer of batches, and
 * the broker's Produce-path validation. Performs no I/O. The fixed header lives in batch-header.ts.
 *
 *   RecordBatch => header (61 bytes, see batch-header.ts) Records
 *   Records     => Record * recordCount, compressed as one stream when attributes say so
 *   Record      => length:varint attributes:int8 timestampDelta:varlong offsetDelta:varint
 *                  keyLength:varint key valueLength:varint value headerCount:varint Header*
 *   Header      => keyLength:varint key(utf8) valueLength:varint value      (length -1 = null)
 *
 * Hot paths (`validateBatch`, `iterateBatches`) allocate per batch, never per record.
 *
 * Left out on purpose: legacy message sets (magic 0 and 1) are neither built nor read; timestamp
 * bounds (`message.timestamp.*.max.ms`) are the caller's to check against the header's timestamps.
 */
import {
  Attr,
  BATCH_HEADER_SIZE,
  type BatchHeader,
  Compression,
  CURRENT_MAGIC,
  computeBatchCrc,
  compressionOf,
  isControl,
  isLogAppendTime,
  LOG_OVERHEAD,
  NO_PRODUCER_EPOCH,
  NO_PRODUCER_ID,
  NO_SEQUENCE,
  Offsets,
  readBatchHeader,
} from './batch-header.js';
import { compress, compressSync, type DecompressOptions, decompress, decompressSync } from './compression.js';
import { INT32_MAX } from './constants.js';
import { ErrorCode, KafkaError, ProtocolDecodeError } from './errors.js';
import { Reader } from './reader.js';

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

/** One record as stored inside a batch: offset and timestamp relative to the batch's base. */
export interface Record {
  offsetDelta: number;
  timestampDelta: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

/** A record read from a batch, with its absolute offset and timestamp worked out. */
export interface DecodedRecord extends Record {
  offset: bigint;
  /** CreateTime: base timestamp + delta; LogAppendTime: the batch's max timestamp (as Kafka does). */
  timestamp: bigint;
}

export interface RecordBatch {
  header: BatchHeader;
  records: DecodedRecord[];
}

/** A record to put in a new batch; offsets are assigned in order (offsetDelta = index) unless given. */
export interface RecordInput {
  key?: Buffer | null;
  value: Buffer | null;
  headers?: RecordHeader[];
  /** Milliseconds since the epoch; defaults to the batch's `timestamp` option. */
  timestamp?: bigint;
  /**
   * The record's offset relative to the batch's base offset; default its index. Must increase from
   * record to record; gaps are what compaction leaves (the log cleaner rewrites batches this way).
   */
  offsetDelta?: number;
}

export interface EncodeRecordBatchOptions {
  records: RecordInput[];
  /** Default 0: a producer always sends 0 and the broker assigns the real one. */
  baseOffset?: bigint;
  /** Default -1 (no epoch); the broker stamps its own. */
  partitionLeaderEpoch?: number;
  /** One of `Compression`; default none. */
  compression?: number;
  transactional?: boolean;
  control?: boolean;
  /** Sets the LogAppendTime timestamp type; default CreateTime. */
  logAppendTime?: boolean;
  /** Default -1: not idempotent. */
  producerId?: bigint;
  producerEpoch?: number;
  baseSequence?: number;
  /**
   * Timestamp for records that carry none. Required: the codec does no I/O, and reading the wall
   * clock is one — the caller says what time it is (a producer's clock, the broker's).
   */
  timestamp: bigint;
  /**
   * Default: the last record's offsetDelta. Larger when a rewritten batch keeps the offset range of
   * the batch it replaces although its last records were removed (compaction keeps a producer's last
   * sequence in place this way).
   */
  lastOffsetDelta?: number;
  /**
   * KIP-534: sets attribute bit 6 (hasDeleteHorizonMs) and stores this time as the batch's
   * baseTimestamp; record timestamp deltas are taken relative to it, so record timestamps are unchanged.
   */
  deleteHorizonMs?: bigint;
}

export interface DecodeOptions extends DecompressOptions {
  /** Check the CRC before reading (default true); CORRUPT_MESSAGE when it does not match. */
  verifyCrc?: boolean;
}

export interface ValidateBatchOptions {
  /**
   * `client` (default) applies the checks Kafka applies to producers' appends: base offset 0, no
   * control batches, a sequence when there is a producer id. `coordinator` is for batches the
   * broker wrote itself.
   */
  origin?: 'client' | 'coordinator';
  /** `max.message.bytes`: a larger batch is MESSAGE_TOO_LARGE. */
  maxBatchBytes?: number;
  /** Produce request version; zstd before v7 is UNSUPPORTED_COMPRESSION_TYPE, as in Kafka. */
  produceVersion?: number;
  /**
   * Compacted topic: every record needs a key (INVALID_RECORD otherwise). Checked in the walk of an
   * uncompressed batch; for compressed ones, only `validateCompressedRecords` can see keys.
   */
  requireKeys?: boolean;
}

/** Smallest legal `batchLength`: a header with no records. */
const MIN_BATCH_LENGTH = BATCH_HEADER_SIZE - LOG_OVERHEAD;
/** length, attributes, timestampDelta, offsetDelta, key length, value length, header count: 1 byte each at least. */
const MIN_RECORD_SIZE = 7;

// ---------------------------------------------------------------------------------------------
// Encoding

/**
 * Builds a complete batch: lastOffsetDelta, base and max timestamps, record count and CRC are worked
 * out from the records. Compresses on the calling thread (see `encodeRecordBatchAsync`).
 */
export function encodeRecordBatch(opts: EncodeRecordBatchOptions): Buffer {
  const plan = planBatch(opts);
  if (plan.codec === Compression.none) return uncompressedBatch(plan);
  return assemble(plan, compressSync(plan.codec, recordsBuffer(plan)));
}

/** As `encodeRecordBatch`, compressing off the event loop. */
export async function encodeRecordBatchAsync(opts: EncodeRecordBatchOptions): Promise<Buffer> {
  const plan = planBatch(opts);
  if (plan.codec === Compression.none) return uncompressedBatch(plan);
  return assemble(plan, await compress(plan.codec, recordsBuffer(plan)));
}

interface BatchPlan {
  opts: EncodeRecordBatchOptions;
  codec: number;
  attributes: number;
  baseTimestamp: bigint;
  maxTimestamp: bigint;
  lastOffsetDelta: number;
  timestampDeltas: number[];
  offsetDeltas: number[];
  bodySizes: number[];
  headerKeyBytes: Array<Buffer[] | null>;
  recordsSize: number;
}

function planBatch(opts: EncodeRecordBatchOptions): BatchPlan {
  const records = opts.records;
  if (records.length === 0) throw new RangeError('a record batch needs at least one record');
  const codec = opts.compression ?? Compression.none;
  if (!Number.isInteger(codec) || codec < 0 || codec > Compression.zstd) {
    throw new KafkaError(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, `unknown compression codec ${codec}`);
  }
  let attributes = codec;
  if (opts.logAppendTime) attributes |= Attr.logAppendTime;
  if (opts.transactional) attributes |= Attr.transactional;
  if (opts.control) attributes |= Attr.control;
  if (opts.deleteHorizonMs !== undefined) attributes |= Attr.deleteHorizon;

  const fallback = opts.timestamp;
  const firstTimestamp = records[0].timestamp ?? fallback;
  const baseTimestamp = opts.deleteHorizonMs ?? firstTimestamp;
  let maxTimestamp = firstTimestamp;
  const timestampDeltas = new Array<number>(records.length);
  const offsetDeltas = new Array<number>(records.length);
  const bodySizes = new Array<number>(records.length);
  const headerKeyBytes = new Array<Buffer[] | null>(records.length);
  let recordsSize = 0;

  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    const ts = r.timestamp ?? fallback;
    if (ts > maxTimestamp) maxTimestamp = ts;
    const delta = Number(ts - baseTimestamp);
    if (!Number.isSafeInteger(delta) || Math.abs(delta) > MAX_VARLONG_MAGNITUDE) {
      throw new RangeError(`timestamp ${ts} is too far from the batch's base timestamp ${baseTimestamp}`);
    }
    timestampDeltas[i] = delta;
    const offsetDelta = r.offsetDelta ?? i;
    if (!Number.isInteger(offsetDelta) || offsetDelta < 0 || offsetDelta > INT32_MAX || (i > 0 && offsetDelta <= offsetDeltas[i - 1])) {
      throw new RangeError(`record ${i} has offset delta ${offsetDelta}; deltas must be non-negative and increasing`);
    }
    offsetDeltas[i] = offsetDelta;

    let body = 1 + sizeOfVarlong(delta) + sizeOfVarint(offsetDelta) + sizeOfBytes(r.key ?? null) + sizeOfBytes(r.value);
    const headers = r.headers;
    if (headers && headers.length > 0) {
      const keys = new Array<Buffer>(headers.length);
      body += sizeOfVarint(headers.length);
      for (let h = 0; h < headers.length; h++) {
        keys[h] = Buffer.from(headers[h].key, 'utf8');
        body += sizeOfVarint(keys[h].length) + keys[h].length + sizeOfBytes(headers[h].value);
      }
      headerKeyBytes[i] = keys;
    } else {
      body += 1;
      headerKeyBytes[i] = null;
    }
    bodySizes[i] = body;
    recordsSize += sizeOfVarint(body) + body;
  }
  const lastOffsetDelta = opts.lastOffsetDelta ?? offsetDeltas[records.length - 1];
  if (!Number.isInteger(lastOffsetDelta) || lastOffsetDelta < offsetDeltas[records.length - 1] || lastOffsetDelta > INT32_MAX) {
    throw new RangeError(`lastOffsetDelta ${lastOffsetDelta} is below the last record's offset delta ${offsetDeltas[records.length - 1]}`);
  }
  return {
    opts,
    codec,
    attributes,
    baseTimestamp,
    maxTimestamp,
    lastOffsetDelta,
    timestampDeltas,
    offsetDeltas,
    bodySizes,
    headerKeyBytes,
    recordsSize,
  };
}

function uncompressedBatch(plan: BatchPlan): Buffer {
  const batch = Buffer.allocUnsafe(BATCH_HEADER_SIZE + plan.recordsSize);
  writeRecords(batch, BATCH_HEADER_SIZE, plan);
  return finishBatch(batch, plan);
}

function recordsBuffer(plan: BatchPlan): Buffer {
  const buf = Buffer.allocUnsafe(plan.recordsSize);
  writeRecords(buf, 0, plan);
  return buf;
}

function assemble(plan: BatchPlan, records: Buffer): Buffer {
  const batch = Buffer.allocUnsafe(BATCH_HEADER_SIZE + records.length);
  records.copy(batch, BATCH_HEADER_SIZE);
  return finishBatch(batch, plan);
}

function writeRecords(buf: Buffer, at: number, plan: BatchPlan): void {
  const records = plan.opts.records;
  let pos = at;
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    pos = writeVarint(buf, pos, plan.bodySizes[i]);
    buf[pos++] = 0; // record attributes: unused
    pos = writeVarlong(buf, pos, plan.timestampDeltas[i]);
    pos = writeVarint(buf, pos, plan.offsetDeltas[i]);
    pos = writeBytes(buf, pos, r.key ?? null);
    pos = writeBytes(buf, pos, r.value);
    const keys = plan.headerKeyBytes[i];
    if (keys === null) {
      buf[pos++] = 0; // varint 0
    } else {
      const headers = r.headers!;
      pos = writeVarint(buf, pos, headers.length);
      for (let h = 0; h < headers.length; h++) {
        pos = writeBytes(buf, pos, keys[h]);
        pos = writeBytes(buf, pos, headers[h].value);
      }
    }
  }
}

function finishBatch(batch: Buffer, plan: BatchPlan): Buffer {
  const o = plan.opts;
  const count = o.records.length;
  batch.writeBigInt64BE(BigInt.asIntN(64, o.baseOffset ?? 0n), Offsets.baseOffset);
  batch.writeInt32BE(batch.length - LOG_OVERHEAD, Offsets.batchLength);
  batch.writeInt32BE(o.partitionLeaderEpoch ?? -1, Offsets.partitionLeaderEpoch);
  batch.writeInt8(CURRENT_MAGIC, Offsets.magic);
  batch.writeInt16BE(plan.attributes, Offsets.attributes);
  batch.writeInt32BE(plan.lastOffsetDelta, Offsets.lastOffsetDelta);
  batch.writeBigInt64BE(plan.baseTimestamp, Offsets.baseTimestamp);
  batch.writeBigInt64BE(plan.maxTimestamp, Offsets.maxTimestamp);
  batch.writeBigInt64BE(o.producerId ?? NO_PRODUCER_ID, Offsets.producerId);
  batch.writeInt16BE(o.producerEpoch ?? NO_PRODUCER_EPOCH, Offsets.producerEpoch);
  batch.writeInt32BE(o.baseSequence ?? NO_SEQUENCE, Offsets.baseSequence);
  batch.writeInt32BE(count, Offsets.recordCount);
  batch.writeUInt32BE(computeBatchCrc(batch), Offsets.crc);
  return batch;
}

// Varint writers over a preallocated buffer; each returns the position after what it wrote.

/** Zig-zag varlongs are exact for |v| up to 2^52, since the zig-zag doubles them. */
const MAX_VARLONG_MAGNITUDE = 2 ** 52 - 1;

function sizeOfUVarint(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}

function sizeOfVarint(v: number): number {
  return sizeOfUVarint(((v << 1) ^ (v >> 31)) >>> 0);
}

function sizeOfVarlong(v: number): number {
  let z = v >= 0 ? v * 2 : -v * 2 - 1;
  let n = 1;
  while (z >= 0x80) {
    z = Math.floor(z / 0x80);
    n++;
  }
  return n;
}

function sizeOfBytes(b: Buffer | null): number {
  return b === null ? 1 : sizeOfVarint(b.length) + b.length;
}

function writeVarint(buf: Buffer, pos: number, v: number): number {
  let z = ((v << 1) ^ (v >> 31)) >>> 0;
  while (z >= 0x80) {
    buf[pos++] = (z & 0x7f) | 0x80;
    z >>>= 7;
  }
  buf[pos++] = z;
  return pos;
}

function writeVarlong(buf: Buffer, pos: number, v: number): number {
  let z = v >= 0 ? v * 2 : -v * 2 - 1;
  while (z >= 0x80) {
    buf[pos++] = (z % 0x80) | 0x80;
    z = Math.floor(z / 0x80);
  }
  buf[pos++] = z;
  return pos;
}

function writeBytes(buf: Buffer, pos: number, b: Buffer | null): number {
  if (b === null) return writeVarint(buf, pos, -1);
  pos = writeVarint(buf, pos, b.length);
  b.copy(buf, pos);
  return pos + b.length;
}

// ---------------------------------------------------------------------------------------------
// Decoding

/** Reads a whole batch, decompressing on the calling thread. Keys and values are views, not copies. */
export function decodeRecordBatch(batch: Buffer, opts?: DecodeOptions): RecordBatch {
  const header = checkedHeader(batch, opts);
  const codec = compressionOf(header.attributes);
  const body = batch.subarray(BATCH_HEADER_SIZE, header.batchLength + LOG_OVERHEAD);
  const records = codec === Compression.none ? body : decompressSync(codec, body, opts);
  return { header, records: readRecords(records, header) };
}

/** As `decodeRecordBatch`, decompressing off the event loop. */
export async function decodeRecordBatchAsync(batch: Buffer, opts?: DecodeOptions): Promise<RecordBatch> {
  const header = checkedHeader(batch, opts);
  const codec = compressionOf(header.attributes);
  const body = batch.subarray(BATCH_HEADER_SIZE, header.batchLength + LOG_OVERHEAD);
  const records = codec === Compression.none ? body : await decompress(codec, body, opts);
  return { header, records: readRecords(records, header) };
}

/** The records of one batch with absolute offsets and timestamps (see `decodeRecordBatch`). */
export function decodeRecords(batch: Buffer, opts?: DecodeOptions): DecodedRecord[] {
  return decodeRecordBatch(batch, opts).records;
}

export async function decodeRecordsAsync(batch: Buffer, opts?: DecodeOptions): Promise<DecodedRecord[]> {
  return (await decodeRecordBatchAsync(batch, opts)).records;
}

function checkedHeader(batch: Buffer, opts: DecodeOptions | undefined): BatchHeader {
  if (batch.length < BATCH_HEADER_SIZE) {
    throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `${batch.length} bytes cannot hold a record batch header`);
  }
  const magic = batch.readInt8(Offsets.magic);
  if (magic !== CURRENT_MAGIC) {
    throw new KafkaError(ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT, `message format magic ${magic} is not supported, only ${CURRENT_MAGIC}`);
  }
  const header = readBatchHeader(batch);
  const size = header.batchLength + LOG_OVERHEAD;
  if (header.batchLength < MIN_BATCH_LENGTH || size > batch.length) {
    throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `batch length ${header.batchLength} does not fit the ${batch.length} bytes given`);
  }
  if ((opts?.verifyCrc ?? true) && computeBatchCrc(batch.subarray(0, size)) !== header.crc) {
    throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `record batch at offset ${header.baseOffset} fails its CRC`);
  }
  return header;
}

function readRecords(buf: Buffer, header: BatchHeader): DecodedRecord[] {
  const count = header.recordCount;
  if (count < 0 || count * MIN_RECORD_SIZE > buf.length) {
    throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `record count ${count} does not fit ${buf.length} bytes of records`);
  }
  const logAppend = isLogAppendTime(header.attributes);
  const out = new Array<DecodedRecord>(count);
  const r = new Reader(buf);
  try {
    for (let i = 0; i < count; i++) {
      const len = r.varint();
      if (len < 0) throw new ProtocolDecodeError(`negative record length ${len}`);
      const end = r.offset + len;
      if (end > r.end) throw new ProtocolDecodeError(`record length ${len} overruns the batch`);
      r.skip(1); // attributes
      const timestampDelta = r.varlong();
      const offsetDelta = r.varint();
      const key = varBytes(r);
      const value = varBytes(r);
      const headerCount = r.varint();
      if (headerCount < 0 || headerCount > end - r.offset) throw new ProtocolDecodeError(`invalid header count ${headerCount}`);
      const headers = new Array<RecordHeader>(headerCount);
      for (let h = 0; h < headerCount; h++) {
        const keyLen = r.varint();
        if (keyLen < 0) throw new ProtocolDecodeError(`invalid header key length ${keyLen}`);
        const keyAt = r.offset;
        r.skip(keyLen);
        headers[h] = { key: buf.toString('utf8', keyAt, keyAt + keyLen), value: varBytes(r) };
      }
      if (r.offset !== end) throw new ProtocolDecodeError(`record ${i} declares ${len} bytes but holds ${len + r.offset - end}`);
      out[i] = {
        offsetDelta,
        timestampDelta,
        key,
        value,
        headers,
        offset: header.baseOffset + BigInt(offsetDelta),
        timestamp: logAppend ? header.maxTimestamp : header.baseTimestamp + BigInt(timestampDelta),
      };
    }
  } catch (err) {
    if (err instanceof ProtocolDecodeError) throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `malformed records: ${err.message}`);
    throw err;
  }
  if (r.offset !== buf.length) {
    throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `${buf.length - r.offset} bytes left after the ${count} records the batch declares`);
  }
  return out;
}

function varBytes(r: Reader): Buffer | null {
  const len = r.varint();
  if (len === -1) return null;
  if (len < -1) throw new ProtocolDecodeError(`invalid length ${len}`);
  return r.raw(len);
}

// ---------------------------------------------------------------------------------------------
// Walking a buffer of batches

/**
 * Yields each complete batch in `buf` (concatenated batches, as in a segment file or a Fetch
 * response) as a view, starting at `start`. Stops quietly at a trailing partial batch, which Fetch
 * responses may end with. A length field below the header size cannot be stepped over and is
 * CORRUPT_MESSAGE. Batches are not otherwise checked here (magic, CRC): that is the reader's call.
 */
export function* iterateBatches(buf: Buffer, start = 0): Generator<Buffer, void, undefined> {
  let pos = start;
  while (buf.length - pos >= LOG_OVERHEAD) {
    const length = buf.readInt32BE(pos + Offsets.batchLength);
    if (length < MIN_BATCH_LENGTH) {
      throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `batch at byte ${pos} has length ${length}, below the ${MIN_BATCH_LENGTH}-byte minimum`);
    }
    const end = pos + LOG_OVERHEAD + length;
    if (end > buf.length) return;
    yield buf.subarray(pos, end);
    pos = end;
  }
}

// ---------------------------------------------------------------------------------------------
// Produce-path validation

function invalid(message: string): KafkaError {
  return new KafkaError(ErrorCode.INVALID_RECORD, message);
}

function corrupt(message: string): KafkaError {
  return new KafkaError(ErrorCode.CORRUPT_MESSAGE, message);
}

/**
 * Checks one partition's record data from a Produce request and returns its header, or throws a
 * KafkaError with the code Kafka answers with. Checks run in Kafka's order (ProduceRequest
 * .validateRecords, then UnifiedLog.analyzeAndValidateRecords, then LogValidator.validateBatch and
 * the record iterator):
 *
 *  1. fewer than 17 bytes (no magic to read) → CORRUPT_MESSAGE
 *  2. magic ≠ 2 → INVALID_RECORD (Produce v3+ may carry only magic 2)
 *  3. batchLength below the 49 bytes of a bare header, or running past the buffer → CORRUPT_MESSAGE
 *  4. zstd in a Produce request before v7 (when `produceVersion` is given) → UNSUPPORTED_COMPRESSION_TYPE
 *  5. bytes after the batch: a second whole batch → INVALID_RECORD (one batch per partition);
 *     anything else → CORRUPT_MESSAGE
 *  6. client: baseOffset ≠ 0 → INVALID_RECORD
 *  7. size > `maxBatchBytes` → MESSAGE_TOO_LARGE
 *  8. CRC-32C mismatch → CORRUPT_MESSAGE
 *  9. compression codec 5-7 → UNSUPPORTED_COMPRESSION_TYPE
 * 10. client: lastOffsetDelta < 0, recordCount ≤ 0, or recordCount ≠ lastOffsetDelta + 1 → INVALID_RECORD
 * 11. client: control batch → INVALID_RECORD; producerId ≥ 0 with baseSequence < 0 → INVALID_RECORD
 * 12. uncompressed: the records are walked without allocating (each length varint must land exactly
 *     on the next record, `recordCount` records must end exactly at the batch end, offsetDelta must
 *     be the record's index, key/value/header lengths ≥ -1 and inside the record, and a key on
 *     every record when `requireKeys`) → INVALID_RECORD
 *
 * Stricter than Kafka in one place: Kafka accepts non-consecutive offset deltas (it rewrites
 * compressed batches and keeps uncompressed ones as sent); no client writes them, and refusing
 * them keeps every stored batch's offsets dense.
 *
 * Compressed batches are not decompressed here: the CRC already guarantees the bytes are the ones
 * the producer sent, the broker stores them as they are, and inflating every batch on the single
 * event loop would cost more than the rest of the append. `validateCompressedRecords` does the
 * deep check off the event loop when it matters (compacted topics, or a stricter broker). A zstd
 * batch is therefore accepted even on a Node without zstd: the broker never needs to read it.
 */
export function validateBatch(buf: Buffer, opts?: ValidateBatchOptions): BatchHeader {
  const fromClient = (opts?.origin ?? 'client') === 'client';
  if (buf.length < Offsets.magic + 1) throw corrupt(`${buf.length} bytes are too few for a record batch`);
  const batchLength = buf.readInt32BE(Offsets.batchLength);
  const magic = buf.readInt8(Offsets.magic);
  if (magic !== CURRENT_MAGIC) throw invalid(`record batches must use magic ${CURRENT_MAGIC}, not ${magic}`);
  if (batchLength < MIN_BATCH_LENGTH) throw corrupt(`batch length ${batchLength} is below the ${MIN_BATCH_LENGTH}-byte minimum`);
  const size = batchLength + LOG_OVERHEAD;
  if (size > buf.length) throw corrupt(`batch length ${batchLength} runs past the ${buf.length} bytes received`);

  const attributes = buf.readInt16BE(Offsets.attributes);
  const codec = compressionOf(attributes);
  if (codec === Compression.zstd && opts?.produceVersion !== undefined && opts.produceVersion < 7) {
    throw new KafkaError(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, `Produce v${opts.produceVersion} may not use zstd (needs v7+)`);
  }
  if (size < buf.length) {
    const rest = buf.length - size;
    const nextLength = rest >= LOG_OVERHEAD ? buf.readInt32BE(size + Offsets.batchLength) : -1;
    if (nextLength >= MIN_BATCH_LENGTH && nextLength + LOG_OVERHEAD <= rest) {
      throw invalid('a Produce request may carry only one record batch per partition');
    }
    throw corrupt(`${rest} bytes follow the record batch`);
  }

  if (fromClient && buf.readBigInt64BE(Offsets.baseOffset) !== 0n) {
    throw invalid(`a producer's batch must have base offset 0, not ${buf.readBigInt64BE(Offsets.baseOffset)}`);
  }
  if (opts?.maxBatchBytes !== undefined && size > opts.maxBatchBytes) {
    throw new KafkaError(ErrorCode.MESSAGE_TOO_LARGE, `record batch of ${size} bytes exceeds the ${opts.maxBatchBytes}-byte maximum`);
  }
  if (computeBatchCrc(buf) !== buf.readUInt32BE(Offsets.crc)) throw corrupt('record batch fails its CRC');
  if (codec > Compression.zstd) throw new KafkaError(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, `unknown compression codec ${codec}`);

  const header = readBatchHeader(buf);
  if (fromClient) {
    const { lastOffsetDelta, recordCount } = header;
    if (lastOffsetDelta < 0) throw invalid(`invalid offset range: lastOffsetDelta ${lastOffsetDelta}`);
    if (recordCount <= 0) throw invalid(`invalid record count ${recordCount}`);
    if (recordCount !== lastOffsetDelta + 1) {
      throw invalid(`lastOffsetDelta ${lastOffsetDelta} disagrees with the record count ${recordCount}`);
    }
    if (isControl(attributes)) throw invalid('clients may not write control batches');
    if (header.producerId >= 0n && header.baseSequence < 0) {
      throw invalid(`invalid sequence ${header.baseSequence} for producer id ${header.producerId}`);
    }
  }
  if (codec === Compression.none) walkRecords(buf, BATCH_HEADER_SIZE, size, header.recordCount, opts?.requireKeys ?? false);
  return header;
}

/**
 * The deep check of a compressed batch that `validateBatch` leaves out: decompresses off the event
 * loop and walks the records as for an uncompressed batch (INVALID_RECORD on a mismatch, on data
 * that does not decompress, or on a missing key when `requireKeys`; MESSAGE_TOO_LARGE past
 * `maxBytes`). Call it after `validateBatch`. A no-op for uncompressed batches, which
 * `validateBatch` already walked.
 */
export async function validateCompressedRecords(batch: Buffer, opts?: { requireKeys?: boolean; maxBytes?: number }): Promise<void> {
  const codec = compressionOf(batch.readInt16BE(Offsets.attributes));
  if (codec === Compression.none) return;
  const size = batch.readInt32BE(Offsets.batchLength) + LOG_OVERHEAD;
  let records: Buffer;
  try {
    records = await decompress(codec, batch.subarray(BATCH_HEADER_SIZE, size), { maxBytes: opts?.maxBytes });
  } catch (err) {
    if (err instanceof KafkaError && err.code === ErrorCode.CORRUPT_MESSAGE) throw invalid(err.message);
    throw err;
  }
  walkRecords(records, 0, records.length, batch.readInt32BE(Offsets.recordCount), opts?.requireKeys ?? false);
}

/**
 * Steps over `count` records in buf[start, end) checking only their framing; allocates one Reader
 * for the whole walk and nothing per record.
 */
function walkRecords(buf: Buffer, start: number, end: number, count: number, requireKeys: boolean): void {
  if (count < 0 || count * MIN_RECORD_SIZE > end - start) {
    throw invalid(`record count ${count} cannot fit in ${end - start} bytes of records`);
  }
  const r = new Reader(buf, start, end);
  try {
    for (let i = 0; i < count; i++) {
      const len = r.varint();
      if (len < MIN_RECORD_SIZE - 1) throw invalid(`record ${i} has invalid length ${len}`);
      const recordEnd = r.offset + len;
      if (recordEnd > end) throw invalid(`record ${i} of ${len} bytes runs past the batch end`);
      r.skip(1); // attributes
      r.varlong(); // timestampDelta
      const offsetDelta = r.varint();
      if (offsetDelta !== i) throw invalid(`record ${i} has offset delta ${offsetDelta}; deltas must run 0, 1, 2, …`);
      const keyLen = r.varint();
      if (keyLen < -1) throw invalid(`record ${i} has invalid key length ${keyLen}`);
      if (keyLen === -1 && requireKeys) throw invalid('a compacted topic cannot accept a record without a key');
      if (keyLen > 0) r.skip(keyLen);
      const valueLen = r.varint();
      if (valueLen < -1) throw invalid(`record ${i} has invalid value length ${valueLen}`);
      if (valueLen > 0) r.skip(valueLen);
      const headerCount = r.varint();
      if (headerCount < 0) throw invalid(`record ${i} has invalid header count ${headerCount}`);
      for (let h = 0; h < headerCount; h++) {
        const hk = r.varint();
        if (hk < 0) throw invalid(`record ${i} has a header with invalid key length ${hk}`);
        r.skip(hk);
        const hv = r.varint();
        if (hv < -1) throw invalid(`record ${i} has a header with invalid value length ${hv}`);
        if (hv > 0) r.skip(hv);
        if (r.offset > recordEnd) break; // caught just below
      }
      if (r.offset !== recordEnd) throw invalid(`record ${i} declares ${len} bytes but its fields take ${len + r.offset - recordEnd}`);
    }
  } catch (err) {
    if (err instanceof ProtocolDecodeError) throw invalid(`records end before the ${count} the batch declares (${err.message})`);
    throw err;
  }
  if (r.offset !== end) throw invalid(`${end - r.offset} bytes remain after the ${count} records the batch declares`);
}
