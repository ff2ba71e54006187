/** The serdes' public surface, re-exported by name from `src/index.ts`. */
export { AvroBinarySerde, type AvroBinarySerdeOptions } from './avro-binary-serde.js';
export { AvroRegistrySerde, type AvroRegistrySerdeOptions } from './avro-registry-serde.js';
export type { AvroSchema } from './avro-schema.js';
export { SerdeErrorCode } from './error-codes.js';
export type { Headers, HeaderValue } from './headers.js';
export { InMemorySchemaRegistry, type CompatibilityLevel, type InMemorySchemaRegistryOptions } from './in-memory-schema-registry.js';
export type { MaybePromise } from './maybe-promise.js';
export type { SchemaMetadata, SchemaRegistryClient } from './schema-registry-client.js';
export { SchemaRegistryError } from './schema-registry-error.js';
export type { Serde } from './serde.js';
export { Serdes, type AvroSerdeOptions } from './serdes.js';
export {
  SerializationError,
  type RecordLocation,
  type RecordOffset,
  type RecordPart,
  type SerdeOperation,
  type SerializationErrorDetails,
} from './serialization-error.js';
export { RecordNameStrategy, TopicNameStrategy, TopicRecordNameStrategy, type SubjectNameStrategy } from './subject-name-strategy.js';
