/**
 * Reads one partition from a given position with Fetch, outside any consumer group: what
 * `console-consumer --partition` does (kafkajs can only consume through a group). Full fetches (no
 * fetch session), sent to the partition's leader. A position outside the log is moved to the
 * earliest or latest offset, as the consumer's auto.offset.reset would.
 */
import { Fetch } from '../protocol/apis/fetch.js';
import { OffsetSpec } from '../protocol/apis/list-offsets.js';
import { IsolationLevel } from '../protocol/constants.js';
import { ErrorCode, errorName, KafkaError } from '../protocol/errors.js';
import { topicPartitionKey } from '../protocol/topic-partition.js';
import type { ClusterClient, TopicInfo } from './cluster-client.js';
import { readFetchedRecords } from './fetched-records.js';
import type { ConsumedRecord } from './message-formatter.js';

/** Errors after which the partition's leader is looked up again. */
const STALE_METADATA = new Set<number>([
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.UNKNOWN_LEADER_EPOCH,
  ErrorCode.UNKNOWN_TOPIC_ID,
]);

export type StartOffset = 'earliest' | 'latest' | bigint;

export interface PartitionReaderOptions {
  readCommitted: boolean;
  /** Where to go when the position is out of range. */
  resetTo: 'earliest' | 'latest';
  /** Per partition and fetch; grows when a single batch is larger. */
  maxBytes?: number;
}

export class PartitionReader {
  private maxBytes: number;

  private constructor(
    private readonly cluster: ClusterClient,
    private topic: TopicInfo,
    readonly partition: number,
    /** The next offset to read. */
    public position: bigint,
    private readonly opts: PartitionReaderOptions,
  ) {
    this.maxBytes = opts.maxBytes ?? 1024 * 1024;
  }

  static async open(cluster: ClusterClient, topic: TopicInfo, partition: number, start: StartOffset, opts: PartitionReaderOptions): Promise<PartitionReader> {
    const reader = new PartitionReader(cluster, topic, partition, 0n, opts);
    reader.position = typeof start === 'bigint' ? start : await reader.offsetAt(start);
    return reader;
  }

  /** The records after the position, waiting up to `maxWaitMs` for some to arrive. */
  async poll(maxWaitMs: number): Promise<ConsumedRecord[]> {
    const leader = this.topic.partitions.find((p) => p.partition === this.partition)?.leader ?? -1;
    const client = await this.cluster.connectionToNode(leader);
    const version = client.versionFor(Fetch);
    const res = await client.send(
      Fetch,
      {
        replicaId: -1,
        maxWaitMs: Math.max(0, Math.floor(maxWaitMs)),
        minBytes: 1,
        maxBytes: Math.max(this.maxBytes, 50 * 1024 * 1024),
        isolationLevel: this.opts.readCommitted ? IsolationLevel.readCommitted : IsolationLevel.readUncommitted,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [
          {
            topic: this.topic.name,
            topicId: this.topic.topicId,
            partitions: [
              {
                partition: this.partition,
                currentLeaderEpoch: -1,
                fetchOffset: this.position,
                lastFetchedEpoch: -1,
                logStartOffset: -1n,
                partitionMaxBytes: this.maxBytes,
              },
            ],
          },
        ],
        forgottenTopicsData: [],
        rackId: '',
      },
      version,
    );
    if (res.errorCode !== ErrorCode.NONE) throw new KafkaError(res.errorCode, `${errorName(res.errorCode)} fetching ${this.name}`);
    const data = res.responses
      .filter((t) => (version >= 13 ? t.topicId === this.topic.topicId : t.topic === this.topic.name))
      .flatMap((t) => t.partitions)
      .find((p) => p.partitionIndex === this.partition);
    if (data === undefined) return [];
    if (data.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
      this.position = await this.offsetAt(this.opts.resetTo);
      return [];
    }
    if (STALE_METADATA.has(data.errorCode)) {
      await this.refreshMetadata();
      return [];
    }
    if (data.errorCode !== ErrorCode.NONE) throw new KafkaError(data.errorCode, `${errorName(data.errorCode)} fetching ${this.name}`);
    // Decoding always gives one buffer (a list is only for encoding).
    const records = data.records as Buffer | null;
    const fetched = readFetchedRecords(this.partition, { records, abortedTransactions: data.abortedTransactions }, this.position, this.opts.readCommitted);
    if (fetched.nextOffset === this.position && records !== null && records.length > 0) {
      this.maxBytes *= 2; // only part of a batch fit: ask for more next time
    }
    this.position = fetched.nextOffset;
    return fetched.records;
  }

  private get name(): string {
    return `${this.topic.name}-${this.partition}`;
  }

  private async offsetAt(where: 'earliest' | 'latest'): Promise<bigint> {
    const spec = where === 'earliest' ? OffsetSpec.earliest : OffsetSpec.latest;
    const isolation = this.opts.readCommitted ? IsolationLevel.readCommitted : IsolationLevel.readUncommitted;
    const found = await this.cluster.retrying(async () => {
      const v = (await this.cluster.listOffsets([{ topic: this.topic.name, partition: this.partition }], spec, isolation)).get(
        topicPartitionKey(this.topic.name, this.partition),
      );
      if (v instanceof KafkaError) throw v;
      return v;
    });
    return found ?? 0n;
  }

  private async refreshMetadata(): Promise<void> {
    await new Promise((res) => setTimeout(res, 200));
    const fresh = (await this.cluster.describeTopics([this.topic.name])).get(this.topic.name);
    if (fresh !== undefined) this.topic = fresh;
  }
}
