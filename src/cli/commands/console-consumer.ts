/**
 * `skein console-consumer`: prints the records of a topic, one per line, like
 * kafka-console-consumer.sh, with the same options and DefaultMessageFormatter's `--property` names.
 *
 * Two ways to read, as in Kafka:
 * - As a member of a consumer group (kafkajs's consumer): `--group`, or a generated
 *   `console-consumer-<n>` group. A group given by name commits what has been printed, so the next
 *   run with it continues from there; a generated group commits nothing. `--from-beginning` starts a
 *   group that has no committed offset at the earliest offset instead of the latest.
 * - One partition, without a group (`--partition`, optionally `--offset`): our own Fetch requests,
 *   since kafkajs cannot consume outside a group. With `--group` as well, the position reached is
 *   committed for that group at exit (as Kafka's auto-commit would).
 *
 * Ends after `--max-messages`, after `--timeout-ms` without a new record, or on SIGINT/SIGTERM
 * (leaving the group cleanly); then prints `Processed a total of N messages` on stderr and exits 0.
 *
 * Left out: --include (a regular expression of topics), --formatter and the deserializer options
 * (bytes are printed as they are), --consumer-property / --consumer.config, --skip-message-on-error.
 */
import { once } from 'node:events';
import type { Command } from 'commander';
import { KafkaError } from '../../protocol/errors.js';
import { type BrokerAddress, parseBootstrapServers } from '../bootstrap.js';
import { CliError } from '../cli-error.js';
import { ClusterClient } from '../cluster-client.js';
import { ConsumerGroupService } from '../consumer-group-service.js';
import { type ConsumedRecord, formatRecord, type MessageFormatterConfig, messageFormatterConfig } from '../message-formatter.js';
import { collect, integer, printError } from '../options.js';
import { PartitionReader, type StartOffset } from '../partition-reader.js';

export interface ConsoleConsumerOptions {
  bootstrapServer: string;
  topic: string;
  group?: string;
  fromBeginning?: boolean;
  partition?: number;
  offset?: string;
  maxMessages?: number;
  timeoutMs?: number;
  isolationLevel: string;
  property: string[];
}

const ISOLATION_LEVELS = ['read_committed', 'read_uncommitted'];
/** How long one poll waits for records, at most; bounds how late a stop request is noticed. */
const POLL_MS = 500;

export function registerConsoleConsumerCommand(program: Command): void {
  program
    .command('console-consumer')
    .description('Print the records of a topic to stdout (like kafka-console-consumer.sh)')
    .requiredOption('--bootstrap-server <host:port>', 'the broker to connect to (host:port[,host:port...])')
    .requiredOption('--topic <topic>', 'the topic to consume')
    .option('--group <group>', 'the consumer group to consume in (default: a new console-consumer-<n> group that commits nothing)')
    .option('--from-beginning', 'without a committed offset, start at the earliest offset rather than the latest')
    .option('--partition <partition>', 'consume only this partition, outside any consumer group', integer)
    .option('--offset <offset>', "with --partition: 'earliest', 'latest' (default) or an offset to start at")
    .option('--max-messages <n>', 'exit after this many records', integer)
    .option('--timeout-ms <ms>', 'exit when no record has arrived for this long', integer)
    .option('--isolation-level <level>', 'read_committed (skip aborted transactions) or read_uncommitted', 'read_uncommitted')
    .option(
      '--property <key=value>',
      'formatter setting (repeatable): print.key, print.partition, print.offset, print.timestamp, print.headers, print.value (true/false), key.separator, line.separator, headers.separator, null.literal',
      collect,
      [],
    )
    .action(async (opts: ConsoleConsumerOptions) => {
      process.exitCode = await runConsoleConsumer(opts);
    });
}

