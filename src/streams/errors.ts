/**
 * Errors of the streams half, one class each, with stable codes (as abstract-level and fastify do)
 * so callers and the docs' error reference can rely on them.
 */

export const StreamsErrorCode = {
  /** A topology that cannot run: an unknown parent, a store no processor can reach, a bad name. */
  TOPOLOGY: 'SKEIN_TOPOLOGY_ERROR',
  /** A configuration property that is unknown, ill-typed or out of range. */
  CONFIG: 'SKEIN_STREAMS_CONFIG_ERROR',
  /** A state store was misused or its files cannot be read or written. */
  STATE_STORE: 'SKEIN_STATE_STORE_ERROR',
  /** A record could not be processed: user code threw, a serde failed, an operator misbehaved. */
  PROCESSING: 'SKEIN_PROCESSING_ERROR',
  /** An interactive query of a store that does not exist, is of another kind, or is not queryable now. */
  INVALID_STATE_STORE: 'SKEIN_INVALID_STATE_STORE',
  /** This instance no longer owns a task (its producer was fenced); the task must be closed dirty. */
  TASK_MIGRATED: 'SKEIN_TASK_MIGRATED',
  /** Anything else the runtime gives up on. */
  STREAMS: 'SKEIN_STREAMS_ERROR',
} as const;

export type StreamsErrorCode = (typeof StreamsErrorCode)[keyof typeof StreamsErrorCode];

/** Kafka Streams' StreamsException: the base of every error the streams half throws. */
export class StreamsError extends Error {
  override name = 'StreamsError';
  readonly code: StreamsErrorCode;
  constructor(message: string, options: { code?: StreamsErrorCode; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code ?? StreamsErrorCode.STREAMS;
  }
}

export class TopologyError extends StreamsError {
  override name = 'TopologyError';
  constructor(message: string) {
    super(`Invalid topology: ${message}`, { code: StreamsErrorCode.TOPOLOGY });
  }
}

export class StreamsConfigError extends StreamsError {
  override name = 'StreamsConfigError';
  constructor(message: string) {
    super(message, { code: StreamsErrorCode.CONFIG });
  }
}

export class StateStoreError extends StreamsError {
  override name = 'StateStoreError';
  constructor(message: string, cause?: unknown) {
    super(message, { code: StreamsErrorCode.STATE_STORE, cause });
  }
}

/**
 * A record failed in a processor. The message names the task, the node and where the record came
 * from (`topic-partition@offset`), so a log line is enough to find it.
 */
export class ProcessingError extends StreamsError {
  override name = 'ProcessingError';
  constructor(
    message: string,
    readonly where: { taskId?: string; node?: string; topic?: string; partition?: number; offset?: number },
    cause?: unknown,
  ) {
    super(message, { code: StreamsErrorCode.PROCESSING, cause });
  }
}

/** Kafka Streams' InvalidStateStoreException: a query of a store that is unknown, of another kind, or not queryable (yet). */
export class InvalidStateStoreError extends StreamsError {
  override name = 'InvalidStateStoreError';
  constructor(message: string) {
    super(message, { code: StreamsErrorCode.INVALID_STATE_STORE });
  }
}

export class TaskMigratedError extends StreamsError {
  override name = 'TaskMigratedError';
  constructor(taskId: string, cause?: unknown) {
    super(`Task ${taskId} is owned by another instance now (its producer was fenced)`, { code: StreamsErrorCode.TASK_MIGRATED, cause });
  }
}

/** `topic-partition@offset`, the way every message names a record's origin. */
export function recordOrigin(topic: string | undefined, partition: number | undefined, offset: number | undefined): string {
  if (topic === undefined) return 'a record with no source topic (from a punctuator)';
  return `${topic}-${partition ?? '?'}@${offset ?? '?'}`;
}

/** What the error tests read of an error in a cause chain: kafkajs's `type`, Node's `code`, and so on. */
export interface ErrorLike {
  readonly type?: string;
  readonly name?: string;
  readonly code?: unknown;
  readonly message?: unknown;
}

/** An error and its causes — kafkajs's `originalError`, else `cause` — at most 8 deep. */
export function* causeChain(e: unknown): Generator<ErrorLike> {
  for (let x: unknown = e, depth = 0; x !== null && x !== undefined && depth < 8; depth++) {
    const err = x as ErrorLike & { cause?: unknown; originalError?: unknown };
    yield err;
    x = err.originalError ?? err.cause;
  }
}
