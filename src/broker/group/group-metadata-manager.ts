/**
 * GroupMetadataManager: the groups this broker coordinates and their home, the internal topic
 * `__consumer_offsets` — Kafka's class of that name, for one node that leads every partition.
 *
 * - Which partition holds a group: abs(String.hashCode(groupId)) % partitions, as Kafka computes it
 *   (coordinator/partition-hash.ts, shared with the transaction coordinator, as is the rest of the
 *   internal-topic machinery in coordinator/).
 * - Writes: OffsetCommit records (one batch per commit), GroupMetadata records, and tombstones, each
 *   appended to the partition log before the caller answers (appends are synchronous writes to the
 *   page cache, so an acknowledged commit survives kill -9).
 * - Loading: every partition is replayed from its log start offset at startup (latest record per key
 *   wins, tombstones remove, transactional offsets wait for their transaction's marker).
 * - Expiry: every offsets.retention.check.interval.ms, offsets past offsets.retention.minutes are
 *   tombstoned, and an Empty group left without offsets is removed.
 *
 * Left out, compared with Kafka: partition leadership changes (no unloading), the offsets cache
 * size limit (offsets.load.buffer.size only sizes a read here), and compression of the records.
 */
import { ErrorCode } from '../../protocol/errors.js';
import type { RecordInput } from '../../protocol/record-batch.js';
import { type TopicPartition, topicPartitionKey, topicPartitionOfKey } from '../../protocol/topic-partition.js';
import type { Clock } from '../clock.js';
import type { BrokerConfig } from '../config/broker-config.js';
import type { CoordinatorRecord } from '../coordinator/coordinator-loader.js';
import { type CoordinatorDeps, CoordinatorRuntime, type PartitionLoad } from '../coordinator/coordinator-runtime.js';
import { InternalTopic, type TransactionalProducer } from '../coordinator/internal-topic.js';
import { answerWriteFailure, type WriteErrorAnswers } from '../coordinator/write-error.js';
import { GROUP_METADATA_TOPIC_NAME } from '../metadata/internal-topics.js';
import { type CommittedOffset, GroupMetadata, MemberMetadata, type OffsetAndMetadata } from './group-metadata.js';
import { GroupState } from './group-state.js';
import {
  decodeGroupMetadataValue,
  decodeOffsetCommitValue,
  decodeOffsetsKey,
  encodeGroupMetadataKey,
  encodeGroupMetadataValue,
  encodeOffsetCommitKey,
  encodeOffsetCommitValue,
  type GroupMetadataValue,
} from './offsets-records.js';

const EMPTY = Buffer.alloc(0);

/** Kafka's answers to a failed GroupMetadata write (SyncGroup, JoinGroup) and OffsetCommit write. */
const STORE_GROUP_ANSWERS: WriteErrorAnswers = { tooLarge: ErrorCode.UNKNOWN_SERVER_ERROR };
const OFFSET_COMMIT_ANSWERS: WriteErrorAnswers = { tooLarge: ErrorCode.INVALID_COMMIT_OFFSET_SIZE };

export type GroupMetadataManagerConfig = Pick<
  BrokerConfig,
  'offsetsTopicNumPartitions' | 'offsetsTopicSegmentBytes' | 'offsetsRetentionMs' | 'offsetsRetentionCheckIntervalMs'
>;

export type GroupMetadataManagerDeps = CoordinatorDeps;

/** One partition's answer in OffsetFetch. */
export interface FetchedOffset {
  topic: string;
  partition: number;
  offset: bigint;
  leaderEpoch: number;
  metadata: string;
  errorCode: number;
}

export class GroupMetadataManager {
  private readonly groups = new Map<string, GroupMetadata>();
  private readonly offsetsTopic: InternalTopic;
  private readonly runtime: CoordinatorRuntime;

  constructor(
    private readonly config: GroupMetadataManagerConfig,
    private readonly deps: GroupMetadataManagerDeps,
  ) {
    this.offsetsTopic = new InternalTopic(
      {
        name: GROUP_METADATA_TOPIC_NAME,
        numPartitions: config.offsetsTopicNumPartitions,
        configs: { 'segment.bytes': String(config.offsetsTopicSegmentBytes), 'compression.type': 'producer' },
      },
      deps,
    );
    this.runtime = new CoordinatorRuntime(this.offsetsTopic, deps);
  }

  // ---- where groups live ---------------------------------------------------------------------

  partitionFor(groupId: string): number {
    return this.offsetsTopic.partitionFor(groupId);
  }

  /** Creates __consumer_offsets on first need, as Kafka does (compacted, its own segment size). */
  ensureOffsetsTopic(): void {
    this.offsetsTopic.ensureExists();
  }

