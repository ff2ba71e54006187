/**
 * Store builders (Kafka Streams' `StoreBuilder`): a description of a store — name, serdes, caching,
 * logging — that the runtime turns into one store stack per task.
 */
import type { Serde } from '../../serdes/serde.js';
import type { StateStore } from './state-store.js';
import type { CachingKeyValueBytesStore } from './internals/caching-key-value-store.js';
import type { LevelKeyValueBytesStore } from './internals/level-key-value-store.js';
import type { StoreContext } from './internals/store-context.js';

/** What the task's state manager needs to commit, roll back, restore and close a store. */
export interface BuiltStore<S extends StateStore> {
  /** The store processors and queries use (the metered layer). */
  readonly store: S;
  /** The bottom layer, with the transaction buffer and the changelog offset. */
  readonly bottom: LevelKeyValueBytesStore;
  /** The caching layer, if the store is cached. */
  readonly caching: CachingKeyValueBytesStore | null;
}

export interface StoreEnvironment {
  readonly context: StoreContext;
  /** The store's directory for a persistent store (under the task's directory). */
  directoryFor(storeName: string): string;
  /** The changelog topic's full name, or null when logging is disabled. */
  readonly changelogTopic: string | null;
}

/** @internal What interactive queries need to know of a store: its kind, key serde, and whether its values carry timestamps. */
export interface StoreQueryInfo {
  readonly kind: 'keyValue' | 'window' | 'session';
  readonly keySerde: Serde<unknown>;
  readonly timestamped: boolean;
}

export interface StoreBuilder<S extends StateStore = StateStore> {
  readonly name: string;
  readonly persistent: boolean;
  readonly cachingEnabled: boolean;
  readonly loggingEnabled: boolean;
  /** Topic configs for the changelog (`cleanup.policy=compact` is always set). */
  readonly logConfig: Readonly<Record<string, string>>;
  withCachingEnabled(): this;
  withCachingDisabled(): this;
  withLoggingEnabled(config?: Record<string, string>): this;
  withLoggingDisabled(): this;
  /** Builds one task's store stack. */
  build(env: StoreEnvironment): BuiltStore<S>;
  /** @internal For interactive queries (the built-in builders have it). */
  readonly queryInfo?: StoreQueryInfo;
}
