/**
 * GlobalStreamThread (Kafka Streams' name): keeps the instance's global stores — a full copy of each
 * global topic, every partition — up to date. At start it restores every store to the end of its
 * topic (from the offsets recorded with the store's data, so a restart reads only the tail) before
 * any stream thread processes; then it keeps reading and applying new records through the global
 * processor, committing its positions with the stores' data.
 *
 * Global stores are read-only for tasks and rebuilt from their topics, so they need no transactions:
 * a crash replays at most the records since the last commit, and table updates are idempotent.
 */
import { join } from 'node:path';
import type { Logger } from '../../common/logger.js';
import { StreamsError } from '../errors.js';
import type { StoreDef, Topology } from '../processor/topology.js';
import type { StateStore } from '../state/state-store.js';
import type { BuiltStore } from '../state/store-builder.js';
import { deserializationErrorDecider } from './exception-handlers.js';
import type { PartitionReader } from './partition-reader.js';
import { StoreChangelogReader } from './store-changelog-reader.js';
import { StreamTask } from './stream-task.js';
import type { StreamsConfig } from './streams-config.js';

/** How often the global thread commits its stores' positions. */
const COMMIT_INTERVAL_MS = 1000;

export class GlobalStreamThread {
  private readonly tasks: { task: StreamTask; topic: string; partitions: number }[] = [];
  private readonly stores = new Map<string, StateStore>();
  private positions = new Map<string, number>();
  private running = false;
  private loopDone: Promise<void> | null = null;
  private lastCommit = Date.now();

  constructor(
    private readonly topology: Topology,
    private readonly config: StreamsConfig,
    private readonly partitionCounts: ReadonlyMap<string, number>,
    /** Its own reader (its fetches must not wait behind the tasks' restorations); closed on stop. */
    private readonly reader: PartitionReader,
    private readonly logger: Logger,
    /** The directory of this copy of the global stores, under `<state.dir>/<application.id>/` (each thread has its own). */
    private readonly directory: string,
    private readonly onError: (e: unknown) => void,
  ) {}

  /** A global store by name, for the tasks. */
  store(name: string): StateStore | undefined {
    return this.stores.get(name);
  }

  /** Opens and restores every global store to the end of its topic. */
  async bootstrap(): Promise<void> {
    const appId = this.config.applicationId;
    for (const sub of this.topology.globalSubtopologies()) {
      const topic = sub.sourceTopics[0];
      const partitions = this.partitionCounts.get(topic);
      if (partitions === undefined) throw new StreamsError(`Global topic ${topic} does not exist; create it first`);
      const decide = deserializationErrorDecider(this.config.values['default.deserialization.exception.handler'], null, this.logger, () => undefined);
      const task = new StreamTask({
        id: `global-${sub.id}`,
        topology: this.topology,
        subtopology: sub,
        partition: 0,
        applicationId: appId,
        appConfigs: this.config.values,
        collector: { send: () => undefined, partitionsFor: () => 0 },
        taskDirectory: join(this.config.string('state.dir'), appId, this.directory),
        cache: null,
        wallClock: () => Date.now(),
        resolveTopic: (t) => t,
        changelogTopicFor: () => null,
        onDeserializationError: (raw, error) => decide(raw, error),
        logger: this.logger,
      });
      await task.openStores();
      const restorer = new StoreChangelogReader(this.reader, this.logger, this.config.int('restore.batch.records'));
      for (const name of sub.stores) {
        const built = task.stateManager.stores.get(name) as BuiltStore<StateStore>;
        const targets = Array.from({ length: partitions }, (_, p) => ({
          changelog: { store: name, topic, partition: p, isSourceTopic: true },
          store: built.bottom,
        }));
        await restorer.restore(`global store ${name}`, targets);
        for (let p = 0; p < partitions; p++) this.positions.set(`${topic}:${p}`, built.bottom.committedChangelogOffset(p) ?? 0);
        this.stores.set(name, built.store);
      }
      task.initializePositions(
        Array.from({ length: partitions }, (_, p) => ({ topic, partition: p, offset: this.positions.get(`${topic}:${p}`) ?? 0 })),
        -1,
      );
      task.initializeTopology();
      this.tasks.push({ task, topic, partitions });
    }
  }

  /** Keeps reading the global topics until `stop()`. */
  start(): void {
    if (this.tasks.length === 0) return;
    this.running = true;
    this.loopDone = this.loop();
  }

  private async loop(): Promise<void> {
    while (this.running) {
      try {
        const positions = this.tasks.flatMap((t) =>
          Array.from({ length: t.partitions }, (_, p) => ({ topic: t.topic, partition: p, offset: this.positions.get(`${t.topic}:${p}`) ?? 0 })),
        );
        const fetched = await this.reader.fetch(positions, { maxWaitMs: 200 });
        for (const f of fetched) {
          const t = this.tasks.find((x) => x.topic === f.topic);
          if (t === undefined) continue;
          for (const r of f.records) t.task.process(r);
          this.positions.set(`${f.topic}:${f.partition}`, f.nextOffset);
        }
        if (Date.now() - this.lastCommit >= COMMIT_INTERVAL_MS) this.commit();
      } catch (e) {
        if (!this.running) return;
        this.logger.error(`The global stream thread failed: ${(e as Error).message}`);
        this.running = false;
        this.onError(e);
        return;
      }
    }
  }

  private commit(): void {
    this.lastCommit = Date.now();
    for (const t of this.tasks) {
      if (t.task.prepareCommit() !== null) throw new StreamsError('A global store processor may not do async work');
      t.task.postCommit(new Map());
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loopDone;
    try {
      if (this.tasks.length > 0) this.commit();
    } finally {
      for (const t of this.tasks) await t.task.close();
      await this.reader.close();
    }
  }
}

export function isGlobalStoreDef(def: StoreDef | undefined): boolean {
  return def?.global === true;
}
