/**
 * TestOutputTopic (Kafka Streams' test API): reads what a topology wrote to a topic, in order. Each
 * record is read once; reading an empty topic throws, as in Kafka Streams.
 */
import type { Serde } from '../../serdes/serde.js';
import { StreamsError } from '../errors.js';
import type { KeyValue } from '../processor/stream-record.js';
import type { TestRecord } from './test-record.js';
import type { TopologyTestDriver } from './topology-test-driver.js';

export class TestOutputTopic<K, V> {
  /** @internal */
  constructor(
    private readonly driver: TopologyTestDriver,
    readonly topic: string,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
  ) {}

  readRecord(): TestRecord<K, V> {
    const r = this.driver.readRaw(this.topic);
    if (r === undefined) throw new StreamsError(`Empty topic: ${this.topic}`);
    return {
      key: this.keySerde.deserialize(this.topic, r.key, r.headers),
      value: this.valueSerde.deserialize(this.topic, r.value, r.headers),
      timestamp: r.timestamp,
      headers: r.headers,
    };
  }

  readValue(): V | null {
    return this.readRecord().value;
  }

  readKeyValue(): KeyValue<K | null, V | null> {
    const r = this.readRecord();
    return { key: r.key, value: r.value };
  }

  readRecordsToList(): TestRecord<K, V>[] {
    const out: TestRecord<K, V>[] = [];
    while (!this.isEmpty()) out.push(this.readRecord());
    return out;
  }

  readValuesToList(): (V | null)[] {
    return this.readRecordsToList().map((r) => r.value);
  }

  readKeyValuesToList(): KeyValue<K | null, V | null>[] {
    return this.readRecordsToList().map((r) => ({ key: r.key, value: r.value }));
  }

  /** Each key's last value; a null value removes the key, as a table would. Null keys are refused. */
  readKeyValuesToMap(): Map<K, V> {
    const out = new Map<K, V>();
    for (const r of this.readRecordsToList()) {
      if (r.key === null) throw new StreamsError(`readKeyValuesToMap: a record of ${this.topic} has a null key; use readKeyValuesToList`);
      if (r.value === null) out.delete(r.key);
      else out.set(r.key, r.value);
    }
    return out;
  }

  getQueueSize(): number {
    return this.driver.queueSize(this.topic);
  }

  isEmpty(): boolean {
    return this.getQueueSize() === 0;
  }
}
