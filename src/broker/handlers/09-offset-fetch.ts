/**
 * OffsetFetch: v0-10.
 *
 * Behavior: a group's committed offsets for the partitions asked, or for every partition the group
 * has committed when the topic list is null (kafkajs' admin fetchOffsets sends null at v2-4). A
 * partition without a committed offset answers offset -1 with no error; so does any partition of a
 * group that does not exist. With RequireStable (v7+), a partition whose transactional commit is
 * still open answers UNSTABLE_OFFSET_COMMIT (KIP-447). An empty group id is allowed, as in Kafka.
 *
 * Version notes: v0-1 have no top-level error: a group-level error (COORDINATOR_LOAD_IN_PROGRESS,
 * COORDINATOR_NOT_AVAILABLE) is given on every partition asked. v5+ return the leader epoch. v8+
 * batch several groups per request. v9's MemberId/MemberEpoch belong to KIP-848 groups and are not
 * checked for classic groups (Kafka does not either). v10 names topics by id.
 */
import { OffsetFetch, type OffsetFetchRequest, type OffsetFetchResponse, type OffsetFetchResponsePartition } from '../../protocol/apis/offset-fetch.js';
import { ErrorCode } from '../../protocol/errors.js';
import { ZERO_UUID } from '../../protocol/reader.js';
import { topicPartitionKey } from '../../protocol/topic-partition.js';
import type { BrokerServices } from '../broker-services.js';
import type { FetchedOffset } from '../group/group-metadata-manager.js';
import { handler } from '../server/handler.js';

interface AskedTopic {
  name?: string;
  topicId?: string;
  partitionIndexes: number[];
}

interface AnsweredTopic {
  name: string;
  topicId: string;
  partitions: OffsetFetchResponsePartition[];
}

const partitionOf = (o: FetchedOffset): OffsetFetchResponsePartition => ({
  partitionIndex: o.partition,
  committedOffset: o.offset,
  committedLeaderEpoch: o.leaderEpoch,
  metadata: o.metadata,
  errorCode: o.errorCode,
});

const failed = (partitionIndex: number, errorCode: number): OffsetFetchResponsePartition => ({
  partitionIndex,
  committedOffset: -1n,
  committedLeaderEpoch: -1,
  metadata: '',
  errorCode,
});

export const offsetFetchHandler = (s: BrokerServices) =>
  handler(OffsetFetch, {}, (req: OffsetFetchRequest, ctx): OffsetFetchResponse => {
    const version = ctx.header.apiVersion;
    const requireStable = version >= 7 && (req.requireStable ?? false);
    const byId = version >= 10;

    const fetchGroup = (groupId: string, asked: AskedTopic[] | null): { errorCode: number; topics: AnsweredTopic[] } => {
      const named = asked?.map((t) => ({ ...t, resolved: byId ? s.topics.getById(t.topicId as string)?.name : t.name }));
      const partitions =
        named === undefined
          ? null
          : named.flatMap((t) => (t.resolved === undefined ? [] : t.partitionIndexes.map((partition) => ({ topic: t.resolved as string, partition }))));
      const { errorCode, offsets } = s.groupCoordinator.handleFetchOffsets(groupId, partitions, requireStable);
      if (errorCode !== ErrorCode.NONE) {
        if (version >= 2 || named === undefined) return { errorCode, topics: [] };
        // v0-1 have no top-level error: every partition asked carries it.
        return {
          errorCode,
          topics: named.map((t) => ({ name: t.name ?? '', topicId: ZERO_UUID, partitions: t.partitionIndexes.map((p) => failed(p, errorCode)) })),
        };
      }
      const found = new Map(offsets.map((o) => [topicPartitionKey(o.topic, o.partition), o]));
      if (named === undefined) {
        const byTopic = new Map<string, AnsweredTopic>();
        for (const o of offsets) {
          let t = byTopic.get(o.topic);
          if (!t) {
            const topicId = s.topics.get(o.topic)?.id;
            if (byId && topicId === undefined) continue; // no id to name it by any more
            byTopic.set(o.topic, (t = { name: o.topic, topicId: topicId ?? ZERO_UUID, partitions: [] }));
          }
          t.partitions.push(partitionOf(o));
        }
        return { errorCode, topics: [...byTopic.values()] };
      }
      return {
        errorCode,
        topics: named.map((t) => ({
          name: t.name ?? t.resolved ?? '',
          topicId: t.topicId ?? ZERO_UUID,
          partitions: t.partitionIndexes.map((p) =>
            t.resolved === undefined ? failed(p, ErrorCode.UNKNOWN_TOPIC_ID) : partitionOf(found.get(topicPartitionKey(t.resolved, p)) as FetchedOffset),
          ),
        })),
      };
    };

    if (version >= 8) {
      return {
        throttleTimeMs: 0,
        groups: (req.groups ?? []).map((g) => {
          const { errorCode, topics } = fetchGroup(g.groupId, g.topics);
          return { groupId: g.groupId, errorCode, topics };
        }),
      };
    }
    const { errorCode, topics } = fetchGroup(req.groupId ?? '', req.topics === undefined ? [] : req.topics);
    return { throttleTimeMs: 0, errorCode, topics: topics.map(({ name, partitions }) => ({ name, partitions })) };
  });
