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
import type { KeyValueStore, TimestampedKeyValueStore, ValueAndTimestamp } from './key-value-store.js';
import type { SessionStore, TimestampedWindowStore, WindowStore } from './window-store.js';
import { MeteredSessionStore, MeteredWindowStore } from './internals/metered-window-store.js';
import { CachingKeyValueBytesStore } from './internals/caching-key-value-store.js';
import { ChangeLoggingKeyValueBytesStore } from './internals/change-logging-key-value-store.js';
import type { KeyValueBytesStore } from './internals/bytes-store.js';
import { LevelKeyValueBytesStore } from './internals/level-key-value-store.js';
import { MeteredKeyValueStore, plainValues, timestampedValues, type ValueCodec } from './internals/metered-key-value-store.js';
import type { StateStore } from './state-store.js';
import type { BuiltStore, StoreBuilder, StoreEnvironment, StoreQueryInfo } from './store-builder.js';

/** Where a key-value store keeps its bytes: LevelDB on disk, or memory. */
export interface KeyValueBytesStoreSupplier {
  readonly name: string;
  readonly persistent: boolean;
}

/** Where a window store keeps its bytes, and for how long. */
export interface WindowBytesStoreSupplier extends KeyValueBytesStoreSupplier {
  readonly retentionMs: number;
  readonly windowSizeMs: number;
  /** Keep every value put for the same key and window (the stores of stream-stream joins). */
  readonly retainDuplicates: boolean;
}

/** Where a session store keeps its bytes, and for how long. */
export interface SessionBytesStoreSupplier extends KeyValueBytesStoreSupplier {
  readonly retentionMs: number;
}

/** Kafka Streams' `windowstore.changelog.additional.retention.ms`: a day more in the changelog than in the store. */
const CHANGELOG_ADDITIONAL_RETENTION_MS = 24 * 60 * 60 * 1000;

