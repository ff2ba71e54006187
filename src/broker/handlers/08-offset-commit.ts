/**
 * OffsetCommit: v0-10.
 *
 * Behavior: stores a group's committed offsets (GroupCoordinator.handleCommitOffsets): one batch of
 * OffsetCommit records in __consumer_offsets, written before the answer. Errors are per partition:
 * UNKNOWN_TOPIC_OR_PARTITION, OFFSET_METADATA_TOO_LARGE (offset.metadata.max.bytes), and for the
 * whole commit UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION, FENCED_INSTANCE_ID or REBALANCE_IN_PROGRESS
 * (CompletingRebalance only: commits during PreparingRebalance are accepted, as in Kafka). A commit
 * with generation -1 and no member id creates a group that only stores offsets, or is refused with
 * UNKNOWN_MEMBER_ID while the group has members. An empty group id is allowed, as in Kafka.
 *
 * Version notes: v0 has no generation or member id and is a commit from outside group management
 * (generation -1). v1 carries a per-partition commit timestamp (-1 for now); v2-4 a retention time
 * that sets the offsets' expire timestamp. v6+ carry the leader epoch, v7+ the static instance id.
 * v9's GenerationIdOrMemberEpoch is the classic generation. v10 names topics by id
 * (UNKNOWN_TOPIC_ID for an id the broker does not know).
 */
import { OffsetCommit, type OffsetCommitRequest, type OffsetCommitResponse } from '../../protocol/apis/offset-commit.js';
import { ErrorCode } from '../../protocol/errors.js';
import { topicPartitionKey } from '../../protocol/topic-partition.js';
import type { BrokerServices } from '../broker-services.js';
import type { OffsetCommitParams } from '../group/offset-metadata-manager.js';
import { handler } from '../server/handler.js';

export const offsetCommitHandler = (s: BrokerServices) =>
  handler(OffsetCommit, {}, (req: OffsetCommitRequest, ctx): OffsetCommitResponse => {
    const version = ctx.header.apiVersion;
    const byId = version >= 10;
    const names = req.topics.map((t) => (byId ? s.topics.getById(t.topicId as string)?.name : t.name));
    const offsets: OffsetCommitParams['offsets'] = [];
    req.topics.forEach((t, i) => {
      const topic = names[i];
      if (topic === undefined) return;
      for (const p of t.partitions) {
        offsets.push({
          topic,
          partition: p.partitionIndex,
          offset: p.committedOffset,
          leaderEpoch: p.committedLeaderEpoch ?? -1,
          metadata: p.committedMetadata,
          commitTimestamp: version === 1 ? (p.commitTimestamp ?? -1n) : -1n,
        });
      }
    });
    const results =
      offsets.length === 0
        ? []
        : s.groupCoordinator.handleCommitOffsets({
            groupId: req.groupId,
            generationId: version >= 1 ? (req.generationIdOrMemberEpoch ?? -1) : -1,
            memberId: version >= 1 ? (req.memberId ?? '') : '',
            groupInstanceId: req.groupInstanceId ?? null,
            retentionTimeMs: version >= 2 && version <= 4 ? (req.retentionTimeMs ?? -1n) : -1n,
            offsets,
          });
    const errors = new Map(results.map((r) => [topicPartitionKey(r.topic, r.partition), r.errorCode]));
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t, i) => ({
        name: t.name,
        topicId: t.topicId,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          errorCode: names[i] === undefined ? ErrorCode.UNKNOWN_TOPIC_ID : (errors.get(topicPartitionKey(names[i], p.partitionIndex)) ?? ErrorCode.NONE),
        })),
      })),
    };
  });
