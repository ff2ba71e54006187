/**
 * Sends every write to the store's changelog topic (through the task's RecordCollector) as well as
 * to the store below, so the changelog can rebuild the store anywhere. Below the cache, it logs
 * only what the cache flushes — one record per key per commit at most.
 */
import type { BytesKey, KeyRange, KeyValueBytesStore, StoredValue } from './bytes-store.js';
import type { StoreContext } from './store-context.js';

export class ChangeLoggingKeyValueBytesStore implements KeyValueBytesStore {
  constructor(
    private readonly inner: KeyValueBytesStore,
    private readonly context: StoreContext,
  ) {}

  get name(): string {
    return this.inner.name;
  }

  get persistent(): boolean {
    return this.inner.persistent;
  }

  get(key: BytesKey): StoredValue | undefined {
    return this.inner.get(key);
  }

  put(key: BytesKey, value: StoredValue | null): void {
    this.inner.put(key, value);
    this.context.logChange(this.inner.name, key, value);
  }

  range(bounds: KeyRange, reverse: boolean): AsyncIterableIterator<[BytesKey, StoredValue]> {
    return this.inner.range(bounds, reverse);
  }

  approximateNumEntries(): Promise<number> {
    return this.inner.approximateNumEntries();
  }
}
