/**
 * CleanedTransactionMetadata: what one walk of the log cleaner knows about transactions — Kafka's
 * class of that name, behind the `TransactionAwareFilter` hook (docs/log-format.md, "Compaction" →
 * "Transactions"). It starts from the aborted transactions of the walked range, read from the
 * `.txnindex` files, and follows the walk batch by batch:
 *
 *  - once the walk reaches an aborted transaction's first offset, its producer has an ongoing aborted
 *    transaction until the producer's next marker; that producer's transactional batches meanwhile
 *    are aborted data: `discard` (their records never enter the offset map, so an aborted write
 *    cannot shadow a committed value of the same key);
 *  - every other batch is `compact`ed (committed transactional records like any others);
 *  - a marker (control batch) is kept while a batch of its transaction was met in this walk — its
 *    data may still be in the log. When none was, the transaction's data is gone: the marker is kept
 *    but stamped with a delete horizon (`setDeleteHorizon`), and the first walk at or after that
 *    horizon discards it. So a marker outlives its transaction's data by at least
 *    delete.retention.ms, as in Kafka (KIP-534). A control batch a previous round emptied is
 *    discarded at once.
 *
 * A batch that is its producer's last in the round is kept header-only when emptied or discarded
 * (`retainEmpty`), so the producer's epoch and sequence stay in the log.
 *
 * Differences from Kafka: a marker is kept whenever any transactional batch of its producer was met
 * since the producer's previous marker, whatever the marker's type (Kafka looks only at aborted
 * batches for an ABORT marker and committed ones for a COMMIT marker; the two agree unless the
 * `.txnindex` and the log disagree, and then keeping the marker is the safe side); the producer's
 * last batch is judged within the round, not from the producer state.
 */
import { type BatchHeader, hasDeleteHorizon, isControl, isTransactional, lastOffsetOf } from '../../protocol/batch-header.js';
import { ControlRecordType, readControlBatch } from '../../protocol/control-record.js';
import type { BatchDecision, TransactionAwareFilter } from './transaction-aware-filter.js';
import type { AbortedTxn } from './transaction-index.js';

export class CleanedTransactionMetadata implements TransactionAwareFilter {
  /** The aborted transactions of the range, by first offset; those before `nextAborted` are reached. */
  private readonly abortedTxns: AbortedTxn[];
  private nextAborted = 0;
  /** Producers inside an aborted transaction at this point of the walk. */
  private readonly ongoingAborted = new Set<bigint>();
  /** Producers with a transactional batch met since their last marker. */
  private readonly withDataSinceMarker = new Set<bigint>();

  /**
   * @param abortedTransactions every aborted transaction whose records may be in the walked range
   * @param lastBatchOfProducer for each producer id, the last offset of its last batch in the round
   * @param now the round's time, against which delete horizons are judged
   */
  constructor(
    abortedTransactions: readonly AbortedTxn[],
    private readonly lastBatchOfProducer: ReadonlyMap<bigint, number>,
    private readonly now: number,
  ) {
    this.abortedTxns = [...abortedTransactions].sort((a, b) => a.firstOffset - b.firstOffset);
  }

  checkBatch(header: BatchHeader, batch: Buffer): BatchDecision {
    const lastOffset = Number(lastOffsetOf(header));
    this.consumeAbortedTxnsUpTo(lastOffset);
    const retainEmpty = header.producerId >= 0n && this.lastBatchOfProducer.get(header.producerId) === lastOffset;
    if (!isControl(header.attributes)) return { action: this.onBatchRead(header) ? 'discard' : 'compact', retainEmpty };
    if (!this.onControlBatchRead(header, batch)) return { action: 'retain', retainEmpty };
    const horizonPassed = hasDeleteHorizon(header.attributes) && this.now >= Number(header.baseTimestamp);
    return { action: horizonPassed || header.recordCount === 0 ? 'discard' : 'retain', retainEmpty, setDeleteHorizon: true };
  }

  /** A data batch: true if it belongs to an aborted transaction. */
  private onBatchRead(header: BatchHeader): boolean {
    if (!isTransactional(header.attributes)) return false;
    this.withDataSinceMarker.add(header.producerId);
    return this.ongoingAborted.has(header.producerId);
  }

  /** A control batch: true if no data of its transaction is left, so it may go (after its horizon). */
  private onControlBatchRead(header: BatchHeader, batch: Buffer): boolean {
    const producerId = header.producerId;
    // Emptied by an earlier round: it was already past its horizon.
    if (header.recordCount === 0) {
      this.endTransaction(producerId);
      return true;
    }
    const { type } = readControlBatch(batch);
    if (type !== ControlRecordType.abort && type !== ControlRecordType.commit) return false;
    const hadData = this.withDataSinceMarker.has(producerId);
    this.endTransaction(producerId);
    return !hadData;
  }

  private endTransaction(producerId: bigint): void {
    this.ongoingAborted.delete(producerId);
    this.withDataSinceMarker.delete(producerId);
  }

  private consumeAbortedTxnsUpTo(offset: number): void {
    while (this.nextAborted < this.abortedTxns.length && this.abortedTxns[this.nextAborted].firstOffset <= offset) {
      this.ongoingAborted.add(this.abortedTxns[this.nextAborted++].producerId);
    }
  }
}