  /** False until startup has run (COORDINATOR_NOT_AVAILABLE) and after shutdown. */
  get isActive(): boolean {
    return this.runtime.isActive;
  }

  isGroupLoading(groupId: string): boolean {
    return this.runtime.isKeyLoading(groupId);
  }

  get isLoading(): boolean {
    return this.runtime.isLoading;
  }

  // ---- the group cache -----------------------------------------------------------------------

  getGroup(groupId: string): GroupMetadata | undefined {
    return this.groups.get(groupId);
  }

  /** The group, created Empty when absent and `create` is set. */
  getOrMaybeCreateGroup(groupId: string, create: boolean): GroupMetadata | undefined {
    const existing = this.groups.get(groupId);
    if (existing || !create) return existing;
    const group = new GroupMetadata(groupId, GroupState.Empty, this.deps.clock.now());
    this.groups.set(groupId, group);
    return group;
  }

  currentGroups(): GroupMetadata[] {
    return [...this.groups.values()];
  }

  private removeGroup(group: GroupMetadata): boolean {
    if (this.groups.get(group.groupId) !== group) return false;
    this.groups.delete(group.groupId);
    return true;
  }

  // ---- writes --------------------------------------------------------------------------------

  /**
   * Persists the group's generation, protocol, leader and members with their subscriptions and
   * `assignment`. Returns Kafka's error for a failed write (NONE on success).
   */
  storeGroup(group: GroupMetadata, assignment: ReadonlyMap<string, Buffer>): number {
    const protocol = group.protocolName;
    const value: GroupMetadataValue = {
      protocolType: group.protocolType ?? '',
      generation: group.generationId,
      protocol,
      leader: group.leaderId,
      currentStateTimestamp: BigInt(group.currentStateTimestamp ?? -1),
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        rebalanceTimeout: m.rebalanceTimeoutMs,
        sessionTimeout: m.sessionTimeoutMs,
        subscription: protocol === null ? EMPTY : m.metadata(protocol),
        assignment: assignment.get(m.memberId) ?? EMPTY,
      })),
    };
    try {
      this.offsetsTopic.append(this.partitionFor(group.groupId), [{ key: encodeGroupMetadataKey(group.groupId), value: encodeGroupMetadataValue(value) }]);
      return ErrorCode.NONE;
    } catch (err) {
      return answerWriteFailure(err, `store group ${group.groupId}`, this.deps.logger, STORE_GROUP_ANSWERS);
    }
  }

  /**
   * Appends one OffsetCommit record per partition as one batch, then makes them the group's
   * committed offsets. Returns Kafka's error for a failed write (NONE on success).
   *
   * With `txn` (TxnOffsetCommit), the batch is transactional, written with the producer's id and
   * epoch (a fenced epoch is refused by the partition's producer state: INVALID_PRODUCER_EPOCH), and
   * the offsets are only staged: the transaction's marker makes them visible or drops them
   * (`handleTxnCompletion`).
   */
  storeOffsets(group: GroupMetadata, offsets: Array<TopicPartition & { value: OffsetAndMetadata }>, txn?: TransactionalProducer): number {
    if (offsets.length === 0) return ErrorCode.NONE;
    const records = offsets.map(({ topic, partition, value }) => ({
      key: encodeOffsetCommitKey(group.groupId, topic, partition),
      value: encodeOffsetCommitValue({
        offset: value.offset,
        leaderEpoch: value.leaderEpoch,
        metadata: value.metadata,
        commitTimestamp: BigInt(value.commitTimestamp),
        expireTimestamp: BigInt(value.expireTimestamp ?? -1),
      }),
    }));
    let firstOffset: number;
    try {
      firstOffset = this.offsetsTopic.append(this.partitionFor(group.groupId), records, txn);
    } catch (err) {
      return answerWriteFailure(err, `commit offsets of group ${group.groupId}`, this.deps.logger, OFFSET_COMMIT_ANSWERS);
    }
    offsets.forEach(({ topic, partition, value }, i) => {
      const committed = { ...value, recordOffset: firstOffset + i };
      if (txn) group.stageTransactionalOffset(txn.producerId, topic, partition, committed);
      else group.putOffset(topic, partition, committed);
    });
    return ErrorCode.NONE;
  }

  /**
   * Applies `selector` (which removes offsets from the group and returns them) to each group,
   * tombstones what it removed, and removes a group left Empty with no offsets. Returns the number
   * of offsets removed.
   */
  cleanupGroupMetadata(groups: Iterable<GroupMetadata>, selector: (g: GroupMetadata) => TopicPartition[]): number {
    let removed = 0;
    for (const group of groups) {
      const gone = selector(group);
      removed += gone.length;
      const tombstones: RecordInput[] = gone.map(({ topic, partition }) => ({ key: encodeOffsetCommitKey(group.groupId, topic, partition), value: null }));
      if (group.is(GroupState.Empty) && !group.hasOffsets) {
        group.transitionTo(GroupState.Dead, this.deps.clock.now());
      }
      // A group that only ever stored offsets (generation 0) has no GroupMetadata record to delete.
      if (group.is(GroupState.Dead) && this.removeGroup(group) && group.generationId > 0) {
        tombstones.push({ key: encodeGroupMetadataKey(group.groupId), value: null });
      }
      if (tombstones.length === 0) continue;
      try {
        this.offsetsTopic.append(this.partitionFor(group.groupId), tombstones);
      } catch (err) {
        this.deps.logger.warn(`Failed to write ${tombstones.length} tombstone(s) for group ${group.groupId}: ${(err as Error).message}`);
      }
    }
    return removed;
  }

  /** Expires offsets past their retention (see GroupMetadata.expiredOffsets) and removes dead groups. */
  cleanupExpiredOffsets(now = this.deps.clock.now()): number {
    const removed = this.cleanupGroupMetadata(this.currentGroups(), (g) => {
      const expired = g.expiredOffsets(now, this.config.offsetsRetentionMs);
      for (const { topic, partition } of expired) g.removeOffset(topic, partition);
      return expired;
    });
    if (removed > 0) this.deps.logger.info(`Removed ${removed} expired offsets`);
    return removed;
  }

  /**
   * A transaction's COMMIT or ABORT marker reached __consumer_offsets: the offsets the producer
   * committed in it become visible, or are dropped (the hook for TxnOffsetCommit).
   */
  handleTxnCompletion(producerId: bigint, commit: boolean, offsetsPartition?: number): void {
    for (const group of this.groups.values()) {
      // Only the groups of the partition the marker reached, as in Kafka; every group when not given.
      if (offsetsPartition !== undefined && this.partitionFor(group.groupId) !== offsetsPartition) continue;
      group.completePendingTransactionalOffsets(producerId, commit);
    }
  }

  // ---- reads ---------------------------------------------------------------------------------

  /**
   * Committed offsets of `partitions`, or of every partition the group has committed when null.
   * A partition without one answers offset -1; with `requireStable`, one with a transactional
   * commit still open answers UNSTABLE_OFFSET_COMMIT (KIP-447).
   */
  getOffsets(groupId: string, partitions: TopicPartition[] | null, requireStable: boolean): FetchedOffset[] {
    const group = this.groups.get(groupId);
    const none = (topic: string, partition: number, errorCode: number = ErrorCode.NONE): FetchedOffset => ({
      topic,
      partition,
      offset: -1n,
      leaderEpoch: -1,
      metadata: '',
      errorCode,
    });
    if (!group || group.is(GroupState.Dead)) return (partitions ?? []).map((p) => none(p.topic, p.partition));
    const answer = (topic: string, partition: number, o: CommittedOffset | undefined): FetchedOffset => {
      if (requireStable && group.hasPendingTransactionalOffset(topic, partition)) return none(topic, partition, ErrorCode.UNSTABLE_OFFSET_COMMIT);
      if (!o) return none(topic, partition);
      return { topic, partition, offset: o.offset, leaderEpoch: o.leaderEpoch, metadata: o.metadata, errorCode: ErrorCode.NONE };
    };
    if (partitions === null) return group.allOffsets().map(({ topic, partition, offset }) => answer(topic, partition, offset));
    return partitions.map(({ topic, partition }) => answer(topic, partition, group.offset(topic, partition)));
  }

  // ---- lifecycle -----------------------------------------------------------------------------

  /**
   * Replays every partition of __consumer_offsets (when the topic exists), hands each loaded group
   * to `onGroupLoaded`, then starts the expiry timer.
   */
  async startup(onGroupLoaded: (group: GroupMetadata) => void): Promise<void> {
    await this.runtime.startup({
      what: 'group(s)',
      load: () => new OffsetsPartitionLoad(this.groups, this.deps.clock),
      onLoaded: onGroupLoaded,
    });
    this.runtime.schedule('Offset expiry', this.config.offsetsRetentionCheckIntervalMs, () => this.cleanupExpiredOffsets());
  }

  shutdown(): void {
    this.runtime.shutdown();
  }
}

