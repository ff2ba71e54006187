/**
 * ProducerStateManager: one partition's producer state — for each producer id that wrote to it, a
 * `ProducerStateEntry` — plus its open transactions, whose smallest first offset is the first
 * unstable offset (the last stable offset's bound). Kafka's class of that name, for one replica.
 *
 * An append goes through `analyze` (every batch with a producer id checked by a `ProducerAppendInfo`,
 * nothing changed; a duplicate found) and, once the batches are written, `apply` (entries replaced,
 * transactions opened and completed). Recovery replays the log through the same two steps with
 * origin `replication`, which checks nothing.
 *
 * The state is derived data, snapshotted to `<offset>.snapshot` in the partition directory (format in
 * docs/transactions.md): the state as of `offset` (exclusive). Snapshots are written at each segment
 * roll and at close; on open the log loads the latest valid one it can use and replays the rest.
 *
 * Left out, compared with Kafka: replication (a completed transaction is stable as soon as its marker
 * is written, so there are no "unreplicated" transactions), transaction verification (KIP-890), and
 * the late-transaction metric.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Attr, NO_SEQUENCE, Offsets } from '../../protocol/batch-header.js';
import { crc32c } from '../../protocol/crc32c.js';
import { ControlRecordType, readControlBatch } from '../../protocol/control-record.js';
import { fsyncDirSync, getInt64, readInt64, writeInt64 } from '../log/file-io.js';
import { type AppendOrigin, type CompletedTxn, ProducerAppendInfo, type TxnMetadata } from './producer-append-info.js';
import { type BatchMetadata, incrementSequence, NUM_BATCHES_TO_RETAIN, ProducerStateEntry } from './producer-state-entry.js';

export const PRODUCER_SNAPSHOT_FILE_SUFFIX = '.snapshot';
/** producer.id.expiration.ms default (one day). */
export const DEFAULT_PRODUCER_ID_EXPIRATION_MS = 86_400_000;

const SNAPSHOT_VERSION = 1;
const SNAPSHOT_HEADER_SIZE = 12; // version int16, crc uint32, flags int16, count int32
const SNAPSHOT_CRC_FROM = 6;
const ENTRY_FIXED_SIZE = 39; // id 8, epoch 2, coordinator epoch 4, txn first offset 8, last ts 8, write time 8, batch count 1
const BATCH_ENTRY_SIZE = 32; // first seq 4, last seq 4, first offset 8, last offset 8, max timestamp 8
const FLAG_PRODUCERS_EXPIRED = 1;
const LOG_OVERHEAD = 12;

/** `00000000000000368769.snapshot`. */
export function snapshotFileName(offset: number): string {
  return String(offset).padStart(20, '0') + PRODUCER_SNAPSHOT_FILE_SUFFIX;
}

/** The offset a snapshot file is named by, or undefined. */
export function parseSnapshotFileName(name: string): number | undefined {
  if (!name.endsWith(PRODUCER_SNAPSHOT_FILE_SUFFIX)) return undefined;
  const digits = name.slice(0, -PRODUCER_SNAPSHOT_FILE_SUFFIX.length);
  return /^\d{20}$/.test(digits) ? Number(digits) : undefined;
}

export class CorruptSnapshotError extends Error {
  override name = 'CorruptSnapshotError';
  readonly code = 'PRODUCER_SNAPSHOT_CORRUPT';
}

/** What a snapshot holds. */
export interface ProducerSnapshot {
  entries: ProducerStateEntry[];
  /** Producers were expired before the snapshot: state for some may be gone. */
  producersExpired: boolean;
}

/** The result of checking an append: per-producer updates, transactions it completes, or a duplicate. */
export interface ProducerStateAnalysis {
  infos: ProducerAppendInfo[];
  completedTxns: CompletedTxn[];
  /** The append repeats this earlier batch: answer with its offsets and write nothing. */
  duplicate?: BatchMetadata;
}

export interface ProducerStateManagerOptions {
  /** producer.id.expiration.ms */
  producerIdExpirationMs?: number;
  logger: { info(m: string): void; warn(m: string): void };
}

export class ProducerStateManager {
  private readonly producers = new Map<bigint, ProducerStateEntry>();
  /** Open transactions by first offset. */
  private readonly ongoingTxns = new Map<number, TxnMetadata>();
  /** Cache of the smallest key of `ongoingTxns`: undefined none, null not computed. */
  private firstUnstable: number | undefined | null = undefined;
  private snapshots: number[];
  private lastMapOffset = 0;
  private lastSnapOffset = -1;
  private producersExpired = false;
  readonly producerIdExpirationMs: number;
  private readonly logger: ProducerStateManagerOptions['logger'];

