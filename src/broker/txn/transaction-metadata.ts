/**
 * TransactionMetadata: what the coordinator knows of one transactional id — its producer id and
 * epoch (and the previous ones, for KIP-360 retries), the transaction timeout, the state, the
 * partitions of the open transaction and when it started and was last updated. Kafka's class of that
 * name.
 *
 * A change is two steps, as in Kafka: `prepare…` checks the transition against the state table
 * (`transaction-state.ts`), marks it pending and returns the target as an immutable
 * `TxnTransitMetadata`; once the TransactionLog record for it is written, `completeTransitionTo`
 * applies it (or `abortPendingTransition` forgets it when the write failed). While a transition is
 * pending, no other may be prepared: requests get CONCURRENT_TRANSACTIONS.
 *
 * Differences from Kafka, on purpose: fencing (`prepareFenceProducerEpoch`) goes straight to the
 * PrepareAbort transit with the bumped epoch — Kafka's PrepareEpochFence is only ever a pending
 * state and is never written, so the guard is checked for Ongoing → PrepareEpochFence → PrepareAbort
 * in one step; and the bumped epoch is never stored before its record is written, so Kafka's
 * "failed epoch fence" flag is not needed (a retry bumps from the same epoch to the same value).
 */
import { NO_PRODUCER_EPOCH, NO_PRODUCER_ID } from '../../protocol/batch-header.js';
import { ErrorCode } from '../../protocol/errors.js';
import { topicPartitionKey, topicPartitionOfKey } from '../../protocol/topic-partition.js';
import { checkTransition, TransactionState } from './transaction-state.js';

/** Short.MaxValue: the coordinator keeps the last epoch to itself, for fencing. */
export const MAX_PRODUCER_EPOCH = 32767;

/**
 * The epochs of a producer id are used up at Short.MaxValue - 1: the last one is kept so that the
 * coordinator can always fence the current producer (Kafka's TransactionMetadata.isEpochExhausted).
 */
export function isEpochExhausted(epoch: number): boolean {
  return epoch >= MAX_PRODUCER_EPOCH - 1;
}

/** The target of a state change, written to the log before it is applied. */
export interface TxnTransitMetadata {
  readonly producerId: bigint;
  readonly lastProducerId: bigint;
  readonly producerEpoch: number;
  readonly lastProducerEpoch: number;
  readonly txnTimeoutMs: number;
  readonly txnState: TransactionState;
  /** `topicPartitionKey`s. */
  readonly topicPartitions: ReadonlySet<string>;
  /** -1 when no transaction is open. */
  readonly txnStartTimestamp: number;
  readonly txnLastUpdateTimestamp: number;
}

/** A request's outcome that is an error code rather than a transition. */
export interface TransitError {
  error: number;
}

/** A state change that is not legal here: a coordinator bug, not a client's fault. */
export class IllegalTransactionMetadataError extends Error {
  override name = 'IllegalTransactionMetadataError';
}

export class TransactionMetadata {
  private stateValue: TransactionState;
  /** The state being moved to while its record is written (or its markers, for Complete*). */
  pendingState: TransactionState | undefined;
  private readonly partitions: Set<string>;

  constructor(
    readonly transactionalId: string,
    public producerId: bigint,
    public lastProducerId: bigint,
    public producerEpoch: number,
    public lastProducerEpoch: number,
    public txnTimeoutMs: number,
    state: TransactionState,
    topicPartitions: Iterable<string>,
    public txnStartTimestamp: number,
    public txnLastUpdateTimestamp: number,
  ) {
    this.stateValue = state;
    this.partitions = new Set(topicPartitions);
  }

  /** A transactional id seen for the first time: its producer id, no epoch yet, Empty. */
  static create(transactionalId: string, producerId: bigint, txnTimeoutMs: number, now: number): TransactionMetadata {
    return new TransactionMetadata(
      transactionalId,
      producerId,
      NO_PRODUCER_ID,
      NO_PRODUCER_EPOCH,
      NO_PRODUCER_EPOCH,
      txnTimeoutMs,
      TransactionState.Empty,
      [],
      -1,
      now,
    );
  }

  get state(): TransactionState {
    return this.stateValue;
  }

  get pendingTransitionInProgress(): boolean {
    return this.pendingState !== undefined;
  }

  get isProducerEpochExhausted(): boolean {
    return isEpochExhausted(this.producerEpoch);
  }

  /** The partitions of the open transaction (for Prepare*: those whose marker is not written yet). */
  get topicPartitions(): ReadonlySet<string> {
    return this.partitions;
  }

  hasPartition(topic: string, partition: number): boolean {
    return this.partitions.has(topicPartitionKey(topic, partition));
  }

  /** The partitions, sorted, grouped by topic: how DescribeTransactions and the log record list them. */
  partitionsByTopic(): Array<{ topic: string; partitions: number[] }> {
    return groupByTopic(this.partitions);
  }

