/**
 * `groupByKey().aggregate / count / reduce` (Kafka Streams' `KStreamAggregate`, `KStreamReduce`):
 * read the key's aggregate, apply the record, write it back, forward the change. Records with a null
 * key or value are skipped, as in Kafka Streams.
 */
import type { Processor, ProcessorContext } from '../../processor/processor.js';
import type { StreamRecord } from '../../processor/stream-record.js';
import type { ValueAndTimestamp } from '../../state/key-value-store.js';
import type { MeteredKeyValueStore } from '../../state/internals/metered-key-value-store.js';
import type { Change } from './change.js';
import { TimestampedTupleForwarder } from './timestamped-tuple-forwarder.js';

type TableStore<K, V> = MeteredKeyValueStore<K, ValueAndTimestamp<V>>;

export class KStreamAggregate<K, V, VA> implements Processor<K, V, K, Change<VA>> {
  private store!: TableStore<K, VA>;
  private forwarder!: TimestampedTupleForwarder<K, VA>;

  constructor(
    private readonly storeName: string,
    private readonly initializer: () => VA,
    private readonly aggregator: (key: K, value: V, aggregate: VA) => VA,
  ) {}

  init(context: ProcessorContext<K, Change<VA>>): void {
    this.store = context.getStateStore(this.storeName);
    this.forwarder = new TimestampedTupleForwarder(this.store, context);
  }

  process(record: StreamRecord<K, V>): void {
    if (record.key === null || record.key === undefined || record.value === null || record.value === undefined) return;
    const old = this.store.get(record.key);
    const oldAgg = old === undefined ? null : old.value;
    const timestamp = old === undefined ? record.timestamp : Math.max(record.timestamp, old.timestamp);
    const newAgg = this.aggregator(record.key, record.value, oldAgg === null ? this.initializer() : oldAgg);
    this.store.put(record.key, { value: newAgg, timestamp });
    this.forwarder.maybeForward({ key: record.key, value: { newValue: newAgg, oldValue: oldAgg }, timestamp, headers: record.headers });
  }
}

export class KStreamReduce<K, V> implements Processor<K, V, K, Change<V>> {
  private store!: TableStore<K, V>;
  private forwarder!: TimestampedTupleForwarder<K, V>;

  constructor(
    private readonly storeName: string,
    private readonly reducer: (aggregate: V, value: V) => V,
  ) {}

  init(context: ProcessorContext<K, Change<V>>): void {
    this.store = context.getStateStore(this.storeName);
    this.forwarder = new TimestampedTupleForwarder(this.store, context);
  }

  process(record: StreamRecord<K, V>): void {
    if (record.key === null || record.key === undefined || record.value === null || record.value === undefined) return;
    const old = this.store.get(record.key);
    const oldAgg = old === undefined ? null : old.value;
    const timestamp = old === undefined ? record.timestamp : Math.max(record.timestamp, old.timestamp);
    const newAgg = oldAgg === null ? record.value : this.reducer(oldAgg, record.value);
    this.store.put(record.key, { value: newAgg, timestamp });
    this.forwarder.maybeForward({ key: record.key, value: { newValue: newAgg, oldValue: oldAgg }, timestamp, headers: record.headers });
  }
}
