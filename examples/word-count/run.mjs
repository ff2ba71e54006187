// One command: node examples/word-count/run.mjs (after npm run build)
// The word count on an embedded broker, exactly once: lines in, a running count per word out
// (through a repartition topic), checked against counts computed from the lines.
import { topology } from './topology.mjs';
import { runOnEmbeddedBroker } from '../support/embedded.mjs';

const text = [
  'the quick brown fox jumps over the lazy dog',
  'the dog barks and the fox runs',
  'a quick movement of the enemy will jeopardize six gunboats',
  'all that glitters is not gold',
];
const lines = Array.from({ length: 200 }, (_, i) => text[i % text.length]);
const expected = new Map();
for (const l of lines) for (const w of l.split(/\W+/).filter((x) => x.length > 0)) expected.set(w, (expected.get(w) ?? 0) + 1);
const updates = [...expected.values()].reduce((a, b) => a + b, 0);

const records = await runOnEmbeddedBroker({
  applicationId: 'wordcount',
  topics: ['text-lines', 'word-counts'],
  topology: topology(),
  props: { 'statestore.cache.max.bytes': 0 },
  produce: (p) => p.send({ topic: 'text-lines', messages: lines.map((value) => ({ value })) }),
  output: { topic: 'word-counts', decode: (m) => ({ word: String(m.key), count: Number(/** @type {Buffer} */ (m.value).readBigInt64BE(0)) }) },
  done: (rs) => rs.length >= updates,
});

const final = new Map();
const seen = new Map();
let wrong = 0;
for (const r of records) {
  // Without a cache every input word gives one update: 1, 2, 3, … per word, none skipped or repeated.
  if (r.count !== (seen.get(r.word) ?? 0) + 1) wrong++;
  seen.set(r.word, r.count);
  final.set(r.word, r.count);
}
for (const [w, n] of [...final].sort((a, b) => b[1] - a[1]).slice(0, 5)) console.log(`${w.padEnd(8)} ${n}`);
const same = [...expected].every(([w, n]) => final.get(w) === n) && final.size === expected.size;
if (same && wrong === 0 && records.length === updates) {
  console.log(`OK: ${final.size} words, ${records.length} updates, every count exactly once and in order`);
} else {
  console.log(`WRONG: ${records.length} updates (expected ${updates}), ${wrong} out of sequence, final counts match: ${same}`);
  process.exitCode = 1;
}
