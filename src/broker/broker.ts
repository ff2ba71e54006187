/**
 * Broker: a Skein broker inside your own program or tests — what Testcontainers or an embedded
 * Kafka is in the Java world, without a container or a JVM.
 *
 * ```ts
 * await using broker = await Broker.start();   // temporary log dir, 127.0.0.1, a free port
 * const kafka = new Kafka({ brokers: [broker.bootstrap] });
 * ```
 *
 * `Broker.start(options)` takes Kafka's property names in `config`; a few defaults differ from
 * Kafka's to suit tests (embedded-config.ts, docs/embedding.md). `close()` shuts down cleanly and
 * removes the log dir if `start` created it; `Symbol.asyncDispose` is `close`, so `await using`
 * works. The node itself — coordinators, logs, listeners — is the internal `BrokerServer`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode, errorName, KafkaError } from '../protocol/errors.js';
import { BrokerServer } from './broker-server.js';
import type { Clock } from './clock.js';
import { ConfigError } from './config/config-error.js';
import { checkOptionNames, type ConfigValues, configEntries, embeddedBrokerConfig } from './embedded-config.js';
import { createLogger, type Logger } from './logger.js';
import { newPartitionBudget, type NewTopic } from './metadata/topic-manager.js';

export interface BrokerStartOptions {
  /**
   * Where the broker keeps its data. Default: a fresh temporary directory, removed by `close()`.
   * A directory given here is never removed; starting again on it finds the topics and records of
   * the last run.
   */
  logDir?: string;
  /** Default 0: a free port chosen by the OS; `broker.port` tells which. */
  port?: number;
  /** The address to listen on and advertise. Default '127.0.0.1'. */
  host?: string;
  /**
   * Broker configs by Kafka's property names, e.g. `{ 'auto.create.topics.enable': false }`.
   * Kafka's defaults apply except `group.initial.rebalance.delay.ms` (0),
   * `offsets.topic.num.partitions` (5) and `transaction.state.log.num.partitions` (5), unless set here.
   */
  config?: ConfigValues;
  /** Where the broker logs. Default: warnings and errors, to stderr. */
  logger?: Logger;
  /** The broker's time (retention, timeouts). Default: the system clock. */
  clock?: Clock;
}

/** One topic for `broker.createTopics`. */
export interface TopicSpec {
  topic: string;
  /** Default: the broker's `num.partitions` (1 unless configured). */
  partitions?: number;
  /** Topic configs by Kafka's property names, e.g. `{ 'cleanup.policy': 'compact' }`. */
  config?: ConfigValues;
}

export class Broker implements AsyncDisposable {
  readonly #server: BrokerServer;
  /** Set when `start` created the log dir, which `close` then removes. */
  readonly #ownedLogDir: string | undefined;
  #closing: Promise<void> | undefined;

  private constructor(server: BrokerServer, ownedLogDir: string | undefined) {
    this.#server = server;
    this.#ownedLogDir = ownedLogDir;
  }

  /**
   * Starts a broker and resolves once it accepts connections. A start that fails — the port in
   * use, a log dir that is a file or belongs to another node — closes whatever it had opened and
   * rejects with an Error that names the cause (a ConfigError for a bad option or config).
   */
  static async start(options: BrokerStartOptions = {}): Promise<Broker> {
    if (options === null || typeof options !== 'object') throw new ConfigError('Broker.start: options must be an object');
    checkOptionNames(options);
    const ownedLogDir = options.logDir === undefined ? mkdtempSync(join(tmpdir(), 'skein-')) : undefined;
    try {
      const logDir = options.logDir ?? (ownedLogDir as string);
      if (typeof logDir !== 'string' || logDir === '') throw new ConfigError('Broker.start: logDir must be a directory path', { key: 'logDir' });
      const config = embeddedBrokerConfig({ logDir, host: options.host ?? '127.0.0.1', port: options.port ?? 0, config: options.config });
      const server = await BrokerServer.start(config, { logger: options.logger ?? createLogger('warn'), clock: options.clock });
      return new Broker(server, ownedLogDir);
    } catch (err) {
      if (ownedLogDir !== undefined) rmSync(ownedLogDir, { recursive: true, force: true });
      if (err instanceof ConfigError) throw err;
      throw new Error(`The Skein broker could not start: ${(err as Error).message}`, { cause: err });
    }
  }

  /** `host:port` for a Kafka client's bootstrap servers (`brokers` in kafkajs). */
  get bootstrap(): string {
    const { host, port } = this.#server.services.advertisedEndpoint(this.#server.listeners[0].name);
    return `${host.includes(':') ? `[${host}]` : host}:${port}`;
  }

  /** The port the broker listens on (the one the OS chose, when started with port 0). */
  get port(): number {
    return this.#server.port;
  }

  /** Where the broker keeps its data. */
  get logDir(): string {
    return this.#server.services.config.logDir;
  }

  /**
   * Creates topics, as an admin client's CreateTopics would. Every entry is checked before any is
   * created, so a bad one (a name that exists or is invalid, a bad config) creates none and throws
   * a KafkaError whose message names the topic and Kafka's error.
   */
  async createTopics(topics: readonly TopicSpec[]): Promise<void> {
    if (this.#closing !== undefined) throw new Error('createTopics: the broker is closed');
    if (!Array.isArray(topics)) throw new TypeError('createTopics takes an array of { topic, partitions?, config? }');
    const specs = topics.map((t) => newTopic(t));
    const seen = new Set<string>();
    for (const s of specs) {
      if (seen.has(s.name)) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Cannot create topic "${s.name}": it is listed twice`);
      seen.add(s.name);
    }
    const { topicManager } = this.#server.services;
    for (const validateOnly of [true, false]) {
      const budget = newPartitionBudget();
      for (const s of specs) {
        try {
          topicManager.createTopic(s, validateOnly, budget);
        } catch (err) {
          if (!(err instanceof KafkaError)) throw err;
          throw new KafkaError(err.code, `Cannot create topic "${s.name}": ${err.message} (${errorName(err.code)})`);
        }
      }
    }
  }

  /**
   * Shuts down cleanly — stops listening, ends long polls, flushes and closes every log — then
   * removes the log dir if `start` created it. Safe to call more than once.
   */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  /** `close()`, for `await using broker = await Broker.start()`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * The node behind this broker, for Skein's own tests (its coordinators, logs, registry).
   * @internal
   */
  get server(): BrokerServer {
    return this.#server;
  }

  async #shutdown(): Promise<void> {
    try {
      await this.#server.stop();
    } finally {
      if (this.#ownedLogDir !== undefined) rmSync(this.#ownedLogDir, { recursive: true, force: true });
    }
  }
}

function newTopic(t: TopicSpec): NewTopic {
  if (t === null || typeof t !== 'object' || typeof t.topic !== 'string') {
    throw new TypeError(`createTopics: each entry needs a topic name, as { topic: 'orders' }; got ${JSON.stringify(t)}`);
  }
  if (t.partitions !== undefined && (!Number.isInteger(t.partitions) || t.partitions < 1)) {
    throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `Cannot create topic "${t.topic}": partitions must be a positive integer, not ${String(t.partitions)}`);
  }
  let configs: Map<string, string>;
  try {
    configs = configEntries(t.config, `createTopics: the config of "${t.topic}"`);
  } catch (err) {
    throw new KafkaError(ErrorCode.INVALID_CONFIG, (err as Error).message);
  }
  return { name: t.topic, numPartitions: t.partitions ?? -1, replicationFactor: -1, assignments: [], configs: Object.fromEntries(configs) };
}
