/**
 * Sliding-window aggregations (Kafka Streams' `KStreamSlidingWindowAggregate`). Windows are
 * `[start, start + d]`, inclusive at both ends, for the time difference `d`. Only windows that hold
 * a distinct set of records exist: for each record at `t`, its *left* window `[t - d, t]` (ending at
 * it) and its *right* window `[t + 1, t + 1 + d]` (the records just after it; made only when one
 * is there). A record is added to every existing window that contains it; the windows it makes are
 * seeded from the aggregates of neighbouring windows, so no record is aggregated twice.
 *
 * Records earlier than `d` would have left windows starting below zero; they all go into the window
 * `[0, d]` instead (Kafka Streams' "early records"), and still get right windows.
 *
 * A window closes when stream time minus grace passes its end. A record whose right window would
 * already be closed is dropped (counted and logged); a window that is closed is not updated, and
 * each window skipped so is counted too, as Kafka Streams' dropped-records sensor does. As in Kafka
 * Streams, a record that comes after its own left window has closed (but not its right window) is
 * added to the open windows that already hold its time, and reaches a window made later only if
 * that window is seeded from one of them: its left window, which would carry it, is never written.
 *
 * Finding the neighbouring windows is a range scan, and scans are async, so this processor is async:
 * its task takes the next record when it is done (docs/streams.md, "The Processor API").
 *
 * Differences from Kafka Streams, each on purpose:
 * - Stream time is the task's (`currentStreamTimeMs()`, committed and restored with the offsets), as
 *   for Skein's other windowed aggregations, not a time the processor observes on its own and
 *   forgets on restart; so a crash cannot change which records are late.
 * - The update sent downstream carries the window's previous value as its old value (null for a new
 *   window), with caching on or off; Kafka Streams sends an old value only when asked to, and then,
 *   without a cache, the seed of a new window.
 * - When the previous record's right window is the record's own left window (they are `d + 1` ms
 *   apart), it is written and sent once; Kafka Streams sends it twice without a cache.
 * - The previous record is the latest record before this one that any window read holds; Kafka
 *   Streams takes the latest of one window (the one before the left window). They agree unless a
 *   late record was kept out of a window closed by then: Kafka Streams then misses that record's
 *   right window, and later seeds a window with a record that is not in it.
 * - The store keeps windows 2 ms longer than Kafka Streams' 2 × time difference + grace
 *   (`SlidingWindows.retentionMs` says why).
 * - Emit-on-window-close (`emitStrategy`) is not offered; one final result per window is for
 *   `suppress` (#12, to come).
 */
import { StreamsError } from '../../errors.js';
import type { Processor, ProcessorContext } from '../../processor/processor.js';
import type { ProcessorContextImpl } from '../../processor/internals/processor-context-impl.js';
import type { StreamRecord } from '../../processor/stream-record.js';
import type { ValueAndTimestamp } from '../../state/key-value-store.js';
import type { MeteredWindowStore } from '../../state/internals/metered-window-store.js';
import type { Windowed } from '../../state/window-store.js';
import type { SlidingWindows } from '../windows/sliding-windows.js';
import type { Change } from './change.js';
import { TimestampedTupleForwarder } from './timestamped-tuple-forwarder.js';

/** A window's start and what the store holds for it: the aggregate and the largest record timestamp in it. */
interface StoredWindow<VA> {
  readonly start: number;
  readonly agg: ValueAndTimestamp<VA>;
}

type KeyedRecord<K, V> = StreamRecord<K, V> & { readonly key: K; readonly value: V };

export class KStreamSlidingWindowAggregate<K, V, VA> implements Processor<K, V, Windowed<K>, Change<VA>> {
  private context!: ProcessorContextImpl;
  private store!: MeteredWindowStore<K, ValueAndTimestamp<VA>>;
  private forwarder!: TimestampedTupleForwarder<Windowed<K>, VA>;
  private readonly d: number;

  constructor(
    private readonly storeName: string,
    private readonly windows: SlidingWindows,
    private readonly initializer: () => VA,
    private readonly aggregator: (key: K, value: V, aggregate: VA) => VA,
  ) {
    this.d = windows.timeDifferenceMs;
  }

  init(context: ProcessorContext<Windowed<K>, Change<VA>>): void {
    this.context = context as unknown as ProcessorContextImpl;
    this.store = context.getStateStore(this.storeName);
    this.forwarder = new TimestampedTupleForwarder<Windowed<K>, VA>(this.store as never, context);
  }

