/**
 * TransactionMarkerWriter: Kafka's TransactionMarkerChannelManager on one node. Once a transaction's
 * PrepareCommit or PrepareAbort is written, it appends a COMMIT or ABORT control batch to every
 * partition of the transaction (`ReplicaManager.appendControlBatch`), including the group's
 * `__consumer_offsets` partition — where the group coordinator then makes the producer's staged
 * offsets visible or drops them — and, when every marker is written, writes CompleteCommit or
 * CompleteAbort.
 *
 * Every partition is its own leader here, so there is no channel to a remote broker: the markers are
 * appended synchronously, right after the Prepare record, and the transaction is normally complete
 * before the EndTxn answer leaves. Only a marker or the Complete record that cannot be written (a disk
 * error, a log being deleted) leaves the transaction in Prepare*, with CompleteX pending: the writer
 * tries again every `retryBackoffMs`, and requests for the id get CONCURRENT_TRANSACTIONS meanwhile.
 *
 * Differences from Kafka, on purpose: a partition whose topic no longer exists is dropped from the
 * transaction (Kafka does the same when it finds no leader), and so is one that refuses the marker
 * for its epochs (INVALID_PRODUCER_EPOCH, TRANSACTION_COORDINATOR_FENCED) — with an error in the log —
 * where Kafka would stop sending and leave the transaction hanging: on a single node no other
 * coordinator can have taken over, so such a refusal can only be a bug, and hanging would block the
 * transactional id for good.
 */
import { ErrorCode, errorName } from '../../protocol/errors.js';
import { topicPartitionOfKey } from '../../protocol/topic-partition.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { Logger } from '../logger.js';
import { GROUP_METADATA_TOPIC_NAME } from '../metadata/internal-topics.js';
import type { ControlAppendResult, TxnMarker } from '../replica-manager.js';
import type { TransactionMetadata, TxnTransitMetadata } from './transaction-metadata.js';
import { TransactionState } from './transaction-state.js';

export const DEFAULT_MARKER_RETRY_BACKOFF_MS = 100;

export interface TransactionMarkerWriterDeps {
  appendControlBatch(topic: string, partition: number, marker: TxnMarker): ControlAppendResult;
  /** A marker reached `__consumer_offsets-<partition>`: the producer's staged offsets there become visible (commit) or go. */
  onOffsetsMarker(partition: number, producerId: bigint, commit: boolean): void;
  /** Writes the Complete record (TransactionStateManager.appendTransactionToLog). */
  appendTransactionToLog(metadata: TransactionMetadata, transit: TxnTransitMetadata): number;
  clock: Clock;
  logger: Logger;
  retryBackoffMs?: number;
}

export class TransactionMarkerWriter {
  private readonly retries = new Map<TransactionMetadata, TimerHandle>();
  private stopped = false;
  private readonly retryBackoffMs: number;

  constructor(private readonly deps: TransactionMarkerWriterDeps) {
    this.retryBackoffMs = deps.retryBackoffMs ?? DEFAULT_MARKER_RETRY_BACKOFF_MS;
  }

  /**
   * Writes the markers of `metadata`'s transaction — in PrepareCommit or PrepareAbort, with `complete`
   * (from `prepareComplete`) pending — then the Complete record. True when the transaction is
   * complete on return; false when part of it is left to the retry timer.
   */
  addTxnMarkersToSend(metadata: TransactionMetadata, complete: TxnTransitMetadata, coordinatorEpoch: number): boolean {
    if (metadata.state !== TransactionState.PrepareCommit && metadata.state !== TransactionState.PrepareAbort) {
      throw new Error(`markers for ${metadata.transactionalId} in state ${metadata.state}`);
    }
    return this.attempt(metadata, complete, coordinatorEpoch);
  }

  /** Transactions waiting for a retry. */
  get pendingCount(): number {
    return this.retries.size;
  }

  /** Stops retrying; what is left stays in Prepare* in the log and is completed after the next start. */
  shutdown(): void {
    this.stopped = true;
    for (const timer of this.retries.values()) timer.cancel();
    this.retries.clear();
  }

  private attempt(metadata: TransactionMetadata, complete: TxnTransitMetadata | undefined, coordinatorEpoch: number): boolean {
    this.retries.delete(metadata);
    const commit = metadata.state === TransactionState.PrepareCommit;
    const marker: TxnMarker = { producerId: metadata.producerId, producerEpoch: metadata.producerEpoch, commit, coordinatorEpoch };
    let waiting = false;
    for (const key of [...metadata.topicPartitions]) {
      const { topic, partition } = topicPartitionOfKey(key);
      const result = this.deps.appendControlBatch(topic, partition, marker);
      switch (result.errorCode) {
        case ErrorCode.NONE:
          metadata.removePartition(topic, partition);
          if (topic === GROUP_METADATA_TOPIC_NAME) this.deps.onOffsetsMarker(partition, marker.producerId, commit);
          break;
        case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
          this.deps.logger.info(
            `Skipping the ${commit ? 'COMMIT' : 'ABORT'} marker of ${metadata.transactionalId} for ${topic}-${partition}: the partition no longer exists`,
          );
          metadata.removePartition(topic, partition);
          break;
        case ErrorCode.INVALID_PRODUCER_EPOCH:
        case ErrorCode.TRANSACTION_COORDINATOR_FENCED:
          this.deps.logger.error(
            `${topic}-${partition} refused the ${commit ? 'COMMIT' : 'ABORT'} marker of ${metadata.transactionalId} ` +
              `(producer ${marker.producerId}, epoch ${marker.producerEpoch}): ${errorName(result.errorCode)} ${result.errorMessage ?? ''}; dropping the partition from the transaction`,
          );
          metadata.removePartition(topic, partition);
          break;
        default:
          this.deps.logger.warn(
            `Writing the ${commit ? 'COMMIT' : 'ABORT'} marker of ${metadata.transactionalId} to ${topic}-${partition} failed ` +
              `(${errorName(result.errorCode)}${result.errorMessage ? `: ${result.errorMessage}` : ''}); retrying in ${this.retryBackoffMs} ms`,
          );
          waiting = true;
      }
    }
    if (!waiting) {
      // A failed Complete write dropped the pending transition: prepare it again.
      const transit = complete ?? (metadata.pendingState === undefined ? metadata.prepareComplete(this.deps.clock.now()) : undefined);
      if (transit !== undefined) {
        const error = this.deps.appendTransactionToLog(metadata, transit);
        if (error === ErrorCode.NONE) return true;
        this.deps.logger.warn(
          `Writing ${transit.txnState} for ${metadata.transactionalId} failed (${errorName(error)}); retrying in ${this.retryBackoffMs} ms`,
        );
      }
    }
    this.scheduleRetry(metadata, waiting ? complete : undefined, coordinatorEpoch);
    return false;
  }

  private scheduleRetry(metadata: TransactionMetadata, complete: TxnTransitMetadata | undefined, coordinatorEpoch: number): void {
    if (this.stopped) return;
    const timer = this.deps.clock.setTimeout(() => {
      try {
        this.attempt(metadata, complete, coordinatorEpoch);
      } catch (err) {
        this.deps.logger.error(`Completing the transaction of ${metadata.transactionalId} failed: ${(err as Error).stack}`);
      }
    }, this.retryBackoffMs);
    this.retries.set(metadata, timer.unref());
  }
}
