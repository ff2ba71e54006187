/**
 * `skein broker start [server.properties] [--override key=value]...`: runs a broker in the
 * foreground, like kafka-server-start.sh. Configuration is the properties file (if given) with the
 * overrides on top; a configuration error is one line on stderr and exit code 1. The log goes to
 * stderr.
 *
 * SIGTERM or SIGINT stops the broker cleanly (flush, checkpoints, clean-shutdown marker) and exits
 * 0; a second signal while stopping exits at once with 128 + the signal number, as a shell reports
 * a process killed by that signal. A signal that arrives while the broker is still starting is
 * honoured as soon as it has started.
 */
import { constants } from 'node:os';
import type { Command } from 'commander';
import type { BrokerServer } from '../../broker/broker-server.js';
import { CliError } from '../cli-error.js';
import { collect } from '../options.js';

export function registerBrokerCommand(program: Command): void {
  const broker = program.command('broker').description('Run a Skein broker');
  broker
    .command('start')
    .description('Start a broker in the foreground (like kafka-server-start.sh); SIGTERM or Ctrl-C stops it cleanly')
    .argument('[server.properties]', 'broker configuration file (Java properties format)')
    .option('--override <key=value>', 'set a broker config, taking precedence over the file (repeatable)', collect, [])
    .action(async (file: string | undefined, opts: { override: string[] }) => {
      await runBrokerStart(file, opts.override);
    });
}

const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

export async function runBrokerStart(file: string | undefined, overrides: readonly string[]): Promise<void> {
  // Loaded here rather than at the top so that other commands do not pay for loading the broker.
  const [{ BrokerServer }, { readBrokerConfig }, { createLogger }] = await Promise.all([
    import('../../broker/broker-server.js'),
    import('../../broker/config/read-broker-config.js'),
    import('../../broker/logger.js'),
  ]);
  // A ConfigError is reported by main as one line.
  const config = await readBrokerConfig({ file, overrides });
  const logger = createLogger('info');

  let requestShutdown!: (signal: NodeJS.Signals) => void;
  const shutdownRequested = new Promise<NodeJS.Signals>((resolve) => {
    requestShutdown = resolve;
  });
  let signalsSeen = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signalsSeen++;
    if (signalsSeen === 1) {
      requestShutdown(signal);
      return;
    }
    logger.warn(`Received ${signal} again; exiting without a clean shutdown`);
    process.exit(128 + (constants.signals[signal] ?? 0));
  };
  for (const s of SHUTDOWN_SIGNALS) process.on(s, onSignal);

  let broker: BrokerServer;
  try {
    broker = await BrokerServer.start(config, { logger });
  } catch (err) {
    for (const s of SHUTDOWN_SIGNALS) process.off(s, onSignal);
    throw new CliError(`The broker could not start: ${(err as Error).message}`);
  }

  const signal = await shutdownRequested;
  logger.info(`Received ${signal}; shutting down (send it again to exit at once)`);
  try {
    await broker.stop();
  } catch (err) {
    logger.error(`Shutdown failed: ${(err as Error).stack ?? err}`);
    process.exit(1);
  }
  process.exit(0);
}