  /** A marker reached this partition: it is no longer waited for. Only while preparing to commit or abort. */
  removePartition(topic: string, partition: number): void {
    if (this.state !== TransactionState.PrepareCommit && this.state !== TransactionState.PrepareAbort) {
      throw new IllegalTransactionMetadataError(`${this.transactionalId} is ${this.state}: no marker should be written now`);
    }
    this.partitions.delete(topicPartitionKey(topic, partition));
  }

  // ---- prepared transitions ------------------------------------------------------------------

  /**
   * Aborts the open transaction with the epoch bumped, so that the current producer is fenced by the
   * markers (InitProducerId of a new instance, or the timeout reaper). Ongoing → (PrepareEpochFence)
   * → PrepareAbort; the last epoch is forgotten, so the fenced producer cannot claim it (KIP-360).
   */
  prepareFenceProducerEpoch(now: number): TxnTransitMetadata {
    if (this.producerEpoch >= MAX_PRODUCER_EPOCH) {
      throw new IllegalTransactionMetadataError(
        `cannot fence producer ${this.producerId} of ${this.transactionalId}: its epoch is already ${this.producerEpoch}`,
      );
    }
    this.checkNoPending(TransactionState.PrepareEpochFence);
    checkTransition(this.transactionalId, this.state, TransactionState.PrepareEpochFence);
    checkTransition(this.transactionalId, TransactionState.PrepareEpochFence, TransactionState.PrepareAbort);
    const changes = { producerEpoch: this.producerEpoch + 1, lastProducerEpoch: NO_PRODUCER_EPOCH, txnLastUpdateTimestamp: now };
    return this.prepareTransitionTo(TransactionState.PrepareAbort, changes, false);
  }

  /**
   * InitProducerId on an id with no open transaction: epoch + 1 (→ Empty). With the caller's current
   * epoch (KIP-360): bump when it is the current one, answer the current epoch again when it is the
   * previous one (a retry whose answer was lost), else PRODUCER_FENCED.
   */
  prepareIncrementProducerEpoch(newTxnTimeoutMs: number, expectedEpoch: number | undefined, now: number): TxnTransitMetadata | TransitError {
    const bumped = this.producerEpoch + 1;
    let next: [number, number];
    if (expectedEpoch === undefined) next = [bumped, NO_PRODUCER_EPOCH];
    else if (this.producerEpoch === NO_PRODUCER_EPOCH || expectedEpoch === this.producerEpoch) next = [bumped, this.producerEpoch];
    else if (expectedEpoch === this.lastProducerEpoch) next = [this.producerEpoch, this.lastProducerEpoch];
    else return { error: ErrorCode.PRODUCER_FENCED };
    if (next[0] === bumped && this.isProducerEpochExhausted) {
      throw new IllegalTransactionMetadataError(`no producer epochs left for producer ${this.producerId} of ${this.transactionalId}`);
    }
    return this.prepareTransitionTo(TransactionState.Empty, {
      lastProducerId: this.producerId,
      producerEpoch: next[0],
      lastProducerEpoch: next[1],
      txnTimeoutMs: newTxnTimeoutMs,
      topicPartitions: new Set(),
      txnStartTimestamp: -1,
      txnLastUpdateTimestamp: now,
    });
  }

  /** The epochs of this producer id are used up: a new producer id with epoch 0 (→ Empty). */
  prepareProducerIdRotation(newProducerId: bigint, newTxnTimeoutMs: number, now: number, recordLastEpoch: boolean): TxnTransitMetadata {
    if (this.state === TransactionState.Ongoing || this.state === TransactionState.PrepareCommit || this.state === TransactionState.PrepareAbort) {
      throw new IllegalTransactionMetadataError(`cannot rotate the producer id of ${this.transactionalId} while a transaction is ${this.state}`);
    }
    return this.prepareTransitionTo(TransactionState.Empty, {
      producerId: newProducerId,
      lastProducerId: this.producerId,
      producerEpoch: 0,
      lastProducerEpoch: recordLastEpoch ? this.producerEpoch : NO_PRODUCER_EPOCH,
      txnTimeoutMs: newTxnTimeoutMs,
      topicPartitions: new Set(),
      txnStartTimestamp: -1,
      txnLastUpdateTimestamp: now,
    });
  }

  /** AddPartitionsToTxn / AddOffsetsToTxn: → Ongoing with the partitions added; a new transaction starts now. */
  prepareAddPartitions(added: Iterable<string>, now: number): TxnTransitMetadata {
    const starting = this.state === TransactionState.Empty || this.state === TransactionState.CompleteCommit || this.state === TransactionState.CompleteAbort;
    return this.prepareTransitionTo(TransactionState.Ongoing, {
      topicPartitions: new Set([...this.partitions, ...added]),
      txnStartTimestamp: starting ? now : this.txnStartTimestamp,
      txnLastUpdateTimestamp: now,
    });
  }

  /** EndTxn: Ongoing → PrepareCommit or PrepareAbort. */
  prepareAbortOrCommit(newState: typeof TransactionState.PrepareCommit | typeof TransactionState.PrepareAbort, now: number): TxnTransitMetadata {
    return this.prepareTransitionTo(newState, { txnLastUpdateTimestamp: now });
  }

