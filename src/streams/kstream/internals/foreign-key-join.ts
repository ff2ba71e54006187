/**
 * The foreign-key table-table join (KIP-213; Kafka Streams' `foreignkeyjoin` package). A row of the
 * left table names a row of the right table by a key taken from its value; the two tables may be
 * partitioned differently, so the join goes through two internal topics:
 *
 *   left update ─▶ SubscriptionSend ─▶ subscription topic (by foreign key) ─▶ SubscriptionReceive
 *     (keeps "primary key K subscribes to foreign key F" in the subscription store) ─▶ SubscriptionJoin
 *     (looks F up in the right table) ─▶ response topic (back to the left row's partition)
 *   right update ─▶ ForeignTableJoin (every subscriber of its key, by prefix scan) ─▶ response topic
 *   response topic ─▶ ResponseJoin (joins with the left row, if the response is for its current
 *     value) ─▶ the result table
 *
 * A response carries a hash of the left value it was made for; one that arrives after the left row
 * changed again is stale and dropped, so the result converges on the join of the current rows.
 */
import { createHash } from 'node:crypto';
import type { Serde } from '../../../serdes/serde.js';
import type { Processor, ProcessorContext } from '../../processor/processor.js';
import type { ProcessorContextImpl } from '../../processor/internals/processor-context-impl.js';
import type { StreamRecord } from '../../processor/stream-record.js';
import type { KeyValueStore, ValueAndTimestamp } from '../../state/key-value-store.js';
import type { ValueJoiner } from '../joined.js';
import type { Change } from './change.js';
import type { KTableValueGetter, KTableValueGetterSupplier } from './ktable-value-getter.js';

/** What the subscription topic's receiver does (Kafka Streams' `SubscriptionWrapper.Instruction`). */
export enum Instruction {
  /** Forget the subscription; send nothing (the left row moved to another foreign key). */
  DELETE_KEY_NO_PROPAGATE = 0,
  /** Forget the subscription; send a null foreign value (the left row is gone). */
  DELETE_KEY_AND_PROPAGATE = 1,
  /** Subscribe; send the foreign value, or null if there is none (undoes an earlier result). */
  PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE = 2,
  /** Subscribe; send the foreign value only if there is one (a new left row). */
  PROPAGATE_ONLY_IF_FK_VAL_AVAILABLE = 3,
}

export interface SubscriptionWrapper<K> {
  /** Hash of the left value this subscription was made for; null when the left row was deleted. */
  readonly hash: Buffer | null;
  readonly instruction: Instruction;
  readonly primaryKey: K;
  /** The left row's partition, where the response must go back to (-1: unknown). */
  readonly primaryPartition: number;
}

export interface SubscriptionResponseWrapper<VO> {
  readonly originalValueHash: Buffer | null;
  readonly foreignValue: VO | null;
  readonly primaryPartition: number;
}

/** A 128-bit hash of a serialized value (Kafka Streams uses Murmur3; any stable hash serves). */
export function valueHash(bytes: Buffer | null): Buffer | null {
  return bytes === null ? null : createHash('md5').update(bytes).digest();
}

function writeHash(hash: Buffer | null): Buffer {
  return hash === null ? Buffer.from([0]) : Buffer.concat([Buffer.from([hash.length]), hash]);
}

function readHash(data: Buffer, at: number): { hash: Buffer | null; next: number } {
  const n = data[at];
  return { hash: n === 0 ? null : Buffer.from(data.subarray(at + 1, at + 1 + n)), next: at + 1 + n };
}

/** Version (1), instruction, hash, primary partition (int32), then the primary key's bytes. */
export function subscriptionWrapperSerde<K>(primaryKeySerde: Serde<K>): Serde<SubscriptionWrapper<K>> {
  return {
    get name() {
      return `SubscriptionWrapper(${primaryKeySerde.name})`;
    },
    serialize(topic, w) {
      if (w === null) return null;
      const pk = primaryKeySerde.serialize(topic, w.primaryKey);
      if (pk === null) throw new Error('a subscription needs a primary key');
      const head = Buffer.from([1, w.instruction]);
      const partition = Buffer.allocUnsafe(4);
      partition.writeInt32BE(w.primaryPartition);
      return Buffer.concat([head, writeHash(w.hash), partition, pk]);
    },
    deserialize(topic, data) {
      if (data === null) return null;
      if (data[0] !== 1) throw new Error(`unknown subscription version ${data[0]}`);
      const instruction = data[1] as Instruction;
      const { hash, next } = readHash(data, 2);
      return { instruction, hash, primaryPartition: data.readInt32BE(next), primaryKey: primaryKeySerde.deserialize(topic, data.subarray(next + 4)) as K };
    },
  };
}

