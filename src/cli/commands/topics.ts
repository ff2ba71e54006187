/**
 * `skein topics`: create, list, describe, grow and delete topics, like kafka-topics.sh, with the
 * same options, output and messages.
 *
 * Talks to the broker through our own protocol client rather than kafkajs's admin: kafkajs drops
 * the broker's error messages (it only keeps the code), sends CreateTopics v0-3 (no broker-default
 * partition count) and cannot show topic ids.
 *
 * Left out: --replica-assignment (a single node has one possible assignment), --topic-id, the
 * --under-replicated-partitions family of describe filters, and --command-config (no TLS/SASL).
 */
import type { Command } from 'commander';
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import { parseBootstrapServers } from '../bootstrap.js';
import { CliError } from '../cli-error.js';
import { collect, integer, printError, printLines } from '../options.js';
import { ProtocolClient } from '../protocol-client.js';
import { formatTopicDescription } from '../topic-description.js';
import { topicMatcher, TopicService } from '../topic-service.js';

export interface TopicsOptions {
  bootstrapServer: string;
  create?: boolean;
  list?: boolean;
  describe?: boolean;
  alter?: boolean;
  delete?: boolean;
  topic?: string;
  partitions?: number;
  replicationFactor?: number;
  config: string[];
  ifExists?: boolean;
  ifNotExists?: boolean;
  excludeInternal?: boolean;
}

type Action = 'create' | 'list' | 'describe' | 'alter' | 'delete';
const ACTIONS: readonly Action[] = ['create', 'list', 'describe', 'alter', 'delete'];

export function registerTopicsCommand(program: Command): void {
  program
    .command('topics')
    .description('Create, delete, describe, or change a topic (like kafka-topics.sh)')
    .requiredOption('--bootstrap-server <host:port>', 'the broker to connect to (host:port[,host:port...])')
    .option('--create', 'create a new topic')
    .option('--list', 'list all available topics')
    .option('--describe', 'list details for the given topics (all topics without --topic)')
    .option('--alter', 'increase the number of partitions (with --partitions)')
    .option('--delete', 'delete a topic')
    .option('--topic <topic>', 'the topic to create, alter, describe or delete; a regular expression except with --create')
    .option('--partitions <count>', 'partitions of the topic being created or altered (default with --create: num.partitions)', integer)
    .option('--replication-factor <factor>', 'replication factor of the topic being created (default: default.replication.factor)', integer)
    .option('--config <name=value>', 'a topic config override for the topic being created (repeatable)', collect, [])
    .option('--if-exists', 'with --alter, --delete or --describe: do nothing if the topic does not exist')
    .option('--if-not-exists', 'with --create: do nothing if the topic already exists')
    .option('--exclude-internal', 'with --list or --describe: leave out internal topics')
    .action(async (opts: TopicsOptions) => {
      process.exitCode = await runTopics(opts);
    });
}

/** Runs one topics command; returns the exit code. Usage errors are thrown as CliError. */
export async function runTopics(opts: TopicsOptions): Promise<number> {
  const action = checkOptions(opts);
  const configs = action === 'create' ? parseTopicConfigs(opts.config) : new Map<string, string>();
  const servers = parseBootstrapServers(opts.bootstrapServer);
  const client = await ProtocolClient.connect(servers, { clientId: 'skein-topics' });
  try {
    const service = new TopicService(client);
    switch (action) {
      case 'create':
        await createTopic(service, opts, configs);
        break;
      case 'list': {
        const names = await selectTopics(service, opts);
        printLines(names);
        break;
      }
      case 'describe': {
        const names = await selectTopics(service, opts);
        ensureTopicExists(names, opts);
        for (const d of await service.describeTopics(names)) printLines(formatTopicDescription(d));
        break;
      }
      case 'alter': {
        const names = await selectTopics(service, opts);
        ensureTopicExists(names, opts);
        await service.createPartitions(names, opts.partitions as number);
        break;
      }
      case 'delete': {
        const names = await selectTopics(service, opts);
        ensureTopicExists(names, opts);
        await service.deleteTopics(names);
        break;
      }
    }
    return 0;
  } catch (err) {
    if (err instanceof CliError) throw err;
    printError(`Error while executing topic command : ${(err as Error).message}`);
    return 1;
  } finally {
    client.close();
  }
}

