/**
 * Fetch: v4-18.
 *
 * Behavior: reads each partition from its fetch offset, honouring the response's max.bytes and each
 * partition's max bytes, except that the first batch of the first partition with data is returned
 * whole (KIP-74). A fetch offset inside a batch returns that whole batch; the client skips the
 * records before its offset. With fewer than min.bytes available the request waits up to
 * max.wait.ms for appends (long poll). OFFSET_OUT_OF_RANGE below the log start or past the end.
 * Isolation (KIP-98): read_committed reads only below the last stable offset and lists the aborted
 * transactions overlapping what it returns; both levels report the last stable offset.
 *
 * Version notes: v7+ carry fetch sessions (KIP-227); this broker never creates one — it answers
 * session id 0, which tells the client to keep sending full fetch requests, as the KIP allows.
 * v13+ name topics by id; an unknown id is UNKNOWN_TOPIC_ID. Left out: follower fetching
 * (replica id ≥ 0 is treated as a consumer), preferred read replicas, diverging epochs.
 */
import { Fetch, type FetchRequest, type FetchResponse, type FetchableTopicResponse } from '../../protocol/apis/fetch.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { BrokerServices } from '../broker-services.js';
import { LEADER_EPOCH, type FetchPartitionSpec } from '../replica-manager.js';
import { handler } from '../server/handler.js';

export const fetchHandler = (s: BrokerServices) =>
  handler(Fetch, {}, async (req: FetchRequest, ctx): Promise<FetchResponse> => {
    const byId = ctx.header.apiVersion >= 13;
    const specs: FetchPartitionSpec[] = [];
    const unknownIds: FetchableTopicResponse[] = [];
    for (const t of req.topics) {
      const name = byId ? s.topics.getById(t.topicId)?.name : t.topic;
      if (name === undefined) {
        unknownIds.push({
          topic: '',
          topicId: t.topicId,
          partitions: t.partitions.map((p) => ({
            partitionIndex: p.partition,
            errorCode: ErrorCode.UNKNOWN_TOPIC_ID,
            highWatermark: -1n,
            lastStableOffset: -1n,
            logStartOffset: -1n,
            abortedTransactions: null,
            preferredReadReplica: -1,
            records: null,
          })),
        });
        continue;
      }
      for (const p of t.partitions) {
        specs.push({ topic: name, partition: p.partition, fetchOffset: p.fetchOffset, partitionMaxBytes: p.partitionMaxBytes });
      }
    }
    const results = await s.replicaManager.fetchMessages(
      { maxWaitMs: req.maxWaitMs, minBytes: req.minBytes, maxBytes: req.maxBytes, isolationLevel: req.isolationLevel, buffer: ctx.responseBuffer },
      specs,
    );

    const responses: FetchableTopicResponse[] = [];
    let current: FetchableTopicResponse | undefined;
    for (const r of results) {
      if (current?.topic !== r.topic) {
        current = { topic: r.topic, topicId: s.topics.get(r.topic)?.id ?? '00000000-0000-0000-0000-000000000000', partitions: [] };
        responses.push(current);
      }
      current.partitions.push({
        partitionIndex: r.partition,
        errorCode: r.errorCode,
        highWatermark: r.highWatermark,
        lastStableOffset: r.lastStableOffset,
        logStartOffset: r.logStartOffset,
        abortedTransactions: r.abortedTransactions,
        preferredReadReplica: -1,
        records: r.records,
        currentLeader: r.errorCode === ErrorCode.NOT_LEADER_OR_FOLLOWER ? { leaderId: s.nodeId, leaderEpoch: LEADER_EPOCH } : undefined,
      });
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: 0, responses: [...responses, ...unknownIds] };
  });
