/**
 * Table-table joins (Kafka Streams' `KTableKTableInnerJoin`, `KTableKTableLeftJoin`,
 * `KTableKTableRightJoin`, `KTableKTableOuterJoin` and `KTableKTableJoinMerger`). Each side has a
 * processor: an update of its table looks the other table up and sends the join's new and old row
 * as a `Change`; both feed a merge node that keeps the result table's store, if it has one.
 *
 * The joined row of a key is `joiner(left, right)` when the join type says there is one — inner:
 * both sides have a row; left: the left side has one; outer: either has — and there is none
 * otherwise. An update is sent on when the key has a joined row before or after it; its timestamp
 * is the larger of the update's and the other side's row's. A deletion (null value) that removes the
 * joined row is sent as a null new value, so the result's `toStream()` shows a tombstone.
 */
import type { Processor, ProcessorContext } from '../../processor/processor.js';
import type { ProcessorContextImpl } from '../../processor/internals/processor-context-impl.js';
import type { StreamRecord } from '../../processor/stream-record.js';
import type { ValueAndTimestamp } from '../../state/key-value-store.js';
import type { MeteredKeyValueStore } from '../../state/internals/metered-key-value-store.js';
import type { ValueJoiner } from '../joined.js';
import type { Change } from './change.js';
import type { KTableValueGetter, KTableValueGetterSupplier } from './ktable-value-getter.js';
import { TimestampedTupleForwarder } from './timestamped-tuple-forwarder.js';

/**
 * Which rows one side's processor joins. `right` is the right side of a left join: its updates
 * matter only where the left side has a row.
 */
export type TableJoinSide = 'inner' | 'left' | 'right' | 'outer';

export class KTableKTableJoinProcessor<K, V, VO, VR> implements Processor<K, Change<V>, K, Change<VR>> {
  private context!: ProcessorContextImpl;
  private other!: KTableValueGetter<K, VO>;

  constructor(
    private readonly otherTable: KTableValueGetterSupplier<K, VO>,
    /** Oriented to this side: `(thisValue, otherValue, key)`. */
    private readonly join: ValueJoiner<V | null, VO | null, VR, K>,
    private readonly side: TableJoinSide,
  ) {}

  init(context: ProcessorContext<K, Change<VR>>): void {
    this.context = context as unknown as ProcessorContextImpl;
    this.other = this.otherTable.get();
    this.other.init(context as ProcessorContext<unknown, unknown>);
  }

  process(record: StreamRecord<K, Change<V>>): void {
    const key = record.key;
    if (key === null || key === undefined) {
      this.context.recordDropped('skipping a table update with a null key');
      return;
    }
    const { newValue, oldValue } = record.value;
    const otherRow = this.other.get(key);
    const other = otherRow === null ? null : otherRow.value;
    let joinedNew: VR | null = null;
    let joinedOld: VR | null = null;
    switch (this.side) {
      case 'inner':
        if (other === null) return;
        if (newValue !== null) joinedNew = this.join(newValue, other, key);
        if (oldValue !== null) joinedOld = this.join(oldValue, other, key);
        break;
      case 'left':
        if (other === null && newValue === null && oldValue === null) return;
        if (newValue !== null) joinedNew = this.join(newValue, other, key);
        if (oldValue !== null) joinedOld = this.join(oldValue, other, key);
        break;
      case 'right':
        // The other side is the left one: there is a joined row exactly when it has a row.
        if (other === null) return;
        joinedNew = this.join(newValue, other, key);
        joinedOld = this.join(oldValue, other, key);
        break;
      case 'outer':
        if (other === null && newValue === null && oldValue === null) return;
        if (other !== null || newValue !== null) joinedNew = this.join(newValue, other, key);
        if (other !== null || oldValue !== null) joinedOld = this.join(oldValue, other, key);
        break;
    }
    const timestamp = otherRow === null ? record.timestamp : Math.max(record.timestamp, otherRow.timestamp);
    this.context.forward({ key, value: { newValue: joinedNew, oldValue: joinedOld }, timestamp, headers: record.headers });
  }
}

/** The result table, looked up without a store of its own: both tables looked up and joined. */
export function tableJoinValueGetter<K, V, VO, VR>(
  left: KTableValueGetterSupplier<K, V>,
  right: KTableValueGetterSupplier<K, VO>,
  joiner: ValueJoiner<V | null, VO | null, VR, K>,
  type: 'inner' | 'left' | 'outer',
): KTableValueGetterSupplier<K, VR> {
  return {
    storeNames: () => [...new Set([...left.storeNames(), ...right.storeNames()])],
    get: () => {
      const l = left.get();
      const r = right.get();
      return {
        init(context) {
          l.init(context);
          r.init(context);
        },
        get(key): ValueAndTimestamp<VR> | null {
          const lv = l.get(key);
          if (lv === null && type !== 'outer') return null;
          const rv = r.get(key);
          if (rv === null && (type === 'inner' || lv === null)) return null;
          return {
            value: joiner(lv === null ? null : lv.value, rv === null ? null : rv.value, key),
            timestamp: Math.max(lv?.timestamp ?? -1, rv?.timestamp ?? -1),
          };
        },
      };
    },
  };
}

type TableStore<K, V> = MeteredKeyValueStore<K, ValueAndTimestamp<V>>;

/**
 * Where both sides' results meet (Kafka Streams' `KTableKTableJoinMerger`): passes them on, and
 * keeps them in the result's store when the join is materialized.
 */
export class KTableKTableJoinMerger<K, VR> implements Processor<K, Change<VR>, K, Change<VR>> {
  private context!: ProcessorContext<K, Change<VR>>;
  private store: TableStore<K, VR> | null = null;
  private forwarder: TimestampedTupleForwarder<K, VR> | null = null;

  constructor(private readonly storeName: string | null) {}

  init(context: ProcessorContext<K, Change<VR>>): void {
    this.context = context;
    if (this.storeName !== null) {
      this.store = context.getStateStore<TableStore<K, VR>>(this.storeName);
      this.forwarder = new TimestampedTupleForwarder(this.store, context);
    }
  }

  process(record: StreamRecord<K, Change<VR>>): void {
    if (this.store === null) {
      this.context.forward(record);
      return;
    }
    const newValue = record.value.newValue;
    this.store.put(record.key, newValue === null ? null : { value: newValue, timestamp: record.timestamp });
    (this.forwarder as TimestampedTupleForwarder<K, VR>).maybeForward(record);
  }
}
