/**
 * The byte-level store interface every layer below the metered one implements.
 *
 * Keys are *binary strings*: the serialized key's bytes as a latin1 string, one char per byte. They
 * are Map keys as they are, and compare with `<` in the same order as the bytes do, which is the
 * order LevelDB keeps — so the buffers, caches and LevelDB agree on order without conversions.
 */
export interface StoredValue {
  readonly value: Buffer;
  /** The timestamp of the record that wrote it (-1 when written outside a record, e.g. in a test). */
  readonly timestamp: number;
}

export type BytesKey = string;

/** Bounds of a scan, in abstract-level's words; absent bounds are open. */
export interface KeyRange {
  gte?: BytesKey;
  lte?: BytesKey;
  lt?: BytesKey;
}

export function inRange(key: BytesKey, r: KeyRange): boolean {
  return (r.gte === undefined || key >= r.gte) && (r.lte === undefined || key <= r.lte) && (r.lt === undefined || key < r.lt);
}

export interface KeyValueBytesStore {
  readonly name: string;
  readonly persistent: boolean;
  get(key: BytesKey): StoredValue | undefined;
  /** `null` deletes. */
  put(key: BytesKey, value: StoredValue | null): void;
  /** Entries within the bounds, in key order or reversed. */
  range(bounds: KeyRange, reverse: boolean): AsyncIterableIterator<[BytesKey, StoredValue]>;
  approximateNumEntries(): Promise<number>;
}

export function toBytesKey(bytes: Buffer): BytesKey {
  return bytes.toString('latin1');
}

export function fromBytesKey(key: BytesKey): Buffer {
  return Buffer.from(key, 'latin1');
}

/** The smallest key greater than every key starting with `prefix`, or undefined if there is none. */
export function prefixUpperBound(prefix: BytesKey): BytesKey | undefined {
  let end = prefix.length;
  while (end > 0 && prefix.charCodeAt(end - 1) === 0xff) end--;
  if (end === 0) return undefined;
  return prefix.slice(0, end - 1) + String.fromCharCode(prefix.charCodeAt(end - 1) + 1);
}

/** The size a cache counts for an entry: key and value bytes plus a fixed overhead, as Kafka Streams' LRUCacheEntry. */
export function entrySize(key: BytesKey, value: StoredValue | null): number {
  return key.length + (value === null ? 0 : value.value.length) + 48;
}