async function createTopic(service: TopicService, opts: TopicsOptions, configs: Map<string, string>): Promise<void> {
  const name = opts.topic as string;
  if (opts.replicationFactor !== undefined && (opts.replicationFactor < 1 || opts.replicationFactor > 32767)) {
    throw new CliError('The replication factor must be between 1 and 32767 inclusive');
  }
  if (opts.partitions !== undefined && opts.partitions < 1) throw new CliError('The partitions must be greater than 0');
  if (name.includes('.') || name.includes('_')) {
    printError(
      "WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') could collide. To avoid issues it is best to use either, but not both.",
    );
  }
  try {
    await service.createTopic({ name, partitions: opts.partitions, replicationFactor: opts.replicationFactor, configs });
  } catch (err) {
    if (opts.ifNotExists && err instanceof KafkaError && err.code === ErrorCode.TOPIC_ALREADY_EXISTS) return;
    throw err;
  }
  printLines([`Created topic ${name}.`]);
}

async function selectTopics(service: TopicService, opts: TopicsOptions): Promise<string[]> {
  const matches = opts.topic === undefined ? () => true : topicMatcher(opts.topic);
  const all = await service.listTopics();
  return all.filter((t) => !(opts.excludeInternal && t.internal) && matches(t.name)).map((t) => t.name);
}

function ensureTopicExists(found: readonly string[], opts: TopicsOptions): void {
  if (opts.topic !== undefined && opts.topic !== '' && !opts.ifExists && found.length === 0) {
    throw new CliError(`Topic '${opts.topic}' does not exist as expected`);
  }
}

/** Which action, after the checks kafka-topics.sh makes on its options. */
function checkOptions(opts: TopicsOptions): Action {
  const chosen = ACTIONS.filter((a) => opts[a]);
  if (chosen.length !== 1) throw new CliError('Command must include exactly one action: --list, --describe, --create, --alter or --delete');
  const action = chosen[0];
  if (action !== 'list' && action !== 'describe' && opts.topic === undefined) {
    throw new CliError(`Missing required argument "--topic" (--${action} needs a topic)`);
  }
  if (action === 'alter' && opts.partitions === undefined) throw new CliError('--alter needs --partitions (the new, larger partition count)');
  if (action === 'alter' && opts.config.length > 0) {
    throw new CliError('--config can only be used with --create (kafka-topics --alter no longer changes topic configs)');
  }
  const only: Array<[keyof TopicsOptions, string, readonly Action[]]> = [
    ['config', '--config', ['create']],
    ['partitions', '--partitions', ['create', 'alter']],
    ['replicationFactor', '--replication-factor', ['create']],
    ['ifExists', '--if-exists', ['alter', 'delete', 'describe']],
    ['ifNotExists', '--if-not-exists', ['create']],
    ['excludeInternal', '--exclude-internal', ['list', 'describe']],
  ];
  for (const [key, flag, allowed] of only) {
    const v = opts[key];
    const given = Array.isArray(v) ? v.length > 0 : v !== undefined && v !== false;
    if (given && !allowed.includes(action)) {
      throw new CliError(`Option ${flag} can't be used with --${action} (only with ${allowed.map((a) => `--${a}`).join(', ')})`);
    }
  }
  return action;
}

/** `--config name=value`, each: blanks around `=` are dropped, the value may contain `=`. */
export function parseTopicConfigs(args: readonly string[]): Map<string, string> {
  const configs = new Map<string, string>();
  for (const arg of args) {
    const eq = arg.indexOf('=');
    const name = eq < 0 ? '' : arg.slice(0, eq).trim();
    if (name === '') throw new CliError(`Invalid topic config "${arg}": all configs to be added must be in the format "key=val".`);
    configs.set(name, arg.slice(eq + 1).trim());
  }
  return configs;
}
