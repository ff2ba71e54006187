/**
 * CreateTopics: v0-7.
 *
 * Behavior: each topic is checked and created independently: TOPIC_ALREADY_EXISTS,
 * INVALID_TOPIC_EXCEPTION (name rules, '.'/'_' collisions), INVALID_PARTITIONS,
 * INVALID_REPLICATION_FACTOR (above 1, the number of brokers), INVALID_REPLICA_ASSIGNMENT,
 * INVALID_CONFIG, INVALID_REQUEST (a name twice in one request, or counts and assignments both
 * given), POLICY_VIOLATION once the request's topics would add up to more than 10,000 partitions
 * (Kafka's per-request bound; Kafka then fails the whole request, here the topics before the bound
 * are still created). validateOnly runs every check and creates nothing.
 *
 * Version notes: v4+ allow -1 for the default partition count and replication factor; v5+ return
 * the partition count, replication factor and effective configs; v7+ return the topic id.
 */
import { CreateTopics, type CreatableTopicResult, type CreateTopicsRequest, type CreateTopicsResponse } from '../../protocol/apis/create-topics.js';
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import { ZERO_UUID } from '../../protocol/reader.js';
import { describeTopicConfigs } from '../config/topic-config.js';
import type { BrokerServices } from '../broker-services.js';
import { newPartitionBudget } from '../metadata/topic-manager.js';
import { handler } from '../server/handler.js';

export const createTopicsHandler = (s: BrokerServices) =>
  handler(CreateTopics, {}, (req: CreateTopicsRequest): CreateTopicsResponse => {
    const seen = new Map<string, number>();
    const budget = newPartitionBudget();
    for (const t of req.topics) seen.set(t.name, (seen.get(t.name) ?? 0) + 1);
    const topics = req.topics.map((t): CreatableTopicResult => {
      const fail = (errorCode: number, errorMessage: string | null): CreatableTopicResult => ({
        name: t.name,
        topicId: ZERO_UUID,
        errorCode,
        errorMessage,
        numPartitions: -1,
        replicationFactor: -1,
        configs: null,
      });
      if ((seen.get(t.name) ?? 0) > 1) return fail(ErrorCode.INVALID_REQUEST, `Create topics request from client contains a duplicate topic: ${t.name}`);
      try {
        const created = s.topicManager.createTopic(
          {
            name: t.name,
            numPartitions: t.numPartitions,
            replicationFactor: t.replicationFactor,
            assignments: t.assignments,
            configs: Object.fromEntries(t.configs.map((c) => [c.name, c.value])),
          },
          req.validateOnly,
          budget,
        );
        return {
          name: t.name,
          topicId: created.id,
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          numPartitions: created.partitions,
          replicationFactor: created.replicationFactor,
          configs: describeTopicConfigs(s.config, new Map(Object.entries(created.configs))).map((c) => ({
            name: c.name,
            value: c.value,
            readOnly: c.readOnly,
            configSource: c.source,
            isSensitive: c.isSensitive,
          })),
        };
      } catch (err) {
        if (err instanceof KafkaError) return fail(err.code, err.message);
        s.logger.error(`CreateTopics ${t.name} failed: ${(err as Error).stack}`);
        return fail(ErrorCode.UNKNOWN_SERVER_ERROR, null);
      }
    });
    return { throttleTimeMs: 0, topics };
  });
