/**
 * Skein's public surface: what `import … from 'skein'` gives. Everything else is internal and may
 * change; package.json's `exports` map keeps deep imports into dist/ out of reach.
 */
export { Broker, type BrokerStartOptions, type TopicSpec } from './broker/broker.js';
export { ManualClock, type Clock } from './broker/clock.js';
export { ConfigError } from './broker/config/config-error.js';
export type { ConfigValues } from './broker/embedded-config.js';
export { createLogger, silentLogger, type Logger, type LogLevel } from './broker/logger.js';
export { ErrorCode, KafkaError, errorName } from './protocol/errors.js';
