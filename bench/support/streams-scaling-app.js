/**
 * The streams application bench/streams-scaling.js runs as a child process, written as a user writes
 * one: it builds its topology and runs `new KafkaStreams(...)`; with `num.stream.threads` > 1 each
 * worker thread imports this module again and takes the topology from that constructor.
 *
 *   WORKLOAD=cpu  in → mapValues(HASH_ROUNDS chained SHA-256 of the value) → out (stateless)
 *   WORKLOAD=io   in → mapValuesAsync(a DELAY_MS timer, as a lookup would take; CONCURRENCY in
 *                 flight) → OUT (default out)
 *   WORKLOAD=sum  in → echo, and the running sum per key in a store (changelogged) → out
 *
 * APP_ID, BOOTSTRAP, STATE_DIR and THREADS come from the environment; processing is exactly_once.
 * Prints one JSON line per state change on stdout, `{"state": "RUNNING", "t": <epoch ms>}`, and
 * closes cleanly on SIGTERM.
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { KafkaStreams, Serdes, StreamsBuilder, createLogger } from '../../dist/index.js';

const workload = process.env.WORKLOAD ?? 'cpu';
const rounds = Number(process.env.HASH_ROUNDS ?? 200);
const delayMs = Number(process.env.DELAY_MS ?? 5);
const concurrency = Number(process.env.CONCURRENCY ?? 1);
const logLevel = /** @type {import('../../dist/index.js').LogLevel} */ (process.env.LOG_LEVEL ?? 'warn');

const builder = new StreamsBuilder();
const input = builder.stream('in', { keySerde: Serdes.String(), valueSerde: Serdes.String() });
if (workload === 'cpu') {
  input
    .mapValues((v) => {
      let h = v;
      for (let i = 0; i < rounds; i++) h = createHash('sha256').update(h).digest('hex');
      return h;
    })
    .to('out', { valueSerde: Serdes.String() });
} else if (workload === 'io') {
  input.mapValuesAsync(async (v) => (await sleep(delayMs), v), { concurrency }).to(process.env.OUT ?? 'out', { valueSerde: Serdes.String() });
} else {
  input.to('out');
  input
    .mapValues((v) => Number(v))
    .groupByKey({ valueSerde: Serdes.Int32() })
    .aggregate(
      () => 0,
      (_key, value, sum) => sum + value,
      { storeName: 'sum', valueSerde: Serdes.Long() },
    )
    .toStream()
    .to('sum', { valueSerde: Serdes.Long() });
}

const streams = new KafkaStreams(
  builder.build(),
  {
    'application.id': process.env.APP_ID,
    'bootstrap.servers': process.env.BOOTSTRAP,
    'processing.guarantee': 'exactly_once',
    'statestore.cache.max.bytes': 0,
    'state.dir': process.env.STATE_DIR,
    'num.stream.threads': Number(process.env.THREADS ?? 1),
    'session.timeout.ms': Number(process.env.SESSION_TIMEOUT_MS ?? 10_000),
    'heartbeat.interval.ms': 500,
    'max.poll.interval.ms': 10_000,
  },
  { logger: createLogger(logLevel), logLevel },
);
streams.setStateListener((state) => process.stdout.write(`${JSON.stringify({ state, t: Date.now() })}\n`));
await streams.start();
process.on('SIGTERM', () => void streams.close().then(() => process.exit(0)));
