/**
 * `skein streams-application-reset --bootstrap-server HOST:PORT --application-id ID [--input-topics
 * a,b] [--intermediate-topics x] [--to-earliest | --to-latest | --to-offset N | --to-datetime T |
 * --by-duration D | --shift-by N] [--dry-run] [--force]`: makes a streams application reprocess its
 * input, like kafka-streams-application-reset.sh, with the same options and report (the steps are
 * in streams-reset.ts).
 *
 * Exit code 0; 1 when the group still has members (without --force), when an input or
 * intermediate topic does not exist (the others are still reset), or on any error.
 */
import type { Command } from 'commander';
import { parseBootstrapServers } from '../bootstrap.js';
import { CliError, errorLine } from '../cli-error.js';
import { ClusterClient } from '../cluster-client.js';
import { parseDateTime, parseDuration, type ResetSpec } from '../offset-reset.js';
import { collect, long, printError, printLines } from '../options.js';
import { clusterResetAdmin, StreamsResetter } from '../streams-reset.js';

export interface StreamsApplicationResetOptions {
  bootstrapServer: string;
  applicationId: string;
  inputTopics: string[];
  intermediateTopics: string[];
  toEarliest?: boolean;
  toLatest?: boolean;
  toOffset?: bigint;
  toDatetime?: string;
  byDuration?: string;
  shiftBy?: bigint;
  dryRun?: boolean;
  force?: boolean;
}

const SCENARIOS = [
  ['toEarliest', '--to-earliest'],
  ['toLatest', '--to-latest'],
  ['toOffset', '--to-offset'],
  ['toDatetime', '--to-datetime'],
  ['byDuration', '--by-duration'],
  ['shiftBy', '--shift-by'],
] as const;

export function registerStreamsApplicationResetCommand(program: Command): void {
  program
    .command('streams-application-reset')
    .description(
      'Reset a streams application so that it reprocesses its input: reset its input offsets, skip its intermediate topics, delete its internal topics (like kafka-streams-application-reset.sh)',
    )
    .requiredOption('--bootstrap-server <host:port>', 'the broker to connect to (host:port[,host:port...])')
    .requiredOption('--application-id <id>', "the application's application.id (its consumer group)")
    .option('--input-topics <topics>', 'comma-separated input topics: their offsets are reset (to the earliest by default)', collect, [])
    .option('--intermediate-topics <topics>', 'comma-separated intermediate topics (written and read by the application): skipped to their end', collect, [])
    .option('--to-earliest', 'reset input topics to the log start offset (the default)')
    .option('--to-latest', 'reset input topics to the log end offset')
    .option('--to-offset <offset>', 'reset input topics to this offset', long)
    .option('--to-datetime <datetime>', 'reset input topics to the first offset at or after yyyy-MM-ddTHH:mm:ss.SSS (UTC unless followed by Z or +hh:mm)')
    .option('--by-duration <duration>', 'reset input topics to the first offset at or after now minus an ISO-8601 duration (PnDTnHnMnS)')
    .option('--shift-by <n>', 'move the committed offsets of input topics by n (negative: back)', long)
    .option('--dry-run', 'print what would be done, and change nothing')
    .option('--force', "remove the group's members instead of refusing (only when every instance is stopped)")
    .action(async (opts: StreamsApplicationResetOptions) => {
      process.exitCode = await runStreamsApplicationReset(opts);
    });
}

/** Runs the reset; returns the exit code. Usage errors and an active group are thrown as CliError. */
export async function runStreamsApplicationReset(opts: StreamsApplicationResetOptions): Promise<number> {
  const reset = resetSpecOf(opts);
  const servers = parseBootstrapServers(opts.bootstrapServer);
  const cluster = await ClusterClient.connect(servers, { clientId: 'skein-streams-application-reset' });
  try {
    const resetter = new StreamsResetter(clusterResetAdmin(cluster), (line) => printLines([line]));
    return await resetter.reset({
      applicationId: opts.applicationId,
      inputTopics: topicList(opts.inputTopics),
      intermediateTopics: topicList(opts.intermediateTopics),
      reset,
      dryRun: opts.dryRun ?? false,
      force: opts.force ?? false,
    });
  } catch (err) {
    if (err instanceof CliError) throw err;
    printError(`ERROR: ${errorLine(err)}`);
    return 1;
  } finally {
    cluster.close();
  }
}

function resetSpecOf(opts: StreamsApplicationResetOptions): ResetSpec {
  const given = SCENARIOS.filter(([key]) => opts[key] !== undefined && opts[key] !== false);
  if (given.length > 1) {
    throw new CliError(`Only one of ${SCENARIOS.map(([, flag]) => flag).join(', ')} can be given (found ${given.map(([, flag]) => flag).join(' and ')})`);
  }
  if (opts.toLatest) return { kind: 'to-latest' };
  if (opts.toOffset !== undefined) return { kind: 'to-offset', offset: opts.toOffset };
  if (opts.toDatetime !== undefined) return { kind: 'to-datetime', timestamp: parseDateTime(opts.toDatetime) };
  if (opts.byDuration !== undefined) return { kind: 'by-duration', ms: parseDuration(opts.byDuration) };
  if (opts.shiftBy !== undefined) return { kind: 'shift-by', by: opts.shiftBy };
  return { kind: 'to-earliest' };
}

/** `--input-topics a,b --input-topics c`: every name, blanks dropped. */
function topicList(args: readonly string[]): string[] {
  return args
    .flatMap((a) => a.split(','))
    .map((t) => t.trim())
    .filter((t) => t !== '');
}
