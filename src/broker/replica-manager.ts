/**
 * ReplicaManager: appends to and reads from partition logs on behalf of Produce, Fetch and
 * ListOffsets, as Kafka's class of that name does — for a single node, where this broker leads
 * every partition and the high watermark is the log end offset (every append is fully replicated
 * the moment it is written, so acks=1 and acks=all mean the same).
 *
 * Producer state lives in each partition's log (docs/transactions.md): a retried batch is answered
 * with its original offsets, a refused one with the error per partition. `read_committed` fetches
 * stop at the last stable offset and carry the aborted transactions of what they return;
 * `appendControlBatch` is how the transaction coordinator writes COMMIT/ABORT markers.
 *
 * Left out: replication, follower fetching, leader epochs (always 0), quotas.
 */
import { OffsetSpec } from '../protocol/apis/list-offsets.js';
import { IsolationLevel } from '../protocol/constants.js';
import { encodeControlBatch } from '../protocol/control-record.js';
import { ErrorCode, KafkaError } from '../protocol/errors.js';
import { validateBatch } from '../protocol/record-batch.js';
import { topicPartitionKey } from '../protocol/topic-partition.js';
import type { Clock } from './clock.js';
import { DelayedFetches } from './delayed-fetch.js';
import { nextOffsetAfter } from './log/batch-header-cursor.js';
import type { LogManager } from './log/log-manager.js';
import type { LogAppendInfo, PartitionLog } from './log/partition-log.js';
import type { Logger } from './logger.js';
import type { TopicRegistry } from './metadata/topic-registry.js';

export const LEADER_EPOCH = 0;

export interface AppendResult {
  errorCode: number;
  errorMessage: string | null;
  baseOffset: bigint;
  logAppendTime: bigint;
  logStartOffset: bigint;
  /**
   * Resolves once everything appended to the partition so far is in the file (and fsynced, when
   * flush.messages asked for it): on success the response must wait for it, and after it nothing
   * refers to the request's bytes. On success it rejects with KAFKA_STORAGE_ERROR if the write
   * failed; after an error it never rejects. Absent when there is no such partition.
   */
  written?: Promise<void>;
}

export interface FetchPartitionSpec {
  topic: string;
  partition: number;
  fetchOffset: bigint;
  partitionMaxBytes: number;
}

export interface FetchPartitionResult {
  topic: string;
  partition: number;
  errorCode: number;
  highWatermark: bigint;
  lastStableOffset: bigint;
  logStartOffset: bigint;
  /** read_committed: the aborted transactions overlapping the records returned; null otherwise. */
  abortedTransactions: Array<{ producerId: bigint; firstOffset: bigint }> | null;
  records: Buffer | Buffer[] | null;
  bytes: number;
}

/** A COMMIT or ABORT marker for one partition, as the transaction coordinator sends it. */
export interface TxnMarker {
  producerId: bigint;
  producerEpoch: number;
  commit: boolean;
  coordinatorEpoch: number;
}

export interface ControlAppendResult {
  errorCode: number;
  errorMessage: string | null;
  /** Offset of the marker written; -1 when nothing was written (an error, or a repeated marker). */
  offset: bigint;
}

export interface FetchParams {
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  isolationLevel: number;
  /** Where the records read go (default `Buffer.allocUnsafe`); see RequestContext.responseBuffer. */
  buffer?: (size: number) => Buffer;
}

export class ReplicaManager {
  readonly delayedFetches = new DelayedFetches();

