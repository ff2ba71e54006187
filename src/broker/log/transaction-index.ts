/**
 * TransactionIndex: the `.txnindex` of one segment — the aborted transactions whose ABORT marker is
 * in that segment, which a `read_committed` Fetch hands to the client so it drops their records.
 *
 * File format: entries of 34 bytes, big-endian, in marker order — Kafka's `AbortedTxn`:
 *
 *   version           int16  0
 *   producerId        int64
 *   firstOffset       int64  the transaction's first offset in this partition
 *   lastOffset        int64  the ABORT marker's offset
 *   lastStableOffset  int64  the partition's last stable offset right after the marker
 *
 * As in Kafka, the file is created with its first entry: a segment without aborted transactions has
 * none. The entries are kept in memory (aborts are rare); each append is one positional write.
 * The index is derived data: it is rebuilt whenever its segment is recovered, and when it cannot be
 * read.
 */
import fs from 'node:fs';
import { CorruptIndexError } from './corrupt-index-error.js';
import { fsyncAsync, readInt64, writeFully, writeInt64 } from './file-io.js';

export const TXN_INDEX_FILE_SUFFIX = '.txnindex';
export const ABORTED_TXN_SIZE = 34;
const VERSION = 0;

export interface AbortedTxn {
  producerId: bigint;
  firstOffset: number;
  lastOffset: number;
  lastStableOffset: number;
}

export interface TxnIndexSearchResult {
  abortedTransactions: AbortedTxn[];
  /** An entry showed that nothing later can overlap the range: later segments need not be searched. */
  isComplete: boolean;
}

export class TransactionIndex {
  private entries: AbortedTxn[] = [];
  private fd: number | undefined;
  private closed = false;

  constructor(
    readonly file: string,
    readonly baseOffset: number,
  ) {}

  /** Reads the file if it exists. Throws `CorruptIndexError` if its size, versions or order are wrong. */
  load(): void {
    let buf: Buffer;
    try {
      buf = fs.readFileSync(this.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        this.entries = [];
        return;
      }
      throw err;
    }
    if (buf.length % ABORTED_TXN_SIZE !== 0) {
      throw new CorruptIndexError(`${this.file}: size ${buf.length} is not a multiple of ${ABORTED_TXN_SIZE}`);
    }
    const entries: AbortedTxn[] = [];
    for (let at = 0; at < buf.length; at += ABORTED_TXN_SIZE) {
      const version = buf.readInt16BE(at);
      if (version !== VERSION) throw new CorruptIndexError(`${this.file}: entry ${at / ABORTED_TXN_SIZE} has version ${version}`);
      const txn = decode(buf, at);
      const prev = entries[entries.length - 1];
      if (txn.lastOffset < this.baseOffset || txn.firstOffset > txn.lastOffset || (prev !== undefined && txn.lastOffset <= prev.lastOffset)) {
        throw new CorruptIndexError(`${this.file}: entry ${at / ABORTED_TXN_SIZE} (${txn.firstOffset}..${txn.lastOffset}) is out of order`);
      }
      entries.push(txn);
    }
    this.entries = entries;
  }

  /** Every entry, in marker order. */
  get allAbortedTxns(): readonly AbortedTxn[] {
    return this.entries;
  }

  get isEmpty(): boolean {
    return this.entries.length === 0;
  }

  /** Adds an entry; its marker must come after the last one's. Creates the file on the first entry. */
  append(txn: AbortedTxn): void {
    const last = this.entries[this.entries.length - 1];
    if (last !== undefined && txn.lastOffset <= last.lastOffset) {
      throw new Error(`${this.file}: aborted transaction ending at ${txn.lastOffset} does not follow the one ending at ${last.lastOffset}`);
    }
    const buf = Buffer.allocUnsafe(ABORTED_TXN_SIZE);
    buf.writeInt16BE(VERSION, 0);
    buf.writeBigInt64BE(txn.producerId, 2);
    writeInt64(buf, txn.firstOffset, 10);
    writeInt64(buf, txn.lastOffset, 18);
    writeInt64(buf, txn.lastStableOffset, 26);
    writeFully(this.openFile(), buf, this.entries.length * ABORTED_TXN_SIZE);
    this.entries.push(txn);
  }

  /**
   * The aborted transactions that overlap [fetchOffset, upperBoundOffset): marker at or after
   * `fetchOffset`, first offset before `upperBoundOffset`. Complete once an entry's last stable
   * offset reaches `upperBoundOffset`: every transaction still open then starts at or after it.
   */
  collectAbortedTxns(fetchOffset: number, upperBoundOffset: number): TxnIndexSearchResult {
    const abortedTransactions: AbortedTxn[] = [];
    for (const txn of this.entries) {
      if (txn.lastOffset >= fetchOffset && txn.firstOffset < upperBoundOffset) abortedTransactions.push(txn);
      if (txn.lastStableOffset >= upperBoundOffset) return { abortedTransactions, isComplete: true };
    }
    return { abortedTransactions, isComplete: false };
  }

  /** Removes the entries whose marker is at or after `offset`. */
  truncateTo(offset: number): void {
    const keep = this.entries.findIndex((t) => t.lastOffset >= offset);
    if (keep < 0) return;
    this.entries.length = keep;
    if (keep === 0) {
      this.removeFile();
      return;
    }
    fs.ftruncateSync(this.openFile(), keep * ABORTED_TXN_SIZE);
  }

  /** Empties the index (before a rebuild): the file is removed. */
  reset(): void {
    this.entries = [];
    this.removeFile();
  }

  async flush(): Promise<void> {
    if (this.fd !== undefined && !this.closed) await fsyncAsync(this.fd);
  }

  close(): void {
    this.closed = true;
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }

  /** Closes and removes the file. */
  delete(): void {
    this.close();
    fs.rmSync(this.file, { force: true });
  }

  private openFile(): number {
    if (this.closed) throw new Error(`${this.file} is closed`);
    if (this.fd === undefined) this.fd = fs.openSync(this.file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
    return this.fd;
  }

  private removeFile(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
    fs.rmSync(this.file, { force: true });
  }
}

function decode(buf: Buffer, at: number): AbortedTxn {
  return {
    producerId: buf.readBigInt64BE(at + 2),
    firstOffset: readInt64(buf, at + 10),
    lastOffset: readInt64(buf, at + 18),
    lastStableOffset: readInt64(buf, at + 26),
  };
}

/** Reads a `.txnindex` file's entries (for tools): the same checks as `load`. */
export function readTransactionIndexFile(file: string, baseOffset: number): AbortedTxn[] {
  const index = new TransactionIndex(file, baseOffset);
  index.load();
  return [...index.allAbortedTxns];
}
