/**
 * How a processor that writes a table's store forwards the update (Kafka Streams'
 * `TimestampedTupleForwarder`): if the store is cached, the cache forwards it when it flushes (once
 * per key per commit); otherwise the processor forwards it at once.
 */
import type { ProcessorContext } from '../../processor/processor.js';
import type { ProcessorContextImpl } from '../../processor/internals/processor-context-impl.js';
import type { StreamRecord } from '../../processor/stream-record.js';
import type { ValueAndTimestamp } from '../../state/key-value-store.js';
import type { Change } from './change.js';

/** A store whose cache can report flushed entries: key-value, window and session stores. */
export interface FlushingStore<K, V> {
  setFlushListener(listener: (key: K, newValue: ValueAndTimestamp<V> | null, oldValue: ValueAndTimestamp<V> | null, timestamp: number) => void): boolean;
}

export class TimestampedTupleForwarder<K, V> {
  private readonly cached: boolean;

  constructor(
    store: FlushingStore<K, V>,
    private readonly context: ProcessorContext<K, Change<V>>,
  ) {
    this.cached = store.setFlushListener((key, newValue, oldValue, timestamp) => {
      context.forward({
        key,
        value: { newValue: newValue?.value ?? null, oldValue: oldValue?.value ?? null },
        timestamp: newValue?.timestamp ?? timestamp,
        headers: (context as unknown as ProcessorContextImpl).currentHeaders(),
      });
    });
  }

  maybeForward(record: StreamRecord<K, Change<V>>): void {
    if (!this.cached) this.context.forward(record);
  }
}
