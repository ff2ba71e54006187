/**
 * Skein's public surface: what `import … from 'skein'` gives. Everything else is internal and may
 * change; package.json's `exports` map keeps deep imports into dist/ out of reach.
 */
export { Broker, type BrokerStartOptions, type TopicSpec } from './broker/broker.js';
export { ManualClock, type Clock } from './broker/clock.js';
export { ConfigError } from './broker/config/config-error.js';
export type { ConfigValues } from './broker/embedded-config.js';
export { createLogger, silentLogger, type Logger, type LogLevel } from './common/logger.js';
export { ErrorCode, KafkaError, errorName } from './protocol/errors.js';

// Streams: the DSL, the Processor API, stores, the test driver.
export { StreamsBuilder, type TableOptions } from './streams/kstream/streams-builder.js';
export { KStream, type AsyncOptions, type ProcessOptions } from './streams/kstream/kstream.js';
export { KTable } from './streams/kstream/ktable.js';
export { GlobalKTable } from './streams/kstream/global-ktable.js';
export { TimeWindowedKStream } from './streams/kstream/time-windowed-kstream.js';
export { SessionWindowedKStream } from './streams/kstream/session-windowed-kstream.js';
export { TimeWindows } from './streams/kstream/windows/time-windows.js';
export { SessionWindows } from './streams/kstream/windows/session-windows.js';
export { SlidingWindows } from './streams/kstream/windows/sliding-windows.js';
export { JoinWindows } from './streams/kstream/windows/join-windows.js';
export { WindowedSerdes } from './streams/kstream/windows/windowed-serdes.js';
export { BufferConfig, Suppressed } from './streams/kstream/suppressed.js';
export { TimestampExtractors } from './streams/processor/timestamp-extractors.js';
export {
  windowed,
  type ReadOnlySessionStore,
  type ReadOnlyWindowStore,
  type SessionStore,
  type StoreIterator,
  type TimestampedWindowStore,
  type Window,
  type WindowStore,
  type Windowed,
} from './streams/state/window-store.js';
export { KGroupedStream } from './streams/kstream/kgrouped-stream.js';
export { KGroupedTable } from './streams/kstream/kgrouped-table.js';
export { BranchedKStream, type Branched } from './streams/kstream/branched-kstream.js';
export type { Joined, StreamJoined, TableJoined, ValueJoiner } from './streams/kstream/joined.js';
export type {
  Consumed,
  Grouped,
  KeyValuePair,
  Materialized,
  MaterializedAs,
  Named,
  Predicate,
  Produced,
  Repartitioned,
  StreamPartitioner,
  TimestampExtractor,
  TopicNameExtractor,
} from './streams/kstream/options.js';
export { Topology, type SinkOptions, type SourceOptions } from './streams/processor/topology.js';
export { TopologyDescription, type NodeDescription, type SubtopologyDescription } from './streams/processor/topology-description.js';
export type { Cancellable, Processor, ProcessorContext, ProcessorSupplier, PunctuationType, Punctuator } from './streams/processor/processor.js';
export { keyValue, type ConsumedRecord, type KeyValue, type RecordMetadata, type StreamRecord } from './streams/processor/stream-record.js';
export { Stores, type KeyValueBytesStoreSupplier, type SessionBytesStoreSupplier, type WindowBytesStoreSupplier } from './streams/state/stores.js';
export type { StoreBuilder } from './streams/state/store-builder.js';
export type { StateStore } from './streams/state/state-store.js';
export type { KeyValueIterator, KeyValueStore, ReadOnlyKeyValueStore, TimestampedKeyValueStore, ValueAndTimestamp } from './streams/state/key-value-store.js';
export {
  QueryableStoreTypes,
  type QueryableKeyValueStore,
  type QueryableSessionStore,
  type QueryableStoreType,
  type QueryableWindowStore,
} from './streams/state/queryable-store-types.js';
export { TopologyTestDriver } from './streams/testing/topology-test-driver.js';
export { TestInputTopic } from './streams/testing/test-input-topic.js';
export { TestOutputTopic } from './streams/testing/test-output-topic.js';
export type { TestRecord } from './streams/testing/test-record.js';
export {
  LogAndContinueExceptionHandler,
  LogAndFailExceptionHandler,
  type DeserializationExceptionHandler,
  type DeserializationHandlerResult,
} from './streams/runtime/exception-handlers.js';
export {
  InvalidStateStoreError,
  ProcessingError,
  StateStoreError,
  StreamsConfigError,
  StreamsError,
  StreamsErrorCode,
  TaskMigratedError,
  TopologyError,
} from './streams/errors.js';
export {
  AvroBinarySerde,
  AvroRegistrySerde,
  InMemorySchemaRegistry,
  RecordNameStrategy,
  SchemaRegistryError,
  SerdeErrorCode,
  Serdes,
  SerializationError,
  TopicNameStrategy,
  TopicRecordNameStrategy,
  type AvroBinarySerdeOptions,
  type AvroRegistrySerdeOptions,
  type AvroSchema,
  type AvroSerdeOptions,
  type CompatibilityLevel,
  type Headers,
  type HeaderValue,
  type InMemorySchemaRegistryOptions,
  type MaybePromise,
  type RecordLocation,
  type RecordOffset,
  type RecordPart,
  type SchemaMetadata,
  type SchemaRegistryClient,
  type Serde,
  type SerdeOperation,
  type SerializationErrorDetails,
  type SubjectNameStrategy,
} from './serdes/index.js';
export {
  KafkaStreams,
  type KafkaStreamsOptions,
  type KafkaStreamsState,
  type StateListener,
  type StreamThreadExceptionResponse,
  type StreamsUncaughtExceptionHandler,
} from './streams/runtime/kafka-streams.js';
export { KeyQueryMetadata, type HostInfo, type KeySerializer, type StreamsMetadata } from './streams/runtime/streams-metadata-state.js';
export type { HttpServerOptions, KeyParser, StreamsHttpServer } from './streams/runtime/streams-http-server.js';
export { STREAMS_METRICS, type StreamsMetric } from './streams/runtime/streams-metrics.js';
export { StreamsConfig, STREAMS_CONFIGS, CLIENT_CONFIGS, AT_LEAST_ONCE, EXACTLY_ONCE, type StreamsProperties } from './streams/runtime/streams-config.js';
