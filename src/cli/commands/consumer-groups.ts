/**
 * `skein consumer-groups`: list, describe, delete consumer groups and reset their committed offsets,
 * like kafka-consumer-groups.sh, with the same options, tables and messages.
 *
 * Talks to the broker through our own protocol client (FindCoordinator, then the coordinator), which
 * keeps the broker's error codes and lets offsets be reset exactly as Kafka's admin client does: an
 * OffsetCommit with generation -1 and no member id, refused while the group has members.
 *
 * Left out: --delete-offsets, --from-file and --export, --timeout, --command-config (no TLS/SASL),
 * --type (every group here is classic), and the KIP-848 consumer groups.
 */
import type { Command } from 'commander';
import { systemClock } from '../../broker/clock.js';
import { OffsetSpec } from '../../protocol/apis/list-offsets.js';
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import { type TopicPartition, topicPartitionKey } from '../../protocol/topic-partition.js';
import { parseBootstrapServers } from '../bootstrap.js';
import { CliError } from '../cli-error.js';
import { ClusterClient } from '../cluster-client.js';
import {
  formatGroupStates,
  formatMembersTable,
  formatOffsetsTable,
  formatResetPlan,
  formatStateTable,
  offsetRows,
  partitionsOfRows,
} from '../consumer-group-report.js';
import { type CommittedOffset, ConsumerGroupService, type GroupDescription, GROUP_STATES } from '../consumer-group-service.js';
import { type OffsetLookup, parseDateTime, parseDuration, planOffsetReset, type ResetSpec } from '../offset-reset.js';
import { collect, long, printError, printLines } from '../options.js';

export interface ConsumerGroupsOptions {
  bootstrapServer: string;
  list?: boolean;
  describe?: boolean;
  delete?: boolean;
  resetOffsets?: boolean;
  group: string[];
  allGroups?: boolean;
  members?: boolean;
  offsets?: boolean;
  state?: string | true;
  verbose?: boolean;
  topic: string[];
  allTopics?: boolean;
  toEarliest?: boolean;
  toLatest?: boolean;
  toCurrent?: boolean;
  toOffset?: bigint;
  shiftBy?: bigint;
  toDatetime?: string;
  byDuration?: string;
  dryRun?: boolean;
  execute?: boolean;
}

type Action = 'list' | 'describe' | 'delete' | 'resetOffsets';
const ACTIONS: readonly Action[] = ['list', 'describe', 'delete', 'resetOffsets'];
const FLAG: Record<string, string> = {
  list: 'list',
  describe: 'describe',
  delete: 'delete',
  resetOffsets: 'reset-offsets',
  group: 'group',
  allGroups: 'all-groups',
  members: 'members',
  offsets: 'offsets',
  state: 'state',
  verbose: 'verbose',
  topic: 'topic',
  allTopics: 'all-topics',
  toEarliest: 'to-earliest',
  toLatest: 'to-latest',
  toCurrent: 'to-current',
  toOffset: 'to-offset',
  shiftBy: 'shift-by',
  toDatetime: 'to-datetime',
  byDuration: 'by-duration',
  dryRun: 'dry-run',
  execute: 'execute',
};
const RESET_SCENARIOS = ['toDatetime', 'byDuration', 'toEarliest', 'toLatest', 'shiftBy', 'toCurrent', 'toOffset'] as const;

export function registerConsumerGroupsCommand(program: Command): void {
  program
    .command('consumer-groups')
    .description('List, describe or delete consumer groups, or reset their offsets (like kafka-consumer-groups.sh)')
    .requiredOption('--bootstrap-server <host:port>', 'the broker to connect to (host:port[,host:port...])')
    .option('--list', 'list all consumer groups')
    .option('--describe', "describe a group's offsets and lag (or, with --members or --state, its members or state)")
    .option('--delete', 'delete groups (they must have no active members)')
    .option('--reset-offsets', "reset a group's committed offsets (dry run unless --execute)")
    .option('--group <group>', 'the consumer group (repeatable)', collect, [])
    .option('--all-groups', 'every consumer group (with --describe, --delete or --reset-offsets)')
    .option('--members', 'with --describe: the group members')
    .option('--offsets', 'with --describe: offsets and lag per partition (the default)')
    .option('--state [states]', 'with --describe: the group state; with --list: each group state, optionally only these (comma-separated)')
    .option('--verbose', "with --describe --members: each member's partitions")
    .option('--topic <topic[:partitions]>', 'with --reset-offsets: a topic, or some of its partitions (orders:0,2); repeatable', collect, [])
    .option('--all-topics', 'with --reset-offsets: every partition the group has committed an offset for')
    .option('--to-earliest', 'reset to the log start offset')
    .option('--to-latest', 'reset to the log end offset')
    .option('--to-current', 'reset to the current committed offset')
    .option('--to-offset <offset>', 'reset to this offset', long)
    .option('--shift-by <n>', 'move the committed offset by n (negative: back)', long)
    .option('--to-datetime <datetime>', 'reset to the first offset at or after yyyy-MM-ddTHH:mm:ss.SSS (UTC unless followed by Z or +hh:mm)')
    .option('--by-duration <duration>', 'reset to the first offset at or after now minus an ISO-8601 duration (PnDTnHnMnS)')
    .option('--dry-run', 'with --reset-offsets: only print the new offsets (the default)')
    .option('--execute', 'with --reset-offsets: commit the new offsets')
    .action(async (opts: ConsumerGroupsOptions) => {
      process.exitCode = await runConsumerGroups(opts);
    });
}