/**
 * One partition of __consumer_offsets being loaded: the latest record per key so far (offsets per
 * group, GroupMetadata per group), and offsets committed in transactions whose marker has not come
 * yet. `complete` builds the groups and puts them in the cache.
 */
class OffsetsPartitionLoad implements PartitionLoad<GroupMetadata> {
  /** group → topicPartitionKey → offset. */
  private readonly offsets = new Map<string, Map<string, CommittedOffset>>();
  private readonly groups = new Map<string, GroupMetadataValue>();
  /** Offsets committed in open transactions: producer id → group → key → offset. */
  private readonly pending = new Map<bigint, Map<string, Map<string, CommittedOffset>>>();

  constructor(
    private readonly cache: Map<string, GroupMetadata>,
    private readonly clock: Clock,
  ) {}

  replay(r: CoordinatorRecord): void {
    const key = decodeOffsetsKey(r.key);
    if (key.type === 'offset') {
      const k = topicPartitionKey(key.topic, key.partition);
      if (r.transactional) {
        if (r.value !== null) nested(nested(this.pending, r.producerId), key.group).set(k, committedFrom(r.value, r.offset));
      } else if (r.value === null) {
        const byKey = this.offsets.get(key.group);
        if (byKey?.delete(k) && byKey.size === 0) this.offsets.delete(key.group);
      } else {
        nested(this.offsets, key.group).set(k, committedFrom(r.value, r.offset));
      }
    } else if (key.type === 'group') {
      if (r.value === null) this.groups.delete(key.group);
      else this.groups.set(key.group, decodeGroupMetadataValue(r.value));
    }
    // Other key types (KIP-848 consumer groups, share groups) belong to protocols not implemented.
  }