  /**
   * @param dir the partition directory, where snapshots live
   * @param partition `<topic>-<partition>`, for messages
   */
  constructor(
    readonly dir: string,
    readonly partition: string,
    opts: ProducerStateManagerOptions,
  ) {
    this.producerIdExpirationMs = opts.producerIdExpirationMs ?? DEFAULT_PRODUCER_ID_EXPIRATION_MS;
    this.logger = opts.logger;
    this.snapshots = listSnapshots(dir);
  }

  /** The offset up to which (exclusive) the state reflects the log. */
  get mapEndOffset(): number {
    return this.lastMapOffset;
  }

  /** Offsets of the snapshot files, ascending. */
  get snapshotOffsets(): readonly number[] {
    return this.snapshots;
  }

  /** Every producer this partition remembers. */
  get activeProducers(): ReadonlyMap<bigint, ProducerStateEntry> {
    return this.producers;
  }

  lastEntry(producerId: bigint): ProducerStateEntry | undefined {
    return this.producers.get(producerId);
  }

  /** First offset of the earliest open transaction, or undefined when none is open. */
  firstUnstableOffset(): number | undefined {
    if (this.firstUnstable === null) {
      let min: number | undefined;
      for (const offset of this.ongoingTxns.keys()) if (min === undefined || offset < min) min = offset;
      this.firstUnstable = min;
    }
    return this.firstUnstable;
  }

  /** Open transactions, by first offset. */
  get openTransactions(): TxnMetadata[] {
    return [...this.ongoingTxns.values()].sort((a, b) => a.firstOffset - b.firstOffset);
  }

  /**
   * Whether an unknown producer may be one this partition forgot (KIP-360): data was removed from the
   * head of the log (log start offset above 0), or idle producers have been expired.
   */
  stateMayBeLost(logStartOffset: number): boolean {
    return this.producersExpired || logStartOffset > 0;
  }

  /** A checker for `producerId`'s next batches, against its current entry. */
  prepareUpdate(producerId: bigint, origin: AppendOrigin, logStartOffset: number): ProducerAppendInfo {
    return new ProducerAppendInfo(producerId, this.producers.get(producerId), origin, {
      partition: this.partition,
      stateMayBeLost: this.stateMayBeLost(logStartOffset),
    });
  }

  /**
   * Checks every batch with a producer id in `batches` (complete v2 batches whose offsets are already
   * assigned), changing nothing. Throws the KafkaError of the first batch that fails; returns the
   * duplicate when a client's batch repeats one of the producer's last five.
   */
  analyze(batches: Buffer, origin: AppendOrigin, ctx: { now: number; logStartOffset: number }): ProducerStateAnalysis {
    const infos = new Map<bigint, ProducerAppendInfo>();
    const completedTxns: CompletedTxn[] = [];
    const view = new DataView(batches.buffer, batches.byteOffset, batches.byteLength);
    let pos = 0;
    while (pos + LOG_OVERHEAD <= batches.length) {
      const size = view.getInt32(pos + Offsets.batchLength) + LOG_OVERHEAD;
      if (view.getInt32(pos + Offsets.producerId) >= 0) {
        const producerId = batches.readBigInt64BE(pos + Offsets.producerId);
        let info = infos.get(producerId);
        if (info === undefined) {
          info = this.prepareUpdate(producerId, origin, ctx.logStartOffset);
          infos.set(producerId, info);
        }
        const attributes = view.getInt16(pos + Offsets.attributes);
        const producerEpoch = view.getInt16(pos + Offsets.producerEpoch);
        const baseOffset = getInt64(view, pos + Offsets.baseOffset);
        const lastOffsetDelta = view.getInt32(pos + Offsets.lastOffsetDelta);
        const maxTimestamp = getInt64(view, pos + Offsets.maxTimestamp);
        if ((attributes & Attr.control) !== 0) {
          // A control batch the cleaner emptied: its transaction is gone from the log, so it completes
          // nothing (Kafka's rule); the cleaner kept it as the producer's last batch, for its epoch.
          if (view.getInt32(pos + Offsets.recordCount) === 0) {
            info.appendEmptyControlBatch(producerEpoch, ctx.now);
            pos += size;
            continue;
          }
          const marker = readControlBatch(batches.subarray(pos, pos + size));
          if (marker.type === ControlRecordType.abort || marker.type === ControlRecordType.commit) {
            const completed = info.appendEndTxnMarker({
              producerEpoch,
              commit: marker.type === ControlRecordType.commit,
              coordinatorEpoch: marker.coordinatorEpoch ?? -1,
              offset: baseOffset,
              timestamp: maxTimestamp,
              writeTime: ctx.now,
            });
            if (completed !== undefined) completedTxns.push(completed);
          }
        } else {
          const firstSeq = view.getInt32(pos + Offsets.baseSequence);
          const lastSeq = firstSeq < 0 ? NO_SEQUENCE : incrementSequence(firstSeq, lastOffsetDelta);
          const duplicate = info.duplicateOf(producerEpoch, firstSeq, lastSeq);
          if (duplicate !== undefined) return { infos: [], completedTxns: [], duplicate };
          info.appendDataBatch({
            producerEpoch,
            firstSeq,
            lastSeq,
            firstOffset: baseOffset,
            lastOffset: baseOffset + lastOffsetDelta,
            maxTimestamp,
            isTransactional: (attributes & Attr.transactional) !== 0,
            writeTime: ctx.now,
          });
        }
      }
      pos += size;
    }
    return { infos: [...infos.values()], completedTxns };
  }

