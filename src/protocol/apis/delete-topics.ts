/**
 * DeleteTopics (key 20): v0-6. Flexible from v4.
 *
 * Range: Kafka 4.0 lists v1-6; we keep v0 because kafkajs sends v0-1, and v0 is v1's layout.
 *
 * Version notes that matter to a broker:
 * - v0-5 name the topics in TopicNames; v6 sends Topics instead, each named by Name or by TopicId
 *   (Name null), and the answer carries the TopicId (UNKNOWN_TOPIC_ID for an id we do not know).
 * - v3 may answer TOPIC_DELETION_DISABLED (delete.topic.enable=false); v5 adds ErrorMessage and may
 *   answer THROTTLING_QUOTA_EXCEEDED (KIP-599).
 */
import { defineApi } from '../api.js';
import type { MessageSpec } from '../schema.js';

export interface DeleteTopicsRequest {
  /** v6+ */
  topics: Array<{ name: string | null; topicId: string }>;
  /** v0-5 */
  topicNames: string[];
  timeoutMs: number;
}

export interface DeleteTopicsResponse {
  throttleTimeMs: number;
  responses: DeletableTopicResult[];
}

export interface DeletableTopicResult {
  name: string | null;
  topicId: string;
  errorCode: number;
  errorMessage: string | null;
}

const request: MessageSpec = {
  apiKey: 20,
  type: 'request',
  name: 'DeleteTopicsRequest',
  validVersions: '0-6',
  flexibleVersions: '4+',
  fields: [
    {
      name: 'Topics',
      type: '[]DeleteTopicState',
      versions: '6+',
      fields: [
        { name: 'Name', type: 'string', versions: '6+', nullableVersions: '6+' },
        { name: 'TopicId', type: 'uuid', versions: '6+' },
      ],
    },
    { name: 'TopicNames', type: '[]string', versions: '0-5' },
    { name: 'TimeoutMs', type: 'int32', versions: '0+' },
  ],
};

const response: MessageSpec = {
  apiKey: 20,
  type: 'response',
  name: 'DeleteTopicsResponse',
  validVersions: '0-6',
  flexibleVersions: '4+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '1+' },
    {
      name: 'Responses',
      type: '[]DeletableTopicResult',
      versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+', nullableVersions: '6+' },
        { name: 'TopicId', type: 'uuid', versions: '6+' },
        { name: 'ErrorCode', type: 'int16', versions: '0+' },
        { name: 'ErrorMessage', type: 'string', versions: '5+', nullableVersions: '5+', default: 'null' },
      ],
    },
  ],
};

export const DeleteTopics = defineApi<DeleteTopicsRequest, DeleteTopicsResponse>(request, response);
