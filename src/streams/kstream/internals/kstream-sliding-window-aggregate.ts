/**
 * Sliding-window aggregations (Kafka Streams' `KStreamSlidingWindowAggregate`). Being written: until
 * then a topology that uses SlidingWindows is refused when it is built.
 */
import { TopologyError } from '../../errors.js';
import type { Processor } from '../../processor/processor.js';
import type { StreamRecord } from '../../processor/stream-record.js';
import type { SlidingWindows } from '../windows/sliding-windows.js';

export class KStreamSlidingWindowAggregate<K, V, VA> implements Processor<K, V> {
  constructor(_storeName: string, _windows: SlidingWindows, _initializer: () => VA, _aggregator: (key: K, value: V, aggregate: VA) => VA) {
    throw new TopologyError('SlidingWindows aggregations are not available yet');
  }

  process(_record: StreamRecord<K, V>): void {}
}
