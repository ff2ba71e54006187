/**
 * kafkajs as the CLI uses it: silent (errors reach the user as thrown errors, worded by the
 * command), retrying briefly so an unreachable broker is reported within seconds, and able to
 * write snappy, lz4 and zstd batches through our own codecs (kafkajs ships only gzip).
 */
import kafkajs from 'kafkajs';
import { Compression } from '../protocol/batch-header.js';
import { compress, decompress } from '../protocol/compression.js';
import { type BrokerAddress, formatAddress } from './bootstrap.js';

const { Kafka, CompressionCodecs, CompressionTypes, logLevel, Partitioners } = kafkajs;

export function createKafka(servers: readonly BrokerAddress[], clientId: string): InstanceType<typeof Kafka> {
  registerCompressionCodecs();
  return new Kafka({
    clientId,
    brokers: servers.map(formatAddress),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 5_000,
    retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 2_000 },
  });
}

/** A producer with the Java client's partitioner (murmur2 of the key), creating topics as the broker allows. */
export function createProducer(servers: readonly BrokerAddress[], clientId: string): kafkajs.Producer {
  return createKafka(servers, clientId).producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: true });
}

let registered = false;

/** Puts our snappy, lz4 and zstd codecs in kafkajs's codec table (once per process). */
export function registerCompressionCodecs(): void {
  if (registered) return;
  registered = true;
  const codec = (id: number) => () => ({
    compress: (encoder: { buffer: Buffer }) => compress(id, encoder.buffer),
    decompress: (buffer: Buffer) => decompress(id, buffer),
  });
  CompressionCodecs[CompressionTypes.Snappy] = codec(Compression.snappy);
  CompressionCodecs[CompressionTypes.LZ4] = codec(Compression.lz4);
  CompressionCodecs[CompressionTypes.ZSTD] = codec(Compression.zstd);
}
