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
import createRetry from 'kafkajs/src/retry/index.js';
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
const UNKNOWN_TOPIC_OR_PARTITION = 3;

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
  /** The send in progress; the next waits for it. */
  private sending: Promise<void> = Promise.resolve();
  /** An idempotent producer whose last send failed gets a new producer id (and sequences from 0) first. */
  private needsNewProducerId = false;

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
   * partition's last record landed, plus one. Records of a partition land in the order given. Sends
   * run one after another: a send whose outcome is unknown keeps its sequence numbers until it is
   * tried again, and no other send may take them meanwhile.
   */
  send(records: readonly ProducerRecord[]): Promise<NextOffsets> {
    const run = this.sending.then(() => this.sendNow(records));
    this.sending = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private async sendNow(records: readonly ProducerRecord[]): Promise<NextOffsets> {
    const out: NextOffsets = new Map();
    if (records.length === 0) return out;
    const { eos, cluster } = this;
    if (this.needsNewProducerId) {
      await eos.initProducerId();
      this.needsNewProducerId = false;
    }
    const topics = [...new Set(records.map((r) => r.topic))];
    let rounds: PartitionRecords[][] | null = null;
    try {
      // As kafkajs's own sendMessages: each try refreshes what it needs and sends what is not written yet.
      await createRetry(cluster.retry)(async (bail) => {
        try {
          await cluster.addMultipleTargetTopics(topics);
          await cluster.refreshMetadataIfNecessary();
          rounds ??= batchesPerRound(this.byPartition(records));
          // One AddPartitionsToTxn for every partition new to the transaction, before any Produce.
          if (eos.isTransactional()) await eos.addPartitionsToTransaction(topicPartitionsOf(rounds.flat()));
          while (rounds.length > 0) {
            const failed = await this.sendRound(rounds[0], out);
            if (failed !== null) {
              rounds[0] = failed.batches;
              throw failed.error;
            }
            rounds.shift();
          }
        } catch (e) {
          if (!isRetriable(e)) {
            bail(e as Error);
            return;
          }
          if (needsMetadata(e)) await cluster.refreshMetadata().catch(() => undefined);
          throw e;
        }
      });
    } catch (e) {
      // What the broker holds of this send is not known: an idempotent producer starts a new
      // sequence rather than reuse numbers the broker may have taken (a transactional one is
      // replaced by its task).
      if (!eos.isTransactional()) this.needsNewProducerId = true;
      throw e;
    }
    return out;
  }

  /** The records by partition, in order; a record without a partition gets one from the metadata. */
  private byPartition(records: readonly ProducerRecord[]): PartitionRecords[] {
    const out: PartitionRecords[] = [];
    const byTopic = new Map<string, Map<number, PartitionRecords>>();
    for (const r of records) {
      let parts = byTopic.get(r.topic);
      if (parts === undefined) byTopic.set(r.topic, (parts = new Map()));
      const partition = r.partition ?? this.choosePartition(r);
      let p = parts.get(partition);
      if (p === undefined) {
        parts.set(partition, (p = { topic: r.topic, partition, records: [] }));
        out.push(p);
      }
      p.records.push(r);
    }
    return out;
  }

  /** murmur2 of the key, as kafkajs's and Java's default partitioners; keyless records in turn. */
  private choosePartition(r: ProducerRecord): number {
    const n = this.cluster.findTopicPartitionMetadata(r.topic).length;
    if (n === 0) throw createErrorFromCode(UNKNOWN_TOPIC_OR_PARTITION);
    if (r.key !== null) return partitionForKey(r.key, n);
    const next = this.nextKeyless.get(r.topic) ?? 0;
    this.nextKeyless.set(r.topic, next + 1);
    return next % n;
  }

  /**
   * One batch per partition, one request per leader, concurrently. Returns null when every batch
   * was written, or else the batches that were not and the error that tells the most (a
   * non-retriable one, such as a fenced producer's, before a retriable one).
   */
  private async sendRound(batches: PartitionRecords[], out: NextOffsets): Promise<{ batches: PartitionRecords[]; error: unknown } | null> {
    const byLeader = new Map<string, PartitionRecords[]>();
    for (const b of batches) {
      const nodeId = Object.keys(this.cluster.findLeaderForPartitions(b.topic, [b.partition]))[0];
      if (nodeId === undefined) throw createErrorFromCode(UNKNOWN_TOPIC_OR_PARTITION);
      let list = byLeader.get(nodeId);
      if (list === undefined) byLeader.set(nodeId, (list = []));
      list.push(b);
    }
    const results = await Promise.all([...byLeader].map(([nodeId, bs]) => this.sendToLeader(nodeId, bs, out)));
    const failed = results.flatMap((r) => r.failed);
    if (failed.length === 0) return null;
    const errors = results.flatMap((r) => (r.error === null ? [] : [r.error]));
    return { batches: failed, error: errors.find((e) => !isRetriable(e)) ?? errors[0] };
  }

  /**
   * Writes batches through one leader, under kafkajs's lock of that broker for this producer. A batch
   * the broker answered without error advances its partition's sequence; any other has its
   * sequence put back, so that the next try uses the same numbers (the broker drops a batch it
   * already has, by producer id and sequence).
   */
  private async sendToLeader(nodeId: string, batches: PartitionRecords[], out: NextOffsets): Promise<{ failed: PartitionRecords[]; error: unknown }> {
    const { eos } = this;
    let broker: KafkajsBroker;
    try {
      broker = await this.cluster.findBroker({ nodeId });
    } catch (e) {
      return { failed: batches, error: e };
    }
    await eos.acquireBrokerLock(broker);
    try {
      const sequences = batches.map((b) => {
        const s = eos.getSequence(b.topic, b.partition);
        eos.updateSequence(b.topic, b.partition, b.records.length);
        return s;
      });
      let response: ProduceResponse;
      try {
        response = await this.produce(broker, batches, sequences);
      } catch (e) {
        for (const b of batches) eos.updateSequence(b.topic, b.partition, -b.records.length);
        if ((e as Error).name === 'KafkaJSConnectionClosedError') {
          await broker.disconnect().catch(() => undefined);
          this.cluster.removeBroker({ host: broker.connectionPool.host, port: broker.connectionPool.port });
        }
        return { failed: batches, error: e };
      }
      const failed: PartitionRecords[] = [];
      let error: unknown = null;
      for (const b of batches) {
        const p = response.responses.find((t) => t.name === b.topic)?.partitionResponses.find((x) => x.index === b.partition);
        if (p !== undefined && p.errorCode === 0) {
          out.set(`${b.topic}:${b.partition}`, Number(p.baseOffset) + b.records.length);
          continue;
        }
        eos.updateSequence(b.topic, b.partition, -b.records.length);
        failed.push(b);
        // A partition the answer leaves out counts as unknown to that broker: tried again after a metadata refresh.
        const e = createErrorFromCode(p?.errorCode ?? UNKNOWN_TOPIC_OR_PARTITION);
        if (error === null || (isRetriable(error) && !isRetriable(e))) error = e;
      }
      return { failed, error };
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
        // Partition errors are read per batch by sendToLeader: a batch the broker wrote keeps its sequence.
        parse: async (decoded) => decoded,
      },
    });
  }
}

