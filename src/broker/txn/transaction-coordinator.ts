/**
 * TransactionCoordinator: Kafka's transaction coordinator (KIP-98) for every transactional id — this
 * broker leads every partition of `__transaction_state`. InitProducerId for transactional ids (with
 * KIP-360's current producer id and epoch), AddPartitionsToTxn (also the KIP-890 verify-only form),
 * AddOffsetsToTxn, EndTxn, DescribeTransactions and ListTransactions (KIP-664), the timeout reaper,
 * and recovery of transactions found preparing to commit or abort after a restart.
 *
 * The decisions follow Kafka's TransactionCoordinator (docs/transactions.md has the state table): the
 * answers here use PRODUCER_FENCED for a stale epoch, and the handlers turn it into
 * INVALID_PRODUCER_EPOCH for request versions older than KIP-588's. Every state change is written to
 * `__transaction_state` before it is applied and answered (TransactionStateManager); markers are
 * written by the TransactionMarkerWriter, right after the Prepare record.
 *
 * Left out: transaction version 2 (KIP-890 part 2: EndTxn v5 epoch bumps, implicit AddOffsetsToTxn
 * in TxnOffsetCommit v5), two-phase commit (KIP-939, InitProducerId v6), authorization, and
 * coordinator failover (the coordinator epoch is always 0).
 */
import { NO_PRODUCER_EPOCH, NO_PRODUCER_ID } from '../../protocol/batch-header.js';
import { ErrorCode } from '../../protocol/errors.js';
import { type TopicPartition, topicPartitionKey } from '../../protocol/topic-partition.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { BrokerConfig } from '../config/broker-config.js';
import type { Logger } from '../logger.js';
import { GROUP_METADATA_TOPIC_NAME, TRANSACTION_STATE_TOPIC_NAME } from '../metadata/internal-topics.js';
import type { ProducerIdManager } from '../producer-state/producer-id-manager.js';
import type { TransactionMarkerWriter } from './transaction-marker-writer.js';
import { IllegalTransactionMetadataError, isEpochExhausted, MAX_PRODUCER_EPOCH, TransactionMetadata, type TxnTransitMetadata } from './transaction-metadata.js';
import { TransactionState } from './transaction-state.js';
import type { TransactionStateManager } from './transaction-state-manager.js';

/** The leader epoch of the __transaction_state partition, as markers carry it: a single node never changes leader. */
export const COORDINATOR_EPOCH = 0;

export type TransactionCoordinatorConfig = Pick<BrokerConfig, 'transactionAbortTimedOutTransactionCleanupIntervalMs'>;

export interface TransactionCoordinatorDeps {
  clock: Clock;
  logger: Logger;
  producerIdManager: Pick<ProducerIdManager, 'generateProducerId'>;
  stateManager: TransactionStateManager;
  markerWriter: TransactionMarkerWriter;
  /** The __consumer_offsets partition of a group (AddOffsetsToTxn adds it to the transaction). */
  offsetsPartitionFor(groupId: string): number;
  /** Creates __consumer_offsets if need be: the transaction's marker goes there. */
  ensureOffsetsTopic(): void;
}

export interface InitProducerIdResult {
  errorCode: number;
  producerId: bigint;
  producerEpoch: number;
}

export interface ProducerIdAndEpoch {
  producerId: bigint;
  producerEpoch: number;
}

export interface DescribedTransaction {
  errorCode: number;
  transactionalId: string;
  transactionState: string;
  transactionTimeoutMs: number;
  transactionStartTimeMs: bigint;
  producerId: bigint;
  producerEpoch: number;
  topics: Array<{ topic: string; partitions: number[] }>;
}

/** Verification answers: one error for the whole request, or one per partition (`topicPartitionKey`). */
export type VerifyResult = { error: number } | { error?: undefined; partitions: Map<string, number> };

const initError = (errorCode: number): InitProducerIdResult => ({ errorCode, producerId: NO_PRODUCER_ID, producerEpoch: NO_PRODUCER_EPOCH });

export class TransactionCoordinator {
  private readonly logger: Logger;
  private readonly stateManager: TransactionStateManager;
  private abortTimer: TimerHandle | undefined;

  constructor(
    private readonly config: TransactionCoordinatorConfig,
    private readonly deps: TransactionCoordinatorDeps,
  ) {
    this.logger = deps.logger;
    this.stateManager = deps.stateManager;
  }

