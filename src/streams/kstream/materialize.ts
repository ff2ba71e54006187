/** Turns a `Materialized` option into the store builder of a table's timestamped key-value store. */
import type { Serde } from '../../serdes/serde.js';
import type { TimestampedKeyValueStore } from '../state/key-value-store.js';
import type { StateStore } from '../state/state-store.js';
import { TopologyError } from '../errors.js';
import type { StoreBuilder } from '../state/store-builder.js';
import { Stores, checkStoreName } from '../state/stores.js';
import type { InternalStreamsBuilder } from './internal-streams-builder.js';
import type { Materialized } from './options.js';
import { type LateSerde, registerLateSerde } from '../processor/late-serde.js';

export interface MaterializedStore<K, V> {
  readonly storeName: string;
  /** Whether the user named the store (only then can it be queried by name). */
  readonly queryable: boolean;
  readonly keySerde: Serde<K> | undefined;
  readonly valueSerde: Serde<V> | undefined;
  builder(defaultKeySerde: Serde<K> | undefined, defaultValueSerde: Serde<V> | undefined): StoreBuilder<TimestampedKeyValueStore<K, V>>;
}

/**
 * Kafka Streams' `MaterializedInternal`: the store's name is the user's, or generated from
 * `prefix` (`KSTREAM-AGGREGATE-STATE-STORE-0000000003`), burning a counter value as Kafka Streams does.
 */
export function materialize<K, V>(builder: InternalStreamsBuilder, m: Materialized<K, V> | undefined, prefix: string): MaterializedStore<K, V> {
  const queryable = m?.storeName !== undefined;
  if (queryable) checkStoreName(m?.storeName as string);
  const storeName = queryable ? (m?.storeName as string) : builder.newStoreName(prefix);
  return {
    storeName,
    queryable,
    keySerde: m?.keySerde,
    valueSerde: m?.valueSerde,
    builder(defaultKeySerde, defaultValueSerde) {
      const supplier = m?.storeType === 'in-memory' ? Stores.inMemoryKeyValueStore(storeName) : Stores.persistentTimestampedKeyValueStore(storeName);
      const keySerde = m?.keySerde ?? defaultKeySerde;
      const valueSerde = m?.valueSerde ?? defaultValueSerde;
      const late = (which: 'key' | 'value'): LateSerde<never> => registerLateSerde<never>(builder.topology, which, `store ${storeName}`);
      const b = Stores.timestampedKeyValueStoreBuilder<K, V>(supplier, keySerde ?? late('key'), valueSerde ?? late('value'));
      if (m?.cachingEnabled === false) b.withCachingDisabled();
      else b.withCachingEnabled();
      if (m?.loggingEnabled === false) b.withLoggingDisabled();
      else if (m?.logConfig !== undefined) b.withLoggingEnabled(m.logConfig);
      return b;
    },
  };
}

/** The store of a windowed aggregation: a timestamped window store (or a session store). */
export function windowStoreBuilder<K, V>(
  m: MaterializedStore<K, V>,
  options: Materialized<K, V> | undefined,
  keySerde: Serde<K>,
  valueSerde: Serde<V>,
  kind: { readonly type: 'window'; readonly sizeMs: number; readonly retentionMs: number } | { readonly type: 'session'; readonly retentionMs: number },
): StoreBuilder<StateStore> {
  const retention = options?.retentionMs ?? kind.retentionMs;
  if (retention < kind.retentionMs) {
    throw new TopologyError(`store ${m.storeName}: the retention (${retention} ms) must cover the window size and grace period (${kind.retentionMs} ms)`);
  }
  const persistent = options?.storeType !== 'in-memory';
  const b =
    kind.type === 'window'
      ? Stores.timestampedWindowStoreBuilder(
          persistent ? Stores.persistentWindowStore(m.storeName, retention, kind.sizeMs) : Stores.inMemoryWindowStore(m.storeName, retention, kind.sizeMs),
          keySerde,
          valueSerde,
        )
      : Stores.timestampedSessionStoreBuilder(
          persistent ? Stores.persistentSessionStore(m.storeName, retention) : Stores.inMemorySessionStore(m.storeName, retention),
          keySerde,
          valueSerde,
        );
  if (options?.cachingEnabled === false) b.withCachingDisabled();
  else b.withCachingEnabled();
  if (options?.loggingEnabled === false) b.withLoggingDisabled();
  else if (options?.logConfig !== undefined) b.withLoggingEnabled(options.logConfig);
  return b as StoreBuilder<StateStore>;
}
