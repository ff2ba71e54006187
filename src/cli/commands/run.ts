/**
 * `skein run <module> [--bootstrap-server host:port] [--application-id id] [--property key=value]...
 * [--state-dir dir] [--threads N]`: runs the streams application a module defines (the module
 * contract is in streams-app-loader.ts and docs/cli.md) in the foreground, logging to stderr.
 *
 * SIGTERM or SIGINT closes the application cleanly (its tasks commit, it leaves the group) and exits
 * 0; a second signal while it closes exits at once with 128 + the signal number. A module that
 * cannot be loaded or exports no topology, invalid properties, a client that cannot start or ends
 * in ERROR: one line on stderr and exit code 1.
 */
import { constants } from 'node:os';
import type { Command } from 'commander';
import { parseBootstrapServers } from '../bootstrap.js';
import { collect } from '../options.js';

export interface RunOptions {
  bootstrapServer?: string;
  applicationId?: string;
  property: string[];
  stateDir?: string;
  threads?: string;
}

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('Run the streams application a module defines (its topology, and default properties); SIGTERM or Ctrl-C closes it cleanly')
    .argument('<module>', "path of the module exporting the topology (default export or 'topology') and optionally 'properties'; see docs/cli.md")
    .option('--bootstrap-server <host:port>', 'the brokers (host:port[,host:port...]); sets bootstrap.servers')
    .option('--application-id <id>', 'sets application.id (the consumer group, transactional ids and internal topic prefix)')
    .option('--property <key=value>', "a streams property (Kafka Streams' names), overriding the module's; repeatable", collect, [])
    .option('--state-dir <dir>', 'sets state.dir, where local state stores live')
    .option('--threads <n>', 'sets num.stream.threads')
    .action(async (module: string, opts: RunOptions) => {
      await runRun(module, opts);
    });
}

const STOP_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

export async function runRun(module: string, opts: RunOptions): Promise<void> {
  // A malformed address is reported as such, before the module is even loaded.
  if (opts.bootstrapServer !== undefined) parseBootstrapServers(opts.bootstrapServer);
  // Loaded here rather than at the top so that other commands do not pay for loading the streams runtime.
  const [{ loadStreamsApp }, { runStreamsApp }, { createLogger }] = await Promise.all([
    import('../streams-app-loader.js'),
    import('../streams-app-runner.js'),
    import('../../common/logger.js'),
  ]);
  const logger = createLogger('info', undefined, 'skein run');

  let requestStop!: (signal: string) => void;
  const stopRequested = new Promise<string>((resolve) => (requestStop = resolve));
  let signalsSeen = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (++signalsSeen === 1) {
      requestStop(signal);
      return;
    }
    logger.warn(`Received ${signal} again; exiting without closing the application`);
    process.exit(128 + (constants.signals[signal] ?? 0));
  };
  for (const s of STOP_SIGNALS) process.on(s, onSignal);
  try {
    const app = await loadStreamsApp({ module, ...opts, properties: opts.property });
    await runStreamsApp(app, { logger, stopRequested });
  } finally {
    for (const s of STOP_SIGNALS) process.off(s, onSignal);
  }
  // kafkajs may keep a timer or socket alive for a moment after disconnecting: do not wait for it.
  process.exit(0);
}
