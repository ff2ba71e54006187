/**
 * CreatePartitions: v0-3.
 *
 * Behavior: grows a topic to `count` partitions; shrinking or staying equal is INVALID_PARTITIONS,
 * as in Kafka. Manual assignments must name this broker. validateOnly checks without changing.
 * More than 10,000 new partitions in one request is POLICY_VIOLATION, as for CreateTopics.
 */
import { CreatePartitions, type CreatePartitionsRequest, type CreatePartitionsResponse } from '../../protocol/apis/create-partitions.js';
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import type { BrokerServices } from '../broker-services.js';
import { newPartitionBudget } from '../metadata/topic-manager.js';
import { handler } from '../server/handler.js';

export const createPartitionsHandler = (s: BrokerServices) =>
  handler(CreatePartitions, {}, (req: CreatePartitionsRequest): CreatePartitionsResponse => {
    const budget = newPartitionBudget();
    const results = req.topics.map((t) => {
      try {
        s.topicManager.createPartitions(t.name, t.count, t.assignments, req.validateOnly, budget);
        return { name: t.name, errorCode: ErrorCode.NONE, errorMessage: null };
      } catch (err) {
        if (err instanceof KafkaError) return { name: t.name, errorCode: err.code, errorMessage: err.message };
        s.logger.error(`CreatePartitions ${t.name} failed: ${(err as Error).stack}`);
        return { name: t.name, errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: null };
      }
    });
    return { throttleTimeMs: 0, results };
  });
