/**
 * The typed top of window and session stores: keys and values through serdes, composite keys
 * through the key schemas, and retention. Below it is the same stack as a key-value store's
 * (caching → change-logging → LevelDB with the transaction buffer), so windows get the same commit,
 * changelog and restoration for free.
 *
 * Retention: the store tracks the largest window start (session end) it was given and the task's
 * stream time; windows more than `retentionMs` behind are invisible at once and deleted — whole
 * segments at a time — with the next commit. A write into an expired window is dropped, as in Kafka
 * Streams.
 */
import type { Serde } from '../../../serdes/serde.js';
import type { KeyValue } from '../../processor/stream-record.js';
import type { SessionStore, StoreIterator, WindowStore, Windowed } from '../window-store.js';
import { type BytesKey, type KeyRange, type KeyValueBytesStore, type StoredValue, fromBytesKey } from './bytes-store.js';
import { CachingKeyValueBytesStore } from './caching-key-value-store.js';
import { storeKey, type ValueCodec } from './metered-key-value-store.js';
import type { LevelKeyValueBytesStore } from './level-key-value-store.js';
import type { StoreContext } from './store-context.js';
import { SessionKeySchema, Segments, WindowKeySchema, readU64, segmentIntervalFor, u64 } from './window-key-schema.js';

export type WindowFlushListener<K, V> = (key: Windowed<K>, newValue: V | null, oldValue: V | null, timestamp: number) => void;

/** What window and session stores share: serdes, segments, retention. */
abstract class MeteredSegmentedStore<K, OV> {
  protected readonly segments: Segments;
  protected readonly serdeTopic: string;
  /** The largest window start (session end) seen, or the task's stream time if larger. */
  private observed = -1;
  /** `observed` as of the last commit: a rollback goes back to it, as the store's data does. */
  private committedObserved = -1;
  private expiredBelow = 0;

  constructor(
    readonly inner: KeyValueBytesStore,
    protected readonly bottom: LevelKeyValueBytesStore,
    protected readonly keySerde: Serde<K>,
    protected readonly codec: ValueCodec<OV>,
    protected readonly context: StoreContext,
    changelogTopic: string | null,
    readonly retentionMs: number,
  ) {
    this.segments = new Segments(segmentIntervalFor(retentionMs));
    this.serdeTopic = changelogTopic ?? inner.name;
  }

  get name(): string {
    return this.inner.name;
  }

  get persistent(): boolean {
    return this.inner.persistent;
  }

  get timestamped(): boolean {
    return this.codec.timestamped;
  }

  get cachingEnabled(): boolean {
    return this.inner instanceof CachingKeyValueBytesStore;
  }

  protected streamTime(): number {
    return Math.max(this.observed, this.context.currentStreamTime());
  }

  /** Times at or below this are expired. */
  protected expiryTime(): number {
    return this.streamTime() - this.retentionMs;
  }

  /** Called by the task's state manager when the store's transaction is committed. */
  onCommit(): void {
    this.committedObserved = this.observed;
  }

  /**
   * Called when the store's transaction is rolled back: what the rolled-back writes observed must
   * not expire windows when the records are processed again (they would read as absent, and writes
   * to them be dropped). The segment deletion they asked for went with the transaction; ask again.
   */
  onRollback(): void {
    this.observed = this.committedObserved;
    this.expiredBelow = 0;
  }

  /** Notes `time` and deletes the segments it expired (with the next commit). */
  protected observe(time: number): void {
    if (time > this.observed) this.observed = time;
    const minLive = this.segments.segmentId(this.expiryTime() + 1);
    if (minLive > this.expiredBelow) {
      this.expiredBelow = minLive;
      this.bottom.deleteBelow(this.segments.prefix(minLive));
    }
  }

  protected keyOf(key: K): BytesKey {
    return storeKey(this.name, this.keySerde, this.serdeTopic, key);
  }

  protected decodeKey(key: BytesKey): K {
    return this.keySerde.deserialize(this.serdeTopic, fromBytesKey(key)) as K;
  }

  /**
   * The lowest and highest segment that hold an entry (one seek from each end), or null when the
   * store is empty: a time range is scanned segment by segment, and only these can have entries.
   */
  protected async segmentSpan(): Promise<[number, number] | null> {
    const edge = async (reverse: boolean): Promise<BytesKey | undefined> => {
      const it = this.inner.range({}, reverse);
      try {
        const r = await it.next();
        return r.done === true ? undefined : r.value[0];
      } finally {
        await it.return?.(undefined);
      }
    };
    const first = await edge(false);
    if (first === undefined) return null;
    return [readU64(first, 0), readU64((await edge(true)) as BytesKey, 0)];
  }

