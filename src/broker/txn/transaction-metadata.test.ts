import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/errors.js';
import { topicPartitionKey } from '../../protocol/topic-partition.js';
import { IllegalTransactionMetadataError, MAX_PRODUCER_EPOCH, TransactionMetadata, type TxnTransitMetadata } from './transaction-metadata.js';
import { IllegalTransactionStateTransitionError, TransactionState } from './transaction-state.js';

const T0 = 1_700_000_000_000;

function ongoing(epoch = 3): TransactionMetadata {
  const m = new TransactionMetadata('tx', 7n, 7n, epoch, -1, 60_000, TransactionState.Empty, [], -1, T0);
  m.completeTransitionTo(m.prepareAddPartitions([topicPartitionKey('t', 0), topicPartitionKey('t', 1)], T0 + 10));
  return m;
}

describe('TransactionMetadata', () => {
  it('starts new: its producer id, no epoch, Empty; the first InitProducerId gives epoch 0', () => {
    const m = TransactionMetadata.create('tx', 5n, 30_000, T0);
    expect([m.state, m.producerId, m.producerEpoch, m.txnStartTimestamp]).toEqual(['Empty', 5n, -1, -1]);
    const t = m.prepareIncrementProducerEpoch(30_000, undefined, T0 + 1) as TxnTransitMetadata;
    expect(m.pendingState).toBe('Empty');
    m.completeTransitionTo(t);
    expect([m.producerEpoch, m.lastProducerEpoch, m.pendingState]).toEqual([0, -1, undefined]);
  });

  it('adds partitions: a transaction starts at the first, later additions keep its start time', () => {
    const m = ongoing();
    expect([m.state, m.txnStartTimestamp, [...m.topicPartitions]]).toEqual(['Ongoing', T0 + 10, [topicPartitionKey('t', 0), topicPartitionKey('t', 1)]]);
    m.completeTransitionTo(m.prepareAddPartitions([topicPartitionKey('u', 0)], T0 + 20));
    expect(m.txnStartTimestamp).toBe(T0 + 10);
    expect(m.txnLastUpdateTimestamp).toBe(T0 + 20);
    expect(m.partitionsByTopic()).toEqual([
      { topic: 't', partitions: [0, 1] },
      { topic: 'u', partitions: [0] },
    ]);
  });

  it('goes Ongoing → PrepareCommit → CompleteCommit, partitions leaving as their markers are written', () => {
    const m = ongoing();
    m.completeTransitionTo(m.prepareAbortOrCommit(TransactionState.PrepareCommit, T0 + 30));
    const complete = m.prepareComplete(T0 + 40);
    expect(complete.topicPartitions.size).toBe(0);
    m.removePartition('t', 0);
    expect([...m.topicPartitions]).toEqual([topicPartitionKey('t', 1)]);
    m.completeTransitionTo(complete);
    expect([m.state, m.topicPartitions.size, m.txnStartTimestamp]).toEqual(['CompleteCommit', 0, T0 + 10]);
    expect(() => m.removePartition('t', 1)).toThrow(IllegalTransactionMetadataError);
  });

  it('allows one pending transition at a time, and forgets one whose write failed', () => {
    const m = ongoing();
    m.prepareAbortOrCommit(TransactionState.PrepareAbort, T0);
    expect(m.pendingTransitionInProgress).toBe(true);
    expect(() => m.prepareAbortOrCommit(TransactionState.PrepareCommit, T0)).toThrow(IllegalTransactionMetadataError);
    m.abortPendingTransition();
    expect([m.state, m.pendingState]).toEqual(['Ongoing', undefined]);
  });

  it('refuses transitions the state table does not list', () => {
    const m = TransactionMetadata.create('tx', 5n, 30_000, T0);
    expect(() => m.prepareAbortOrCommit(TransactionState.PrepareCommit, T0)).toThrow(IllegalTransactionStateTransitionError);
    expect(() => m.prepareFenceProducerEpoch(T0)).toThrow(IllegalTransactionStateTransitionError);
    expect(m.pendingState).toBeUndefined();
  });

  it('fences: Ongoing → PrepareAbort with the epoch bumped and the previous epoch forgotten', () => {
    const m = ongoing(3);
    const t = m.prepareFenceProducerEpoch(T0 + 50);
    expect([t.txnState, t.producerEpoch, t.lastProducerEpoch, t.topicPartitions.size]).toEqual(['PrepareAbort', 4, -1, 2]);
    expect(m.producerEpoch).toBe(3); // nothing changes before the record is written
    m.completeTransitionTo(t);
    expect([m.state, m.producerEpoch]).toEqual(['PrepareAbort', 4]);
  });

  it('bumps with the caller’s epoch (KIP-360): current → bump, previous → the same answer again, other → PRODUCER_FENCED', () => {
    const m = new TransactionMetadata('tx', 7n, 7n, 3, -1, 60_000, TransactionState.CompleteCommit, [], T0, T0);
    const t = m.prepareIncrementProducerEpoch(60_000, 3, T0 + 1) as TxnTransitMetadata;
    expect([t.producerEpoch, t.lastProducerEpoch]).toEqual([4, 3]);
    m.completeTransitionTo(t);
    // the answer was lost and the producer asks again with epoch 3
    const again = m.prepareIncrementProducerEpoch(60_000, 3, T0 + 2) as TxnTransitMetadata;
    expect([again.producerEpoch, again.lastProducerEpoch]).toEqual([4, 3]);
    m.completeTransitionTo(again);
    expect(m.prepareIncrementProducerEpoch(60_000, 1, T0 + 3)).toEqual({ error: ErrorCode.PRODUCER_FENCED });
    expect(m.pendingState).toBeUndefined();
  });

  it('rotates the producer id when the epochs are used up', () => {
    const m = new TransactionMetadata('tx', 7n, 7n, MAX_PRODUCER_EPOCH - 1, -1, 60_000, TransactionState.Empty, [], -1, T0);
    expect(m.isProducerEpochExhausted).toBe(true);
    expect(() => m.prepareIncrementProducerEpoch(60_000, undefined, T0)).toThrow(IllegalTransactionMetadataError);
    const t = m.prepareProducerIdRotation(8n, 60_000, T0, true);
    m.completeTransitionTo(t);
    expect([m.producerId, m.producerEpoch, m.lastProducerId, m.lastProducerEpoch]).toEqual([8n, 0, 7n, MAX_PRODUCER_EPOCH - 1]);
  });

  it('goes Dead only with no transaction under way', () => {
    expect(() => ongoing().prepareDead()).toThrow(IllegalTransactionStateTransitionError);
    const m = TransactionMetadata.create('tx', 5n, 30_000, T0);
    m.completeTransitionTo(m.prepareDead());
    expect(m.state).toBe('Dead');
  });
});
