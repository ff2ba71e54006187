/**
 * ListTransactions: v0-1.
 *
 * Behavior: every transactional id the coordinator holds, with its producer id and state (KIP-664),
 * filtered by state names and producer ids (an empty filter matches everything); state names Kafka
 * does not have come back in UnknownStateFilters. COORDINATOR_LOAD_IN_PROGRESS while
 * __transaction_state loads.
 *
 * Version notes: v1 adds DurationFilter: only transactions running longer than this many ms (-1:
 * any; KIP-994). v2's TransactionalIdPattern (a Java regular expression, KIP-1152) is not accepted.
 */
import { ListTransactions, type ListTransactionsRequest, type ListTransactionsResponse } from '../../protocol/apis/list-transactions.js';
import type { BrokerServices } from '../broker-services.js';
import { handler } from '../server/handler.js';

export const listTransactionsHandler = (s: BrokerServices) =>
  handler(ListTransactions, { max: 1 }, (req: ListTransactionsRequest, ctx): ListTransactionsResponse => {
    const duration = ctx.header.apiVersion >= 1 ? Number(req.durationFilter ?? -1n) : -1;
    return { throttleTimeMs: 0, ...s.transactionCoordinator.handleListTransactions(req.producerIdFilters, req.stateFilters, duration) };
  });
