/**
 * TopologyTestDriver (Kafka Streams' test API): runs a topology's tasks in memory, no broker. Each
 * piped record goes through the topology and is then committed — the same `StreamTask` steps the
 * runtime takes — so caches flush after every record, as in Kafka Streams' driver. Records written
 * to a topic the topology reads (a repartition topic, say) are processed next, each with its commit.
 * Every topic has one partition.
 *
 * A topology whose nodes are all synchronous is processed before `pipeInput` returns; with async
 * nodes (`mapValuesAsync`, async RxJS operators) await `pipeInput`, or `driver.settled()`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Headers } from '../../serdes/headers.js';
import type { Serde } from '../../serdes/serde.js';
import { type Logger, createLogger } from '../../common/logger.js';
import { StreamsError } from '../errors.js';
import type { StoreDef, Topology } from '../processor/topology.js';
import type { KeyValueStore, ReadOnlyKeyValueStore, TimestampedKeyValueStore, ValueAndTimestamp } from '../state/key-value-store.js';
import type { StateStore } from '../state/state-store.js';
import { ThreadCache } from '../state/internals/thread-cache.js';
import { MeteredKeyValueStore } from '../state/internals/metered-key-value-store.js';
import { deserializationErrorDecider } from '../runtime/exception-handlers.js';
import type { ProducerRecord, RawRecord, RecordCollector } from '../runtime/record-collector.js';
import { StreamTask } from '../runtime/stream-task.js';
import { TestInputTopic } from './test-input-topic.js';
import { TestOutputTopic } from './test-output-topic.js';

/** Kafka Streams' default `statestore.cache.max.bytes`: 10 MB. */
const DEFAULT_CACHE_MAX_BYTES = 10 * 1024 * 1024;

interface LoggedRecord extends ProducerRecord {
  readonly offset: number;
}

export class TopologyTestDriver {
  private readonly applicationId: string;
  private readonly stateDir: string;
  private readonly tasks: StreamTask[] = [];
  private readonly taskByTopic = new Map<string, StreamTask>();
  private readonly logs = new Map<string, LoggedRecord[]>();
  private readonly readPositions = new Map<string, number>();
  /** Topics the topology wrote to; a topic it also reads counts when it wrote to it. */
  private readonly produced = new Set<string>();
  private readonly queue: RawRecord[] = [];
  private pending: Promise<void> | null = null;
  private wallClockMs: number;
  private closed = false;
  private readonly logger: Logger;

  constructor(
    private readonly topology: Topology,
    props: Readonly<Record<string, unknown>> = {},
    initialWallClockTimeMs: number = Date.now(),
  ) {
    this.applicationId = (props['application.id'] as string | undefined) ?? 'topology-test-driver';
    this.wallClockMs = initialWallClockTimeMs;
    this.logger = (props['logger'] as Logger | undefined) ?? createLogger('warn', undefined, 'TopologyTestDriver');
    topology.resolveDefaultSerdes(props);
    const cacheBytes = Number(props['statestore.cache.max.bytes'] ?? DEFAULT_CACHE_MAX_BYTES);
    const cache = cacheBytes > 0 ? new ThreadCache(cacheBytes) : null;
    this.stateDir = mkdtempSync(join((props['state.dir'] as string | undefined) ?? tmpdir(), 'skein-test-driver-'));
    const collector: RecordCollector = { send: (r) => this.append(r), partitionsFor: () => 1 };
    const dlqTopic = (props['errors.deadletterqueue.topic.name'] as string | undefined) ?? null;
    const decide = deserializationErrorDecider(props['default.deserialization.exception.handler'], dlqTopic, this.logger, (r) => this.append(r));
    const globalStores = new Map<string, StateStore>();
    try {
      // Global stores' groups first: every other task may read their stores.
      const groups = [...topology.globalSubtopologies(), ...topology.subtopologies()];
      for (const sub of groups) {
        const id = sub.global ? `global-${sub.id}` : `${sub.id}_0`;
        const task = new StreamTask({
          id,
          topology,
          subtopology: sub,
          partition: 0,
          applicationId: this.applicationId,
          appConfigs: props,
          collector,
          taskDirectory: join(this.stateDir, id),
          cache,
          wallClock: () => this.wallClockMs,
          resolveTopic: (t) => this.resolveTopic(t),
          changelogTopicFor: (def) => this.changelogTopicFor(def),
          onDeserializationError: (raw, error) => decide(raw, error),
          globalStore: (name) => globalStores.get(name),
          logger: this.logger,
        });
        if (sub.global) for (const name of sub.stores) globalStores.set(name, task.getStore(name) as StateStore);
        this.tasks.push(task);
        for (const t of task.inputTopics()) this.taskByTopic.set(t, task);
      }
      for (const task of this.tasks) {
        task.openStoresEmpty();
        task.initializeTopology();
      }
    } catch (e) {
      rmSync(this.stateDir, { recursive: true, force: true });
      throw e;
    }
  }

