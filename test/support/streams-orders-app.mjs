// A streams application for the bad-input tests, run as a child process (the built package, 'skein'):
// orders (JSON values) → valid (each order with its amount doubled), and a count per key → order-counts.
// A value that is not JSON fails Serdes.Json(); DESERIALIZATION_HANDLER and DLQ_TOPIC choose what
// happens to it. APP_ID, BOOTSTRAP, STATE_DIR and LOG_LEVEL come from the environment.
import { KafkaStreams, Serdes, StreamsBuilder, createLogger } from 'skein';

const builder = new StreamsBuilder();
const orders = builder.stream('orders', { keySerde: Serdes.String(), valueSerde: Serdes.Json() });
orders.mapValues((/** @type {any} */ o) => ({ ...o, doubled: o.amount * 2 })).to('valid', { valueSerde: Serdes.Json() });
orders.groupByKey().count({ storeName: 'order-counts' }).toStream().to('order-counts', { valueSerde: Serdes.Long() });

/** @type {Record<string, unknown>} */
const props = {
  'application.id': process.env.APP_ID ?? 'orders-app',
  'bootstrap.servers': process.env.BOOTSTRAP,
  'processing.guarantee': 'exactly_once',
  'statestore.cache.max.bytes': 0,
  'state.dir': process.env.STATE_DIR,
  'session.timeout.ms': 6000,
  'heartbeat.interval.ms': 500,
};
if (process.env.DESERIALIZATION_HANDLER) props['default.deserialization.exception.handler'] = process.env.DESERIALIZATION_HANDLER;
if (process.env.DLQ_TOPIC) props['errors.deadletterqueue.topic.name'] = process.env.DLQ_TOPIC;
const streams = new KafkaStreams(builder.build(), props, { logger: createLogger(/** @type {import('skein').LogLevel} */ (process.env.LOG_LEVEL ?? 'info')) });
await streams.start();
process.on('SIGTERM', () => void streams.close().then(() => process.exit(0)));