export async function runConsoleConsumer(opts: ConsoleConsumerOptions): Promise<number> {
  const start = checkOptions(opts);
  const format = messageFormatterConfig(opts.property);
  const servers = parseBootstrapServers(opts.bootstrapServer);
  const readCommitted = opts.isolationLevel === 'read_committed';
  const session = new ConsumeSession(format, opts.maxMessages, opts.timeoutMs);
  const onSignal = (): void => session.stop();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let status = 0;
  try {
    if (opts.partition !== undefined) {
      await consumePartition(servers, opts, opts.partition, start ?? (opts.fromBeginning ? 'earliest' : 'latest'), readCommitted, session);
    } else {
      await consumeInGroup(servers, opts, readCommitted, session);
    }
  } catch (err) {
    if (!(err instanceof CliError) && !(err instanceof KafkaError) && !isKafkaJsError(err)) throw err;
    printError(`ERROR Error processing message, terminating consumer process: ${(err as Error).message}`);
    status = 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    printError(`Processed a total of ${session.count} messages`);
  }
  return status;
}

/**
 * What is printed and when to stop: after `maxMessages`, after `timeoutMs` without a record (counted
 * from `startClock`), or on `stop()`.
 */
class ConsumeSession {
  count = 0;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  readonly done: Promise<void>;

  constructor(
    private readonly format: MessageFormatterConfig,
    private readonly maxMessages: number | undefined,
    private readonly timeoutMs: number | undefined,
  ) {
    this.done = new Promise((res) => (this.wake = res));
    if (maxMessages === 0) this.stop();
  }

  get stopping(): boolean {
    return this.stopped;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.wake?.();
  }

  /** Starts the --timeout-ms clock. */
  startClock(): void {
    this.resetClock();
  }

  /** Prints records until told to stop; returns how many were printed. */
  async print(records: readonly ConsumedRecord[]): Promise<number> {
    let printed = 0;
    const chunks: Buffer[] = [];
    for (const r of records) {
      if (this.stopped) break;
      chunks.push(formatRecord(r, this.format));
      printed++;
      this.count++;
      if (this.maxMessages !== undefined && this.maxMessages >= 0 && this.count >= this.maxMessages) this.stop();
    }
    if (printed > 0) {
      if (!this.stopped) this.resetClock();
      if (!process.stdout.write(Buffer.concat(chunks))) await once(process.stdout, 'drain');
    }
    return printed;
  }

  private resetClock(): void {
    if (this.timeoutMs === undefined || this.timeoutMs < 0 || this.stopped) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.stop(), this.timeoutMs);
  }
}

async function consumePartition(
  servers: BrokerAddress[],
  opts: ConsoleConsumerOptions,
  partition: number,
  start: StartOffset,
  readCommitted: boolean,
  session: ConsumeSession,
): Promise<void> {
  const cluster = await ClusterClient.connect(servers, { clientId: 'console-consumer' });
  try {
    // Like a consumer's metadata request, this creates the topic if the broker allows it.
    const topic = (await cluster.describeTopics([opts.topic], true)).get(opts.topic);
    if (topic === undefined || !topic.partitions.some((p) => p.partition === partition)) {
      throw new CliError(`Partition ${partition} of topic '${opts.topic}' does not exist (it has ${topic?.partitions.length ?? 0} partitions)`);
    }
    const reader = await PartitionReader.open(cluster, topic, partition, start, {
      readCommitted,
      resetTo: opts.fromBeginning ? 'earliest' : 'latest',
    });
    session.startClock();
    while (!session.stopping) {
      const records = await reader.poll(POLL_MS);
      const printed = await session.print(records);
      if (printed < records.length) reader.position = records[printed].offset;
    }
    if (opts.group !== undefined) {
      try {
        await new ConsumerGroupService(cluster).commitOffsets(opts.group, [{ topic: opts.topic, partition, offset: reader.position }]);
      } catch (err) {
        printError(`WARN Could not commit offset ${reader.position} of ${opts.topic}-${partition} for group '${opts.group}': ${(err as Error).message}`);
      }
    }
  } finally {
    cluster.close();
  }
}