  private resolveTopic(name: string): string {
    return this.topology.isInternalTopic(name) ? `${this.applicationId}-${name}` : name;
  }

  private changelogTopicFor(def: StoreDef): string | null {
    if (def.sourceTopicChangelog !== undefined) return null;
    return `${this.applicationId}-${def.builder.name}-changelog`;
  }

  createInputTopic<K, V>(
    topic: string,
    keySerde: Serde<K>,
    valueSerde: Serde<V>,
    options: { startTimestampMs?: number; autoAdvanceMs?: number } = {},
  ): TestInputTopic<K, V> {
    return new TestInputTopic(this, topic, keySerde, valueSerde, options.startTimestampMs ?? this.wallClockMs, options.autoAdvanceMs ?? 0);
  }

  createOutputTopic<K, V>(topic: string, keySerde: Serde<K>, valueSerde: Serde<V>): TestOutputTopic<K, V> {
    return new TestOutputTopic(this, topic, keySerde, valueSerde);
  }

  /**
   * Pipes one serialized record into `topic` and processes it (and what it causes) to the end.
   * Resolves at once for synchronous topologies. Used by TestInputTopic.
   * @internal
   */
  pipeRaw(topic: string, key: Buffer | null, value: Buffer | null, timestamp: number, headers: Headers): Promise<void> {
    this.checkOpen();
    if (!this.taskByTopic.has(topic)) {
      throw new StreamsError(
        `Unknown topic ${topic}: the topology reads ${[...this.taskByTopic.keys()].filter((t) => !t.startsWith(`${this.applicationId}-`)).join(', ') || 'no topics'}`,
      );
    }
    const raw: RawRecord = { topic, partition: 0, offset: this.nextOffset(topic), timestamp, key, value, headers };
    this.logOf(topic).push({ topic, partition: 0, key, value, timestamp, headers, offset: raw.offset });
    return this.schedule(() => {
      this.queue.push(raw);
      return this.drainQueue();
    });
  }

  /** Runs `step` now if nothing is pending, else after what is pending. */
  private schedule(step: () => Promise<void> | null): Promise<void> {
    if (this.pending !== null) {
      const p = this.pending.then(() => step() ?? undefined);
      this.track(p);
      return p;
    }
    const r = step();
    if (r === null) return Promise.resolve();
    this.track(r);
    return r;
  }

  private track(p: Promise<void>): void {
    const tracked = p.finally(() => {
      if (this.pending === tracked) this.pending = null;
    });
    tracked.catch(() => undefined);
    this.pending = tracked;
  }

  /** Processes queued records, each followed by its task's commit; null if all of it was synchronous. */
  private drainQueue(): Promise<void> | null {
    while (this.queue.length > 0) {
      const raw = this.queue.shift() as RawRecord;
      const task = this.taskByTopic.get(raw.topic) as StreamTask;
      task.process(raw);
      const ready = task.whenReady();
      const p = ready === null ? this.commit(task) : ready.then(() => this.commit(task) ?? undefined);
      if (p !== null) return p.then(() => this.drainQueue() ?? undefined);
    }
    return null;
  }

  /** The task's commit: drain and flush, then the stores write their transactions. */
  private commit(task: StreamTask): Promise<void> | null {
    const prepared = task.prepareCommit();
    const finish = (): void => task.postCommit(this.changelogEnds());
    if (prepared === null) {
      finish();
      return null;
    }
    return prepared.then(finish);
  }

  private changelogEnds(): Map<string, number> {
    const ends = new Map<string, number>();
    for (const [topic, log] of this.logs) if (log.length > 0) ends.set(topic, log.length);
    return ends;
  }

  private append(r: ProducerRecord): void {
    this.produced.add(r.topic);
    const offset = this.nextOffset(r.topic);
    this.logOf(r.topic).push({ ...r, partition: 0, offset });
    if (this.taskByTopic.has(r.topic)) {
      this.queue.push({ topic: r.topic, partition: 0, offset, timestamp: r.timestamp, key: r.key, value: r.value, headers: r.headers });
    }
  }

  private logOf(topic: string): LoggedRecord[] {
    let log = this.logs.get(topic);
    if (log === undefined) this.logs.set(topic, (log = []));
    return log;
  }

  private nextOffset(topic: string): number {
    return this.logs.get(topic)?.length ?? 0;
  }

  /**
   * Reads the next record written to `topic` (each topic is read once, by all its output topics).
   * @internal
   */
  readRaw(topic: string): LoggedRecord | undefined {
    const log = this.logs.get(topic);
    const pos = this.readPositions.get(topic) ?? 0;
    if (log === undefined || pos >= log.length) return undefined;
    this.readPositions.set(topic, pos + 1);
    return log[pos];
  }

