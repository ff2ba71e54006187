/**
 * `skein transactions`: list the transactional ids the cluster's coordinators hold, or describe one,
 * like kafka-transactions.sh's `list` and `describe` — the same columns, the same table layout (each
 * cell padded to its column's width and followed by a tab) and the same error message.
 *
 *   skein transactions --bootstrap-server HOST:PORT --list
 *   skein transactions --bootstrap-server HOST:PORT --describe --transactional-id ID
 *
 * Talks to the brokers through our own protocol client: ListTransactions to every broker in the
 * cluster's metadata (each answers for the ids it coordinates), FindCoordinator (key type 1) then
 * DescribeTransactions to the id's coordinator.
 *
 * Left out: kafka-transactions.sh's describe-producers, abort and find-hanging commands, and
 * --command-config (no TLS/SASL).
 */
import type { Command } from 'commander';
import { systemClock } from '../../broker/clock.js';
import { DescribeTransactions } from '../../protocol/apis/describe-transactions.js';
import { CoordinatorType } from '../../protocol/apis/find-coordinator.js';
import { ListTransactions } from '../../protocol/apis/list-transactions.js';
import { ErrorCode, errorName, KafkaError } from '../../protocol/errors.js';
import { parseBootstrapServers } from '../bootstrap.js';
import { CliError } from '../cli-error.js';
import { ClusterClient } from '../cluster-client.js';
import { printError, printLines } from '../options.js';

export interface TransactionsOptions {
  bootstrapServer: string;
  list?: boolean;
  describe?: boolean;
  transactionalId?: string;
}

export const LIST_HEADERS = ['TransactionalId', 'Coordinator', 'ProducerId', 'TransactionState'] as const;
export const DESCRIBE_HEADERS = [
  'CoordinatorId',
  'TransactionalId',
  'ProducerId',
  'ProducerEpoch',
  'TransactionState',
  'TransactionTimeoutMs',
  'CurrentTransactionStartTimeMs',
  'TransactionDurationMs',
  'TopicPartitions',
] as const;

export function registerTransactionsCommand(program: Command): void {
  program
    .command('transactions')
    .description('List transactions or describe a transactional id (like kafka-transactions.sh list / describe)')
    .requiredOption('--bootstrap-server <host:port>', 'the broker to connect to (host:port[,host:port...])')
    .option('--list', 'list the transactional ids every coordinator holds')
    .option('--describe', 'describe the state of a transactional id (with --transactional-id)')
    .option('--transactional-id <id>', 'with --describe: the transactional id')
    .action(async (opts: TransactionsOptions) => {
      process.exitCode = await runTransactions(opts);
    });
}

/** Runs one transactions command; returns the exit code. Usage errors are thrown as CliError. */
export async function runTransactions(opts: TransactionsOptions, now: () => number = () => systemClock.now()): Promise<number> {
  if (Boolean(opts.list) === Boolean(opts.describe)) throw new CliError('Command must include exactly one action: --list, --describe');
  if (opts.list && opts.transactionalId !== undefined) throw new CliError("Option --transactional-id can't be used with --list (only with --describe)");
  if (opts.describe && opts.transactionalId === undefined) throw new CliError('Option --describe requires --transactional-id');
  const cluster = await ClusterClient.connect(parseBootstrapServers(opts.bootstrapServer), { clientId: 'skein-transactions' });
  try {
    if (opts.list) {
      const rows = await listTransactions(cluster);
      if (rows === null) return 1;
      printLines(prettyPrintTable(LIST_HEADERS, rows));
      return 0;
    }
    const row = await describeTransaction(cluster, opts.transactionalId as string, now);
    if (row === null) return 1;
    printLines(prettyPrintTable(DESCRIBE_HEADERS, [row]));
    return 0;
  } finally {
    cluster.close();
  }
}

/** One row per transactional id of every broker, or null after printing why it failed. */
async function listTransactions(cluster: ClusterClient): Promise<string[][] | null> {
  try {
    const md = await cluster.metadata([]);
    const rows: string[][] = [];
    for (const broker of [...md.brokers].sort((a, b) => a.nodeId - b.nodeId)) {
      const res = await cluster.retrying(async () => {
        const client = await cluster.connectionToNode(broker.nodeId);
        const answer = await client.send(ListTransactions, { stateFilters: [], producerIdFilters: [], durationFilter: -1n });
        if (answer.errorCode !== ErrorCode.NONE) throw new KafkaError(answer.errorCode, exceptionMessage(answer.errorCode));
        return answer;
      });
      for (const t of res.transactionStates) rows.push([t.transactionalId, String(broker.nodeId), String(t.producerId), t.transactionState]);
    }
    return rows;
  } catch (err) {
    if (err instanceof CliError) throw err;
    printError(`Failed to list transactions: ${(err as Error).message}. Enable debug logging for additional detail.`);
    return null;
  }
}

/** The describe row of one id, or null after printing why it failed. */
async function describeTransaction(cluster: ClusterClient, transactionalId: string, now: () => number): Promise<string[] | null> {
  try {
    const coordinator = await cluster.coordinator(transactionalId, CoordinatorType.transaction);
    const res = await cluster.retrying(async () => {
      const answer = await coordinator.client.send(DescribeTransactions, { transactionalIds: [transactionalId] });
      const state = answer.transactionStates.find((s) => s.transactionalId === transactionalId);
      if (state === undefined) throw new KafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, `No answer for transactional id ${transactionalId}`);
      if (state.errorCode !== ErrorCode.NONE) throw new KafkaError(state.errorCode, exceptionMessage(state.errorCode));
      return state;
    });
    const started = res.transactionStartTimeMs >= 0n;
    return [
      String(coordinator.nodeId),
      transactionalId,
      String(res.producerId),
      String(res.producerEpoch),
      res.transactionState,
      String(res.transactionTimeoutMs),
      started ? String(res.transactionStartTimeMs) : 'None',
      started ? String(BigInt(now()) - res.transactionStartTimeMs) : 'None',
      res.topics.flatMap((t) => t.partitions.map((p) => `${t.topic}-${p}`)).join(','),
    ];
  } catch (err) {
    if (err instanceof CliError) throw err;
    printError(
      `Failed to describe transaction state of transactional-id \`${transactionalId}\`: ${(err as Error).message}. Enable debug logging for additional detail.`,
    );
    return null;
  }
}

/** The message of the exception Kafka's admin client raises for an error code. */
function exceptionMessage(code: number): string {
  switch (code) {
    case ErrorCode.TRANSACTIONAL_ID_NOT_FOUND:
      return 'The transactionalId could not be found';
    case ErrorCode.COORDINATOR_NOT_AVAILABLE:
      return 'The coordinator is not available.';
    case ErrorCode.INVALID_REQUEST:
      return 'This most likely occurs because of a request being malformed by the client library or the message was sent to an incompatible broker. See the broker logs for more details.';
    default:
      return errorName(code);
  }
}

/** kafka-transactions.sh's table: every cell padded to its column's width, then a tab. */
export function prettyPrintTable(headers: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => `${c.padEnd(widths[i])}\t`).join('');
  return [line(headers), ...rows.map(line)];
}