  partitionFor(transactionalId: string): number {
    return this.stateManager.partitionFor(transactionalId);
  }

  /** Creates __transaction_state if it does not exist yet (FindCoordinator's first lookup of a transactional id). */
  ensureTransactionStateTopic(): void {
    this.stateManager.ensureTransactionStateTopic();
  }

  get isActive(): boolean {
    return this.stateManager.isActive;
  }

  // ---- InitProducerId ------------------------------------------------------------------------

  /**
   * A producer id and epoch for `transactionalId`; null asks for an idempotent producer's (always a
   * new id, epoch 0). `expected` is the caller's current id and epoch (InitProducerId v3+, KIP-360).
   * An open transaction is aborted with the epoch bumped first, and the answer is then
   * CONCURRENT_TRANSACTIONS: the caller retries, and the retry bumps the epoch again.
   */
  handleInitProducerId(transactionalId: string | null, txnTimeoutMs: number, expected?: ProducerIdAndEpoch): InitProducerIdResult {
    try {
      if (transactionalId === null) return { errorCode: ErrorCode.NONE, producerId: this.deps.producerIdManager.generateProducerId(), producerEpoch: 0 };
      if (transactionalId === '') return initError(ErrorCode.INVALID_REQUEST);
      if (!this.stateManager.validateTransactionTimeoutMs(txnTimeoutMs)) return initError(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
      const lookup = this.lookup(transactionalId);
      if (lookup.error !== undefined) return initError(lookup.error);
      const now = this.deps.clock.now();
      const metadata =
        lookup.metadata ??
        this.stateManager.putTransactionStateIfNotExists(
          TransactionMetadata.create(transactionalId, this.deps.producerIdManager.generateProducerId(), txnTimeoutMs, now),
        );

      const prepared = this.prepareInitProducerIdTransit(metadata, txnTimeoutMs, expected, now);
      if ('error' in prepared) return initError(prepared.error);
      if (prepared.fence) {
        const error = this.writePrepareAndMarkers(metadata, prepared.transit);
        if (error === ErrorCode.NONE)
          this.logger.info(`Aborted the open transaction of ${transactionalId} to fence producer ${metadata.producerId} below epoch ${metadata.producerEpoch}`);
        return initError(error === ErrorCode.NONE ? ErrorCode.CONCURRENT_TRANSACTIONS : error);
      }
      const error = this.stateManager.appendTransactionToLog(metadata, prepared.transit);
      if (error !== ErrorCode.NONE) return initError(error);
      this.logger.info(
        `Initialized transactional id ${transactionalId} with producer id ${metadata.producerId} and epoch ${metadata.producerEpoch} ` +
          `on partition ${TRANSACTION_STATE_TOPIC_NAME}-${this.partitionFor(transactionalId)}`,
      );
      return { errorCode: ErrorCode.NONE, producerId: metadata.producerId, producerEpoch: metadata.producerEpoch };
    } catch (err) {
      return initError(this.unexpected(err, `InitProducerId for ${transactionalId}`));
    }
  }

  private prepareInitProducerIdTransit(
    m: TransactionMetadata,
    txnTimeoutMs: number,
    expected: ProducerIdAndEpoch | undefined,
    now: number,
  ): { error: number } | { transit: TxnTransitMetadata; fence: boolean } {
    if (m.pendingTransitionInProgress) return { error: ErrorCode.CONCURRENT_TRANSACTIONS };
    // A caller with an id and epoch is fenced unless the id was just created (epoch -1), the id is the
    // current one (the epoch is checked below), or it is the previous one with its epochs used up: a
    // retry of a rotation whose answer was lost.
    if (
      expected !== undefined &&
      !(
        m.producerEpoch === NO_PRODUCER_EPOCH ||
        expected.producerId === m.producerId ||
        (expected.producerId === m.lastProducerId && isEpochExhausted(expected.producerEpoch))
      )
    ) {
      return { error: ErrorCode.PRODUCER_FENCED };
    }
    switch (m.state) {
      case TransactionState.PrepareAbort:
      case TransactionState.PrepareCommit:
        return { error: ErrorCode.CONCURRENT_TRANSACTIONS };
      case TransactionState.CompleteAbort:
      case TransactionState.CompleteCommit:
      case TransactionState.Empty: {
        if (m.isProducerEpochExhausted && (expected === undefined || expected.producerEpoch === m.producerEpoch)) {
          return {
            transit: m.prepareProducerIdRotation(this.deps.producerIdManager.generateProducerId(), txnTimeoutMs, now, expected !== undefined),
            fence: false,
          };
        }
        const transit = m.prepareIncrementProducerEpoch(txnTimeoutMs, expected?.producerEpoch, now);
        return 'error' in transit ? transit : { transit, fence: false };
      }
      case TransactionState.Ongoing:
        // The epoch bumped here is never returned: the caller gets CONCURRENT_TRANSACTIONS, retries
        // and bumps again (or gets a new producer id if fencing used the last epoch).
        return { transit: m.prepareFenceProducerEpoch(now), fence: true };
      case TransactionState.Dead:
      case TransactionState.PrepareEpochFence:
        throw new IllegalTransactionMetadataError(`found ${m.transactionalId} in state ${m.state}, which is never left standing`);
    }
  }

  // ---- AddPartitionsToTxn / AddOffsetsToTxn --------------------------------------------------

  /** Adds partitions to the open transaction (starting one if none is open). One error for all of them. */
  handleAddPartitionsToTransaction(transactionalId: string, producerId: bigint, producerEpoch: number, partitions: readonly TopicPartition[]): number {
    try {
      if (!transactionalId) return ErrorCode.INVALID_REQUEST;
      const found = this.currentTransaction(transactionalId, producerId, producerEpoch);
      if ('error' in found) return found.error;
      const m = found.metadata;
      if (m.state === TransactionState.PrepareCommit || m.state === TransactionState.PrepareAbort) return ErrorCode.CONCURRENT_TRANSACTIONS;
      const keys = partitions.map((tp) => topicPartitionKey(tp.topic, tp.partition));
      // Already there: answered at once, without a write.
      if (m.state === TransactionState.Ongoing && keys.every((k) => m.topicPartitions.has(k))) return ErrorCode.NONE;
      return this.stateManager.appendTransactionToLog(m, m.prepareAddPartitions(keys, this.deps.clock.now()));
    } catch (err) {
      return this.unexpected(err, `AddPartitionsToTxn for ${transactionalId}`);
    }
  }

  /** AddOffsetsToTxn: the group's __consumer_offsets partition joins the transaction. */
  handleAddOffsetsToTransaction(transactionalId: string, producerId: bigint, producerEpoch: number, groupId: string): number {
    if (!transactionalId) return ErrorCode.INVALID_REQUEST;
    try {
      this.deps.ensureOffsetsTopic();
    } catch (err) {
      this.logger.warn(`AddOffsetsToTxn for ${transactionalId}: __consumer_offsets could not be created: ${(err as Error).message}`);
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    }
    const partition = this.deps.offsetsPartitionFor(groupId);
    return this.handleAddPartitionsToTransaction(transactionalId, producerId, producerEpoch, [{ topic: GROUP_METADATA_TOPIC_NAME, partition }]);
  }

  /**
   * KIP-890's verification: are these partitions in the producer's open transaction? Per partition
   * NONE or TRANSACTION_ABORTABLE (not added); or one error for the request. Changes nothing. Used by
   * AddPartitionsToTxn v4+ with VerifyOnly and by TxnOffsetCommit.
   */
  handleVerifyPartitionsInTransaction(transactionalId: string, producerId: bigint, producerEpoch: number, partitions: readonly TopicPartition[]): VerifyResult {
    if (!transactionalId) return { error: ErrorCode.INVALID_REQUEST };
    const found = this.currentTransaction(transactionalId, producerId, producerEpoch);
    if ('error' in found) return found;
    const m = found.metadata;
    if (m.state === TransactionState.PrepareCommit || m.state === TransactionState.PrepareAbort) return { error: ErrorCode.CONCURRENT_TRANSACTIONS };
    const out = new Map<string, number>();
    for (const tp of partitions) {
      const key = topicPartitionKey(tp.topic, tp.partition);
      out.set(key, m.state === TransactionState.Ongoing && m.topicPartitions.has(key) ? ErrorCode.NONE : ErrorCode.TRANSACTION_ABORTABLE);
    }
    return { partitions: out };
  }

  /** The id's metadata when `producerId`/`producerEpoch` are its current ones and nothing is pending. */
  private currentTransaction(transactionalId: string, producerId: bigint, producerEpoch: number): { error: number } | { metadata: TransactionMetadata } {
    const lookup = this.lookup(transactionalId);
    if (lookup.error !== undefined) return { error: lookup.error };
    const m = lookup.metadata;
    if (m === undefined || m.producerId !== producerId) return { error: ErrorCode.INVALID_PRODUCER_ID_MAPPING };
    if (m.producerEpoch !== producerEpoch) return { error: ErrorCode.PRODUCER_FENCED };
    if (m.pendingTransitionInProgress) return { error: ErrorCode.CONCURRENT_TRANSACTIONS };
    return { metadata: m };
  }

  // ---- EndTxn --------------------------------------------------------------------------------

  /**
   * Commits or aborts the open transaction: PrepareCommit/PrepareAbort is written (that is the
   * decision), then the markers, then CompleteCommit/CompleteAbort. A repeated EndTxn of a completed
   * transaction with the same outcome succeeds; the other outcome is INVALID_TXN_STATE, as is EndTxn
   * with no transaction open.
   */
  handleEndTransaction(transactionalId: string, producerId: bigint, producerEpoch: number, commit: boolean): number {
    try {
      if (!transactionalId) return ErrorCode.INVALID_REQUEST;
      const lookup = this.lookup(transactionalId);
      if (lookup.error !== undefined) return lookup.error;
      const m = lookup.metadata;
      if (m === undefined || m.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
      if (producerEpoch !== m.producerEpoch) return ErrorCode.PRODUCER_FENCED;
      if (m.pendingTransitionInProgress) return ErrorCode.CONCURRENT_TRANSACTIONS;
      const invalid = (): number => {
        this.logger.debug(`Transactional id ${transactionalId} is ${m.state}; EndTxn(${commit ? 'commit' : 'abort'}) is not valid now`);
        return ErrorCode.INVALID_TXN_STATE;
      };
      switch (m.state) {
        case TransactionState.Ongoing: {
          const transit = m.prepareAbortOrCommit(commit ? TransactionState.PrepareCommit : TransactionState.PrepareAbort, this.deps.clock.now());
          return this.writePrepareAndMarkers(m, transit);
        }
        case TransactionState.CompleteCommit:
          return commit ? ErrorCode.NONE : invalid();
        case TransactionState.CompleteAbort:
          return commit ? invalid() : ErrorCode.NONE;
        case TransactionState.PrepareCommit:
          return commit ? ErrorCode.CONCURRENT_TRANSACTIONS : invalid();
        case TransactionState.PrepareAbort:
          return commit ? invalid() : ErrorCode.CONCURRENT_TRANSACTIONS;
        case TransactionState.Empty:
          return invalid();
        case TransactionState.Dead:
        case TransactionState.PrepareEpochFence:
          throw new IllegalTransactionMetadataError(`found ${transactionalId} in state ${m.state}, which is never left standing`);
      }
    } catch (err) {
      return this.unexpected(err, `EndTxn for ${transactionalId}`);
    }
  }

  /** Writes a PrepareCommit/PrepareAbort transit, then hands the transaction to the marker writer. */
  private writePrepareAndMarkers(m: TransactionMetadata, transit: TxnTransitMetadata): number {
    const error = this.stateManager.appendTransactionToLog(m, transit);
    if (error !== ErrorCode.NONE) return error;
    this.deps.markerWriter.addTxnMarkersToSend(m, m.prepareComplete(this.deps.clock.now()), COORDINATOR_EPOCH);
    return ErrorCode.NONE;
  }

  // ---- DescribeTransactions / ListTransactions -----------------------------------------------

  handleDescribeTransactions(transactionalId: string): DescribedTransaction {
    const base: DescribedTransaction = {
      errorCode: ErrorCode.NONE,
      transactionalId,
      transactionState: '',
      transactionTimeoutMs: 0,
      transactionStartTimeMs: -1n,
      producerId: NO_PRODUCER_ID,
      producerEpoch: NO_PRODUCER_EPOCH,
      topics: [],
    };
    if (!this.isActive) return { ...base, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE };
    if (transactionalId === '') return { ...base, errorCode: ErrorCode.INVALID_REQUEST };
    const lookup = this.stateManager.getTransactionState(transactionalId);
    if (lookup.error !== undefined) return { ...base, errorCode: lookup.error };
    const m = lookup.metadata;
    if (m === undefined || m.state === TransactionState.Dead) return { ...base, errorCode: ErrorCode.TRANSACTIONAL_ID_NOT_FOUND };
    return {
      ...base,
      transactionState: m.state,
      transactionTimeoutMs: m.txnTimeoutMs,
      transactionStartTimeMs: BigInt(m.txnStartTimestamp),
      producerId: m.producerId,
      producerEpoch: m.producerEpoch,
      topics: m.partitionsByTopic(),
    };
  }

  handleListTransactions(
    producerIdFilters: readonly bigint[],
    stateFilters: readonly string[],
    durationFilterMs = -1,
  ): ReturnType<TransactionStateManager['listTransactionStates']> {
    return this.stateManager.listTransactionStates(producerIdFilters, stateFilters, durationFilterMs);
  }

  // ---- the timeout reaper and recovery -------------------------------------------------------

  /**
   * Aborts every Ongoing transaction open longer than its timeout, bumping the epoch so that the
   * producer is fenced (it must InitProducerId again). Returns how many were aborted.
   */
  abortTimedOutTransactions(now = this.deps.clock.now()): number {
    let aborted = 0;
    for (const m of this.stateManager.timedOutTransactions(now)) {
      try {
        // With no epoch left to bump to, abort without fencing (cannot happen with epochs handed out here).
        const transit = m.producerEpoch < MAX_PRODUCER_EPOCH ? m.prepareFenceProducerEpoch(now) : m.prepareAbortOrCommit(TransactionState.PrepareAbort, now);
        const openMs = now - m.txnStartTimestamp;
        const error = this.writePrepareAndMarkers(m, transit);
        if (error === ErrorCode.NONE) {
          aborted++;
          this.logger.info(
            `Aborted the transaction of ${m.transactionalId} (producer id ${m.producerId}) after ${openMs} ms, past its timeout of ${m.txnTimeoutMs} ms; ` +
              `the producer is fenced below epoch ${m.producerEpoch}`,
          );
        } else {
          this.logger.warn(`Aborting the timed-out transaction of ${m.transactionalId} failed: error ${error}`);
        }
      } catch (err) {
        this.unexpected(err, `aborting the timed-out transaction of ${m.transactionalId}`);
      }
    }
    return aborted;
  }

  /** A transaction loaded in PrepareCommit/PrepareAbort: the decision stands, its markers are written (again). */
  private onTransactionLoaded(m: TransactionMetadata): void {
    if (m.state !== TransactionState.PrepareCommit && m.state !== TransactionState.PrepareAbort) return;
    this.logger.info(
      `Completing the ${m.state === TransactionState.PrepareCommit ? 'commit' : 'abort'} of ${m.transactionalId} (producer id ${m.producerId}) found on load`,
    );
    this.deps.markerWriter.addTxnMarkersToSend(m, m.prepareComplete(this.deps.clock.now()), COORDINATOR_EPOCH);
  }

  // ---- lifecycle -----------------------------------------------------------------------------

  /** Loads __transaction_state, completes what was left preparing, and starts the reaper. */
  async startup(): Promise<void> {
    await this.stateManager.startup((m) => {
      try {
        this.onTransactionLoaded(m);
      } catch (err) {
        this.unexpected(err, `recovering ${m.transactionalId}`);
      }
    });
    this.abortTimer = this.deps.clock
      .setInterval(() => this.abortTimedOutTransactions(), this.config.transactionAbortTimedOutTransactionCleanupIntervalMs)
      .unref();
  }

  shutdown(): void {
    this.abortTimer?.cancel();
    this.abortTimer = undefined;
    this.deps.markerWriter.shutdown();
    this.stateManager.shutdown();
  }

  // ---- helpers -------------------------------------------------------------------------------

  /** The id's metadata once __transaction_state exists and the id's partition is loaded. */
  private lookup(transactionalId: string): { error: number } | { error?: undefined; metadata: TransactionMetadata | undefined } {
    if (!this.isActive) return { error: ErrorCode.COORDINATOR_NOT_AVAILABLE };
    try {
      this.stateManager.ensureTransactionStateTopic();
    } catch (err) {
      this.logger.warn(`__transaction_state could not be created: ${(err as Error).message}`);
      return { error: ErrorCode.COORDINATOR_NOT_AVAILABLE };
    }
    return this.stateManager.getTransactionState(transactionalId);
  }

  private unexpected(err: unknown, what: string): number {
    this.logger.error(`Unexpected error in ${what}: ${(err as Error)?.stack ?? err}`);
    return ErrorCode.UNKNOWN_SERVER_ERROR;
  }
}
