/**
 * `KTable.suppress` (Kafka Streams' `KTableSuppressProcessor` with its time-ordered buffer).
 *
 * Each update goes into a buffer — a changelogged key-value store, so it survives a crash — keyed by
 * the table key; a key keeps the buffer time of its first update since it was last emitted, and the
 * value it had before then. An in-memory heap orders the keys by buffer time, then serialized key.
 * After each update, the keys whose buffer time is at or before the processor's observed stream time
 * (the largest timestamp of the updates it received) minus the wait are emitted, in that order, and
 * deleted from the buffer in the same commit — so a final result is emitted exactly once.
 *
 * The heap is rebuilt from the store when the processor starts and after a rollback (it would
 * otherwise hold keys of the aborted transaction).
 */
import type { Serde } from '../../../serdes/serde.js';
import { StreamsError } from '../../errors.js';
import type { Processor, ProcessorContext } from '../../processor/processor.js';
import type { StreamRecord } from '../../processor/stream-record.js';
import type { KeyValueStore } from '../../state/key-value-store.js';
import type { Windowed } from '../../state/window-store.js';
import type { Suppressed } from '../suppressed.js';
import type { Change } from './change.js';

/** A buffered update: when it is due, the record's timestamp, the latest value, the value before buffering. */
export interface BufferedChange<V> {
  readonly bufferTime: number;
  readonly timestamp: number;
  readonly newValue: V | null;
  readonly priorValue: V | null;
}

interface HeapEntry {
  readonly time: number;
  readonly seq: number;
  readonly key: string;
}

export class KTableSuppressProcessor<K, V> implements Processor<K, Change<V>, K, Change<V>> {
  private context!: ProcessorContext<K, Change<V>>;
  private store!: KeyValueStore<K, BufferedChange<V>>;
  /** Buffered keys (by JSON of the serialized key) → their entry in the heap. */
  private index = new Map<string, { entry: HeapEntry; key: K; bytes: number }>();
  private heap: HeapEntry[] = [];
  private seq = 0;
  private bytes = 0;
  private loaded: Promise<void> | null = null;
  private ready = false;
  /**
   * The largest timestamp of the updates this processor received — its clock, as in Kafka Streams.
   * Not the task's stream time: behind a cache, updates arrive at the commit, after stream time has
   * moved on, and a window must not be judged closed while newer updates of it are still on their way.
   */
  private observedStreamTime = -1;

  constructor(
    private readonly storeName: string,
    private readonly suppressed: Suppressed,
    /** The grace period of the windows of the table (untilWindowCloses). */
    private readonly graceMs: number,
    private readonly keySerde: () => Serde<K>,
    private readonly sizeOf: (key: K, change: BufferedChange<V>) => number,
  ) {}

  init(context: ProcessorContext<K, Change<V>>): void {
    this.context = context;
    this.store = context.getStateStore(this.storeName);
    this.observedStreamTime = context.currentStreamTimeMs();
  }

  process(record: StreamRecord<K, Change<V>>): void | Promise<void> {
    if (this.ready) {
      this.buffer(record);
      return;
    }
    this.loaded ??= this.load().then(() => {
      this.ready = true;
    });
    return this.loaded.then(() => this.buffer(record));
  }

  /**
   * Called by the task when it rolls back: the heap may hold keys the store no longer has, and the
   * clock may have been moved on by updates that were rolled back — kept, it would emit windows
   * early (and again) when the records are processed again. It restarts from the task's committed
   * stream time, as after a restart.
   */
  onRollback(): void {
    this.loaded = null;
    this.ready = false;
    this.observedStreamTime = this.context.currentStreamTimeMs();
  }

  private async load(): Promise<void> {
    this.index.clear();
    this.heap = [];
    this.bytes = 0;
    for await (const { key, value } of this.store.all()) this.track(key, value);
  }

  private idOf(key: K): string {
    const b = this.keySerde().serialize(this.storeName, key);
    return b === null ? '' : b.toString('latin1');
  }

  private track(key: K, change: BufferedChange<V>): void {
    const id = this.idOf(key);
    const old = this.index.get(id);
    if (old !== undefined) this.bytes -= old.bytes;
    const entry = old !== undefined && old.entry.time === change.bufferTime ? old.entry : { time: change.bufferTime, seq: this.seq++, key: id };
    if (entry !== old?.entry) heapPush(this.heap, entry);
    const bytes = this.sizeOf(key, change);
    this.bytes += bytes;
    this.index.set(id, { entry, key, bytes });
  }

  private buffer(record: StreamRecord<K, Change<V>>): void {
    if (record.timestamp > this.observedStreamTime) this.observedStreamTime = record.timestamp;
    const key = record.key;
    const bufferTime = this.suppressed.kind === 'untilWindowCloses' ? (key as unknown as Windowed<unknown>).window.end : record.timestamp;
    const previous = this.store.get(key);
    const change: BufferedChange<V> = {
      bufferTime: previous?.bufferTime ?? bufferTime,
      timestamp: record.timestamp,
      newValue: record.value.newValue,
      priorValue: previous !== undefined ? previous.priorValue : record.value.oldValue,
    };
    this.store.put(key, change);
    this.track(key, change);
    this.enforce();
  }

