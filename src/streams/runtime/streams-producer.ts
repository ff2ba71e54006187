/**
 * StreamsProducer (Kafka Streams' name): what a task (exactly_once) or a thread (at_least_once)
 * writes its records with. kafkajs keeps the producer's state — connections and metadata (its
 * `Cluster`), producer id, epoch, sequence numbers and the transaction (its `EosManager`) — and
 * Skein encodes the records: one RecordBatch v2 per partition with `src/protocol`, one Produce
 * request per leader, sent on kafkajs's connection to it. kafkajs's own `sendBatch` costs a
 * streams application most of its CPU (docs/streams-internals.md, "The producer").
 */
import type { Kafka } from 'kafkajs';
import createEosManager, { type EosManager } from 'kafkajs/src/producer/eosManager/index.js';
import { createErrorFromCode, staleMetadata } from 'kafkajs/src/protocol/error.js';
import { Produce, type ProduceResponse } from '../../protocol/apis/produce.js';
import { Reader } from '../../protocol/reader.js';
import { type RecordHeader, type RecordInput, encodeRecordBatch, encodeRecordBatchAsync } from '../../protocol/record-batch.js';
import { Writer } from '../../protocol/writer.js';
import type { Headers } from '../../serdes/headers.js';
import { type KafkajsBroker, type KafkajsCluster, createKafkajsCluster } from './kafkajs-cluster.js';
import { partitionForKey } from './partitioner.js';
import type { ProducerRecord } from './record-collector.js';

/** Next offset (last written + 1) per `topic:partition`, for the partitions a send wrote. */
export type NextOffsets = Map<string, number>;

export interface StreamsProducerOptions {
  /** Makes it transactional (exactly_once); without it, idempotent. */
  readonly transactionalId?: string;
  readonly transactionTimeoutMs?: number;
  /** Kafka's codec number: 0 none, 1 gzip. */
  readonly compression: number;
}

/** Produce v3: the first version with RecordBatch v2 and a transactional id, which every Kafka since 0.11 takes. */
const PRODUCE_VERSION = 3;
const PRODUCE_TIMEOUT_MS = 30_000;
/**
 * A partition's records go in batches of about this many bytes at most (each its own request, in
 * order): a broker takes one batch per partition per request, of at most `max.message.bytes`
 * (1 MiB by default).
 */
const MAX_BATCH_BYTES = 900 * 1024;
/** Tries of a request that failed on stale metadata or a lost connection, refreshing metadata between. */
const SEND_ATTEMPTS = 5;
const RETRY_BACKOFF_MS = 100;

/** One partition's records of a send. */
interface PartitionRecords {
  readonly topic: string;
  readonly partition: number;
  readonly records: ProducerRecord[];
}

export class StreamsProducer {
  private readonly cluster: KafkajsCluster;
  private readonly eos: EosManager;
  private readonly compression: number;
  /** Where the next record without a key goes, per topic (round robin). */
  private readonly nextKeyless = new Map<string, number>();
  private connected = false;

  constructor(kafka: Kafka, options: StreamsProducerOptions) {
    this.cluster = createKafkajsCluster(kafka, { allowAutoTopicCreation: false, maxInFlightRequests: 1, metadataMaxAge: 300_000 });
    this.compression = options.compression;
    this.eos = createEosManager({
      logger: kafka.logger().namespace('StreamsProducer'),
      cluster: this.cluster,
      transactionTimeout: options.transactionTimeoutMs,
      transactional: options.transactionalId !== undefined,
      transactionalId: options.transactionalId,
    });
  }

  /**
   * Connects and gets a producer id (InitProducerId). Transactional: this fences any other producer
   * of the same transactional id and completes its open transaction.
   */
  async connect(): Promise<void> {
    if (!this.connected) {
      await this.cluster.connect();
      this.connected = true;
    }
    await this.eos.initProducerId();
  }

  isInTransaction(): boolean {
    return this.eos.isInTransaction();
  }

  beginTransaction(): void {
    this.eos.beginTransaction();
  }

  sendOffsets(groupId: string, topics: { topic: string; partitions: { partition: number; offset: string; metadata: string | null }[] }[]): Promise<void> {
    return this.eos.sendOffsets({ consumerGroupId: groupId, topics });
  }

  commitTransaction(): Promise<void> {
    return this.eos.commit();
  }

  abortTransaction(): Promise<void> {
    return this.eos.abort();
  }

  async disconnect(): Promise<void> {
    if (this.connected) await this.cluster.disconnect();
    this.connected = false;
  }

