/**
 * Every handler the broker registers, in protocol order. ApiVersions answers from this registry.
 */
import type { BrokerServices } from '../broker-services.js';
import { HandlerRegistry } from '../server/handler.js';
import { produceHandler } from './00-produce.js';
import { fetchHandler } from './01-fetch.js';
import { listOffsetsHandler } from './02-list-offsets.js';
import { metadataHandler } from './03-metadata.js';
import { apiVersionsHandler } from './18-api-versions.js';
import { createTopicsHandler } from './19-create-topics.js';
import { deleteTopicsHandler } from './20-delete-topics.js';
import { deleteRecordsHandler } from './21-delete-records.js';
import { describeConfigsHandler } from './32-describe-configs.js';
import { alterConfigsHandler } from './33-alter-configs.js';
import { createPartitionsHandler } from './37-create-partitions.js';
import { incrementalAlterConfigsHandler } from './44-incremental-alter-configs.js';
import { describeClusterHandler } from './60-describe-cluster.js';

export function createHandlerRegistry(s: BrokerServices): HandlerRegistry {
  const registry = new HandlerRegistry();
  registry
    .register(produceHandler(s))
    .register(fetchHandler(s))
    .register(listOffsetsHandler(s))
    .register(metadataHandler(s))
    .register(apiVersionsHandler(registry))
    .register(createTopicsHandler(s))
    .register(deleteTopicsHandler(s))
    .register(deleteRecordsHandler(s))
    .register(describeConfigsHandler(s))
    .register(alterConfigsHandler(s))
    .register(createPartitionsHandler(s))
    .register(incrementalAlterConfigsHandler(s))
    .register(describeClusterHandler(s));
  return registry;
}
