/**
 * Windowed stream-stream joins (Kafka Streams' `KStreamJoinWindow`, `KStreamKStreamJoin` and its
 * outer-join "shared" store, with the KAFKA-10847 semantics of Kafka Streams 3.x).
 *
 * Each side's records go into a window store of their own (keeping duplicates) on their way to the
 * join processor of their side, which looks into the *other* side's store for records of the same
 * key whose timestamps lie within the join window: for a left record at `t`, right records in
 * `[t - before, t + after]`; for a right record, left records in `[t - after, t + before]`. Each pair
 * is joined once, when the later of the two (in processing order) arrives, and takes the larger
 * timestamp. The stores keep records for the window size plus the grace period behind stream time,
 * so a record later than that finds nothing.
 *
 * Left and outer joins emit a record that found nothing only once its window has closed — stream
 * time passed its timestamp plus the window's reach (`after` for a left record, `before` for a
 * right one) plus the grace period — and only if no record joined it in the meantime. Until then
 * it waits in the shared store, ordered by timestamp; whenever a record advances stream time, the
 * closed ones are emitted first (with their own timestamps) and deleted. A record that arrives
 * after its own window closed is emitted at once if it finds nothing.
 *
 * Stream time is the task's (it is committed and rolled back with the task), where Kafka Streams
 * keeps a time of its own per join; Kafka Streams also throttles the shared-store scan to once per
 * `emit.interval.ms` of wall-clock time, which this leaves out (the scan is a range read that stops
 * at the first entry whose window cannot have closed).
 */
import type { Serde } from '../../../serdes/serde.js';
import type { Processor, ProcessorContext } from '../../processor/processor.js';
import type { ProcessorContextImpl } from '../../processor/internals/processor-context-impl.js';
import type { StreamRecord } from '../../processor/stream-record.js';
import type { KeyValueStore } from '../../state/key-value-store.js';
import type { WindowStore } from '../../state/window-store.js';
import type { ValueJoiner } from '../joined.js';

/**
 * One task's work for one join, in order. The join processors are async (their store scans are), so
 * without this a record reaching both sides of a join in one pass — a self-join, or two branches of
 * one stream — could have one side's scan see what the other side stored after it in Kafka Streams'
 * (synchronous) order. Every step of the join — each side's scan and emission, each side's store
 * write — goes through here, one after the other, in the order the records reach the nodes.
 */
export class JoinSteps {
  private tail: Promise<void> = Promise.resolve();

  run(step: () => void | Promise<void>): Promise<void> {
    const p = this.tail.then(step);
    this.tail = p.catch(() => undefined);
    return p;
  }
}

/** The join's `JoinSteps` per task (Kafka Streams keeps its per-join `TimeTracker`s the same way). */
export class JoinStepsSupplier {
  private readonly byTask = new Map<string, JoinSteps>();

  get(taskId: string): JoinSteps {
    let steps = this.byTask.get(taskId);
    if (steps === undefined) this.byTask.set(taskId, (steps = new JoinSteps()));
    return steps;
  }

  remove(taskId: string): void {
    this.byTask.delete(taskId);
  }
}

/** Puts each record into its side's join store, after passing it on to the join processor. */
export class KStreamJoinWindow<K, V> implements Processor<K, V, K, V> {
  private context!: ProcessorContext<K, V>;
  private store!: WindowStore<K, V>;
  private steps!: JoinSteps;

  constructor(
    private readonly storeName: string,
    private readonly stepsSupplier: JoinStepsSupplier,
  ) {}

  init(context: ProcessorContext<K, V>): void {
    this.context = context;
    this.store = context.getStateStore(this.storeName);
    this.steps = this.stepsSupplier.get(context.taskId());
  }

  process(record: StreamRecord<K, V>): void | Promise<void> {
    this.context.forward(record);
    // A record without a key or value can never join, so it is not kept.
    if (record.key === null || record.key === undefined || record.value === null || record.value === undefined) return;
    return this.steps.run(() => this.store.put(record.key, record.value, record.timestamp));
  }

  close(): void {
    this.stepsSupplier.remove(this.context.taskId());
  }
}

/** A key of the shared store: a record that has not joined yet, by timestamp, then side, then key. */
export interface TimestampedKeyAndJoinSide<K> {
  readonly timestamp: number;
  readonly leftSide: boolean;
  readonly key: K;
}

/** The records of one side waiting under one shared-store key (several may share timestamp and key). */
export interface LeftOrRightValues<V, VO> {
  readonly leftSide: boolean;
  readonly values: readonly (V | VO)[];
}

