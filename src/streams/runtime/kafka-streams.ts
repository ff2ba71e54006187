/**
 * KafkaStreams: runs a topology against Kafka (Kafka Streams' client class). `start()` checks the
 * source topics, creates the internal ones and starts the stream threads; the threads join the
 * consumer group `application.id` and process their tasks until `close()`.
 *
 * States are Kafka Streams': CREATED → REBALANCING ⇄ RUNNING → PENDING_SHUTDOWN → NOT_RUNNING, or
 * PENDING_ERROR → ERROR when a thread fails and the uncaught-exception handler shuts the client down.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, type KafkaConfig, logLevel as KafkajsLogLevel, type LogEntry } from 'kafkajs';
import { type Logger, createLogger } from '../../common/logger.js';
import { StreamsError } from '../errors.js';
import type { Topology } from '../processor/topology.js';
import { InternalTopicManager, type TopicLayout } from './internal-topic-manager.js';
import { GlobalStreamThread } from './global-stream-thread.js';
import { PartitionReader } from './partition-reader.js';
import { StreamThread, newProcessId } from './stream-thread.js';
import { StreamsConfig, type StreamsProperties } from './streams-config.js';

export type KafkaStreamsState = 'CREATED' | 'REBALANCING' | 'RUNNING' | 'PENDING_SHUTDOWN' | 'NOT_RUNNING' | 'PENDING_ERROR' | 'ERROR';

/** What to do when a stream thread fails (Kafka Streams' `StreamsUncaughtExceptionHandler`). */
export type StreamThreadExceptionResponse = 'REPLACE_THREAD' | 'SHUTDOWN_CLIENT';
export type StreamsUncaughtExceptionHandler = (error: unknown) => StreamThreadExceptionResponse;
export type StateListener = (newState: KafkaStreamsState, oldState: KafkaStreamsState) => void;

export interface KafkaStreamsOptions {
  /** Where Skein logs; default: INFO and above to stderr. */
  logger?: Logger;
  /** kafkajs client settings (ssl, sasl, connectionTimeout, …) added to those derived from the properties. */
  kafkaConfig?: Partial<KafkaConfig>;
}

const VALID_TRANSITIONS: Record<KafkaStreamsState, readonly KafkaStreamsState[]> = {
  CREATED: ['REBALANCING', 'PENDING_SHUTDOWN', 'PENDING_ERROR'],
  REBALANCING: ['RUNNING', 'PENDING_SHUTDOWN', 'PENDING_ERROR'],
  RUNNING: ['REBALANCING', 'PENDING_SHUTDOWN', 'PENDING_ERROR'],
  PENDING_SHUTDOWN: ['NOT_RUNNING'],
  NOT_RUNNING: [],
  PENDING_ERROR: ['ERROR'],
  ERROR: [],
};

export class KafkaStreams {
  private readonly config: StreamsConfig;
  private readonly logger: Logger;
  private readonly processId = newProcessId();
  private currentState: KafkaStreamsState = 'CREATED';
  private listener: StateListener | null = null;
  private handler: StreamsUncaughtExceptionHandler = () => 'SHUTDOWN_CLIENT';
  private readonly threads: StreamThread[] = [];
  private kafka: Kafka | null = null;
  private admin: ReturnType<Kafka['admin']> | null = null;
  private reader: PartitionReader | null = null;
  private globalThread: GlobalStreamThread | null = null;
  private layout: TopicLayout | null = null;
  private threadIndex = 0;
  private closing: Promise<void> | null = null;
  private readonly waiters: { state: KafkaStreamsState; resolve: () => void }[] = [];

  constructor(
    private readonly topology: Topology,
    props: StreamsProperties,
    private readonly options: KafkaStreamsOptions = {},
  ) {
    this.config = new StreamsConfig(props);
    this.logger = options.logger ?? createLogger('info', undefined, `KafkaStreams ${this.config.applicationId}`);
    topology.resolveDefaultSerdes(this.config.values);
    if (topology.subtopologies().length === 0) throw new StreamsError('The topology is empty: add at least one source (builder.stream or builder.table)');
  }

