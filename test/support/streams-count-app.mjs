// A streams application for the recovery tests, run as a child process (the built package, 'skein'):
// keys → count per key (a LevelDB store, `counts`) → counts. Every record updates its key's count
// once (no cache), so the outputs of a key are exactly 1, 2, …, n when nothing is lost or duplicated.
// APP_ID, BOOTSTRAP, STATE_DIR, GUARANTEE and LOG_LEVEL come from the environment.
import { KafkaStreams, Serdes, StreamsBuilder, createLogger } from 'skein';

const builder = new StreamsBuilder();
builder
  .stream(process.env.INPUT_TOPIC ?? 'keys', { keySerde: Serdes.String(), valueSerde: Serdes.String() })
  .groupByKey()
  .count({ storeName: 'counts' })
  .toStream()
  .to(process.env.OUTPUT_TOPIC ?? 'counts', { valueSerde: Serdes.Long() });

const streams = new KafkaStreams(
  builder.build(),
  {
    'application.id': process.env.APP_ID ?? 'count-app',
    'bootstrap.servers': process.env.BOOTSTRAP,
    'processing.guarantee': process.env.GUARANTEE ?? 'exactly_once',
    'statestore.cache.max.bytes': 0,
    'state.dir': process.env.STATE_DIR,
    'session.timeout.ms': 6000,
    'heartbeat.interval.ms': 500,
  },
  { logger: createLogger(/** @type {import('skein').LogLevel} */ (process.env.LOG_LEVEL ?? 'info')) },
);
await streams.start();
process.on('SIGTERM', () => void streams.close().then(() => process.exit(0)));