/** Runs one consumer-groups command; returns the exit code. Usage errors are thrown as CliError. */
export async function runConsumerGroups(opts: ConsumerGroupsOptions): Promise<number> {
  const action = checkOptions(opts);
  const resetSpec = action === 'resetOffsets' ? resetSpecOf(opts) : null;
  const topicArgs = parseTopicArgs(opts.topic);
  const listStates = action === 'list' && opts.state !== undefined ? parseStates(opts.state) : null;
  const servers = parseBootstrapServers(opts.bootstrapServer);
  const cluster = await ClusterClient.connect(servers, { clientId: 'skein-consumer-groups' });
  try {
    const service = new ConsumerGroupService(cluster);
    switch (action) {
      case 'list': {
        const groups = await service.listGroups(listStates ?? []);
        printLines(listStates === null ? groups.map((g) => g.groupId) : formatGroupStates(groups));
        return 0;
      }
      case 'describe':
        return await describeGroups(service, cluster, await selectGroups(service, opts), opts);
      case 'delete':
        return await deleteGroups(service, await selectGroups(service, opts));
      case 'resetOffsets':
        return await resetOffsets(service, cluster, await selectGroups(service, opts), opts, resetSpec as ResetSpec, topicArgs);
    }
  } catch (err) {
    if (err instanceof CliError) throw err;
    printError(`Error: Executing consumer group command failed due to ${(err as Error).message}`);
    return 1;
  } finally {
    cluster.close();
  }
}

async function selectGroups(service: ConsumerGroupService, opts: ConsumerGroupsOptions): Promise<string[]> {
  if (opts.allGroups) return (await service.listGroups()).map((g) => g.groupId);
  return [...new Set(opts.group)];
}

async function describeGroups(service: ConsumerGroupService, cluster: ClusterClient, groups: readonly string[], opts: ConsumerGroupsOptions): Promise<number> {
  let status = 0;
  for (const groupId of groups) {
    const group = await service.describeGroup(groupId);
    if (group === null) {
      printError(`Error: Consumer group '${groupId}' does not exist.`);
      status = 1;
      continue;
    }
    if (opts.members) {
      if (shouldPrint(group, group.members.length)) printTable(formatMembersTable(group, opts.verbose ?? false));
    } else if (opts.state) {
      if (shouldPrint(group, 1)) printTable(formatStateTable(group));
    } else {
      const committed = await service.committedOffsets(groupId);
      const partitions = partitionsOfRows(group, committed);
      const ends = await cluster.listOffsets(partitions, OffsetSpec.latest);
      const logEnd = new Map<string, bigint | null>();
      for (const [key, v] of ends) logEnd.set(key, v instanceof KafkaError ? null : v);
      const rows = offsetRows(group, committed, logEnd);
      if (shouldPrint(group, rows.length)) printTable(formatOffsetsTable(rows));
    }
  }
  return status;
}

/** Kafka's notes about the group's state (on stderr); whether there are rows to print. */
function shouldPrint(group: GroupDescription, rows: number): boolean {
  switch (group.state) {
    case 'Empty':
      printError(`Consumer group '${group.groupId}' has no active members.`);
      break;
    case 'PreparingRebalance':
    case 'CompletingRebalance':
      printError(`Warning: Consumer group '${group.groupId}' is rebalancing.`);
      break;
  }
  return rows > 0;
}

/** A table, after a blank line as kafka-consumer-groups.sh prints it. */
function printTable(lines: string[]): void {
  printLines(['', ...lines]);
}

