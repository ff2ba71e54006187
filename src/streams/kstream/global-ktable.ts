/**
 * GlobalKTable: a table with a full copy of its topic — every partition — in every instance, kept up
 * to date outside the tasks and readable from any of them; restored before processing starts. Joins
 * look values up in it by a key taken from the stream record (no co-partitioning needed).
 */
import type { Serde } from '../../serdes/serde.js';

export class GlobalKTable<K, V> {
  /** @internal */
  constructor(
    /** @internal */ readonly storeName: string,
    /** @internal */ readonly keySerde: Serde<K> | undefined,
    /** @internal */ readonly valueSerde: Serde<V> | undefined,
  ) {}

  /** The store that holds the table (`driver.getKeyValueStore(name)`, `streams.store(name)`). */
  queryableStoreName(): string {
    return this.storeName;
  }
}
