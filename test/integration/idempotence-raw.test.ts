/**
 * Idempotence and read_committed, request by request with our own codec: the error codes a client
 * gets for sequences from the future and fenced epochs, the original offset for a retried batch
 * (also after a restart), producer ids that are never handed out twice, DescribeProducers, and a
 * read_committed Fetch / ListOffsets that stop at the last stable offset while a transaction is open
 * (transactional batches produced, markers written in-process with appendControlBatch, as the
 * transaction coordinator will); and producer state rebuilt after kill -9 of the broker process.
 *
 * Needs `npm run build` for the kill -9 case (the broker runs from dist/).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DescribeProducers } from '../../src/protocol/apis/describe-producers.js';
import { Fetch, type FetchPartitionData } from '../../src/protocol/apis/fetch.js';
import { InitProducerId } from '../../src/protocol/apis/init-producer-id.js';
import { ListOffsets } from '../../src/protocol/apis/list-offsets.js';
import { Metadata } from '../../src/protocol/apis/metadata.js';
import { Produce, type PartitionProduceResponse } from '../../src/protocol/apis/produce.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { ZERO_UUID } from '../../src/protocol/reader.js';
import { decodeRecordBatch, encodeRecordBatch, iterateBatches } from '../../src/protocol/record-batch.js';
import { type BrokerProcess, removeDir, spawnBroker, startBroker, tempDir, type TestBroker } from '../support/broker.js';
import { hasKcat, kcatConsume } from '../support/kcat.js';
import { RawKafka } from '../support/raw-kafka.js';

const TOPIC = 'idem';

function batch(o: { producerId: bigint; epoch?: number; seq: number; count?: number; transactional?: boolean; tag?: string }): Buffer {
  return encodeRecordBatch({
    records: Array.from({ length: o.count ?? 1 }, (_, i) => ({ key: null, value: Buffer.from(`${o.tag ?? 'v'}-${o.seq + i}`) })),
    producerId: o.producerId,
    producerEpoch: o.epoch ?? 0,
    baseSequence: o.seq,
    transactional: o.transactional ?? false,
    timestamp: 1_700_000_000_000n,
  });
}

describe('idempotent produce and read_committed over the wire', () => {
  let b: TestBroker;
  let raw: RawKafka;

  async function boot(logDir?: string): Promise<void> {
    b = await startBroker({}, { logDir });
    b.server.services.topicManager.createTopic({ name: TOPIC, numPartitions: 1, replicationFactor: -1, assignments: [], configs: {} });
    raw = await RawKafka.connect(b.bootstrap);
  }

  beforeEach(async () => {
    await boot();
  });
  afterEach(async () => {
    raw?.close();
    await b?.stop();
    if (b) removeDir(b.logDir);
  });

  async function initProducerId(transactionalId: string | null = null) {
    return raw.send(InitProducerId, 1, { transactionalId, transactionTimeoutMs: 60_000 });
  }

  async function produce(records: Buffer, transactionalId: string | null = null): Promise<PartitionProduceResponse> {
    const res = await raw.send(Produce, 9, {
      transactionalId,
      acks: -1,
      timeoutMs: 5000,
      topicData: [{ name: TOPIC, topicId: ZERO_UUID, partitionData: [{ index: 0, records }] }],
    });
    return res.responses[0].partitionResponses[0];
  }

  async function fetch(isolationLevel: number, fetchOffset = 0n): Promise<FetchPartitionData> {
    const res = await raw.send(Fetch, 11, {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 1 << 20,
      isolationLevel,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic: TOPIC,
          topicId: ZERO_UUID,
          partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }],
        },
      ],
      forgottenTopicsData: [],
      rackId: '',
    });
    return res.responses[0].partitions[0];
  }

  async function latest(isolationLevel: number): Promise<bigint> {
    const res = await raw.send(ListOffsets, 7, {
      replicaId: -1,
      isolationLevel,
      timeoutMs: 5000,
      topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n, maxNumOffsets: 1 }] }],
    });
    return res.topics[0].partitions[0].offset;
  }

  /** Base offsets of the batches in a Fetch answer, control batches marked with `*`. */
  function batchesOf(p: FetchPartitionData): string[] {
    const out: string[] = [];
    const records = p.records as Buffer | null;
    if (records === null) return out;
    for (const bt of iterateBatches(records)) {
      const h = decodeRecordBatch(bt).header;
      out.push(`${h.baseOffset}${(h.attributes & 0x20) !== 0 ? '*' : ''}`);
    }
    return out;
  }

  it('InitProducerId hands out a new id with epoch 0 to each idempotent producer', async () => {
    const a = await initProducerId();
    const c = await initProducerId();
    expect(a).toMatchObject({ errorCode: ErrorCode.NONE, producerEpoch: 0 });
    expect(c.errorCode).toBe(ErrorCode.NONE);
    expect(c.producerId).not.toBe(a.producerId);
    // a transactional id goes to the transaction coordinator (test/integration/transactions-*.test.ts)
    expect(await initProducerId('txn-1')).toMatchObject({ errorCode: ErrorCode.NONE, producerEpoch: 0 });
  });

  it('a duplicate gets the same offset; a sequence from the future is OUT_OF_ORDER_SEQUENCE_NUMBER; nothing is written for either', async () => {
    const { producerId } = await initProducerId();
    expect(await produce(batch({ producerId, seq: 0, count: 3 }))).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0n });
    expect(await produce(batch({ producerId, seq: 3, count: 2 }))).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 3n });
    expect(await produce(batch({ producerId, seq: 0, count: 3 }))).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0n });
    expect(await produce(batch({ producerId, seq: 3, count: 2 }))).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 3n });
    expect(await produce(batch({ producerId, seq: 9 }))).toMatchObject({ errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, baseOffset: -1n });
    expect(await produce(batch({ producerId, seq: 5 }))).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 5n });
    expect(batchesOf(await fetch(0))).toEqual(['0', '3', '5']);
  });

  it('an older epoch is INVALID_PRODUCER_EPOCH; a newer one must start at sequence 0', async () => {
    const { producerId } = await initProducerId();
    expect((await produce(batch({ producerId, epoch: 0, seq: 0 }))).errorCode).toBe(ErrorCode.NONE);
    expect((await produce(batch({ producerId, epoch: 1, seq: 1 }))).errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect((await produce(batch({ producerId, epoch: 1, seq: 0 }))).errorCode).toBe(ErrorCode.NONE);
    expect((await produce(batch({ producerId, epoch: 0, seq: 1 }))).errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
  });

  it('a new producer id starting mid-sequence is OUT_OF_ORDER_SEQUENCE_NUMBER (its first batch never arrived)', async () => {
    const { producerId } = await initProducerId();
    expect((await produce(batch({ producerId, seq: 4 }))).errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  });

  it("DescribeProducers lists each producer's epoch, last sequence and open transaction", async () => {
    const { producerId } = await initProducerId();
    await produce(batch({ producerId, seq: 0, count: 4 }));
    await produce(batch({ producerId: 777n, seq: 0, transactional: true }), 'tx');
    const res = await raw.send(DescribeProducers, 0, { topics: [{ name: TOPIC, partitionIndexes: [0, 5] }] });
    const [p0, p5] = res.topics[0].partitions;
    expect(p5.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(p0.errorCode).toBe(ErrorCode.NONE);
    expect(p0.activeProducers).toEqual([
      { producerId, producerEpoch: 0, lastSequence: 3, lastTimestamp: 1_700_000_000_000n, coordinatorEpoch: -1, currentTxnStartOffset: -1n },
      { producerId: 777n, producerEpoch: 0, lastSequence: 0, lastTimestamp: 1_700_000_000_000n, coordinatorEpoch: -1, currentTxnStartOffset: 4n },
    ]);
  });

  it('read_committed stops at the last stable offset while a transaction is open, and lists the aborted ones', async () => {
    const rm = b.server.services.replicaManager;
    const txA = 100n;
    const txB = 200n;
    await produce(batch({ producerId: 1n, seq: 0, count: 2, tag: 'plain' })); // 0-1
    await produce(batch({ producerId: txA, seq: 0, transactional: true, tag: 'A' }), 'a'); // 2
    await produce(batch({ producerId: txB, seq: 0, transactional: true, tag: 'B' }), 'b'); // 3
    await produce(batch({ producerId: 1n, seq: 2, tag: 'plain' })); // 4

    let committed = await fetch(1);
    expect(committed).toMatchObject({ errorCode: ErrorCode.NONE, highWatermark: 5n, lastStableOffset: 2n, abortedTransactions: [] });
    expect(batchesOf(committed)).toEqual(['0']);
    const uncommitted = await fetch(0);
    expect(uncommitted).toMatchObject({ highWatermark: 5n, lastStableOffset: 2n, abortedTransactions: null });
    expect(batchesOf(uncommitted)).toEqual(['0', '2', '3', '4']);
    expect(await latest(1)).toBe(2n);
    expect(await latest(0)).toBe(5n);
    // At the LSO a read_committed fetch gets nothing yet (and no error).
    expect(batchesOf(await fetch(1, 2n))).toEqual([]);

    expect(rm.appendControlBatch(TOPIC, 0, { producerId: txA, producerEpoch: 0, commit: false, coordinatorEpoch: 0 })).toMatchObject({
      errorCode: ErrorCode.NONE,
      offset: 5n,
    });
    committed = await fetch(1);
    expect(committed.lastStableOffset).toBe(3n);
    expect(batchesOf(committed)).toEqual(['0', '2']);
    expect(committed.abortedTransactions).toEqual([{ producerId: txA, firstOffset: 2n }]);

    expect(rm.appendControlBatch(TOPIC, 0, { producerId: txB, producerEpoch: 0, commit: true, coordinatorEpoch: 0 }).offset).toBe(6n);
    committed = await fetch(1);
    expect(committed.lastStableOffset).toBe(7n);
    expect(batchesOf(committed)).toEqual(['0', '2', '3', '4', '5*', '6*']);
    expect(committed.abortedTransactions).toEqual([{ producerId: txA, firstOffset: 2n }]);
    expect((await fetch(1, 6n)).abortedTransactions).toEqual([]);
    expect(await latest(1)).toBe(7n);

    // The coordinator retrying a marker changes nothing; a stale producer epoch is refused.
    expect(rm.appendControlBatch(TOPIC, 0, { producerId: txB, producerEpoch: 0, commit: true, coordinatorEpoch: 0 })).toMatchObject({
      errorCode: ErrorCode.NONE,
      offset: -1n,
    });
    await produce(batch({ producerId: txB, epoch: 1, seq: 0, transactional: true }), 'b');
    expect(rm.appendControlBatch(TOPIC, 0, { producerId: txB, producerEpoch: 0, commit: true, coordinatorEpoch: 0 }).errorCode).toBe(
      ErrorCode.INVALID_PRODUCER_EPOCH,
    );
    expect(rm.appendControlBatch('no-such-topic', 0, { producerId: txB, producerEpoch: 1, commit: true, coordinatorEpoch: 0 }).errorCode).toBe(
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    );
  });

  it.skipIf(!hasKcat)("librdkafka (read_committed by default) drops an aborted transaction's records and waits for open ones", async () => {
    const rm = b.server.services.replicaManager;
    await produce(batch({ producerId: 1n, seq: 0, tag: 'plain' })); // 0
    await produce(batch({ producerId: 10n, seq: 0, count: 2, transactional: true, tag: 'aborted' }), 'a'); // 1-2
    await produce(batch({ producerId: 20n, seq: 0, count: 2, transactional: true, tag: 'committed' }), 'c'); // 3-4
    await produce(batch({ producerId: 10n, seq: 2, transactional: true, tag: 'aborted' }), 'a'); // 5
    rm.appendControlBatch(TOPIC, 0, { producerId: 10n, producerEpoch: 0, commit: false, coordinatorEpoch: 0 }); // 6
    await produce(batch({ producerId: 30n, seq: 0, transactional: true, tag: 'open' }), 'o'); // 7
    rm.appendControlBatch(TOPIC, 0, { producerId: 20n, producerEpoch: 0, commit: true, coordinatorEpoch: 0 }); // 8
    await produce(batch({ producerId: 1n, seq: 1, tag: 'plain' })); // 9

    const committed = await kcatConsume(b.bootstrap, TOPIC, 0);
    expect(committed.map((r) => `${r.offset}:${r.payload}`)).toEqual(['0:plain-0', '3:committed-0', '4:committed-1']);
    const all = await kcatConsume(b.bootstrap, TOPIC, 0, { extra: ['-X', 'isolation.level=read_uncommitted'] });
    expect(all.map((r) => r.offset)).toEqual([0, 1, 2, 3, 4, 5, 7, 9]);

    rm.appendControlBatch(TOPIC, 0, { producerId: 30n, producerEpoch: 0, commit: true, coordinatorEpoch: 0 }); // 10
    const after = await kcatConsume(b.bootstrap, TOPIC, 0);
    expect(after.map((r) => r.payload)).toEqual(['plain-0', 'committed-0', 'committed-1', 'open-0', 'plain-1']);
  });

  it('after a restart, a retried batch still gets its original offset and producer ids are not reused', async () => {
    const { producerId } = await initProducerId();
    await produce(batch({ producerId, seq: 0, count: 2 }));
    await produce(batch({ producerId, seq: 2, count: 2 }));
    await produce(batch({ producerId: 5n, seq: 0, transactional: true }), 'x');
    raw.close();
    const logDir = b.logDir;
    await b.stop();
    b = await startBroker({}, { logDir });
    raw = await RawKafka.connect(b.bootstrap);

    expect(await produce(batch({ producerId, seq: 2, count: 2 }))).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 2n });
    expect(await produce(batch({ producerId, seq: 4 }))).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 5n });
    expect((await fetch(1)).lastStableOffset).toBe(4n);
    const next = await initProducerId();
    expect(next.producerId).toBeGreaterThan(producerId);
    expect(next.producerId % 1000n).toBe(0n);
  });
});

