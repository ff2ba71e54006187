/**
 * TxnOffsetCommit: v0-4.
 *
 * Behavior: commits a consumer group's offsets inside the producer's transaction
 * (`GroupCoordinator.handleTxnCommitOffsets`): written to the group's __consumer_offsets partition as
 * a transactional batch with the producer's id and epoch, and staged per producer id until the
 * transaction's marker reaches that partition — COMMIT makes them the group's committed offsets,
 * ABORT drops them. First the transaction coordinator verifies that the group's partition is in the
 * transaction (AddOffsetsToTxn came first), as Kafka does with transaction.partition.verification
 * .enable (KIP-890): if not, INVALID_TXN_STATE; an unknown transactional id or another producer id
 * INVALID_PRODUCER_ID_MAPPING; an old epoch INVALID_PRODUCER_EPOCH; CONCURRENT_TRANSACTIONS while the
 * transaction is ending. Then, as Kafka: a missing group is created; UNKNOWN_MEMBER_ID,
 * ILLEGAL_GENERATION and FENCED_INSTANCE_ID when the request names a member, a generation or a static
 * instance the group does not have (KIP-447); per partition UNKNOWN_TOPIC_OR_PARTITION and
 * OFFSET_METADATA_TOO_LARGE. An empty group id is INVALID_GROUP_ID.
 *
 * Version notes: v2 adds the committed leader epoch. v3 adds GenerationId, MemberId and
 * GroupInstanceId, checked when set (generation ≥ 0, non-empty member id). v4 answers a partition not
 * in the transaction with TRANSACTION_ABORTABLE instead of INVALID_TXN_STATE. v5 (transaction version
 * 2: the commit adds the partition itself) is not accepted.
 */
import { TxnOffsetCommit, type TxnOffsetCommitRequest, type TxnOffsetCommitResponse } from '../../protocol/apis/txn-offset-commit.js';
import { ErrorCode } from '../../protocol/errors.js';
import { fencedErrorForVersion } from '../../protocol/producer-fenced.js';
import { topicPartitionKey } from '../../protocol/topic-partition.js';
import type { BrokerServices } from '../broker-services.js';
import { GROUP_METADATA_TOPIC_NAME } from '../metadata/internal-topics.js';
import { handler } from '../server/handler.js';

export const txnOffsetCommitHandler = (s: BrokerServices) =>
  handler(TxnOffsetCommit, { max: 4 }, (req: TxnOffsetCommitRequest, ctx): TxnOffsetCommitResponse => {
    const version = ctx.header.apiVersion;
    const offsets = req.topics.flatMap((t) =>
      t.partitions.map((p) => ({
        topic: t.name,
        partition: p.partitionIndex,
        offset: p.committedOffset,
        leaderEpoch: p.committedLeaderEpoch ?? -1,
        metadata: p.committedMetadata,
      })),
    );
    const verifyTransaction = (offsetsPartition: number): number => {
      const verified = s.transactionCoordinator.handleVerifyPartitionsInTransaction(req.transactionalId, req.producerId, req.producerEpoch, [
        { topic: GROUP_METADATA_TOPIC_NAME, partition: offsetsPartition },
      ]);
      const code = verified.error ?? verified.partitions.get(topicPartitionKey(GROUP_METADATA_TOPIC_NAME, offsetsPartition)) ?? ErrorCode.NONE;
      // What a partition leader answers after verifying with the coordinator (Kafka's AddPartitionsToTxnManager).
      if (code === ErrorCode.TRANSACTION_ABORTABLE && version < 4) return ErrorCode.INVALID_TXN_STATE;
      return fencedErrorForVersion(code, ctx.header);
    };
    const results =
      offsets.length === 0
        ? []
        : s.groupCoordinator.handleTxnCommitOffsets(
            {
              groupId: req.groupId,
              producerId: req.producerId,
              producerEpoch: req.producerEpoch,
              generationId: version >= 3 ? (req.generationId ?? -1) : -1,
              memberId: version >= 3 ? (req.memberId ?? '') : '',
              groupInstanceId: version >= 3 ? (req.groupInstanceId ?? null) : null,
              offsets,
            },
            verifyTransaction,
          );
    const errors = new Map(results.map((r) => [topicPartitionKey(r.topic, r.partition), r.errorCode]));
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          errorCode: errors.get(topicPartitionKey(t.name, p.partitionIndex)) ?? ErrorCode.NONE,
        })),
      })),
    };
  });
