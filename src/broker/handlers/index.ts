/**
 * Every handler the broker registers, in protocol order. ApiVersions answers from this registry.
 */
import type { BrokerServices } from '../broker-services.js';
import { HandlerRegistry } from '../server/handler.js';
import { produceHandler } from './00-produce.js';
import { fetchHandler } from './01-fetch.js';
import { listOffsetsHandler } from './02-list-offsets.js';
import { metadataHandler } from './03-metadata.js';
import { offsetCommitHandler } from './08-offset-commit.js';
import { offsetFetchHandler } from './09-offset-fetch.js';
import { findCoordinatorHandler } from './10-find-coordinator.js';
import { joinGroupHandler } from './11-join-group.js';
import { heartbeatHandler } from './12-heartbeat.js';
import { leaveGroupHandler } from './13-leave-group.js';
import { syncGroupHandler } from './14-sync-group.js';
import { describeGroupsHandler } from './15-describe-groups.js';
import { listGroupsHandler } from './16-list-groups.js';
import { apiVersionsHandler } from './18-api-versions.js';
import { createTopicsHandler } from './19-create-topics.js';
import { deleteTopicsHandler } from './20-delete-topics.js';
import { deleteRecordsHandler } from './21-delete-records.js';
import { initProducerIdHandler } from './22-init-producer-id.js';
import { addPartitionsToTxnHandler } from './24-add-partitions-to-txn.js';
import { addOffsetsToTxnHandler } from './25-add-offsets-to-txn.js';
import { endTxnHandler } from './26-end-txn.js';
import { txnOffsetCommitHandler } from './28-txn-offset-commit.js';
import { describeConfigsHandler } from './32-describe-configs.js';
import { alterConfigsHandler } from './33-alter-configs.js';
import { createPartitionsHandler } from './37-create-partitions.js';
import { deleteGroupsHandler } from './42-delete-groups.js';
import { incrementalAlterConfigsHandler } from './44-incremental-alter-configs.js';
import { offsetDeleteHandler } from './47-offset-delete.js';
import { describeClusterHandler } from './60-describe-cluster.js';
import { describeProducersHandler } from './61-describe-producers.js';
import { describeTransactionsHandler } from './65-describe-transactions.js';
import { listTransactionsHandler } from './66-list-transactions.js';

export function createHandlerRegistry(s: BrokerServices): HandlerRegistry {
  const registry = new HandlerRegistry();
  registry
    .register(produceHandler(s))
    .register(fetchHandler(s))
    .register(listOffsetsHandler(s))
    .register(metadataHandler(s))
    .register(offsetCommitHandler(s))
    .register(offsetFetchHandler(s))
    .register(findCoordinatorHandler(s))
    .register(joinGroupHandler(s))
    .register(heartbeatHandler(s))
    .register(leaveGroupHandler(s))
    .register(syncGroupHandler(s))
    .register(describeGroupsHandler(s))
    .register(listGroupsHandler(s))
    .register(apiVersionsHandler(registry))
    .register(createTopicsHandler(s))
    .register(deleteTopicsHandler(s))
    .register(deleteRecordsHandler(s))
    .register(initProducerIdHandler(s))
    .register(addPartitionsToTxnHandler(s))
    .register(addOffsetsToTxnHandler(s))
    .register(endTxnHandler(s))
    .register(txnOffsetCommitHandler(s))
    .register(describeConfigsHandler(s))
    .register(alterConfigsHandler(s))
    .register(createPartitionsHandler(s))
    .register(deleteGroupsHandler(s))
    .register(incrementalAlterConfigsHandler(s))
    .register(offsetDeleteHandler(s))
    .register(describeClusterHandler(s))
    .register(describeProducersHandler(s))
    .register(describeTransactionsHandler(s))
    .register(listTransactionsHandler(s));
  return registry;
}