  state(): KafkaStreamsState {
    return this.currentState;
  }

  setStateListener(listener: StateListener): void {
    if (this.currentState !== 'CREATED') throw new StreamsError('Set the state listener before start()');
    this.listener = listener;
  }

  setUncaughtExceptionHandler(handler: StreamsUncaughtExceptionHandler): void {
    if (this.currentState !== 'CREATED') throw new StreamsError('Set the uncaught-exception handler before start()');
    this.handler = handler;
  }

  private setState(next: KafkaStreamsState): boolean {
    const prev = this.currentState;
    if (prev === next) return true;
    if (!VALID_TRANSITIONS[prev].includes(next)) return false;
    this.currentState = next;
    this.logger.info(`State transition from ${prev} to ${next}`);
    try {
      this.listener?.(next, prev);
    } catch (e) {
      this.logger.warn(`The state listener threw: ${(e as Error).message}`);
    }
    for (const w of this.waiters.filter((x) => x.state === next)) w.resolve();
    return true;
  }

  /** Resolves when the client reaches `state` (rejects after `timeoutMs`). */
  waitForState(state: KafkaStreamsState, timeoutMs = 60_000): Promise<void> {
    if (this.currentState === state) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new StreamsError(`KafkaStreams did not reach ${state} within ${timeoutMs} ms (it is ${this.currentState})`)), timeoutMs);
      this.waiters.push({
        state,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  /**
   * Checks the source topics, creates internal topics and starts the stream threads. Resolves once
   * they are started; the client is RUNNING when every thread has its tasks (`waitForState`).
   */
  async start(): Promise<void> {
    if (this.currentState !== 'CREATED') throw new StreamsError(`start() can only be called once; the client is ${this.currentState}`);
    this.setState('REBALANCING');
    try {
      const kafka = this.createKafka();
      this.kafka = kafka;
      this.admin = kafka.admin();
      await this.admin.connect();
      this.layout = await new InternalTopicManager(this.admin, this.config.applicationId, this.config.int('replication.factor'), this.logger).setup(this.topology);
      this.reader = new PartitionReader(kafka);
      if (this.topology.globalSubtopologies().length > 0) {
        // Global stores are complete before any task processes a record.
        this.globalThread = new GlobalStreamThread(this.topology, this.config, this.layout.partitionCounts, new PartitionReader(kafka), this.logger.child('GlobalStreamThread'), (e) =>
          void this.onThreadError(null, e),
        );
        await this.globalThread.bootstrap();
        this.globalThread.start();
      }
      const n = this.config.int('num.stream.threads');
      for (let i = 0; i < n; i++) await this.startThread();
    } catch (e) {
      this.logger.error(`Starting failed: ${(e as Error).message}`);
      this.setState('PENDING_ERROR');
      await this.shutdown();
      this.setState('ERROR');
      throw e;
    }
  }

  private createKafka(): Kafka {
    const logger = this.logger;
    const clientId = this.config.string('client.id') || this.config.applicationId;
    return new Kafka({
      clientId,
      brokers: this.config.bootstrapServers,
      requestTimeout: this.config.int('request.timeout.ms'),
      retry: { initialRetryTime: this.config.int('retry.backoff.ms'), retries: 10 },
      logLevel: KafkajsLogLevel.WARN,
      // kafkajs's own complaints (connections dropped during a rebalance, a broker restart) are
      // expected; they go to Skein's debug log.
      logCreator: () => (entry: LogEntry) => logger.debug(`kafkajs ${entry.namespace}: ${entry.log.message}`),
      ...this.options.kafkaConfig,
    });
  }

  private async startThread(): Promise<StreamThread> {
    const name = `${this.config.applicationId}-StreamThread-${++this.threadIndex}`;
    const thread = new StreamThread({
      name,
      processId: this.processId,
      topology: this.topology,
      config: this.config,
      layout: this.layout as TopicLayout,
      kafka: this.kafka as Kafka,
      admin: this.admin as ReturnType<Kafka['admin']>,
      reader: this.reader as PartitionReader,
      logger: this.logger.child(name),
      globalStore: (store) => this.globalThread?.store(store),
      onStateChange: () => this.onThreadStateChange(),
      onError: (t, e) => void this.onThreadError(t, e),
    });
    this.threads.push(thread);
    await thread.start();
    return thread;
  }

  private onThreadStateChange(): void {
    const live = this.threads.filter((t) => t.threadState() !== 'DEAD');
    if (live.length === 0) return;
    if (live.every((t) => t.threadState() === 'RUNNING')) this.setState('RUNNING');
    else if (this.currentState === 'RUNNING' && live.some((t) => t.threadState() === 'PARTITIONS_REVOKED' || t.threadState() === 'PARTITIONS_ASSIGNED')) this.setState('REBALANCING');
  }

  private async onThreadError(thread: StreamThread | null, error: unknown): Promise<void> {
    if (thread !== null) {
      const i = this.threads.indexOf(thread);
      if (i >= 0) this.threads.splice(i, 1);
    }
    if (this.closing !== null) return;
    let response: StreamThreadExceptionResponse = 'SHUTDOWN_CLIENT';
    try {
      response = this.handler(error);
    } catch (e) {
      this.logger.error(`The uncaught-exception handler threw: ${(e as Error).message}`);
    }
    if (response === 'REPLACE_THREAD' && thread !== null) {
      this.logger.warn(`Replacing stream thread ${thread.name} after: ${(error as Error).message ?? String(error)}`);
      try {
        await this.startThread();
        return;
      } catch (e) {
        this.logger.error(`Could not replace ${thread.name}: ${(e as Error).message}`);
      }
    }
    this.logger.error(`Shutting down after a stream thread failed: ${(error as Error).message ?? String(error)}`);
    this.setState('PENDING_ERROR');
    this.closing = this.shutdown().then(() => {
      this.setState('ERROR');
    });
  }

  /** Stops the threads (each commits its tasks), leaves the group, closes the clients. */
  async close(options: { timeout?: number } = {}): Promise<boolean> {
    if (this.closing === null) {
      if (!this.setState('PENDING_SHUTDOWN')) {
        if (this.currentState === 'NOT_RUNNING' || this.currentState === 'ERROR') return true;
      }
      this.closing = this.shutdown().then(() => {
        this.setState('NOT_RUNNING');
      });
    }
    if (options.timeout === undefined) {
      await this.closing;
      return true;
    }
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((r) => (timer = setTimeout(() => r(false), options.timeout)));
    const done = await Promise.race([this.closing.then(() => true as const), timedOut]);
    clearTimeout(timer);
    return done;
  }

  private async shutdown(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.stop(true).catch((e: unknown) => this.logger.warn(`Stopping ${t.name}: ${(e as Error).message}`))));
    this.threads.length = 0;
    await this.globalThread?.stop().catch((e: unknown) => this.logger.warn(`Stopping the global thread: ${(e as Error).message}`));
    await this.reader?.close().catch(() => undefined);
    await this.admin?.disconnect().catch(() => undefined);
  }

  /** Deletes this application's local state (`<state.dir>/<application.id>`); only when not running. */
  cleanUp(): void {
    if (this.currentState !== 'CREATED' && this.currentState !== 'NOT_RUNNING' && this.currentState !== 'ERROR') {
      throw new StreamsError(`cleanUp() needs a client that is not running (it is ${this.currentState})`);
    }
    rmSync(join(this.config.string('state.dir'), this.config.applicationId), { recursive: true, force: true });
  }

  /** Processed records and commits per thread (a first look; metrics come with part 4). */
  localThreadsMetadata(): { threadName: string; state: string; activeTasks: string[]; processedRecords: number; commits: number }[] {
    return this.threads.map((t) => ({
      threadName: t.name,
      state: t.threadState(),
      activeTasks: t.activeTasks().map((a) => a.id),
      processedRecords: t.processedRecords,
      commits: t.commits,
    }));
  }
}
