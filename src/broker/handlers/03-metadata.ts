/**
 * Metadata: v0-13.
 *
 * Behavior: describes this broker and the topics asked for (all topics when the list is null, or
 * empty at v0). Every partition is led by this node, with itself as the only replica and ISR.
 * A topic that does not exist is created on the spot when `auto.create.topics.enable` is true and
 * the request allows it (always at v0-3), and is then returned at once, ready to use.
 *
 * Version notes: v10+ return topic ids; v12+ may ask by topic id (name null) — at v10-11 a null name
 * or a topic id in the request is INVALID_REQUEST for every topic asked, as in Kafka. v8-10 can ask
 * for authorized operations; with no authorizer those are reported as unknown (Kafka's -2147483648).
 */
import { Metadata, type MetadataRequest, type MetadataResponse, type MetadataResponseTopic } from '../../protocol/apis/metadata.js';
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import { ZERO_UUID } from '../../protocol/reader.js';
import type { BrokerServices } from '../broker-services.js';
import type { TopicMetadata } from '../metadata/topic-registry.js';
import { LEADER_EPOCH } from '../replica-manager.js';
import { handler } from '../server/handler.js';

const UNKNOWN_OPERATIONS = -2147483648;

export const metadataHandler = (s: BrokerServices) =>
  handler(Metadata, {}, (req: MetadataRequest, ctx): MetadataResponse => {
    const version = ctx.header.apiVersion;
    const allTopics = req.topics === null || (version === 0 && req.topics.length === 0);
    const mayCreate = (version < 4 || req.allowAutoTopicCreation) && s.config.autoCreateTopicsEnable;

    const describe = (t: TopicMetadata): MetadataResponseTopic => ({
      errorCode: ErrorCode.NONE,
      name: t.name,
      topicId: t.id,
      isInternal: t.internal,
      partitions: Array.from({ length: t.partitions }, (_, i) => ({
        errorCode: ErrorCode.NONE,
        partitionIndex: i,
        leaderId: s.nodeId,
        leaderEpoch: LEADER_EPOCH,
        replicaNodes: [s.nodeId],
        isrNodes: [s.nodeId],
        offlineReplicas: [],
      })),
      topicAuthorizedOperations: UNKNOWN_OPERATIONS,
    });
    const failed = (name: string | null, topicId: string, errorCode: number): MetadataResponseTopic => ({
      errorCode,
      name,
      topicId,
      isInternal: false,
      partitions: [],
      topicAuthorizedOperations: UNKNOWN_OPERATIONS,
    });

    let topics: MetadataResponseTopic[];
    const byIdTooEarly = version < 12 && (req.topics ?? []).some((t) => t.name === null || t.topicId !== ZERO_UUID);
    if (byIdTooEarly) {
      // Kafka refuses the whole request: every topic INVALID_REQUEST, a null name sent back as ''
      // (the v10-11 answer cannot carry a null name).
      topics = (req.topics ?? []).map((t) => failed(t.name ?? '', t.topicId, ErrorCode.INVALID_REQUEST));
    } else if (allTopics) {
      topics = s.topics.list().map(describe);
    } else {
      topics = (req.topics ?? []).map((asked) => {
        if (asked.name === null) {
          const t = s.topics.getById(asked.topicId);
          return t ? describe(t) : failed(null, asked.topicId, ErrorCode.UNKNOWN_TOPIC_ID);
        }
        const existing = s.topics.get(asked.name);
        if (existing) return describe(existing);
        if (!mayCreate) return failed(asked.name, ZERO_UUID, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        try {
          return describe(s.topicManager.autoCreate(asked.name));
        } catch (err) {
          const code = err instanceof KafkaError ? err.code : ErrorCode.UNKNOWN_SERVER_ERROR;
          if (!(err instanceof KafkaError)) s.logger.error(`Auto-creating topic ${asked.name} failed: ${(err as Error).stack}`);
          return failed(asked.name, ZERO_UUID, code);
        }
      });
    }

    const self = s.advertisedEndpoint(ctx.listenerName);
    return {
      throttleTimeMs: 0,
      brokers: [{ nodeId: s.nodeId, host: self.host, port: self.port, rack: null }],
      clusterId: s.clusterId,
      controllerId: s.nodeId,
      topics,
      clusterAuthorizedOperations: UNKNOWN_OPERATIONS,
      errorCode: ErrorCode.NONE,
    };
  });
