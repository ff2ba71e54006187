/**
 * The top layer (Kafka Streams' `MeteredKeyValueStore`): typed keys and values in, bytes out, through
 * the store's serdes; counts operations. Two faces over the same bytes: a plain `KeyValueStore<K, V>`
 * and a `TimestampedKeyValueStore<K, V>` whose values carry the writing record's timestamp (the
 * DSL's stores).
 */
import type { Serde } from '../../../serdes/serde.js';
import { StateStoreError } from '../../errors.js';
import type { KeyValue } from '../../processor/stream-record.js';
import type { KeyValueIterator, KeyValueStore, ValueAndTimestamp } from '../key-value-store.js';
import { type BytesKey, type KeyRange, type KeyValueBytesStore, type StoredValue, fromBytesKey, prefixUpperBound, toBytesKey } from './bytes-store.js';
import { CachingKeyValueBytesStore } from './caching-key-value-store.js';
import type { StoreContext } from './store-context.js';

/** Kafka Streams' flush listener: a cached store's flushed entries, typed. */
export type FlushListener<K, V> = (key: K, newValue: V | null, oldValue: V | null, timestamp: number) => void;

export interface StoreMetrics {
  gets: number;
  puts: number;
  deletes: number;
  scans: number;
}

/** Turns the outer value type into stored bytes and back: plain values, or values with timestamps. */
export interface ValueCodec<OV> {
  readonly timestamped: boolean;
  toStored(value: OV, context: StoreContext, topic: string): StoredValue;
  fromStored(stored: StoredValue, topic: string): OV;
}

export class MeteredKeyValueStore<K, OV> implements KeyValueStore<K, OV> {
  readonly metrics: StoreMetrics = { gets: 0, puts: 0, deletes: 0, scans: 0 };
  /** The topic name the serdes are given: the changelog's, as in Kafka Streams. */
  private readonly serdeTopic: string;

  constructor(
    readonly inner: KeyValueBytesStore,
    private readonly keySerde: Serde<K>,
    private readonly codec: ValueCodec<OV>,
    private readonly context: StoreContext,
    changelogTopic: string | null,
  ) {
    this.serdeTopic = changelogTopic ?? inner.name;
  }

  get name(): string {
    return this.inner.name;
  }

  get persistent(): boolean {
    return this.inner.persistent;
  }

  /** Whether values carry the timestamp of the record that wrote them (a `TimestampedKeyValueStore`). */
  get timestamped(): boolean {
    return this.codec.timestamped;
  }

  /** Whether writes are cached (then the flush listener, not the writer, forwards them). */
  get cachingEnabled(): boolean {
    return this.inner instanceof CachingKeyValueBytesStore;
  }

  /**
   * Sets what a cached store calls when it flushes an entry; returns false (and sets nothing) when
   * the store is not cached, so the caller forwards its writes itself.
   */
  setFlushListener(listener: FlushListener<K, OV>): boolean {
    if (!(this.inner instanceof CachingKeyValueBytesStore)) return false;
    this.inner.setFlushListener((key, newValue, oldValue) => {
      const timestamp = newValue?.timestamp ?? this.context.recordContext().timestamp;
      listener(
        this.keySerde.deserialize(this.serdeTopic, fromBytesKey(key)) as K,
        newValue === null ? null : this.codec.fromStored(newValue, this.serdeTopic),
        oldValue === null ? null : this.codec.fromStored(oldValue, this.serdeTopic),
        timestamp,
      );
    });
    return true;
  }

  private keyOf(key: K): BytesKey {
    return storeKey(this.name, this.keySerde, this.serdeTopic, key);
  }

  get(key: K): OV | undefined {
    this.metrics.gets++;
    const v = this.inner.get(this.keyOf(key));
    return v === undefined ? undefined : this.codec.fromStored(v, this.serdeTopic);
  }

  put(key: K, value: OV | null): void {
    const k = this.keyOf(key);
    if (value === null || value === undefined) {
      this.metrics.deletes++;
      this.inner.put(k, null);
      return;
    }
    this.metrics.puts++;
    this.inner.put(k, this.codec.toStored(value, this.context, this.serdeTopic));
  }

  putIfAbsent(key: K, value: OV): OV | undefined {
    const old = this.get(key);
    if (old === undefined) this.put(key, value);
    return old;
  }