describe('producer state after kill -9 of `skein broker start`', () => {
  const dirs: string[] = [];
  const procs: BrokerProcess[] = [];
  afterEach(async () => {
    for (const p of procs.splice(0)) if (p.child.exitCode === null && p.child.signalCode === null) await p.kill('SIGKILL');
    for (const d of dirs.splice(0)) removeDir(d);
  });

  it('is rebuilt from the log: retried batches keep their offsets, the next sequence follows', async () => {
    const logDir = tempDir('skein-idem-crash-');
    dirs.push(logDir);
    let p = await spawnBroker(logDir, 0, { 'num.partitions': '1' });
    procs.push(p);
    let raw = await RawKafka.connect(p.bootstrap);
    const produce = async (records: Buffer): Promise<PartitionProduceResponse> => {
      const res = await raw.send(Produce, 9, {
        transactionalId: null,
        acks: -1,
        timeoutMs: 5000,
        topicData: [{ name: 'crashy', topicId: ZERO_UUID, partitionData: [{ index: 0, records }] }],
      });
      return res.responses[0].partitionResponses[0];
    };
    await raw.send(Metadata, 9, {
      topics: [{ name: 'crashy', topicId: ZERO_UUID }],
      allowAutoTopicCreation: true,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
    const { producerId } = await raw.send(InitProducerId, 1, { transactionalId: null, transactionTimeoutMs: 60_000 });
    for (let i = 0; i < 20; i++) expect((await produce(batch({ producerId, seq: i * 3, count: 3 }))).baseOffset).toBe(BigInt(i * 3));
    raw.close();
    expect((await p.kill('SIGKILL')).signal).toBe('SIGKILL');

    p = await spawnBroker(logDir, p.port);
    procs.push(p);
    raw = await RawKafka.connect(p.bootstrap);
    try {
      for (let i = 15; i < 20; i++) {
        expect(await produce(batch({ producerId, seq: i * 3, count: 3 })), `retry of batch ${i}`).toMatchObject({
          errorCode: ErrorCode.NONE,
          baseOffset: BigInt(i * 3),
        });
      }
      expect((await produce(batch({ producerId, seq: 61 }))).errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
      expect(await produce(batch({ producerId, seq: 60 }))).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 60n });
      const again = await raw.send(InitProducerId, 1, { transactionalId: null, transactionTimeoutMs: 60_000 });
      expect(again.producerId).toBe(producerId + 1000n);
    } finally {
      raw.close();
    }
  });
});
