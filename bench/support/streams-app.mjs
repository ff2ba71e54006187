/**
 * A Skein streams application for bench/streams.js, run as a child process against dist/ (through
 * the package's own name, 'skein'):
 *
 *   TOPOLOGY=sum        the contract program: data → echo, and the running sum per key
 *   TOPOLOGY=wordcount  text-lines → split into words → groupBy word (a repartition topic) → count → word-counts
 *   TOPOLOGY=count      <INPUT_TOPIC, default data> → groupByKey → count (store 'counts') → counts
 *
 * Output topics are named as above plus OUTPUT_SUFFIX (the caller creates them). APP_ID, BOOTSTRAP,
 * STATE_DIR, GUARANTEE (exactly_once | at_least_once), COMMIT_INTERVAL_MS, CACHE_BYTES
 * (statestore.cache.max.bytes, default 0), SESSION_TIMEOUT_MS (default 6000) and LOG_LEVEL come from
 * the environment. It prints one JSON line per client state change on stdout
 * (`{"state":"RUNNING","t":<Date.now()>}`), so the parent can time start-up without parsing logs;
 * Skein's log goes to stderr. SIGTERM closes it cleanly.
 */
import { KafkaStreams, Serdes, StreamsBuilder, createLogger } from 'skein';

const topology = process.env.TOPOLOGY ?? 'sum';
/** Appended to the output topics' names, so that runs can write to topics of their own. */
const SUFFIX = process.env.OUTPUT_SUFFIX ?? '';
const builder = new StreamsBuilder();
if (topology === 'sum') {
  const data = builder.stream('data', { keySerde: Serdes.String(), valueSerde: Serdes.String() });
  data.to(`echo${SUFFIX}`);
  data
    .mapValues((v) => Number(v))
    .groupByKey({ valueSerde: Serdes.Int32() })
    .aggregate(
      () => 0,
      (_key, value, sum) => sum + value,
      { storeName: 'sum', valueSerde: Serdes.Long() },
    )
    .toStream()
    .to(`sum${SUFFIX}`, { valueSerde: Serdes.Long() });
} else if (topology === 'wordcount') {
  builder
    .stream('text-lines', { keySerde: Serdes.String(), valueSerde: Serdes.String() })
    .flatMapValues((line) =>
      line
        .toLowerCase()
        .split(/\W+/)
        .filter((w) => w.length > 0),
    )
    .groupBy((_key, word) => word, { keySerde: Serdes.String(), valueSerde: Serdes.String() })
    .count({ storeName: 'word-counts' })
    .toStream()
    .to(`word-counts${SUFFIX}`, { keySerde: Serdes.String(), valueSerde: Serdes.Long() });
} else if (topology === 'count') {
  builder
    .stream(process.env.INPUT_TOPIC ?? 'data', { keySerde: Serdes.String(), valueSerde: Serdes.String() })
    .groupByKey()
    .count({ storeName: 'counts' })
    .toStream()
    .to(`counts${SUFFIX}`, { keySerde: Serdes.String(), valueSerde: Serdes.Long() });
} else {
  throw new Error(`unknown TOPOLOGY ${topology}`);
}

/** @type {Record<string, unknown>} */
const props = {
  'application.id': process.env.APP_ID ?? `bench-${topology}`,
  'bootstrap.servers': process.env.BOOTSTRAP,
  'processing.guarantee': process.env.GUARANTEE ?? 'exactly_once',
  'statestore.cache.max.bytes': Number(process.env.CACHE_BYTES ?? 0),
  'state.dir': process.env.STATE_DIR,
  'session.timeout.ms': Number(process.env.SESSION_TIMEOUT_MS ?? 6000),
  'heartbeat.interval.ms': 500,
};
if (process.env.COMMIT_INTERVAL_MS) props['commit.interval.ms'] = Number(process.env.COMMIT_INTERVAL_MS);

const streams = new KafkaStreams(builder.build(), props, {
  logger: createLogger(/** @type {import('skein').LogLevel} */ (process.env.LOG_LEVEL ?? 'info')),
});
streams.setStateListener((state) => process.stdout.write(`${JSON.stringify({ state, t: Date.now() })}\n`));
await streams.start();
process.on('SIGTERM', () => void streams.close().then(() => process.exit(0)));
