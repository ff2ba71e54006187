import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LevelKeyValueBytesStore } from '../state/internals/level-key-value-store.js';
import { isStoreLocked } from './task-manager.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('isStoreLocked', () => {
  it('recognises the error of opening a store another thread holds open, so the task waits for it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skein-store-lock-'));
    dirs.push(dir);
    const holder = new LevelKeyValueBytesStore({ name: 'sum', location: join(dir, 'sum') });
    await holder.openStore();
    const second = new LevelKeyValueBytesStore({ name: 'sum', location: join(dir, 'sum') });
    const error = await second.openStore().then(
      () => null,
      (e: unknown) => e,
    );
    await holder.close();
    // What the store throws says only "Database failed to open"; the lock is in its causes.
    expect(String((error as Error).message)).toMatch(/Cannot open store sum at .*: Database failed to open/);
    expect(isStoreLocked(error)).toBe(true);
    expect(isStoreLocked(new Error('Cannot open store sum: Corruption: bad block'))).toBe(false);
  });
});
