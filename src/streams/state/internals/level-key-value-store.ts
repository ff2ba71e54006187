/**
 * The bottom of every key-value store: LevelDB (`classic-level`) on disk, or `memory-level` in
 * memory — the same code over either, both abstract-level databases.
 *
 * Nothing uncommitted reaches the database (docs/streams-internals.md, "The transaction buffer").
 * Writes collect in `writes` until `commit(changelogOffsets)`, which turns them into one LevelDB
 * batch together with the changelog offsets they reflect; `rollback()` forgets them. A committed
 * batch is written in the background — the processing loop does not wait for the disk — and stays
 * readable from `committing` until LevelDB has it, so reads always see, newest first: the open
 * transaction, batches being written, the database.
 *
 * Layout: `0x01 ‖ key` → `timestamp (8 bytes, big-endian) ‖ value`; `0x00 ‖ name` → store metadata:
 * `changelog-offset:<partition>` is the next offset to restore from in that changelog partition, as
 * a decimal string (a task's store has one partition; a global store one per partition of its topic).
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import type { AbstractLevel } from 'abstract-level';
import { ClassicLevel } from 'classic-level';
import { MemoryLevel } from 'memory-level';
import { StateStoreError } from '../../errors.js';
import type { BytesKey, KeyRange, KeyValueBytesStore, StoredValue } from './bytes-store.js';
import { mergeOverlay, overlayOf } from './merge-iterator.js';

type Db = AbstractLevel<Buffer | Uint8Array | string, Buffer, Buffer>;
type Batch = Map<BytesKey, StoredValue | null>;

const DATA = '\x01';
const DATA_END = '\x02';
const META_OFFSET_PREFIX = '\x00changelog-offset:';
const metaOffsetKey = (partition: number): Buffer => Buffer.from(META_OFFSET_PREFIX + partition, 'latin1');

/** Next changelog offset per changelog partition. */
export type ChangelogOffsets = ReadonlyMap<number, number>;

export interface LevelStoreOptions {
  name: string;
  /** The store's directory; absent for an in-memory store. */
  location?: string;
}

export class LevelKeyValueBytesStore implements KeyValueBytesStore {
  readonly name: string;
  readonly persistent: boolean;
  private readonly location: string | undefined;
  private db: Db;
  private opening: Promise<void> | null = null;
  private open = false;
  private closed = false;
  /** Set while a fresh (empty) store is still opening: a read that misses the buffers is a miss. */
  private knownEmpty = false;
  private writes: Batch = new Map();
  /** Deletes every key below this with the next commit (expired window segments). */
  private pendingDeleteBelow: BytesKey | null = null;
  /** Committed batches not yet in LevelDB, oldest first (the first may be being written). */
  private committing: Batch[] = [];
  /** The last of `committing` while it waits for the one before to be written; later commits merge into it. */
  private queued: { batch: Batch; offsets: Map<number, number>; deleteBelow: BytesKey | null } | null = null;
  private writing: Promise<void> = Promise.resolve();
  private failure: StateStoreError | null = null;
  private readonly changelogOffsets = new Map<number, number>();

  constructor(options: LevelStoreOptions) {
    this.name = options.name;
    this.location = options.location;
    this.persistent = options.location !== undefined;
    this.db = this.createDb();
  }

  private createDb(): Db {
    const opts = { keyEncoding: 'buffer', valueEncoding: 'buffer' } as const;
    if (this.location === undefined) return new MemoryLevel<Buffer, Buffer>(opts) as unknown as Db;
    mkdirSync(this.location, { recursive: true });
    return new ClassicLevel<Buffer, Buffer>(this.location, opts) as unknown as Db;
  }

  /** Opens the database and reads the changelog offset it holds. */
  async openStore(): Promise<void> {
    if (this.opening === null) {
      this.opening = this.doOpen().catch((e: unknown) => {
        this.opening = null;
        throw e;
      });
    }
    return this.opening;
  }

  /**
   * Starts opening a store known to be empty (a new directory, or in memory) and makes it usable at
   * once: until the database is open, reads that miss the buffers are misses. For the
   * TopologyTestDriver, whose `pipeInput` is synchronous.
   */
  openEmpty(): void {
    if (this.location !== undefined && readdirSync(this.location).length > 0) {
      throw new StateStoreError(`Store ${this.name}: ${this.location} is not empty`);
    }
    this.knownEmpty = true;
    this.writing = this.openStore().catch((e: unknown) => {
      this.failure = e instanceof StateStoreError ? e : new StateStoreError(`Cannot open store ${this.name}: ${String(e)}`, e);
    });
  }

