/**
 * Skein's public surface. Everything else is internal and may change.
 */
export { Broker, type BrokerOptions } from './broker/broker.js';
export { ManualClock, systemClock, type Clock } from './broker/clock.js';
export { loadBrokerConfig, readBrokerConfig, parseProperties, ConfigError, type BrokerConfig } from './broker/config/index.js';
export { createLogger, silentLogger, type Logger, type LogLevel } from './broker/logger.js';
export { ErrorCode, KafkaError, errorName } from './protocol/errors.js';
export { Compression } from './protocol/batch-header.js';
export { encodeRecordBatch, decodeRecordBatch, decodeRecords, type DecodedRecord, type RecordBatch } from './protocol/record-batch.js';