  replayEndTransactionMarker(producerId: bigint, commit: boolean): void {
    const byGroup = this.pending.get(producerId);
    if (!byGroup) return;
    this.pending.delete(producerId);
    if (!commit) return;
    for (const [group, byKey] of byGroup) {
      const target = nested(this.offsets, group);
      for (const [k, o] of byKey) {
        const current = target.get(k);
        if (current === undefined || current.recordOffset < o.recordOffset) target.set(k, o);
      }
    }
  }

  complete(): GroupMetadata[] {
    const now = this.clock.now();
    const loaded: GroupMetadata[] = [];
    for (const groupId of new Set([...this.groups.keys(), ...this.offsets.keys(), ...this.pendingGroups()])) {
      const value = this.groups.get(groupId);
      const group = value ? groupFromRecord(groupId, value, now) : new GroupMetadata(groupId, GroupState.Empty, now);
      for (const [key, o] of this.offsets.get(groupId) ?? []) {
        const { topic, partition } = topicPartitionOfKey(key);
        group.putOffset(topic, partition, o);
      }
      for (const [producerId, byGroup] of this.pending) {
        for (const [key, o] of byGroup.get(groupId) ?? []) {
          const { topic, partition } = topicPartitionOfKey(key);
          group.stageTransactionalOffset(producerId, topic, partition, o);
        }
      }
      this.cache.set(groupId, group);
      loaded.push(group);
    }
    return loaded;
  }

  private pendingGroups(): string[] {
    const out: string[] = [];
    for (const byGroup of this.pending.values()) out.push(...byGroup.keys());
    return out;
  }
}

function nested<K, K2, V>(map: Map<K, Map<K2, V>>, key: K): Map<K2, V> {
  let inner = map.get(key);
  if (!inner) map.set(key, (inner = new Map()));
  return inner;
}

function committedFrom(value: Buffer, recordOffset: number): CommittedOffset {
  const v = decodeOffsetCommitValue(value);
  return {
    offset: v.offset,
    leaderEpoch: v.leaderEpoch,
    metadata: v.metadata,
    commitTimestamp: Number(v.commitTimestamp),
    expireTimestamp: v.expireTimestamp >= 0n ? Number(v.expireTimestamp) : null,
    recordOffset,
  };
}

/** A group as its GroupMetadata record describes it: Stable with its members, or Empty without. */
function groupFromRecord(groupId: string, value: GroupMetadataValue, now: number): GroupMetadata {
  const group = new GroupMetadata(groupId, value.members.length === 0 ? GroupState.Empty : GroupState.Stable, now);
  for (const m of value.members) {
    const protocols = value.protocol === null ? [] : [{ name: value.protocol, metadata: m.subscription }];
    const member = new MemberMetadata(
      m.memberId,
      m.groupInstanceId,
      m.clientId,
      m.clientHost,
      m.rebalanceTimeout,
      m.sessionTimeout,
      value.protocolType,
      protocols,
    );
    member.assignment = m.assignment;
    group.add(member);
  }
  group.generationId = value.generation;
  group.protocolType = value.protocolType === '' ? null : value.protocolType;
  group.protocolName = value.protocol;
  group.leaderId = value.leader;
  group.currentStateTimestamp = value.currentStateTimestamp >= 0n ? Number(value.currentStateTimestamp) : null;
  group.subscribedTopics = group.computeSubscribedTopics();
  return group;
}