  /** @internal */
  queueSize(topic: string): number {
    return (this.logs.get(topic)?.length ?? 0) - (this.readPositions.get(topic) ?? 0);
  }

  /** Moves the wall clock, fires the wall-clock punctuations that are due, and commits. */
  advanceWallClockTime(ms: number): Promise<void> {
    this.checkOpen();
    if (!Number.isFinite(ms) || ms < 0) throw new StreamsError(`advanceWallClockTime needs a non-negative duration, not ${ms}`);
    return this.schedule(() => {
      this.wallClockMs += ms;
      let chain: Promise<void> | null = null;
      for (const task of this.tasks) {
        const step = (): Promise<void> | null => {
          task.maybePunctuateWallClockTime();
          const c = this.commit(task);
          return c === null ? this.drainQueue() : c.then(() => this.drainQueue() ?? undefined);
        };
        chain = chain === null ? step() : chain.then(() => step() ?? undefined);
      }
      return chain;
    });
  }

  /** Resolves when every piped record (and what it caused) is processed and committed. */
  async settled(): Promise<void> {
    while (this.pending !== null) await this.pending;
  }

  /** All stores of the topology, by name. */
  getAllStateStores(): Map<string, StateStore> {
    const out = new Map<string, StateStore>();
    for (const t of this.tasks) for (const [name, s] of t.stateManager.stores) out.set(name, s.store);
    return out;
  }

  getStateStore(name: string): StateStore {
    const s = this.getAllStateStores().get(name);
    if (s === undefined) throw new StreamsError(`No store named ${name}; the topology has ${[...this.getAllStateStores().keys()].join(', ') || 'no stores'}`);
    return s;
  }

  /**
   * A key-value store by name. The DSL's stores keep timestamps with their values; this view
   * returns the values alone, as Kafka Streams' driver does (`getTimestampedKeyValueStore` keeps them).
   */
  getKeyValueStore<K, V>(name: string): KeyValueStore<K, V> {
    const store = this.getStateStore(name);
    if (!(store instanceof MeteredKeyValueStore)) throw new StreamsError(`Store ${name} is not a key-value store`);
    return store.timestamped ? valuesOnly(store as TimestampedKeyValueStore<K, V>) : (store as KeyValueStore<K, V>);
  }

  getTimestampedKeyValueStore<K, V>(name: string): TimestampedKeyValueStore<K, V> {
    return this.getStateStore(name) as TimestampedKeyValueStore<K, V>;
  }

  /** Names of the topics the topology wrote to (internal ones too), in the order it first wrote them. */
  producedTopicNames(): Set<string> {
    return new Set(this.produced);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.pending?.catch(() => undefined);
      for (const t of this.tasks) await t.close();
    } finally {
      rmSync(this.stateDir, { recursive: true, force: true });
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private checkOpen(): void {
    if (this.closed) throw new StreamsError('The TopologyTestDriver is closed');
  }
}

/** A timestamped store seen through its values. */
function valuesOnly<K, V>(store: TimestampedKeyValueStore<K, V>): KeyValueStore<K, V> {
  const unwrap = (vt: ValueAndTimestamp<V> | undefined): V | undefined => (vt === undefined ? undefined : vt.value);
  const it = (source: ReturnType<ReadOnlyKeyValueStore<K, ValueAndTimestamp<V>>['all']>) => {
    const out = {
      async next() {
        const r = await source.next();
        return r.done ? r : { done: false as const, value: { key: r.value.key, value: r.value.value.value } };
      },
      return: () => source.return?.() ?? Promise.resolve({ done: true as const, value: undefined }),
      close: () => source.close(),
      [Symbol.asyncIterator]() {
        return out;
      },
    };
    return out as unknown as ReturnType<KeyValueStore<K, V>['all']>;
  };
  const now = (): number => Date.now();
  return {
    name: store.name,
    persistent: store.persistent,
    get: (k) => unwrap(store.get(k)),
    put: (k, v) => store.put(k, v === null ? null : { value: v, timestamp: now() }),
    putIfAbsent: (k, v) => unwrap(store.putIfAbsent(k, { value: v, timestamp: now() })),
    putAll: (entries) => store.putAll(entries.map((e) => ({ key: e.key, value: { value: e.value, timestamp: now() } }))),
    delete: (k) => unwrap(store.delete(k)),
    range: (a, b) => it(store.range(a, b)),
    reverseRange: (a, b) => it(store.reverseRange(a, b)),
    all: () => it(store.all()),
    reverseAll: () => it(store.reverseAll()),
    prefixScan: (p, s) => it(store.prefixScan(p, s)),
    approximateNumEntries: () => store.approximateNumEntries(),
  };
}
