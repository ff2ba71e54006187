// One command: node examples/page-views/run.mjs (after npm run build)
// Page views per page per minute (hopping windows), final counts only, on an embedded broker.
import { buildTopology, expectedCounts } from './topology.mjs';
import { runOnEmbeddedBroker } from '../support/embedded.mjs';

const pages = ['/home', '/cart', '/checkout', '/docs'];
const base = Date.parse('2026-12-01T12:00:00Z');
/** @type {{ page: string, user: string, time: number }[]} */
const views = [];
for (let i = 0; i < 400; i++) {
  // Mostly in order, every 10th view up to 8 s late (within the 10 s grace), some 20 s late (dropped).
  const late = i % 10 === 0 ? 8_000 : i % 37 === 0 ? 20_000 : 0;
  views.push({ page: pages[(i * 7) % pages.length], user: `u${i % 13}`, time: base + i * 1_000 - late });
}
views.push({ page: '/home', user: 'closer', time: base + 600_000 }); // moves stream time on, closing every window above

const expected = expectedCounts(views);
const records = await runOnEmbeddedBroker({
  applicationId: 'page-views',
  // Stream time — what closes windows — is kept per partition; one input partition keeps the
  // arithmetic of expectedCounts() simple. With more, each partition closes its own windows.
  topics: [{ topic: 'page-views', partitions: 1 }, 'page-view-counts'],
  topology: buildTopology(),
  produce: (p) => p.send({ topic: 'page-views', messages: views.map((v) => ({ key: v.page, value: v.user, timestamp: String(v.time) })) }),
  output: { topic: 'page-view-counts', decode: (m) => ({ key: String(m.key), count: Number(/** @type {Buffer} */ (m.value).readBigInt64BE(0)) }) },
  done: (rs) => rs.length >= expected.size,
});

const got = new Map();
let twice = 0;
for (const r of records) {
  if (got.has(r.key)) twice++;
  got.set(r.key, r.count);
}
const rows = [...expected].sort();
for (const [k, n] of rows.slice(0, 8)) console.log(`${k.padEnd(40)} ${String(got.get(k)).padStart(4)}  (expected ${n})`);
console.log(`… ${rows.length} windows in all`);
const same = rows.every(([k, n]) => got.get(k) === n) && got.size === expected.size;
if (same && twice === 0) {
  console.log(`OK: ${got.size} final counts, each once, equal to the counts computed from the views`);
} else {
  console.log(`WRONG: ${got.size} windows (expected ${expected.size}), ${twice} emitted twice`);
  process.exitCode = 1;
}
