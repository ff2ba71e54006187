/**
 * `skein console-producer`: reads stdin and sends one record per line to a topic, like
 * kafka-console-producer.sh (kafkajs's producer underneath). Keys are split off when
 * `--property parse.key=true` (see LineMessageReader). At end of input everything read is sent
 * and acknowledged before the command exits; SIGINT or SIGTERM ends the input early the same way.
 *
 * A line that cannot be parsed stops the command with exit code 1 after the lines before it have
 * been sent. A failed send is reported and exits 1; nothing after it is sent.
 *
 * Left out: --sync, --batch-size, --timeout and the other producer tuning options, and
 * --producer-property / --producer.config. Records go out non-idempotently (a single-node broker
 * has nothing to deduplicate across).
 */
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { Compression } from '../../protocol/batch-header.js';
import { compressSync, isCompressionAvailable } from '../../protocol/compression.js';
import { parseBootstrapServers } from '../bootstrap.js';
import { CliError } from '../cli-error.js';
import { type LineRecord, LineMessageReader, lineReaderConfig } from '../line-message-reader.js';
import { collect, printError } from '../options.js';
import { SendQueue } from '../send-queue.js';

export interface ConsoleProducerOptions {
  bootstrapServer: string;
  topic: string;
  property: string[];
  compressionCodec?: string | true;
  requestRequiredAcks: number;
}

const CODECS: Record<string, number> = {
  none: Compression.none,
  gzip: Compression.gzip,
  snappy: Compression.snappy,
  lz4: Compression.lz4,
  zstd: Compression.zstd,
};

export function registerConsoleProducerCommand(program: Command): void {
  program
    .command('console-producer')
    .description('Send each line of stdin as a record to a topic (like kafka-console-producer.sh)')
    .requiredOption('--bootstrap-server <host:port>', 'the broker to connect to (host:port[,host:port...])')
    .requiredOption('--topic <topic>', 'the topic to produce to')
    .option(
      '--property <key=value>',
      'line reader setting (repeatable): parse.key=true, key.separator=<sep> (default tab), ignore.error=true, null.marker=<s>',
      collect,
      [],
    )
    .option('--compression-codec [codec]', 'none, gzip, snappy, lz4 or zstd; the flag alone means gzip')
    .option('--request-required-acks <acks>', 'acknowledgements to wait for: all (-1), 1 or 0', acks, -1)
    .action(async (opts: ConsoleProducerOptions) => {
      process.exitCode = await runConsoleProducer(opts);
    });
}

export async function runConsoleProducer(opts: ConsoleProducerOptions): Promise<number> {
  const reader = new LineMessageReader(lineReaderConfig(opts.property));
  const compression = compressionCodec(opts.compressionCodec);
  const servers = parseBootstrapServers(opts.bootstrapServer);

  // kafkajs is loaded here rather than at the top so that other commands do not pay for it.
  const { createProducer } = await import('../kafkajs-client.js');
  const producer = createProducer(servers, 'skein-console-producer');
  try {
    await producer.connect();
  } catch (err) {
    throw new CliError(`Could not connect to ${opts.bootstrapServer}: ${(err as Error).message}`);
  }

  const input = createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
  const queue = new SendQueue<LineRecord>(async (messages) => {
    try {
      await producer.send({ topic: opts.topic, messages, acks: opts.requestRequiredAcks, compression });
    } catch (err) {
      input.close(); // stop reading: nothing after a failed send is sent
      throw err;
    }
  });
  const endInput = (): void => input.close();
  process.on('SIGINT', endInput);
  process.on('SIGTERM', endInput);

  let status = 0;
  try {
    for await (const line of input) {
      if (queue.failure) break;
      queue.push(reader.read(line));
      if (queue.size >= queue.maxBatch) await queue.drain();
    }
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    printError(err.message);
    status = 1;
  } finally {
    input.close();
    process.off('SIGINT', endInput);
    process.off('SIGTERM', endInput);
    await queue.drain();
    await producer.disconnect().catch(() => undefined);
  }
  if (queue.failure) {
    printError(`ERROR Error when sending message to topic ${opts.topic}: ${queue.failure.message}`);
    status = 1;
  }
  return status;
}

function compressionCodec(option: string | true | undefined): number {
  if (option === undefined) return Compression.none;
  const name = option === true ? 'gzip' : option.toLowerCase();
  const codec = CODECS[name];
  if (codec === undefined) throw new CliError(`Unknown --compression-codec ${option}; use one of ${Object.keys(CODECS).join(', ')}`);
  if (!isCompressionAvailable(codec)) {
    try {
      compressSync(codec, Buffer.alloc(0)); // throws the reason
    } catch (err) {
      throw new CliError(`--compression-codec ${name} is not available here: ${(err as Error).message}`);
    }
  }
  return codec;
}

function acks(value: string): number {
  switch (value.trim().toLowerCase()) {
    case 'all':
    case '-1':
      return -1;
    case '1':
      return 1;
    case '0':
      return 0;
    default:
      throw new InvalidArgumentError('Use all (or -1), 1 or 0.');
  }
}
