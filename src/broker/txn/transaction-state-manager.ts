/**
 * TransactionStateManager: the transactional ids this broker coordinates and their home, the
 * compacted internal topic `__transaction_state` — Kafka's class of that name, for one node that
 * leads every partition of it.
 *
 * - Which partition holds an id: abs(String.hashCode(transactionalId)) % partitions, as Kafka
 *   computes it (coordinator/partition-hash.ts; the topic, its loading and its timers are the
 *   coordinator/ machinery the group coordinator runs on too).
 * - Writes: one TransactionLog record per state change, appended before the change is applied and
 *   acknowledged (`appendTransactionToLog`); a tombstone when an id expires.
 * - Loading: every partition is replayed from its log start offset at startup (latest record per id
 *   wins, tombstones remove); until a partition is loaded its ids answer COORDINATOR_LOAD_IN_PROGRESS.
 * - Expiry: every transaction.remove.expired.transaction.cleanup.interval.ms, ids with no transaction
 *   under way and no activity for transactional.id.expiration.ms are tombstoned and forgotten.
 *
 * Left out, compared with Kafka: partition leadership changes (no unloading, the coordinator epoch
 * is always 0) and the load buffer size (reads are 1 MiB at a time).
 */
import { ErrorCode } from '../../protocol/errors.js';
import type { BrokerConfig } from '../config/broker-config.js';
import { type CoordinatorDeps, CoordinatorRuntime, type PartitionLoad } from '../coordinator/coordinator-runtime.js';
import { InternalTopic } from '../coordinator/internal-topic.js';
import { answerWriteFailure, type WriteErrorAnswers } from '../coordinator/write-error.js';
import { TRANSACTION_STATE_TOPIC_NAME } from '../metadata/internal-topics.js';
import { decodeTransactionLogKey, encodeTransactionLogKey, encodeTransactionLogValue, metadataFromRecord } from './transaction-log.js';
import type { TransactionMetadata, TxnTransitMetadata } from './transaction-metadata.js';
import { isExpirationAllowed, parseTransactionState, TransactionState } from './transaction-state.js';

/** Kafka's answers to a failed TransactionLog write: anything but the coordinator's own errors is unexpected. */
const WRITE_ANSWERS: WriteErrorAnswers = { tooLarge: ErrorCode.UNKNOWN_SERVER_ERROR, otherwise: ErrorCode.UNKNOWN_SERVER_ERROR };

export type TransactionStateManagerConfig = Pick<
  BrokerConfig,
  | 'transactionStateLogNumPartitions'
  | 'transactionStateLogSegmentBytes'
  | 'transactionMaxTimeoutMs'
  | 'transactionalIdExpirationMs'
  | 'transactionRemoveExpiredTransactionCleanupIntervalMs'
>;

export type TransactionStateManagerDeps = CoordinatorDeps;

/** What a lookup finds: an error (loading, not running), or the metadata (undefined: unknown id). */
export type TransactionStateLookup = { error: number } | { error?: undefined; metadata: TransactionMetadata | undefined };

export interface ListedTransaction {
  transactionalId: string;
  producerId: bigint;
  transactionState: string;
}

export class TransactionStateManager {
  private readonly cache = new Map<string, TransactionMetadata>();
  private readonly stateTopic: InternalTopic;
  private readonly runtime: CoordinatorRuntime;

  constructor(
    private readonly config: TransactionStateManagerConfig,
    private readonly deps: TransactionStateManagerDeps,
  ) {
    this.stateTopic = new InternalTopic(
      {
        name: TRANSACTION_STATE_TOPIC_NAME,
        numPartitions: config.transactionStateLogNumPartitions,
        configs: {
          'segment.bytes': String(config.transactionStateLogSegmentBytes),
          'compression.type': 'uncompressed',
          'unclean.leader.election.enable': 'false',
        },
      },
      deps,
    );
    this.runtime = new CoordinatorRuntime(this.stateTopic, deps);
  }

  // ---- where ids live ------------------------------------------------------------------------

  partitionFor(transactionalId: string): number {
    return this.stateTopic.partitionFor(transactionalId);
  }

