/**
 * What a coordinator answers when its internal topic refuses a write, as Kafka maps it: errors that
 * mean "no writes here now" become COORDINATOR_NOT_AVAILABLE (the client retries), errors that mean
 * "not the leader" NOT_COORDINATOR (the client looks the coordinator up again); a batch too large
 * and anything else are answered as the request's own mapping says.
 */
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import type { Logger } from '../logger.js';

export interface WriteErrorAnswers {
  /** For MESSAGE_TOO_LARGE, RECORD_LIST_TOO_LARGE and INVALID_FETCH_SIZE. */
  tooLarge: number;
  /** For any other error; when not given, the error itself. */
  otherwise?: number;
}

export function coordinatorWriteError(code: number, answers: WriteErrorAnswers): number {
  switch (code) {
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
    case ErrorCode.NOT_ENOUGH_REPLICAS:
    case ErrorCode.REQUEST_TIMED_OUT:
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    case ErrorCode.NOT_LEADER_OR_FOLLOWER:
    case ErrorCode.KAFKA_STORAGE_ERROR:
      return ErrorCode.NOT_COORDINATOR;
    case ErrorCode.MESSAGE_TOO_LARGE:
    case ErrorCode.RECORD_LIST_TOO_LARGE:
    case ErrorCode.INVALID_FETCH_SIZE:
      return answers.tooLarge;
    default:
      return answers.otherwise ?? code;
  }
}

/**
 * Logs the failed write (`what`: "commit offsets of group g") and returns its answer; anything but
 * a KafkaError is unexpected: logged with its stack and answered UNKNOWN_SERVER_ERROR.
 */
export function answerWriteFailure(err: unknown, what: string, logger: Logger, answers: WriteErrorAnswers): number {
  if (!(err instanceof KafkaError)) {
    logger.error(`Failed to ${what}: ${(err as Error)?.stack ?? err}`);
    return ErrorCode.UNKNOWN_SERVER_ERROR;
  }
  logger.warn(`Failed to ${what}: ${err.message}`);
  return coordinatorWriteError(err.code, answers);
}