  private async doOpen(): Promise<void> {
    try {
      await this.db.open();
    } catch (e) {
      throw new StateStoreError(`Cannot open store ${this.name}${this.location ? ` at ${this.location}` : ''}: ${(e as Error).message}`, e);
    }
    this.changelogOffsets.clear();
    for await (const [k, v] of this.db.iterator({
      gte: Buffer.from(META_OFFSET_PREFIX, 'latin1'),
      lt: Buffer.from(META_OFFSET_PREFIX.slice(0, -1) + ';', 'latin1'),
    })) {
      this.changelogOffsets.set(Number(k.toString('latin1', META_OFFSET_PREFIX.length)), Number(v.toString('latin1')));
    }
    this.open = true;
    this.knownEmpty = false;
  }

  isOpen(): boolean {
    return this.open && !this.closed;
  }

  /** The offset in a changelog partition the data on disk (plus batches being written) reflects; null if none. */
  committedChangelogOffset(partition: number): number | null {
    return this.changelogOffsets.get(partition) ?? null;
  }

  get(key: BytesKey): StoredValue | undefined {
    this.check();
    const w = this.writes.get(key);
    if (w !== undefined) return w ?? undefined;
    for (let i = this.committing.length - 1; i >= 0; i--) {
      const c = this.committing[i].get(key);
      if (c !== undefined) return c ?? undefined;
    }
    if (!this.open) {
      if (this.knownEmpty) return undefined;
      throw new StateStoreError(`Store ${this.name} is not open`);
    }
    const raw = this.db.getSync(Buffer.from(DATA + key, 'latin1'));
    return raw === undefined ? undefined : decodeValue(raw);
  }

  put(key: BytesKey, value: StoredValue | null): void {
    this.check();
    this.writes.set(key, value);
  }

  /** Whether the open transaction has writes. */
  hasUncommittedWrites(): boolean {
    return this.writes.size > 0;
  }

  uncommittedWriteCount(): number {
    return this.writes.size;
  }

  /**
   * Ends the open transaction: its writes, and the changelog offset they bring the store to (when
   * the store is logged and wrote to its changelog), go to LevelDB in one batch. While the batch
   * before is still waiting its turn, this one is merged into it (one write of the later state):
   * commits made faster than LevelDB writes — a TopologyTestDriver piping records in a loop, which
   * gives the writes no turn at all — then cost one batch, not one each, and reads look through a
   * bounded number of batches instead of one per commit.
   */
  commit(offsets: ChangelogOffsets | null): void {
    this.check();
    const changed = offsets === null ? [] : [...offsets].filter(([p, o]) => this.changelogOffsets.get(p) !== o);
    const deleteBelow = this.pendingDeleteBelow;
    this.pendingDeleteBelow = null;
    if (this.writes.size === 0 && changed.length === 0 && deleteBelow === null) return;
    const batch = this.writes;
    this.writes = new Map();
    for (const [p, o] of changed) this.changelogOffsets.set(p, o);
    const queued = this.queued;
    if (queued !== null) {
      for (const [k, v] of batch) queued.batch.set(k, v);
      for (const [p, o] of changed) queued.offsets.set(p, o);
      if (deleteBelow !== null && (queued.deleteBelow === null || deleteBelow > queued.deleteBelow)) queued.deleteBelow = deleteBelow;
      return;
    }
    const next = { batch, offsets: new Map(changed), deleteBelow };
    this.queued = next;
    this.committing.push(batch);
    this.writing = this.writing.then(async () => {
      // From here on this batch is being written: later commits queue a batch of their own.
      if (this.queued === next) this.queued = null;
      if (this.failure) return;
      const ops = [];
      for (const [k, v] of next.batch) {
        const key = Buffer.from(DATA + k, 'latin1');
        ops.push(v === null ? { type: 'del' as const, key } : { type: 'put' as const, key, value: encodeValue(v) });
      }
      for (const [p, o] of next.offsets) ops.push({ type: 'put' as const, key: metaOffsetKey(p), value: Buffer.from(String(o), 'latin1') });
      try {
        await this.db.batch(ops);
        if (next.deleteBelow !== null) await this.db.clear({ gte: Buffer.from(DATA, 'latin1'), lt: Buffer.from(DATA + next.deleteBelow, 'latin1') });
      } catch (e) {
        this.failure = new StateStoreError(`Store ${this.name}: writing a committed batch failed: ${(e as Error).message}`, e);
      }
      this.committing.shift();
    });
  }

