/**
 * What handlers reach: the broker's domain objects, wired once by `BrokerServer`.
 */
import type { BrokerConfig } from './config/broker-config.js';
import type { Clock } from './clock.js';
import type { GroupCoordinator } from './group/group-coordinator.js';
import type { Logger } from './logger.js';
import type { TopicManager } from './metadata/topic-manager.js';
import type { TopicRegistry } from './metadata/topic-registry.js';
import type { ProducerIdManager } from './producer-state/producer-id-manager.js';
import type { ReplicaManager } from './replica-manager.js';
import type { TransactionCoordinator } from './txn/transaction-coordinator.js';

export interface Endpoint {
  host: string;
  port: number;
}

export interface BrokerServices {
  config: BrokerConfig;
  clock: Clock;
  logger: Logger;
  nodeId: number;
  clusterId: string;
  topics: TopicRegistry;
  topicManager: TopicManager;
  replicaManager: ReplicaManager;
  /** Hands out producer ids (InitProducerId); durable across restarts. */
  producerIdManager: ProducerIdManager;
  groupCoordinator: GroupCoordinator;
  /** Transactional ids: InitProducerId, AddPartitionsToTxn, AddOffsetsToTxn, EndTxn, Describe/ListTransactions. */
  transactionCoordinator: TransactionCoordinator;
  /** Where clients that came in on `listenerName` should connect to this broker. */
  advertisedEndpoint(listenerName: string): Endpoint;
}
