// One command: node examples/fraud-sessions/run.mjs (after npm run build)
// Session windows per card; one alert per closed session that spent more than the limit.
import { buildTopology, expectedAlerts, LIMIT } from './topology.mjs';
import { runOnEmbeddedBroker } from '../support/embedded.mjs';

const cards = ['4111-1', '4111-2', '4111-3', '4111-4', '4111-5'];
const base = Date.parse('2026-12-01T09:00:00Z');
/** @type {import('./topology.mjs').Transaction[]} */
const transactions = [];
let t = base;
for (let i = 0; i < 300; i++) {
  t += i % 40 === 39 ? 7 * 60_000 : 20_000; // a pause longer than the gap ends everyone's sessions now and then
  const card = cards[(i * 3) % cards.length];
  // Card 3 spends heavily; card 5 has one burst. The others stay under the limit.
  const amount = card === '4111-3' ? 150 : card === '4111-5' && i > 200 && i < 240 ? 400 : 10 + ((i * 37) % 60);
  transactions.push({ card, amount, time: t });
}
for (const card of cards) transactions.push({ card, amount: 1, time: t + 60 * 60_000 }); // an hour later: closes the rest

const expected = expectedAlerts(transactions);
const records = await runOnEmbeddedBroker({
  applicationId: 'fraud-sessions',
  // Stream time, which closes sessions, is per partition: one partition keeps expectedAlerts() simple.
  topics: [{ topic: 'card-transactions', partitions: 1 }, 'fraud-alerts'],
  topology: buildTopology(),
  produce: (p) =>
    p.send({
      topic: 'card-transactions',
      messages: transactions.map((x) => ({ key: x.card, value: JSON.stringify({ amount: x.amount }), timestamp: String(x.time) })),
    }),
  output: {
    topic: 'fraud-alerts',
    decode: (m) => /** @type {{ card: string, from: string, to: string, count: number, total: number }} */ (JSON.parse(String(m.value))),
  },
  done: (rs) => rs.length >= expected.length,
});

for (const a of records.slice(0, 6)) console.log(`ALERT ${a.card}: ${a.count} transactions, ${a.total} spent between ${a.from} and ${a.to}`);
if (records.length > 6) console.log(`… ${records.length} alerts in all (limit ${LIMIT} per session)`);
const key = (/** @type {{ card: string, total: number, count: number }} */ a) => `${a.card}|${a.total}|${a.count}`;
const got = records.map(key).sort();
const want = expected.map(key).sort();
if (JSON.stringify(got) === JSON.stringify(want)) {
  console.log(`OK: ${got.length} alerts, one per session over the limit, equal to the sessions computed from the transactions`);
} else {
  console.log(`WRONG: got ${got.length} alerts, expected ${want.length}\n got:  ${got.join(' ')}\n want: ${want.join(' ')}`);
  process.exitCode = 1;
}
