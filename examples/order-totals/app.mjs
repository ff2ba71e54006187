// Orders → tax and per-customer spend, exactly once. Run by `npm start` (../quickstart.js), which
// SIGKILLs it half-way and starts it again; or on its own against any Kafka:
//   BOOTSTRAP=127.0.0.1:9092 STATE_DIR=/tmp/order-totals node examples/order-totals/app.mjs
//
//   orders (key: customer, value: {"order": 17, "amount": 42.5})
//     ├─ mapValues: add 20 % tax ─────────────────────────────▶ orders-with-tax
//     └─ groupByKey → aggregate {orders, spend} (store: spend) ─▶ customer-spend
import { KafkaStreams, Serdes, StreamsBuilder, createLogger } from 'skein';

/** @typedef {{ order: number, amount: number }} Order */

const TAX_RATE = 0.2;
/** @param {number} x */
const cents = (x) => Math.round(x * 100) / 100;

export function buildTopology() {
  const builder = new StreamsBuilder();
  const orders = builder.stream('orders', { keySerde: Serdes.String(), valueSerde: /** @type {import('skein').Serde<Order>} */ (Serdes.Json()) });
  const withTax = orders.mapValues((o) => ({ ...o, tax: cents(o.amount * TAX_RATE), total: cents(o.amount * (1 + TAX_RATE)) }));
  withTax.to('orders-with-tax');
  withTax
    .groupByKey()
    .aggregate(
      () => ({ orders: 0, spend: 0 }),
      (_customer, o, acc) => ({ orders: acc.orders + 1, spend: cents(acc.spend + o.total) }),
      { storeName: 'spend' },
    )
    .toStream()
    .to('customer-spend');
  return builder.build();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const streams = new KafkaStreams(
    buildTopology(),
    {
      'application.id': 'order-totals',
      'bootstrap.servers': process.env.BOOTSTRAP ?? '127.0.0.1:9092',
      'processing.guarantee': 'exactly_once',
      'state.dir': process.env.STATE_DIR ?? '/tmp/skein-order-totals',
      'default.key.serde': Serdes.String(),
      'default.value.serde': Serdes.Json(),
      'session.timeout.ms': 6000,
    },
    { logger: createLogger(/** @type {import('skein').LogLevel} */ (process.env.LOG_LEVEL ?? 'warn')) },
  );
  await streams.start();
  process.on('SIGTERM', () => void streams.close().then(() => process.exit(0)));
}