  constructor(
    private readonly logs: LogManager,
    private readonly topics: TopicRegistry,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** The log of a partition this broker leads, or UNKNOWN_TOPIC_OR_PARTITION. */
  partitionLog(topic: string, partition: number): PartitionLog {
    const meta = this.topics.get(topic);
    if (!meta || partition < 0 || partition >= meta.partitions) {
      throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `This server does not host ${topic}-${partition}.`);
    }
    const log = this.logs.getLog(topic, partition);
    if (!log) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `No log for ${topic}-${partition}.`);
    return log;
  }

  /**
   * Validates and appends one producer batch, written behind (docs/log-format.md): the result's
   * `written` says when it is in the file. Errors are per partition and never throw: a bad batch is
   * refused whole and the log is left untouched. Fetches waiting on the partition wake when the
   * high watermark moves.
   */
  appendRecords(topic: string, partition: number, records: Buffer | null, produceVersion: number): AppendResult {
    let log: PartitionLog | undefined;
    try {
      log = this.partitionLog(topic, partition);
      if (records === null || records.length === 0) {
        throw new KafkaError(ErrorCode.INVALID_RECORD, 'the produce request carries no record batch');
      }
      validateBatch(records, {
        maxBatchBytes: log.config.maxMessageBytes,
        produceVersion,
        requireKeys: log.config.cleanupPolicy.includes('compact'),
      });
      if (log.onHighWatermark === undefined) {
        const key = topicPartitionKey(topic, partition);
        log.onHighWatermark = () => this.delayedFetches.notify(key);
      }
      const result = log.append(records, { now: this.clock.now(), writeBehind: true });
      return {
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        baseOffset: BigInt(result.firstOffset),
        logAppendTime: BigInt(result.logAppendTime),
        logStartOffset: BigInt(result.logStartOffset),
        // A retried batch already in the log waits for the original's write, if it is still queued.
        written: result.flushed ?? log.whenWritten(),
      };
    } catch (err) {
      const written = log?.whenWritten().catch(() => undefined);
      return { ...this.errorResult(err, `append to ${topic}-${partition}`), baseOffset: -1n, logAppendTime: -1n, logStartOffset: -1n, written };
    }
  }

  /**
   * Writes a transaction marker (a COMMIT or ABORT control batch) to a partition through the same
   * producer-state checks as any append: it completes the producer's open transaction there, moves
   * the last stable offset, and for ABORT adds a `.txnindex` entry. A marker that would change nothing
   * — the transaction is already complete with these epochs, as when a coordinator retries or
   * recovers — is not written again and succeeds with offset -1. Errors (INVALID_PRODUCER_EPOCH,
   * TRANSACTION_COORDINATOR_FENCED, UNKNOWN_TOPIC_OR_PARTITION, …) are returned, never thrown.
   */
  appendControlBatch(topic: string, partition: number, marker: TxnMarker): ControlAppendResult {
    try {
      const log = this.partitionLog(topic, partition);
      if (log.producerState.isRedundantMarker(marker.producerId, marker.producerEpoch, marker.coordinatorEpoch)) {
        return { errorCode: ErrorCode.NONE, errorMessage: null, offset: -1n };
      }
      const now = this.clock.now();
      const batch = encodeControlBatch({
        producerId: marker.producerId,
        producerEpoch: marker.producerEpoch,
        commit: marker.commit,
        coordinatorEpoch: marker.coordinatorEpoch,
        timestamp: BigInt(now),
        baseOffset: 0n,
        partitionLeaderEpoch: LEADER_EPOCH,
      });
      const result = log.append(batch, { now, origin: 'coordinator' });
      this.delayedFetches.notify(topicPartitionKey(topic, partition));
      return { errorCode: ErrorCode.NONE, errorMessage: null, offset: BigInt(result.firstOffset) };
    } catch (err) {
      return { ...this.errorResult(err, `marker to ${topic}-${partition}`), offset: -1n };
    }
  }

  /**
   * Appends batches the broker wrote itself (the group coordinator's records in __consumer_offsets):
   * none of a producer's checks, only the topic's max.message.bytes. Wakes fetches waiting on the
   * partition. Throws KafkaError.
   */
  appendInternal(topic: string, partition: number, batch: Buffer): LogAppendInfo {
    const log = this.partitionLog(topic, partition);
    if (batch.length > log.config.maxMessageBytes) {
      throw new KafkaError(ErrorCode.MESSAGE_TOO_LARGE, `a ${batch.length}-byte batch exceeds max.message.bytes of ${topic} (${log.config.maxMessageBytes})`);
    }
    const info = log.append(batch, { now: this.clock.now(), origin: 'coordinator' });
    this.delayedFetches.notify(topicPartitionKey(topic, partition));
    return info;
  }

  /**
   * Reads what a Fetch asks for; waits up to `maxWaitMs` while fewer than `minBytes` are available
   * (long poll), reading again when an append wakes it.
   */
  async fetchMessages(params: FetchParams, partitions: FetchPartitionSpec[]): Promise<FetchPartitionResult[]> {
    // max.wait.ms is real time, on the long polls' own clock (see DelayedFetches).
    const clock = this.delayedFetches.clock;
    const deadline = clock.now() + params.maxWaitMs;
    const keys = partitions.map((p) => topicPartitionKey(p.topic, p.partition));
    for (;;) {
      const results = this.readPartitions(params, partitions);
      const total = results.reduce((n, r) => n + r.bytes, 0);
      const anyError = results.some((r) => r.errorCode !== ErrorCode.NONE);
      const left = deadline - clock.now();
      if (total >= params.minBytes || anyError || left <= 0 || partitions.length === 0) return results;
      await this.delayedFetches.wait(keys, left);
      if (clock.now() >= deadline) return this.readPartitions(params, partitions);
    }
  }

  private readPartitions(params: FetchParams, partitions: FetchPartitionSpec[]): FetchPartitionResult[] {
    let budget = params.maxBytes;
    let first = true;
    return partitions.map((p) => {
      const base = { topic: p.topic, partition: p.partition };
      let log: PartitionLog;
      try {
        log = this.partitionLog(p.topic, p.partition);
      } catch (err) {
        return {
          ...base,
          errorCode: this.errorCode(err, `fetch from ${p.topic}-${p.partition}`),
          highWatermark: -1n,
          lastStableOffset: -1n,
          logStartOffset: -1n,
          abortedTransactions: null,
          records: null,
          bytes: 0,
        };
      }
      const readCommitted = params.isolationLevel === IsolationLevel.readCommitted;
      const lastStableOffset = log.lastStableOffset;
      // Kafka reports the last stable offset whatever the isolation level.
      const highWatermark = log.highWatermark;
      const offsets = { highWatermark: BigInt(highWatermark), lastStableOffset: BigInt(lastStableOffset), logStartOffset: BigInt(log.logStartOffset) };
      const noAborted: FetchPartitionResult['abortedTransactions'] = readCommitted ? [] : null;
      try {
        const maxBytes = Math.max(0, Math.min(p.partitionMaxBytes, budget));
        const fetchOffset = Number(p.fetchOffset);
        // KIP-74: the first batch of the first partition with data is returned whole even when it
        // is larger than the limits, so a consumer can always make progress.
        const read = log.read(fetchOffset, maxBytes, {
          minOneBatch: first,
          upperBoundOffset: readCommitted ? lastStableOffset : highWatermark,
          buffer: params.buffer,
        });
        const bytes = read.sizeInBytes;
        if (bytes > 0) {
          first = false;
          budget -= bytes;
        }
        let abortedTransactions = noAborted;
        if (readCommitted && bytes > 0) {
          const upper = nextOffsetAfter(read.records[read.records.length - 1]);
          abortedTransactions = log
            .collectAbortedTransactions(fetchOffset, upper)
            .map((t) => ({ producerId: t.producerId, firstOffset: BigInt(t.firstOffset) }));
        }
        return { ...base, errorCode: ErrorCode.NONE, ...offsets, abortedTransactions, records: bytes > 0 ? read.records : emptyRecords, bytes };
      } catch (err) {
        return {
          ...base,
          errorCode: this.errorCode(err, `fetch from ${p.topic}-${p.partition}`),
          ...offsets,
          abortedTransactions: noAborted,
          records: null,
          bytes: 0,
        };
      }
    });
  }

  /**
   * ListOffsets for one partition: earliest, latest (the high watermark; the last stable offset under
   * read_committed), max timestamp, or first offset at/after a time — which, as in Kafka, must lie
   * below that same bound, or there is none.
   */
  listOffset(
    topic: string,
    partition: number,
    timestamp: bigint,
    isolationLevel: number = IsolationLevel.readUncommitted,
  ): { errorCode: number; offset: bigint; timestamp: bigint } {
    try {
      const log = this.partitionLog(topic, partition);
      const lastFetchable = isolationLevel === IsolationLevel.readCommitted ? log.lastStableOffset : log.highWatermark;
      switch (timestamp) {
        case OffsetSpec.latest:
        case OffsetSpec.latestTiered:
          return { errorCode: 0, offset: BigInt(lastFetchable), timestamp: -1n };
        case OffsetSpec.earliest:
        case OffsetSpec.earliestLocal:
          return { errorCode: 0, offset: BigInt(log.logStartOffset), timestamp: -1n };
      }
      if (timestamp < OffsetSpec.latestTiered) throw new KafkaError(ErrorCode.INVALID_REQUEST, `invalid timestamp ${timestamp}`);
      // -3 (max timestamp) and real timestamps are both the log's to answer
      const all = log.fetchOffsetByTimestamp(Number(timestamp));
      const found = all !== undefined && all.offset < lastFetchable ? all : undefined;
      return { errorCode: 0, offset: found ? BigInt(found.offset) : -1n, timestamp: found ? BigInt(found.timestamp) : -1n };
    } catch (err) {
      return { errorCode: this.errorCode(err, `list offsets of ${topic}-${partition}`), offset: -1n, timestamp: -1n };
    }
  }

  /** A KafkaError's code; anything else is a broker bug, logged loudly and answered UNKNOWN_SERVER_ERROR. */
  private errorCode(err: unknown, what: string): number {
    return this.errorResult(err, what).errorCode;
  }

  private errorResult(err: unknown, what: string): { errorCode: number; errorMessage: string | null } {
    if (err instanceof KafkaError) return { errorCode: err.code, errorMessage: err.message };
    this.logger.error(`Unexpected error in ${what}: ${(err as Error)?.stack ?? err}`);
    return { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: null };
  }
}

const emptyRecords = Buffer.alloc(0);

export function codeOf(err: unknown): number {
  if (err instanceof KafkaError) return err.code;
  return ErrorCode.UNKNOWN_SERVER_ERROR;
}
