/**
 * BrokerServer: one Kafka-protocol node, as Kafka's `BrokerServer`. Wires configuration, the topic
 * registry, the log manager, the replica manager, the two coordinators and the handlers to the
 * socket server, and takes them down again in order.
 *
 * Internal: it starts from a loaded `BrokerConfig`, which is what `skein broker start` and the
 * benchmarks have. Programs and tests embed a broker through `Broker.start()` (broker.ts), the
 * public wrapper around this.
 *
 * A start that fails half-way takes down what it had opened — in reverse order, as a stop would —
 * before it throws, so a caller that catches the error is not left with a listener, a timer or an
 * open log file.
 */
import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32cImplementation, nativeCrc32cUnavailable } from '../protocol/crc32c.js';
import type { BrokerServices, Endpoint } from './broker-services.js';
import { type Clock, systemClock } from './clock.js';
import type { BrokerConfig } from './config/broker-config.js';
import { parseProperties } from './config/properties.js';
import { effectiveLogConfig } from './config/topic-config.js';
import { GroupCoordinator } from './group/group-coordinator.js';
import { GroupMetadataManager } from './group/group-metadata-manager.js';
import { createHandlerRegistry } from './handlers/index.js';
import { LogManager } from './log/log-manager.js';
import { createLogger, type Logger } from './logger.js';
import { TopicManager } from './metadata/topic-manager.js';
import { TopicRegistry } from './metadata/topic-registry.js';
import { ProducerIdManager } from './producer-state/producer-id-manager.js';
import { ReplicaManager } from './replica-manager.js';
import { type BoundListener, SocketServer } from './server/socket-server.js';
import { TransactionCoordinator } from './txn/transaction-coordinator.js';
import { TransactionMarkerWriter } from './txn/transaction-marker-writer.js';
import { TransactionStateManager } from './txn/transaction-state-manager.js';

export interface BrokerServerOptions {
  clock?: Clock;
  logger?: Logger;
}

export class BrokerServer {
  private stopped = false;

  private constructor(
    readonly services: BrokerServices,
    private readonly logs: LogManager,
    private readonly server: SocketServer,
    readonly listeners: BoundListener[],
  ) {}

  static async start(config: BrokerConfig, opts: BrokerServerOptions = {}): Promise<BrokerServer> {
    const clock = opts.clock ?? systemClock;
    const logger = opts.logger ?? createLogger('info');
    for (const w of config.warnings) logger.warn(w);

    // What is open so far, each with how to take it down; undone last-first if a later step throws.
    const opened: Array<{ what: string; close: () => void | Promise<void> }> = [];
    try {
      prepareLogDir(config.logDir);
      const clusterId = readOrCreateMetaProperties(config.logDir, config.nodeId, config.clusterId);
      const topics = TopicRegistry.open(config.logDir);
      const logs = LogManager.open(
        {
          logDirs: [config.logDir],
          cleaner: { enable: config.logCleanerEnable, backoffMs: config.logCleanerBackoffMs },
          retentionCheckIntervalMs: config.logRetentionCheckIntervalMs,
          flushSchedulerIntervalMs: config.logFlushSchedulerIntervalMs,
          producerIdExpirationMs: config.producerIdExpirationMs,
          producerIdExpirationCheckIntervalMs: config.producerIdExpirationCheckIntervalMs,
        },
        {
          clock,
          logger: logger.child('LogManager'),
          topicConfig: (topic) => effectiveLogConfig(config, new Map(Object.entries(topics.get(topic)?.configs ?? {}))),
        },
      );
      opened.push({ what: 'the log manager', close: () => logs.shutdown() });
      const topicManager = new TopicManager(topics, logs, config, config.nodeId, logger.child('TopicManager'));
      topicManager.reconcile();
      const replicaManager = new ReplicaManager(logs, topics, clock, logger.child('ReplicaManager'));
      const producerIdManager = ProducerIdManager.open(config.logDir);
      const groupLogger = logger.child('GroupCoordinator');
      const groupCoordinator = new GroupCoordinator(
        config,
        new GroupMetadataManager(config, { topics, topicManager, replicaManager, clock, logger: groupLogger }),
        {
          clock,
          logger: groupLogger,
          partitionExists: (topic, partition) => partition >= 0 && partition < (topics.get(topic)?.partitions ?? 0),
        },
      );
      topicManager.onTopicDeleted = (topic) => groupCoordinator.onTopicDeleted(topic);
      // Registered before startup: a load that fails half-way may already have armed timers.
      opened.push({ what: 'the group coordinator', close: () => groupCoordinator.shutdown() });
      // Groups and committed offsets come back from __consumer_offsets before the first request.
      await groupCoordinator.startup();
      const txnLogger = logger.child('TransactionCoordinator');
      const txnStateManager = new TransactionStateManager(config, { topics, topicManager, replicaManager, clock, logger: txnLogger });
      const transactionCoordinator = new TransactionCoordinator(config, {
        clock,
        logger: txnLogger,
        producerIdManager,
        stateManager: txnStateManager,
        markerWriter: new TransactionMarkerWriter({
          appendControlBatch: (topic, partition, marker) => replicaManager.appendControlBatch(topic, partition, marker),
          onOffsetsMarker: (partition, producerId, commit) => groupCoordinator.onTransactionCompleted(partition, producerId, commit),
          appendTransactionToLog: (metadata, transit) => txnStateManager.appendTransactionToLog(metadata, transit),
          clock,
          logger: txnLogger,
        }),
        offsetsPartitionFor: (groupId) => groupCoordinator.partitionFor(groupId),
        ensureOffsetsTopic: () => groupCoordinator.ensureOffsetsTopic(),
      });
      opened.push({ what: 'the transaction coordinator', close: () => transactionCoordinator.shutdown() });
      // Then __transaction_state: a transaction left preparing to commit or abort is completed, which
      // may make a group's transactional offsets visible — so the groups must be loaded first.
      await transactionCoordinator.startup();

      const advertised = new Map<string, Endpoint>();
      const services: BrokerServices = {
        config,
        clock,
        logger,
        nodeId: config.nodeId,
        clusterId,
        topics,
        topicManager,
        replicaManager,
        producerIdManager,
        groupCoordinator,
        transactionCoordinator,
        advertisedEndpoint: (listenerName) => advertised.get(listenerName) ?? [...advertised.values()][0],
      };
      const server = new SocketServer(createHandlerRegistry(services), { maxRequestBytes: config.socketRequestMaxBytes, logger: logger.child('SocketServer') });
      // A second listener can fail after the first is bound.
      opened.push({ what: 'the listeners', close: () => server.stop() });
      const bound = await server.start(config.listeners);
      bound.forEach((l, i) => {
        const adv = config.advertisedListeners[i] ?? l;
        // An advertised port of 0 means "whatever was bound" — what tests on port 0 need.
        advertised.set(l.name, { host: adv.host, port: adv.port === 0 ? l.boundPort : adv.port });
      });
      logs.startup();
      logger.info(
        `Skein broker ${config.nodeId} started (cluster ${clusterId}, log dir ${config.logDir}, CRC-32C: ${crc32cImplementation}${nativeCrc32cUnavailable ? `, native module not used: ${nativeCrc32cUnavailable}` : ''})`,
      );
      return new BrokerServer(services, logs, server, bound);
    } catch (err) {
      logger.info(`Start-up failed (${(err as Error).message}); closing what was opened`);
      for (const { what, close } of opened.reverse()) {
        try {
          await close();
        } catch (closeErr) {
          logger.error(`Closing ${what} after the failed start-up failed too: ${(closeErr as Error).message}`);
        }
      }
      throw err;
    }
  }

