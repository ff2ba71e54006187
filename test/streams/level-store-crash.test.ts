/**
 * Invariant 6's local half: a LevelDB store reopened after its process was SIGKILLed mid-write holds
 * exactly one committed batch — all of it, with the changelog offset written with it — never part of
 * one, and never less than a batch reported as flushed before the kill.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LevelKeyValueBytesStore } from '../../src/streams/state/internals/level-key-value-store.js';

const WRITER = resolve(import.meta.dirname, '../support/level-store-writer.mjs');
const KEYS = 2000;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function runAndKill(dir: string, afterFlushes: number): Promise<number> {
  const child = spawn(process.execPath, [WRITER, dir, String(KEYS)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let lastFlushed = -1;
  let seen = 0;
  await new Promise<void>((res, rej) => {
    child.stdout.on('data', (d: Buffer) => {
      for (const m of d.toString().matchAll(/flushed (\d+)/g)) {
        lastFlushed = Number(m[1]);
        // Kill at a different point in the write cycle each time.
        if (++seen >= afterFlushes) setTimeout(() => child.kill('SIGKILL'), seen % 3);
      }
    });
    child.once('exit', (_code, signal) => (signal === 'SIGKILL' ? res() : rej(new Error(`writer exited without being killed (${signal})`))));
  });
  return lastFlushed;
}

describe('LevelDB store after SIGKILL', () => {
  it('holds exactly the last committed batch and its changelog offset, never a partial one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skein-crash-'));
    dirs.push(dir);
    let previousOffset = 0;
    for (let round = 1; round <= 5; round++) {
      const flushed = await runAndKill(dir, 3 + round);
      const store = new LevelKeyValueBytesStore({ name: 'crash', location: dir });
      await store.openStore();
      const offset = store.committedChangelogOffset(0) as number;
      expect(offset % KEYS).toBe(0);
      const batch = offset / KEYS - 1;
      expect(batch).toBeGreaterThanOrEqual(flushed);
      expect(offset).toBeGreaterThan(previousOffset);
      previousOffset = offset;
      const values = new Set<string>();
      for await (const [, v] of store.range({}, false)) values.add(v.value.toString());
      let count = 0;
      for (let k = 0; k < KEYS; k++) if (store.get(`k${k}`) !== undefined) count++;
      expect(count).toBe(KEYS);
      expect([...values]).toEqual([String(batch)]);
      await store.close();
    }
  }, 60_000);
});