  /** Creates __transaction_state on first need, as Kafka does (compacted, uncompressed, its own segment size). */
  ensureTransactionStateTopic(): void {
    this.stateTopic.ensureExists();
  }

  /** False until startup has run and after shutdown. */
  get isActive(): boolean {
    return this.runtime.isActive;
  }

  get isLoading(): boolean {
    return this.runtime.isLoading;
  }

  validateTransactionTimeoutMs(txnTimeoutMs: number): boolean {
    return txnTimeoutMs > 0 && txnTimeoutMs <= this.config.transactionMaxTimeoutMs;
  }

  // ---- the cache -----------------------------------------------------------------------------

  /** The id's metadata, undefined when unknown; an error while not running or while its partition loads. */
  getTransactionState(transactionalId: string): TransactionStateLookup {
    if (!this.isActive) return { error: ErrorCode.COORDINATOR_NOT_AVAILABLE };
    if (this.runtime.isKeyLoading(transactionalId)) return { error: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS };
    return { metadata: this.cache.get(transactionalId) };
  }

  /** Adds `metadata` unless the id already has some; returns what the cache holds. */
  putTransactionStateIfNotExists(metadata: TransactionMetadata): TransactionMetadata {
    const existing = this.cache.get(metadata.transactionalId);
    if (existing) return existing;
    this.cache.set(metadata.transactionalId, metadata);
    return metadata;
  }

  /** Every id, for listing and the timers. */
  allTransactions(): TransactionMetadata[] {
    return [...this.cache.values()];
  }

  // ---- writes --------------------------------------------------------------------------------

  /**
   * Writes the record of `transit` (pending on `metadata`) to the id's partition, then applies it.
   * On failure the pending transition is dropped and Kafka's error for it returned; NONE on success.
   */
  appendTransactionToLog(metadata: TransactionMetadata, transit: TxnTransitMetadata): number {
    const id = metadata.transactionalId;
    try {
      const value = transit.txnState === TransactionState.Dead ? null : encodeTransactionLogValue(transit);
      this.stateTopic.append(this.partitionFor(id), [{ key: encodeTransactionLogKey(id), value }]);
    } catch (err) {
      metadata.abortPendingTransition();
      return answerWriteFailure(err, `write the ${transit.txnState} state of transactional id ${id}`, this.deps.logger, WRITE_ANSWERS);
    }
    metadata.completeTransitionTo(transit);
    return ErrorCode.NONE;
  }

  // ---- timers' questions ---------------------------------------------------------------------

  /** Ongoing transactions (no transition pending) open longer than their timeout. */
  timedOutTransactions(now = this.deps.clock.now()): TransactionMetadata[] {
    if (!this.isActive) return [];
    return this.allTransactions().filter(
      (m) => !m.pendingTransitionInProgress && m.state === TransactionState.Ongoing && m.txnStartTimestamp + m.txnTimeoutMs < now,
    );
  }

  /**
   * Tombstones and forgets ids with no transaction under way whose last update is at least
   * transactional.id.expiration.ms old. Returns how many went.
   */
  removeExpiredTransactionalIds(now = this.deps.clock.now()): number {
    if (!this.isActive) return 0;
    const expired = this.allTransactions().filter(
      (m) =>
        !m.pendingTransitionInProgress &&
        isExpirationAllowed(m.state) &&
        !this.runtime.isKeyLoading(m.transactionalId) &&
        m.txnLastUpdateTimestamp <= now - this.config.transactionalIdExpirationMs,
    );
    const byPartition = new Map<number, TransactionMetadata[]>();
    for (const m of expired) {
      const p = this.partitionFor(m.transactionalId);
      byPartition.set(p, [...(byPartition.get(p) ?? []), m]);
    }
    let removed = 0;
    for (const [partition, list] of byPartition) {
      const transits = list.map((m) => m.prepareDead());
      try {
        this.stateTopic.append(
          partition,
          list.map((m) => ({ key: encodeTransactionLogKey(m.transactionalId), value: null })),
        );
      } catch (err) {
        for (const m of list) m.abortPendingTransition();
        this.deps.logger.warn(`Failed to remove ${list.length} expired transactional id(s): ${(err as Error).message}`);
        continue;
      }
      list.forEach((m, i) => {
        m.completeTransitionTo(transits[i]);
        if (this.cache.get(m.transactionalId) === m) this.cache.delete(m.transactionalId);
        removed++;
      });
    }
    if (removed > 0) this.deps.logger.info(`Removed ${removed} expired transactional id(s)`);
    return removed;
  }

