/**
 * The KTable operations (Kafka Streams' `KTableSource`, `KTableFilter`, `KTableMapValues`,
 * `KTableToStream`, `KTableRepartitionMap`). Between table nodes a record's value is a `Change`:
 * the new value and the old one, so a downstream aggregation can take the old one back out.
 */
import type { Processor, ProcessorContext } from '../../processor/processor.js';
import type { StreamRecord } from '../../processor/stream-record.js';
import type { ValueAndTimestamp } from '../../state/key-value-store.js';
import type { MeteredKeyValueStore } from '../../state/internals/metered-key-value-store.js';
import { toKeyValue } from '../internal-streams-builder.js';
import type { KeyValuePair } from '../options.js';
import type { Change } from './change.js';
import { TimestampedTupleForwarder } from './timestamped-tuple-forwarder.js';

type TableStore<K, V> = MeteredKeyValueStore<K, ValueAndTimestamp<V>>;

/**
 * Materializes a topic (or a stream, `toTable`) as a table: each record is the key's new value, a
 * null value deletes it. Records with a null key are skipped.
 */
export class KTableSource<K, V> implements Processor<K, V, K, Change<V>> {
  private store!: TableStore<K, V>;
  private forwarder!: TimestampedTupleForwarder<K, V>;

  constructor(private readonly storeName: string) {}

  init(context: ProcessorContext<K, Change<V>>): void {
    this.store = context.getStateStore(this.storeName);
    this.forwarder = new TimestampedTupleForwarder(this.store, context);
  }

  process(record: StreamRecord<K, V>): void {
    if (record.key === null || record.key === undefined) return;
    const old = this.store.get(record.key);
    const value = record.value ?? null;
    if (value === null && old === undefined) return;
    this.store.put(record.key, value === null ? null : { value, timestamp: record.timestamp });
    this.forwarder.maybeForward({
      key: record.key,
      value: { newValue: value, oldValue: old?.value ?? null },
      timestamp: record.timestamp,
      headers: record.headers,
    });
  }
}

/** A value transformation of a table: applied to the new and the old value; optionally materialized. */
abstract class KTableTransform<K, V, VR> implements Processor<K, Change<V>, K, Change<VR>> {
  private context!: ProcessorContext<K, Change<VR>>;
  private store: TableStore<K, VR> | null = null;
  private forwarder: TimestampedTupleForwarder<K, VR> | null = null;

  constructor(private readonly storeName: string | null) {}

  init(context: ProcessorContext<K, Change<VR>>): void {
    this.context = context;
    if (this.storeName !== null) {
      const store = context.getStateStore<TableStore<K, VR>>(this.storeName);
      this.store = store;
      this.forwarder = new TimestampedTupleForwarder(store, context);
    }
  }

  protected abstract apply(key: K, value: V | null): VR | null;

  process(record: StreamRecord<K, Change<V>>): void {
    const newValue = this.apply(record.key, record.value.newValue);
    const oldValue = this.store !== null ? (this.store.get(record.key)?.value ?? null) : this.apply(record.key, record.value.oldValue);
    if (newValue === null && oldValue === null) return;
    const out = { key: record.key, value: { newValue, oldValue }, timestamp: record.timestamp, headers: record.headers };
    if (this.store !== null) {
      this.store.put(record.key, newValue === null ? null : { value: newValue, timestamp: record.timestamp });
      (this.forwarder as TimestampedTupleForwarder<K, VR>).maybeForward(out);
    } else {
      this.context.forward(out);
    }
  }
}

export class KTableFilter<K, V> extends KTableTransform<K, V, V> {
  constructor(
    private readonly predicate: (key: K, value: V) => boolean,
    private readonly filterNot: boolean,
    storeName: string | null,
  ) {
    super(storeName);
  }

  protected apply(key: K, value: V | null): V | null {
    if (value === null) return null;
    return this.filterNot !== Boolean(this.predicate(key, value)) ? value : null;
  }
}

export class KTableMapValues<K, V, VR> extends KTableTransform<K, V, VR> {
  constructor(
    private readonly mapper: (value: V, key: K) => VR,
    storeName: string | null,
  ) {
    super(storeName);
  }

  protected apply(key: K, value: V | null): VR | null {
    return value === null ? null : this.mapper(value, key);
  }
}