  /**
   * Writes the records (in the open transaction, if transactional) and returns where each
   * partition's last record landed, plus one. Records of a partition land in the order given.
   */
  async send(records: readonly ProducerRecord[]): Promise<NextOffsets> {
    const out: NextOffsets = new Map();
    if (records.length === 0) return out;
    const topics = new Set<string>();
    for (const r of records) topics.add(r.topic);
    await this.cluster.addMultipleTargetTopics([...topics]);
    const rounds = this.batchesPerRound(this.byPartition(records));
    for (const round of rounds) await this.sendRound(round, out);
    return out;
  }

  /** The records by partition, in order; a record without a partition gets one from the metadata. */
  private byPartition(records: readonly ProducerRecord[]): Map<string, PartitionRecords> {
    const parts = new Map<string, PartitionRecords>();
    for (const r of records) {
      const partition = r.partition ?? this.choosePartition(r);
      const k = `${r.topic}:${partition}`;
      let p = parts.get(k);
      if (p === undefined) parts.set(k, (p = { topic: r.topic, partition, records: [] }));
      p.records.push(r);
    }
    return parts;
  }

  /** murmur2 of the key, as kafkajs's and Java's default partitioners; keyless records in turn. */
  private choosePartition(r: ProducerRecord): number {
    const n = this.cluster.findTopicPartitionMetadata(r.topic).length;
    if (n === 0) throw createErrorFromCode(3); // UNKNOWN_TOPIC_OR_PARTITION
    if (r.key !== null) return partitionForKey(r.key, n);
    const next = this.nextKeyless.get(r.topic) ?? 0;
    this.nextKeyless.set(r.topic, next + 1);
    return next % n;
  }

  /** Splits partitions whose records exceed MAX_BATCH_BYTES: round k holds every partition's k-th batch. */
  private batchesPerRound(parts: Map<string, PartitionRecords>): PartitionRecords[][] {
    const rounds: PartitionRecords[][] = [[]];
    for (const p of parts.values()) {
      let round = 0;
      let start = 0;
      let bytes = 0;
      for (let i = 0; i < p.records.length; i++) {
        const r = p.records[i];
        const size = (r.key?.length ?? 0) + (r.value?.length ?? 0) + 32;
        if (bytes + size > MAX_BATCH_BYTES && i > start) {
          (rounds[round] ??= []).push({ topic: p.topic, partition: p.partition, records: p.records.slice(start, i) });
          round++;
          start = i;
          bytes = 0;
        }
        bytes += size;
      }
      (rounds[round] ??= []).push(start === 0 ? p : { topic: p.topic, partition: p.partition, records: p.records.slice(start) });
    }
    return rounds;
  }

  /** One batch per partition, one request per leader, concurrently; retried on stale metadata. */
  private async sendRound(batches: PartitionRecords[], out: NextOffsets): Promise<void> {
    let pending = batches;
    for (let attempt = 1; ; attempt++) {
      const byLeader = new Map<string, PartitionRecords[]>();
      for (const b of pending) {
        const leaders = this.cluster.findLeaderForPartitions(b.topic, [b.partition]);
        const nodeId = Object.keys(leaders)[0];
        if (nodeId === undefined) throw createErrorFromCode(5); // LEADER_NOT_AVAILABLE
        let list = byLeader.get(nodeId);
        if (list === undefined) byLeader.set(nodeId, (list = []));
        list.push(b);
      }
      const results = await Promise.allSettled([...byLeader].map(([nodeId, bs]) => this.sendToLeader(nodeId, bs, out)));
      const failed: PartitionRecords[] = [];
      let error: unknown = null;
      [...byLeader.values()].forEach((bs, i) => {
        const r = results[i];
        if (r.status === 'rejected') {
          failed.push(...bs);
          error ??= r.reason;
        }
      });
      if (failed.length === 0) return;
      if (attempt >= SEND_ATTEMPTS || !isRetriableSendError(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, RETRY_BACKOFF_MS * attempt));
      await this.cluster.refreshMetadata();
      pending = failed;
    }
  }

