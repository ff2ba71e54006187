/**
 * DeleteTopics: v0-6.
 *
 * Behavior: removes each topic and its partition logs; UNKNOWN_TOPIC_OR_PARTITION (or
 * UNKNOWN_TOPIC_ID) for one that does not exist, TOPIC_DELETION_DISABLED when
 * delete.topic.enable is false. Version notes: v6+ name topics by name or by id.
 */
import { DeleteTopics, type DeletableTopicResult, type DeleteTopicsRequest, type DeleteTopicsResponse } from '../../protocol/apis/delete-topics.js';
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import { ZERO_UUID } from '../../protocol/reader.js';
import type { BrokerServices } from '../broker-services.js';
import { handler } from '../server/handler.js';

export const deleteTopicsHandler = (s: BrokerServices) =>
  handler(DeleteTopics, {}, (req: DeleteTopicsRequest, ctx): DeleteTopicsResponse => {
    const asked = ctx.header.apiVersion >= 6 ? req.topics : req.topicNames.map((name) => ({ name, topicId: ZERO_UUID }));
    const responses = asked.map(({ name, topicId }): DeletableTopicResult => {
      const topicName = name ?? s.topics.getById(topicId)?.name;
      if (topicName === undefined) {
        return { name: null, topicId, errorCode: ErrorCode.UNKNOWN_TOPIC_ID, errorMessage: `Topic id ${topicId} does not exist.` };
      }
      try {
        const deleted = s.topicManager.deleteTopic(topicName);
        return { name: topicName, topicId: deleted.id, errorCode: ErrorCode.NONE, errorMessage: null };
      } catch (err) {
        if (err instanceof KafkaError) return { name: topicName, topicId, errorCode: err.code, errorMessage: err.message };
        s.logger.error(`DeleteTopics ${topicName} failed: ${(err as Error).stack}`);
        return { name: topicName, topicId, errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: null };
      }
    });
    return { throttleTimeMs: 0, responses };
  });