  process(record: StreamRecord<K, V>): void | Promise<void> {
    if (record.key === null || record.key === undefined || record.value === null || record.value === undefined) {
      this.context.recordDropped('skipping a record with a null key or value');
      return;
    }
    const ts = record.timestamp;
    if (ts < 0) throw new StreamsError(`A sliding window aggregation cannot place a record with the negative timestamp ${ts}`);
    const closeTime = this.context.currentStreamTimeMs() - this.windows.graceMs;
    if (ts + this.d < closeTime) {
      this.context.recordDropped(`skipping a record for the expired window [${ts},${ts + this.d}] (record time ${ts}, windows closed up to ${closeTime})`);
      return;
    }
    const r = record as KeyedRecord<K, V>;
    return ts < this.d ? this.processEarly(r, closeTime) : this.processInTime(r, closeTime);
  }

  /**
   * A record at `t >= d`. The windows that matter start between `t - 2d` (the left window of a
   * record `d` before this one) and `t + 1` (this record's right window). Walking them latest first:
   * windows ending after `t` contain the record and are updated — the first of them, as it was, is
   * what this record's right window would hold; the window ending at `t` is this record's left
   * window; the first window ending before `t` holds the records just before this one and seeds the
   * left window. The latest record before `t` that any of them holds is the *previous record*, whose
   * right window this record may be the first to enter.
   */
  private async processInTime(record: KeyedRecord<K, V>, closeTime: number): Promise<void> {
    const t = record.timestamp;
    const d = this.d;
    const windows = await this.windowsLatestFirst(record.key, Math.max(0, t - 2 * d), t + 1, (w) => w.start + d < t);

    const starts = new Set<number>();
    let rightWindowExists = false;
    let leftWindowExists = false;
    /** The aggregate this record's right window starts from: the latest window holding the record, before the record. */
    let rightSeed: ValueAndTimestamp<VA> | null = null;
    /** The latest window that ends before the record. */
    let before: ValueAndTimestamp<VA> | null = null;
    /** The timestamp of the latest record before this one, as far as the windows tell. */
    let previous: number | null = null;

    for (const w of windows) {
      starts.add(w.start);
      const end = w.start + d;
      // A window's timestamp is its latest record's.
      if (w.agg.timestamp < t) previous = Math.max(previous ?? -1, w.agg.timestamp);
      if (w.start === t + 1) {
        rightWindowExists = true;
      } else if (end > t) {
        rightSeed ??= w.agg;
        this.updateWindow(record, w.start, w.agg, closeTime);
      } else if (end === t) {
        leftWindowExists = true;
        this.updateWindow(record, w.start, w.agg, closeTime);
        // A record at this very timestamp came before: every window this one needs exists already.
        if (w.agg.timestamp >= t) return;
      } else {
        before = w.agg;
        break;
      }
    }

    // The previous record's right window, if this record is the first to enter it.
    let previousRightStart: number | null = null;
    if (previous !== null && !starts.has(previous + 1) && previous + 1 + d >= t) {
      previousRightStart = previous + 1;
      this.createWindow(record, previousRightStart, null, closeTime);
    }
    // This record's left window; the records before it within `d` are those of the window before,
    // if that has any. (When the previous record is `d + 1` ms back, its right window just made is
    // this very window.)
    if (!leftWindowExists && previousRightStart !== t - d) {
      const seed = before !== null && before.timestamp >= t - d ? before.value : null;
      this.createWindow(record, t - d, seed, closeTime);
    }
    if (!rightWindowExists) this.makeRightWindow(record, rightSeed);
  }