  /** Entries of several ranges in turn (given, or computed when the scan starts), mapped and filtered, as a closable async iterator. */
  protected iterate<T>(
    ranges: readonly KeyRange[] | (() => Promise<readonly KeyRange[]>),
    reverse: boolean,
    map: (key: BytesKey, value: StoredValue) => T | null,
  ): StoreIterator<T> {
    const inner = this.inner;
    let current: AsyncIterableIterator<[BytesKey, StoredValue]> | null = null;
    async function* gen(): AsyncGenerator<T> {
      const list = typeof ranges === 'function' ? await ranges() : ranges;
      for (const r of reverse ? [...list].reverse() : list) {
        current = inner.range(r, reverse);
        try {
          for await (const [k, v] of current) {
            const out = map(k, v);
            if (out !== null) yield out;
          }
        } finally {
          current = null;
        }
      }
    }
    const g = gen();
    const it = g as unknown as StoreIterator<T>;
    it.close = async () => {
      await g.return(undefined);
    };
    return it;
  }
}

/**
 * Sequence numbers for stores that keep duplicates: they only have to tell apart, and keep in write
 * order, the values written for one key and window. Kafka Streams counts from 0 each time a store
 * opens, so a value written after a task moves or restarts can overwrite one with the same key and
 * timestamp written before it (a lost join result). Here one counter per JavaScript thread (a stream
 * thread's worker has its own) never goes back, and each store that opens moves it up to the wall
 * clock × 2048, so a later owner of a task continues above an earlier one unless that one wrote more
 * than 2,048 values per millisecond since its stores opened, or the new owner's clock is behind the
 * old one's (another host) — then, as in Kafka Streams, a value can still land on an old number
 * (2^53 lasts until the year 2109). The clock is read once per opening, not per write.
 */
const SEQ_PER_MS = 2048;

/** Key lookups over fewer segments than this scan each one without first finding which exist. */
const DIRECT_SEGMENTS = 8;
let lastSeq = 0;

export class MeteredWindowStore<K, OV> extends MeteredSegmentedStore<K, OV> implements WindowStore<K, OV> {
  constructor(
    inner: KeyValueBytesStore,
    bottom: LevelKeyValueBytesStore,
    keySerde: Serde<K>,
    codec: ValueCodec<OV>,
    context: StoreContext,
    changelogTopic: string | null,
    retentionMs: number,
    readonly windowSizeMs: number,
    /** Keep every value written for the same key and window (stream-stream join stores). */
    readonly retainDuplicates: boolean,
  ) {
    super(inner, bottom, keySerde, codec, context, changelogTopic, retentionMs);
    if (retainDuplicates) lastSeq = Math.max(lastSeq, Date.now() * SEQ_PER_MS);
  }

  setFlushListener(listener: WindowFlushListener<K, OV>): boolean {
    if (!(this.inner instanceof CachingKeyValueBytesStore)) return false;
    this.inner.setFlushListener((stored, newValue, oldValue) => {
      const { key, windowStart } = WindowKeySchema.parse(stored, this.retainDuplicates);
      listener(
        { key: this.decodeKey(key), window: { start: windowStart, end: windowStart + this.windowSizeMs } },
        newValue === null ? null : this.codec.fromStored(newValue, this.serdeTopic),
        oldValue === null ? null : this.codec.fromStored(oldValue, this.serdeTopic),
        newValue?.timestamp ?? this.context.recordContext().timestamp,
      );
    });
    return true;
  }

  put(key: K, value: OV | null, windowStart: number): void {
    this.observe(windowStart);
    if (windowStart <= this.expiryTime()) return;
    if (this.retainDuplicates && (value === null || value === undefined)) return;
    const seq = this.retainDuplicates ? ++lastSeq : null;
    const k = WindowKeySchema.key(this.segments, this.keyOf(key), windowStart, seq);
    this.inner.put(k, value === null || value === undefined ? null : this.codec.toStored(value, this.context, this.serdeTopic));
  }

  fetch(key: K, windowStart: number): OV | undefined {
    if (windowStart <= this.expiryTime()) return undefined;
    const v = this.inner.get(WindowKeySchema.key(this.segments, this.keyOf(key), windowStart, null));
    return v === undefined ? undefined : this.codec.fromStored(v, this.serdeTopic);
  }

  fetchRange(key: K, timeFrom: number, timeTo: number): StoreIterator<KeyValue<number, OV>> {
    return this.keyWindows(key, timeFrom, timeTo, false);
  }

  backwardFetchRange(key: K, timeFrom: number, timeTo: number): StoreIterator<KeyValue<number, OV>> {
    return this.keyWindows(key, timeFrom, timeTo, true);
  }

  private keyWindows(key: K, timeFrom: number, timeTo: number, reverse: boolean): StoreIterator<KeyValue<number, OV>> {
    const k = this.keyOf(key);
    const from = Math.max(timeFrom, this.expiryTime() + 1, 0);
    // One range per segment (the key sits between segment and time). A join's or a sliding window's
    // lookup spans a segment or two: those are scanned as they are. A wider range (up to the end of
    // time, from a query) keeps to the segments that exist — billions otherwise — which costs two
    // seeks over the whole store, too much for every record.
    const ranges = async (): Promise<KeyRange[]> => {
      if (from > timeTo) return [];
      let first = this.segments.segmentId(from);
      let last = this.segments.segmentId(timeTo);
      if (last - first >= DIRECT_SEGMENTS) {
        const span = await this.segmentSpan();
        if (span === null) return [];
        first = Math.max(first, span[0]);
        last = Math.min(last, span[1]);
      }
      const out: KeyRange[] = [];
      for (let s = first; s <= last; s++) out.push(WindowKeySchema.keyRange(s, k, from, timeTo, this.retainDuplicates));
      return out;
    };
    return this.iterate(ranges, reverse, (stored, v) => {
      const parsed = WindowKeySchema.parse(stored, this.retainDuplicates);
      return parsed.key === k ? { key: parsed.windowStart, value: this.codec.fromStored(v, this.serdeTopic) } : null;
    });
  }

