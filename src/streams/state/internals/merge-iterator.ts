/**
 * Scans that see writes not yet in the layer below: the transaction buffer over LevelDB, a cache's
 * dirty entries over the store under it. One merge, used by both.
 */
import { type BytesKey, type KeyRange, type StoredValue, inRange } from './bytes-store.js';

/** Entries of `layers` (oldest first; later layers win) within `bounds`, as a map. Null is a deletion. */
export function overlayOf(layers: Iterable<ReadonlyMap<BytesKey, StoredValue | null>>, bounds: KeyRange): Map<BytesKey, StoredValue | null> {
  const overlay = new Map<BytesKey, StoredValue | null>();
  for (const layer of layers) {
    for (const [k, v] of layer) if (inRange(k, bounds)) overlay.set(k, v);
  }
  return overlay;
}

/** Merges sorted `below` with `overlay`: overlay entries replace or delete those with the same key. */
export async function* mergeOverlay(
  overlay: ReadonlyMap<BytesKey, StoredValue | null>,
  below: AsyncIterableIterator<[BytesKey, StoredValue]>,
  reverse: boolean,
): AsyncGenerator<[BytesKey, StoredValue]> {
  const keys = [...overlay.keys()].sort();
  if (reverse) keys.reverse();
  const before = reverse ? (a: BytesKey, b: BytesKey) => a > b : (a: BytesKey, b: BytesKey) => a < b;
  let o = 0;
  try {
    for await (const entry of below) {
      const k = entry[0];
      for (; o < keys.length && before(keys[o], k); o++) {
        const v = overlay.get(keys[o]);
        if (v) yield [keys[o], v];
      }
      if (o < keys.length && keys[o] === k) {
        const v = overlay.get(keys[o++]);
        if (v) yield [k, v];
        continue;
      }
      yield entry;
    }
    for (; o < keys.length; o++) {
      const v = overlay.get(keys[o]);
      if (v) yield [keys[o], v];
    }
  } finally {
    await below.return?.(undefined);
  }
}
