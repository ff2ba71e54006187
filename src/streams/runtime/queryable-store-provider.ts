/**
 * The client's side of interactive queries (Kafka Streams' `QueryableStoreProvider` and composite
 * read-only stores): a view of one store over every local stream thread — the one in the main
 * thread and those in workers — and the global store.
 *
 * A read of one key goes to the thread whose active task holds the key's partition (see
 * StreamsMetadataState); if that thread does not have it (a rebalance moved the task since the
 * thread last reported its tasks, or the store is not partitioned by that key), the other threads
 * are asked. Scans of the whole store ask every thread and concatenate their answers.
 */
import type { StateStore } from '../state/state-store.js';
import { InvalidStateStoreError } from '../errors.js';
import type { QueryableKeyValueStore, QueryableSessionStore, QueryableStoreType, QueryableWindowStore } from '../state/queryable-store-types.js';
import type { TopicLayout } from './internal-topic-manager.js';
import { queryShape, reviveAnswer, runStoreQuery } from './store-query-runner.js';
import type { StreamThreadHandle } from './stream-thread-handle.js';
import type { StreamsMetadataState } from './streams-metadata-state.js';
import type { StoreQuery } from './thread-protocol.js';

export interface StoreProviderSources {
  readonly metadata: StreamsMetadataState;
  /** The live stream threads. */
  threads(): readonly StreamThreadHandle[];
  layout(): TopicLayout | null;
  /** The main thread's copy of a global store. */
  globalStore(name: string): StateStore | undefined;
}

export class QueryableStoreProvider {
  constructor(private readonly sources: StoreProviderSources) {}

  /** A view of `storeName` of the kind `type` asks for; throws if the store is unknown or of another kind. */
  getStore<S>(storeName: string, type: QueryableStoreType<S>): S {
    const loc = this.sources.metadata.locate(storeName);
    const info = loc.info;
    if (info !== undefined && info.kind !== type.kind) {
      throw new InvalidStateStoreError(
        `Store ${storeName} is a ${describeKind(info.kind)}, not a ${describeKind(type.kind)}: query it with QueryableStoreTypes.${info.kind}Store()`,
      );
    }
    if (type.timestamped && info !== undefined && !info.timestamped) {
      throw new InvalidStateStoreError(`Store ${storeName} keeps no timestamps: query it with QueryableStoreTypes.${info.kind}Store()`);
    }
    const stripTimestamps = !type.timestamped && info?.timestamped === true;
    const global = loc.subtopology === null;
    const run = (op: string, args: unknown[], key?: { key: unknown }): Promise<unknown> =>
      this.run({ store: storeName, kind: type.kind, op, args, stripTimestamps }, global, key);
    const list = <T>(p: Promise<unknown>): Promise<T[]> => p as Promise<T[]>;
    switch (type.kind) {
      case 'keyValue': {
        const view: QueryableKeyValueStore<unknown, unknown> = {
          get: (key) => run('get', [key], { key }),
          range: (from = null, to = null) => list(run('range', [from, to])),
          all: () => list(run('all', [])),
          approximateNumEntries: () => run('approximateNumEntries', []) as Promise<number>,
        };
        return view as S;
      }
      case 'window': {
        const view: QueryableWindowStore<unknown, unknown> = {
          fetch: (key, windowStart) => run('fetch', [key, windowStart], { key }),
          fetchRange: (key, from, to) => list(run('fetchRange', [key, from, to], { key })),
          fetchAll: (from, to) => list(run('fetchAll', [from, to])),
          all: () => list(run('all', [])),
        };
        return view as S;
      }
      case 'session': {
        const view: QueryableSessionStore<unknown, unknown> = {
          fetchSession: (key, start, end) => run('fetchSession', [key, start, end], { key }),
          fetch: (key) => list(run('fetch', [key], { key })),
          findSessions: (key, earliestEnd, latestStart) => list(run('findSessions', [key, earliestEnd, latestStart], { key })),
          all: () => list(run('all', [])),
        };
        return view as S;
      }
    }
  }

  private async run(q: StoreQuery, global: boolean, routeBy?: { key: unknown }): Promise<unknown> {
    const shape = queryShape(q);
    if (global) {
      const store = this.sources.globalStore(q.store);
      if (store === undefined) throw new InvalidStateStoreError(`Global store ${q.store} is not open (the client is not running)`);
      return runStoreQuery([store], q);
    }
    const threads = this.sources.threads();
    if (threads.length === 0) throw new InvalidStateStoreError(`Store ${q.store} cannot be queried: no stream thread is running`);
    const ask = (t: StreamThreadHandle): Promise<unknown> =>
      t.query(q).then(reviveAnswer, (e: unknown) => (isStopped(e) ? (shape === 'count' ? 0 : shape === 'scan' ? [] : undefined) : Promise.reject(e)));
    const found = (v: unknown): boolean => (shape === 'scan' ? (v as unknown[]).length > 0 : v !== undefined);
    let rest = threads;
    if (routeBy !== undefined) {
      const owner = this.ownerOf(q.store, routeBy.key, threads);
      if (owner !== undefined) {
        const v = await ask(owner);
        if (found(v) || threads.length === 1) return v;
        rest = threads.filter((t) => t !== owner);
      }
    }
    const answers = await Promise.all(rest.map(ask));
    switch (shape) {
      case 'point':
        return answers.find((v) => v !== undefined);
      case 'scan':
        return answers.flat();
      case 'count':
        return answers.reduce((a: number, b) => a + (b as number), 0);
    }
  }

  /** The thread whose active tasks include the key's task, by what the threads last reported. */
  private ownerOf(storeName: string, key: unknown, threads: readonly StreamThreadHandle[]): StreamThreadHandle | undefined {
    const layout = this.sources.layout();
    if (layout === null) return undefined;
    let task: { taskId: string } | null;
    try {
      task = this.sources.metadata.taskForKey(storeName, key, layout);
    } catch {
      return undefined; // the key does not serialize with the store's serde: every thread is asked, and none will have it
    }
    if (task === null) return undefined;
    const id = task.taskId;
    return threads.find((t) => t.metadata().activeTasks.includes(id));
  }
}

function describeKind(kind: string): string {
  return kind === 'keyValue' ? 'key-value store' : `${kind} store`;
}

function isStopped(e: unknown): boolean {
  return /has stopped|is not running/.test(String((e as Error)?.message));
}
