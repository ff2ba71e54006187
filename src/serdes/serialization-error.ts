/**
 * The one error class for serialization failures, Kafka's SerializationException. A serde knows the
 * topic but not the partition or offset, so it throws the short form; the runtime, which knows
 * where the record sits, rewraps it with `SerializationError.atRecord` so the message names it:
 *
 *   Failed to deserialize the value of the record at text-lines-2@17 with serde Long:
 *   Size of data received by LongDeserializer is not 8
 */
import { SerdeErrorCode } from './error-codes.js';

export type SerdeOperation = 'serialize' | 'deserialize' | 'configure';
export type RecordPart = 'key' | 'value';
/** kafkajs gives offsets as strings, the protocol layer as bigint; all are accepted. */
export type RecordOffset = number | bigint | string;

export interface SerializationErrorDetails {
  code: SerdeErrorCode;
  /** The serde's `name`. */
  serde: string;
  operation: SerdeOperation;
  /** The cause in one sentence, without the serde or the record (the message adds them). */
  detail: string;
  topic?: string;
  part?: RecordPart;
  partition?: number;
  offset?: RecordOffset;
  cause?: unknown;
  whenLoaded?: Promise<void>;
}

/** Where a record sits, as the runtime knows it when it rewraps a serde's error. */
export interface RecordLocation {
  operation: 'serialize' | 'deserialize';
  part: RecordPart;
  /** The serde's `name`: needed when the error came from a serde that is not Skein's own. */
  serde: string;
  topic: string;
  partition?: number;
  offset?: RecordOffset;
}

export class SerializationError extends Error {
  override name = 'SerializationError';
  readonly code: SerdeErrorCode;
  readonly serde: string;
  readonly operation: SerdeOperation;
  readonly detail: string;
  readonly topic: string | undefined;
  readonly part: RecordPart | undefined;
  readonly partition: number | undefined;
  readonly offset: RecordOffset | undefined;
  /**
   * Set only with code SCHEMA_NOT_LOADED: settles (never rejects) once the registry has answered,
   * so a caller that can wait may await it and call the serde again.
   */
  readonly whenLoaded: Promise<void> | undefined;

  constructor(details: SerializationErrorDetails) {
    super(messageOf(details), details.cause === undefined ? undefined : { cause: details.cause });
    this.code = details.code;
    this.serde = details.serde;
    this.operation = details.operation;
    this.detail = details.detail;
    this.topic = details.topic;
    this.part = details.part;
    this.partition = details.partition;
    this.offset = details.offset;
    this.whenLoaded = details.whenLoaded;
  }

  /**
   * The error to report for a record that failed to (de)serialize: keeps the code, detail and
   * `whenLoaded` of a SerializationError; any other error (a user's own serde threw) becomes code
   * SERIALIZATION_ERROR with its message as the detail. The original is the `cause`.
   */
  static atRecord(error: unknown, at: RecordLocation): SerializationError {
    const known = error instanceof SerializationError ? error : undefined;
    return new SerializationError({
      code: known?.code ?? SerdeErrorCode.SERIALIZATION_ERROR,
      serde: known?.serde ?? at.serde,
      operation: at.operation,
      detail: known?.detail ?? (error instanceof Error ? error.message : String(error)),
      topic: at.topic,
      part: at.part,
      partition: at.partition,
      offset: at.offset,
      cause: error,
      whenLoaded: known?.whenLoaded,
    });
  }
}

function messageOf(d: SerializationErrorDetails): string {
  if (d.operation === 'configure') return `Failed to configure serde ${d.serde}: ${d.detail}`;
  const where = d.partition === undefined ? (d.topic ?? '?') : `${d.topic ?? '?'}-${d.partition}`;
  if (d.part === undefined) {
    const from = d.topic === undefined ? '' : d.operation === 'serialize' ? ` for ${where}` : ` from ${where}`;
    return `Failed to ${d.operation} data${from} with serde ${d.serde}: ${d.detail}`;
  }
  const record = d.offset === undefined ? `a record for ${where}` : `the record at ${where}@${String(d.offset)}`;
  return `Failed to ${d.operation} the ${d.part} of ${record} with serde ${d.serde}: ${d.detail}`;
}
