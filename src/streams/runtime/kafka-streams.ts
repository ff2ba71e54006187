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
import type { Serde } from '../../serdes/serde.js';
import { InvalidStateStoreError } from '../errors.js';
import { type QueryableKeyValueStore, type QueryableStoreType, QueryableStoreTypes } from '../state/queryable-store-types.js';
import { QueryableStoreProvider } from './queryable-store-provider.js';
import { type HttpServerOptions, type StreamsHttpServer, startStreamsHttpServer } from './streams-http-server.js';
import { PrometheusExporter, type StreamsMetric, collectStreamsMetrics } from './streams-metrics.js';
import { type HostInfo, KeyQueryMetadata, type KeySerializer, type StreamsMetadata, StreamsMetadataState, parseHostInfo } from './streams-metadata-state.js';
import type { HostTasks } from './streams-partition-assignor.js';

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
  private readonly metadataState: StreamsMetadataState;
  private readonly storeProvider: QueryableStoreProvider;
  private httpServer: StreamsHttpServer | null = null;
  private exporter: PrometheusExporter | null = null;
  private failedStreamThreads = 0;
  /** Each thread's tasks when the client was last RUNNING, for the rebalance log line. */
  private lastTasks = new Map<string, { active: readonly string[]; standby: readonly string[] }>();
  private rebalanceStartedAt = 0;

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
      this.metadataState = null as unknown as StreamsMetadataState;
      this.storeProvider = null as unknown as QueryableStoreProvider;
      return;
    }
    this.config = new StreamsConfig(props);
    this.logger = options.logger ?? createLogger('info', undefined, `KafkaStreams ${this.config.applicationId}`);
    topology.resolveDefaultSerdes(this.config.values);
    if (topology.subtopologies().length === 0) throw new StreamsError('The topology is empty: add at least one source (builder.stream or builder.table)');
    this.metadataState = new StreamsMetadataState(topology, this.config.applicationId);
    this.storeProvider = new QueryableStoreProvider({
      metadata: this.metadataState,
      threads: () => this.threads.filter((t) => t.state() !== 'DEAD'),
      layout: () => this.layout,
      globalStore: (name) => this.globalThread?.store(name),
    });
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
    this.logger.info(JSON.stringify({ event: 'state_change', application_id: this.config.applicationId, old_state: prev, new_state: next }));
    if (next === 'REBALANCING') this.rebalanceStartedAt = Date.now();
    if (next === 'RUNNING' && prev === 'REBALANCING')
      this.logRebalance().catch((e: unknown) => this.logger.warn(`Logging the rebalance: ${(e as Error).message}`));
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
      const timer = setTimeout(
        () => reject(new StreamsError(`KafkaStreams did not reach ${state} within ${timeoutMs} ms (it is ${this.currentState})`)),
        timeoutMs,
      );
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
      const httpPort = this.config.values['skein.http.port'] as number | null;
      if (httpPort !== null)
        await this.startHttpServer({
          port: httpPort,
          ...(this.config.values['skein.http.host'] === null ? {} : { host: this.config.string('skein.http.host') }),
        });
      const kafka = this.createKafka();
      this.kafka = kafka;
      this.admin = kafka.admin();
      await this.admin.connect();
      this.layout = await new InternalTopicManager(this.admin, this.config.applicationId, this.config.int('replication.factor'), this.logger).setup(
        this.topology,
      );
      this.reader = new PartitionReader(kafka);
      if (this.topology.globalSubtopologies().length > 0) {
        // Global stores are complete before any task processes a record.
        this.globalThread = new GlobalStreamThread(
          this.topology,
          this.config,
          this.layout.partitionCounts,
          new PartitionReader(kafka),
          this.logger.child('GlobalStreamThread'),
          'global',
          (e) => void this.onThreadError(null, e),
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
    if (this.currentState !== 'RUNNING' && this.currentState !== 'REBALANCING')
      throw new StreamsError(`addStreamThread() needs a running client (it is ${this.currentState})`);
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
    else if (
      this.currentState === 'RUNNING' &&
      live.some((t) => t.state() === 'PARTITIONS_REVOKED' || t.state() === 'PARTITIONS_ASSIGNED' || t.state() === 'STARTING')
    )
      this.setState('REBALANCING');
  }

  private async onThreadError(thread: StreamThreadHandle | null, error: unknown): Promise<void> {
    this.failedStreamThreads++;
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
    await this.httpServer?.close().catch(() => undefined);
    this.httpServer = null;
  }

  /** Deletes this application's local state (`<state.dir>/<application.id>`); only when not running. */
  cleanUp(): void {
    if (this.currentState !== 'CREATED' && this.currentState !== 'NOT_RUNNING' && this.currentState !== 'ERROR') {
      throw new StreamsError(`cleanUp() needs a client that is not running (it is ${this.currentState})`);
    }
    rmSync(join(this.config.string('state.dir'), this.config.applicationId), { recursive: true, force: true });
  }

  /** Processed records and commits per thread, their tasks and numbers (a worker's at most a second old). */
  localThreadsMetadata(): ThreadMetadata[] {
    return this.threads.map((t) => t.metadata());
  }

  /**
   * A read-only view of this instance's copy of a store, across all its stream threads (Kafka
   * Streams' `store(StoreQueryParameters)`): a key-value store by default, or the kind `type` names
   * (`QueryableStoreTypes.windowStore()`, …). Reads are async: stores may live in worker threads.
   * Throws `InvalidStateStoreError` for an unknown store, one of another kind, or a client that is
   * not RUNNING or REBALANCING.
   */
  store<K = unknown, V = unknown>(storeName: string): QueryableKeyValueStore<K, V>;
  store<S>(storeName: string, type: QueryableStoreType<S>): S;
  store<S>(storeName: string, type?: QueryableStoreType<S>): S | QueryableKeyValueStore<unknown, unknown> {
    this.checkQueryable();
    if (type === undefined) {
      const info = this.metadataState.locate(storeName).info;
      if (info !== undefined && info.kind !== 'keyValue') {
        throw new InvalidStateStoreError(
          `Store ${storeName} is a ${info.kind} store: query it with streams.store('${storeName}', QueryableStoreTypes.${info.kind}Store())`,
        );
      }
      return this.storeProvider.getStore(storeName, QueryableStoreTypes.keyValueStore());
    }
    return this.storeProvider.getStore(storeName, type);
  }

  private checkQueryable(): void {
    if (this.workerStub)
      throw new InvalidStateStoreError('This KafkaStreams only hands its topology to a stream thread worker; query the one in the main thread');
    if (this.currentState !== 'RUNNING' && this.currentState !== 'REBALANCING') {
      throw new InvalidStateStoreError(`Stores can be queried while the client is RUNNING or REBALANCING (it is ${this.currentState})`);
    }
  }

  /**
   * Which instance holds `key` of `storeName` (Kafka Streams' `queryMetadataForKey`): the
   * `application.server` of the instance running its task, those with standbys of it, and the
   * partition. The key is serialized with `keySerializer`, or the store's key serde. Before the
   * first assignment, or when the key's instance has no application.server: `KeyQueryMetadata.NOT_AVAILABLE`.
   */
  queryMetadataForKey<K>(storeName: string, key: K, keySerializer?: KeySerializer<K> | Serde<K>): KeyQueryMetadata {
    return this.metadataState.keyQueryMetadata(storeName, key, keySerializer, this.layout, this.hostMap(), this.config.string('application.server'));
  }

  /** Every instance of the application with an application.server, its stores and partitions (Kafka Streams' `metadataForAllStreamsClients`). */
  metadataForAllStreamsClients(): StreamsMetadata[] {
    return this.metadataState.allMetadata(this.layout, this.hostMap());
  }

  /** The instances that have `storeName` (Kafka Streams' `streamsMetadataForStore`). */
  streamsMetadataForStore(storeName: string): StreamsMetadata[] {
    this.metadataState.locate(storeName);
    return this.metadataForAllStreamsClients().filter((m) => m.stateStoreNames.includes(storeName) || m.standbyStateStoreNames.includes(storeName));
  }

  /** The newest host map any thread has read from an assignment. */
  private hostMap(): Readonly<Record<string, HostTasks>> {
    let best: ThreadMetadata | null = null;
    for (const t of this.threads) {
      const m = t.metadata();
      if (best === null || m.hostsUpdatedAt > best.hostsUpdatedAt) best = m;
    }
    return best?.hostsUpdatedAt ? best.hosts : {};
  }

  /**
   * The client's metrics now (Kafka Streams' names; see docs/scaling.md): the client's, each
   * thread's, task's and input partition's. Async: threads in workers are asked for their numbers.
   */
  async metrics(): Promise<StreamsMetric[]> {
    const threads = await Promise.all(this.threads.map((t) => t.currentMetadata()));
    const tps = threads.flatMap((t) => t.metrics.partitions.map((p) => ({ topic: p.topic, partition: p.partition })));
    let endOffsets: Map<string, number> | undefined;
    try {
      if (tps.length > 0 && this.reader !== null) endOffsets = await this.reader.endOffsets(tps);
    } catch (e) {
      this.logger.debug(`Reading end offsets for records-lag failed (${(e as Error).message}); using the last fetched high watermarks`);
    }
    return collectStreamsMetrics({
      clientId: `${this.config.applicationId}-${this.processId}`,
      state: this.currentState,
      failedStreamThreads: this.failedStreamThreads,
      threads,
      endOffsets,
    });
  }

  /** The metrics in Prometheus' text format, with the process's (what `GET /metrics` serves). */
  async prometheusMetrics(): Promise<{ contentType: string; body: string }> {
    return this.exposePrometheus(await this.metrics());
  }

  private async exposePrometheus(metrics: readonly StreamsMetric[]): Promise<{ contentType: string; body: string }> {
    this.exporter ??= new PrometheusExporter();
    return { contentType: this.exporter.contentType, body: await this.exporter.expose(metrics) };
  }

  /**
   * Starts this instance's HTTP endpoint (streams-http-server.ts): interactive queries routed to
   * the instance that holds the key, `/health`, `/metrics`, `/metadata`. It listens on
   * `application.server`'s port unless told otherwise, and closes with the client.
   */
  async startHttpServer(options: HttpServerOptions = {}): Promise<StreamsHttpServer> {
    if (this.workerStub) throw new StreamsError('startHttpServer() belongs to the KafkaStreams of the main thread');
    if (this.httpServer !== null) throw new StreamsError(`The HTTP endpoint is already listening at ${this.httpServer.url}`);
    if (this.closing !== null || this.currentState === 'NOT_RUNNING' || this.currentState === 'ERROR')
      throw new StreamsError(`startHttpServer() needs a client that is not closed (it is ${this.currentState})`);
    const server = await startStreamsHttpServer(
      {
        state: () => this.currentState,
        applicationServer: (): HostInfo | null => parseHostInfo(this.config.string('application.server')),
        localThreadsMetadata: () => this.localThreadsMetadata(),
        metrics: () => this.metrics(),
        metadataForAllStreamsClients: () => this.metadataForAllStreamsClients(),
        locateStore: (name) => this.metadataState.locate(name),
        store: (name, type) => this.store(name, type),
        queryMetadataForKey: (name, key, ser) => this.queryMetadataForKey(name, key, ser),
        prometheus: (m) => this.exposePrometheus(m),
      },
      options,
    );
    this.httpServer = server;
    this.logger.info(`HTTP endpoint listening at ${server.url} (interactive queries, /health, /metrics)`);
    return server;
  }

  /** One log line per rebalance: each thread's tasks, and what it gained and lost. */
  private async logRebalance(): Promise<void> {
    const startedAt = this.rebalanceStartedAt;
    const threads = await Promise.all(this.threads.map((t) => t.currentMetadata()));
    const now = new Map(threads.map((t) => [t.threadName, { active: t.activeTasks, standby: t.standbyTasks }]));
    const names = [...new Set([...this.lastTasks.keys(), ...now.keys()])];
    const diff = (after: readonly string[], before: readonly string[]): string[] => after.filter((x) => !before.includes(x));
    const perThread = names.map((thread) => {
      const before = this.lastTasks.get(thread) ?? { active: [], standby: [] };
      const after = now.get(thread) ?? { active: [], standby: [] };
      return {
        thread,
        active: after.active,
        standby: after.standby,
        gained: diff(after.active, before.active),
        lost: diff(before.active, after.active),
        standby_gained: diff(after.standby, before.standby),
        standby_lost: diff(before.standby, after.standby),
      };
    });
    this.lastTasks = now;
    this.logger.info(
      JSON.stringify({
        event: 'rebalance',
        application_id: this.config.applicationId,
        duration_ms: startedAt > 0 ? Date.now() - startedAt : null,
        threads: perThread,
      }),
    );
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
