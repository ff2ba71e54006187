/**
 * Windowed aggregations over TimeWindows (Kafka Streams' `KStreamWindowAggregate`): a record updates
 * every window that contains its timestamp and is not closed yet — a window closes at its end plus
 * the grace period, in stream time. A record for closed windows only is dropped (counted and logged).
 */
import type { Processor, ProcessorContext } from '../../processor/processor.js';
import type { ProcessorContextImpl } from '../../processor/internals/processor-context-impl.js';
import type { StreamRecord } from '../../processor/stream-record.js';
import type { ValueAndTimestamp } from '../../state/key-value-store.js';
import type { MeteredWindowStore } from '../../state/internals/metered-window-store.js';
import type { Windowed } from '../../state/window-store.js';
import type { TimeWindows } from '../windows/time-windows.js';
import type { Change } from './change.js';
import { TimestampedTupleForwarder } from './timestamped-tuple-forwarder.js';

export class KStreamWindowAggregate<K, V, VA> implements Processor<K, V, Windowed<K>, Change<VA>> {
  private context!: ProcessorContextImpl;
  private store!: MeteredWindowStore<K, ValueAndTimestamp<VA>>;
  private forwarder!: TimestampedTupleForwarder<Windowed<K>, VA>;

  constructor(
    private readonly storeName: string,
    private readonly windows: TimeWindows,
    private readonly initializer: () => VA,
    private readonly aggregator: (key: K, value: V, aggregate: VA) => VA,
  ) {}

  init(context: ProcessorContext<Windowed<K>, Change<VA>>): void {
    this.context = context as unknown as ProcessorContextImpl;
    this.store = context.getStateStore(this.storeName);
    this.forwarder = new TimestampedTupleForwarder<Windowed<K>, VA>(this.store as never, context);
  }

  process(record: StreamRecord<K, V>): void {
    if (record.key === null || record.key === undefined) {
      this.context.recordDropped('skipping a record with a null key');
      return;
    }
    const closeTime = this.context.currentStreamTimeMs() - this.windows.graceMs;
    for (const w of this.windows.windowsFor(record.timestamp)) {
      if (w.end <= closeTime) {
        this.context.recordDropped(
          `skipping a record for the expired window [${w.start},${w.end}) (record time ${record.timestamp}, windows closed up to ${closeTime})`,
        );
        continue;
      }
      const old = this.store.fetch(record.key, w.start);
      const oldAgg = old === undefined ? null : old.value;
      const timestamp = old === undefined ? record.timestamp : Math.max(record.timestamp, old.timestamp);
      const newAgg = this.aggregator(record.key, record.value, oldAgg === null ? this.initializer() : oldAgg);
      this.store.put(record.key, { value: newAgg, timestamp }, w.start);
      this.forwarder.maybeForward({ key: { key: record.key, window: w }, value: { newValue: newAgg, oldValue: oldAgg }, timestamp, headers: record.headers });
    }
  }
}