async function deleteGroups(service: ConsumerGroupService, groups: readonly string[]): Promise<number> {
  const results = await service.deleteGroups(groups);
  const ok = results.filter((r) => r.errorCode === ErrorCode.NONE).map((r) => r.groupId);
  const failed = results.filter((r) => r.errorCode !== ErrorCode.NONE);
  const quoted = (ids: string[]) => ids.map((g) => `'${g}'`).join(', ');
  if (failed.length === 0) {
    printLines([`Deletion of requested consumer groups (${quoted(ok)}) was successful.`]);
    return 0;
  }
  printError('Error: Deletion of some consumer groups failed:');
  for (const f of failed) printError(`* Group '${f.groupId}' could not be deleted due to: ${deleteErrorText(f.errorCode)}`);
  if (ok.length > 0) printLines([`These consumer groups were deleted successfully: ${quoted(ok)}`]);
  return 1;
}

/** The exception Kafka's admin client would report for a DeleteGroups error, as it prints it. */
function deleteErrorText(code: number): string {
  switch (code) {
    case ErrorCode.NON_EMPTY_GROUP:
      return 'org.apache.kafka.common.errors.GroupNotEmptyException: The group is not empty.';
    case ErrorCode.GROUP_ID_NOT_FOUND:
      return 'org.apache.kafka.common.errors.GroupIdNotFoundException: The group id does not exist.';
    case ErrorCode.INVALID_GROUP_ID:
      return 'org.apache.kafka.common.errors.InvalidGroupIdException: The configured groupId is invalid.';
    default:
      return new KafkaError(code).message;
  }
}

async function resetOffsets(
  service: ConsumerGroupService,
  cluster: ClusterClient,
  groups: readonly string[],
  opts: ConsumerGroupsOptions,
  spec: ResetSpec,
  topicArgs: TopicArgs,
): Promise<number> {
  if (!opts.dryRun && !opts.execute) {
    printError(
      'WARN: No action will be performed as the --execute option is missing. In a future major release, the default behavior of this command will be to prompt the user before executing the reset rather than doing a dry run. You should add the --dry-run option explicitly if you are scripting this command and want to keep the current default behavior without prompting.',
    );
  }
  const lookup = (committed: ReadonlyMap<string, bigint>): OffsetLookup => ({
    earliest: async (tps) => known(await cluster.listOffsets(tps, OffsetSpec.earliest)),
    latest: async (tps) => known(await cluster.listOffsets(tps, OffsetSpec.latest)),
    forTime: async (tps, timestamp) => {
      const found = await cluster.listOffsets(tps, timestamp);
      for (const v of found.values()) if (v instanceof KafkaError) throw v;
      return found as Map<string, bigint | null>;
    },
    committed,
    now: () => BigInt(systemClock.now()),
  });

  let status = 0;
  const plan: Array<{ group: string; offsets: CommittedOffset[] }> = [];
  for (const groupId of groups) {
    const group = await service.describeGroup(groupId);
    const state = group?.state ?? 'Dead';
    if (state !== 'Empty' && state !== 'Dead') {
      printError(`Error: Assignments can only be reset if the group '${groupId}' is inactive, but the current state is ${state}.`);
      status = 1;
      continue;
    }
    const committedList = await service.committedOffsets(groupId);
    const committed = new Map(committedList.map((c) => [topicPartitionKey(c.topic, c.partition), c.offset]));
    const partitions = opts.allTopics ? committedList.map(({ topic, partition }) => ({ topic, partition })) : await topicPartitions(cluster, topicArgs);
    const offsets = await planOffsetReset(partitions, spec, lookup(committed), printError);
    if (opts.execute) await service.commitOffsets(groupId, offsets);
    plan.push({ group: groupId, offsets });
  }
  if (plan.length > 0) printTable(formatResetPlan(plan));
  return status;
}

interface TopicArgs {
  /** Topics named without partitions: all of their partitions. */
  whole: string[];
  partitions: TopicPartition[];
}

/** `--topic` arguments: `t` (every partition of t) or `t:0,2`, as Kafka reads them. */
function parseTopicArgs(args: readonly string[]): TopicArgs {
  const out: TopicArgs = { whole: [], partitions: [] };
  for (const arg of args) {
    if (!arg.includes(':')) {
      out.whole.push(arg);
      continue;
    }
    const parts = arg.split(':');
    if (parts.length !== 2 || parts[0] === '') throw new CliError(`Invalid topic arg '${arg}', expected topic name and partitions`);
    for (const p of parts[1].split(',')) {
      if (!/^\d+$/.test(p.trim())) throw new CliError(`Invalid partition '${p}' specified in topic arg '${arg}'`);
      out.partitions.push({ topic: parts[0], partition: Number(p.trim()) });
    }
  }
  return out;
}

/** The partitions `--topic` arguments name; a topic without partitions stands for all of its own. */
async function topicPartitions(cluster: ClusterClient, args: TopicArgs): Promise<TopicPartition[]> {
  const out = [...args.partitions];
  const described = await cluster.describeTopics(args.whole);
  for (const t of described.values()) for (const p of t.partitions) out.push({ topic: t.name, partition: p.partition });
  return out;
}

