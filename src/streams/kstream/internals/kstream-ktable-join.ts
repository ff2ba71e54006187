/**
 * Stream-table and stream-global-table joins (Kafka Streams' `KStreamKTableJoinProcessor`): each
 * stream record looks the table up — by its own key, or by the key a selector takes from it for a
 * global table — and joins the table's current value. An inner join drops the record when the
 * table has no row; a left join joins it with null. Table updates emit nothing.
 *
 * Records without a value are dropped, and so are records without a key (or whose selector gives
 * none), except that a left join still joins a keyless record that has a value, with null, as
 * Kafka Streams does since 3.7.
 */
import type { Processor, ProcessorContext } from '../../processor/processor.js';
import type { ProcessorContextImpl } from '../../processor/internals/processor-context-impl.js';
import type { StreamRecord } from '../../processor/stream-record.js';
import type { ValueJoiner } from '../joined.js';
import type { KTableValueGetter, KTableValueGetterSupplier } from './ktable-value-getter.js';

export class KStreamKTableJoinProcessor<K, V, KT, VT, VR> implements Processor<K, V, K, VR> {
  private context!: ProcessorContextImpl;
  private getter!: KTableValueGetter<KT, VT>;

  constructor(
    private readonly table: KTableValueGetterSupplier<KT, VT>,
    /** Null: the table is looked up by the record's key. */
    private readonly keySelector: ((key: K, value: V) => KT) | null,
    private readonly joiner: ValueJoiner<V, VT | null, VR, K>,
    private readonly leftJoin: boolean,
  ) {}

  init(context: ProcessorContext<K, VR>): void {
    this.context = context as unknown as ProcessorContextImpl;
    this.getter = this.table.get();
    this.getter.init(context as ProcessorContext<unknown, unknown>);
  }

  process(record: StreamRecord<K, V>): void {
    const { key, value } = record;
    const keyless = key === null || key === undefined;
    const valueless = value === null || value === undefined;
    const tableKey = this.keySelector === null ? (key as unknown as KT) : this.keySelector(key, value);
    const noTableKey = tableKey === null || tableKey === undefined;
    if (!(this.leftJoin && keyless && !valueless) && (noTableKey || valueless)) {
      this.context.recordDropped('skipping a record with a null join key or value');
      return;
    }
    const row = noTableKey ? null : this.getter.get(tableKey);
    if (row === null && !this.leftJoin) return;
    this.context.forward({ key, value: this.joiner(value, row === null ? null : row.value, key), timestamp: record.timestamp, headers: record.headers });
  }
}
