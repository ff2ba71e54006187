/**
 * What happens to a record that cannot be deserialized (`default.deserialization.exception.handler`)
 * — Kafka Streams' `LogAndFailExceptionHandler` (the default), `LogAndContinueExceptionHandler`, or a
 * function of the user's — and the dead-letter queue of KIP-1034 (`errors.deadletterqueue.topic.name`):
 * the record's original bytes, with the error in headers, written in the same transaction as the
 * offset that skips it.
 */
import type { Logger } from '../../common/logger.js';
import type { ProcessingError } from '../errors.js';
import { StreamsConfigError } from '../errors.js';
import type { ProducerRecord, RawRecord } from './record-collector.js';

export type HandlerResponse = 'CONTINUE' | 'FAIL';

/** A handler may also ask for records to be written (a dead-letter queue of its own). */
export type DeserializationHandlerResult = HandlerResponse | { response: HandlerResponse; deadLetterQueueRecords?: ProducerRecord[] };

export type DeserializationExceptionHandler = (error: ProcessingError, record: RawRecord) => DeserializationHandlerResult;

export const LogAndFailExceptionHandler = 'logAndFail';
export const LogAndContinueExceptionHandler = 'logAndContinue';

export type DeserializationExceptionHandlerConfig = typeof LogAndFailExceptionHandler | typeof LogAndContinueExceptionHandler | DeserializationExceptionHandler;

/** The headers a dead-letter record carries, as KIP-1034 names them. */
export const DLQ_HEADERS = {
  exceptionName: '__streams.errors.exception',
  message: '__streams.errors.message',
  stacktrace: '__streams.errors.stacktrace',
  topic: '__streams.errors.topic',
  partition: '__streams.errors.partition',
  offset: '__streams.errors.offset',
} as const;

/** The dead-letter record for a failed input record: its own key and value bytes, the error in headers. */
export function deadLetterRecord(dlqTopic: string, error: ProcessingError, raw: RawRecord): ProducerRecord {
  const cause = (error.cause as Error | undefined) ?? error;
  return {
    topic: dlqTopic,
    partition: undefined,
    key: raw.key,
    value: raw.value,
    timestamp: raw.timestamp,
    headers: {
      ...raw.headers,
      [DLQ_HEADERS.exceptionName]: cause.name ?? 'Error',
      [DLQ_HEADERS.message]: error.message,
      [DLQ_HEADERS.stacktrace]: cause.stack ?? '',
      [DLQ_HEADERS.topic]: raw.topic,
      [DLQ_HEADERS.partition]: String(raw.partition),
      [DLQ_HEADERS.offset]: String(raw.offset),
    },
  };
}

/**
 * Builds the task's decision function from the configs. With a dead-letter topic configured, the
 * built-in handlers also send the record there (and `logAndContinue` is then what users expect).
 */
export function deserializationErrorDecider(
  configured: unknown,
  dlqTopic: string | null,
  logger: Logger,
  send: (record: ProducerRecord) => void,
): (raw: RawRecord, error: ProcessingError) => HandlerResponse {
  const handler = configured ?? LogAndFailExceptionHandler;
  if (handler !== LogAndFailExceptionHandler && handler !== LogAndContinueExceptionHandler && typeof handler !== 'function') {
    throw new StreamsConfigError(`default.deserialization.exception.handler must be 'logAndFail', 'logAndContinue' or a function, not ${String(handler)}`);
  }
  return (raw, error) => {
    let result: DeserializationHandlerResult;
    if (handler === LogAndFailExceptionHandler) {
      logger.error(`${error.message}; failing (default.deserialization.exception.handler = logAndFail)`);
      result = 'FAIL';
    } else if (handler === LogAndContinueExceptionHandler) {
      logger.warn(`${error.message}; skipping the record${dlqTopic !== null ? ` (to the dead-letter topic ${dlqTopic})` : ''}`);
      result = 'CONTINUE';
    } else {
      result = (handler as DeserializationExceptionHandler)(error, raw);
    }
    const response = typeof result === 'string' ? result : result.response;
    if (response !== 'CONTINUE' && response !== 'FAIL')
      throw new StreamsConfigError(`The deserialization exception handler returned ${String(response)}; it must return 'CONTINUE' or 'FAIL'`);
    if (typeof result === 'object') for (const r of result.deadLetterQueueRecords ?? []) send(r);
    else if (dlqTopic !== null) send(deadLetterRecord(dlqTopic, error, raw));
    return response;
  };
}
