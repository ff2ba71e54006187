import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/errors.js';
import { topicPartitionKey } from '../../protocol/topic-partition.js';
import { ManualClock } from '../clock.js';
import { joinParams } from '../group/testing.js';
import { GROUP_METADATA_TOPIC_NAME, TRANSACTION_STATE_TOPIC_NAME } from '../metadata/internal-topics.js';
import { type InitProducerIdResult } from './transaction-coordinator.js';
import { MAX_PRODUCER_EPOCH } from './transaction-metadata.js';
import { openTestTxnCoordinator, readPartition, type TestTxnCoordinator, txnBatch } from './testing.js';

const TOPIC = 't';
const TIMEOUT = 10_000;

describe('TransactionCoordinator', () => {
  let t: TestTxnCoordinator | undefined;
  const dirs: string[] = [];
  afterEach(async () => {
    await t?.close();
    t = undefined;
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  async function open(opts: { dir?: string; clock?: ManualClock } = {}): Promise<TestTxnCoordinator> {
    await t?.close();
    t = await openTestTxnCoordinator(opts);
    if (!dirs.includes(t.dir)) dirs.push(t.dir);
    if (!t.topics.get(TOPIC)) t.topicManager.createTopic({ name: TOPIC, numPartitions: 2, replicationFactor: -1, assignments: [], configs: {} });
    return t;
  }

  function init(id = 'tx', expected?: { producerId: bigint; producerEpoch: number }): InitProducerIdResult {
    return (t as TestTxnCoordinator).txn.handleInitProducerId(id, TIMEOUT, expected);
  }

  function metadata(id = 'tx') {
    const lookup = (t as TestTxnCoordinator).stateManager.getTransactionState(id);
    if (lookup.error !== undefined) throw new Error(`lookup failed: ${lookup.error}`);
    return lookup.metadata;
  }

  /** Adds both partitions of TOPIC and writes one transactional batch to each. */
  function beginWithData(p: InitProducerIdResult, seq = 0, id = 'tx'): void {
    const c = t as TestTxnCoordinator;
    const partitions = [0, 1].map((partition) => ({ topic: TOPIC, partition }));
    expect(c.txn.handleAddPartitionsToTransaction(id, p.producerId, p.producerEpoch, partitions)).toBe(ErrorCode.NONE);
    for (const partition of [0, 1]) {
      const r = c.replicaManager.appendRecords(TOPIC, partition, txnBatch(p.producerId, p.producerEpoch, seq, [`v${seq}`]), 9);
      expect(r.errorCode).toBe(ErrorCode.NONE);
    }
  }

  const lso = (partition: number) => (t as TestTxnCoordinator).replicaManager.partitionLog(TOPIC, partition).lastStableOffset;
  const leo = (partition: number) => (t as TestTxnCoordinator).replicaManager.partitionLog(TOPIC, partition).logEndOffset;
  const markers = (topic: string, partition: number) => readPartition(t as TestTxnCoordinator, topic, partition).filter((b) => b.control);

  describe('InitProducerId', () => {
    it('hands an idempotent producer a new id with epoch 0, every time', async () => {
      const c = await open();
      const a = c.txn.handleInitProducerId(null, TIMEOUT);
      const b = c.txn.handleInitProducerId(null, TIMEOUT);
      expect([a.errorCode, a.producerEpoch, b.producerEpoch]).toEqual([0, 0, 0]);
      expect(b.producerId).toBe(a.producerId + 1n);
      expect(c.topics.get(TRANSACTION_STATE_TOPIC_NAME)).toBeUndefined();
    });

    it('refuses an empty transactional id and a timeout above transaction.max.timeout.ms', async () => {
      const c = await open();
      expect(c.txn.handleInitProducerId('', TIMEOUT).errorCode).toBe(ErrorCode.INVALID_REQUEST);
      expect(c.txn.handleInitProducerId('tx', 60_001).errorCode).toBe(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
      expect(c.txn.handleInitProducerId('tx', 0).errorCode).toBe(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
      expect(c.txn.handleInitProducerId('tx', 60_000).errorCode).toBe(ErrorCode.NONE);
    });

    it('gives a new transactional id epoch 0 and a known one the epoch bumped, recorded in __transaction_state', async () => {
      const c = await open();
      const first = init();
      expect(first).toMatchObject({ errorCode: 0, producerEpoch: 0 });
      expect(init()).toEqual({ errorCode: 0, producerId: first.producerId, producerEpoch: 1 });
      const partition = c.txn.partitionFor('tx');
      const records = readPartition(c, TRANSACTION_STATE_TOPIC_NAME, partition);
      expect(records.length).toBe(2);
      expect(c.topics.get(TRANSACTION_STATE_TOPIC_NAME)?.configs).toMatchObject({ 'cleanup.policy': 'compact' });
    });

    it('bumps with the current id and epoch (KIP-360) and fences anyone else', async () => {
      await open();
      const p = init();
      expect(init('tx', { producerId: p.producerId, producerEpoch: 0 })).toMatchObject({ errorCode: 0, producerEpoch: 1 });
      expect(init('tx', { producerId: p.producerId, producerEpoch: 0 })).toMatchObject({ errorCode: 0, producerEpoch: 1 }); // a retry
      expect(init('tx', { producerId: p.producerId + 100n, producerEpoch: 1 }).errorCode).toBe(ErrorCode.PRODUCER_FENCED);
      init(); // another instance: epoch 2, the last epoch forgotten
      expect(init('tx', { producerId: p.producerId, producerEpoch: 1 }).errorCode).toBe(ErrorCode.PRODUCER_FENCED);
    });

    it('rotates to a new producer id when the epochs are used up', async () => {
      await open();
      const p = init();
      const m = metadata();
      if (!m) throw new Error('no metadata');
      m.producerEpoch = MAX_PRODUCER_EPOCH - 2;
      expect(init()).toEqual({ errorCode: 0, producerId: p.producerId, producerEpoch: MAX_PRODUCER_EPOCH - 1 });
      const rotated = init();
      expect(rotated.producerEpoch).toBe(0);
      expect(rotated.producerId).not.toBe(p.producerId);
    });
  });

  describe('a transaction', () => {
    it('adds partitions (Ongoing), commits: PrepareCommit, a COMMIT marker on every partition, CompleteCommit', async () => {
      const c = await open();
      const p = init();
      beginWithData(p);
      expect(metadata()?.state).toBe('Ongoing');
      expect([lso(0), lso(1)]).toEqual([0, 0]);
      const stateBefore = readPartition(c, TRANSACTION_STATE_TOPIC_NAME, c.txn.partitionFor('tx')).length;
      // already in the transaction: answered without a write
      expect(c.txn.handleAddPartitionsToTransaction('tx', p.producerId, p.producerEpoch, [{ topic: TOPIC, partition: 1 }])).toBe(ErrorCode.NONE);
      expect(readPartition(c, TRANSACTION_STATE_TOPIC_NAME, c.txn.partitionFor('tx')).length).toBe(stateBefore);

      expect(c.txn.handleEndTransaction('tx', p.producerId, p.producerEpoch, true)).toBe(ErrorCode.NONE);
      expect(metadata()?.state).toBe('CompleteCommit');
      for (const partition of [0, 1]) {
        expect(markers(TOPIC, partition).map((b) => [b.marker, b.producerId, b.producerEpoch])).toEqual([['commit', p.producerId, 0]]);
        expect(lso(partition)).toBe(leo(partition));
      }
      // Ongoing, PrepareCommit, CompleteCommit after the InitProducerId's Empty
      expect(readPartition(c, TRANSACTION_STATE_TOPIC_NAME, c.txn.partitionFor('tx')).length).toBe(stateBefore + 2);
      // the same outcome again succeeds; the other is INVALID_TXN_STATE
      expect(c.txn.handleEndTransaction('tx', p.producerId, p.producerEpoch, true)).toBe(ErrorCode.NONE);
      expect(c.txn.handleEndTransaction('tx', p.producerId, p.producerEpoch, false)).toBe(ErrorCode.INVALID_TXN_STATE);
      // the next transaction of the same producer
      beginWithData(p, 1);
      expect(c.txn.handleEndTransaction('tx', p.producerId, p.producerEpoch, false)).toBe(ErrorCode.NONE);
      expect(markers(TOPIC, 0).map((b) => b.marker)).toEqual(['commit', 'abort']);
    });

    it('answers EndTxn without a transaction INVALID_TXN_STATE, and unknown ids or producer ids INVALID_PRODUCER_ID_MAPPING', async () => {
      await open();
      const p = init();
      const c = t as TestTxnCoordinator;
      expect(c.txn.handleEndTransaction('tx', p.producerId, 0, true)).toBe(ErrorCode.INVALID_TXN_STATE);
      expect(c.txn.handleEndTransaction('tx', p.producerId, 0, false)).toBe(ErrorCode.INVALID_TXN_STATE);
      expect(c.txn.handleEndTransaction('nope', p.producerId, 0, true)).toBe(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
      expect(c.txn.handleEndTransaction('tx', p.producerId + 1n, 0, true)).toBe(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
      expect(c.txn.handleAddPartitionsToTransaction('nope', p.producerId, 0, [{ topic: TOPIC, partition: 0 }])).toBe(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
      expect(c.txn.handleAddPartitionsToTransaction('tx', p.producerId, 1, [{ topic: TOPIC, partition: 0 }])).toBe(ErrorCode.PRODUCER_FENCED);
      expect(c.txn.handleEndTransaction('tx', p.producerId, 1, true)).toBe(ErrorCode.PRODUCER_FENCED);
      expect(c.txn.handleAddPartitionsToTransaction('', p.producerId, 0, [])).toBe(ErrorCode.INVALID_REQUEST);
    });

    it('verifies partitions without adding them (KIP-890)', async () => {
      const c = await open();
      const p = init();
      expect(c.txn.handleVerifyPartitionsInTransaction('tx', p.producerId, 0, [{ topic: TOPIC, partition: 0 }])).toEqual({
        partitions: new Map([[topicPartitionKey(TOPIC, 0), ErrorCode.TRANSACTION_ABORTABLE]]),
      });
      c.txn.handleAddPartitionsToTransaction('tx', p.producerId, 0, [{ topic: TOPIC, partition: 0 }]);
      const r = c.txn.handleVerifyPartitionsInTransaction('tx', p.producerId, 0, [
        { topic: TOPIC, partition: 0 },
        { topic: TOPIC, partition: 1 },
      ]);
      expect(r.error === undefined && [...r.partitions.values()]).toEqual([ErrorCode.NONE, ErrorCode.TRANSACTION_ABORTABLE]);
      expect(c.txn.handleVerifyPartitionsInTransaction('tx', p.producerId, 1, [{ topic: TOPIC, partition: 0 }])).toEqual({ error: ErrorCode.PRODUCER_FENCED });
      expect(metadata()?.topicPartitions.size).toBe(1);
    });
  });

  describe('fencing', () => {
    it('aborts the open transaction of an id that initializes again, bumping the epoch: CONCURRENT_TRANSACTIONS, then epoch + 2', async () => {
      const c = await open();
      const old = init();
      beginWithData(old);
      const first = init();
      expect(first.errorCode).toBe(ErrorCode.CONCURRENT_TRANSACTIONS);
      expect(metadata()).toMatchObject({ state: 'CompleteAbort', producerEpoch: 1 });
      for (const partition of [0, 1]) {
        expect(markers(TOPIC, partition).map((b) => [b.marker, b.producerEpoch])).toEqual([['abort', 1]]);
        expect(lso(partition)).toBe(leo(partition));
      }
      const retry = init();
      expect(retry).toEqual({ errorCode: 0, producerId: old.producerId, producerEpoch: 2 });
      // the old producer is fenced at the coordinator and on the partitions
      expect(c.txn.handleAddPartitionsToTransaction('tx', old.producerId, 0, [{ topic: TOPIC, partition: 0 }])).toBe(ErrorCode.PRODUCER_FENCED);
      expect(c.txn.handleEndTransaction('tx', old.producerId, 0, true)).toBe(ErrorCode.PRODUCER_FENCED);
      expect(c.replicaManager.appendRecords(TOPIC, 0, txnBatch(old.producerId, 0, 1, ['zombie']), 9).errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    });
  });

  describe('markers that cannot be written yet', () => {
    it('keep the transaction preparing (CONCURRENT_TRANSACTIONS) and are retried until written', async () => {
      const clock = new ManualClock();
      const c = await open({ clock });
      const p = init();
      beginWithData(p);
      c.markerFault = (topic, partition) => (partition === 1 ? { errorCode: ErrorCode.KAFKA_STORAGE_ERROR, errorMessage: 'disk', offset: -1n } : undefined);
      expect(c.txn.handleEndTransaction('tx', p.producerId, p.producerEpoch, true)).toBe(ErrorCode.NONE);
      expect(metadata()).toMatchObject({ state: 'PrepareCommit', pendingState: 'CompleteCommit' });
      expect(c.txn.handleDescribeTransactions('tx').topics).toEqual([{ topic: TOPIC, partitions: [1] }]);
      expect(markers(TOPIC, 0).length).toBe(1);
      expect(c.txn.handleAddPartitionsToTransaction('tx', p.producerId, p.producerEpoch, [{ topic: TOPIC, partition: 0 }])).toBe(
        ErrorCode.CONCURRENT_TRANSACTIONS,
      );
      expect(c.txn.handleEndTransaction('tx', p.producerId, p.producerEpoch, true)).toBe(ErrorCode.CONCURRENT_TRANSACTIONS);
      expect(init().errorCode).toBe(ErrorCode.CONCURRENT_TRANSACTIONS);
      // the writer tries again every retry backoff (20 ms in these tests)
      clock.advance(20);
      expect(markers(TOPIC, 1)).toEqual([]);
      c.markerFault = undefined;
      clock.advance(19);
      expect(metadata()).toMatchObject({ state: 'PrepareCommit', pendingState: 'CompleteCommit' });
      clock.advance(1);
      expect(metadata()).toMatchObject({ state: 'CompleteCommit', pendingState: undefined });
      expect(markers(TOPIC, 1).map((b) => b.marker)).toEqual(['commit']);
      expect(c.txn.handleEndTransaction('tx', p.producerId, p.producerEpoch, true)).toBe(ErrorCode.NONE);
    });

    it('skip a partition whose topic was deleted', async () => {
      const c = await open();
      c.topicManager.createTopic({ name: 'gone', numPartitions: 1, replicationFactor: -1, assignments: [], configs: {} });
      const p = init();
      c.txn.handleAddPartitionsToTransaction('tx', p.producerId, 0, [
        { topic: 'gone', partition: 0 },
        { topic: TOPIC, partition: 0 },
      ]);
      c.topicManager.deleteTopic('gone');
      expect(c.txn.handleEndTransaction('tx', p.producerId, 0, false)).toBe(ErrorCode.NONE);
      expect(metadata()?.state).toBe('CompleteAbort');
    });
  });

  describe('timeouts', () => {
    it('aborts a transaction open past its timeout, fencing the producer', async () => {
      const clock = new ManualClock();
      const c = await open({ clock });
      const p = init();
      beginWithData(p);
      // The reaper runs every transaction.abort.timed.out.transaction.cleanup.interval.ms (10 s) of
      // the clock. Its run at 10 s finds the transaction at its timeout (10 s), not past it …
      const reaperInterval = c.config.transactionAbortTimedOutTransactionCleanupIntervalMs;
      expect(reaperInterval).toBe(TIMEOUT);
      clock.advance(TIMEOUT);
      expect(metadata()?.state).toBe('Ongoing');
      // … and its next run aborts it.
      clock.advance(reaperInterval);
      expect(metadata()).toMatchObject({ state: 'CompleteAbort', producerEpoch: 1 });
      for (const partition of [0, 1]) expect(lso(partition)).toBe(leo(partition));
      expect(c.txn.handleEndTransaction('tx', p.producerId, 0, true)).toBe(ErrorCode.PRODUCER_FENCED);
      expect(init('tx', { producerId: p.producerId, producerEpoch: 0 }).errorCode).toBe(ErrorCode.PRODUCER_FENCED);
      expect(init().producerEpoch).toBe(2);
    });

    it('forgets a transactional id idle for transactional.id.expiration.ms, also after a restart', async () => {
      const clock = new ManualClock();
      const c = await open({ clock });
      // The expiry job runs every transaction.remove.expired.transaction.cleanup.interval.ms (1 h) of
      // the clock, so its run at 7 days is the first to find 'idle' idle for that long.
      const expiration = c.config.transactionalIdExpirationMs;
      expect(expiration % c.config.transactionRemoveExpiredTransactionCleanupIntervalMs).toBe(0);
      init('idle');
      clock.advance(expiration - 1);
      expect(metadata('idle')?.state).toBe('Empty');
      // 'busy' opens a transaction just before that run: an id in use is never forgotten
      const busy = init('busy');
      c.txn.handleAddPartitionsToTransaction('busy', busy.producerId, 0, [{ topic: TOPIC, partition: 0 }]);
      clock.advance(1);
      expect(metadata('idle')).toBeUndefined();
      expect(c.txn.handleDescribeTransactions('idle').errorCode).toBe(ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
      expect(metadata('busy')?.state).toBe('Ongoing');
      await open({ dir: c.dir, clock });
      expect(metadata('idle')).toBeUndefined();
      expect(metadata('busy')?.state).toBe('Ongoing');
    });
  });

  describe('recovery', () => {
    it('completes a transaction found in PrepareCommit after a restart, and keeps an Ongoing one open', async () => {
      const c = await open();
      const p = init();
      beginWithData(p);
      const q = init('other');
      beginWithData(q, 0, 'other');
      c.markerFault = () => ({ errorCode: ErrorCode.KAFKA_STORAGE_ERROR, errorMessage: 'disk', offset: -1n });
      expect(c.txn.handleEndTransaction('tx', p.producerId, 0, true)).toBe(ErrorCode.NONE);
      expect(metadata()?.state).toBe('PrepareCommit');
      expect(markers(TOPIC, 0).length).toBe(0);
      const dir = c.dir;
      await c.close();
      t = undefined;

      const u = await open({ dir });
      expect(metadata()).toMatchObject({ state: 'CompleteCommit', producerEpoch: 0, producerId: p.producerId });
      expect(metadata('other')).toMatchObject({ state: 'Ongoing', producerId: q.producerId });
      for (const partition of [0, 1]) {
        expect(markers(TOPIC, partition).map((b) => [b.marker, b.producerId])).toEqual([['commit', p.producerId]]);
        expect(lso(partition)).toBeLessThan(leo(partition)); // 'other' still holds it back
      }
      expect(u.txn.handleEndTransaction('other', q.producerId, 0, false)).toBe(ErrorCode.NONE);
      for (const partition of [0, 1]) expect(lso(partition)).toBe(leo(partition));
      // a completed transaction is not completed twice
      await open({ dir });
      expect(markers(TOPIC, 0).length).toBe(2);
    });
  });

  describe('TxnOffsetCommit', () => {
    const offsets = (offset: bigint) => [{ topic: TOPIC, partition: 0, offset, leaderEpoch: -1, metadata: null }];

    function commitOffsets(p: InitProducerIdResult, offset: bigint, extra: { generationId?: number; memberId?: string } = {}) {
      const c = t as TestTxnCoordinator;
      return c.coordinator.handleTxnCommitOffsets(
        {
          groupId: 'g',
          producerId: p.producerId,
          producerEpoch: p.producerEpoch,
          generationId: extra.generationId ?? -1,
          memberId: extra.memberId ?? '',
          groupInstanceId: null,
          offsets: offsets(offset),
        },
        (offsetsPartition) => {
          const r = c.txn.handleVerifyPartitionsInTransaction('tx', p.producerId, p.producerEpoch, [
            { topic: GROUP_METADATA_TOPIC_NAME, partition: offsetsPartition },
          ]);
          return r.error ?? [...r.partitions.values()][0];
        },
      );
    }
    const committed = () => (t as TestTxnCoordinator).coordinator.handleFetchOffsets('g', [{ topic: TOPIC, partition: 0 }], false).offsets[0].offset;

    it('needs the group in the transaction, stages the offsets, and shows them only on COMMIT', async () => {
      const c = await open();
      const p = init();
      expect(commitOffsets(p, 5n)[0].errorCode).toBe(ErrorCode.TRANSACTION_ABORTABLE);
      expect(c.txn.handleAddOffsetsToTransaction('tx', p.producerId, 0, 'g')).toBe(ErrorCode.NONE);
      expect(metadata()?.hasPartition(GROUP_METADATA_TOPIC_NAME, c.coordinator.partitionFor('g'))).toBe(true);
      expect(commitOffsets(p, 5n)[0].errorCode).toBe(ErrorCode.NONE);
      expect(committed()).toBe(-1n);
      expect(c.coordinator.handleFetchOffsets('g', [{ topic: TOPIC, partition: 0 }], true).offsets[0].errorCode).toBe(ErrorCode.UNSTABLE_OFFSET_COMMIT);
      expect(c.txn.handleEndTransaction('tx', p.producerId, 0, true)).toBe(ErrorCode.NONE);
      expect(committed()).toBe(5n);
      expect(markers(GROUP_METADATA_TOPIC_NAME, c.coordinator.partitionFor('g')).map((b) => b.marker)).toEqual(['commit']);

      // an aborted transaction's offsets are dropped
      c.txn.handleAddOffsetsToTransaction('tx', p.producerId, 0, 'g');
      expect(commitOffsets(p, 9n)[0].errorCode).toBe(ErrorCode.NONE);
      c.txn.handleEndTransaction('tx', p.producerId, 0, false);
      expect(committed()).toBe(5n);

      // and both survive a reload of __consumer_offsets
      await open({ dir: c.dir });
      expect(committed()).toBe(5n);
    });

    it('refuses a fenced producer, and checks member id and generation when given (KIP-447)', async () => {
      const c = await open();
      const p = init();
      c.txn.handleAddOffsetsToTransaction('tx', p.producerId, 0, 'g');
      expect(commitOffsets({ ...p, producerEpoch: 1 }, 5n)[0].errorCode).toBe(ErrorCode.PRODUCER_FENCED);
      expect(commitOffsets(p, 5n, { memberId: 'ghost' })[0].errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
      const joined = await c.coordinator.handleJoinGroup(joinParams({ groupId: 'g' }));
      expect(commitOffsets(p, 5n, { memberId: joined.memberId, generationId: joined.generationId + 1 })[0].errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
      expect(commitOffsets(p, 5n, { memberId: joined.memberId, generationId: joined.generationId })[0].errorCode).toBe(ErrorCode.NONE);
    });

    it('keeps a staged commit from an aborted-by-fencing transaction out of the group', async () => {
      const c = await open();
      const p = init();
      c.txn.handleAddOffsetsToTransaction('tx', p.producerId, 0, 'g');
      expect(commitOffsets(p, 7n)[0].errorCode).toBe(ErrorCode.NONE);
      expect(init().errorCode).toBe(ErrorCode.CONCURRENT_TRANSACTIONS);
      expect(committed()).toBe(-1n);
      expect(c.coordinator.handleFetchOffsets('g', [{ topic: TOPIC, partition: 0 }], true).offsets[0].errorCode).toBe(ErrorCode.NONE);
    });
  });

  describe('DescribeTransactions and ListTransactions', () => {
    it('describe state, timeout, start, producer and partitions; list with filters', async () => {
      const clock = new ManualClock();
      const c = await open({ clock });
      const p = init('a');
      init('b');
      c.txn.handleAddPartitionsToTransaction('a', p.producerId, 0, [
        { topic: TOPIC, partition: 1 },
        { topic: TOPIC, partition: 0 },
      ]);
      expect(c.txn.handleDescribeTransactions('a')).toEqual({
        errorCode: 0,
        transactionalId: 'a',
        transactionState: 'Ongoing',
        transactionTimeoutMs: TIMEOUT,
        transactionStartTimeMs: BigInt(clock.now()),
        producerId: p.producerId,
        producerEpoch: 0,
        topics: [{ topic: TOPIC, partitions: [0, 1] }],
      });
      expect(c.txn.handleDescribeTransactions('b')).toMatchObject({ transactionState: 'Empty', transactionStartTimeMs: -1n, topics: [] });
      expect(c.txn.handleDescribeTransactions('zzz').errorCode).toBe(ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
      expect(c.txn.handleDescribeTransactions('').errorCode).toBe(ErrorCode.INVALID_REQUEST);

      expect(c.txn.handleListTransactions([], []).transactionStates.map((s) => s.transactionalId)).toEqual(['a', 'b']);
      expect(c.txn.handleListTransactions([], ['Ongoing', 'Bogus'])).toEqual({
        errorCode: 0,
        unknownStateFilters: ['Bogus'],
        transactionStates: [{ transactionalId: 'a', producerId: p.producerId, transactionState: 'Ongoing' }],
      });
      expect(c.txn.handleListTransactions([p.producerId], []).transactionStates.map((s) => s.transactionalId)).toEqual(['a']);
      clock.advance(5000);
      expect(c.txn.handleListTransactions([], ['Ongoing'], 4000).transactionStates.length).toBe(1);
      expect(c.txn.handleListTransactions([], ['Ongoing'], 6000).transactionStates.length).toBe(0);
    });
  });
});