/** Version (0), hash, primary partition (int32), then a flag and the foreign value's bytes. */
export function subscriptionResponseWrapperSerde<VO>(foreignValueSerde: Serde<VO>): Serde<SubscriptionResponseWrapper<VO>> {
  return {
    get name() {
      return `SubscriptionResponseWrapper(${foreignValueSerde.name})`;
    },
    serialize(topic, w) {
      if (w === null) return null;
      const value = w.foreignValue === null ? null : foreignValueSerde.serialize(topic, w.foreignValue);
      const partition = Buffer.allocUnsafe(4);
      partition.writeInt32BE(w.primaryPartition);
      return Buffer.concat([
        Buffer.from([0]),
        writeHash(w.originalValueHash),
        partition,
        value === null ? Buffer.from([0]) : Buffer.concat([Buffer.from([1]), value]),
      ]);
    },
    deserialize(topic, data) {
      if (data === null) return null;
      if (data[0] !== 0) throw new Error(`unknown subscription response version ${data[0]}`);
      const { hash, next } = readHash(data, 1);
      const primaryPartition = data.readInt32BE(next);
      const foreignValue = data[next + 4] === 1 ? (foreignValueSerde.deserialize(topic, data.subarray(next + 5)) as VO) : null;
      return { originalValueHash: hash, primaryPartition, foreignValue };
    },
  };
}

/**
 * Keys of the subscription store (Kafka Streams' `CombinedKeySchema`): the foreign key's length
 * (4 bytes) and bytes, then the primary key's bytes — so one foreign key's subscribers are a prefix.
 */
export class CombinedKeySchema<KO, K> {
  constructor(
    private readonly foreignKeySerde: Serde<KO>,
    private readonly primaryKeySerde: Serde<K>,
    private readonly topic: string,
  ) {}

  prefix(foreignKey: KO): Buffer {
    const fk = this.foreignKeySerde.serialize(`${this.topic}-fk`, foreignKey);
    if (fk === null) throw new Error('a foreign key serialized to null');
    const len = Buffer.allocUnsafe(4);
    len.writeUInt32BE(fk.length);
    return Buffer.concat([len, fk]);
  }

  toBytes(foreignKey: KO, primaryKey: K): Buffer {
    const pk = this.primaryKeySerde.serialize(`${this.topic}-pk`, primaryKey);
    if (pk === null) throw new Error('a primary key serialized to null');
    return Buffer.concat([this.prefix(foreignKey), pk]);
  }

  primaryKeyOf(bytes: Buffer): K {
    return this.primaryKeySerde.deserialize(`${this.topic}-pk`, bytes.subarray(4 + bytes.readUInt32BE(0))) as K;
  }
}

type SubscriptionStore<K> = KeyValueStore<Buffer, ValueAndTimestamp<SubscriptionWrapper<K>>>;

function sameBytes(a: Buffer | null, b: Buffer | null): boolean {
  return a === null || b === null ? a === b : a.equals(b);
}

/** On the left table: tells the foreign keys' side which left rows subscribe to them. */
export class SubscriptionSendProcessor<K, V, KO> implements Processor<K, Change<V>, KO | null, SubscriptionWrapper<K>> {
  private context!: ProcessorContextImpl;

  constructor(
    private readonly foreignKeyExtractor: (value: V, key: K) => KO,
    private readonly foreignKeySerde: Serde<KO>,
    private readonly valueSerde: Serde<V>,
    private readonly hashTopic: string,
    private readonly leftJoin: boolean,
  ) {}

  init(context: ProcessorContext<KO | null, SubscriptionWrapper<K>>): void {
    this.context = context as unknown as ProcessorContextImpl;
  }

