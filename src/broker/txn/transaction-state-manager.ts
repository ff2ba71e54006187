/**
 * TransactionStateManager: the transactional ids this broker coordinates and their home, the
 * compacted internal topic `__transaction_state` — Kafka's class of that name, for one node that
 * leads every partition of it.
 *
 * - Which partition holds an id: abs(String.hashCode(transactionalId)) % partitions, as Kafka
 *   computes it (the same helper as the group coordinator's).
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
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { isControl, readBatchHeader } from '../../protocol/batch-header.js';
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import { decodeRecordBatch, encodeRecordBatch, iterateBatches } from '../../protocol/record-batch.js';
import type { Clock } from '../clock.js';
import type { BrokerConfig } from '../config/broker-config.js';
import { javaStringHashCode, kafkaAbs } from '../group/group-metadata-manager.js';
import type { Logger } from '../logger.js';
import type { TopicManager } from '../metadata/topic-manager.js';
import type { TopicRegistry } from '../metadata/topic-registry.js';
import type { ReplicaManager } from '../replica-manager.js';
import { decodeTransactionLogKey, encodeTransactionLogKey, encodeTransactionLogValue, metadataFromRecord } from './transaction-log.js';
import type { TransactionMetadata, TxnTransitMetadata } from './transaction-metadata.js';
import { isExpirationAllowed, parseTransactionState, TransactionState } from './transaction-state.js';

export const TRANSACTION_STATE_TOPIC_NAME = '__transaction_state';

/** Bytes read from the log at a time while loading. */
const LOAD_READ_BYTES = 1024 * 1024;

/** The `__transaction_state` partition Kafka would put this transactional id in. */
export function partitionForTransactionalId(transactionalId: string, numPartitions: number): number {
  return kafkaAbs(javaStringHashCode(transactionalId)) % numPartitions;
}

export type TransactionStateManagerConfig = Pick<
  BrokerConfig,
  | 'transactionStateLogNumPartitions'
  | 'transactionStateLogSegmentBytes'
  | 'transactionMaxTimeoutMs'
  | 'transactionalIdExpirationMs'
  | 'transactionRemoveExpiredTransactionCleanupIntervalMs'
>;

export interface TransactionStateManagerDeps {
  topics: Pick<TopicRegistry, 'get'>;
  topicManager: Pick<TopicManager, 'createTopic'>;
  replicaManager: Pick<ReplicaManager, 'appendInternal' | 'partitionLog'>;
  clock: Clock;
  logger: Logger;
}

/** What a lookup finds: an error (loading, not running), or the metadata (undefined: unknown id). */
export type TransactionStateLookup = { error: number } | { error?: undefined; metadata: TransactionMetadata | undefined };

export interface ListedTransaction {
  transactionalId: string;
  producerId: bigint;
  transactionState: string;
}

