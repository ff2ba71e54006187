// One command: node examples/order-enrichment/run.mjs (after npm run build)
// Orders joined with a customers table (re-keyed by customer, through a repartition topic) and a
// products global table, on an embedded broker; checked against the joins computed from the input.
import { buildTopology, expectedEnrichedOrders } from './topology.mjs';
import { runOnEmbeddedBroker } from '../support/embedded.mjs';

/** @type {Map<string, import('./topology.mjs').Product>} */
const catalogue = new Map([
  ['pen', { name: 'Fountain pen', price: 24.5 }],
  ['ink', { name: 'Ink, blue', price: 6.2 }],
  ['pad', { name: 'Notepad A5', price: 3.75 }],
  ['mug', { name: 'Mug', price: 9 }],
]);
const products = [...catalogue.keys(), 'gift-card']; // gift cards are not in the catalogue: those orders are dropped
/** @type {[string, import('./topology.mjs').Customer][]} */
const firstCustomers = [
  ['ann', { name: 'Ann Berg', tier: 'silver' }],
  ['bob', { name: 'Bob Ito', tier: 'basic' }],
  ['cat', { name: 'Cat Diaz', tier: 'gold' }],
  ['eve', { name: 'Eve Moss', tier: 'basic' }],
];
// Between the two batches of orders: Ann becomes gold, Dan (unknown so far) signs up, Cat closes her account.
/** @type {[string, import('./topology.mjs').Customer | null][]} */
const changes = [
  ['ann', { name: 'Ann Berg', tier: 'gold' }],
  ['dan', { name: 'Dan Okafor', tier: 'silver' }],
  ['cat', null],
];
const buyers = ['ann', 'bob', 'cat', 'dan', 'eve'];
/** @param {number} i @returns {import('./topology.mjs').Order} */
const order = (i) => ({ id: `o${i}`, customer: buyers[i % buyers.length], product: products[(i * 2 + Math.floor(i / 5)) % products.length], qty: 1 + (i % 4) });
const firstOrders = Array.from({ length: 40 }, (_, i) => order(i));
const laterOrders = Array.from({ length: 40 }, (_, i) => order(40 + i));

/** @type {import('./topology.mjs').Event[]} */
const events = [
  ...firstCustomers.map(([customer, value]) => ({ customer, value })),
  ...firstOrders.map((o) => ({ order: o })),
  ...changes.map(([customer, value]) => ({ customer, value })),
  ...laterOrders.map((o) => ({ order: o })),
];
const expected = expectedEnrichedOrders(catalogue, events);
const expectedFirst = expectedEnrichedOrders(catalogue, events.slice(0, firstCustomers.length + firstOrders.length)).length;

const base = Date.parse('2026-12-01T10:00:00Z');
let clock = base;
/** @param {string} key @param {unknown} value */
const message = (key, value) => ({ key, value: value === null ? null : JSON.stringify(value), timestamp: String((clock += 1_000)) });

const records = await runOnEmbeddedBroker({
  applicationId: 'order-enrichment',
  // customers and the repartition topic in front of the join (sized like customers) are co-partitioned.
  topics: [{ topic: 'orders', partitions: 3 }, { topic: 'customers', partitions: 3 }, { topic: 'products', partitions: 2 }, 'enriched-orders'],
  topology: buildTopology(),
  // Written before the start: the products (a global table is read whole before anything is
  // processed) and the first customers (their partitions have them before any order is re-keyed).
  prepare: async (p) => {
    await p.send({ topic: 'products', messages: [...catalogue].map(([id, product]) => message(id, product)) });
    await p.send({ topic: 'customers', messages: firstCustomers.map(([id, c]) => message(id, c)) });
  },
  produce: async (p, output) => {
    await p.send({ topic: 'orders', messages: firstOrders.map((o) => message(o.id, o)) });
    // The customer changes come after every order of the first batch has been enriched...
    await output.waitFor(expectedFirst);
    await p.send({ topic: 'customers', messages: changes.map(([id, c]) => message(id, c)) });
    // ...and before the second batch reaches the join: those orders go through the repartition topic,
    // the changes straight to the table's partitions. A pause makes sure of it on a busy machine.
    await new Promise((r) => setTimeout(r, 1_000));
    await p.send({ topic: 'orders', messages: laterOrders.map((o) => message(o.id, o)) });
  },
  output: {
    topic: 'enriched-orders',
    decode: (m) => ({ key: String(m.key), value: /** @type {import('./topology.mjs').EnrichedOrder} */ (JSON.parse(String(m.value))) }),
  },
  done: (rs) => rs.length >= expected.length,
});

const show = (/** @type {import('./topology.mjs').EnrichedOrder} */ o) =>
  `${o.id.padEnd(4)} ${o.customer} → ${String(o.customerName).padEnd(10)} ${String(o.tier).padEnd(6)} ${o.qty} × ${o.productName.padEnd(12)} ${o.total.toFixed(2).padStart(6)}`;
// Ann's, Cat's and Dan's first orders before and after the customer changes.
for (const [batch, orders] of [
  ['before', firstOrders],
  ['after', laterOrders],
]) {
  const ids = ['ann', 'cat', 'dan'].map((c) => /** @type {typeof firstOrders} */ (orders).find((o) => o.customer === c && catalogue.has(o.product))?.id);
  console.log(`${batch} the customer changes:`);
  for (const r of records.filter((x) => ids.includes(x.value.id))) console.log(`  ${show(r.value)}`);
}
console.log(`… ${records.length} enriched orders in all`);
// The repartition topic interleaves the customers' orders: compare as multisets, each record with its key.
const canonical = (/** @type {string} */ key, /** @type {Record<string, unknown>} */ o) => `${key} ${JSON.stringify(o, Object.keys(o).sort())}`;
const got = records.map((r) => canonical(r.key, r.value)).sort();
const want = expected.map((o) => canonical(o.customer, o)).sort();
const missing = want.filter((x) => !got.includes(x));
const extra = got.filter((x) => !want.includes(x));
if (JSON.stringify(got) === JSON.stringify(want)) {
  const alone = expected.filter((o) => o.customerName === null).length;
  console.log(
    `OK: ${got.length} enriched orders, each once, equal to the joins computed from the input (${alone} from customers the table did not have, ${firstOrders.length + laterOrders.length - expected.length} for products not in the catalogue dropped)`,
  );
} else {
  console.log(`WRONG: got ${got.length} enriched orders, expected ${want.length}\n missing: ${missing.join('\n   ')}\n extra:   ${extra.join('\n   ')}`);
  process.exitCode = 1;
}