/** Splits partitions whose records exceed MAX_BATCH_BYTES: round k holds every partition's k-th batch. */
function batchesPerRound(parts: readonly PartitionRecords[]): PartitionRecords[][] {
  const rounds: PartitionRecords[][] = [[]];
  for (const p of parts) {
    let round = 0;
    let start = 0;
    let bytes = 0;
    for (let i = 0; i < p.records.length; i++) {
      const r = p.records[i];
      const size = recordSizeEstimate(r);
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

/** About the bytes a record takes in a batch (its key, value and headers, and a little for lengths and deltas). */
function recordSizeEstimate(r: ProducerRecord): number {
  let size = (r.key?.length ?? 0) + (r.value?.length ?? 0) + 32;
  for (const key in r.headers) {
    const v = r.headers[key];
    for (const one of Array.isArray(v) ? v : [v])
      if (one !== undefined) size += key.length + (typeof one === 'string' ? Buffer.byteLength(one) : one.length) + 10;
  }
  return size;
}

/** The partitions of batches, by topic, as kafkajs's EosManager takes them. */
function topicPartitionsOf(batches: readonly PartitionRecords[]): { topic: string; partitions: { partition: number }[] }[] {
  return [...groupByTopic(batches)].map(([topic, bs]) => ({ topic, partitions: bs.map((b) => ({ partition: b.partition })) }));
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

/**
 * Whether trying again may succeed, as kafkajs's own producer decides: its protocol errors say
 * (`retriable`: no leader, not the leader, not enough replicas, a concurrent transaction, a moved
 * coordinator, …), and its client errors are retriable unless they say they are not.
 */
function isRetriable(e: unknown): boolean {
  const err = e as { retriable?: boolean; name?: string } | null;
  if (err === null || typeof err !== 'object') return false;
  if (err.name === 'TypeError' || err.name === 'RangeError' || err.name === 'ReferenceError' || err.name === 'SyntaxError') return false;
  return err.retriable !== false && (err.retriable === true || (err.name ?? '').startsWith('KafkaJS'));
}

/** Errors after which the partitions' leaders may have moved: refresh the metadata before trying again. */
function needsMetadata(e: unknown): boolean {
  const name = (e as Error | null)?.name ?? '';
  return (
    staleMetadata(e) ||
    name.startsWith('KafkaJSConnection') ||
    name === 'KafkaJSBrokerNotFound' ||
    name === 'KafkaJSRequestTimeoutError' ||
    name === 'KafkaJSError'
  );
}
