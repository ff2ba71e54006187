/**
 * AddOffsetsToTxn: v0-4.
 *
 * Behavior: adds the group's `__consumer_offsets` partition to the producer's open transaction
 * (starting one if none is open), so that its TxnOffsetCommit becomes visible only when the
 * transaction commits (`TransactionCoordinator.handleAddOffsetsToTransaction`). Errors as
 * AddPartitionsToTxn: INVALID_PRODUCER_ID_MAPPING, PRODUCER_FENCED, CONCURRENT_TRANSACTIONS,
 * COORDINATOR_LOAD_IN_PROGRESS.
 *
 * Version notes: PRODUCER_FENCED is sent from v2; older versions get INVALID_PRODUCER_EPOCH
 * (KIP-588). v3 is flexible; v4 only widens the errors (TRANSACTION_ABORTABLE, never sent here).
 */
import { AddOffsetsToTxn, type AddOffsetsToTxnRequest, type AddOffsetsToTxnResponse } from '../../protocol/apis/add-offsets-to-txn.js';
import { fencedErrorForVersion } from '../../protocol/producer-fenced.js';
import type { BrokerServices } from '../broker-services.js';
import { handler } from '../server/handler.js';

export const addOffsetsToTxnHandler = (s: BrokerServices) =>
  handler(AddOffsetsToTxn, {}, (req: AddOffsetsToTxnRequest, ctx): AddOffsetsToTxnResponse => {
    const error = s.transactionCoordinator.handleAddOffsetsToTransaction(req.transactionalId, req.producerId, req.producerEpoch, req.groupId);
    return { throttleTimeMs: 0, errorCode: fencedErrorForVersion(error, ctx.header) };
  });