function checkDuration(what: string, ms: number): void {
  if (!Number.isFinite(ms) || ms < 0 || !Number.isInteger(ms))
    throw new TopologyError(`${what} must be a non-negative whole number of milliseconds, not ${ms}`);
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

/** Key-value stores, plain or timestamped: the same layers, values coded with or without their timestamp. */
class KeyValueStoreBuilder<K, OV> extends AbstractStoreBuilder<KeyValueStore<K, OV>> {
  constructor(
    supplier: KeyValueBytesStoreSupplier,
    private readonly keySerde: Serde<K>,
    private readonly codec: ValueCodec<OV>,
    private readonly timestamped: boolean,
  ) {
    super(supplier);
  }

  get queryInfo(): StoreQueryInfo {
    return { kind: 'keyValue', keySerde: this.keySerde as Serde<unknown>, timestamped: this.timestamped };
  }

  build(env: StoreEnvironment): BuiltStore<KeyValueStore<K, OV>> {
    const { bottom, caching, top } = this.layers(env);
    return { bottom, caching, store: new MeteredKeyValueStore(top, this.keySerde, this.codec, env.context, env.changelogTopic) };
  }
}

/**
 * Window and session stores: the key-value stack under the segmented, typed top, logged to a
 * changelog that is compacted and deleted after the store's retention (plus a day).
 */
abstract class SegmentedStoreBuilder<S extends StateStore, K, OV> extends AbstractStoreBuilder<S> {
  constructor(
    protected readonly segmentedSupplier: KeyValueBytesStoreSupplier & { readonly retentionMs: number },
    protected readonly keySerde: Serde<K>,
    protected readonly codec: ValueCodec<OV>,
    private readonly query: { kind: 'window' | 'session'; timestamped: boolean },
  ) {
    super(segmentedSupplier);
    this.logConfig = windowChangelogConfig(segmentedSupplier.retentionMs);
  }

  get queryInfo(): StoreQueryInfo {
    return { ...this.query, keySerde: this.keySerde as Serde<unknown> };
  }

  override withLoggingEnabled(config: Record<string, string> = {}): this {
    super.withLoggingEnabled({ ...windowChangelogConfig(this.segmentedSupplier.retentionMs), ...config });
    return this;
  }
}

class WindowStoreBuilder<K, OV> extends SegmentedStoreBuilder<WindowStore<K, OV>, K, OV> {
  constructor(
    private readonly windowSupplier: WindowBytesStoreSupplier,
    keySerde: Serde<K>,
    codec: ValueCodec<OV>,
    timestamped: boolean,
  ) {
    super(windowSupplier, keySerde, codec, { kind: 'window', timestamped });
  }

  build(env: StoreEnvironment): BuiltStore<WindowStore<K, OV>> {
    const { bottom, caching, top } = this.layers(env);
    const w = this.windowSupplier;
    return {
      bottom,
      caching,
      store: new MeteredWindowStore(top, bottom, this.keySerde, this.codec, env.context, env.changelogTopic, w.retentionMs, w.windowSizeMs, w.retainDuplicates),
    };
  }
}

class SessionStoreBuilder<K, OV> extends SegmentedStoreBuilder<SessionStore<K, OV>, K, OV> {
  constructor(sessionSupplier: SessionBytesStoreSupplier, keySerde: Serde<K>, codec: ValueCodec<OV>, timestamped: boolean) {
    super(sessionSupplier, keySerde, codec, { kind: 'session', timestamped });
  }

  build(env: StoreEnvironment): BuiltStore<SessionStore<K, OV>> {
    const { bottom, caching, top } = this.layers(env);
    return {
      bottom,
      caching,
      store: new MeteredSessionStore(top, bottom, this.keySerde, this.codec, env.context, env.changelogTopic, this.segmentedSupplier.retentionMs),
    };
  }
}

/** A windowed changelog is compacted and also deleted after the store's retention and a day. */
function windowChangelogConfig(retentionMs: number): Record<string, string> {
  return { 'cleanup.policy': 'compact,delete', 'retention.ms': String(retentionMs + CHANGELOG_ADDITIONAL_RETENTION_MS) };
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
    return new KeyValueStoreBuilder(supplier, keySerde, plainValues(valueSerde), false);
  },
  timestampedKeyValueStoreBuilder<K, V>(
    supplier: KeyValueBytesStoreSupplier,
    keySerde: Serde<K>,
    valueSerde: Serde<V>,
  ): StoreBuilder<TimestampedKeyValueStore<K, V>> {
    return new KeyValueStoreBuilder(supplier, keySerde, timestampedValues(valueSerde), true);
  },
  /** A LevelDB window store keeping windows for `retentionMs` behind stream time. */
  persistentWindowStore(name: string, retentionMs: number, windowSizeMs: number, retainDuplicates = false): WindowBytesStoreSupplier {
    checkStoreName(name);
    checkDuration('retention', retentionMs);
    checkDuration('window size', windowSizeMs);
    if (retentionMs < windowSizeMs)
      throw new TopologyError(`window store ${name}: the retention (${retentionMs} ms) must be at least the window size (${windowSizeMs} ms)`);
    return { name, persistent: true, retentionMs, windowSizeMs, retainDuplicates };
  },
  /** Same bytes as `persistentWindowStore`: every Skein store keeps its values' timestamps. */
  persistentTimestampedWindowStore(name: string, retentionMs: number, windowSizeMs: number, retainDuplicates = false): WindowBytesStoreSupplier {
    return Stores.persistentWindowStore(name, retentionMs, windowSizeMs, retainDuplicates);
  },
  inMemoryWindowStore(name: string, retentionMs: number, windowSizeMs: number, retainDuplicates = false): WindowBytesStoreSupplier {
    return { ...Stores.persistentWindowStore(name, retentionMs, windowSizeMs, retainDuplicates), persistent: false };
  },
  persistentSessionStore(name: string, retentionMs: number): SessionBytesStoreSupplier {
    checkStoreName(name);
    checkDuration('retention', retentionMs);
    return { name, persistent: true, retentionMs };
  },
  inMemorySessionStore(name: string, retentionMs: number): SessionBytesStoreSupplier {
    return { ...Stores.persistentSessionStore(name, retentionMs), persistent: false };
  },
  windowStoreBuilder<K, V>(supplier: WindowBytesStoreSupplier, keySerde: Serde<K>, valueSerde: Serde<V>): StoreBuilder<WindowStore<K, V>> {
    return new WindowStoreBuilder<K, V>(supplier, keySerde, plainValues(valueSerde), false);
  },
  timestampedWindowStoreBuilder<K, V>(
    supplier: WindowBytesStoreSupplier,
    keySerde: Serde<K>,
    valueSerde: Serde<V>,
  ): StoreBuilder<TimestampedWindowStore<K, V>> {
    return new WindowStoreBuilder<K, ValueAndTimestamp<V>>(supplier, keySerde, timestampedValues(valueSerde), true);
  },
  sessionStoreBuilder<K, V>(supplier: SessionBytesStoreSupplier, keySerde: Serde<K>, valueSerde: Serde<V>): StoreBuilder<SessionStore<K, V>> {
    return new SessionStoreBuilder<K, V>(supplier, keySerde, plainValues(valueSerde), false);
  },
  /** @internal The DSL's session stores, whose values keep the timestamp of the record that wrote them. */
  timestampedSessionStoreBuilder<K, V>(
    supplier: SessionBytesStoreSupplier,
    keySerde: Serde<K>,
    valueSerde: Serde<V>,
  ): StoreBuilder<SessionStore<K, ValueAndTimestamp<V>>> {
    return new SessionStoreBuilder<K, ValueAndTimestamp<V>>(supplier, keySerde, timestampedValues(valueSerde), true);
  },
};