/**
 * Timestamp (8 bytes, big-endian), side (1: left, 0: right), then the key's bytes — Kafka Streams'
 * `TimestampedKeyAndJoinSideSerializer` layout, so a scan reads the store in timestamp order.
 */
export function timestampedKeyAndJoinSideSerde<K>(keySerde: Serde<K>): Serde<TimestampedKeyAndJoinSide<K>> {
  return {
    get name() {
      return `TimestampedKeyAndJoinSide(${keySerde.name})`;
    },
    serialize(topic, data) {
      if (data === null) return null;
      const key = keySerde.serialize(topic, data.key);
      if (key === null) throw new Error('a shared join store key cannot be null');
      const out = Buffer.allocUnsafe(9 + key.length);
      out.writeBigUInt64BE(BigInt(data.timestamp), 0);
      out[8] = data.leftSide ? 1 : 0;
      key.copy(out, 9);
      return out;
    },
    deserialize(topic, data) {
      if (data === null) return null;
      if (data.length < 9) throw new Error(`not a shared join store key (${data.length} bytes)`);
      return { timestamp: Number(data.readBigUInt64BE(0)), leftSide: data[8] === 1, key: keySerde.deserialize(topic, data.subarray(9)) as K };
    },
  };
}

/** Side (1 byte), count (4), then each value as length (4) and bytes, with the side's serde. */
export function leftOrRightValuesSerde<V, VO>(leftSerde: Serde<V>, rightSerde: Serde<VO>): Serde<LeftOrRightValues<V, VO>> {
  return {
    get name() {
      return `LeftOrRightValues(${leftSerde.name}, ${rightSerde.name})`;
    },
    serialize(topic, data) {
      if (data === null) return null;
      const serde = (data.leftSide ? leftSerde : rightSerde) as Serde<unknown>;
      const parts = data.values.map((v) => {
        const b = serde.serialize(topic, v);
        if (b === null) throw new Error(`the value serde ${serde.name} serialized a join value to null`);
        return b;
      });
      const out = Buffer.allocUnsafe(5 + parts.reduce((n, b) => n + 4 + b.length, 0));
      out[0] = data.leftSide ? 1 : 0;
      out.writeUInt32BE(parts.length, 1);
      let at = 5;
      for (const b of parts) {
        out.writeUInt32BE(b.length, at);
        b.copy(out, at + 4);
        at += 4 + b.length;
      }
      return out;
    },
    deserialize(topic, data) {
      if (data === null) return null;
      const leftSide = data[0] === 1;
      const serde = (leftSide ? leftSerde : rightSerde) as Serde<V | VO>;
      const n = data.readUInt32BE(1);
      const values: (V | VO)[] = [];
      let at = 5;
      for (let i = 0; i < n; i++) {
        const len = data.readUInt32BE(at);
        values.push(serde.deserialize(topic, data.subarray(at + 4, at + 4 + len)) as V | VO);
        at += 4 + len;
      }
      return { leftSide, values };
    },
  };
}

export interface StreamJoinSpec<K, VL, VR, VOut> {
  /** The other side's window store. */
  readonly otherStoreName: string;
  /** The shared store of left and outer joins (null for inner joins). */
  readonly sharedStoreName: string | null;
  readonly leftSide: boolean;
  /** Whether this side's records that join nothing are emitted (left: the left side; outer: both). */
  readonly outer: boolean;
  /** `JoinWindows`' before, after and grace, as given (not swapped for the right side). */
  readonly beforeMs: number;
  readonly afterMs: number;
  readonly graceMs: number;
  /** Always `(leftValue, rightValue, key)`, whichever side this is. */
  readonly joiner: ValueJoiner<VL | null, VR | null, VOut, K>;
  readonly steps: JoinStepsSupplier;
}

type SharedStore<K, VL, VR> = KeyValueStore<TimestampedKeyAndJoinSide<K>, LeftOrRightValues<VL, VR>>;

/**
 * One side's join processor. Async: the other side's store and the shared store are read with
 * range scans, which are async; the task waits for each record's work before the next record.
 */
export class KStreamKStreamJoinProcessor<K, VThis, VL, VR, VOut> implements Processor<K, VThis, K, VOut> {
  private context!: ProcessorContextImpl;
  private otherStore!: WindowStore<K, VL | VR>;
  private shared: SharedStore<K, VL, VR> | null = null;
  private steps!: JoinSteps;
  /** How far the other side's records may lie before and after this side's record. */
  private readonly lookBefore: number;
  private readonly lookAfter: number;

  constructor(private readonly spec: StreamJoinSpec<K, VL, VR, VOut>) {
    this.lookBefore = spec.leftSide ? spec.beforeMs : spec.afterMs;
    this.lookAfter = spec.leftSide ? spec.afterMs : spec.beforeMs;
  }

