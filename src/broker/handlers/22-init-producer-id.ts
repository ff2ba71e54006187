/**
 * InitProducerId: v0-5.
 *
 * Behavior: with a null transactional id (an idempotent producer), hands out a new producer id from
 * the `ProducerIdManager` with epoch 0 — every time, as Kafka does, even when a v3+ request carries
 * the producer's current id and epoch (a producer that lost its sequence state starts over with a
 * fresh id). A transactional id goes to the transaction coordinator
 * (`TransactionCoordinator.handleInitProducerId`): a new id gets a producer id and epoch 0, a known
 * one the epoch bumped (a new producer id when its epochs are used up); an open transaction of the
 * id is aborted with the epoch bumped first and the answer is CONCURRENT_TRANSACTIONS until that is
 * done. INVALID_TRANSACTION_TIMEOUT above transaction.max.timeout.ms (or ≤ 0), INVALID_REQUEST for
 * an empty transactional id.
 *
 * Version notes: v3+ carry ProducerId/ProducerEpoch (KIP-360): a transactional producer's current id
 * and epoch, bumped only if they are still current; one set without the other is INVALID_REQUEST.
 * v4+ may get PRODUCER_FENCED; older versions get INVALID_PRODUCER_EPOCH instead (KIP-588). v5 only
 * widens the errors a request may get. v6 (two-phase commit, KIP-939) is not accepted.
 */
import { InitProducerId, type InitProducerIdRequest, type InitProducerIdResponse } from '../../protocol/apis/init-producer-id.js';
import { NO_PRODUCER_EPOCH, NO_PRODUCER_ID } from '../../protocol/batch-header.js';
import { ErrorCode } from '../../protocol/errors.js';
import { fencedErrorForVersion } from '../../protocol/producer-fenced.js';
import type { BrokerServices } from '../broker-services.js';
import { codeOf } from '../replica-manager.js';
import { handler } from '../server/handler.js';

export function initProducerIdHandler(s: BrokerServices) {
  return handler(InitProducerId, { max: 5 }, (req: InitProducerIdRequest, ctx): InitProducerIdResponse => {
    const fail = (errorCode: number): InitProducerIdResponse => ({
      throttleTimeMs: 0,
      errorCode,
      producerId: NO_PRODUCER_ID,
      producerEpoch: NO_PRODUCER_EPOCH,
    });
    const hasId = (req.producerId ?? NO_PRODUCER_ID) !== NO_PRODUCER_ID;
    const hasEpoch = (req.producerEpoch ?? NO_PRODUCER_EPOCH) !== NO_PRODUCER_EPOCH;
    if (hasId !== hasEpoch) return fail(ErrorCode.INVALID_REQUEST);
    if (req.transactionalId !== null) {
      const expected = hasId ? { producerId: req.producerId as bigint, producerEpoch: req.producerEpoch as number } : undefined;
      const result = s.transactionCoordinator.handleInitProducerId(req.transactionalId, req.transactionTimeoutMs, expected);
      return {
        throttleTimeMs: 0,
        errorCode: fencedErrorForVersion(result.errorCode, ctx.header),
        producerId: result.producerId,
        producerEpoch: result.producerEpoch,
      };
    }
    try {
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId: s.producerIdManager.generateProducerId(), producerEpoch: 0 };
    } catch (err) {
      s.logger.error(`InitProducerId failed: ${(err as Error).message}`);
      return fail(codeOf(err));
    }
  });
}
