export { BROKER_CONFIG_DEFINITIONS, BROKER_CONFIGS, describeBrokerConfigs, loadBrokerConfig, type BrokerConfig, type Listener } from './broker-config.js';
export {
  ConfigSource,
  ConfigTypeId,
  configTypeId,
  formatConfigValue,
  parseConfigValue,
  type ConfigDefinition,
  type ConfigSourceId,
  type ConfigSynonym,
  type ConfigTypeIdValue,
  type ConfigValue,
  type ConfigValueType,
  type DescribedConfig,
  type Importance,
  type Support,
} from './config-def.js';
export { ConfigError } from './config-error.js';
export { parseOverride, parseOverrides, parseProperties } from './properties.js';
export { readBrokerConfig } from './read-broker-config.js';
export {
  describeTopicConfigs,
  effectiveLogConfig,
  TOPIC_CONFIG_DEFINITIONS,
  TOPIC_CONFIGS,
  validateTopicConfigs,
  type TopicConfigDefinition,
  type TopicConfigValidation,
} from './topic-config.js';
