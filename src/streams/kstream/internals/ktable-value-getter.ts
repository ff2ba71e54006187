/**
 * Looking a table's current value up by key (Kafka Streams' `KTableValueGetterSupplier` and
 * `KTableValueGetter`). Joins use them: a stream record looks the table up, a table update looks the
 * other table up.
 *
 * A materialized table is read from its store. A table that is not materialized — a `filter` or
 * `mapValues` without a store of its own, an unmaterialized table-table join — is read through its
 * parent's getter with its own transformation applied, so the lookup gives the same value the table
 * would hold. The supplier names the stores the getter reads: a processor that uses the getter must
 * be connected to them (which also puts it in the same sub-topology as the table).
 */
import { TopologyError } from '../../errors.js';
import type { ProcessorContext } from '../../processor/processor.js';
import type { ValueAndTimestamp } from '../../state/key-value-store.js';
import type { StateStore } from '../../state/state-store.js';
import type { Windowed } from '../../state/window-store.js';
import { MeteredSessionStore, MeteredWindowStore } from '../../state/internals/metered-window-store.js';

export interface KTableValueGetter<K, V> {
  init(context: ProcessorContext<unknown, unknown>): void;
  /** The key's value and the timestamp of the update that made it; null when the table has no row for the key. */
  get(key: K): ValueAndTimestamp<V> | null;
}

export interface KTableValueGetterSupplier<K, V> {
  get(): KTableValueGetter<K, V>;
  /** The stores a getter reads (to connect to the processor using it). */
  storeNames(): readonly string[];
}

interface TimestampedKeyValueLookup<K, V> {
  get(key: K): ValueAndTimestamp<V> | undefined;
}

/**
 * Reads a table's own store. A windowed table (a windowed aggregation) is keyed by `Windowed<K>` and
 * read from its window or session store.
 */
export function materializedValueGetter<K, V>(storeName: string): KTableValueGetterSupplier<K, V> {
  return {
    storeNames: () => [storeName],
    get: () => {
      let lookup: (key: K) => ValueAndTimestamp<V> | undefined = () => undefined;
      return {
        init(context) {
          const store = context.getStateStore<StateStore>(storeName);
          if (store instanceof MeteredWindowStore) {
            const s = store as MeteredWindowStore<unknown, ValueAndTimestamp<V>>;
            lookup = (key) => {
              const w = key as unknown as Windowed<unknown>;
              return s.fetch(w.key, w.window.start);
            };
          } else if (store instanceof MeteredSessionStore) {
            const s = store as MeteredSessionStore<unknown, ValueAndTimestamp<V>>;
            lookup = (key) => {
              const w = key as unknown as Windowed<unknown>;
              return s.fetchSession(w.key, w.window.start, w.window.end);
            };
          } else {
            const s = store as unknown as TimestampedKeyValueLookup<K, V>;
            lookup = (key) => s.get(key);
          }
        },
        get(key) {
          if (key === null || key === undefined) return null;
          return lookup(key) ?? null;
        },
      };
    },
  };
}

/** A table that can be looked up in no way: refused when a join asks for it. */
export function noValueGetter<K, V>(what: string): KTableValueGetterSupplier<K, V> {
  const fail = (): never => {
    throw new TopologyError(`${what} cannot be looked up by a join: materialize it (give it a storeName) first`);
  };
  return { get: fail, storeNames: fail };
}

/** An unmaterialized `filter` / `filterNot`: the parent's value if it passes, else no row. */
export function filterValueGetter<K, V>(
  parent: KTableValueGetterSupplier<K, V>,
  predicate: (key: K, value: V) => boolean,
  filterNot: boolean,
): KTableValueGetterSupplier<K, V> {
  return {
    storeNames: () => parent.storeNames(),
    get: () => {
      const inner = parent.get();
      return {
        init: (context) => inner.init(context),
        get(key) {
          const vt = inner.get(key);
          if (vt === null) return null;
          return filterNot !== Boolean(predicate(key, vt.value)) ? vt : null;
        },
      };
    },
  };
}

/** An unmaterialized `mapValues`: the parent's value mapped, with the parent's timestamp. */
export function mapValuesValueGetter<K, V, VR>(parent: KTableValueGetterSupplier<K, V>, mapper: (value: V, key: K) => VR): KTableValueGetterSupplier<K, VR> {
  return {
    storeNames: () => parent.storeNames(),
    get: () => {
      const inner = parent.get();
      return {
        init: (context) => inner.init(context),
        get(key) {
          const vt = inner.get(key);
          if (vt === null) return null;
          const value = mapper(vt.value, key);
          return value === null || value === undefined ? null : { value, timestamp: vt.timestamp };
        },
      };
    },
  };
}