  init(context: ProcessorContext<K, VOut>): void {
    this.context = context as unknown as ProcessorContextImpl;
    this.otherStore = context.getStateStore(this.spec.otherStoreName);
    if (this.spec.sharedStoreName !== null) this.shared = context.getStateStore<SharedStore<K, VL, VR>>(this.spec.sharedStoreName);
    this.steps = this.spec.steps.get(context.taskId());
  }

  close(): void {
    this.spec.steps.remove(this.context.taskId());
  }

  private joined(key: K, thisValue: VThis | null, otherValue: VL | VR | null): VOut {
    return this.spec.leftSide
      ? this.spec.joiner(thisValue as unknown as VL | null, otherValue as VR | null, key)
      : this.spec.joiner(otherValue as VL | null, thisValue as unknown as VR | null, key);
  }

  process(record: StreamRecord<K, VThis>): Promise<void> {
    return this.steps.run(() => this.step(record));
  }

  private step(record: StreamRecord<K, VThis>): void | Promise<void> {
    const keyless = record.key === null || record.key === undefined;
    const valueless = record.value === null || record.value === undefined;
    if (this.spec.outer && keyless && !valueless) {
      // It can never join: emitted at once (Kafka Streams 3.7's null-key semantics for outer sides).
      this.context.forward({ key: record.key, value: this.joined(record.key, record.value, null), timestamp: record.timestamp, headers: record.headers });
      return;
    }
    if (keyless || valueless) {
      this.context.recordDropped('skipping a record with a null key or value');
      return;
    }
    return this.join(record);
  }

  private async join(record: StreamRecord<K, VThis>): Promise<void> {
    const { key, value, timestamp } = record;
    const streamTime = this.context.currentStreamTimeMs();
    // Only a record that is not out of order can close windows.
    if (this.shared !== null && timestamp >= streamTime) await this.emitNonJoined(this.shared, streamTime, record);

    const timeFrom = Math.max(0, timestamp - this.lookBefore);
    const timeTo = Math.max(0, timestamp + this.lookAfter);
    const matches: { timestamp: number; value: VL | VR }[] = [];
    for await (const m of this.otherStore.fetchRange(key, timeFrom, timeTo)) matches.push({ timestamp: m.key, value: m.value });

    for (const m of matches) {
      if (this.shared !== null) {
        // The other record has joined: it must not be emitted as non-joined any more.
        const otherKey = { timestamp: m.timestamp, leftSide: !this.spec.leftSide, key };
        if (this.shared.get(otherKey) !== undefined) this.shared.put(otherKey, null);
      }
      this.context.forward({ key, value: this.joined(key, value, m.value), timestamp: Math.max(timestamp, m.timestamp), headers: record.headers });
    }

    if (matches.length === 0 && this.spec.outer) {
      if (this.shared === null || timeTo < streamTime) {
        // Its window has passed already (an out-of-order record): nothing can join it any more.
        this.context.forward({ key, value: this.joined(key, value, null), timestamp, headers: record.headers });
      } else {
        const thisKey = { timestamp, leftSide: this.spec.leftSide, key };
        const waiting = this.shared.get(thisKey);
        this.shared.put(thisKey, { leftSide: this.spec.leftSide, values: [...(waiting?.values ?? []), value as unknown as VL | VR] });
      }
    }
  }

  /** Emits (and deletes) the waiting records whose windows have closed, oldest first. */
  private async emitNonJoined(shared: SharedStore<K, VL, VR>, streamTime: number, record: StreamRecord<K, VThis>): Promise<void> {
    const { afterMs, beforeMs, graceMs } = this.spec;
    // A left record's window closes after `after`, a right one's after `before`; nothing past this can be closed.
    const lastClosable = streamTime - graceMs - Math.min(afterMs, beforeMs) - 1;
    if (lastClosable < 0) return;
    const closed: { key: TimestampedKeyAndJoinSide<K>; values: LeftOrRightValues<VL, VR> }[] = [];
    const it = shared.all();
    try {
      for await (const { key, value } of it) {
        if (key.timestamp > lastClosable) break;
        const reach = key.leftSide ? afterMs : beforeMs;
        if (key.timestamp + reach + graceMs < streamTime) closed.push({ key, values: value });
      }
    } finally {
      await it.close();
    }
    for (const c of closed) {
      for (const v of c.values.values) {
        const value = c.key.leftSide ? this.spec.joiner(v as VL, null, c.key.key) : this.spec.joiner(null, v as VR, c.key.key);
        this.context.forward({ key: c.key.key, value, timestamp: c.key.timestamp, headers: record.headers });
      }
      shared.put(c.key, null);
    }
  }
}