function known(found: Map<string, bigint | null | KafkaError>): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const [k, v] of found) {
    if (v instanceof KafkaError) throw v;
    if (v !== null) out.set(k, v);
  }
  return out;
}

/** Which action, after the checks kafka-consumer-groups.sh makes on its options. */
function checkOptions(opts: ConsumerGroupsOptions): Action {
  const chosen = ACTIONS.filter((a) => opts[a]);
  if (chosen.length !== 1) throw new CliError('Command must include exactly one action: --list, --describe, --delete, --reset-offsets');
  const action = chosen[0];
  const given = (key: keyof ConsumerGroupsOptions) => {
    const v = opts[key];
    return Array.isArray(v) ? v.length > 0 : v !== undefined && v !== false;
  };
  const only: Array<[keyof ConsumerGroupsOptions, readonly Action[]]> = [
    ['group', ['describe', 'delete', 'resetOffsets']],
    ['allGroups', ['describe', 'delete', 'resetOffsets']],
    ['members', ['describe']],
    ['offsets', ['describe']],
    ['state', ['describe', 'list']],
    ['verbose', ['describe']],
    ['topic', ['resetOffsets']],
    ['allTopics', ['resetOffsets']],
    ['dryRun', ['resetOffsets']],
    ['execute', ['resetOffsets']],
    ...RESET_SCENARIOS.map((s): [keyof ConsumerGroupsOptions, readonly Action[]] => [s, ['resetOffsets']]),
  ];
  for (const [key, allowed] of only) {
    if (given(key) && !allowed.includes(action)) {
      throw new CliError(`Option --${FLAG[key]} can't be used with --${FLAG[action]} (only with ${allowed.map((a) => `--${FLAG[a]}`).join(', ')})`);
    }
  }
  if (action !== 'list') {
    if (!given('group') && !given('allGroups')) throw new CliError(`Option [${FLAG[action]}] takes one of these options: [all-groups], [group]`);
    if (given('group') && given('allGroups')) throw new CliError('Option "[group]" can\'t be used with option "[all-groups]"');
  }
  if (action === 'describe') {
    const modes = (['members', 'offsets', 'state'] as const).filter(given);
    if (modes.length > 1) throw new CliError('Option [describe] takes at most one of these options: [members], [offsets], [state]');
    if (given('state') && opts.state !== true) throw new CliError('Option --state takes no value with --describe');
    if (given('verbose') && !given('members')) throw new CliError('Option [verbose] is only used with --describe --members');
  }
  if (action === 'resetOffsets') {
    if (given('dryRun') && given('execute')) throw new CliError('Option [reset-offsets] only accepts one of [execute] and [dry-run]');
    const scenarios = RESET_SCENARIOS.filter(given);
    if (scenarios.length !== 1) {
      throw new CliError(`Option [reset-offsets] takes exactly one of these options: ${RESET_SCENARIOS.map((s) => `[${FLAG[s]}]`).join(', ')}`);
    }
    if (!given('topic') && !given('allTopics')) throw new CliError('One of the reset scopes should be defined: --all-topics, --topic.');
    if (given('topic') && given('allTopics')) throw new CliError('Option "[all-topics]" can\'t be used with option "[topic]"');
  }
  return action;
}

function resetSpecOf(opts: ConsumerGroupsOptions): ResetSpec {
  if (opts.toEarliest) return { kind: 'to-earliest' };
  if (opts.toLatest) return { kind: 'to-latest' };
  if (opts.toCurrent) return { kind: 'to-current' };
  if (opts.toOffset !== undefined) return { kind: 'to-offset', offset: opts.toOffset };
  if (opts.shiftBy !== undefined) return { kind: 'shift-by', by: opts.shiftBy };
  if (opts.toDatetime !== undefined) return { kind: 'to-datetime', timestamp: parseDateTime(opts.toDatetime) };
  return { kind: 'by-duration', ms: parseDuration(opts.byDuration as string) };
}

/** `--list --state a,b`: the states, in Kafka's spelling (case-insensitive); `--state` alone: all. */
function parseStates(value: string | true): string[] {
  if (value === true || value.trim() === '') return [];
  const states = value.split(',').map((s) => s.trim());
  const canonical = states.map((s) => GROUP_STATES.find((g) => g.toLowerCase() === s.toLowerCase()));
  if (canonical.includes(undefined)) throw new CliError(`Invalid state list '${value}'. Valid states are: ${GROUP_STATES.join(', ')}`);
  return canonical as string[];
}