  private enforce(): void {
    const wait = this.suppressed.kind === 'untilWindowCloses' ? this.graceMs : this.suppressed.timeToWaitMs;
    const expiry = this.observedStreamTime - wait;
    for (let top = this.peek(); top !== null && top.time <= expiry; top = this.peek()) this.emit(top);
    const { maxRecords, maxBytes, whenFull } = this.suppressed.buffer;
    while (this.index.size > maxRecords || this.bytes > maxBytes) {
      if (whenFull === 'shutDown') {
        throw new StreamsError(
          `The suppression buffer ${this.storeName} is full (${this.index.size} records, ${this.bytes} bytes; limits ${maxRecords} records, ${maxBytes} bytes) and is configured to shut down rather than emit early`,
        );
      }
      const top = this.peek();
      if (top === null) break;
      this.emit(top);
    }
  }

  /** The heap's top that is still current (stale entries of re-buffered keys are dropped). */
  private peek(): HeapEntry | null {
    while (this.heap.length > 0) {
      const top = this.heap[0];
      if (this.index.get(top.key)?.entry === top) return top;
      heapPop(this.heap);
    }
    return null;
  }

  private emit(top: HeapEntry): void {
    heapPop(this.heap);
    const tracked = this.index.get(top.key) as { entry: HeapEntry; key: K; bytes: number };
    this.index.delete(top.key);
    this.bytes -= tracked.bytes;
    const change = this.store.get(tracked.key);
    this.store.delete(tracked.key);
    if (change === undefined) return;
    // A window's final result that is a deletion is nothing to emit (Kafka Streams' safe-to-drop tombstones).
    if (change.newValue === null && (this.suppressed.kind === 'untilWindowCloses' || change.priorValue === null)) return;
    this.context.forward({ key: tracked.key, value: { newValue: change.newValue, oldValue: change.priorValue }, timestamp: change.timestamp, headers: {} });
  }
}

/**
 * Buffer order: due time, then the serialized key (Kafka Streams' order), so that what is emitted
 * when does not depend on whether the heap was rebuilt from the store after a restart or rollback.
 * `seq` only orders a key's stale entries after its live one.
 */
function less(a: HeapEntry, b: HeapEntry): boolean {
  return a.time < b.time || (a.time === b.time && (a.key < b.key || (a.key === b.key && a.seq < b.seq)));
}

function heapPush(h: HeapEntry[], e: HeapEntry): void {
  h.push(e);
  for (let i = h.length - 1; i > 0;) {
    const p = (i - 1) >> 1;
    if (!less(h[i], h[p])) break;
    [h[i], h[p]] = [h[p], h[i]];
    i = p;
  }
}

function heapPop(h: HeapEntry[]): void {
  const last = h.pop() as HeapEntry;
  if (h.length === 0) return;
  h[0] = last;
  for (let i = 0; ;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let m = i;
    if (l < h.length && less(h[l], h[m])) m = l;
    if (r < h.length && less(h[r], h[m])) m = r;
    if (m === i) break;
    [h[i], h[m]] = [h[m], h[i]];
    i = m;
  }
}

/** Serde of buffered changes: buffer time, timestamp, flags, then the new and prior values' bytes. */
export function bufferedChangeSerde<V>(values: Serde<V>): Serde<BufferedChange<V>> {
  return {
    name: `BufferedChange(${values.name})`,
    serialize(topic, c) {
      if (c === null) return null;
      const n = c.newValue === null ? null : values.serialize(topic, c.newValue);
      const p = c.priorValue === null ? null : values.serialize(topic, c.priorValue);
      const out = Buffer.allocUnsafe(21 + (n?.length ?? 0) + (p?.length ?? 0));
      out.writeDoubleBE(c.bufferTime, 0);
      out.writeDoubleBE(c.timestamp, 8);
      out[16] = (n === null ? 0 : 1) | (p === null ? 0 : 2);
      out.writeUInt32BE(n?.length ?? 0, 17);
      n?.copy(out, 21);
      p?.copy(out, 21 + (n?.length ?? 0));
      return out;
    },
    deserialize(topic, data) {
      if (data === null) return null;
      const flags = data[16];
      const nLen = data.readUInt32BE(17);
      return {
        bufferTime: data.readDoubleBE(0),
        timestamp: data.readDoubleBE(8),
        newValue: flags & 1 ? (values.deserialize(topic, data.subarray(21, 21 + nLen)) as V) : null,
        priorValue: flags & 2 ? (values.deserialize(topic, data.subarray(21 + nLen)) as V) : null,
      };
    },
  };
}
