import { describe, expect, it } from 'vitest';
import {
  ALL_TRANSACTION_STATES,
  checkTransition,
  IllegalTransactionStateTransitionError,
  isExpirationAllowed,
  isValidTransition,
  parseTransactionState,
  TRANSACTION_STATE_IDS,
  TransactionState,
  transactionStateFromId,
} from './transaction-state.js';

describe('transaction state machine', () => {
  // Kafka's table (TransactionState, transaction version 1): [from, to] pairs that are allowed.
  const allowed: Array<[TransactionState, TransactionState]> = [
    ['Empty', 'Empty'],
    ['CompleteCommit', 'Empty'],
    ['CompleteAbort', 'Empty'],
    ['Ongoing', 'Ongoing'],
    ['Empty', 'Ongoing'],
    ['CompleteCommit', 'Ongoing'],
    ['CompleteAbort', 'Ongoing'],
    ['Ongoing', 'PrepareCommit'],
    ['Ongoing', 'PrepareAbort'],
    ['PrepareEpochFence', 'PrepareAbort'],
    ['PrepareCommit', 'CompleteCommit'],
    ['PrepareAbort', 'CompleteAbort'],
    ['Empty', 'Dead'],
    ['CompleteCommit', 'Dead'],
    ['CompleteAbort', 'Dead'],
    ['Ongoing', 'PrepareEpochFence'],
  ];

  it('allows exactly the transitions Kafka allows', () => {
    for (const from of ALL_TRANSACTION_STATES) {
      for (const to of ALL_TRANSACTION_STATES) {
        const expected = allowed.some(([f, t]) => f === from && t === to);
        expect(isValidTransition(from, to), `${from} -> ${to}`).toBe(expected);
      }
    }
  });

  it('guards every other transition with an error naming the states', () => {
    expect(() => checkTransition('tx', TransactionState.Empty, TransactionState.PrepareCommit)).toThrow(IllegalTransactionStateTransitionError);
    expect(() => checkTransition('tx', TransactionState.PrepareCommit, TransactionState.Ongoing)).toThrow(
      /Transactional id tx should be in one of Ongoing, Empty, CompleteCommit, CompleteAbort before moving to Ongoing, but is PrepareCommit/,
    );
    expect(() => checkTransition('tx', TransactionState.Ongoing, TransactionState.PrepareCommit)).not.toThrow();
  });

  it("uses Kafka's state ids, as stored in TransactionLogValue", () => {
    expect(TRANSACTION_STATE_IDS).toEqual({
      Empty: 0,
      Ongoing: 1,
      PrepareCommit: 2,
      PrepareAbort: 3,
      CompleteCommit: 4,
      CompleteAbort: 5,
      Dead: 6,
      PrepareEpochFence: 7,
    });
    for (const s of ALL_TRANSACTION_STATES) expect(transactionStateFromId(TRANSACTION_STATE_IDS[s])).toBe(s);
    expect(() => transactionStateFromId(8)).toThrow(RangeError);
  });

  it('lets an id expire only with no transaction under way', () => {
    expect(ALL_TRANSACTION_STATES.filter(isExpirationAllowed)).toEqual(['Empty', 'CompleteCommit', 'CompleteAbort']);
  });

  it('parses state names exactly, as ListTransactions filters them', () => {
    expect(parseTransactionState('Ongoing')).toBe('Ongoing');
    expect(parseTransactionState('ongoing')).toBeUndefined();
    expect(parseTransactionState('Committed')).toBeUndefined();
  });
});
