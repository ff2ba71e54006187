/**
 * OffsetMetadataManager: committed offsets — OffsetCommit, TxnOffsetCommit (staged until the
 * transaction's marker), OffsetFetch, OffsetDelete and the deletion of a group's offsets — Kafka's
 * class of that name, beside the GroupCoordinator, which keeps membership and rebalancing. The
 * offsets themselves live in the groups (GroupMetadata) and in __consumer_offsets, through the
 * GroupMetadataManager.
 *
 * What it asks of membership (the coordinator's `OffsetCommitMembership`): whether the coordinator
 * serves the group, whether a member is the group's, and to count a member's commit as a heartbeat —
 * as Kafka's OffsetMetadataManager asks its GroupMetadataManager.
 */
import { ErrorCode } from '../../protocol/errors.js';
import type { TopicPartition } from '../../protocol/topic-partition.js';
import type { Clock } from '../clock.js';
import type { BrokerConfig } from '../config/broker-config.js';
import type { TransactionalProducer } from '../coordinator/internal-topic.js';
import type { Logger } from '../logger.js';
import { CONSUMER_PROTOCOL_TYPE, type GroupMetadata, type MemberMetadata, type OffsetAndMetadata } from './group-metadata.js';
import type { FetchedOffset, GroupMetadataManager } from './group-metadata-manager.js';
import { GroupState } from './group-state.js';

export type OffsetMetadataManagerConfig = Pick<BrokerConfig, 'offsetMetadataMaxBytes'>;

export interface OffsetMetadataManagerDeps {
  clock: Clock;
  logger: Logger;
  /** Whether a topic partition exists (OffsetCommit/OffsetDelete answer UNKNOWN_TOPIC_OR_PARTITION otherwise). */
  partitionExists(topic: string, partition: number): boolean;
}

/** What committed offsets need of group membership; the GroupCoordinator provides it. */
export interface OffsetCommitMembership {
  /** The group id is valid, the coordinator is running and the group's partition is loaded; else the error. */
  validateGroupStatus(groupId: string, allowEmpty: boolean): number | null;
  /** `memberId` (with its static instance id, if any) is a member of `group`; else the error. */
  validateCurrentMember(group: GroupMetadata, memberId: string, groupInstanceId: string | null): number | null;
  /** A member's commit counts as its heartbeat: its session starts again. */
  rescheduleHeartbeat(group: GroupMetadata, member: MemberMetadata): void;
}

export interface OffsetCommitParams {
  groupId: string;
  /** -1 for a commit from outside group management (admin, assign()ed consumers). */
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  /** OffsetCommit v2-4: -1, or how long from now the offsets should live. */
  retentionTimeMs: bigint;
  offsets: Array<{
    topic: string;
    partition: number;
    offset: bigint;
    leaderEpoch: number;
    metadata: string | null;
    /** OffsetCommit v1: the client's commit time; -1 for now. */
    commitTimestamp: bigint;
  }>;
}

/** TxnOffsetCommit: offsets committed inside the producer's transaction. */
export interface TxnOffsetCommitParams {
  groupId: string;
  producerId: bigint;
  producerEpoch: number;
  /** v3+ (KIP-447); -1 (and '' / null) when the producer sent no consumer group metadata: not checked. */
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  offsets: Array<{ topic: string; partition: number; offset: bigint; leaderEpoch: number; metadata: string | null }>;
}

/** One partition of an OffsetCommit or TxnOffsetCommit. */
interface CommittedPartition extends TopicPartition {
  offset: bigint;
  leaderEpoch: number;
  metadata: string | null;
}

/** How a commit the group accepted is written: when, until when, and in which transaction. */
interface OffsetCommitPlan<O> {
  group: GroupMetadata;
  commitTimestamp: (o: O) => number;
  expireTimestamp: number | null;
  txn?: TransactionalProducer;
}

export interface PartitionResult extends TopicPartition {
  errorCode: number;
}

export class OffsetMetadataManager {
  private readonly logger: Logger;

  constructor(
    private readonly config: OffsetMetadataManagerConfig,
    private readonly groupManager: GroupMetadataManager,
    private readonly membership: OffsetCommitMembership,
    private readonly deps: OffsetMetadataManagerDeps,
  ) {
    this.logger = deps.logger;
  }

  /** OffsetCommit: an error per partition. The commit is written to the log before this returns. */
  handleCommitOffsets(p: OffsetCommitParams): PartitionResult[] {
    return this.commitOffsets(p.offsets, this.membership.validateGroupStatus(p.groupId, true), () => this.planOffsetCommit(p));
  }