  /**
   * A record at `t < d`: its left window would start below zero, so it goes into `[0, d]` with every
   * other early record. Windows starting in `(0, t]` are right windows of earlier early records and
   * contain it. If none does, the records after it within `[0, d]` are all later than it (an earlier
   * one would have such a right window), so `[0, d]` seeds this record's right window.
   */
  private async processEarly(record: KeyedRecord<K, V>, closeTime: number): Promise<void> {
    const t = record.timestamp;
    const windows = await this.windowsEarliestFirst(record.key, 0, t + 1);

    const starts = new Set<number>();
    let combined: ValueAndTimestamp<VA> | null = null;
    let rightWindowExists = false;
    let rightSeed: ValueAndTimestamp<VA> | null = null;
    let previous: number | null = null;

    for (const w of windows) {
      starts.add(w.start);
      if (w.start === 0) {
        combined = w.agg;
        // If `[0, d]` already has a record at or after this one, that record made the right windows.
        if (w.agg.timestamp < t) previous = w.agg.timestamp;
      } else if (w.start <= t) {
        rightSeed = w.agg;
        this.updateWindow(record, w.start, w.agg, closeTime);
      } else {
        rightWindowExists = true;
      }
    }

    if (rightSeed === null && combined !== null && combined.timestamp > t) rightSeed = combined;
    if (!rightWindowExists) this.makeRightWindow(record, rightSeed);
    if (previous !== null && !starts.has(previous + 1)) this.createWindow(record, previous + 1, null, closeTime);
    if (combined === null) this.createWindow(record, 0, null, closeTime);
    else this.updateWindow(record, 0, combined, closeTime);
  }

  /** Adds the record to the existing window starting at `start` (`stored` is what it holds), if the window is still open. */
  private updateWindow(record: KeyedRecord<K, V>, start: number, stored: ValueAndTimestamp<VA>, closeTime: number): void {
    if (this.isClosed(record, start, closeTime)) return;
    const newAgg = this.aggregator(record.key, record.value, stored.value);
    const timestamp = Math.max(record.timestamp, stored.timestamp);
    this.store.put(record.key, { value: newAgg, timestamp }, start);
    this.forward(record, start, newAgg, stored.value, timestamp);
  }

  /** Makes the window starting at `start` from `seed` (or the initializer's value) and the record, if the window is still open. */
  private createWindow(record: KeyedRecord<K, V>, start: number, seed: VA | null, closeTime: number): void {
    if (this.isClosed(record, start, closeTime)) return;
    const newAgg = this.aggregator(record.key, record.value, seed === null ? this.initializer() : seed);
    this.store.put(record.key, { value: newAgg, timestamp: record.timestamp }, start);
    this.forward(record, start, newAgg, null, record.timestamp);
  }

  /** A closed window is not written; the record is counted as dropped for it. */
  private isClosed(record: KeyedRecord<K, V>, start: number, closeTime: number): boolean {
    const end = start + this.d;
    if (end >= closeTime) return false;
    this.context.recordDropped(
      `skipping a record for the expired window [${start},${end}] (record time ${record.timestamp}, windows closed up to ${closeTime})`,
    );
    return true;
  }

  /**
   * This record's right window `[t + 1, t + 1 + d]` holds the later records of the window that
   * seeds it — if it has any (its latest record is after `t`).
   */
  private makeRightWindow(record: KeyedRecord<K, V>, seed: ValueAndTimestamp<VA> | null): void {
    if (seed === null || seed.timestamp <= record.timestamp) return;
    const start = record.timestamp + 1;
    this.store.put(record.key, seed, start);
    this.forward(record, start, seed.value, null, seed.timestamp);
  }

  private forward(record: KeyedRecord<K, V>, start: number, newValue: VA, oldValue: VA | null, timestamp: number): void {
    this.forwarder.maybeForward({
      key: { key: record.key, window: { start, end: start + this.d } },
      value: { newValue, oldValue },
      timestamp,
      headers: record.headers,
    });
  }

  /** The key's windows starting in `[from, to]`, latest first, up to and including the first for which `last` holds. */
  private async windowsLatestFirst(key: K, from: number, to: number, last: (w: StoredWindow<VA>) => boolean): Promise<StoredWindow<VA>[]> {
    // Read first, write after: nothing is put into the store while its iterator is open.
    const out: StoredWindow<VA>[] = [];
    const it = this.store.backwardFetchRange(key, from, to);
    try {
      for await (const { key: start, value } of it) {
        const w = { start, agg: value };
        out.push(w);
        if (last(w)) break;
      }
    } finally {
      await it.close();
    }
    return out;
  }

  private async windowsEarliestFirst(key: K, from: number, to: number): Promise<StoredWindow<VA>[]> {
    const out: StoredWindow<VA>[] = [];
    const it = this.store.fetchRange(key, from, to);
    try {
      for await (const { key: start, value } of it) out.push({ start, agg: value });
    } finally {
      await it.close();
    }
    return out;
  }
}
