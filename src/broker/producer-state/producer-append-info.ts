/**
 * ProducerAppendInfo: checks the batches one producer id is appending against what the partition
 * knows of it, on a copy — the partition's state changes only when the whole append passes and is
 * written (`ProducerStateManager.update`). Kafka's class of that name; the rules are the table in
 * docs/transactions.md:
 *
 * - an epoch below the known one → INVALID_PRODUCER_EPOCH (the producer was fenced);
 * - a new epoch must start at sequence 0 → else OUT_OF_ORDER_SEQUENCE_NUMBER;
 * - an unknown producer must start at sequence 0 → else UNKNOWN_PRODUCER_ID when this partition may
 *   have forgotten it (KIP-360: its state can be lost to retention, DeleteRecords or expiry), or
 *   OUT_OF_ORDER_SEQUENCE_NUMBER when it cannot have (the producer's earlier batch never arrived);
 * - same epoch: the first sequence must follow the last one (wrapping after Int32 max) → else
 *   OUT_OF_ORDER_SEQUENCE_NUMBER;
 * - a non-transactional batch while the producer's transaction is open → INVALID_TXN_STATE;
 * - a transactional batch opens a transaction if none is open;
 * - a marker (control batch) below the known coordinator epoch → TRANSACTION_COORDINATOR_FENCED;
 *   otherwise it closes the open transaction, which becomes a `CompletedTxn`.
 *
 * Duplicates (a retried batch) are found by `duplicateOf` before any of this, as Kafka does.
 *
 * Left out, compared with Kafka: transaction verification (KIP-890) and transaction version 2
 * markers; markers follow the version-1 rule (epoch ≥ the producer's).
 */
import { NO_PRODUCER_EPOCH, NO_SEQUENCE } from '../../protocol/batch-header.js';
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import { type BatchMetadata, inSequence, ProducerStateEntry } from './producer-state-entry.js';

/**
 * Who is appending: `client` (Produce: epoch and sequence checks, duplicates), `coordinator`
 * (markers and offset commits written by the broker itself: epoch checks only), `replication`
 * (replaying the broker's own log on recovery: no checks).
 */
export type AppendOrigin = 'client' | 'coordinator' | 'replication';

/** A transaction that began in this partition. */
export interface TxnMetadata {
  producerId: bigint;
  firstOffset: number;
}

/** A transaction whose marker was appended. */
export interface CompletedTxn {
  producerId: bigint;
  firstOffset: number;
  /** Offset of the marker. */
  lastOffset: number;
  isAborted: boolean;
}

export interface DataBatchInfo {
  producerEpoch: number;
  firstSeq: number;
  lastSeq: number;
  firstOffset: number;
  lastOffset: number;
  maxTimestamp: number;
  isTransactional: boolean;
  /** Broker clock time of the append. */
  writeTime: number;
}

export interface EndTxnMarkerInfo {
  producerEpoch: number;
  commit: boolean;
  coordinatorEpoch: number;
  /** Offset of the marker. */
  offset: number;
  timestamp: number;
  writeTime: number;
}

export interface ProducerAppendInfoOptions {
  /** `<topic>-<partition>`, for messages. */
  partition: string;
  /** The partition may have forgotten producers (see `ProducerStateManager.stateMayBeLost`). */
  stateMayBeLost: boolean;
}

export class ProducerAppendInfo {
  private readonly updated: ProducerStateEntry;
  private readonly started: TxnMetadata[] = [];

  constructor(
    readonly producerId: bigint,
    /** The partition's entry for this producer, or undefined if it has none. Never modified here. */
    private readonly current: ProducerStateEntry | undefined,
    readonly origin: AppendOrigin,
    private readonly opts: ProducerAppendInfoOptions,
  ) {
    this.updated = current?.clone() ?? ProducerStateEntry.empty(producerId);
  }

  /**
   * The earlier batch this one repeats — same epoch, same first and last sequence as one of the last
   * five — or undefined. Only a client's batches are looked up.
   */
  duplicateOf(producerEpoch: number, firstSeq: number, lastSeq: number): BatchMetadata | undefined {
    if (this.origin !== 'client' || this.current === undefined) return undefined;
    return this.current.findDuplicateBatch(producerEpoch, firstSeq, lastSeq);
  }

