/**
 * KafkaStreams: runs a topology against Kafka (Kafka Streams' client class). `start()` checks the
 * source topics, creates the internal ones and starts the stream threads; the threads join the
 * consumer group `application.id` and process their tasks until `close()`.
 *
 * States are Kafka Streams': CREATED → REBALANCING ⇄ RUNNING → PENDING_SHUTDOWN → NOT_RUNNING, or
 * PENDING_ERROR → ERROR when a thread fails and the uncaught-exception handler shuts the client down.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Kafka, KafkaConfig } from 'kafkajs';
import { type LogLevel, type Logger, createLogger } from '../../common/logger.js';
import { StreamsConfigError, StreamsError } from '../errors.js';
import { createKafkaClient } from './kafka-client.js';
import { LocalThreadHandle, type StreamThreadHandle, WorkerThreadHandle } from './stream-thread-handle.js';
import type { ThreadMetadata } from './thread-protocol.js';
import { registerInWorker } from './worker-registration.js';
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
  /** The level of the log of worker threads (which write to stderr themselves); default 'info'. */
  logLevel?: LogLevel;
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
  private processId = newProcessId();
  private currentState: KafkaStreamsState = 'CREATED';
  private listener: StateListener | null = null;
  private handler: StreamsUncaughtExceptionHandler = () => 'SHUTDOWN_CLIENT';
  private readonly threads: StreamThreadHandle[] = [];
  private kafka: Kafka | null = null;
  private admin: ReturnType<Kafka['admin']> | null = null;
  private reader: PartitionReader | null = null;
  private globalThread: GlobalStreamThread | null = null;
  private layout: TopicLayout | null = null;
  private threadIndex = 0;
  private closing: Promise<void> | null = null;
  private readonly waiters: { state: KafkaStreamsState; resolve: () => void }[] = [];

  /** In a stream thread's worker, where this instance only hands its topology over (worker-registration.ts). */
  private readonly workerStub: boolean;

  constructor(
    private readonly topology: Topology,
    private readonly props: StreamsProperties,
    private readonly options: KafkaStreamsOptions = {},
  ) {
    this.workerStub = registerInWorker(topology, props, options);
    if (this.workerStub) {
      // The worker builds its own thread from these; this instance stays CREATED and does nothing.
      this.config = null as unknown as StreamsConfig;
      this.logger = null as unknown as Logger;
      return;
    }
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
    if (this.workerStub) return;
    if (this.currentState !== 'CREATED') throw new StreamsError(`start() can only be called once; the client is ${this.currentState}`);
    this.setState('REBALANCING');
    try {
      this.processId = readOrCreateProcessId(join(this.config.string('state.dir'), this.config.applicationId));
      const kafka = this.createKafka();
      this.kafka = kafka;
      this.admin = kafka.admin();
      await this.admin.connect();
      this.layout = await new InternalTopicManager(this.admin, this.config.applicationId, this.config.int('replication.factor'), this.logger).setup(this.topology);
      this.reader = new PartitionReader(kafka);
      if (this.topology.globalSubtopologies().length > 0) {
        // Global stores are complete before any task processes a record.
        this.globalThread = new GlobalStreamThread(this.topology, this.config, this.layout.partitionCounts, new PartitionReader(kafka), this.logger.child('GlobalStreamThread'), 'global', (e) =>
          void this.onThreadError(null, e),
        );
        await this.globalThread.bootstrap();
        this.globalThread.start();
      }
      // All threads at once, so the group's first assignment spreads the tasks over all of them.
      const n = this.config.int('num.stream.threads');
      await Promise.all(Array.from({ length: n }, () => this.startThread()));
    } catch (e) {
      this.logger.error(`Starting failed: ${(e as Error).message}`);
      this.setState('PENDING_ERROR');
      await this.shutdown();
      this.setState('ERROR');
      throw e;
    }
  }

  private createKafka(): Kafka {
    return createKafkaClient(this.config, this.logger, this.options.kafkaConfig);
  }

  /**
   * Starts one more stream thread: the first in this (the main) thread, the others each in a
   * `worker_thread` that rebuilds the topology from the application's module.
   */
  private async startThread(): Promise<StreamThreadHandle> {
    const name = `${this.config.applicationId}-StreamThread-${++this.threadIndex}`;
    const local = !this.threads.some((t) => t.kind === 'main');
    const handle: StreamThreadHandle = local
      ? new LocalThreadHandle(
          new StreamThread({
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
            onError: (_t, e) => void this.onThreadError(handle, e),
          }),
        )
      : new WorkerThreadHandle(
          {
            moduleUrl: this.topologyModuleUrl(),
            applicationId: this.config.applicationId,
            overrides: this.stringOverrides(),
            threadName: name,
            processId: this.processId,
            layout: this.layout as TopicLayout,
            logLevel: this.options.logLevel ?? 'info',
          },
          { onState: () => this.onThreadStateChange(), onError: (h, e) => void this.onThreadError(h, e) },
        );
    this.threads.push(handle);
    try {
      await handle.start();
    } catch (e) {
      this.threads.splice(this.threads.indexOf(handle), 1);
      throw e;
    }
    return handle;
  }

  /** The module workers import: `topology.module`, or the program's main module. */
  private topologyModuleUrl(): string {
    const configured = this.config.values['topology.module'] as string | null;
    const main = configured ?? process.argv[1];
    if (main === undefined || main === '') {
      throw new StreamsConfigError('num.stream.threads > 1 needs the module that builds the topology, for each worker thread to import: set topology.module');
    }
    return /^[a-z]+:/.test(main) ? main : pathToFileURL(resolvePath(main)).href;
  }

  /** Properties given as strings (from a command line): what a worker applies on top of the module's own. */
  private stringOverrides(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.props)) if (typeof v === 'string') out[k] = v;
    return out;
  }

  /**
   * Adds a stream thread at run time (Kafka Streams' `addStreamThread`): a worker that joins the
   * group, which then rebalances. Resolves with its name.
   */
  async addStreamThread(): Promise<string> {
    if (this.currentState !== 'RUNNING' && this.currentState !== 'REBALANCING') throw new StreamsError(`addStreamThread() needs a running client (it is ${this.currentState})`);
    const handle = await this.startThread();
    return handle.name;
  }

  /**
   * Removes a stream thread (Kafka Streams' `removeStreamThread`): the last one added stops cleanly —
   * committing its tasks and leaving the group, which gives them to the others. Resolves with its name.
   */
  async removeStreamThread(): Promise<string> {
    const live = this.threads.filter((t) => t.state() !== 'DEAD');
    if (live.length <= 1) throw new StreamsError('removeStreamThread() would leave no stream thread; close() the client instead');
    const handle = live[live.length - 1];
    this.threads.splice(this.threads.indexOf(handle), 1);
    await handle.stop(true);
    this.onThreadStateChange();
    return handle.name;
  }

  private onThreadStateChange(): void {
    const live = this.threads.filter((t) => t.state() !== 'DEAD');
    if (live.length === 0) return;
    if (live.every((t) => t.state() === 'RUNNING')) this.setState('RUNNING');
    else if (this.currentState === 'RUNNING' && live.some((t) => t.state() === 'PARTITIONS_REVOKED' || t.state() === 'PARTITIONS_ASSIGNED' || t.state() === 'STARTING')) this.setState('REBALANCING');
  }

  private async onThreadError(thread: StreamThreadHandle | null, error: unknown): Promise<void> {
    if (thread !== null) {
      const i = this.threads.indexOf(thread);
      if (i >= 0) this.threads.splice(i, 1);
      if (thread.kind === 'worker') await thread.stop(false).catch(() => undefined);
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
    if (this.workerStub) return true;
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
  localThreadsMetadata(): ThreadMetadata[] {
    return this.threads.map((t) => t.metadata());
  }
}

/**
 * The instance's id, kept in its state directory (Kafka Streams' process metadata file), so that a
 * restarted instance is the same process to the assignor, which keeps its tasks where their state is.
 */
function readOrCreateProcessId(appStateDir: string): string {
  const file = join(appStateDir, 'skein-process-id');
  try {
    const id = readFileSync(file, 'utf8').trim();
    if (/^[0-9a-f-]{36}$/.test(id)) return id;
  } catch {
    // none yet
  }
  const id = newProcessId();
  mkdirSync(appStateDir, { recursive: true });
  writeFileSync(file, `${id}\n`);
  return id;
}
