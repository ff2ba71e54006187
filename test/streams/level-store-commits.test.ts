/**
 * Commits made faster than LevelDB writes them — a TopologyTestDriver piping records in a loop gives
 * the writes no turn at all — are merged into the batch still waiting its turn: reads stay correct
 * and look through a bounded number of batches (before, one batch per commit piled up, and the
 * driver slowed down quadratically: 1,600 word-count lines took 9.8 s, 800 took 1.4 s), and what
 * reaches the disk is the state of the last commit with its changelog offset.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LevelKeyValueBytesStore } from '../../src/streams/state/internals/level-key-value-store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const value = (n: number) => ({ value: Buffer.from(String(n)), timestamp: n });
const read = (store: LevelKeyValueBytesStore, key: string) => store.get(key)?.value.toString();

describe('LevelDB store: commits faster than the disk', () => {
  it('merges them into the waiting batch; reads see the latest value; the disk gets the last commit and its offset', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skein-commits-'));
    dirs.push(dir);
    const store = new LevelKeyValueBytesStore({ name: 'commits', location: dir });
    await store.openStore();
    const commits = 5005; // a multiple of 7: the last `gone` key written is never deleted
    for (let i = 1; i <= commits; i++) {
      store.put(`k${i % 100}`, value(i));
      if (i % 7 === 0) store.put(`gone${i}`, value(i));
      if (i % 7 === 1 && i > 7) store.put(`gone${i - 1}`, null);
      store.commit(new Map([[0, i]]));
      expect(read(store, `k${i % 100}`)).toBe(String(i));
      expect(read(store, `k${(i + 1) % 100}`)).toBe(i >= 100 ? String(i - 99) : undefined);
      // Without a turn of the event loop nothing was written: all of it waits in one batch.
      expect((store as unknown as { committing: unknown[] }).committing.length).toBeLessThanOrEqual(2);
    }
    await store.flushed();
    await store.close();

    const reopened = new LevelKeyValueBytesStore({ name: 'commits', location: dir });
    await reopened.openStore();
    expect(reopened.committedChangelogOffset(0)).toBe(commits);
    for (let k = 0; k < 100; k++) {
      const last = commits - ((commits - k) % 100);
      expect(read(reopened, `k${k}`)).toBe(String(last));
    }
    const gone: string[] = [];
    for await (const [key] of reopened.range({ gte: 'gone', lt: 'gonf' }, false)) gone.push(key);
    // Every `gone` key was deleted by the commit after the one that wrote it, but the last.
    expect(gone).toEqual([`gone${commits}`]);
    await reopened.close();
  });

  it('keeps batches that are already being written apart from later commits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skein-commits-'));
    dirs.push(dir);
    const store = new LevelKeyValueBytesStore({ name: 'commits', location: dir });
    await store.openStore();
    for (let i = 1; i <= 200; i++) {
      store.put('k', value(i));
      store.commit(new Map([[0, i]]));
      if (i % 10 === 0) await new Promise((r) => setImmediate(r));
      expect(read(store, 'k')).toBe(String(i));
    }
    await store.flushed();
    expect(read(store, 'k')).toBe('200');
    await store.close();
    const reopened = new LevelKeyValueBytesStore({ name: 'commits', location: dir });
    await reopened.openStore();
    expect(reopened.committedChangelogOffset(0)).toBe(200);
    expect(read(reopened, 'k')).toBe('200');
    await reopened.close();
  });
});
