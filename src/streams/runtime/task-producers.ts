/**
 * The producers of the two guarantees.
 *
 * exactly_once: one transactional producer per task, `transactional.id = <application.id>-<task id>`
 * (kafkajs speaks only the transaction APIs before KIP-447, so fencing is by transactional id: the
 * new owner of a task initialises the same id, which fences the old owner and completes its open
 * transaction). A commit is `sendBatch` of the task's records, `sendOffsets`, `commit` — one
 * transaction.
 *
 * at_least_once: one idempotent producer per thread; offsets are committed by the consumer after the
 * records are acknowledged.
 *
 * Both report where each partition's records landed (base offset + count), which is how a store
 * learns the changelog offset its data reflects.
 */
import type { CompressionTypes, Kafka, Message, Producer, RecordMetadata, Transaction } from 'kafkajs';
import { causeChain } from '../errors.js';
import type { ProducerRecord } from './record-collector.js';

export interface OffsetToCommit {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly metadata: string | null;
}

/** Next offset (last written + 1) per `topic:partition`, for the partitions this send wrote. */
export type NextOffsets = Map<string, number>;

interface BatchSender {
  sendBatch(batch: { topicMessages: { topic: string; messages: Message[] }[]; acks?: number; compression?: CompressionTypes }): Promise<RecordMetadata[]>;
}

/** Sends records in one batch; returns the next offset of every partition whose records it could count. */
export async function sendRecords(sender: BatchSender, records: readonly ProducerRecord[], compression: CompressionTypes): Promise<NextOffsets> {
  const out: NextOffsets = new Map();
  if (records.length === 0) return out;
  const byTopic = new Map<string, Message[]>();
  const counts = new Map<string, number>();
  for (const r of records) {
    let messages = byTopic.get(r.topic);
    if (messages === undefined) byTopic.set(r.topic, (messages = []));
    const m: Message = { key: r.key, value: r.value, timestamp: String(r.timestamp), headers: r.headers as Message['headers'] };
    if (r.partition !== undefined) {
      m.partition = r.partition;
      const k = `${r.topic}:${r.partition}`;
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    messages.push(m);
  }
  const meta = await sender.sendBatch({ topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })), acks: -1, compression });
  const seen = new Set<string>();
  for (const m of meta) {
    const k = `${m.topicName}:${m.partition}`;
    const n = counts.get(k);
    // A partition answered twice (split over requests) cannot be counted; its store keeps its older
    // offset and replays a little more after a restart, which is always safe.
    if (seen.has(k)) out.delete(k);
    else if (n !== undefined && m.baseOffset !== undefined) out.set(k, Number(m.baseOffset) + n);
    seen.add(k);
  }
  return out;
}

/** A task's transactional producer (exactly_once). */
export class TransactionalProducer {
  private readonly producer: Producer;
  private txn: Transaction | null = null;
  private written: NextOffsets = new Map();
  private connected = false;

  constructor(
    kafka: Kafka,
    readonly transactionalId: string,
    transactionTimeoutMs: number,
    private readonly compression: CompressionTypes,
  ) {
    this.producer = kafka.producer({
      transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: transactionTimeoutMs,
      allowAutoTopicCreation: false,
    });
  }

  /**
   * Connects and initialises the transactional id: the previous owner of the task is fenced and its
   * open transaction completed before this returns.
   */
  async init(): Promise<void> {
    if (!this.connected) {
      await this.producer.connect();
      this.connected = true;
    }
    await this.begin();
  }

  private beginning: Promise<Transaction> | null = null;

  /** The open transaction, begun if there is none (once, however many sends ask at the same time). */
  private async begin(): Promise<Transaction> {
    if (this.txn !== null) return this.txn;
    if (this.beginning === null) {
      this.beginning = this.producer.transaction().finally(() => (this.beginning = null));
    }
    this.txn = await this.beginning;
    return this.txn;
  }

  /**
   * Sends records in the open transaction (one is begun if needed). Sends may overlap: kafkajs keeps
   * one request in flight per broker, in call order.
   */
  async send(records: readonly ProducerRecord[]): Promise<void> {
    if (records.length === 0) return;
    const txn = await this.begin();
    for (const [k, v] of await sendRecords(txn, records, this.compression)) {
      if (v > (this.written.get(k) ?? -1)) this.written.set(k, v);
    }
  }

  /** Adds the consumed offsets and commits; returns where this transaction's records landed. */
  async commit(offsets: readonly OffsetToCommit[], groupId: string): Promise<NextOffsets> {
    const txn = await this.begin();
    if (offsets.length > 0) {
      const topics = new Map<string, { partition: number; offset: string; metadata: string | null }[]>();
      for (const o of offsets) {
        if (!topics.has(o.topic)) topics.set(o.topic, []);
        (topics.get(o.topic) as { partition: number; offset: string; metadata: string | null }[]).push({
          partition: o.partition,
          offset: String(o.offset),
          metadata: o.metadata,
        });
      }
      await txn.sendOffsets({ consumerGroupId: groupId, topics: [...topics].map(([topic, partitions]) => ({ topic, partitions })) });
    }
    await txn.commit();
    this.txn = null;
    const written = this.written;
    this.written = new Map();
    return written;
  }

  /** Aborts the open transaction, if any. */
  async abort(): Promise<void> {
    const txn = this.txn;
    this.txn = null;
    this.written = new Map();
    if (txn !== null && txn.isActive()) await txn.abort();
  }

  async close(): Promise<void> {
    this.txn = null;
    if (this.connected) await this.producer.disconnect();
    this.connected = false;
  }
}

/** The thread's idempotent producer (at_least_once). */
export class IdempotentProducer {
  private readonly producer: Producer;
  private connected = false;

  constructor(
    kafka: Kafka,
    private readonly compression: CompressionTypes,
  ) {
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  }

  async connect(): Promise<void> {
    if (!this.connected) await this.producer.connect();
    this.connected = true;
  }

  send(records: readonly ProducerRecord[]): Promise<NextOffsets> {
    return sendRecords(this.producer, records, this.compression);
  }

  async close(): Promise<void> {
    if (this.connected) await this.producer.disconnect();
    this.connected = false;
  }
}

/** Whether an error means the producer was fenced: another instance owns the transactional id now. */
const FENCED = new Set(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED', 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED', 'INVALID_PRODUCER_ID_MAPPING']);

export function isFenced(e: unknown): boolean {
  for (const err of causeChain(e)) if (err.type !== undefined && FENCED.has(err.type)) return true;
  return false;
}

/**
 * The broker refused the records themselves (too large, invalid, not allowed): sending them again
 * cannot help. This is what `default.production.exception.handler` is asked about.
 */
const REFUSED = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'INVALID_TIMESTAMP',
  'CORRUPT_MESSAGE',
  'INVALID_TOPIC_EXCEPTION',
  'TOPIC_AUTHORIZATION_FAILED',
]);

export function isRecordRefused(e: unknown): boolean {
  for (const err of causeChain(e)) if (err.type !== undefined && REFUSED.has(err.type)) return true;
  return false;
}
