/**
 * The producers of the two guarantees, both a StreamsProducer (streams-producer.ts).
 *
 * exactly_once: one transactional producer per task, `transactional.id = <application.id>-<task id>`
 * (kafkajs speaks only the transaction APIs before KIP-447, so fencing is by transactional id: the
 * new owner of a task initialises the same id, which fences the old owner and completes its open
 * transaction). A commit is the sends of the task's records, `sendOffsets`, `commit` — one
 * transaction.
 *
 * at_least_once: one idempotent producer per thread; offsets are committed by the consumer after the
 * records are acknowledged.
 *
 * Both report where each partition's records landed, which is how a store learns the changelog
 * offset its data reflects.
 */
import type { Kafka } from 'kafkajs';
import { causeChain } from '../errors.js';
import type { ProducerRecord } from './record-collector.js';
import { type NextOffsets, StreamsProducer } from './streams-producer.js';

export type { NextOffsets } from './streams-producer.js';

export interface OffsetToCommit {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly metadata: string | null;
}

/** A task's transactional producer (exactly_once). */
export class TransactionalProducer {
  private readonly producer: StreamsProducer;
  private written: NextOffsets = new Map();

  constructor(
    kafka: Kafka,
    readonly transactionalId: string,
    transactionTimeoutMs: number,
    compression: number,
  ) {
    this.producer = new StreamsProducer(kafka, { transactionalId, transactionTimeoutMs, compression });
  }

  /**
   * Connects and initialises the transactional id: the previous owner of the task is fenced and its
   * open transaction completed before this returns.
   */
  async init(): Promise<void> {
    await this.producer.connect();
    this.begin();
  }

  /** Begins a transaction if none is open. */
  private begin(): void {
    if (!this.producer.isInTransaction()) this.producer.beginTransaction();
  }

  /** Sends records in the open transaction (one is begun if needed); a task's sends come one after the other. */
  async send(records: readonly ProducerRecord[]): Promise<void> {
    if (records.length === 0) return;
    this.begin();
    for (const [k, v] of await this.producer.send(records)) {
      if (v > (this.written.get(k) ?? -1)) this.written.set(k, v);
    }
  }

  /** Adds the consumed offsets and commits; returns where this transaction's records landed. */
  async commit(offsets: readonly OffsetToCommit[], groupId: string): Promise<NextOffsets> {
    this.begin();
    if (offsets.length > 0) {
      const topics = new Map<string, { partition: number; offset: string; metadata: string | null }[]>();
      for (const o of offsets) {
        let list = topics.get(o.topic);
        if (list === undefined) topics.set(o.topic, (list = []));
        list.push({ partition: o.partition, offset: String(o.offset), metadata: o.metadata });
      }
      await this.producer.sendOffsets(
        groupId,
        [...topics].map(([topic, partitions]) => ({ topic, partitions })),
      );
    }
    await this.producer.commitTransaction();
    const written = this.written;
    this.written = new Map();
    return written;
  }

  /**
   * Aborts the open transaction, if any. After a commit that failed, kafkajs's state is COMMITTING
   * and there is nothing to abort here: the task replaces this producer, and the new one's
   * InitProducerId completes or aborts the transaction on the coordinator.
   */
  async abort(): Promise<void> {
    this.written = new Map();
    if (this.producer.isInTransaction()) await this.producer.abortTransaction();
  }

  async close(): Promise<void> {
    await this.producer.disconnect();
  }
}

/** The thread's idempotent producer (at_least_once). */
export class IdempotentProducer {
  private readonly producer: StreamsProducer;
  private connected = false;

  constructor(kafka: Kafka, compression: number) {
    this.producer = new StreamsProducer(kafka, { compression });
  }

  async connect(): Promise<void> {
    if (!this.connected) await this.producer.connect();
    this.connected = true;
  }

  send(records: readonly ProducerRecord[]): Promise<NextOffsets> {
    return this.producer.send(records);
  }

  async close(): Promise<void> {
    await this.producer.disconnect();
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