  private planOffsetCommit(p: OffsetCommitParams): OffsetCommitPlan<OffsetCommitParams['offsets'][number]> | { error: number } {
    let group = this.groupManager.getGroup(p.groupId);
    if (!group) {
      // No group: a commit from outside group management creates one that only stores offsets;
      // anything else comes from a generation that no longer exists.
      if (p.generationId >= 0) return { error: ErrorCode.ILLEGAL_GENERATION };
      group = this.groupManager.getOrMaybeCreateGroup(p.groupId, true) as GroupMetadata;
    }
    const error = this.validateOffsetCommit(group, p);
    if (error !== null) return { error };
    switch (group.state) {
      case GroupState.CompletingRebalance:
        // The member knows the new generation but has no assignment yet.
        return { error: ErrorCode.REBALANCE_IN_PROGRESS };
      case GroupState.Stable:
      case GroupState.PreparingRebalance: {
        // Still accepted while rebalancing: the member learns of the rebalance from its heartbeat,
        // and committing what it processed before it rejoins is what avoids duplicates.
        const member = group.members.get(p.memberId);
        if (member) this.membership.rescheduleHeartbeat(group, member);
        break;
      }
      case GroupState.Empty:
      case GroupState.Dead:
        break;
    }
    const now = this.deps.clock.now();
    return {
      group,
      commitTimestamp: (o) => (o.commitTimestamp === -1n ? now : Number(o.commitTimestamp)),
      expireTimestamp: p.retentionTimeMs === -1n ? null : now + Number(p.retentionTimeMs),
    };
  }

  private validateOffsetCommit(group: GroupMetadata, p: OffsetCommitParams): number | null {
    if (group.is(GroupState.Dead)) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    // Generation -1 (admin clients, consumers that assign() themselves): fine while nobody is a member.
    if (p.generationId < 0 && group.is(GroupState.Empty)) return null;
    if (p.generationId >= 0 || p.memberId !== '' || p.groupInstanceId !== null) {
      const error = this.membership.validateCurrentMember(group, p.memberId, p.groupInstanceId);
      if (error !== null) return error;
      return p.generationId !== group.generationId ? ErrorCode.ILLEGAL_GENERATION : null;
    }
    // Only members may commit to a group that has members.
    return group.is(GroupState.Empty) ? null : ErrorCode.UNKNOWN_MEMBER_ID;
  }

  /**
   * TxnOffsetCommit (the transaction coordinator has checked that the group's offsets partition is in
   * the producer's transaction): the offsets are written as a transactional batch with the producer's
   * id and epoch and staged until the transaction's marker (`onTransactionCompleted`). As Kafka, a
   * missing group is created; a member id, when given, must be the group's, a generation, when given
   * (≥ 0), the current one, and a static instance id must not belong to another member (KIP-447).
   * `verifyTransaction` asks the transaction coordinator whether the group's __consumer_offsets
   * partition is in the producer's transaction (KIP-890's verification); its error, if any, is every
   * partition's answer.
   */
  handleTxnCommitOffsets(p: TxnOffsetCommitParams, verifyTransaction: (offsetsPartition: number) => number): PartitionResult[] {
    const status = this.membership.validateGroupStatus(p.groupId, false) ?? nonNone(verifyTransaction(this.groupManager.partitionFor(p.groupId)));
    return this.commitOffsets(p.offsets, status, () => this.planTxnOffsetCommit(p));
  }

  private planTxnOffsetCommit(p: TxnOffsetCommitParams): OffsetCommitPlan<TxnOffsetCommitParams['offsets'][number]> | { error: number } {
    const group = this.groupManager.getOrMaybeCreateGroup(p.groupId, true) as GroupMetadata;
    if (group.is(GroupState.Dead)) return { error: ErrorCode.COORDINATOR_NOT_AVAILABLE };
    if (p.groupInstanceId !== null && (group.currentStaticMemberId(p.groupInstanceId) ?? p.memberId) !== p.memberId)
      return { error: ErrorCode.FENCED_INSTANCE_ID };
    if (p.memberId !== '' && !group.has(p.memberId)) return { error: ErrorCode.UNKNOWN_MEMBER_ID };
    if (p.generationId >= 0 && p.generationId !== group.generationId) return { error: ErrorCode.ILLEGAL_GENERATION };
    const now = this.deps.clock.now();
    return { group, commitTimestamp: () => now, expireTimestamp: null, txn: { producerId: p.producerId, producerEpoch: p.producerEpoch } };
  }

