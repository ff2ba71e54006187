/**
 * OffsetDelete: v0.
 *
 * Behavior: deletes a group's committed offsets for some partitions (KIP-496). An Empty group may
 * lose any; a consumer group with members only those of topics no member subscribes to
 * (GROUP_SUBSCRIBED_TO_TOPIC per partition otherwise); a group of another protocol type with members
 * is NON_EMPTY_GROUP. GROUP_ID_NOT_FOUND for an unknown group, UNKNOWN_TOPIC_OR_PARTITION for a
 * partition that does not exist.
 *
 * Version notes: only v0 exists in a release.
 */
import { OffsetDelete, type OffsetDeleteRequest, type OffsetDeleteResponse } from '../../protocol/apis/offset-delete.js';
import { ErrorCode } from '../../protocol/errors.js';
import { topicPartitionKey } from '../../protocol/topic-partition.js';
import type { BrokerServices } from '../broker-services.js';
import { handler } from '../server/handler.js';

export const offsetDeleteHandler = (s: BrokerServices) =>
  handler(OffsetDelete, {}, (req: OffsetDeleteRequest): OffsetDeleteResponse => {
    const asked = req.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex })));
    const r = s.groupCoordinator.handleDeleteOffsets(req.groupId, asked);
    if (r.errorCode !== ErrorCode.NONE) return { errorCode: r.errorCode, throttleTimeMs: 0, topics: [] };
    const errors = new Map(r.partitions.map((p) => [topicPartitionKey(p.topic, p.partition), p.errorCode]));
    return {
      errorCode: ErrorCode.NONE,
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