  private async sendToLeader(nodeId: string, batches: PartitionRecords[], out: NextOffsets): Promise<void> {
    const broker = await this.cluster.findBroker({ nodeId });
    const { eos } = this;
    await eos.acquireBrokerLock(broker);
    try {
      if (eos.isTransactional()) {
        await eos.addPartitionsToTransaction(
          [...groupByTopic(batches)].map(([topic, bs]) => ({ topic, partitions: bs.map((b) => ({ partition: b.partition })) })),
        );
      }
      const sequences = batches.map((b) => {
        const s = eos.getSequence(b.topic, b.partition);
        eos.updateSequence(b.topic, b.partition, b.records.length);
        return s;
      });
      let response: ProduceResponse;
      try {
        response = await this.produce(broker, batches, sequences);
      } catch (e) {
        // The next try (or send) must use the same numbers: the broker drops a batch it already has.
        batches.forEach((b) => eos.updateSequence(b.topic, b.partition, -b.records.length));
        if ((e as Error).name === 'KafkaJSConnectionClosedError')
          this.cluster.removeBroker({ host: broker.connectionPool.host, port: broker.connectionPool.port });
        throw e;
      }
      for (const t of response.responses) {
        for (const p of t.partitionResponses) {
          const b = batches.find((x) => x.topic === t.name && x.partition === p.index);
          if (b !== undefined) out.set(`${b.topic}:${b.partition}`, Number(p.baseOffset) + b.records.length);
        }
      }
    } finally {
      eos.releaseBrokerLock(broker);
    }
  }

  private async produce(broker: KafkajsBroker, batches: PartitionRecords[], sequences: number[]): Promise<ProduceResponse> {
    const { eos } = this;
    const transactional = eos.isTransactional();
    const producerId = BigInt(eos.getProducerId());
    const producerEpoch = eos.getProducerEpoch();
    const now = BigInt(Date.now());
    const encoded = await Promise.all(
      batches.map((b, i) => {
        const opts = {
          records: b.records.map(toRecordInput),
          compression: this.compression,
          transactional,
          producerId,
          producerEpoch,
          baseSequence: sequences[i],
          timestamp: now,
        };
        return this.compression === 0 ? encodeRecordBatch(opts) : encodeRecordBatchAsync(opts);
      }),
    );
    const body = new Writer();
    Produce.request.encode(
      body,
      {
        transactionalId: transactional ? (eos.getTransactionalId() ?? null) : null,
        acks: -1,
        timeoutMs: PRODUCE_TIMEOUT_MS,
        topicData: [...groupByTopic(batches.map((b, i) => ({ ...b, bytes: encoded[i] })))].map(([name, bs]) => ({
          name,
          topicId: '',
          partitionData: bs.map((b) => ({ index: b.partition, records: b.bytes })),
        })),
      },
      PRODUCE_VERSION,
    );
    const bytes = body.toBuffer();
    return broker.connectionPool.send<ProduceResponse>({
      request: {
        apiKey: Produce.key,
        apiVersion: PRODUCE_VERSION,
        apiName: 'Produce',
        expectResponse: () => true,
        // kafkajs copies `buffer` into its request frame; `buf` is what it checks is there.
        encode: async () => ({ buf: bytes, buffer: bytes }),
      },
      response: {
        decode: async (payload) => Produce.response.decode(new Reader(payload), PRODUCE_VERSION),
        parse: async (decoded) => {
          for (const t of decoded.responses) for (const p of t.partitionResponses) if (p.errorCode !== 0) throw createErrorFromCode(p.errorCode);
          return decoded;
        },
      },
    });
  }
}

function toRecordInput(r: ProducerRecord): RecordInput {
  return { key: r.key, value: r.value, headers: toRecordHeaders(r.headers), timestamp: BigInt(r.timestamp) };
}

/** kafkajs-style headers (a value, or a list of them, per key) as a record's list of headers. */
function toRecordHeaders(headers: Headers): RecordHeader[] | undefined {
  let out: RecordHeader[] | undefined;
  for (const key in headers) {
    const v = headers[key];
    if (v === undefined) continue;
    out ??= [];
    for (const one of Array.isArray(v) ? v : [v]) out.push({ key, value: typeof one === 'string' ? Buffer.from(one, 'utf8') : one });
  }
  return out;
}

function groupByTopic<T extends { topic: string }>(list: readonly T[]): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of list) {
    let l = m.get(x.topic);
    if (l === undefined) m.set(x.topic, (l = []));
    l.push(x);
  }
  return m;
}

/** A request that may succeed once the metadata is refreshed or the connection made again. */
function isRetriableSendError(e: unknown): boolean {
  const name = (e as Error | null)?.name ?? '';
  return staleMetadata(e) || name === 'KafkaJSConnectionError' || name === 'KafkaJSConnectionClosedError' || name === 'KafkaJSRequestTimeoutError';
}