  putAll(entries: readonly KeyValue<K, OV>[]): void {
    for (const { key, value } of entries) this.put(key, value);
  }

  delete(key: K): OV | undefined {
    const old = this.get(key);
    this.put(key, null);
    return old;
  }

  range(from?: K | null, to?: K | null): KeyValueIterator<K, OV> {
    return this.scan(this.bounds(from, to), false);
  }

  reverseRange(from?: K | null, to?: K | null): KeyValueIterator<K, OV> {
    return this.scan(this.bounds(from, to), true);
  }

  all(): KeyValueIterator<K, OV> {
    return this.scan({}, false);
  }

  reverseAll(): KeyValueIterator<K, OV> {
    return this.scan({}, true);
  }

  prefixScan<P>(prefix: P, prefixKeySerde: Serde<P>): KeyValueIterator<K, OV> {
    const bytes = prefixKeySerde.serialize(this.serdeTopic, prefix);
    if (bytes === null) throw new StateStoreError(`Store ${this.name}: prefixScan's prefix serialized to null`);
    const gte = toBytesKey(bytes);
    const lt = prefixUpperBound(gte);
    return this.scan(lt === undefined ? { gte } : { gte, lt }, false);
  }

  approximateNumEntries(): Promise<number> {
    return this.inner.approximateNumEntries();
  }

  private bounds(from: K | null | undefined, to: K | null | undefined): KeyRange {
    const r: KeyRange = {};
    if (from !== null && from !== undefined) r.gte = this.keyOf(from);
    if (to !== null && to !== undefined) r.lte = this.keyOf(to);
    return r;
  }

  private scan(bounds: KeyRange, reverse: boolean): KeyValueIterator<K, OV> {
    this.metrics.scans++;
    const source = this.inner.range(bounds, reverse);
    const keySerde = this.keySerde;
    const codec = this.codec;
    const topic = this.serdeTopic;
    const it: KeyValueIterator<K, OV> = {
      async next(): Promise<IteratorResult<KeyValue<K, OV>>> {
        const r = await source.next();
        if (r.done) return { done: true, value: undefined };
        const [k, v] = r.value;
        return { done: false, value: { key: keySerde.deserialize(topic, fromBytesKey(k)) as K, value: codec.fromStored(v, topic) } };
      },
      async return(): Promise<IteratorResult<KeyValue<K, OV>>> {
        await source.return?.(undefined);
        return { done: true, value: undefined };
      },
      async close(): Promise<void> {
        await source.return?.(undefined);
      },
      [Symbol.asyncIterator]() {
        return it;
      },
    };
    return it;
  }
}

/** Values as they are; a write takes the timestamp of the record being processed. */
export function plainValues<V>(serde: Serde<V>): ValueCodec<V> {
  return {
    timestamped: false,
    toStored(value, context, topic) {
      return { value: serializeValue(serde, topic, value), timestamp: context.recordContext().timestamp };
    },
    fromStored(stored, topic) {
      return serde.deserialize(topic, stored.value) as V;
    },
  };
}

/** Values with the timestamp they were written with. */
export function timestampedValues<V>(serde: Serde<V>): ValueCodec<ValueAndTimestamp<V>> {
  return {
    timestamped: true,
    toStored(vt, _context, topic) {
      return { value: serializeValue(serde, topic, vt.value), timestamp: vt.timestamp };
    },
    fromStored(stored, topic) {
      return { value: serde.deserialize(topic, stored.value) as V, timestamp: stored.timestamp };
    },
  };
}

function serializeValue<V>(serde: Serde<V>, topic: string, value: V): Buffer {
  const bytes = serde.serialize(topic, value);
  if (bytes === null) throw new StateStoreError(`The value serde ${serde.name} serialized a value to null; write null to delete instead`);
  return bytes;
}

/** A store key's bytes (as a binary string); a null key, or one its serde turns into null, is an error. */
export function storeKey<K>(store: string, serde: Serde<K>, topic: string, key: K): BytesKey {
  if (key === null || key === undefined) throw new StateStoreError(`Store ${store}: a key cannot be null`);
  const bytes = serde.serialize(topic, key);
  if (bytes === null) throw new StateStoreError(`Store ${store}: the key serde ${serde.name} serialized a key to null`);
  return toBytesKey(bytes);
}
