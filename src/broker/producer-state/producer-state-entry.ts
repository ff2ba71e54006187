/**
 * ProducerStateEntry: what one partition remembers about one producer id (Kafka's class of that
 * name): its epoch, the metadata of its last five batches (for answering a retried batch with its
 * original offsets), the epoch of the coordinator that wrote its last transaction marker, the first
 * offset of its open transaction, and when it last wrote.
 *
 * Offsets and timestamps are `number`s, as in the log; producer ids are `bigint`s, because a client
 * may send any int64.
 */
import { NO_PRODUCER_EPOCH, NO_SEQUENCE } from '../../protocol/batch-header.js';
import { INT32_MAX } from '../../protocol/constants.js';

/** Batches remembered per producer: a producer has at most five requests in flight (Kafka's rule). */
export const NUM_BATCHES_TO_RETAIN = 5;

/** One appended batch of a producer. */
export interface BatchMetadata {
  firstSeq: number;
  lastSeq: number;
  firstOffset: number;
  lastOffset: number;
  /** The batch's max timestamp. */
  maxTimestamp: number;
}

/** `seq + increment`, wrapping past Int32 max to 0 as producers do. */
export function incrementSequence(seq: number, increment: number): number {
  if (seq > INT32_MAX - increment) return increment - (INT32_MAX - seq) - 1;
  return seq + increment;
}

/** `seq - decrement`, wrapping below 0 to Int32 max. */
export function decrementSequence(seq: number, decrement: number): number {
  if (seq < decrement) return INT32_MAX - (decrement - seq) + 1;
  return seq - decrement;
}

/** The sequence that must follow `lastSeq`: lastSeq + 1, or 0 after Int32 max. */
export function inSequence(lastSeq: number, nextSeq: number): boolean {
  return nextSeq === lastSeq + 1 || (nextSeq === 0 && lastSeq === INT32_MAX);
}

export class ProducerStateEntry {
  constructor(
    readonly producerId: bigint,
    /** -1 until the producer's first write. */
    public producerEpoch: number = NO_PRODUCER_EPOCH,
    /** Oldest first; at most NUM_BATCHES_TO_RETAIN, all of the current epoch. */
    readonly batches: BatchMetadata[] = [],
    /** Epoch of the coordinator that wrote the last marker, -1 if none. */
    public coordinatorEpoch = -1,
    /** First offset of the open transaction, -1 if none. */
    public currentTxnFirstOffset = -1,
    /** Max timestamp of the last batch, or the last marker's timestamp (DescribeProducers' LastTimestamp). */
    public lastTimestamp = -1,
    /** Broker clock time of the last write: producer.id.expiration.ms counts from here. */
    public lastWriteTime = -1,
  ) {}

  static empty(producerId: bigint): ProducerStateEntry {
    return new ProducerStateEntry(producerId);
  }

  clone(): ProducerStateEntry {
    return new ProducerStateEntry(
      this.producerId,
      this.producerEpoch,
      this.batches.map((b) => ({ ...b })),
      this.coordinatorEpoch,
      this.currentTxnFirstOffset,
      this.lastTimestamp,
      this.lastWriteTime,
    );
  }

  get isEmpty(): boolean {
    return this.batches.length === 0;
  }

  get firstSeq(): number {
    return this.batches.length === 0 ? NO_SEQUENCE : this.batches[0].firstSeq;
  }

  get lastSeq(): number {
    return this.batches.length === 0 ? NO_SEQUENCE : this.batches[this.batches.length - 1].lastSeq;
  }

  get lastDataOffset(): number {
    return this.batches.length === 0 ? -1 : this.batches[this.batches.length - 1].lastOffset;
  }

  get hasOpenTransaction(): boolean {
    return this.currentTxnFirstOffset >= 0;
  }

  /** Moves to `epoch`, forgetting the batches of the previous one. True if it changed. */
  maybeUpdateProducerEpoch(epoch: number): boolean {
    if (epoch === this.producerEpoch) return false;
    this.producerEpoch = epoch;
    this.batches.length = 0;
    return true;
  }

  /** Remembers a batch of `epoch`, dropping the oldest beyond five. */
  addBatch(epoch: number, batch: BatchMetadata): void {
    this.maybeUpdateProducerEpoch(epoch);
    if (this.batches.length === NUM_BATCHES_TO_RETAIN) this.batches.shift();
    this.batches.push(batch);
    this.lastTimestamp = batch.maxTimestamp;
  }

  /** The remembered batch with exactly this epoch and sequence range: the batch was sent before. */
  findDuplicateBatch(epoch: number, firstSeq: number, lastSeq: number): BatchMetadata | undefined {
    if (epoch !== this.producerEpoch) return undefined;
    return this.batches.find((b) => b.firstSeq === firstSeq && b.lastSeq === lastSeq);
  }
}
