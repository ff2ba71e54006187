/**
 * `Stores`: the factory for store suppliers and builders, with Kafka Streams' names.
 *
 * ```ts
 * builder.addStateStore(
 *   Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('seen'), Serdes.String(), Serdes.Long())
 *     .withCachingDisabled());
 * ```
 * As in Kafka Streams, logging is on and caching off unless asked for (`withCachingEnabled()`); the
 * DSL's stores are cached. Caching is off everywhere when `statestore.cache.max.bytes` is 0.
 */
import type { Serde } from '../../serdes/serde.js';
import { TopologyError } from '../errors.js';
import type { KeyValueStore, TimestampedKeyValueStore } from './key-value-store.js';
import { CachingKeyValueBytesStore } from './internals/caching-key-value-store.js';
import { ChangeLoggingKeyValueBytesStore } from './internals/change-logging-key-value-store.js';
import type { KeyValueBytesStore } from './internals/bytes-store.js';
import { LevelKeyValueBytesStore } from './internals/level-key-value-store.js';
import { MeteredKeyValueStore, plainValues, timestampedValues } from './internals/metered-key-value-store.js';
import type { StateStore } from './state-store.js';
import type { BuiltStore, StoreBuilder, StoreEnvironment } from './store-builder.js';

/** Where a key-value store keeps its bytes: LevelDB on disk, or memory. */
export interface KeyValueBytesStoreSupplier {
  readonly name: string;
  readonly persistent: boolean;
}

/** Kafka Streams' rule for store and topic names: they become file and topic names. */
const LEGAL_NAME = /^[a-zA-Z0-9._-]+$/;

export function checkStoreName(name: string): void {
  if (!LEGAL_NAME.test(name) || name.length > 209) {
    throw new TopologyError(`store name "${name}" is illegal: use only ASCII letters, digits, '.', '_' and '-' (at most 209 characters)`);
  }
}

abstract class AbstractStoreBuilder<S extends StateStore> implements StoreBuilder<S> {
  // As in Kafka Streams: a builder's store is not cached unless asked (the DSL asks), and is logged.
  cachingEnabled = false;
  loggingEnabled = true;
  logConfig: Record<string, string> = {};

  constructor(protected readonly supplier: KeyValueBytesStoreSupplier) {
    checkStoreName(supplier.name);
  }

  get name(): string {
    return this.supplier.name;
  }

  get persistent(): boolean {
    return this.supplier.persistent;
  }

  withCachingEnabled(): this {
    this.cachingEnabled = true;
    return this;
  }

  withCachingDisabled(): this {
    this.cachingEnabled = false;
    return this;
  }

  withLoggingEnabled(config: Record<string, string> = {}): this {
    this.loggingEnabled = true;
    this.logConfig = { ...config };
    return this;
  }

  withLoggingDisabled(): this {
    this.loggingEnabled = false;
    return this;
  }

  protected layers(env: StoreEnvironment): { bottom: LevelKeyValueBytesStore; caching: CachingKeyValueBytesStore | null; top: KeyValueBytesStore } {
    const bottom = new LevelKeyValueBytesStore({
      name: this.name,
      ...(this.supplier.persistent ? { location: env.directoryFor(this.name) } : {}),
    });
    let top: KeyValueBytesStore = bottom;
    if (this.loggingEnabled && env.changelogTopic !== null) top = new ChangeLoggingKeyValueBytesStore(top, env.context);
    let caching: CachingKeyValueBytesStore | null = null;
    if (this.cachingEnabled && env.context.cache !== null) top = caching = new CachingKeyValueBytesStore(top, env.context, env.context.cache);
    return { bottom, caching, top };
  }

  abstract build(env: StoreEnvironment): BuiltStore<S>;
}

class KeyValueStoreBuilder<K, V> extends AbstractStoreBuilder<KeyValueStore<K, V>> {
  constructor(
    supplier: KeyValueBytesStoreSupplier,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
  ) {
    super(supplier);
  }

  build(env: StoreEnvironment): BuiltStore<KeyValueStore<K, V>> {
    const { bottom, caching, top } = this.layers(env);
    return { bottom, caching, store: new MeteredKeyValueStore(top, this.keySerde, plainValues(this.valueSerde), env.context, env.changelogTopic) };
  }
}

class TimestampedKeyValueStoreBuilder<K, V> extends AbstractStoreBuilder<TimestampedKeyValueStore<K, V>> {
  constructor(
    supplier: KeyValueBytesStoreSupplier,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
  ) {
    super(supplier);
  }

  build(env: StoreEnvironment): BuiltStore<TimestampedKeyValueStore<K, V>> {
    const { bottom, caching, top } = this.layers(env);
    return { bottom, caching, store: new MeteredKeyValueStore(top, this.keySerde, timestampedValues(this.valueSerde), env.context, env.changelogTopic) };
  }
}

export const Stores = {
  /** A LevelDB store under the task's state directory; survives restarts, restores only the changelog's tail. */
  persistentKeyValueStore(name: string): KeyValueBytesStoreSupplier {
    checkStoreName(name);
    return { name, persistent: true };
  },
  /** Same bytes as `persistentKeyValueStore`: every Skein store keeps its values' timestamps. */
  persistentTimestampedKeyValueStore(name: string): KeyValueBytesStoreSupplier {
    checkStoreName(name);
    return { name, persistent: true };
  },
  /** A store in memory, rebuilt from its changelog on every start. */
  inMemoryKeyValueStore(name: string): KeyValueBytesStoreSupplier {
    checkStoreName(name);
    return { name, persistent: false };
  },
  keyValueStoreBuilder<K, V>(supplier: KeyValueBytesStoreSupplier, keySerde: Serde<K>, valueSerde: Serde<V>): StoreBuilder<KeyValueStore<K, V>> {
    return new KeyValueStoreBuilder(supplier, keySerde, valueSerde);
  },
  timestampedKeyValueStoreBuilder<K, V>(
    supplier: KeyValueBytesStoreSupplier,
    keySerde: Serde<K>,
    valueSerde: Serde<V>,
  ): StoreBuilder<TimestampedKeyValueStore<K, V>> {
    return new TimestampedKeyValueStoreBuilder(supplier, keySerde, valueSerde);
  },
};
