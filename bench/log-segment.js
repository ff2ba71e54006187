/**
 * node bench/log-segment.js (after `npm run build`): the LogSegment operations that walk batch
 * headers — append, read (translateOffset), findOffsetByTimestamp, recover, loadTail — timed on a
 * segment of small batches in a temporary directory (SKEIN_BENCH_DIR, default /dev/shm when it
 * exists), with the minor GCs each one caused (a proxy for what it allocates).
 *
 * For comparing one version of log-segment.ts with another on the same machine: the numbers are
 * medians of ROUNDS runs in one process; run it once per build (SKEIN_BENCH_DIST names another
 * build's dist/ directory), alternating, and compare the lines.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants, PerformanceObserver, performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { median } from './support/stats.js';

// SKEIN_BENCH_DIST: another build's dist/ (e.g. a copy of the one before a change), for side-by-side runs.
const dist = process.env.SKEIN_BENCH_DIST ? pathToFileURL(process.env.SKEIN_BENCH_DIST + '/').href : new URL('../dist/', import.meta.url).href;
const { LogSegment } = await import(new URL('broker/log/log-segment.js', dist).href);
const { encodeRecordBatch } = await import(new URL('protocol/record-batch.js', dist).href);

const ROUNDS = Number(process.env.ROUNDS ?? 7);
const BATCHES_PER_APPEND = 16;
const APPENDS = 4000;
const RECORD = Buffer.alloc(100, 'x');
const T0 = 1_700_000_000_000;
const base = process.env.SKEIN_BENCH_DIR ?? (existsSync('/dev/shm') ? '/dev/shm' : tmpdir());

/** @typedef {Record<string, Array<{ ms: number, ops: number, gcs: number }>>} Results */

let minorGcs = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries())
    if (/** @type {import('node:perf_hooks').PerformanceEntry & { detail?: { kind?: number } }} */ (e).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR)
      minorGcs++;
}).observe({ entryTypes: ['gc'] });

/**
 * One append's bytes: BATCHES_PER_APPEND batches of 4 records each, offsets assigned from `first`.
 * @param {number} first
 * @param {number} ts
 */
function appendBytes(first, ts) {
  const parts = [];
  for (let b = 0; b < BATCHES_PER_APPEND; b++) {
    const batch = encodeRecordBatch({ records: [0, 1, 2, 3].map(() => ({ key: null, value: RECORD })), timestamp: BigInt(ts + b) });
    batch.writeBigInt64BE(BigInt(first + b * 4), 0);
    parts.push(batch);
  }
  return Buffer.concat(parts);
}

const opts = { indexIntervalBytes: 4096, maxIndexSize: 10 * 1024 * 1024, now: T0 };
/** @type {Buffer[]} */
const template = [];
for (let i = 0; i < APPENDS; i++) template.push(appendBytes(i * BATCHES_PER_APPEND * 4, T0 + i * BATCHES_PER_APPEND));
const lastOffset = APPENDS * BATCHES_PER_APPEND * 4 - 1;

const settle = () => new Promise((r) => setTimeout(r, 20));

/**
 * @param {string} name
 * @param {Results} results
 * @param {() => number} fn the operations done
 */
async function time(name, results, fn) {
  // GC entries reach the observer on a later turn of the event loop: let earlier ones arrive first.
  await settle();
  const gcsBefore = minorGcs;
  const t = performance.now();
  const ops = fn();
  const ms = performance.now() - t;
  await settle();
  (results[name] ??= []).push({ ms, ops, gcs: minorGcs - gcsBefore });
}

/** @type {Results} */
const results = {};
for (let round = 0; round < ROUNDS; round++) {
  const dir = mkdtempSync(join(base, 'skein-seg-bench-'));
  try {
    const seg = LogSegment.create(dir, 0, opts);
    await time('append (16 batches each)', results, () => {
      for (let i = 0; i < APPENDS; i++) {
        const bytes = template[i];
        seg.append(bytes, (i + 1) * BATCHES_PER_APPEND * 4 - 1, T0 + i * BATCHES_PER_APPEND + BATCHES_PER_APPEND - 1, (i + 1) * BATCHES_PER_APPEND * 4 - 1);
      }
      return APPENDS;
    });
    const reads = 20000;
    await time('read 64 KB at a random offset', results, () => {
      let seed = 7;
      for (let i = 0; i < reads; i++) {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        seg.read(seed % lastOffset, 65536);
      }
      return reads;
    });
    await time('translateOffset at a random offset', results, () => {
      let seed = 11;
      for (let i = 0; i < reads; i++) {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        seg.translateOffset(seed % lastOffset);
      }
      return reads;
    });
    const searches = 5000;
    await time('findOffsetByTimestamp', results, () => {
      let seed = 13;
      for (let i = 0; i < searches; i++) {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        seg.findOffsetByTimestamp(T0 + (seed % (APPENDS * BATCHES_PER_APPEND)));
      }
      return searches;
    });
    seg.close();
    const recovering = LogSegment.open(dir, 0, opts);
    await time(`recover (${(recovering.size / 1e6).toFixed(1)} MB)`, results, () => {
      for (let i = 0; i < 3; i++) recovering.recover();
      return 3;
    });
    await time('loadTail', results, () => {
      for (let i = 0; i < 2000; i++) recovering.loadTail();
      return 2000;
    });
    recovering.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`LogSegment, ${ROUNDS} rounds, medians (node ${process.version}):`);
for (const [name, runs] of Object.entries(results)) {
  const ms = median(runs.map((r) => r.ms));
  const ops = runs[0].ops;
  const gcs = median(runs.map((r) => r.gcs));
  console.log(`  ${name.padEnd(38)} ${((ms * 1000) / ops).toFixed(2).padStart(9)} µs/op   ${String(gcs).padStart(4)} minor GCs per ${ops} ops`);
}