  /**
   * Makes an analysed append part of the state once its batches are written: `endOffset` is the log
   * end offset after it. For each completed transaction, `onCompleted` is told the last stable offset
   * as of its marker (what the transaction index records) before the transaction is closed.
   */
  apply(analysis: ProducerStateAnalysis, endOffset: number, onCompleted?: (txn: CompletedTxn, lastStableOffset: number) => void): void {
    for (const info of analysis.infos) this.update(info);
    for (const txn of analysis.completedTxns) {
      onCompleted?.(txn, this.lastStableOffset(txn));
      this.completeTxn(txn);
    }
    this.updateMapEndOffset(endOffset);
  }

  /** Replaces the producer's entry with the one `info` built, and records the transactions it opened. */
  update(info: ProducerAppendInfo): void {
    this.producers.set(info.producerId, info.toEntry());
    for (const txn of info.startedTransactions) {
      this.ongoingTxns.set(txn.firstOffset, txn);
      this.firstUnstable = null;
    }
  }

  /**
   * The last stable offset right after `txn`'s marker: the first offset of another producer's open
   * transaction, or the offset after the marker.
   */
  lastStableOffset(txn: CompletedTxn): number {
    let min: number | undefined;
    for (const t of this.ongoingTxns.values()) {
      if (t.producerId !== txn.producerId && (min === undefined || t.firstOffset < min)) min = t.firstOffset;
    }
    return min ?? txn.lastOffset + 1;
  }

  completeTxn(txn: CompletedTxn): void {
    this.ongoingTxns.delete(txn.firstOffset);
    this.firstUnstable = null;
  }

  updateMapEndOffset(offset: number): void {
    this.lastMapOffset = offset;
  }

  /**
   * A marker that would change nothing: the producer's transaction here is already complete and the
   * marker carries the epochs already recorded (a coordinator retrying after a lost answer, or
   * completing a transaction again on recovery).
   */
  isRedundantMarker(producerId: bigint, producerEpoch: number, coordinatorEpoch: number): boolean {
    const entry = this.producers.get(producerId);
    return entry !== undefined && !entry.hasOpenTransaction && entry.producerEpoch === producerEpoch && entry.coordinatorEpoch === coordinatorEpoch;
  }

  /** Drops producers without an open transaction that last wrote `producer.id.expiration.ms` or more ago. */
  removeExpiredProducers(now: number): number {
    let removed = 0;
    for (const [id, entry] of this.producers) {
      if (this.isExpired(entry, now)) {
        this.producers.delete(id);
        removed++;
      }
    }
    if (removed > 0) this.producersExpired = true;
    return removed;
  }

  private isExpired(entry: ProducerStateEntry, now: number): boolean {
    return !entry.hasOpenTransaction && now - entry.lastWriteTime >= this.producerIdExpirationMs;
  }

  // ---- snapshots ---------------------------------------------------------------------------------