  /** Checks a data batch and records it; throws a KafkaError if it may not be appended. */
  appendDataBatch(b: DataBatchInfo): void {
    if (this.origin !== 'replication') {
      this.checkProducerEpoch(b.producerEpoch, b.firstOffset);
      if (this.origin === 'client') this.checkSequence(b.producerEpoch, b.firstSeq, b.firstOffset);
    }
    const entry = this.updated;
    entry.addBatch(b.producerEpoch, {
      firstSeq: b.firstSeq,
      lastSeq: b.lastSeq,
      firstOffset: b.firstOffset,
      lastOffset: b.lastOffset,
      maxTimestamp: b.maxTimestamp,
    });
    entry.lastWriteTime = b.writeTime;
    if (entry.currentTxnFirstOffset >= 0 && !b.isTransactional) {
      if (this.origin === 'replication') return;
      throw new KafkaError(
        ErrorCode.INVALID_TXN_STATE,
        `producer ${this.producerId} wrote a non-transactional batch at offset ${b.firstOffset} in ${this.opts.partition} ` +
          `while its transaction from offset ${entry.currentTxnFirstOffset} is open`,
      );
    }
    if (entry.currentTxnFirstOffset < 0 && b.isTransactional) {
      entry.currentTxnFirstOffset = b.firstOffset;
      this.started.push({ producerId: this.producerId, firstOffset: b.firstOffset });
    }
  }

  /**
   * A control batch the log cleaner left without records (its transaction's data and marker are gone,
   * but it was the producer's last batch): only its epoch counts. Never written by a client or the
   * coordinator, so it is not checked.
   */
  appendEmptyControlBatch(producerEpoch: number, writeTime: number): void {
    const entry = this.updated;
    if (producerEpoch > entry.producerEpoch) entry.maybeUpdateProducerEpoch(producerEpoch);
    entry.lastWriteTime = writeTime;
  }

  /**
   * Checks a COMMIT/ABORT marker and records it. Returns the transaction it completes, or undefined
   * when the producer had no open transaction here (a marker for a partition it never wrote to, or a
   * repeated one).
   */
  appendEndTxnMarker(m: EndTxnMarkerInfo): CompletedTxn | undefined {
    const entry = this.updated;
    if (this.origin !== 'replication') {
      this.checkProducerEpoch(m.producerEpoch, m.offset);
      if (entry.coordinatorEpoch > m.coordinatorEpoch) {
        throw new KafkaError(
          ErrorCode.TRANSACTION_COORDINATOR_FENCED,
          `marker for producer ${this.producerId} at offset ${m.offset} in ${this.opts.partition} comes from coordinator epoch ` +
            `${m.coordinatorEpoch}, older than ${entry.coordinatorEpoch}`,
        );
      }
    }
    const completed: CompletedTxn | undefined =
      entry.currentTxnFirstOffset >= 0
        ? { producerId: this.producerId, firstOffset: entry.currentTxnFirstOffset, lastOffset: m.offset, isAborted: !m.commit }
        : undefined;
    entry.maybeUpdateProducerEpoch(m.producerEpoch);
    entry.coordinatorEpoch = m.coordinatorEpoch;
    entry.currentTxnFirstOffset = -1;
    entry.lastTimestamp = m.timestamp;
    entry.lastWriteTime = m.writeTime;
    return completed;
  }

  /** The producer's state after this append. */
  toEntry(): ProducerStateEntry {
    return this.updated;
  }

  /** Transactions this append opened. */
  get startedTransactions(): readonly TxnMetadata[] {
    return this.started;
  }

  private checkProducerEpoch(epoch: number, offset: number): void {
    const known = this.updated.producerEpoch;
    if (epoch < known) {
      throw new KafkaError(
        ErrorCode.INVALID_PRODUCER_EPOCH,
        `producer ${this.producerId} at offset ${offset} in ${this.opts.partition} has epoch ${epoch}, older than the last seen epoch ${known}`,
      );
    }
  }

  private checkSequence(epoch: number, firstSeq: number, offset: number): void {
    const entry = this.updated;
    if (epoch !== entry.producerEpoch) {
      if (firstSeq === 0) return;
      if (entry.producerEpoch !== NO_PRODUCER_EPOCH) {
        throw new KafkaError(
          ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
          `producer ${this.producerId} at offset ${offset} in ${this.opts.partition} starts epoch ${epoch} with sequence ${firstSeq}, not 0 ` +
            `(current epoch ${entry.producerEpoch})`,
        );
      }
      if (this.opts.stateMayBeLost) {
        throw new KafkaError(
          ErrorCode.UNKNOWN_PRODUCER_ID,
          `${this.opts.partition} has no state for producer ${this.producerId} (sequence ${firstSeq} at offset ${offset}); ` +
            'it may have been removed by retention, DeleteRecords or producer.id.expiration.ms',
        );
      }
      throw new KafkaError(
        ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
        `producer ${this.producerId} is new to ${this.opts.partition} but starts at sequence ${firstSeq}, not 0`,
      );
    }
    // Same epoch. An entry of a known epoch without batches (its epoch came from a marker) expects 0.
    const lastSeq = entry.isEmpty ? NO_SEQUENCE : entry.lastSeq;
    if (!inSequence(lastSeq, firstSeq)) {
      throw new KafkaError(
        ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
        `out of order sequence for producer ${this.producerId} at offset ${offset} in ${this.opts.partition}: ` +
          `${firstSeq} (incoming), ${lastSeq} (last appended)`,
      );
    }
  }
}
