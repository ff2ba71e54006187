/**
 * The hook through which compaction asks the transaction layer about batches (docs/log-format.md,
 * "Compaction" → "Transactions"). Kafka's cleaner consults its `CleanedTransactionMetadata` and the
 * producer state at the same points: which offsets are stable, whether a batch's records are
 * aborted, when a transaction marker may go, and which emptied batch must stay for a producer's
 * sequence numbers.
 *
 * `transactionAwareHooks` (the LogCleaner's default) is Kafka's behaviour: records of aborted
 * transactions are discarded and never enter the offset map, and a marker is kept while any batch of
 * its transaction is left, then stamped with a delete horizon and removed by a round after it
 * (`CleanedTransactionMetadata`). `nonTransactionalHooks` is compaction without the transaction
 * layer: control batches are kept as they are and every other batch is compacted record by record
 * (tests, and what a log without transactions gets either way).
 */
import { type BatchHeader, isControl, lastOffsetOf } from '../../protocol/batch-header.js';
import { CleanedTransactionMetadata } from './cleaned-transaction-metadata.js';
import type { PartitionLog } from './partition-log.js';

/**
 * What the cleaner does with one batch:
 *  - `compact`: ordinary data; each record is kept or dropped by the offset map and the tombstone rule.
 *  - `retain`: the batch is kept whole and its records do not enter the offset map (control batches).
 *  - `discard`: the batch's records go and do not enter the offset map (aborted data, markers past
 *    their delete horizon); the batch goes too unless `retainEmpty`, which keeps its header.
 */
export type BatchAction = 'compact' | 'retain' | 'discard';

export interface BatchDecision {
  action: BatchAction;
  /**
   * When every record is removed (`compact`) or the records are discarded (`discard`), keep the batch
   * as a header-only batch (recordCount 0) with its offsets, producer id, epoch and base sequence —
   * Kafka's RETAIN_EMPTY, for a producer's last batch, whose sequence and epoch the broker needs to
   * detect duplicates, gaps and fencing.
   */
  retainEmpty: boolean;
  /**
   * For a control batch: no data of its transaction is left in the log (Kafka's
   * `containsMarkerForEmptyTxn`). A `retain`ed marker is stamped with a delete horizon (now +
   * delete.retention.ms, KIP-534) if it has none, so that a round after the horizon can discard it;
   * an ABORT marker's `.txnindex` entry is not carried into the cleaned segment (there is nothing
   * left for a `read_committed` reader to skip).
   */
  setDeleteHorizon?: boolean;
}

/** One walk of the cleaner over a log, in offset order. */
export interface CleaningPass {
  log: PartitionLog;
  /** `map`: building the offset map over the dirty section; `clean`: rewriting segments from the start. */
  phase: 'map' | 'clean';
  /** The round's time: delete horizons are judged and stamped against it. */
  now: number;
  /** First offset the walk covers. */
  fromOffset: number;
  /** The walk asks about no batch at or after this offset (the map's upper bound, or the round's end offset). */
  toOffset: number;
  /**
   * In the `clean` phase: for each producer id, the last offset of its last batch below the round's
   * end offset. Empty in the `map` phase.
   */
  lastBatchOfProducer: ReadonlyMap<bigint, number>;
}

/** Asked once per batch, in offset order, before any of its records are looked at. */
export interface TransactionAwareFilter {
  /** `batch` is the whole batch (`header` read from it), for what the header does not say: a marker's type. */
  checkBatch(header: BatchHeader, batch: Buffer): BatchDecision;
}

export interface CleanerTransactionHooks {
  /**
   * Offsets at and above this are never cleaned: Kafka's last stable offset, the first offset of the
   * oldest open transaction (the log end offset when none is open).
   */
  lastStableOffset(log: PartitionLog): number;
  /**
   * A fresh filter for one walk (`pass`). The cleaner writes a cleaned segment's `.txnindex` itself:
   * the aborted transactions whose ABORT marker it keeps, unless the filter said `setDeleteHorizon`
   * for that marker.
   */
  newFilter(pass: CleaningPass): TransactionAwareFilter;
}

/**
 * Kafka's transaction-aware compaction: aborted transactions are collected from the `.txnindex` of
 * the walked range and followed batch by batch (`CleanedTransactionMetadata`).
 */
export const transactionAwareHooks: CleanerTransactionHooks = {
  lastStableOffset: (log) => log.lastStableOffset,
  newFilter: (pass) =>
    new CleanedTransactionMetadata(
      pass.fromOffset < pass.toOffset ? pass.log.collectAbortedTransactions(pass.fromOffset, pass.toOffset) : [],
      pass.lastBatchOfProducer,
      pass.now,
    ),
};

/** Compaction without the transaction layer: control batches stay as they are, everything else is compacted. */
export const nonTransactionalHooks: CleanerTransactionHooks = {
  lastStableOffset: (log) => log.lastStableOffset,
  newFilter: (pass) => ({
    checkBatch(header: BatchHeader): BatchDecision {
      if (isControl(header.attributes)) return { action: 'retain', retainEmpty: true };
      const last = pass.lastBatchOfProducer.get(header.producerId);
      const retainEmpty = header.producerId >= 0n && last !== undefined && last === Number(lastOffsetOf(header));
      return { action: 'compact', retainEmpty };
    },
  }),
};
