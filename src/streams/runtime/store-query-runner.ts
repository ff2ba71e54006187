/**
 * Runs an interactive query (a `StoreQuery`) against the copies of one store a thread has — one per
 * running task, or the one global store. A key lives in one task's store, so a point read answers
 * from the first store that has the key; scans concatenate the stores' answers (each in key order,
 * as Kafka Streams' composite stores do); `approximateNumEntries` adds them up.
 *
 * Only the read-only methods of the query's store kind can be called, so a query can never write.
 */
import { InvalidStateStoreError } from '../errors.js';
import type { StateStore } from '../state/state-store.js';
import type { StoreQuery } from './thread-protocol.js';

type Shape = 'point' | 'scan' | 'count';

/** The read-only methods of each kind of store, and what they return. */
const READ_METHODS: Readonly<Record<StoreQuery['kind'], Readonly<Record<string, Shape>>>> = {
  keyValue: { get: 'point', range: 'scan', reverseRange: 'scan', all: 'scan', reverseAll: 'scan', approximateNumEntries: 'count' },
  window: { fetch: 'point', fetchRange: 'scan', backwardFetchRange: 'scan', fetchAll: 'scan', all: 'scan' },
  session: { fetchSession: 'point', fetch: 'scan', findSessions: 'scan', all: 'scan' },
};

export function queryShape(q: Pick<StoreQuery, 'kind' | 'op'>): Shape {
  const shape = READ_METHODS[q.kind]?.[q.op];
  if (shape === undefined) throw new InvalidStateStoreError(`${q.op} is not a read of a ${q.kind} store`);
  return shape;
}

export async function runStoreQuery(stores: readonly StateStore[], q: StoreQuery): Promise<unknown> {
  const shape = queryShape(q);
  const value = (v: unknown): unknown => (q.stripTimestamps && v !== null && typeof v === 'object' && 'value' in v ? (v as { value: unknown }).value : v);
  const args = q.args.map(reviveBuffer);
  const call = (s: StateStore): unknown => {
    const fn = (s as unknown as Record<string, unknown>)[q.op];
    if (typeof fn !== 'function') throw new InvalidStateStoreError(`Store ${q.store} is not a ${q.kind} store (it has no ${q.op})`);
    return (fn as (...a: unknown[]) => unknown).apply(s, args);
  };
  switch (shape) {
    case 'point': {
      for (const s of stores) {
        const v = call(s);
        if (v !== undefined && v !== null) return value(v);
      }
      return undefined;
    }
    case 'scan': {
      const out: { key: unknown; value: unknown }[] = [];
      for (const s of stores) {
        for await (const e of call(s) as AsyncIterable<{ key: unknown; value: unknown }>) out.push({ key: e.key, value: value(e.value) });
      }
      return out;
    }
    case 'count': {
      let n = 0;
      for (const s of stores) n += await (call(s) as Promise<number>);
      return n;
    }
  }
}

/** A Buffer crosses threads as a Uint8Array (structured clone): make it a Buffer again. */
export function reviveBuffer(v: unknown): unknown {
  return v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : v;
}

/** An answer from a worker with its Buffers revived: the value, or the keys and values of a scan (and a windowed key's key). */
export function reviveAnswer(v: unknown): unknown {
  if (!Array.isArray(v)) return reviveBuffer(v);
  return v.map((e: { key: unknown; value: unknown }) => {
    const k = e.key;
    const key = k !== null && typeof k === 'object' && 'window' in k && 'key' in k ? { ...k, key: reviveBuffer((k as { key: unknown }).key) } : reviveBuffer(k);
    return { key, value: reviveBuffer(e.value) };
  });
}
