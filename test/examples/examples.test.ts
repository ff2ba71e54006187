/**
 * The runnable examples, each one command on an embedded broker: each compares its output (read
 * read_committed) with what it computes from its input independently of the topology, and prints
 * OK — the test runs them as a user would and checks that.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

function run(script: string): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [resolve(ROOT, script)], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, LOG_LEVEL: 'error' },
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('examples', () => {
  it('word-count: on the embedded broker, every count exactly once and in order', () => {
    const r = run('examples/word-count/run.mjs');
    expect(r.out, r.out).toMatch(/OK: \d+ words, \d+ updates, every count exactly once/);
    expect(r.status).toBe(0);
  }, 150_000);

  it('page-views: hopping one-minute windows, one suppressed final count per window, each once', () => {
    const r = run('examples/page-views/run.mjs');
    expect(r.out, r.out).toMatch(/OK: \d+ final counts, each once/);
    expect(r.status).toBe(0);
  }, 150_000);

  it('fraud-sessions: one alert per closed session over the limit', () => {
    const r = run('examples/fraud-sessions/run.mjs');
    expect(r.out).toMatch(/OK: [1-9]\d* alerts/);
    expect(r.status).toBe(0);
  }, 150_000);
});
