/**
 * The runnable examples (and npm start's program), each one command on an embedded broker: each compares its output (read
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
  it('npm start (examples/quickstart.js): the order-totals application through a SIGKILL, every order exactly once', () => {
    const r = run('examples/quickstart.js');
    expect(r.out, r.out).toMatch(/Exactly once: 600 orders in, 600 in orders-with-tax/);
    expect(r.out).toMatch(/every customer total equals the sum of their orders/);
    expect(r.status).toBe(0);
  }, 150_000);

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

  it('order-enrichment: orders joined with a changing customers table and a products global table, each once', () => {
    const r = run('examples/order-enrichment/run.mjs');
    // Some orders from customers the table did not have (leftJoin), some for unknown products (dropped).
    expect(r.out, r.out).toMatch(
      /OK: \d+ enriched orders, each once, equal to the joins computed from the input \([1-9]\d* from customers the table did not have, [1-9]\d* for products/,
    );
    // The table's semantics: Ann's orders before her upgrade are silver, after it gold; Cat's after her deletion have no customer.
    expect(r.out).toMatch(/before the customer changes:[^]*ann → Ann Berg +silver[^]*after the customer changes:[^]*ann → Ann Berg +gold/);
    expect(r.out).toMatch(/after the customer changes:[^]*cat → null/);
    expect(r.status).toBe(0);
  }, 150_000);
});
