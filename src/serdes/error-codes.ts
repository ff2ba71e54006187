/**
 * Every error code the serdes and the in-process schema registry throw, in one table. Programs
 * branch on these strings (they are stable); messages are for people and may be reworded.
 *
 * A Kafka Streams deserialization exception handler would skip a record only for the codes that say
 * the record itself is bad (`CORRUPT_DATA`, `UNKNOWN_SCHEMA_ID`, `INCOMPATIBLE_SCHEMA`); the others
 * say the application or the registry is at fault, and skipping would lose good records.
 */
export const SerdeErrorCode = {
  /** A serde that is not Skein's own threw; its error is the `cause`. */
  SERIALIZATION_ERROR: 'SKEIN_SERIALIZATION_ERROR',
  /** The value cannot be written by this serde: wrong type, out of range, not valid for the schema. */
  INVALID_VALUE: 'SKEIN_SERIALIZATION_INVALID_VALUE',
  /** The bytes do not decode: wrong size, not JSON, wrong magic byte, truncated, trailing bytes. */
  CORRUPT_DATA: 'SKEIN_SERIALIZATION_CORRUPT_DATA',
  /** The payload names a schema id the registry does not know. */
  UNKNOWN_SCHEMA_ID: 'SKEIN_SERIALIZATION_UNKNOWN_SCHEMA_ID',
  /** With `autoRegisterSchemas: false` or `useLatestVersion`, the subject has no matching schema. */
  SCHEMA_NOT_REGISTERED: 'SKEIN_SERIALIZATION_SCHEMA_NOT_REGISTERED',
  /** The writer schema cannot be read as the reader schema (Avro schema resolution fails). */
  INCOMPATIBLE_SCHEMA: 'SKEIN_SERIALIZATION_INCOMPATIBLE_SCHEMA',
  /** The serde's own schema is not a valid Avro schema (thrown when the serde is created). */
  INVALID_SCHEMA: 'SKEIN_SERIALIZATION_INVALID_SCHEMA',
  /**
   * The registry answers asynchronously and the schema is not cached yet. The error's `whenLoaded`
   * settles when it is; retrying after that succeeds or throws the lookup's own error.
   */
  SCHEMA_NOT_LOADED: 'SKEIN_SERIALIZATION_SCHEMA_NOT_LOADED',
  /** The registry client threw or rejected; its error is the `cause`. */
  REGISTRY_ERROR: 'SKEIN_SERIALIZATION_REGISTRY_ERROR',
  /** InMemorySchemaRegistry: the schema text is not a valid Avro schema. */
  REGISTRY_INVALID_SCHEMA: 'SKEIN_SCHEMA_REGISTRY_INVALID_SCHEMA',
  /** InMemorySchemaRegistry: the schema breaks the subject's compatibility level. */
  REGISTRY_INCOMPATIBLE_SCHEMA: 'SKEIN_SCHEMA_REGISTRY_INCOMPATIBLE_SCHEMA',
} as const;

export type SerdeErrorCode = (typeof SerdeErrorCode)[keyof typeof SerdeErrorCode];