export class TransactionStateManager {
  private readonly cache = new Map<string, TransactionMetadata>();
  private readonly loadingPartitions = new Set<number>();
  private active = false;
  private expiryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: TransactionStateManagerConfig,
    private readonly deps: TransactionStateManagerDeps,
  ) {}

  // ---- where ids live ------------------------------------------------------------------------

  /** Partitions of __transaction_state: the topic's own count once it exists, else the configured one. */
  get partitionCount(): number {
    return this.deps.topics.get(TRANSACTION_STATE_TOPIC_NAME)?.partitions ?? this.config.transactionStateLogNumPartitions;
  }

  partitionFor(transactionalId: string): number {
    return partitionForTransactionalId(transactionalId, this.partitionCount);
  }

  /** Creates __transaction_state on first need, as Kafka does (compacted, uncompressed, its own segment size). */
  ensureTransactionStateTopic(): void {
    if (this.deps.topics.get(TRANSACTION_STATE_TOPIC_NAME)) return;
    try {
      this.deps.topicManager.createTopic({
        name: TRANSACTION_STATE_TOPIC_NAME,
        numPartitions: this.config.transactionStateLogNumPartitions,
        replicationFactor: 1,
        assignments: [],
        configs: {
          'cleanup.policy': 'compact',
          'segment.bytes': String(this.config.transactionStateLogSegmentBytes),
          'compression.type': 'uncompressed',
          'unclean.leader.election.enable': 'false',
        },
      });
    } catch (err) {
      if (err instanceof KafkaError && err.code === ErrorCode.TOPIC_ALREADY_EXISTS) return;
      throw err;
    }
  }

  /** False until startup has run and after shutdown. */
  get isActive(): boolean {
    return this.active;
  }

  get isLoading(): boolean {
    return this.loadingPartitions.size > 0;
  }

  validateTransactionTimeoutMs(txnTimeoutMs: number): boolean {
    return txnTimeoutMs > 0 && txnTimeoutMs <= this.config.transactionMaxTimeoutMs;
  }

  // ---- the cache -----------------------------------------------------------------------------

  /** The id's metadata, undefined when unknown; an error while not running or while its partition loads. */
  getTransactionState(transactionalId: string): TransactionStateLookup {
    if (!this.active) return { error: ErrorCode.COORDINATOR_NOT_AVAILABLE };
    if (this.loadingPartitions.has(this.partitionFor(transactionalId))) return { error: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS };
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
      this.append(this.partitionFor(id), [{ key: encodeTransactionLogKey(id), value }]);
    } catch (err) {
      metadata.abortPendingTransition();
      return this.writeError(err, `write the ${transit.txnState} state of transactional id ${id}`);
    }
    metadata.completeTransitionTo(transit);
    return ErrorCode.NONE;
  }

  private append(partition: number, records: Array<{ key: Buffer; value: Buffer | null }>): void {
    this.ensureTransactionStateTopic();
    const batch = encodeRecordBatch({ records, timestamp: BigInt(this.deps.clock.now()) });
    this.deps.replicaManager.appendInternal(TRANSACTION_STATE_TOPIC_NAME, partition, batch);
  }

  /** Kafka's mapping of a failed TransactionLog write onto what the request answers. */
  private writeError(err: unknown, what: string): number {
    if (!(err instanceof KafkaError)) {
      this.deps.logger.error(`Failed to ${what}: ${(err as Error)?.stack ?? err}`);
      return ErrorCode.UNKNOWN_SERVER_ERROR;
    }
    this.deps.logger.warn(`Failed to ${what}: ${err.message}`);
    switch (err.code) {
      case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
      case ErrorCode.NOT_ENOUGH_REPLICAS:
      case ErrorCode.REQUEST_TIMED_OUT:
        return ErrorCode.COORDINATOR_NOT_AVAILABLE;
      case ErrorCode.NOT_LEADER_OR_FOLLOWER:
      case ErrorCode.KAFKA_STORAGE_ERROR:
        return ErrorCode.NOT_COORDINATOR;
      default:
        return ErrorCode.UNKNOWN_SERVER_ERROR;
    }
  }

  // ---- timers' questions ---------------------------------------------------------------------

  /** Ongoing transactions (no transition pending) open longer than their timeout. */
  timedOutTransactions(now = this.deps.clock.now()): TransactionMetadata[] {
    if (!this.active) return [];
    return this.allTransactions().filter(
      (m) => !m.pendingTransitionInProgress && m.state === TransactionState.Ongoing && m.txnStartTimestamp + m.txnTimeoutMs < now,
    );
  }

  /**
   * Tombstones and forgets ids with no transaction under way whose last update is at least
   * transactional.id.expiration.ms old. Returns how many went.
   */
  removeExpiredTransactionalIds(now = this.deps.clock.now()): number {
    if (!this.active) return 0;
    const expired = this.allTransactions().filter(
      (m) =>
        !m.pendingTransitionInProgress &&
        isExpirationAllowed(m.state) &&
        !this.loadingPartitions.has(this.partitionFor(m.transactionalId)) &&
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
        this.append(partition, list.map((m) => ({ key: encodeTransactionLogKey(m.transactionalId), value: null })));
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
    if (!this.active) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, unknownStateFilters: [], transactionStates: [] };
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
    this.active = true;
    const topic = this.deps.topics.get(TRANSACTION_STATE_TOPIC_NAME);
    if (topic) {
      for (let p = 0; p < topic.partitions; p++) this.loadingPartitions.add(p);
      for (let p = 0; p < topic.partitions; p++) {
        let loaded: TransactionMetadata[] = [];
        try {
          loaded = await this.loadPartition(p);
        } finally {
          this.loadingPartitions.delete(p);
        }
        for (const m of loaded) onLoaded(m);
      }
    }
    this.expiryTimer = setInterval(() => {
      try {
        this.removeExpiredTransactionalIds();
      } catch (err) {
        this.deps.logger.error(`Transactional id expiry failed: ${(err as Error).stack}`);
      }
    }, this.config.transactionRemoveExpiredTransactionCleanupIntervalMs);
    this.expiryTimer.unref();
  }

  shutdown(): void {
    this.active = false;
    clearInterval(this.expiryTimer);
    this.expiryTimer = undefined;
  }

  /** Every id of one partition, as the log says they are. */
  private async loadPartition(partition: number): Promise<TransactionMetadata[]> {
    const started = Date.now();
    const log = this.deps.replicaManager.partitionLog(TRANSACTION_STATE_TOPIC_NAME, partition);
    const latest = new Map<string, Buffer | null>();
    let offset = log.logStartOffset;
    while (offset < log.logEndOffset) {
      const data = log.read(offset, LOAD_READ_BYTES, { minOneBatch: true });
      let next = offset;
      for (const chunk of data.records) {
        for (const batch of iterateBatches(chunk)) {
          const header = readBatchHeader(batch);
          const last = Number(header.baseOffset) + header.lastOffsetDelta;
          next = Math.max(next, last + 1);
          if (last < offset || isControl(header.attributes)) continue;
          for (const r of decodeRecordBatch(batch).records) {
            if (r.key === null) continue;
            const id = decodeTransactionLogKey(r.key);
            if (id !== undefined) latest.set(id, r.value);
          }
        }
      }
      if (next <= offset) break; // nothing readable further on
      offset = next;
      await yieldToEventLoop();
    }
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
        this.deps.logger.error(`Skipping unreadable state of transactional id ${id} in ${TRANSACTION_STATE_TOPIC_NAME}-${partition}: ${(err as Error).message}`);
      }
    }
    if (loaded.length > 0 || log.logEndOffset > 0) {
      this.deps.logger.info(
        `Loaded ${loaded.length} transactional id(s) from ${TRANSACTION_STATE_TOPIC_NAME}-${partition} (offsets ${log.logStartOffset}-${log.logEndOffset}) in ${Date.now() - started} ms`,
      );
    }
    return loaded;
  }
}
