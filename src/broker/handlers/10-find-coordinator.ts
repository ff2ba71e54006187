/**
 * FindCoordinator: v0-6.
 *
 * Behavior: this broker coordinates every group and every transactional id, so a group key (key
 * type 0) is answered with this node, creating __consumer_offsets on the first lookup as Kafka does,
 * and so is a transactional id (type 1), creating __transaction_state; an empty transactional id is
 * INVALID_REQUEST. Share-group keys (type 2) and unknown types answer INVALID_REQUEST.
 *
 * Version notes: v0 has no key type (always a group); v1+ carry error messages; v4+ batch several
 * keys (CoordinatorKeys) and answer one Coordinators entry per key.
 */
import { CoordinatorType, FindCoordinator, type FindCoordinatorRequest, type FindCoordinatorResponse } from '../../protocol/apis/find-coordinator.js';
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import type { BrokerServices } from '../broker-services.js';
import { handler, type RequestContext } from '../server/handler.js';

interface Answer {
  nodeId: number;
  host: string;
  port: number;
  errorCode: number;
  errorMessage: string | null;
}

export const findCoordinatorHandler = (s: BrokerServices) =>
  handler(FindCoordinator, {}, (req: FindCoordinatorRequest, ctx): FindCoordinatorResponse => {
    const keyType = ctx.header.apiVersion >= 1 ? (req.keyType ?? CoordinatorType.group) : CoordinatorType.group;
    if (ctx.header.apiVersion >= 4) {
      return { throttleTimeMs: 0, coordinators: (req.coordinatorKeys ?? []).map((key) => ({ key, ...findCoordinator(s, keyType, key, ctx) })) };
    }
    return { throttleTimeMs: 0, ...findCoordinator(s, keyType, req.key ?? '', ctx) };
  });

function findCoordinator(s: BrokerServices, keyType: number, key: string, ctx: RequestContext): Answer {
  const fail = (errorCode: number, errorMessage: string): Answer => ({ nodeId: -1, host: '', port: -1, errorCode, errorMessage });
  switch (keyType) {
    case CoordinatorType.group:
      try {
        s.groupCoordinator.ensureOffsetsTopic();
      } catch (err) {
        if (!(err instanceof KafkaError)) s.logger.error(`Creating __consumer_offsets failed: ${(err as Error).stack}`);
        return fail(ErrorCode.COORDINATOR_NOT_AVAILABLE, `__consumer_offsets could not be created: ${(err as Error).message}`);
      }
      break;
    case CoordinatorType.transaction:
      if (key === '') return fail(ErrorCode.INVALID_REQUEST, 'A transactional id may not be empty.');
      try {
        s.transactionCoordinator.ensureTransactionStateTopic();
      } catch (err) {
        if (!(err instanceof KafkaError)) s.logger.error(`Creating __transaction_state failed: ${(err as Error).stack}`);
        return fail(ErrorCode.COORDINATOR_NOT_AVAILABLE, `__transaction_state could not be created: ${(err as Error).message}`);
      }
      break;
    case CoordinatorType.share:
      return fail(ErrorCode.INVALID_REQUEST, 'Share groups (KIP-932) are not supported by this broker.');
    default:
      return fail(ErrorCode.INVALID_REQUEST, `Unknown coordinator type ${keyType}.`);
  }
  const self = s.advertisedEndpoint(ctx.listenerName);
  return { nodeId: s.nodeId, host: self.host, port: self.port, errorCode: ErrorCode.NONE, errorMessage: null };
}