  process(record: StreamRecord<K, Change<V>>): void {
    const { key } = record;
    if (key === null || key === undefined) return;
    const { newValue, oldValue } = record.value;
    const fk = (v: V | null): KO | null => {
      if (v === null) return null;
      const k = this.foreignKeyExtractor(v, key);
      return k === undefined ? null : k;
    };
    const fkBytes = (k: KO | null): Buffer | null => (k === null ? null : this.foreignKeySerde.serialize(`${this.hashTopic}-fk`, k));
    const hash = valueHash(newValue === null ? null : this.valueSerde.serialize(this.hashTopic, newValue));
    // The left row's partition is its task's (the response topic is co-partitioned with the left table).
    const partition = Number(this.context.taskId().split('_')[1] ?? -1);
    const send = (foreignKey: KO | null, instruction: Instruction): void => {
      this.context.forward({
        key: foreignKey,
        value: { hash, instruction, primaryKey: key, primaryPartition: partition },
        timestamp: record.timestamp,
        headers: record.headers,
      });
    };
    const oldFk = fk(oldValue);
    const newFk = fk(newValue);
    const moved = oldFk !== null && !sameBytes(fkBytes(oldFk), fkBytes(newFk));
    if (this.leftJoin) {
      // Every left row has a result row: the new foreign key (or none) always gets a subscription.
      if (oldValue === null && newValue === null) return;
      if (moved) send(oldFk, Instruction.DELETE_KEY_AND_PROPAGATE);
      send(newFk, Instruction.PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE);
      return;
    }
    if (newValue === null) {
      if (oldFk !== null) send(oldFk, Instruction.DELETE_KEY_AND_PROPAGATE);
      return;
    }
    if (newFk === null) {
      // No foreign key, no result row: the one the old foreign key gave (if any) is withdrawn.
      if (oldFk !== null) send(oldFk, Instruction.DELETE_KEY_AND_PROPAGATE);
      else this.context.recordDropped('skipping a table row with a null foreign key');
      return;
    }
    if (moved) send(oldFk, Instruction.DELETE_KEY_NO_PROPAGATE);
    send(newFk, oldValue !== null ? Instruction.PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE : Instruction.PROPAGATE_ONLY_IF_FK_VAL_AVAILABLE);
  }
}

/** A subscription with the foreign key it is for, between the receiver and the joiner. */
interface ReceivedSubscription<K, KO> {
  readonly foreignKey: KO | null;
  readonly subscription: SubscriptionWrapper<K>;
}

/** On the foreign keys' side: keeps the subscriptions (or forgets them) and passes them on. */
export class SubscriptionReceiveProcessor<K, KO> implements Processor<KO | null, SubscriptionWrapper<K>, K, ReceivedSubscription<K, KO>> {
  private context!: ProcessorContextImpl;
  private store!: SubscriptionStore<K>;

  constructor(
    private readonly storeName: string,
    private readonly keys: CombinedKeySchema<KO, K>,
  ) {}

  init(context: ProcessorContext<K, ReceivedSubscription<K, KO>>): void {
    this.context = context as unknown as ProcessorContextImpl;
    this.store = context.getStateStore(this.storeName);
  }

  process(record: StreamRecord<KO | null, SubscriptionWrapper<K>>): void {
    const w = record.value;
    const fk = record.key === undefined ? null : record.key;
    if (fk === null) {
      // Only a left join subscribes "to nothing", to have its result row sent with null.
      if (w.instruction !== Instruction.PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE) {
        this.context.recordDropped('skipping a subscription with a null foreign key');
        return;
      }
    } else {
      const key = this.keys.toBytes(fk, w.primaryKey);
      if (w.instruction === Instruction.DELETE_KEY_AND_PROPAGATE || w.instruction === Instruction.DELETE_KEY_NO_PROPAGATE) this.store.delete(key);
      else this.store.put(key, { value: w, timestamp: record.timestamp });
    }
    this.context.forward({ key: w.primaryKey, value: { foreignKey: fk, subscription: w }, timestamp: record.timestamp, headers: record.headers });
  }
}

/** Answers a subscription with the foreign key's current row. */
export class SubscriptionJoinProcessor<K, KO, VO> implements Processor<K, ReceivedSubscription<K, KO>, K, SubscriptionResponseWrapper<VO>> {
  private context!: ProcessorContext<K, SubscriptionResponseWrapper<VO>>;
  private foreign!: KTableValueGetter<KO, VO>;

  constructor(private readonly foreignTable: KTableValueGetterSupplier<KO, VO>) {}

  init(context: ProcessorContext<K, SubscriptionResponseWrapper<VO>>): void {
    this.context = context;
    this.foreign = this.foreignTable.get();
    this.foreign.init(context as ProcessorContext<unknown, unknown>);
  }

