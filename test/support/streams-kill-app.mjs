// A streams application for the kill tests, run as a child process (the built package, 'skein').
//   VARIANT=sum          the contract program: data → echo, and the running sum per key
//   VARIANT=repartition  data → groupBy (a repartition topic) → running sum, max and count per key
//   VARIANT=windows-joins, two sub-topologies on event time (the producer's timestamps):
//     clicks (key: user) → hopping windows of WINDOW_MS every ADVANCE_MS, grace GRACE_MS → count → suppress until
//       the window closes → click-counts (key: "user@windowStart", value: the final count, a long)
//     orders ⟕ payments (both keyed by customer), records at most JOIN_MS apart, grace JOIN_GRACE_MS
//       → order-payments ("order+payment", or "order+null" once the order's window has closed)
// GUARANTEE, APP_ID, BOOTSTRAP, STATE_DIR, COMMIT_INTERVAL_MS, THREADS (num.stream.threads) and
// STANDBYS (num.standby.replicas) come from the environment.
// SIGTTIN adds a stream thread and SIGTTOU removes one (gunicorn's signals for more and fewer
// workers); each logs `Added stream thread <name>` / `Removed stream thread <name>` when done.
import { BufferConfig, JoinWindows, KafkaStreams, Serdes, StreamsBuilder, Suppressed, TimeWindows, createLogger } from 'skein';

const variant = process.env.VARIANT ?? 'sum';
const builder = new StreamsBuilder();
const S = Serdes.String();
if (variant === 'windows-joins') {
  builder
    .stream('clicks', { keySerde: S, valueSerde: S })
    .groupByKey()
    .windowedBy(TimeWindows.ofSizeAndGrace(Number(process.env.WINDOW_MS), Number(process.env.GRACE_MS)).advanceBy(Number(process.env.ADVANCE_MS)))
    .count({ storeName: 'clicks-per-window' })
    .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))
    .toStream()
    .map((w, count) => ({ key: `${w.key}@${w.window.start}`, value: count }))
    .to('click-counts', { keySerde: S, valueSerde: Serdes.Long() });
  builder
    .stream('orders', { keySerde: S, valueSerde: S })
    .leftJoin(
      builder.stream('payments', { keySerde: S, valueSerde: S }),
      (order, payment) => `${order}+${payment}`,
      JoinWindows.ofTimeDifferenceAndGrace(Number(process.env.JOIN_MS), Number(process.env.JOIN_GRACE_MS)),
    )
    .to('order-payments', { valueSerde: S });
} else {
  const data = builder.stream('data', { keySerde: S, valueSerde: S });
  if (variant === 'sum') {
    data.to(process.env.ECHO_TOPIC ?? 'echo');
    data
      .mapValues((v) => Number(v))
      .groupByKey({ valueSerde: Serdes.Int32() })
      .aggregate(
        () => 0,
        (_key, value, sum) => sum + value,
        { storeName: 'sum', valueSerde: Serdes.Long() },
      )
      .toStream()
      .to(process.env.SUM_TOPIC ?? 'sum', { valueSerde: Serdes.Long() });
  } else {
    data
      .groupBy((key) => key, { name: 'by-key', keySerde: Serdes.String(), valueSerde: Serdes.String() })
      .aggregate(
        () => /** @type {{ sum: number, max: number | null, count: number }} */ ({ sum: 0, max: null, count: 0 }),
        (_key, value, agg) => ({
          sum: agg.sum + Number(value),
          max: agg.max === null ? Number(value) : Math.max(agg.max, Number(value)),
          count: agg.count + 1,
        }),
        { storeName: 'stats', valueSerde: Serdes.Json() },
      )
      .toStream()
      .to(process.env.STATS_TOPIC ?? 'stats', { valueSerde: Serdes.Json() });
  }
}

/** @type {Record<string, unknown>} */
const props = {
  'application.id': process.env.APP_ID ?? `kill-${variant}`,
  'bootstrap.servers': process.env.BOOTSTRAP,
  'processing.guarantee': process.env.GUARANTEE ?? 'exactly_once',
  'statestore.cache.max.bytes': 0,
  'state.dir': process.env.STATE_DIR,
  'session.timeout.ms': 6000,
  'heartbeat.interval.ms': 500,
  'max.poll.interval.ms': 10000,
};
if (process.env.COMMIT_INTERVAL_MS) props['commit.interval.ms'] = Number(process.env.COMMIT_INTERVAL_MS);
if (process.env.THREADS) props['num.stream.threads'] = Number(process.env.THREADS);
if (process.env.STANDBYS) props['num.standby.replicas'] = Number(process.env.STANDBYS);
const streams = new KafkaStreams(builder.build(), props, { logger: createLogger(/** @type {import('skein').LogLevel} */ (process.env.LOG_LEVEL ?? 'info')) });
streams.setUncaughtExceptionHandler(() => 'REPLACE_THREAD');
await streams.start();
process.on('SIGTERM', () => void streams.close().then(() => process.exit(0)));
/** @param {string} line */
const say = (line) => process.stderr.write(`${line}\n`);
process.on(
  'SIGTTIN',
  () =>
    void streams.addStreamThread().then(
      (name) => say(`Added stream thread ${name}`),
      (e) => say(`Adding a stream thread failed: ${e.message}`),
    ),
);
process.on(
  'SIGTTOU',
  () =>
    void streams.removeStreamThread().then(
      (name) => say(`Removed stream thread ${name}`),
      (e) => say(`Removing a stream thread failed: ${e.message}`),
    ),
);
