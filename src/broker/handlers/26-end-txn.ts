/**
 * EndTxn: v0-4.
 *
 * Behavior: commits or aborts the producer's open transaction (`TransactionCoordinator
 * .handleEndTransaction`): PrepareCommit/PrepareAbort is written to __transaction_state, then a
 * COMMIT/ABORT marker to every partition of the transaction (and the group's __consumer_offsets
 * partition, which makes its transactional offsets visible or drops them), then
 * CompleteCommit/CompleteAbort — all before the answer unless a marker cannot be written, in which
 * case the coordinator keeps trying and the next request gets CONCURRENT_TRANSACTIONS. With no
 * transaction open, or the other outcome of one already ending: INVALID_TXN_STATE; the same outcome
 * again succeeds. INVALID_PRODUCER_ID_MAPPING and PRODUCER_FENCED as AddPartitionsToTxn.
 *
 * Version notes: PRODUCER_FENCED is sent from v2; older versions get INVALID_PRODUCER_EPOCH
 * (KIP-588). v3 is flexible, v4 only widens the errors. v5 (transaction version 2, KIP-890 part 2:
 * an epoch bump at every commit) is not accepted.
 */
import { EndTxn, type EndTxnRequest, type EndTxnResponse } from '../../protocol/apis/end-txn.js';
import { fencedErrorForVersion } from '../../protocol/producer-fenced.js';
import type { BrokerServices } from '../broker-services.js';
import { handler } from '../server/handler.js';

export const endTxnHandler = (s: BrokerServices) =>
  handler(EndTxn, { max: 4 }, (req: EndTxnRequest, ctx): EndTxnResponse => {
    const error = s.transactionCoordinator.handleEndTransaction(req.transactionalId, req.producerId, req.producerEpoch, req.committed);
    return { throttleTimeMs: 0, errorCode: fencedErrorForVersion(error, ctx.header) };
  });
