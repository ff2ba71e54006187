/**
 * TestInputTopic (Kafka Streams' test API): pipes records into a topic of a TopologyTestDriver.
 * Records without a timestamp get the topic's current time, which starts at `startTimestampMs` and
 * advances by `autoAdvanceMs` after each record (or by `advanceTime`).
 */
import type { Headers } from '../../serdes/headers.js';
import type { Serde } from '../../serdes/serde.js';
import { StreamsError } from '../errors.js';
import type { KeyValue } from '../processor/stream-record.js';
import type { TestRecord } from './test-record.js';
import type { TopologyTestDriver } from './topology-test-driver.js';

export class TestInputTopic<K, V> {
  private currentTime: number;

  /** @internal */
  constructor(
    private readonly driver: TopologyTestDriver,
    readonly topic: string,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
    startTimestampMs: number,
    private readonly autoAdvanceMs: number,
  ) {
    if (autoAdvanceMs < 0) throw new StreamsError('autoAdvanceMs must not be negative');
    this.currentTime = startTimestampMs;
  }

  /**
   * Pipes one record. Synchronous topologies have processed it (and committed) when this returns;
   * await the promise for topologies with async nodes.
   */
  pipeInput(key: K | null, value: V | null, timestamp?: number, headers: Headers = {}): Promise<void> {
    return this.pipeRecord({ key, value, timestamp: timestamp ?? this.nextTime(), headers });
  }

  /** Pipes a record with a null key. */
  pipeValue(value: V | null, timestamp?: number): Promise<void> {
    return this.pipeInput(null, value, timestamp);
  }

  pipeRecord(record: TestRecord<K, V>): Promise<void> {
    const key = this.keySerde.serialize(this.topic, record.key, record.headers);
    const value = this.valueSerde.serialize(this.topic, record.value, record.headers);
    return this.driver.pipeRaw(this.topic, key, value, record.timestamp, record.headers);
  }

  pipeKeyValueList(list: readonly KeyValue<K | null, V | null>[]): Promise<void> {
    let last: Promise<void> = Promise.resolve();
    for (const { key, value } of list) last = this.pipeInput(key, value);
    return last;
  }

  pipeValueList(values: readonly (V | null)[]): Promise<void> {
    let last: Promise<void> = Promise.resolve();
    for (const value of values) last = this.pipeInput(null, value);
    return last;
  }

  pipeRecordList(records: readonly TestRecord<K, V>[]): Promise<void> {
    let last: Promise<void> = Promise.resolve();
    for (const r of records) last = this.pipeRecord(r);
    return last;
  }

  /** Moves this topic's current time forward. */
  advanceTime(ms: number): void {
    if (ms < 0) throw new StreamsError('advanceTime needs a non-negative duration');
    this.currentTime += ms;
  }

  private nextTime(): number {
    const t = this.currentTime;
    this.currentTime += this.autoAdvanceMs;
    return t;
  }
}