  /** host:port of the first listener, as advertised to clients. */
  get bootstrapServers(): string {
    const ep = this.services.advertisedEndpoint(this.listeners[0].name);
    return `${ep.host}:${ep.port}`;
  }

  /** The broker's logs: for tests and tools (e.g. `logManager.cleanNow(topic, partition)`). */
  get logManager(): LogManager {
    return this.logs;
  }

  get port(): number {
    return this.listeners[0].boundPort;
  }

  /** Clean shutdown: stop accepting, end long polls, flush and checkpoint every log. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const { logger } = this.services;
    logger.info('Shutting down');
    this.services.replicaManager.delayedFetches.wakeAll();
    this.services.transactionCoordinator.shutdown();
    this.services.groupCoordinator.shutdown();
    await this.server.stop();
    await this.logs.shutdown();
    logger.info('Shut down cleanly');
  }
}

/**
 * Creates the log dir if needed and checks that the broker can use it, naming the directory and the
 * reason when it cannot (a file in the way, no permission) rather than leaving a bare errno.
 */
function prepareLogDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason =
      code === 'EEXIST' || code === 'ENOTDIR'
        ? 'it (or a path above it) is a file, not a directory'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : (err as Error).message;
    throw new Error(`Cannot use log dir ${dir}: ${reason}${code && reason !== (err as Error).message ? ` (${code})` : ''}`, { cause: err });
  }
}

/**
 * meta.properties, as Kafka writes it: the cluster id and node id this log directory belongs to.
 * A directory from another node is refused rather than silently served.
 */
function readOrCreateMetaProperties(dir: string, nodeId: number, configured: string | null): string {
  const file = join(dir, 'meta.properties');
  if (existsSync(file)) {
    const props = parseProperties(readFileSync(file, 'utf8'));
    const storedNode = Number(props.get('node.id'));
    if (storedNode !== nodeId) {
      throw new Error(`${file} belongs to node ${storedNode}, but this broker is node.id=${nodeId}`);
    }
    const clusterId = props.get('cluster.id') as string;
    if (configured !== null && configured !== clusterId) {
      throw new Error(`${file} belongs to cluster ${clusterId}, but cluster.id=${configured} was configured`);
    }
    return clusterId;
  }
  const clusterId = configured ?? randomBytes(16).toString('base64url').slice(0, 22);
  writeFileSync(file, `#\n#${new Date().toString()}\nversion=1\ncluster.id=${clusterId}\nnode.id=${nodeId}\n`);
  return clusterId;
}
