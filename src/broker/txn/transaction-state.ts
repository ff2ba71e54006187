/**
 * A transactional id's states, as data: each state lists the states it may be entered from, and
 * `checkTransition` is the one guard every transition goes through. Names and ids are Kafka's: the
 * name is what DescribeTransactions and ListTransactions report, the id what a TransactionLogValue
 * record in __transaction_state stores.
 *
 * The table is Kafka's for transaction version 1 (docs/transactions.md): PrepareAbort is entered from
 * Ongoing or PrepareEpochFence only — the extra ways in that transaction version 2 opened (an abort
 * from Empty or Complete*) belong to EndTxn v5, which this broker does not accept.
 */

export const TransactionState = {
  /** No transaction open: the id has a producer id and epoch, nothing else. */
  Empty: 'Empty',
  /** A transaction is open: partitions (or a group's offsets) have been added. */
  Ongoing: 'Ongoing',
  /** EndTxn(commit) is recorded; markers are being written. */
  PrepareCommit: 'PrepareCommit',
  /** EndTxn(abort), a timeout or a fencing InitProducerId is recorded; markers are being written. */
  PrepareAbort: 'PrepareAbort',
  /** Every marker of the committed transaction is written. */
  CompleteCommit: 'CompleteCommit',
  /** Every marker of the aborted transaction is written. */
  CompleteAbort: 'CompleteAbort',
  /** The id expired and is being removed. */
  Dead: 'Dead',
  /** The epoch is being bumped to fence the producer before its open transaction is aborted. */
  PrepareEpochFence: 'PrepareEpochFence',
} as const;

export type TransactionState = (typeof TransactionState)[keyof typeof TransactionState];

export const ALL_TRANSACTION_STATES: readonly TransactionState[] = Object.values(TransactionState);

/** Kafka's TransactionState ids, as `TransactionStatus` in a TransactionLogValue. */
export const TRANSACTION_STATE_IDS: Readonly<Record<TransactionState, number>> = {
  Empty: 0,
  Ongoing: 1,
  PrepareCommit: 2,
  PrepareAbort: 3,
  CompleteCommit: 4,
  CompleteAbort: 5,
  Dead: 6,
  PrepareEpochFence: 7,
};

export const VALID_PREVIOUS_STATES: Readonly<Record<TransactionState, readonly TransactionState[]>> = {
  Empty: [TransactionState.Empty, TransactionState.CompleteCommit, TransactionState.CompleteAbort],
  Ongoing: [TransactionState.Ongoing, TransactionState.Empty, TransactionState.CompleteCommit, TransactionState.CompleteAbort],
  PrepareCommit: [TransactionState.Ongoing],
  PrepareAbort: [TransactionState.Ongoing, TransactionState.PrepareEpochFence],
  CompleteCommit: [TransactionState.PrepareCommit],
  CompleteAbort: [TransactionState.PrepareAbort],
  Dead: [TransactionState.Empty, TransactionState.CompleteCommit, TransactionState.CompleteAbort],
  PrepareEpochFence: [TransactionState.Ongoing],
};

export function isValidTransition(from: TransactionState, to: TransactionState): boolean {
  return VALID_PREVIOUS_STATES[to].includes(from);
}

/** A transition the state machine does not allow: a coordinator bug, never a client's fault. */
export class IllegalTransactionStateTransitionError extends Error {
  override name = 'IllegalTransactionStateTransitionError';
}

export function checkTransition(transactionalId: string, from: TransactionState, to: TransactionState): void {
  if (!isValidTransition(from, to)) {
    throw new IllegalTransactionStateTransitionError(
      `Transactional id ${transactionalId} should be in one of ${VALID_PREVIOUS_STATES[to].join(', ')} before moving to ${to}, but is ${from}`,
    );
  }
}

/** States a transactional id may expire in (transactional.id.expiration.ms): no transaction under way. */
export function isExpirationAllowed(state: TransactionState): boolean {
  return state === TransactionState.Empty || state === TransactionState.CompleteCommit || state === TransactionState.CompleteAbort;
}

/** The state stored as `id` in a TransactionLogValue; throws on an id Kafka never wrote. */
export function transactionStateFromId(id: number): TransactionState {
  const state = ALL_TRANSACTION_STATES.find((s) => TRANSACTION_STATE_IDS[s] === id);
  if (state === undefined) throw new RangeError(`unknown transaction state id ${id}`);
  return state;
}

/** A state by its exact name (ListTransactions' filters are case-sensitive in Kafka), or undefined. */
export function parseTransactionState(name: string): TransactionState | undefined {
  return ALL_TRANSACTION_STATES.find((s) => s === name);
}
