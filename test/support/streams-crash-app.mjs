// A streams application whose stream threads crash once each (issue #13: "a worker that crashes is
// replaced, per the uncaught-exception handler, without losing or duplicating anything"). Two stream
// threads — the first in the main thread, the second in a worker_thread that imports this module
// again — run data → echo, and the running sum per key → sum. A record whose value is a CRASH_VALUES
// number crashes the thread that processes it, the first time only (a file in MARKER_DIR remembers):
// in a worker the worker itself dies of an uncaught exception (it ends the worker_thread, not the
// process), in the main thread the processor throws. The handler answers REPLACE_THREAD.
// BOOTSTRAP, STATE_DIR, MARKER_DIR, CRASH_VALUES (comma-separated) and GUARANTEE come from the environment.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { KafkaStreams, Serdes, StreamsBuilder, createLogger } from 'skein';

const crashValues = new Set((process.env.CRASH_VALUES ?? '').split(',').filter((v) => v !== ''));
const markerDir = /** @type {string} */ (process.env.MARKER_DIR);

/** @param {string} v */
function crashOnce(v) {
  if (!crashValues.has(v)) return;
  const marker = join(markerDir, v);
  if (existsSync(marker)) return;
  writeFileSync(marker, isMainThread ? 'main' : 'worker');
  if (isMainThread) throw new Error(`crash on ${v} (main thread)`);
  // Outside the processing call, so nothing of Skein's catches it: the worker_thread dies of an
  // uncaught exception ('error', then 'exit' with code 1).
  setImmediate(() => {
    throw new Error(`crash on ${v} (worker thread)`);
  });
}

const builder = new StreamsBuilder();
const data = builder.stream('data', { keySerde: Serdes.String(), valueSerde: Serdes.String() });
data.to('echo');
data
  .mapValues((v) => (crashOnce(v), Number(v)))
  .groupByKey({ valueSerde: Serdes.Int32() })
  .aggregate(
    () => 0,
    (_key, value, sum) => sum + value,
    { storeName: 'sum', valueSerde: Serdes.Long() },
  )
  .toStream()
  .to('sum', { valueSerde: Serdes.Long() });

const streams = new KafkaStreams(
  builder.build(),
  {
    'application.id': 'crash-app',
    'bootstrap.servers': process.env.BOOTSTRAP,
    'processing.guarantee': process.env.GUARANTEE ?? 'exactly_once',
    'statestore.cache.max.bytes': 0,
    'state.dir': process.env.STATE_DIR,
    'num.stream.threads': 2,
    'session.timeout.ms': 6000,
    'heartbeat.interval.ms': 500,
  },
  { logger: createLogger('info') },
);
streams.setUncaughtExceptionHandler(() => 'REPLACE_THREAD');
await streams.start();
process.on('SIGTERM', () => void streams.close().then(() => process.exit(0)));
