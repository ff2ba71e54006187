// npm start: a Skein streams application, exactly once, through a crash.
//
// 1. An embedded Skein broker starts on 127.0.0.1 (data in a temporary directory).
// 2. The streams application examples/order-totals/app.mjs starts as a separate process: it reads
//    orders, adds tax (→ orders-with-tax) and keeps each customer's spend in a LevelDB store backed
//    by a changelog (→ customer-spend), committing under exactly_once.
// 3. A producer writes 600 orders. Half-way, the application is SIGKILLed and started again: it
//    restores its store from the changelog (only what it had not written locally) and goes on.
// 4. The outputs are read back read_committed and checked against what was written: every order
//    exactly once, and every customer's total exactly the sum of their orders.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { Broker } from 'skein';

const { Kafka, logLevel } = kafkajs;
const say = (line = '') => process.stdout.write(`${line}\n`);
/** @param {number} ms */
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const ORDERS = 600;
const customers = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi'];
/** @param {number} x */
const cents = (x) => Math.round(x * 100) / 100;
/** @param {import('node:child_process').ChildProcess} child */
const exited = (child) => new Promise((r) => child.once('exit', r));
const stateDir = mkdtempSync(join(tmpdir(), 'skein-quickstart-state-'));

const broker = await Broker.start();
say(`Skein broker on ${broker.bootstrap}`);
const kafka = new Kafka({ brokers: [broker.bootstrap], clientId: 'quickstart', logLevel: logLevel.NOTHING });
const producer = kafka.producer({ idempotent: true });
const reader = kafka.consumer({ groupId: 'quickstart-reader', readUncommitted: false });
/** @type {import('node:child_process').ChildProcess | null} */
let app = null;
let appLog = '';

function startApp() {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'order-totals/app.mjs')], {
    env: { ...process.env, BOOTSTRAP: broker.bootstrap, STATE_DIR: stateDir, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d) => (appLog += d));
  child.stderr.on('data', (d) => (appLog += d));
  return child;
}

try {
  await broker.createTopics(['orders', 'orders-with-tax', 'customer-spend'].map((topic) => ({ topic, partitions: 3 })));
  app = startApp();
  say(`Started the streams application (pid ${app.pid}): orders → tax → orders-with-tax, and spend per customer → customer-spend`);
  for (let waited = 0; !/to RUNNING/.test(appLog); waited += 100) {
    if (waited > 30_000) throw new Error(`the application did not start:\n${appLog}`);
    await sleep(100);
  }

  await producer.connect();
  const orders = Array.from({ length: ORDERS }, (_, i) => ({
    customer: customers[(i * 7) % customers.length],
    order: i + 1,
    amount: cents(((i * 37) % 100) + 0.99),
  }));
  for (let chunk = 0; chunk < 6; chunk++) {
    const part = orders.slice(chunk * 100, (chunk + 1) * 100);
    await producer.send({
      topic: 'orders',
      acks: -1,
      messages: part.map((o) => ({ key: o.customer, value: JSON.stringify({ order: o.order, amount: o.amount }) })),
    });
    say(`Produced orders ${part[0].order}–${part.at(-1)?.order}`);
    await sleep(chunk === 2 ? 60 : 400);
    if (chunk === 2) {
      const gone = exited(app);
      app.kill('SIGKILL');
      await gone;
      say(`SIGKILLed the application (pid ${app.pid}) half-way, with its transactions in flight`);
      appLog = '';
      app = startApp();
      say(`Started it again (pid ${app.pid})`);
    }
  }

  // What the outputs must be, computed here from the inputs.
  /** @typedef {{ orders: number, spend: number }} Totals */
  const expected = new Map(customers.map((c) => [c, { orders: 0, spend: 0 }]));
  for (const o of orders) {
    const e = /** @type {Totals} */ (expected.get(o.customer));
    e.orders++;
    e.spend = cents(e.spend + cents(o.amount * 1.2));
  }

  // Read the outputs read_committed until they are complete (or 60 s pass).
  /** @type {Array<{ partition: number, customer: string, order: number, amount: number, tax: number, total: number }>} */
  const withTax = [];
  const spend = new Map();
  await reader.connect();
  await reader.subscribe({ topics: ['orders-with-tax', 'customer-spend'], fromBeginning: true });
  await reader.run({
    eachMessage: async ({ topic, partition, message }) => {
      const value = JSON.parse(String(message.value));
      if (topic === 'orders-with-tax') withTax.push({ partition, customer: String(message.key), ...value });
      else spend.set(String(message.key), value);
    },
  });
  const complete = () => withTax.length >= ORDERS && customers.every((c) => spend.get(c)?.orders === expected.get(c)?.orders);
  for (let waited = 0; !complete() && waited < 60_000; waited += 200) await sleep(200);
  await sleep(1000); // anything more than complete would be a duplicate

  say();
  const restoreLines = appLog.split('\n').filter((l) => /restored store spend/.test(l));
  if (restoreLines.length > 0) {
    say('After the restart, each task resumed its LevelDB store from the changelog offset stored with it —');
    say('replaying only what it had not yet written locally:');
    for (const l of restoreLines) say(`  ${l.replace(/^\[[^\]]*\] INFO /, '').replace(/ \([^)]*\)$/, '')}`);
    say();
  }
  say('customer  orders  spend (streams)  spend (sum of inputs)');
  let totalsMatch = true;
  for (const c of customers) {
    const got = spend.get(c) ?? { orders: 0, spend: 0 };
    const want = /** @type {Totals} */ (expected.get(c));
    const ok = got.orders === want.orders && got.spend === want.spend;
    totalsMatch &&= ok;
    say(
      `${c.padEnd(9)} ${String(got.orders).padStart(6)}  ${got.spend.toFixed(2).padStart(15)}  ${want.spend.toFixed(2).padStart(21)}  ${ok ? 'ok' : 'WRONG'}`,
    );
  }
  const ids = new Set(withTax.map((o) => o.order));
  const inOrder = customers.every((c) => withTax.filter((o) => o.customer === c).every((o, i, all) => i === 0 || o.order > all[i - 1].order));
  const taxRight = withTax.every((o) => o.total === cents(o.amount * 1.2));
  say();
  if (withTax.length === ORDERS && ids.size === ORDERS && inOrder && taxRight && totalsMatch) {
    say(`Exactly once: ${ORDERS} orders in, ${withTax.length} in orders-with-tax — none missing, none twice, each customer's in order —`);
    say('and every customer total equals the sum of their orders, although the application was killed mid-transaction.');
  } else {
    say(`NOT exactly once: ${withTax.length} outputs for ${ids.size} distinct orders (expected ${ORDERS}); in order: ${inOrder}; totals right: ${totalsMatch}`);
    process.exitCode = 1;
  }
} finally {
  if (app !== null && app.exitCode === null) {
    const gone = exited(app);
    app.kill('SIGTERM');
    await gone;
  }
  await reader.disconnect().catch(() => {});
  await producer.disconnect().catch(() => {});
  await broker.close();
  rmSync(stateDir, { recursive: true, force: true });
}