  fetchAll(timeFrom: number, timeTo: number): StoreIterator<KeyValue<Windowed<K>, OV>> {
    const from = Math.max(timeFrom, this.expiryTime() + 1, 0);
    // The segments from `from`'s to `timeTo`'s are one contiguous range of keys.
    const ranges: KeyRange[] = from <= timeTo ? [{ gte: u64(this.segments.segmentId(from)), lt: u64(this.segments.segmentId(timeTo) + 1) }] : [];
    return this.iterate(ranges, false, (stored, v) => {
      const { key, windowStart } = WindowKeySchema.parse(stored, this.retainDuplicates);
      if (windowStart < from || windowStart > timeTo) return null;
      return {
        key: { key: this.decodeKey(key), window: { start: windowStart, end: windowStart + this.windowSizeMs } },
        value: this.codec.fromStored(v, this.serdeTopic),
      };
    });
  }

  all(): StoreIterator<KeyValue<Windowed<K>, OV>> {
    return this.fetchAll(0, Number.MAX_SAFE_INTEGER);
  }
}

export class MeteredSessionStore<K, OV> extends MeteredSegmentedStore<K, OV> implements SessionStore<K, OV> {
  setFlushListener(listener: WindowFlushListener<K, OV>): boolean {
    if (!(this.inner instanceof CachingKeyValueBytesStore)) return false;
    this.inner.setFlushListener((stored, newValue, oldValue) => {
      const { key, start, end } = SessionKeySchema.parse(stored);
      listener(
        { key: this.decodeKey(key), window: { start, end } },
        newValue === null ? null : this.codec.fromStored(newValue, this.serdeTopic),
        oldValue === null ? null : this.codec.fromStored(oldValue, this.serdeTopic),
        newValue?.timestamp ?? this.context.recordContext().timestamp,
      );
    });
    return true;
  }

  put(session: Windowed<K>, value: OV | null): void {
    this.observe(session.window.end);
    if (session.window.end <= this.expiryTime()) return;
    const k = SessionKeySchema.key(this.segments, this.keyOf(session.key), session.window.start, session.window.end);
    this.inner.put(k, value === null || value === undefined ? null : this.codec.toStored(value, this.context, this.serdeTopic));
  }

  remove(session: Windowed<K>): void {
    this.put(session, null);
  }

  fetchSession(key: K, sessionStart: number, sessionEnd: number): OV | undefined {
    if (sessionEnd <= this.expiryTime()) return undefined;
    const v = this.inner.get(SessionKeySchema.key(this.segments, this.keyOf(key), sessionStart, sessionEnd));
    return v === undefined ? undefined : this.codec.fromStored(v, this.serdeTopic);
  }

  findSessions(key: K, earliestSessionEndTime: number, latestSessionStartTime: number): StoreIterator<KeyValue<Windowed<K>, OV>> {
    return this.sessions(this.keyOf(key), Math.max(earliestSessionEndTime, 0), latestSessionStartTime);
  }

  fetch(key: K): StoreIterator<KeyValue<Windowed<K>, OV>> {
    return this.sessions(this.keyOf(key), 0, Number.MAX_SAFE_INTEGER);
  }

  private sessions(k: BytesKey, endFrom: number, latestStart: number): StoreIterator<KeyValue<Windowed<K>, OV>> {
    const from = Math.max(endFrom, this.expiryTime() + 1);
    const last = this.segments.segmentId(Math.max(this.streamTime(), from));
    const ranges: KeyRange[] = [];
    for (let s = this.segments.segmentId(from); s <= last; s++) ranges.push(SessionKeySchema.keyRange(s, k, from, Number.MAX_SAFE_INTEGER));
    return this.iterate(ranges, false, (stored, v) => {
      const p = SessionKeySchema.parse(stored);
      if (p.key !== k || p.start > latestStart) return null;
      return { key: { key: this.decodeKey(p.key), window: { start: p.start, end: p.end } }, value: this.codec.fromStored(v, this.serdeTopic) };
    });
  }

  all(): StoreIterator<KeyValue<Windowed<K>, OV>> {
    const from = this.segments.segmentId(Math.max(this.expiryTime() + 1, 0));
    return this.iterate([{ gte: u64(from) }], false, (stored, v) => {
      const p = SessionKeySchema.parse(stored);
      if (p.end <= this.expiryTime()) return null;
      return { key: { key: this.decodeKey(p.key), window: { start: p.start, end: p.end } }, value: this.codec.fromStored(v, this.serdeTopic) };
    });
  }
}
