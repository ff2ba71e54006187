import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StoredValue } from './bytes-store.js';
import { LevelKeyValueBytesStore } from './level-key-value-store.js';

const v = (s: string): StoredValue => ({ value: Buffer.from(s), timestamp: 1 });
const read = (store: LevelKeyValueBytesStore, key: string): string | undefined => store.get(key)?.value.toString();
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function scan(store: LevelKeyValueBytesStore): Promise<[string, string][]> {
  const out: [string, string][] = [];
  for await (const [k, value] of store.range({}, false)) out.push([k, value.value.toString()]);
  return out;
}

describe('LevelKeyValueBytesStore: committed batches not yet in LevelDB', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  async function openStore(): Promise<LevelKeyValueBytesStore> {
    const dir = mkdtempSync(join(tmpdir(), 'skein-level-store-'));
    dirs.push(dir);
    const store = new LevelKeyValueBytesStore({ name: 'counts', location: join(dir, 'counts') });
    await store.openStore();
    return store;
  }

  it('reads the newest batch, a delete included, while many wait to be written', async () => {
    const store = await openStore();
    // Commits with no turn of the event loop in between, as the TopologyTestDriver makes them:
    // none of these batches is written yet.
    for (let i = 0; i < 1000; i++) {
      store.put('a', v(`a${i}`));
      store.put(`k${i}`, v(`k${i}`));
      store.commit(null);
    }
    store.put('gone', v('x'));
    store.commit(null);
    store.put('gone', null);
    store.commit(null);
    expect(read(store, 'a')).toBe('a999');
    expect(read(store, 'k0')).toBe('k0');
    expect(read(store, 'gone')).toBeUndefined();
    expect(read(store, 'never')).toBeUndefined();
    const scanned = await scan(store);
    expect(scanned.length).toBe(1001);
    expect(scanned.find(([k]) => k === 'a')?.[1]).toBe('a999');
    expect(scanned.some(([k]) => k === 'gone')).toBe(false);

    await store.flushed();
    expect(read(store, 'a')).toBe('a999');
    expect(read(store, 'gone')).toBeUndefined();
    expect((await scan(store)).length).toBe(1001);
    await store.close();
  });

  it('an older batch written to LevelDB does not hide a newer value of the same key still waiting', async () => {
    const store = await openStore();
    // Each turn: a new value of `a` is committed while the previous batches are being written, so
    // batches finish while a newer one for the same key waits.
    // `b` is written every third batch, alternately a value and a delete.
    let b: string | undefined;
    for (let i = 0; i < 200; i++) {
      store.put('a', v(`a${i}`));
      if (i % 3 === 0) {
        b = i % 2 === 0 ? `b${i}` : undefined;
        store.put('b', b === undefined ? null : v(b));
      }
      store.commit(null);
      expect(read(store, 'a')).toBe(`a${i}`);
      await nextTurn();
      expect(read(store, 'a')).toBe(`a${i}`);
      expect(read(store, 'b')).toBe(b);
    }
    await store.flushed();
    expect(read(store, 'a')).toBe('a199');
    expect(read(store, 'b')).toBe('b198');
    expect(await scan(store)).toEqual([
      ['a', 'a199'],
      ['b', 'b198'],
    ]);
    await store.close();
  });
});
