/**
 * DescribeTransactions: v0.
 *
 * Behavior: for each transactional id, what the coordinator holds (KIP-664): state, timeout, start
 * time of the open transaction (-1 when none), producer id and epoch, and the partitions of the
 * transaction — while it is preparing to commit or abort, only those whose marker is not written yet.
 * TRANSACTIONAL_ID_NOT_FOUND for an id the coordinator does not know, INVALID_REQUEST for an empty
 * one, COORDINATOR_LOAD_IN_PROGRESS while its partition of __transaction_state loads.
 */
import { DescribeTransactions, type DescribeTransactionsRequest, type DescribeTransactionsResponse } from '../../protocol/apis/describe-transactions.js';
import type { BrokerServices } from '../broker-services.js';
import { handler } from '../server/handler.js';

export const describeTransactionsHandler = (s: BrokerServices) =>
  handler(DescribeTransactions, {}, (req: DescribeTransactionsRequest): DescribeTransactionsResponse => ({
    throttleTimeMs: 0,
    transactionStates: req.transactionalIds.map((id) => s.transactionCoordinator.handleDescribeTransactions(id)),
  }));