  // ---- listing -------------------------------------------------------------------------------

  /**
   * ListTransactions: every id (not Dead) matching all filters — an empty filter matches everything;
   * `durationFilterMs` ≥ 0 keeps transactions running longer than that (KIP-994). State names the
   * coordinator does not know come back in `unknownStateFilters`.
   */
  listTransactionStates(
    producerIdFilters: readonly bigint[],
    stateFilters: readonly string[],
    durationFilterMs = -1,
    now = this.deps.clock.now(),
  ): { errorCode: number; unknownStateFilters: string[]; transactionStates: ListedTransaction[] } {
    if (!this.isActive) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, unknownStateFilters: [], transactionStates: [] };
    if (this.isLoading) return { errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, unknownStateFilters: [], transactionStates: [] };
    const states = new Set<string>();
    const unknownStateFilters: string[] = [];
    for (const name of stateFilters) {
      if (parseTransactionState(name) === undefined) unknownStateFilters.push(name);
      else states.add(name);
    }
    const pids = new Set(producerIdFilters);
    const transactionStates = this.allTransactions()
      .filter(
        (m) =>
          m.state !== TransactionState.Dead &&
          (pids.size === 0 || pids.has(m.producerId)) &&
          (stateFilters.length === 0 || states.has(m.state)) &&
          (durationFilterMs < 0 || now - m.txnStartTimestamp > durationFilterMs),
      )
      .map((m) => ({ transactionalId: m.transactionalId, producerId: m.producerId, transactionState: m.state }))
      .sort((a, b) => (a.transactionalId < b.transactionalId ? -1 : a.transactionalId > b.transactionalId ? 1 : 0));
    return { errorCode: ErrorCode.NONE, unknownStateFilters, transactionStates };
  }

  // ---- lifecycle -----------------------------------------------------------------------------

  /**
   * Replays every partition of __transaction_state (when the topic exists), hands each loaded id to
   * `onLoaded` (the coordinator completes the ones found in PrepareCommit/PrepareAbort), then starts
   * the expiry timer.
   */
  async startup(onLoaded: (metadata: TransactionMetadata) => void): Promise<void> {
    await this.runtime.startup({ what: 'transactional id(s)', load: (p) => this.loadPartition(p), onLoaded });
    this.runtime.schedule('Transactional id expiry', this.config.transactionRemoveExpiredTransactionCleanupIntervalMs, () =>
      this.removeExpiredTransactionalIds(),
    );
  }

  shutdown(): void {
    this.runtime.shutdown();
  }

  /** One partition's load: the latest record per id; a tombstone forgets the id. */
  private loadPartition(partition: number): PartitionLoad<TransactionMetadata> {
    const latest = new Map<string, Buffer | null>();
    return {
      replay: (r) => {
        const id = decodeTransactionLogKey(r.key);
        if (id !== undefined) latest.set(id, r.value);
      },
      // Nothing is written to __transaction_state in a transaction.
      replayEndTransactionMarker: () => {},
      complete: () => {
        const loaded: TransactionMetadata[] = [];
        for (const [id, value] of latest) {
          if (value === null) {
            this.cache.delete(id);
            continue;
          }
          try {
            const metadata = metadataFromRecord(id, value);
            this.cache.set(id, metadata);
            loaded.push(metadata);
          } catch (err) {
            this.deps.logger.error(
              `Skipping unreadable state of transactional id ${id} in ${TRANSACTION_STATE_TOPIC_NAME}-${partition}: ${(err as Error).message}`,
            );
          }
        }
        return loaded;
      },
    };
  }
}