  /**
   * What OffsetCommit and TxnOffsetCommit share. Every partition answers `status` when it is set;
   * otherwise a partition that does not exist answers UNKNOWN_TOPIC_OR_PARTITION, `plan` checks the
   * group for the others (its error answers them all), metadata over offset.metadata.max.bytes
   * answers OFFSET_METADATA_TOO_LARGE, and the rest are written as one batch and answer how that went.
   */
  private commitOffsets<O extends CommittedPartition>(
    offsets: readonly O[],
    status: number | null,
    plan: () => OffsetCommitPlan<O> | { error: number },
  ): PartitionResult[] {
    const results: PartitionResult[] = [];
    const result = (o: TopicPartition, errorCode: number) => results.push({ topic: o.topic, partition: o.partition, errorCode });
    if (status !== null) {
      for (const o of offsets) result(o, status);
      return results;
    }
    const known = offsets.filter((o) => {
      if (this.deps.partitionExists(o.topic, o.partition)) return true;
      result(o, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      return false;
    });
    if (known.length === 0) return results;
    const commit = plan();
    if ('error' in commit) {
      for (const o of known) result(o, commit.error);
      return results;
    }
    const valid: Array<TopicPartition & { value: OffsetAndMetadata }> = [];
    for (const o of known) {
      const metadata = o.metadata ?? '';
      if (metadata.length > this.config.offsetMetadataMaxBytes) {
        result(o, ErrorCode.OFFSET_METADATA_TOO_LARGE);
        continue;
      }
      valid.push({
        topic: o.topic,
        partition: o.partition,
        value: { offset: o.offset, leaderEpoch: o.leaderEpoch, metadata, commitTimestamp: commit.commitTimestamp(o), expireTimestamp: commit.expireTimestamp },
      });
    }
    const stored = this.groupManager.storeOffsets(commit.group, valid, commit.txn);
    for (const o of valid) result(o, stored);
    return results;
  }

  /**
   * A transaction's COMMIT or ABORT marker reached `__consumer_offsets-<offsetsPartition>`: the
   * offsets the producer committed in it there become the groups' committed offsets, or are dropped.
   */
  onTransactionCompleted(offsetsPartition: number, producerId: bigint, commit: boolean): void {
    this.groupManager.handleTxnCompletion(producerId, commit, offsetsPartition);
  }

  /** OffsetFetch for one group: `partitions` null asks for every partition it has committed. */
  handleFetchOffsets(groupId: string, partitions: TopicPartition[] | null, requireStable: boolean): { errorCode: number; offsets: FetchedOffset[] } {
    const status = this.membership.validateGroupStatus(groupId, true);
    if (status !== null) return { errorCode: status, offsets: [] };
    // Answered whatever the group's state: a group may use Kafka only to store offsets.
    return { errorCode: ErrorCode.NONE, offsets: this.groupManager.getOffsets(groupId, partitions, requireStable) };
  }

  /** OffsetDelete (KIP-496): only offsets of topics the group does not consume. */
  handleDeleteOffsets(groupId: string, partitions: TopicPartition[]): { errorCode: number; partitions: PartitionResult[] } {
    const status = this.membership.validateGroupStatus(groupId, false);
    if (status !== null) return { errorCode: status, partitions: [] };
    const group = this.groupManager.getGroup(groupId);
    if (!group || group.is(GroupState.Dead)) return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, partitions: [] };
    const results: PartitionResult[] = [];
    let eligible: TopicPartition[] = [];
    const existing = partitions.filter((tp) => {
      if (this.deps.partitionExists(tp.topic, tp.partition)) return true;
      results.push({ ...tp, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION });
      return false;
    });
    if (group.is(GroupState.Empty)) {
      eligible = existing;
    } else if (group.protocolType === CONSUMER_PROTOCOL_TYPE) {
      for (const tp of existing) {
        if (group.isSubscribedToTopic(tp.topic)) results.push({ ...tp, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC });
        else eligible.push(tp);
      }
    } else {
      return { errorCode: ErrorCode.NON_EMPTY_GROUP, partitions: [] };
    }
    if (eligible.length > 0) {
      const removed = this.groupManager.cleanupGroupMetadata([group], (g) => eligible.filter((tp) => g.removeOffset(tp.topic, tp.partition)));
      this.logger.info(`Deleted ${removed} offset(s) of group ${groupId}`);
      for (const tp of eligible) results.push({ ...tp, errorCode: ErrorCode.NONE });
    }
    return { errorCode: ErrorCode.NONE, partitions: results };
  }

  /** DeleteGroups, for a group it deletes: every committed offset goes, and what transactions staged. Returns what was removed. */
  deleteAllOffsets(group: GroupMetadata): TopicPartition[] {
    const all = group.allOffsets().map(({ topic, partition }) => ({ topic, partition }));
    for (const tp of all) group.removeOffset(tp.topic, tp.partition);
    group.pendingTransactionalOffsets.clear();
    return all;
  }

  /**
   * A topic was deleted: every group forgets its offsets for it (committed and staged by open
   * transactions), as Kafka's GroupCoordinator.onPartitionsDeleted does — so a topic created again
   * under the same name starts from the reset policy, not from an offset of the old one.
   */
  onTopicDeleted(topic: string): number {
    const removed = this.groupManager.cleanupGroupMetadata(this.groupManager.currentGroups(), (g) => {
      const gone = g
        .allOffsets()
        .filter((o) => o.topic === topic)
        .map(({ partition }) => ({ topic, partition }));
      for (const tp of gone) g.removeOffset(tp.topic, tp.partition);
      for (const byTopic of g.pendingTransactionalOffsets.values()) byTopic.delete(topic);
      return gone;
    });
    if (removed > 0) this.logger.info(`Removed ${removed} committed offset(s) of deleted topic ${topic}`);
    return removed;
  }

  /** Runs the offset expiry now (the manager also runs it every offsets.retention.check.interval.ms). */
  cleanupExpiredOffsets(now?: number): number {
    return this.groupManager.cleanupExpiredOffsets(now);
  }
}

function nonNone(errorCode: number): number | null {
  return errorCode === ErrorCode.NONE ? null : errorCode;
}
