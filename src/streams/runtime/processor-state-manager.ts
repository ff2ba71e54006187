/**
 * ProcessorStateManager (Kafka Streams' name): a task's stores — building them, opening them,
 * logging their changes to the changelog partition of the task, and the store half of the commit:
 * flush caches before it, write the transaction buffers with their changelog offsets after it, or
 * throw them away on a rollback.
 */
import { join } from 'node:path';
import { StateStoreError } from '../errors.js';
import type { StoreDef } from '../processor/topology.js';
import type { StateStore } from '../state/state-store.js';
import type { BuiltStore } from '../state/store-builder.js';
import { type BytesKey, type StoredValue, fromBytesKey } from '../state/internals/bytes-store.js';
import type { RecordCollector } from './record-collector.js';
import type { TaskContext } from './task-context.js';

export interface ChangelogPartition {
  readonly store: string;
  readonly topic: string;
  readonly partition: number;
  /** The store's changelog is the topic the table is read from (nothing is written to it). */
  readonly isSourceTopic: boolean;
}

export interface StateManagerOptions {
  readonly partition: number;
  /** The task's directory; persistent stores live in subdirectories named after them. */
  readonly taskDirectory: string;
  readonly storeDefs: readonly StoreDef[];
  /** The full changelog topic of a store, or null when it is not logged. */
  changelogTopicFor(def: StoreDef): string | null;
  /** The full name of a topic named in the topology. */
  resolveTopic(name: string): string;
  readonly context: TaskContext;
  readonly collector: RecordCollector;
}

/** A store that keeps state beside its transaction buffer (window and session stores: the stream time they observed). */
interface TransactionListener {
  onCommit?(): void;
  onRollback?(): void;
}

export class ProcessorStateManager {
  readonly stores = new Map<string, BuiltStore<StateStore>>();
  private readonly changelogTopics = new Map<string, string>();
  /** Stores whose changelog is a source topic: their offset is the task's position in that topic. */
  private readonly sourceTopicChangelogs = new Map<string, string>();

  constructor(private readonly options: StateManagerOptions) {
    for (const def of options.storeDefs) {
      const changelogTopic = def.builder.loggingEnabled ? options.changelogTopicFor(def) : null;
      if (changelogTopic !== null) this.changelogTopics.set(def.builder.name, changelogTopic);
      if (def.sourceTopicChangelog !== undefined) this.sourceTopicChangelogs.set(def.builder.name, options.resolveTopic(def.sourceTopicChangelog));
      const built = def.builder.build({
        context: options.context,
        changelogTopic,
        directoryFor: (name) => join(options.taskDirectory, name),
      });
      this.stores.set(def.builder.name, built);
    }
  }

  getStore(name: string): StateStore | undefined {
    return this.stores.get(name)?.store;
  }

  /** The changelog partitions the task's stores restore from. */
  changelogPartitions(): ChangelogPartition[] {
    const p = this.options.partition;
    return [
      ...[...this.changelogTopics].map(([store, topic]) => ({ store, topic, partition: p, isSourceTopic: false })),
      ...[...this.sourceTopicChangelogs].map(([store, topic]) => ({ store, topic, partition: p, isSourceTopic: true })),
    ];
  }

  logChange(storeName: string, key: BytesKey, value: StoredValue | null): void {
    const topic = this.changelogTopics.get(storeName);
    if (topic === undefined) return;
    this.options.collector.send({
      topic,
      partition: this.options.partition,
      key: fromBytesKey(key),
      value: value === null ? null : value.value,
      timestamp: value === null ? this.options.context.timestamp : value.timestamp,
      headers: {},
    });
  }

  async open(): Promise<void> {
    for (const s of this.stores.values()) await s.bottom.openStore();
  }

  /** Makes fresh, empty stores usable at once (the TopologyTestDriver). */
  openEmpty(): void {
    for (const s of this.stores.values()) s.bottom.openEmpty();
  }

  /** Flushes every cache (forwarding its dirty entries); true if any had something to flush. */
  flushCaches(): boolean {
    let flushed = false;
    for (const s of this.stores.values()) {
      if (s.caching?.hasDirty()) {
        s.caching.flush();
        flushed = true;
      }
    }
    return flushed;
  }

  /** Whether a store's transaction has grown past `limit` writes (time for an early commit). */
  uncommittedWrites(): number {
    let n = 0;
    for (const s of this.stores.values()) n += s.bottom.uncommittedWriteCount();
    return n;
  }

  /**
   * After Kafka committed: each store writes its transaction with the offset one past the last
   * record the task wrote to its changelog (`nextOffsets`, by topic), if it wrote any — or, for a
   * table read from a topic, the task's position in that topic.
   */
  commit(nextOffsets: ReadonlyMap<string, number>, positions: (topic: string) => ReadonlyMap<number, number>): void {
    for (const [name, s] of this.stores) {
      const topic = this.changelogTopics.get(name);
      const source = this.sourceTopicChangelogs.get(name);
      if (topic !== undefined) {
        const offset = nextOffsets.get(topic);
        s.bottom.commit(offset === undefined ? null : new Map([[this.options.partition, offset]]));
      } else {
        s.bottom.commit(source === undefined ? null : positions(source));
      }
      (s.store as TransactionListener).onCommit?.();
    }
  }

  rollback(): void {
    for (const s of this.stores.values()) {
      s.caching?.clear();
      s.bottom.rollback();
      (s.store as TransactionListener).onRollback?.();
    }
  }

  /** Resolves when every committed batch is on disk. */
  async flushed(): Promise<void> {
    for (const s of this.stores.values()) await s.bottom.flushed();
  }

  async close(): Promise<void> {
    const errors: unknown[] = [];
    for (const s of this.stores.values()) {
      s.caching?.clear();
      await s.bottom.close().catch((e: unknown) => errors.push(e));
    }
    if (errors.length > 0) throw new StateStoreError(`Closing the stores failed: ${errors.map((e) => (e as Error).message).join('; ')}`, errors[0]);
  }
}
