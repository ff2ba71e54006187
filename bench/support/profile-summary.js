/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time per function and total (inclusive)
 * time per function, as % of all samples, hottest first.
 *
 *   node bench/support/profile-summary.js <file.cpuprofile> [rows=30]
 *
 * To profile the broker under the benchmark's load:
 *   SKEIN_BENCH_BROKER_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" npm run bench
 */
import { readFileSync } from 'node:fs';

const [file, rowsArg] = process.argv.slice(2);
const rows = Number(rowsArg ?? 30);
/** @typedef {{ id: number, callFrame: { functionName: string, url: string, lineNumber: number }, children?: number[] }} ProfileNode */
/** @type {{ nodes: ProfileNode[], samples: number[], startTime: number, endTime: number }} */
const profile = JSON.parse(readFileSync(file, 'utf8'));

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const selfCount = new Map();
for (const id of profile.samples) selfCount.set(id, (selfCount.get(id) ?? 0) + 1);
const total = profile.samples.length;

/** @param {ProfileNode} n */
const label = (n) => {
  const f = n.callFrame;
  const where = f.url ? `${f.url.replace(/^.*\/(dist|node_modules)\//, '$1/').replace(/^node:/, 'node:')}:${f.lineNumber + 1}` : '';
  return `${f.functionName || '(anonymous)'} ${where}`.trim();
};

const self = new Map();
const inclusive = new Map();
for (const [id, count] of selfCount) {
  const key = label(/** @type {ProfileNode} */ (byId.get(id)));
  self.set(key, (self.get(key) ?? 0) + count);
  // Count each function once per sample, however deep its recursion.
  const seen = new Set();
  for (let at = id; at !== undefined; at = parent.get(at)) {
    const k = label(/** @type {ProfileNode} */ (byId.get(at)));
    if (seen.has(k)) continue;
    seen.add(k);
    inclusive.set(k, (inclusive.get(k) ?? 0) + count);
  }
}

/** @param {number} n */
const pct = (n) => `${((100 * n) / total).toFixed(1).padStart(5)}%`;
/** @param {Map<string, number>} m */
const top = (m) => [...m].sort((a, b) => b[1] - a[1]).slice(0, rows);
const seconds = (profile.endTime - profile.startTime) / 1e6;
process.stdout.write(`${file}: ${total} samples over ${seconds.toFixed(1)} s\n\nself time\n`);
for (const [k, n] of top(self)) process.stdout.write(`${pct(n)}  ${k}\n`);
process.stdout.write('\ntotal time (including callees)\n');
for (const [k, n] of top(inclusive)) process.stdout.write(`${pct(n)}  ${k}\n`);
