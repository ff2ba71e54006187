/**
 * InternalTopic: a coordinator's compacted internal topic (`__consumer_offsets`,
 * `__transaction_state`) — how many partitions it has, which one holds a key, creating it on first
 * need as Kafka does, and appending the coordinator's records to it.
 *
 * Appends are synchronous writes to the page cache, so a record is in the log before the caller
 * answers. Left out, compared with Kafka: replication (the factor is always 1) and waiting for acks.
 */
import { NO_SEQUENCE } from '../../protocol/batch-header.js';
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import { encodeRecordBatch, type RecordInput } from '../../protocol/record-batch.js';
import type { Clock } from '../clock.js';
import type { PartitionLog } from '../log/partition-log.js';
import type { TopicManager } from '../metadata/topic-manager.js';
import type { TopicRegistry } from '../metadata/topic-registry.js';
import type { ReplicaManager } from '../replica-manager.js';
import { partitionFor } from './partition-hash.js';

export interface InternalTopicSpec {
  name: string;
  /** Partitions it is created with; once it exists, its own count is what counts. */
  numPartitions: number;
  /** Topic configs it is created with, besides `cleanup.policy=compact`. */
  configs: Record<string, string>;
}

export interface InternalTopicDeps {
  topics: Pick<TopicRegistry, 'get'>;
  topicManager: Pick<TopicManager, 'createTopic'>;
  replicaManager: Pick<ReplicaManager, 'appendInternal' | 'partitionLog'>;
  clock: Clock;
}

/** The producer of a transactional append (TxnOffsetCommit). */
export interface TransactionalProducer {
  producerId: bigint;
  producerEpoch: number;
}

export class InternalTopic {
  constructor(
    private readonly spec: InternalTopicSpec,
    private readonly deps: InternalTopicDeps,
  ) {}

  get name(): string {
    return this.spec.name;
  }

  get exists(): boolean {
    return this.deps.topics.get(this.spec.name) !== undefined;
  }

  /** The topic's own partition count once it exists, else the configured one. */
  get partitionCount(): number {
    return this.deps.topics.get(this.spec.name)?.partitions ?? this.spec.numPartitions;
  }

  partitionFor(key: string): number {
    return partitionFor(key, this.partitionCount);
  }

  /** Creates the topic unless it exists (another caller may have just created it: that is fine). */
  ensureExists(): void {
    if (this.exists) return;
    try {
      this.deps.topicManager.createTopic({
        name: this.spec.name,
        numPartitions: this.spec.numPartitions,
        replicationFactor: 1,
        assignments: [],
        configs: { 'cleanup.policy': 'compact', ...this.spec.configs },
      });
    } catch (err) {
      if (err instanceof KafkaError && err.code === ErrorCode.TOPIC_ALREADY_EXISTS) return;
      throw err;
    }
  }

  /**
   * Appends `records` as one batch (creating the topic first if need be) and returns the offset of
   * the first. With `producer`, the batch is transactional, written with the producer's id and epoch
   * (a fenced epoch is refused by the partition's producer state). Throws what the log throws.
   */
  append(partition: number, records: RecordInput[], producer?: TransactionalProducer): number {
    this.ensureExists();
    const txn = producer ? { producerId: producer.producerId, producerEpoch: producer.producerEpoch, baseSequence: NO_SEQUENCE, transactional: true } : {};
    const batch = encodeRecordBatch({ records, timestamp: BigInt(this.deps.clock.now()), ...txn });
    return this.deps.replicaManager.appendInternal(this.spec.name, partition, batch).firstOffset;
  }

  log(partition: number): PartitionLog {
    return this.deps.replicaManager.partitionLog(this.spec.name, partition);
  }
}
