/**
 * DescribeConfigs: v0-4.
 *
 * Behavior: topic resources (type 2) list every topic config with its effective value and where it
 * comes from (the topic's override, the broker's static config, or Kafka's default); broker
 * resources (type 4) list the broker's configs. `configurationKeys` narrows the list. An unknown
 * topic is UNKNOWN_TOPIC_OR_PARTITION; another broker id, or a broker-logger resource, is
 * INVALID_REQUEST with a message.
 *
 * Version notes: v0 has IsDefault instead of a source; v1+ add synonyms (when asked) and the
 * source; v3+ add the config type and documentation (when asked).
 */
import { DescribeConfigs, type DescribeConfigsRequest, type DescribeConfigsResponse } from '../../protocol/apis/describe-configs.js';
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import { describeBrokerConfigs } from '../config/broker-config.js';
import { ConfigSource, type DescribedConfig } from '../config/config-def.js';
import { describeTopicConfigs } from '../config/topic-config.js';
import type { BrokerServices } from '../broker-services.js';
import { handler } from '../server/handler.js';

export const ResourceType = { topic: 2, broker: 4, brokerLogger: 8 } as const;

export const describeConfigsHandler = (s: BrokerServices) =>
  handler(DescribeConfigs, {}, (req: DescribeConfigsRequest): DescribeConfigsResponse => ({
    throttleTimeMs: 0,
    results: req.resources.map((res) => {
      const base = { resourceType: res.resourceType, resourceName: res.resourceName };
      try {
        let configs: DescribedConfig[];
        if (res.resourceType === ResourceType.topic) {
          const topic = s.topics.require(res.resourceName);
          configs = describeTopicConfigs(s.config, new Map(Object.entries(topic.configs)));
        } else if (res.resourceType === ResourceType.broker) {
          if (res.resourceName !== '' && res.resourceName !== String(s.nodeId)) {
            throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unexpected broker id, expected ${s.nodeId} or empty string, but received ${res.resourceName}`);
          }
          configs = describeBrokerConfigs(s.config);
        } else {
          throw new KafkaError(ErrorCode.INVALID_REQUEST, `Resource type ${res.resourceType} is not supported by DescribeConfigs here.`);
        }
        const keys = res.configurationKeys;
        if (keys !== null && keys.length > 0) configs = configs.filter((c) => keys.includes(c.name));
        return {
          ...base,
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          configs: configs.map((c) => ({
            name: c.name,
            value: c.value,
            readOnly: c.readOnly,
            isDefault: c.source === ConfigSource.DEFAULT_CONFIG,
            configSource: c.source,
            isSensitive: c.isSensitive,
            synonyms: req.includeSynonyms ? c.synonyms.map((y) => ({ name: y.name, value: y.value, source: y.source })) : [],
            configType: c.type,
            documentation: req.includeDocumentation ? c.documentation : null,
          })),
        };
      } catch (err) {
        const code = err instanceof KafkaError ? err.code : ErrorCode.UNKNOWN_SERVER_ERROR;
        return { ...base, errorCode: code, errorMessage: (err as Error).message, configs: [] };
      }
    }),
  }));