  /**
   * Deletes every key below `key` with the next commit — how window and session stores drop expired
   * segments. Readers above filter expired keys themselves, so nothing waits for it.
   */
  deleteBelow(key: BytesKey): void {
    if (this.pendingDeleteBelow === null || key > this.pendingDeleteBelow) this.pendingDeleteBelow = key;
  }

  /** Forgets the open transaction's writes. */
  rollback(): void {
    this.writes.clear();
    this.pendingDeleteBelow = null;
  }

  /** Resolves when every committed batch is in LevelDB; rejects if one could not be written. */
  async flushed(): Promise<void> {
    await this.writing;
    if (this.failure) throw this.failure;
  }

  /**
   * Applies records read from the changelog (restoration): one batch, with the offset to restore
   * from next, so an interrupted restoration resumes where it stopped.
   */
  async restore(records: readonly [BytesKey, StoredValue | null][], partition: number, nextChangelogOffset: number): Promise<void> {
    this.check();
    await this.flushed();
    const ops = [];
    for (const [k, v] of records) {
      const key = Buffer.from(DATA + k, 'latin1');
      ops.push(v === null ? { type: 'del' as const, key } : { type: 'put' as const, key, value: encodeValue(v) });
    }
    ops.push({ type: 'put' as const, key: metaOffsetKey(partition), value: Buffer.from(String(nextChangelogOffset), 'latin1') });
    await this.db.batch(ops);
    this.changelogOffsets.set(partition, nextChangelogOffset);
  }

  /** Deletes everything (data and offset): the store then restores from the changelog's start. */
  async wipe(): Promise<void> {
    await this.flushed();
    this.rollback();
    await this.db.close();
    if (this.location !== undefined) rmSync(this.location, { recursive: true, force: true });
    this.db = this.createDb();
    this.open = false;
    this.opening = null;
    this.changelogOffsets.clear();
    await this.openStore();
  }

  async *range(bounds: KeyRange, reverse: boolean): AsyncIterableIterator<[BytesKey, StoredValue]> {
    if (!this.open) await this.openStore();
    this.check();
    const it = this.db.iterator({
      gte: Buffer.from(DATA + (bounds.gte ?? ''), 'latin1'),
      ...(bounds.lt !== undefined
        ? { lt: Buffer.from(DATA + bounds.lt, 'latin1') }
        : bounds.lte !== undefined
          ? { lte: Buffer.from(DATA + bounds.lte, 'latin1') }
          : { lt: Buffer.from(DATA_END, 'latin1') }),
      reverse,
    });
    async function* fromDb(): AsyncGenerator<[BytesKey, StoredValue]> {
      try {
        for (;;) {
          const entries = await it.nextv(256);
          if (entries.length === 0) return;
          for (const [k, v] of entries) yield [k.toString('latin1', 1), decodeValue(v)];
        }
      } finally {
        await it.close();
      }
    }
    // Buffers over the database, newest first winning: batches being written, then the transaction.
    yield* mergeOverlay(overlayOf([...this.committing, this.writes], bounds), fromDb(), reverse);
  }

  async approximateNumEntries(): Promise<number> {
    let n = 0;
    for await (const _ of this.range({}, false)) n++;
    return n;
  }

  /** Waits for committed batches, then closes the database. Uncommitted writes are dropped. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.writes.clear();
    try {
      await this.writing;
    } finally {
      this.closed = true;
      await this.db.close();
    }
    if (this.failure) throw this.failure;
  }

  private check(): void {
    if (this.closed) throw new StateStoreError(`Store ${this.name} is closed`);
    if (this.failure) throw this.failure;
  }
}

function encodeValue(v: StoredValue): Buffer {
  const out = Buffer.allocUnsafe(8 + v.value.length);
  out.writeInt32BE(Math.floor(v.timestamp / 0x1_0000_0000), 0);
  out.writeUInt32BE(v.timestamp >>> 0, 4);
  v.value.copy(out, 8);
  return out;
}

function decodeValue(raw: Buffer): StoredValue {
  return { timestamp: raw.readInt32BE(0) * 0x1_0000_0000 + raw.readUInt32BE(4), value: raw.subarray(8) };
}