  /** Every marker is written: PrepareCommit → CompleteCommit, PrepareAbort → CompleteAbort. */
  prepareComplete(now: number): TxnTransitMetadata {
    const newState = this.state === TransactionState.PrepareCommit ? TransactionState.CompleteCommit : TransactionState.CompleteAbort;
    return this.prepareTransitionTo(newState, { topicPartitions: new Set(), txnLastUpdateTimestamp: now });
  }

  /** transactional.id.expiration.ms has passed: → Dead (a tombstone is written). */
  prepareDead(): TxnTransitMetadata {
    return this.prepareTransitionTo(TransactionState.Dead, { topicPartitions: new Set() });
  }

  /** The transition's record is written: apply it. Throws if it is not the one pending. */
  completeTransitionTo(t: TxnTransitMetadata): void {
    if (this.pendingState !== t.txnState) {
      throw new IllegalTransactionMetadataError(
        `${this.transactionalId}: completing a transition to ${t.txnState}, but the pending state is ${this.pendingState ?? 'none'}`,
      );
    }
    if (t.txnLastUpdateTimestamp < this.txnLastUpdateTimestamp && t.txnState !== TransactionState.Dead) {
      // The clock went backwards; Kafka refuses, a single node just keeps the newer time.
      t = { ...t, txnLastUpdateTimestamp: this.txnLastUpdateTimestamp };
    }
    this.stateValue = t.txnState;
    this.producerId = t.producerId;
    this.lastProducerId = t.lastProducerId;
    this.producerEpoch = t.producerEpoch;
    this.lastProducerEpoch = t.lastProducerEpoch;
    this.txnTimeoutMs = t.txnTimeoutMs;
    this.partitions.clear();
    for (const k of t.topicPartitions) this.partitions.add(k);
    this.txnStartTimestamp = t.txnStartTimestamp;
    this.txnLastUpdateTimestamp = t.txnLastUpdateTimestamp;
    this.pendingState = undefined;
  }

  /** The transition's record could not be written: nothing changes. */
  abortPendingTransition(): void {
    this.pendingState = undefined;
  }

  /** The metadata as a transit to its own state (for writing it again). */
  snapshot(): TxnTransitMetadata {
    return {
      producerId: this.producerId,
      lastProducerId: this.lastProducerId,
      producerEpoch: this.producerEpoch,
      lastProducerEpoch: this.lastProducerEpoch,
      txnTimeoutMs: this.txnTimeoutMs,
      txnState: this.state,
      topicPartitions: new Set(this.partitions),
      txnStartTimestamp: this.txnStartTimestamp,
      txnLastUpdateTimestamp: this.txnLastUpdateTimestamp,
    };
  }

  toString(): string {
    return (
      `TransactionMetadata(transactionalId=${this.transactionalId}, producerId=${this.producerId}, producerEpoch=${this.producerEpoch}, ` +
      `txnTimeoutMs=${this.txnTimeoutMs}, state=${this.state}, pendingState=${this.pendingState ?? 'none'}, ` +
      `topicPartitions=[${this.partitionsByTopic()
        .flatMap((g) => g.partitions.map((p) => `${g.topic}-${p}`))
        .join(', ')}])`
    );
  }

  private checkNoPending(to: TransactionState): void {
    if (this.pendingState !== undefined) {
      throw new IllegalTransactionMetadataError(`${this.transactionalId}: preparing a transition to ${to} while ${this.pendingState} is pending`);
    }
  }

  /**
   * The one way a transition is prepared: the current values except `changes`, checked by the guard
   * (unless the caller has checked a longer path itself), and marked pending.
   */
  private prepareTransitionTo(to: TransactionState, changes: Partial<TxnTransitMetadata>, guard = true): TxnTransitMetadata {
    this.checkNoPending(to);
    if (guard) checkTransition(this.transactionalId, this.state, to);
    const t: TxnTransitMetadata = { ...this.snapshot(), ...changes, txnState: to };
    if (t.producerId < 0n) throw new IllegalTransactionMetadataError(`illegal producer id ${t.producerId}`);
    if (to !== TransactionState.Dead && t.producerEpoch < 0) throw new IllegalTransactionMetadataError(`illegal producer epoch ${t.producerEpoch}`);
    this.pendingState = to;
    return t;
  }
}

/** `topicPartitionKey`s, sorted, grouped by topic. */
export function groupByTopic(keys: Iterable<string>): Array<{ topic: string; partitions: number[] }> {
  const byTopic = new Map<string, number[]>();
  for (const k of keys) {
    const { topic, partition } = topicPartitionOfKey(k);
    const list = byTopic.get(topic);
    if (list) list.push(partition);
    else byTopic.set(topic, [partition]);
  }
  return [...byTopic.keys()].sort().map((topic) => ({ topic, partitions: (byTopic.get(topic) as number[]).sort((a, b) => a - b) }));
}