  /**
   * Writes the state to `<mapEndOffset>.snapshot` unless a snapshot at that offset exists. Written as
   * a temporary file renamed into place; `sync` also fsyncs it (at close), otherwise a crash may lose
   * it, which only means a longer replay.
   */
  takeSnapshot(sync = false): void {
    const offset = this.lastMapOffset;
    if (offset === this.lastSnapOffset && this.snapshots.includes(offset)) return;
    const file = path.join(this.dir, snapshotFileName(offset));
    const tmp = `${file}.tmp`;
    const bytes = encodeSnapshot({ entries: [...this.producers.values()], producersExpired: this.producersExpired });
    const fd = fs.openSync(tmp, 'w', 0o644);
    try {
      fs.writeSync(fd, bytes);
      if (sync) fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
    if (sync) fsyncDirSync(this.dir);
    if (!this.snapshots.includes(offset)) {
      this.snapshots.push(offset);
      this.snapshots.sort((a, b) => a - b);
    }
    this.lastSnapOffset = offset;
  }

  /**
   * Forgets the whole state and loads the latest snapshot whose offset is in [minOffset, maxOffset],
   * dropping the producers that have expired by `now`. A snapshot that fails its checks is deleted
   * and the next older one tried. Returns the offset of the snapshot loaded — the caller replays the
   * log from there — or undefined when none was usable (the state is then empty).
   */
  loadSnapshot(opts: { minOffset: number; maxOffset: number; now: number }): number | undefined {
    this.clear();
    for (let i = this.snapshots.length - 1; i >= 0; i--) {
      const offset = this.snapshots[i];
      if (offset > opts.maxOffset) continue;
      if (offset < opts.minOffset) break;
      const file = path.join(this.dir, snapshotFileName(offset));
      let snapshot: ProducerSnapshot;
      try {
        snapshot = decodeSnapshot(fs.readFileSync(file));
      } catch (err) {
        this.logger.warn(`${this.dir}: ignoring producer snapshot ${path.basename(file)}: ${(err as Error).message}`);
        this.removeSnapshot(offset);
        continue;
      }
      this.producersExpired = snapshot.producersExpired;
      for (const entry of snapshot.entries) {
        if (this.isExpired(entry, opts.now)) {
          this.producersExpired = true;
          continue;
        }
        this.loadProducerEntry(entry);
      }
      this.lastMapOffset = offset;
      this.lastSnapOffset = offset;
      return offset;
    }
    this.lastMapOffset = opts.minOffset;
    return undefined;
  }

  /** Adds an entry as it stands (from a snapshot), with its open transaction. */
  loadProducerEntry(entry: ProducerStateEntry): void {
    this.producers.set(entry.producerId, entry);
    if (entry.hasOpenTransaction) {
      this.ongoingTxns.set(entry.currentTxnFirstOffset, { producerId: entry.producerId, firstOffset: entry.currentTxnFirstOffset });
      this.firstUnstable = null;
    }
  }

  /**
   * After the log was truncated to `logEndOffset`: snapshots above it are deleted and, unless the
   * state already ends there, it is reloaded from the latest snapshot in [minOffset, logEndOffset].
   * Returns the offset from which the caller must replay the log, or undefined if nothing changed.
   */
  truncateAndReload(minOffset: number, logEndOffset: number, now: number): number | undefined {
    for (const offset of [...this.snapshots]) if (offset > logEndOffset) this.removeSnapshot(offset);
    if (logEndOffset === this.lastMapOffset) return undefined;
    return this.loadSnapshot({ minOffset, maxOffset: logEndOffset, now }) ?? minOffset;
  }

  /** Forgets everything, snapshots included; the state now ends at `offset`. */
  truncateFullyAndStartAt(offset: number): void {
    this.clear();
    for (const o of [...this.snapshots]) this.removeSnapshot(o);
    this.lastMapOffset = offset;
    this.producersExpired = false;
  }

  /** Deletes snapshots below `offset` (their segments are gone). */
  deleteSnapshotsBefore(offset: number): void {
    for (const o of [...this.snapshots]) if (o < offset) this.removeSnapshot(o);
  }

  /** Deletes snapshots above `offset` (the log no longer reaches them). */
  deleteSnapshotsAfter(offset: number): void {
    for (const o of [...this.snapshots]) if (o > offset) this.removeSnapshot(o);
  }

  private removeSnapshot(offset: number): void {
    fs.rmSync(path.join(this.dir, snapshotFileName(offset)), { force: true });
    this.snapshots = this.snapshots.filter((o) => o !== offset);
    if (this.lastSnapOffset === offset) this.lastSnapOffset = -1;
  }

  private clear(): void {
    this.producers.clear();
    this.ongoingTxns.clear();
    this.firstUnstable = undefined;
    this.producersExpired = false;
    this.lastSnapOffset = -1;
  }
}

function listSnapshots(dir: string): number[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const offsets: number[] = [];
  for (const n of names) {
    const o = parseSnapshotFileName(n);
    if (o !== undefined) offsets.push(o);
  }
  return offsets.sort((a, b) => a - b);
}

/** The snapshot file's bytes (format in docs/transactions.md). */
export function encodeSnapshot(snapshot: ProducerSnapshot): Buffer {
  let size = SNAPSHOT_HEADER_SIZE;
  for (const e of snapshot.entries) size += ENTRY_FIXED_SIZE + e.batches.length * BATCH_ENTRY_SIZE;
  const buf = Buffer.alloc(size);
  buf.writeInt16BE(SNAPSHOT_VERSION, 0);
  buf.writeInt16BE(snapshot.producersExpired ? FLAG_PRODUCERS_EXPIRED : 0, 6);
  buf.writeInt32BE(snapshot.entries.length, 8);
  let at = SNAPSHOT_HEADER_SIZE;
  for (const e of snapshot.entries) {
    buf.writeBigInt64BE(e.producerId, at);
    buf.writeInt16BE(e.producerEpoch, at + 8);
    buf.writeInt32BE(e.coordinatorEpoch, at + 10);
    writeInt64(buf, e.currentTxnFirstOffset, at + 14);
    writeInt64(buf, e.lastTimestamp, at + 22);
    writeInt64(buf, e.lastWriteTime, at + 30);
    buf.writeInt8(e.batches.length, at + 38);
    at += ENTRY_FIXED_SIZE;
    for (const b of e.batches) {
      buf.writeInt32BE(b.firstSeq, at);
      buf.writeInt32BE(b.lastSeq, at + 4);
      writeInt64(buf, b.firstOffset, at + 8);
      writeInt64(buf, b.lastOffset, at + 16);
      writeInt64(buf, b.maxTimestamp, at + 24);
      at += BATCH_ENTRY_SIZE;
    }
  }
  buf.writeUInt32BE(crc32c(buf.subarray(SNAPSHOT_CRC_FROM)), 2);
  return buf;
}

/** Reads a snapshot; CorruptSnapshotError when its version, CRC or layout is wrong. */
export function decodeSnapshot(buf: Buffer): ProducerSnapshot {
  if (buf.length < SNAPSHOT_HEADER_SIZE) throw new CorruptSnapshotError(`${buf.length} bytes are too few for a snapshot`);
  const version = buf.readInt16BE(0);
  if (version !== SNAPSHOT_VERSION) throw new CorruptSnapshotError(`unknown snapshot version ${version}`);
  const stored = buf.readUInt32BE(2);
  const computed = crc32c(buf.subarray(SNAPSHOT_CRC_FROM));
  if (stored !== computed) throw new CorruptSnapshotError(`CRC mismatch (stored ${stored}, computed ${computed})`);
  const flags = buf.readInt16BE(6);
  const count = buf.readInt32BE(8);
  const entries: ProducerStateEntry[] = [];
  let at = SNAPSHOT_HEADER_SIZE;
  for (let i = 0; i < count; i++) {
    if (at + ENTRY_FIXED_SIZE > buf.length) throw new CorruptSnapshotError(`entry ${i} runs past the end`);
    const batchCount = buf.readInt8(at + 38);
    if (batchCount < 0 || batchCount > NUM_BATCHES_TO_RETAIN) throw new CorruptSnapshotError(`entry ${i} claims ${batchCount} batches`);
    const batches: BatchMetadata[] = [];
    let b = at + ENTRY_FIXED_SIZE;
    if (b + batchCount * BATCH_ENTRY_SIZE > buf.length) throw new CorruptSnapshotError(`entry ${i} runs past the end`);
    for (let j = 0; j < batchCount; j++, b += BATCH_ENTRY_SIZE) {
      batches.push({
        firstSeq: buf.readInt32BE(b),
        lastSeq: buf.readInt32BE(b + 4),
        firstOffset: readInt64(buf, b + 8),
        lastOffset: readInt64(buf, b + 16),
        maxTimestamp: readInt64(buf, b + 24),
      });
    }
    entries.push(
      new ProducerStateEntry(
        buf.readBigInt64BE(at),
        buf.readInt16BE(at + 8),
        batches,
        buf.readInt32BE(at + 10),
        readInt64(buf, at + 14),
        readInt64(buf, at + 22),
        readInt64(buf, at + 30),
      ),
    );
    at = b;
  }
  if (at !== buf.length) throw new CorruptSnapshotError(`${buf.length - at} bytes follow the last entry`);
  return { entries, producersExpired: (flags & FLAG_PRODUCERS_EXPIRED) !== 0 };
}
