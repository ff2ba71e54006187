/**
 * Test support for the transaction coordinator, used only by `*.test.ts` files: a
 * TransactionCoordinator with its state manager and marker writer over real partition logs in a
 * temporary directory, beside a group coordinator over the same logs (so that TxnOffsetCommit and
 * reloading can be tested), and helpers to produce transactional batches and read markers back.
 */
import { isControl, readBatchHeader } from '../../protocol/batch-header.js';
import { ControlRecordType, decodeControlRecord } from '../../protocol/control-record.js';
import { decodeRecordBatch, encodeRecordBatch, iterateBatches } from '../../protocol/record-batch.js';
import { type Clock, systemClock } from '../clock.js';
import { openTestCoordinator, type TestCoordinator } from '../group/testing.js';
import { silentLogger } from '../logger.js';
import { ProducerIdManager } from '../producer-state/producer-id-manager.js';
import type { ControlAppendResult, TxnMarker } from '../replica-manager.js';
import { TransactionCoordinator } from './transaction-coordinator.js';
import { TransactionMarkerWriter } from './transaction-marker-writer.js';
import { TransactionStateManager } from './transaction-state-manager.js';

export interface TestTxnCoordinator extends TestCoordinator {
  txn: TransactionCoordinator;
  stateManager: TransactionStateManager;
  markerWriter: TransactionMarkerWriter;
  producerIdManager: ProducerIdManager;
  /** Set to make marker writes fail (return the error for a partition, or undefined to write it). */
  markerFault: ((topic: string, partition: number) => ControlAppendResult | undefined) | undefined;
}

export const TXN_OVERRIDES: Record<string, string> = {
  'transaction.state.log.num.partitions': '3',
  'offsets.topic.num.partitions': '3',
  'transaction.max.timeout.ms': '60000',
};

/** A transaction coordinator (and group coordinator) over `dir` (a fresh one by default), loaded and ready. */
export async function openTestTxnCoordinator(opts: { dir?: string; overrides?: Record<string, string>; clock?: Clock } = {}): Promise<TestTxnCoordinator> {
  const g = await openTestCoordinator({ dir: opts.dir, overrides: { ...TXN_OVERRIDES, ...opts.overrides }, clock: opts.clock });
  const clock = opts.clock ?? systemClock;
  const producerIdManager = ProducerIdManager.open(g.dir);
  const stateManager = new TransactionStateManager(g.config, {
    topics: g.topics,
    topicManager: g.topicManager,
    replicaManager: g.replicaManager,
    clock,
    logger: silentLogger,
  });
  const t = { markerFault: undefined } as { markerFault: TestTxnCoordinator['markerFault'] };
  const markerWriter = new TransactionMarkerWriter({
    appendControlBatch: (topic: string, partition: number, marker: TxnMarker) =>
      t.markerFault?.(topic, partition) ?? g.replicaManager.appendControlBatch(topic, partition, marker),
    onOffsetsMarker: (partition, producerId, commit) => g.coordinator.onTransactionCompleted(partition, producerId, commit),
    appendTransactionToLog: (metadata, transit) => stateManager.appendTransactionToLog(metadata, transit),
    clock,
    logger: silentLogger,
    retryBackoffMs: 20,
  });
  const txn = new TransactionCoordinator(g.config, {
    clock,
    logger: silentLogger,
    producerIdManager,
    stateManager,
    markerWriter,
    offsetsPartitionFor: (groupId) => g.coordinator.partitionFor(groupId),
    ensureOffsetsTopic: () => g.coordinator.ensureOffsetsTopic(),
  });
  await txn.startup();
  const result: TestTxnCoordinator = {
    ...g,
    txn,
    stateManager,
    markerWriter,
    producerIdManager,
    get markerFault() {
      return t.markerFault;
    },
    set markerFault(f) {
      t.markerFault = f;
    },
    close: async () => {
      txn.shutdown();
      await g.close();
    },
  };
  return result;
}

/** A transactional batch as a producer sends it. */
export function txnBatch(producerId: bigint, epoch: number, seq: number, values: string[]): Buffer {
  return encodeRecordBatch({
    records: values.map((v) => ({ key: null, value: Buffer.from(v) })),
    producerId,
    producerEpoch: epoch,
    baseSequence: seq,
    transactional: true,
    timestamp: 1_700_000_000_000n,
  });
}

export interface ReadBatch {
  offset: number;
  producerId: bigint;
  producerEpoch: number;
  control: boolean;
  /** For a control batch: 'commit' or 'abort'. */
  marker?: 'commit' | 'abort';
  values: string[];
}

/** Every batch of a partition, in order. */
export function readPartition(t: TestCoordinator, topic: string, partition: number): ReadBatch[] {
  const log = t.replicaManager.partitionLog(topic, partition);
  const out: ReadBatch[] = [];
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const data = log.read(offset, 1 << 20, { minOneBatch: true });
    let next = offset;
    for (const chunk of data.records) {
      for (const batch of iterateBatches(chunk)) {
        const h = readBatchHeader(batch);
        next = Number(h.baseOffset) + h.lastOffsetDelta + 1;
        const records = decodeRecordBatch(batch).records;
        const control = isControl(h.attributes);
        const marker = control ? (decodeControlRecord(records[0]).type === ControlRecordType.commit ? 'commit' : 'abort') : undefined;
        out.push({
          offset: Number(h.baseOffset),
          producerId: h.producerId,
          producerEpoch: h.producerEpoch,
          control,
          marker,
          values: control ? [] : records.map((r) => r.value?.toString() ?? ''),
        });
      }
    }
    if (next <= offset) break;
    offset = next;
  }
  return out;
}
