// An instance of the interactive-query application, run as a child process: the topology of
// iq-topology.mjs, with application.server and its HTTP endpoint on HTTP_PORT.
// BOOTSTRAP, STATE_DIR, HTTP_PORT, APP_ID and THREADS come from the environment.
import { KafkaStreams, createLogger } from 'skein';
import { topology } from './iq-topology.mjs';

const port = Number(process.env.HTTP_PORT);
const streams = new KafkaStreams(
  topology().build(),
  {
    'application.id': process.env.APP_ID ?? 'iq-app',
    'bootstrap.servers': process.env.BOOTSTRAP,
    'processing.guarantee': 'exactly_once',
    'state.dir': process.env.STATE_DIR,
    'application.server': `127.0.0.1:${port}`,
    'skein.http.port': port,
    'num.stream.threads': Number(process.env.THREADS ?? 1),
    'topology.module': new URL('./iq-topology.mjs', import.meta.url).href,
    'session.timeout.ms': 6000,
    'heartbeat.interval.ms': 500,
    'statestore.cache.max.bytes': 0,
  },
  { logger: createLogger('info') },
);
await streams.start();
process.on('SIGTERM', () => void streams.close().then(() => process.exit(0)));
