/**
 * The transaction APIs request by request with our own codec, for the answers no client library
 * shows: Kafka's error code for each kind of bad input, per request version (KIP-588's
 * PRODUCER_FENCED from AddPartitionsToTxn/AddOffsetsToTxn/EndTxn v2 and InitProducerId v4,
 * INVALID_PRODUCER_EPOCH before), TxnOffsetCommit for a group that is not in the transaction, the
 * batched AddPartitionsToTxn v4+ with VerifyOnly, FindCoordinator for transactional ids, and
 * DescribeTransactions / ListTransactions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AddOffsetsToTxn } from '../../src/protocol/apis/add-offsets-to-txn.js';
import { AddPartitionsToTxn } from '../../src/protocol/apis/add-partitions-to-txn.js';
import { DescribeTransactions } from '../../src/protocol/apis/describe-transactions.js';
import { EndTxn } from '../../src/protocol/apis/end-txn.js';
import { FindCoordinator } from '../../src/protocol/apis/find-coordinator.js';
import { InitProducerId } from '../../src/protocol/apis/init-producer-id.js';
import { ListTransactions } from '../../src/protocol/apis/list-transactions.js';
import { TxnOffsetCommit, type TxnOffsetCommitRequest } from '../../src/protocol/apis/txn-offset-commit.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { removeDir, startBroker, type TestBroker } from '../support/broker.js';
import { RawKafka } from '../support/raw-kafka.js';

const TOPIC = 'raw-txn';

describe('transaction APIs over the wire', () => {
  let b: TestBroker;
  let raw: RawKafka;

  beforeAll(async () => {
    b = await startBroker({ 'offsets.topic.num.partitions': '3', 'transaction.state.log.num.partitions': '3', 'transaction.max.timeout.ms': '60000' });
    b.server.services.topicManager.createTopic({ name: TOPIC, numPartitions: 2, replicationFactor: -1, assignments: [], configs: {} });
    raw = await RawKafka.connect(b.bootstrap);
  });

  afterAll(async () => {
    await b?.stop();
    if (b) removeDir(b.logDir);
  });

  async function init(transactionalId: string, version = 1, current?: { producerId: bigint; producerEpoch: number }, timeoutMs = 30_000) {
    return raw.send(InitProducerId, version, {
      transactionalId,
      transactionTimeoutMs: timeoutMs,
      producerId: current?.producerId ?? -1n,
      producerEpoch: current?.producerEpoch ?? -1,
    });
  }

  async function addPartitions(version: number, transactionalId: string, producerId: bigint, producerEpoch: number, partitions: number[], topic = TOPIC) {
    const res = await raw.send(AddPartitionsToTxn, version, {
      v3AndBelowTransactionalId: transactionalId,
      v3AndBelowProducerId: producerId,
      v3AndBelowProducerEpoch: producerEpoch,
      v3AndBelowTopics: [{ name: topic, partitions }],
    });
    return (res.resultsByTopicV3AndBelow ?? []).flatMap((t) => t.resultsByPartition.map((p) => p.partitionErrorCode));
  }

  async function endTxn(version: number, transactionalId: string, producerId: bigint, producerEpoch: number, committed = true) {
    return (await raw.send(EndTxn, version, { transactionalId, producerId, producerEpoch, committed })).errorCode;
  }

  async function txnOffsetCommit(
    version: number,
    body: Partial<TxnOffsetCommitRequest> & Pick<TxnOffsetCommitRequest, 'transactionalId' | 'producerId' | 'producerEpoch'>,
  ) {
    const res = await raw.send(TxnOffsetCommit, version, {
      groupId: 'raw-group',
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, committedOffset: 5n, committedLeaderEpoch: -1, committedMetadata: null }] }],
      ...body,
    });
    return res.topics.flatMap((t) => t.partitions.map((p) => p.errorCode));
  }

  it('finds the coordinator of a transactional id on this node, creating __transaction_state', async () => {
    const v1 = await raw.send(FindCoordinator, 1, { key: 'raw-a', keyType: 1 });
    expect(v1).toMatchObject({ errorCode: ErrorCode.NONE, nodeId: b.server.services.nodeId, port: b.broker.port });
    const v4 = await raw.send(FindCoordinator, 4, { keyType: 1, coordinatorKeys: ['raw-a', ''] });
    expect(v4.coordinators?.map((c) => c.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.INVALID_REQUEST]);
    expect(b.server.services.topics.get('__transaction_state')).toMatchObject({ partitions: 3 });
  });

  it('InitProducerId: a bad timeout, an empty id, and a stale current epoch per version', async () => {
    expect((await init('raw-init', 1, undefined, 60_001)).errorCode).toBe(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    expect((await init('', 1)).errorCode).toBe(ErrorCode.INVALID_REQUEST);
    const first = await init('raw-init', 3);
    expect(first).toMatchObject({ errorCode: ErrorCode.NONE, producerEpoch: 0 });
    expect(await init('raw-init', 3, { producerId: first.producerId, producerEpoch: 0 })).toMatchObject({ errorCode: ErrorCode.NONE, producerEpoch: 1 });
    await init('raw-init', 3); // another instance: epoch 2
    expect((await init('raw-init', 3, { producerId: first.producerId, producerEpoch: 1 })).errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    expect((await init('raw-init', 4, { producerId: first.producerId, producerEpoch: 1 })).errorCode).toBe(ErrorCode.PRODUCER_FENCED);
    expect((await init('raw-init', 3, { producerId: first.producerId, producerEpoch: -1 })).errorCode).toBe(ErrorCode.INVALID_REQUEST);
  });

  it('EndTxn with no transaction open is INVALID_TXN_STATE; for an unknown id INVALID_PRODUCER_ID_MAPPING', async () => {
    const p = await init('raw-end');
    for (const version of [0, 1, 2, 3, 4]) {
      expect(await endTxn(version, 'raw-end', p.producerId, p.producerEpoch, true), `v${version}`).toBe(ErrorCode.INVALID_TXN_STATE);
      expect(await endTxn(version, 'raw-end', p.producerId, p.producerEpoch, false), `v${version}`).toBe(ErrorCode.INVALID_TXN_STATE);
    }
    expect(await endTxn(3, 'no-such-id', p.producerId, 0)).toBe(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    expect(await endTxn(3, 'raw-end', p.producerId + 1000n, 0)).toBe(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
  });

  it('a stale epoch is INVALID_PRODUCER_EPOCH before v2 and PRODUCER_FENCED from v2 (AddPartitionsToTxn, AddOffsetsToTxn, EndTxn)', async () => {
    const old = await init('raw-stale');
    const current = await init('raw-stale');
    expect(current.producerEpoch).toBe(old.producerEpoch + 1);
    for (const [version, expected] of [
      [0, ErrorCode.INVALID_PRODUCER_EPOCH],
      [1, ErrorCode.INVALID_PRODUCER_EPOCH],
      [2, ErrorCode.PRODUCER_FENCED],
      [3, ErrorCode.PRODUCER_FENCED],
    ] as const) {
      expect(await addPartitions(version, 'raw-stale', old.producerId, old.producerEpoch, [0, 1]), `AddPartitionsToTxn v${version}`).toEqual([
        expected,
        expected,
      ]);
      const addOffsets = await raw.send(AddOffsetsToTxn, version, {
        transactionalId: 'raw-stale',
        producerId: old.producerId,
        producerEpoch: old.producerEpoch,
        groupId: 'g',
      });
      expect(addOffsets.errorCode, `AddOffsetsToTxn v${version}`).toBe(expected);
      expect(await endTxn(version, 'raw-stale', old.producerId, old.producerEpoch), `EndTxn v${version}`).toBe(expected);
    }
    // the current epoch works; a partition that does not exist spoils the whole request
    expect(await addPartitions(3, 'raw-stale', current.producerId, current.producerEpoch, [0, 7])).toEqual([
      ErrorCode.OPERATION_NOT_ATTEMPTED,
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    ]);
    expect(await addPartitions(3, 'raw-stale', current.producerId, current.producerEpoch, [0, 1])).toEqual([ErrorCode.NONE, ErrorCode.NONE]);
    expect(await endTxn(3, 'raw-stale', current.producerId, current.producerEpoch, false)).toBe(ErrorCode.NONE);
  });

  it('AddPartitionsToTxn v4+ answers each transaction, and VerifyOnly adds nothing', async () => {
    const p = await init('raw-batched');
    const q = await init('raw-batched-2');
    await addPartitions(3, 'raw-batched', p.producerId, p.producerEpoch, [0]);
    const res = await raw.send(AddPartitionsToTxn, 5, {
      transactions: [
        {
          transactionalId: 'raw-batched',
          producerId: p.producerId,
          producerEpoch: p.producerEpoch,
          verifyOnly: true,
          topics: [{ name: TOPIC, partitions: [0, 1] }],
        },
        {
          transactionalId: 'raw-batched-2',
          producerId: q.producerId,
          producerEpoch: q.producerEpoch,
          verifyOnly: false,
          topics: [{ name: TOPIC, partitions: [1] }],
        },
        {
          transactionalId: 'raw-batched-2',
          producerId: q.producerId,
          producerEpoch: q.producerEpoch + 1,
          verifyOnly: true,
          topics: [{ name: TOPIC, partitions: [1] }],
        },
      ],
    });
    expect(res.errorCode).toBe(ErrorCode.NONE);
    const codes = res.resultsByTransaction?.map((t) => t.topicResults.flatMap((r) => r.resultsByPartition.map((x) => x.partitionErrorCode)));
    expect(codes).toEqual([[ErrorCode.NONE, ErrorCode.TRANSACTION_ABORTABLE], [ErrorCode.NONE], [ErrorCode.PRODUCER_FENCED]]);
    const v4 = await raw.send(AddPartitionsToTxn, 4, {
      transactions: [
        {
          transactionalId: 'raw-batched',
          producerId: p.producerId,
          producerEpoch: p.producerEpoch,
          verifyOnly: true,
          topics: [{ name: TOPIC, partitions: [1] }],
        },
      ],
    });
    expect(v4.resultsByTransaction?.[0].topicResults[0].resultsByPartition[0].partitionErrorCode).toBe(ErrorCode.INVALID_TXN_STATE);
    expect(b.server.services.transactionCoordinator.handleDescribeTransactions('raw-batched').topics).toEqual([{ topic: TOPIC, partitions: [0] }]);
    expect(b.server.services.transactionCoordinator.handleDescribeTransactions('raw-batched-2').topics).toEqual([{ topic: TOPIC, partitions: [1] }]);
  });

  it('TxnOffsetCommit for a group whose offsets are not in the transaction is INVALID_TXN_STATE (TRANSACTION_ABORTABLE from v4)', async () => {
    const p = await init('raw-offsets');
    await addPartitions(3, 'raw-offsets', p.producerId, p.producerEpoch, [0]);
    const ids = { transactionalId: 'raw-offsets', producerId: p.producerId, producerEpoch: p.producerEpoch };
    for (const version of [0, 1, 2, 3]) expect(await txnOffsetCommit(version, ids), `v${version}`).toEqual([ErrorCode.INVALID_TXN_STATE]);
    expect(await txnOffsetCommit(4, ids)).toEqual([ErrorCode.TRANSACTION_ABORTABLE]);
    expect(await txnOffsetCommit(3, { ...ids, transactionalId: 'no-such-id' })).toEqual([ErrorCode.INVALID_PRODUCER_ID_MAPPING]);

    expect((await raw.send(AddOffsetsToTxn, 3, { ...ids, groupId: 'raw-group' })).errorCode).toBe(ErrorCode.NONE);
    expect(await txnOffsetCommit(3, { ...ids, producerEpoch: p.producerEpoch - 1 })).toEqual([ErrorCode.INVALID_PRODUCER_EPOCH]);
    expect(await txnOffsetCommit(3, { ...ids, memberId: 'ghost' })).toEqual([ErrorCode.UNKNOWN_MEMBER_ID]);
    expect(await txnOffsetCommit(3, { ...ids, generationId: 3 })).toEqual([ErrorCode.ILLEGAL_GENERATION]);
    expect(await txnOffsetCommit(3, { ...ids, groupId: '' })).toEqual([ErrorCode.INVALID_GROUP_ID]);
    const unknownPartition = await txnOffsetCommit(3, {
      ...ids,
      topics: [{ name: 'nope', partitions: [{ partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, committedMetadata: null }] }],
    });
    expect(unknownPartition).toEqual([ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
    expect(await txnOffsetCommit(3, ids)).toEqual([ErrorCode.NONE]);
    const group = () => b.server.services.groupCoordinator.handleFetchOffsets('raw-group', [{ topic: TOPIC, partition: 0 }], false).offsets[0].offset;
    expect(group()).toBe(-1n);
    expect(await endTxn(3, 'raw-offsets', p.producerId, p.producerEpoch, true)).toBe(ErrorCode.NONE);
    expect(group()).toBe(5n);
  });

  it('DescribeTransactions and ListTransactions report what the coordinator holds', async () => {
    const p = await init('raw-describe');
    await addPartitions(3, 'raw-describe', p.producerId, p.producerEpoch, [1, 0]);
    const described = await raw.send(DescribeTransactions, 0, { transactionalIds: ['raw-describe', 'no-such-id', ''] });
    expect(described.transactionStates[0]).toMatchObject({
      errorCode: ErrorCode.NONE,
      transactionalId: 'raw-describe',
      transactionState: 'Ongoing',
      transactionTimeoutMs: 30_000,
      producerId: p.producerId,
      producerEpoch: p.producerEpoch,
      topics: [{ topic: TOPIC, partitions: [0, 1] }],
    });
    expect(described.transactionStates[0].transactionStartTimeMs).toBeGreaterThan(0n);
    expect(described.transactionStates.slice(1).map((s) => s.errorCode)).toEqual([ErrorCode.TRANSACTIONAL_ID_NOT_FOUND, ErrorCode.INVALID_REQUEST]);

    const all = await raw.send(ListTransactions, 0, { stateFilters: [], producerIdFilters: [] });
    expect(all.errorCode).toBe(ErrorCode.NONE);
    expect(all.transactionStates.map((s) => s.transactionalId)).toContain('raw-describe');
    const filtered = await raw.send(ListTransactions, 1, { stateFilters: ['Ongoing', 'Weird'], producerIdFilters: [p.producerId], durationFilter: -1n });
    expect(filtered).toMatchObject({
      unknownStateFilters: ['Weird'],
      transactionStates: [{ transactionalId: 'raw-describe', producerId: p.producerId, transactionState: 'Ongoing' }],
    });
    await endTxn(3, 'raw-describe', p.producerId, p.producerEpoch, false);
  });
});