  process(record: StreamRecord<K, ReceivedSubscription<K, KO>>): void {
    const { foreignKey, subscription: w } = record.value;
    const row = foreignKey === null ? null : this.foreign.get(foreignKey);
    const timestamp = row === null ? record.timestamp : Math.max(record.timestamp, row.timestamp);
    const respond = (foreignValue: VO | null): void => {
      this.context.forward({
        key: w.primaryKey,
        value: { originalValueHash: w.hash, foreignValue, primaryPartition: w.primaryPartition },
        timestamp,
        headers: record.headers,
      });
    };
    switch (w.instruction) {
      case Instruction.DELETE_KEY_AND_PROPAGATE:
        respond(null);
        break;
      case Instruction.PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE:
        respond(row === null ? null : row.value);
        break;
      case Instruction.PROPAGATE_ONLY_IF_FK_VAL_AVAILABLE:
        if (row !== null) respond(row.value);
        break;
      case Instruction.DELETE_KEY_NO_PROPAGATE:
        break;
    }
  }
}

/**
 * On the right table: an update of a foreign key's row goes to every left row subscribed to it.
 * Finding them is a prefix scan, which is async.
 */
export class ForeignTableJoinProcessor<K, KO, VO> implements Processor<KO, Change<VO>, K, SubscriptionResponseWrapper<VO>> {
  private context!: ProcessorContextImpl;
  private store!: SubscriptionStore<K>;

  constructor(
    private readonly storeName: string,
    private readonly keys: CombinedKeySchema<KO, K>,
    private readonly bytesSerde: Serde<Buffer>,
  ) {}

  init(context: ProcessorContext<K, SubscriptionResponseWrapper<VO>>): void {
    this.context = context as unknown as ProcessorContextImpl;
    this.store = context.getStateStore(this.storeName);
  }

  process(record: StreamRecord<KO, Change<VO>>): void | Promise<void> {
    if (record.key === null || record.key === undefined) {
      this.context.recordDropped('skipping a table update with a null key');
      return;
    }
    return this.respond(record);
  }

  private async respond(record: StreamRecord<KO, Change<VO>>): Promise<void> {
    const subscribers: { key: K; subscription: SubscriptionWrapper<K> }[] = [];
    for await (const { key, value } of this.store.prefixScan(this.keys.prefix(record.key), this.bytesSerde)) {
      subscribers.push({ key: this.keys.primaryKeyOf(key), subscription: value.value });
    }
    for (const s of subscribers) {
      const value = { originalValueHash: s.subscription.hash, foreignValue: record.value.newValue, primaryPartition: s.subscription.primaryPartition };
      this.context.forward({ key: s.key, value, timestamp: record.timestamp, headers: record.headers });
    }
  }
}

/** Back on the left table: joins a response with the left row — if the row is still the one it answers. */
export class ResponseJoinProcessor<K, V, VO, VR> implements Processor<K, SubscriptionResponseWrapper<VO>, K, VR | null> {
  private context!: ProcessorContext<K, VR | null>;
  private primary!: KTableValueGetter<K, V>;

  constructor(
    private readonly primaryTable: KTableValueGetterSupplier<K, V>,
    private readonly valueSerde: Serde<V>,
    private readonly hashTopic: string,
    private readonly joiner: ValueJoiner<V | null, VO | null, VR, K>,
    private readonly leftJoin: boolean,
  ) {}

  init(context: ProcessorContext<K, VR | null>): void {
    this.context = context;
    this.primary = this.primaryTable.get();
    this.primary.init(context as ProcessorContext<unknown, unknown>);
  }

  process(record: StreamRecord<K, SubscriptionResponseWrapper<VO>>): void {
    const current = this.primary.get(record.key);
    const currentHash = valueHash(current === null ? null : this.valueSerde.serialize(this.hashTopic, current.value));
    // A response for a value the left row no longer has is stale: a newer one is on its way.
    if (!sameBytes(currentHash, record.value.originalValueHash)) return;
    const foreign = record.value.foreignValue;
    const value = foreign === null && (!this.leftJoin || current === null) ? null : this.joiner(current === null ? null : current.value, foreign, record.key);
    this.context.forward({ key: record.key, value, timestamp: record.timestamp, headers: record.headers });
  }
}
