/**
 * The `skein` command line: one subcommand per Kafka tool it mirrors (kafka-server-start.sh,
 * kafka-topics.sh, kafka-console-producer.sh, kafka-console-consumer.sh, kafka-consumer-groups.sh,
 * kafka-transactions.sh, kafka-dump-log.sh, kafka-streams-application-reset.sh), and `run` for a
 * streams application module. Each command lives in commands/<name>.ts and registers itself here.
 *
 * Exit codes: 0 on success; 1 for a usage error (commander's message), a configuration error or a
 * failed command (one readable line on stderr, no stack trace).
 */
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../broker/config/config-error.js';
import { CliError } from './cli-error.js';
import { registerBrokerCommand } from './commands/broker-start.js';
import { registerConsoleConsumerCommand } from './commands/console-consumer.js';
import { registerConsoleProducerCommand } from './commands/console-producer.js';
import { registerConsumerGroupsCommand } from './commands/consumer-groups.js';
import { registerDumpLogCommand } from './commands/dump-log.js';
import { registerRunCommand } from './commands/run.js';
import { registerStreamsApplicationResetCommand } from './commands/streams-application-reset.js';
import { registerTopicsCommand } from './commands/topics.js';
import { registerTransactionsCommand } from './commands/transactions.js';
import { printError } from './options.js';
import { skeinVersion } from './version.js';

export function createProgram(): Command {
  const program = new Command('skein')
    .description('Skein: a Kafka-protocol broker and exactly-once stream processing for TypeScript')
    .version(skeinVersion(), '-V, --version', 'print the version')
    // Settings above are inherited by the subcommands registered below.
    .exitOverride()
    .showHelpAfterError('(add --help for usage)');
  registerBrokerCommand(program);
  registerTopicsCommand(program);
  registerConsoleProducerCommand(program);
  registerConsoleConsumerCommand(program);
  registerConsumerGroupsCommand(program);
  registerTransactionsCommand(program);
  registerDumpLogCommand(program);
  registerRunCommand(program);
  registerStreamsApplicationResetCommand(program);
  return program;
}

/** Runs the command line `argv` (as process.argv: node, script, args…) and sets process.exitCode. */
export async function main(argv: string[]): Promise<void> {
  // `skein … | head` closes the pipe early: that is not an error worth a stack trace.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  try {
    await createProgram().parseAsync(argv);
  } catch (err) {
    process.exitCode = exitCodeFor(err);
  }
}

function exitCodeFor(err: unknown): number {
  // commander has already printed its own message (or the help text).
  if (err instanceof CommanderError) return err.exitCode;
  if (err instanceof CliError) {
    printError(err.message);
    return err.exitCode;
  }
  if (err instanceof ConfigError) {
    printError(err.message);
    return 1;
  }
  printError(`skein: ${err instanceof Error ? err.message : String(err)}`);
  return 1;
}