async function consumeInGroup(servers: BrokerAddress[], opts: ConsoleConsumerOptions, readCommitted: boolean, session: ConsumeSession): Promise<void> {
  // kafkajs is loaded here rather than at the top so that other commands do not pay for it.
  const { createKafka } = await import('../kafkajs-client.js');
  const generated = opts.group === undefined;
  // As Kafka's console consumer: a random group id, and no commits for it (it will not be reused).
  const groupId = opts.group ?? `console-consumer-${Math.floor(Math.random() * 100_000)}`;
  const consumer = createKafka(servers, 'console-consumer').consumer({
    groupId,
    readUncommitted: !readCommitted,
    maxWaitTimeInMs: POLL_MS,
    allowAutoTopicCreation: true,
    retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 2_000, restartOnFailure: async () => false },
  });
  let failure: Error | undefined;
  consumer.on(consumer.events.CRASH, (event) => {
    if (event.payload.restart) return;
    failure = event.payload.error;
    session.stop();
  });
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [opts.topic], fromBeginning: opts.fromBeginning ?? false });
    if (session.stopping) return;
    // A signal while the group is still being joined must not wait for the join to finish.
    const running = consumer.run({
      autoCommit: !generated,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, isRunning, isStale }) => {
        if (session.stopping || !isRunning() || isStale()) return;
        const records = batch.messages.map((m): ConsumedRecord => ({
          partition: batch.partition,
          offset: BigInt(m.offset),
          timestamp: BigInt(m.timestamp),
          timestampType: (m as { batchContext?: { timestampType?: number } }).batchContext?.timestampType === 1 ? 'LogAppendTime' : 'CreateTime',
          key: m.key,
          value: m.value,
          headers: headersOf(m.headers),
        }));
        // Only what has been printed is resolved, so only that is committed.
        const printed = await session.print(records);
        if (printed > 0) resolveOffset(batch.messages[printed - 1].offset);
      },
    });
    running.catch(() => undefined); // a failure to join is thrown by the race below
    await Promise.race([running, session.done]);
    session.startClock();
    await session.done;
  } finally {
    // Stops fetching, commits what was resolved (named groups), and leaves the group.
    await consumer.disconnect().catch(() => undefined);
  }
  if (failure !== undefined) throw failure;
}

/** kafkajs gives headers as an object; a repeated key holds an array. */
function headersOf(headers: Record<string, Buffer | string | Array<Buffer | string> | undefined> | undefined): ConsumedRecord['headers'] {
  const out: Array<{ key: string; value: Buffer | null }> = [];
  for (const [key, v] of Object.entries(headers ?? {})) {
    for (const value of Array.isArray(v) ? v : [v]) out.push({ key, value: value === undefined || value === null ? null : Buffer.from(value) });
  }
  return out;
}

function isKafkaJsError(err: unknown): boolean {
  return err instanceof Error && err.name.startsWith('KafkaJS');
}

/** The checks kafka-console-consumer.sh makes; returns the --offset start position. */
function checkOptions(opts: ConsoleConsumerOptions): StartOffset | undefined {
  if (opts.offset !== undefined && opts.partition === undefined) throw new CliError('The partition is required when offset is specified.');
  if (opts.offset !== undefined && opts.fromBeginning) throw new CliError('Options from-beginning and offset cannot be specified together.');
  if (opts.partition !== undefined && opts.partition < 0) throw new CliError(`Invalid --partition ${opts.partition}: a partition number is 0 or more`);
  if (!ISOLATION_LEVELS.includes(opts.isolationLevel)) {
    throw new CliError(`Invalid value ${opts.isolationLevel} for configuration isolation.level: String must be one of: ${ISOLATION_LEVELS.join(', ')}`);
  }
  if (opts.offset === undefined) return undefined;
  const text = opts.offset.trim().toLowerCase();
  if (text === 'earliest' || text === 'latest') return text;
  if (/^\d+$/.test(text) && BigInt(text) <= 0x7fffffffffffffffn) return BigInt(text);
  throw new CliError(`The provided offset value '${opts.offset}' is incorrect. Valid values are 'earliest', 'latest', or a non-negative long.`);
}
