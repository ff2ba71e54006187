/**
 * Internal: what the helpers below a serde throw before they know the serde's name and the topic.
 * The serde turns it into a SerializationError at its boundary (`toSerializationError`), so the
 * helpers stay free of those parameters and the error still names both.
 */
import { SerdeErrorCode } from './error-codes.js';
import { SerializationError, type SerdeOperation } from './serialization-error.js';

export class SerdeFault extends Error {
  override name = 'SerdeFault';
  constructor(
    readonly code: SerdeErrorCode,
    detail: string,
    readonly options: { cause?: unknown; whenLoaded?: Promise<void> } = {},
  ) {
    super(detail);
  }
}

export function toSerializationError(error: unknown, serde: string, topic: string | undefined, operation: SerdeOperation): SerializationError {
  if (error instanceof SerializationError) return error;
  if (error instanceof SerdeFault) {
    return new SerializationError({
      code: error.code,
      serde,
      topic,
      operation,
      detail: error.message,
      cause: error.options.cause,
      whenLoaded: error.options.whenLoaded,
    });
  }
  // Not expected from our own code; kept as the cause rather than lost.
  const detail = error instanceof Error ? error.message : String(error);
  return new SerializationError({ code: SerdeErrorCode.SERIALIZATION_ERROR, serde, topic, operation, detail, cause: error });
}

/** A cause's message, for details that quote a library's own words ("truncated buffer"). */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The value a serializer refused. */
export function invalidValue(serde: string, topic: string, detail: string): SerializationError {
  return new SerializationError({ code: SerdeErrorCode.INVALID_VALUE, serde, topic, operation: 'serialize', detail });
}

/** The bytes a deserializer could not read. */
export function corruptData(serde: string, topic: string, detail: string): SerializationError {
  return new SerializationError({ code: SerdeErrorCode.CORRUPT_DATA, serde, topic, operation: 'deserialize', detail });
}

/** `string "12"`, `bigint 5`, `object` — enough to see what was passed, never a whole object. */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
    case 'number':
    case 'bigint':
    case 'boolean':
      return `${typeof value} ${String(value)}`;
    case 'object':
      return Buffer.isBuffer(value) ? `Buffer of ${value.length} bytes` : Array.isArray(value) ? 'array' : 'object';
    default:
      return typeof value;
  }
}
