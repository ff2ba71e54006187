/**
 * AddPartitionsToTxn: v0-5.
 *
 * Behavior: adds partitions to the producer's open transaction, starting one if none is open
 * (`TransactionCoordinator.handleAddPartitionsToTransaction`); the state change is written to
 * __transaction_state before the answer. One error for every partition: INVALID_PRODUCER_ID_MAPPING
 * (unknown transactional id, or not its producer id), PRODUCER_FENCED (an old epoch),
 * CONCURRENT_TRANSACTIONS (the previous transaction's markers are still being written),
 * COORDINATOR_LOAD_IN_PROGRESS. As in Kafka, when a partition does not exist it answers
 * UNKNOWN_TOPIC_OR_PARTITION and the others OPERATION_NOT_ATTEMPTED, and nothing is added.
 *
 * Version notes: v0-3 are the client form (one transaction); PRODUCER_FENCED is sent from v2, older
 * versions get INVALID_PRODUCER_EPOCH (KIP-588). v4+ is the broker-to-broker batched form (KIP-890
 * part 1): several transactions, each answered on its own; with VerifyOnly nothing is added and a
 * partition not in the transaction answers INVALID_TXN_STATE (v4) or TRANSACTION_ABORTABLE (v5).
 */
import {
  AddPartitionsToTxn,
  type AddPartitionsToTxnRequest,
  type AddPartitionsToTxnResponse,
  type AddPartitionsToTxnTopic,
  type AddPartitionsToTxnTopicResult,
} from '../../protocol/apis/add-partitions-to-txn.js';
import type { RequestHeader } from '../../protocol/api.js';
import { NO_PRODUCER_EPOCH, NO_PRODUCER_ID } from '../../protocol/batch-header.js';
import { ErrorCode } from '../../protocol/errors.js';
import { fencedErrorForVersion } from '../../protocol/producer-fenced.js';
import { topicPartitionKey } from '../../protocol/topic-partition.js';
import type { BrokerServices } from '../broker-services.js';
import { handler } from '../server/handler.js';

/** One transaction's partitions: v0-3 carry one transaction at the top level, v4+ a list of them. */
interface TxnPartitions {
  transactionalId: string;
  producerId: bigint;
  producerEpoch: number;
  topics: AddPartitionsToTxnTopic[];
}

export const addPartitionsToTxnHandler = (s: BrokerServices) =>
  handler(AddPartitionsToTxn, {}, (req: AddPartitionsToTxnRequest, ctx): AddPartitionsToTxnResponse => {
    const version = ctx.header.apiVersion;
    if (version <= 3) {
      const txn: TxnPartitions = {
        transactionalId: req.v3AndBelowTransactionalId ?? '',
        producerId: req.v3AndBelowProducerId ?? NO_PRODUCER_ID,
        producerEpoch: req.v3AndBelowProducerEpoch ?? NO_PRODUCER_EPOCH,
        topics: req.v3AndBelowTopics ?? [],
      };
      return { throttleTimeMs: 0, resultsByTopicV3AndBelow: addPartitions(s, txn, ctx.header) };
    }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      resultsByTransaction: (req.transactions ?? []).map((t) => ({
        transactionalId: t.transactionalId,
        topicResults: t.verifyOnly ? verifyPartitions(s, t, version) : addPartitions(s, t, ctx.header),
      })),
    };
  });

function resultsFor(topics: AddPartitionsToTxnTopic[], errorOf: (topic: string, partition: number) => number): AddPartitionsToTxnTopicResult[] {
  return topics.map((t) => ({ name: t.name, resultsByPartition: t.partitions.map((p) => ({ partitionIndex: p, partitionErrorCode: errorOf(t.name, p) })) }));
}

function partitionsOf(topics: AddPartitionsToTxnTopic[]): Array<{ topic: string; partition: number }> {
  return topics.flatMap((t) => t.partitions.map((partition) => ({ topic: t.name, partition })));
}

function partitionExists(s: BrokerServices, topic: string, partition: number): boolean {
  return partition >= 0 && partition < (s.topics.get(topic)?.partitions ?? 0);
}

function addPartitions(s: BrokerServices, txn: TxnPartitions, header: RequestHeader): AddPartitionsToTxnTopicResult[] {
  const { topics } = txn;
  if (topics.some((t) => t.partitions.some((p) => !partitionExists(s, t.name, p)))) {
    return resultsFor(topics, (t, p) => (partitionExists(s, t, p) ? ErrorCode.OPERATION_NOT_ATTEMPTED : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
  }
  const error = s.transactionCoordinator.handleAddPartitionsToTransaction(txn.transactionalId, txn.producerId, txn.producerEpoch, partitionsOf(topics));
  return resultsFor(topics, () => fencedErrorForVersion(error, header));
}

function verifyPartitions(s: BrokerServices, txn: TxnPartitions, version: number): AddPartitionsToTxnTopicResult[] {
  const result = s.transactionCoordinator.handleVerifyPartitionsInTransaction(txn.transactionalId, txn.producerId, txn.producerEpoch, partitionsOf(txn.topics));
  const notInTransaction = version >= 5 ? ErrorCode.TRANSACTION_ABORTABLE : ErrorCode.INVALID_TXN_STATE;
  return resultsFor(txn.topics, (t, p) => {
    if (result.error !== undefined) return result.error;
    const code = result.partitions.get(topicPartitionKey(t, p)) ?? ErrorCode.NONE;
    return code === ErrorCode.TRANSACTION_ABORTABLE ? notInTransaction : code;
  });
}
