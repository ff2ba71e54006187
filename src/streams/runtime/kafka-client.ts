/** The kafkajs client every thread of an application makes from its properties. */
import { Kafka, type KafkaConfig, logLevel as KafkajsLogLevel, type LogEntry } from 'kafkajs';
import type { Logger } from '../../common/logger.js';
import { rememberCoordinators } from './coordinator-cache.js';
import type { StreamsConfig } from './streams-config.js';

export function createKafkaClient(config: StreamsConfig, logger: Logger, overrides: Partial<KafkaConfig> = {}): Kafka {
  const kafka = new Kafka({
    clientId: config.string('client.id') || config.applicationId,
    brokers: config.bootstrapServers,
    requestTimeout: config.int('request.timeout.ms'),
    retry: { initialRetryTime: config.int('retry.backoff.ms'), retries: 10 },
    logLevel: KafkajsLogLevel.WARN,
    // kafkajs's own complaints (connections dropped during a rebalance, a broker restart) are
    // expected; they go to Skein's debug log.
    logCreator: () => (entry: LogEntry) => logger.debug(`kafkajs ${entry.namespace}: ${entry.log.message}`),
    ...overrides,
  });
  // Four FindCoordinator round trips fewer in every transaction (coordinator-cache.ts).
  rememberCoordinators(kafka, COORDINATOR_TTL_MS);
  return kafka;
}

/** How long a client trusts a coordinator it was told of; a moved one costs at most this. */
const COORDINATOR_TTL_MS = 1000;
