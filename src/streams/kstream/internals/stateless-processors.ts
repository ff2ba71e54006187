/**
 * The stateless KStream operations, one small Processor each (Kafka Streams' `KStreamFilter`,
 * `KStreamMap`, `KStreamMapValues`, `KStreamFlatMap`, `KStreamFlatMapValues`, `KStreamPeek`). Each
 * forwards new records; none changes the one it was given.
 */
import type { Processor, ProcessorContext } from '../../processor/processor.js';
import type { StreamRecord } from '../../processor/stream-record.js';
import { toKeyValue } from '../internal-streams-builder.js';
import type { KeyValuePair } from '../options.js';

abstract class Forwarding<KIn, VIn, KOut, VOut> implements Processor<KIn, VIn, KOut, VOut> {
  protected context!: ProcessorContext<KOut, VOut>;
  init(context: ProcessorContext<KOut, VOut>): void {
    this.context = context;
  }
  abstract process(record: StreamRecord<KIn, VIn>): void;
}

export class KStreamFilter<K, V> extends Forwarding<K, V, K, V> {
  constructor(
    private readonly predicate: (key: K, value: V) => boolean,
    private readonly filterNot: boolean,
  ) {
    super();
  }
  process(record: StreamRecord<K, V>): void {
    if (this.filterNot !== Boolean(this.predicate(record.key, record.value))) this.context.forward(record);
  }
}

export class KStreamMap<K, V, KR, VR> extends Forwarding<K, V, KR, VR> {
  constructor(private readonly mapper: (key: K, value: V) => KeyValuePair<KR, VR>) {
    super();
  }
  process(record: StreamRecord<K, V>): void {
    const kv = toKeyValue(this.mapper(record.key, record.value), 'map()');
    this.context.forward({ key: kv.key, value: kv.value, timestamp: record.timestamp, headers: record.headers });
  }
}

export class KStreamMapValues<K, V, VR> extends Forwarding<K, V, K, VR> {
  constructor(private readonly mapper: (value: V, key: K) => VR) {
    super();
  }
  process(record: StreamRecord<K, V>): void {
    this.context.forward({ key: record.key, value: this.mapper(record.value, record.key), timestamp: record.timestamp, headers: record.headers });
  }
}

export class KStreamSelectKey<K, V, KR> extends Forwarding<K, V, KR, V> {
  constructor(private readonly mapper: (key: K, value: V) => KR) {
    super();
  }
  process(record: StreamRecord<K, V>): void {
    this.context.forward({ key: this.mapper(record.key, record.value), value: record.value, timestamp: record.timestamp, headers: record.headers });
  }
}

export class KStreamFlatMap<K, V, KR, VR> extends Forwarding<K, V, KR, VR> {
  constructor(private readonly mapper: (key: K, value: V) => Iterable<KeyValuePair<KR, VR>>) {
    super();
  }
  process(record: StreamRecord<K, V>): void {
    for (const pair of iterableOf(this.mapper(record.key, record.value), 'flatMap()')) {
      const kv = toKeyValue(pair, 'flatMap()');
      this.context.forward({ key: kv.key, value: kv.value, timestamp: record.timestamp, headers: record.headers });
    }
  }
}

export class KStreamFlatMapValues<K, V, VR> extends Forwarding<K, V, K, VR> {
  constructor(private readonly mapper: (value: V, key: K) => Iterable<VR>) {
    super();
  }
  process(record: StreamRecord<K, V>): void {
    for (const value of iterableOf(this.mapper(record.value, record.key), 'flatMapValues()')) {
      this.context.forward({ key: record.key, value, timestamp: record.timestamp, headers: record.headers });
    }
  }
}

/** `peek` (forwards) and `foreach` (a terminal node). */
export class KStreamPeek<K, V> extends Forwarding<K, V, K, V> {
  constructor(
    private readonly action: (key: K, value: V) => void,
    private readonly forwardDownstream: boolean,
  ) {
    super();
  }
  process(record: StreamRecord<K, V>): void {
    this.action(record.key, record.value);
    if (this.forwardDownstream) this.context.forward(record);
  }
}

/** Passes records on unchanged: `merge`, and the filter in front of a repartition topic. */
export class KStreamPassThrough<K, V> extends Forwarding<K, V, K, V> {
  process(record: StreamRecord<K, V>): void {
    this.context.forward(record);
  }
}

function iterableOf<T>(x: Iterable<T>, where: string): Iterable<T> {
  if (x === null || x === undefined || typeof (x as Iterable<T>)[Symbol.iterator] !== 'function') {
    throw new TypeError(`${where} must return an iterable (an array, a Set, a generator…), not ${String(x)}`);
  }
  return x;
}
