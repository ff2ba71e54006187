/**
 * The hook through which compaction asks the transaction layer about batches (docs/log-format.md,
 * "Compaction" → "Transactions: the hook"). Kafka's cleaner consults its `CleanedTransactionMetadata`
 * and the producer state at the same points: which offsets are stable, whether a batch's records are
 * aborted, when a transaction marker may go, and which emptied batch must stay for a producer's
 * sequence numbers.
 *
 * Until producer state and markers exist (docs/transactions.md), `nonTransactionalHooks` applies:
 * control batches are kept as they are, every other batch is compacted record by record, and a batch
 * left empty is kept header-only when it is its producer id's last batch in the round.
 */
import { type BatchHeader, isControl, lastOffsetOf } from '../../protocol/batch-header.js';
import type { PartitionLog } from './partition-log.js';

/**
 * What the cleaner does with one batch:
 *  - `compact`: ordinary data; each record is kept or dropped by the offset map and the tombstone rule.
 *  - `retain`: the batch is kept whole and its records do not enter the offset map (control batches).
 *  - `discard`: the batch goes whole and its records do not enter the offset map (for the transaction
 *    layer: aborted data, markers past their delete horizon).
 */
export type BatchAction = 'compact' | 'retain' | 'discard';

export interface BatchDecision {
  action: BatchAction;
  /**
   * For `compact`: when every record is removed, keep the batch as a header-only batch (recordCount 0)
   * with its offsets, producer id, epoch and base sequence — Kafka's RETAIN_EMPTY, for a producer's
   * last batch, whose sequence the broker needs to detect duplicates and gaps.
   */
  retainEmpty: boolean;
  /**
   * For `retain`: stamp a delete horizon (now + delete.retention.ms, KIP-534) on the batch if it has
   * none, so that a later round can discard it. Kafka does this for a transaction marker once no data
   * of its transaction is left.
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
  /** The walk stops before this offset. */
  toOffset: number;
  /**
   * In the `clean` phase: for each producer id, the last offset of its last batch below the round's
   * end offset. Empty in the `map` phase.
   */
  lastBatchOfProducer: ReadonlyMap<bigint, number>;
}

/** Asked once per batch, in offset order, before any of its records are looked at. */
export interface TransactionAwareFilter {
  checkBatch(header: BatchHeader): BatchDecision;
}

export interface CleanerTransactionHooks {
  /**
   * Offsets at and above this are never cleaned: Kafka's last stable offset, the first offset of the
   * oldest open transaction (the log end offset when none is open).
   */
  lastStableOffset(log: PartitionLog): number;
  /**
   * A fresh filter for one walk (`pass`). The transaction layer will use it to collect aborted
   * transactions for the range (from the `.txnindex`) and follow markers as the walk passes them.
   * A cleaned segment's `.txnindex`, if it needs one, is written as `<base>.txnindex.cleaned` in the
   * partition directory: the swap moves every `<base>.*.cleaned` file into place together.
   */
  newFilter(pass: CleaningPass): TransactionAwareFilter;
}

/** Compaction before transactions: control batches stay as they are, everything else is compacted. */
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