/** The table's changes as a stream of new values (a deletion is a record with a null value). */
export class KTableToStream<K, V> implements Processor<K, Change<V>, K, V | null> {
  private context!: ProcessorContext<K, V | null>;

  init(context: ProcessorContext<K, V | null>): void {
    this.context = context;
  }

  process(record: StreamRecord<K, Change<V>>): void {
    this.context.forward({ key: record.key, value: record.value.newValue, timestamp: record.timestamp, headers: record.headers });
  }
}

/**
 * `KTable.groupBy`: re-keys each change. When the old and the new row fall in the same group, one
 * record carries both, so the aggregation subtracts and adds in one step and sends one update
 * (Kafka Streams' KIP-904); otherwise the old value goes out (to be subtracted) before the new one
 * (to be added), as separate records, because they belong to different groups. A selected key or
 * value that is null is skipped, as in Kafka Streams.
 */
export class KTableRepartitionMap<K, V, KR, VR> implements Processor<K, Change<V>, KR, Change<VR>> {
  private context!: ProcessorContext<KR, Change<VR>>;

  constructor(private readonly selector: (key: K, value: V) => KeyValuePair<KR, VR>) {}

  init(context: ProcessorContext<KR, Change<VR>>): void {
    this.context = context;
  }

  private select(key: K, value: V | null): { key: KR; value: VR } | null {
    if (value === null) return null;
    const kv = toKeyValue(this.selector(key, value), 'KTable.groupBy()');
    return kv.key === null || kv.key === undefined || kv.value === null || kv.value === undefined ? null : kv;
  }

  process(record: StreamRecord<K, Change<V>>): void {
    const oldPair = this.select(record.key, record.value.oldValue);
    const newPair = this.select(record.key, record.value.newValue);
    const { timestamp, headers } = record;
    if (oldPair !== null && newPair !== null && sameKey(oldPair.key, newPair.key)) {
      this.context.forward({ key: newPair.key, value: { newValue: newPair.value, oldValue: oldPair.value }, timestamp, headers });
      return;
    }
    if (oldPair !== null) this.context.forward({ key: oldPair.key, value: { newValue: null, oldValue: oldPair.value }, timestamp, headers });
    if (newPair !== null) this.context.forward({ key: newPair.key, value: { newValue: newPair.value, oldValue: null }, timestamp, headers });
  }
}

/** Key equality for grouping: primitives by value, Buffers by bytes; other objects only when identical (then they go as two records, which is still correct). */
function sameKey(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  return Buffer.isBuffer(a) && Buffer.isBuffer(b) && a.equals(b);
}

/**
 * `KGroupedTable.aggregate / reduce / count` (Kafka Streams' `KTableAggregate`, `KTableReduce`):
 * subtract the old value, add the new one.
 */
export class KTableAggregate<K, V, VA> implements Processor<K, Change<V>, K, Change<VA>> {
  private store!: TableStore<K, VA>;
  private forwarder!: TimestampedTupleForwarder<K, VA>;

  constructor(
    private readonly storeName: string,
    private readonly initializer: (() => VA) | null,
    private readonly adder: (key: K, value: V, aggregate: VA) => VA,
    private readonly subtractor: (key: K, value: V, aggregate: VA) => VA,
  ) {}

  init(context: ProcessorContext<K, Change<VA>>): void {
    this.store = context.getStateStore(this.storeName);
    this.forwarder = new TimestampedTupleForwarder(this.store, context);
  }

  process(record: StreamRecord<K, Change<V>>): void {
    if (record.key === null || record.key === undefined) return;
    const old = this.store.get(record.key);
    const oldAgg = old === undefined ? null : old.value;
    const timestamp = old === undefined ? record.timestamp : Math.max(record.timestamp, old.timestamp);
    let agg: VA | null = oldAgg;
    const { newValue, oldValue } = record.value;
    if (oldValue !== null && agg !== null) agg = this.subtractor(record.key, oldValue, agg);
    if (newValue !== null) {
      if (agg === null) {
        // reduce: the first value is the aggregate; aggregate: start from the initializer.
        agg = this.initializer === null ? (newValue as unknown as VA) : this.adder(record.key, newValue, this.initializer());
      } else {
        agg = this.adder(record.key, newValue, agg);
      }
    }
    this.store.put(record.key, agg === null ? null : { value: agg, timestamp });
    this.forwarder.maybeForward({ key: record.key, value: { newValue: agg, oldValue: oldAgg }, timestamp, headers: record.headers });
  }
}
