/**
 * Runs one broker from dist/ in this process, for benchmarks that need it in a process of its own
 * (so the load generator never shares its event loop). Used by bench/run.js as a child process:
 *
 *   node bench/support/broker-process.js <log dir> [key=value ...]
 *
 * Prints one JSON line `{"port": N}` on stdout once the broker listens on 127.0.0.1 (port chosen by
 * the OS), logs to stderr at warn level, and shuts down cleanly on SIGTERM or SIGINT.
 */
import { BrokerServer } from '../../dist/broker/broker-server.js';
import { loadBrokerConfig } from '../../dist/broker/config/broker-config.js';
import { createLogger } from '../../dist/broker/logger.js';

const [logDir, ...rest] = process.argv.slice(2);
if (!logDir) {
  process.stderr.write('usage: broker-process.js <log dir> [key=value ...]\n');
  process.exit(2);
}
const props = new Map([
  ['listeners', 'PLAINTEXT://127.0.0.1:0'],
  ['log.dirs', logDir],
]);
for (const kv of rest) {
  const eq = kv.indexOf('=');
  props.set(kv.slice(0, eq), kv.slice(eq + 1));
}

const broker = await BrokerServer.start(loadBrokerConfig(props), { logger: createLogger('warn') });
process.stdout.write(`${JSON.stringify({ port: broker.port })}\n`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await broker.stop();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
