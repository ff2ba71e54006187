/**
 * GroupCoordinator: Kafka's classic group protocol — JoinGroup, SyncGroup, Heartbeat, LeaveGroup —
 * DescribeGroups, ListGroups and DeleteGroups, for every group (this broker leads every partition of
 * __consumer_offsets); and the front of committed offsets (OffsetCommit, TxnOffsetCommit,
 * OffsetFetch, OffsetDelete), which are the OffsetMetadataManager's.
 *
 * The decisions follow Kafka's GroupCoordinator (docs/consumer-groups.md has the state machine and
 * the error table): KIP-394 member ids, KIP-345 static membership, KIP-134's initial rebalance
 * delay, KIP-814's SkipAssignment, the pending-sync timeout, and commits accepted during
 * PreparingRebalance. Timers run on the injected clock: a member's session (or, while it waits in its
 * first join, Kafka's 5-minute new-member timeout), the rebalance timeout, the initial delay, the
 * wait for SyncGroups, and the KIP-394 pending member's session; so do timestamps.
 *
 * Where this differs from Kafka, on purpose: a JoinGroup or SyncGroup superseded by a newer one from
 * the same member is answered (REBALANCE_IN_PROGRESS) rather than dropped, and a member removed while
 * its SyncGroup waits gets UNKNOWN_MEMBER_ID, because a connection answers its requests in order and
 * an unanswered one would hold back everything behind it.
 *
 * Left out: the new consumer group protocol (KIP-848), share groups, group authorization, and
 * coordinator failover (there is one broker).
 */
import { ErrorCode } from '../../protocol/errors.js';
import type { TopicPartition } from '../../protocol/topic-partition.js';
import type { Clock } from '../clock.js';
import type { BrokerConfig } from '../config/broker-config.js';
import type { Logger } from '../logger.js';
import { GroupMetadata, joinError, type JoinGroupResult, MemberMetadata, type Protocol, syncError, type SyncGroupResult } from './group-metadata.js';
import type { FetchedOffset, GroupMetadataManager } from './group-metadata-manager.js';
import { GroupState } from './group-state.js';
import {
  type OffsetCommitMembership,
  type OffsetCommitParams,
  OffsetMetadataManager,
  type PartitionResult,
  type TxnOffsetCommitParams,
} from './offset-metadata-manager.js';

/** Kafka's limit on how long a new member's first JoinGroup may wait (GroupCoordinator.NewMemberJoinTimeoutMs). */
export const NEW_MEMBER_JOIN_TIMEOUT_MS = 5 * 60 * 1000;
export const CLASSIC_GROUP_TYPE = 'classic';
const EMPTY = Buffer.alloc(0);

export type GroupCoordinatorConfig = Pick<
  BrokerConfig,
  'groupMinSessionTimeoutMs' | 'groupMaxSessionTimeoutMs' | 'groupInitialRebalanceDelayMs' | 'groupMaxSize' | 'offsetMetadataMaxBytes'
>;

export interface GroupCoordinatorDeps {
  clock: Clock;
  logger: Logger;
  /** Whether a topic partition exists (OffsetCommit/OffsetDelete answer UNKNOWN_TOPIC_OR_PARTITION otherwise). */
  partitionExists(topic: string, partition: number): boolean;
}

export interface JoinGroupParams {
  groupId: string;
  /** '' for a member joining for the first time. */
  memberId: string;
  groupInstanceId: string | null;
  /** JoinGroup v4+ without an instance id: an unknown member first gets MEMBER_ID_REQUIRED (KIP-394). */
  requireKnownMemberId: boolean;
  /** JoinGroup v9+ (KIP-814). */
  supportSkippingAssignment: boolean;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  protocolType: string;
  protocols: Protocol[];
  reason?: string | null;
}

export interface SyncGroupParams {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  /** SyncGroup v5+: checked against the group's when given. */
  protocolType: string | null;
  protocolName: string | null;
  assignments: Array<{ memberId: string; assignment: Buffer }>;
}

export interface HeartbeatParams {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
}

export interface LeavingMember {
  /** '' to remove a static member by instance id (an admin's LeaveGroup, v3+). */
  memberId: string;
  groupInstanceId: string | null;
  reason?: string | null;
}

export interface LeaveGroupResult {
  errorCode: number;
  members: Array<{ memberId: string; groupInstanceId: string | null; errorCode: number }>;
}

export interface GroupSummary {
  groupId: string;
  state: string;
  protocolType: string;
  /** The chosen protocol while Stable, else ''. */
  protocol: string;
  members: Array<{ memberId: string; groupInstanceId: string | null; clientId: string; clientHost: string; metadata: Buffer; assignment: Buffer }>;
}

export interface GroupOverview {
  groupId: string;
  protocolType: string;
  state: GroupState;
}

export class GroupCoordinator {
  private readonly logger: Logger;
  /** Committed offsets; this class keeps membership. */
  private readonly offsets: OffsetMetadataManager;

  constructor(
    private readonly config: GroupCoordinatorConfig,
    readonly groupManager: GroupMetadataManager,
    private readonly deps: GroupCoordinatorDeps,
  ) {
    this.logger = deps.logger;
    const membership: OffsetCommitMembership = {
      validateGroupStatus: (groupId, allowEmpty) => this.validateGroupStatus(groupId, allowEmpty),
      validateCurrentMember: (group, memberId, groupInstanceId) => this.validateCurrentMember(group, memberId, groupInstanceId),
      rescheduleHeartbeat: (group, member) => this.scheduleHeartbeatExpiry(group, member),
    };
    this.offsets = new OffsetMetadataManager(config, groupManager, membership, deps);
  }

  /** Loads every group from __consumer_offsets; until then every request is answered COORDINATOR_NOT_AVAILABLE or LOAD_IN_PROGRESS. */
  async startup(): Promise<void> {
    await this.groupManager.startup((g) => this.onGroupLoaded(g));
  }

  /** Cancels every timer; whoever still waits in a join or sync is told NOT_COORDINATOR. */
  /** A topic was deleted: the groups' offsets for it go too. */
  onTopicDeleted(topic: string): void {
    this.offsets.onTopicDeleted(topic);
  }

  shutdown(): void {
    this.groupManager.shutdown();
    for (const group of this.groupManager.currentGroups()) {
      this.clearJoinTimer(group);
      group.syncTimer?.cancel();
      for (const id of [...group.pendingMembers.keys()]) group.removePendingMember(id);
      for (const m of group.members.values()) {
        m.sessionTimer?.cancel();
        group.maybeInvokeJoinCallback(m, joinError(m.memberId, ErrorCode.NOT_COORDINATOR));
        group.maybeInvokeSyncCallback(m, syncError(ErrorCode.NOT_COORDINATOR));
      }
    }
  }

  partitionFor(groupId: string): number {
    return this.groupManager.partitionFor(groupId);
  }

  /** Creates __consumer_offsets if it does not exist yet (FindCoordinator's first lookup of a group). */
  ensureOffsetsTopic(): void {
    this.groupManager.ensureOffsetsTopic();
  }

  // ---- JoinGroup -----------------------------------------------------------------------------

  handleJoinGroup(p: JoinGroupParams): Promise<JoinGroupResult> {
    const status = this.validateGroupStatus(p.groupId, false);
    if (status !== null) return Promise.resolve(joinError(p.memberId, status));
    if (p.sessionTimeoutMs < this.config.groupMinSessionTimeoutMs || p.sessionTimeoutMs > this.config.groupMaxSessionTimeoutMs) {
      return Promise.resolve(joinError(p.memberId, ErrorCode.INVALID_SESSION_TIMEOUT));
    }
    const isUnknownMember = p.memberId === '';
    // A group is created by a member joining without an id; a known id in an unknown group is refused.
    const group = this.groupManager.getOrMaybeCreateGroup(p.groupId, isUnknownMember);
    if (!group) return Promise.resolve(joinError(p.memberId, ErrorCode.UNKNOWN_MEMBER_ID));

    return new Promise<JoinGroupResult>((respond) => {
      if (!this.acceptJoiningMember(group, p.memberId)) {
        group.remove(p.memberId);
        respond(joinError('', ErrorCode.GROUP_MAX_SIZE_REACHED));
      } else if (isUnknownMember) {
        this.doNewMemberJoinGroup(group, p, respond);
      } else {
        this.doCurrentMemberJoinGroup(group, p, respond);
      }
      if (group.is(GroupState.PreparingRebalance)) this.tryCompleteJoin(group);
    });
  }

  /** group.max.size: new members are accepted while there is room; members already waiting always are. */
  private acceptJoiningMember(group: GroupMetadata, memberId: string): boolean {
    switch (group.state) {
      case GroupState.Empty:
      case GroupState.Dead:
        return true;
      case GroupState.PreparingRebalance:
        return (group.has(memberId) && group.get(memberId).isAwaitingJoin) || group.numAwaitingJoin < this.config.groupMaxSize;
      case GroupState.CompletingRebalance:
      case GroupState.Stable:
        return group.has(memberId) || group.size < this.config.groupMaxSize;
    }
  }

  private doNewMemberJoinGroup(group: GroupMetadata, p: JoinGroupParams, respond: (r: JoinGroupResult) => void): void {
    if (group.is(GroupState.Dead)) return respond(joinError('', ErrorCode.COORDINATOR_NOT_AVAILABLE));
    if (!group.supportsProtocols(p.protocolType, p.protocols)) return respond(joinError('', ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
    const newMemberId = GroupMetadata.generateMemberId(p.clientId, p.groupInstanceId);
    if (p.groupInstanceId !== null) {
      const oldMemberId = group.currentStaticMemberId(p.groupInstanceId);
      if (oldMemberId !== undefined) return this.updateStaticMemberAndRebalance(group, oldMemberId, newMemberId, p, respond);
      this.logger.info(`Static member ${p.groupInstanceId} joins group ${group.groupId} in ${group.state} state as ${newMemberId}`);
      return this.addMemberAndRebalance(group, newMemberId, p, respond);
    }
    if (p.requireKnownMemberId) {
      // KIP-394: hand out the id first, so a client that times out and retries does not leave
      // defunct members behind; the id is forgotten if it does not come back within the session.
      const timer = this.deps.clock.setTimeout(() => {
        if (group.removePendingMember(newMemberId)) {
          this.logger.info(`Pending member ${newMemberId} in group ${group.groupId} has been removed after session timeout expiration`);
          if (group.is(GroupState.PreparingRebalance)) this.tryCompleteJoin(group);
        }
      }, p.sessionTimeoutMs);
      group.addPendingMember(newMemberId, timer.unref());
      return respond(joinError(newMemberId, ErrorCode.MEMBER_ID_REQUIRED));
    }
    this.addMemberAndRebalance(group, newMemberId, p, respond);
  }

  private doCurrentMemberJoinGroup(group: GroupMetadata, p: JoinGroupParams, respond: (r: JoinGroupResult) => void): void {
    const memberId = p.memberId;
    if (group.is(GroupState.Dead)) return respond(joinError(memberId, ErrorCode.COORDINATOR_NOT_AVAILABLE));
    if (!group.supportsProtocols(p.protocolType, p.protocols)) return respond(joinError(memberId, ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
    if (group.isPendingMember(memberId)) {
      // A pending id was handed to a dynamic member; a static member never gets one.
      if (p.groupInstanceId !== null) return respond(joinError(memberId, ErrorCode.UNKNOWN_MEMBER_ID));
      return this.addMemberAndRebalance(group, memberId, p, respond);
    }
    const error = this.validateCurrentMember(group, memberId, p.groupInstanceId);
    if (error !== null) return respond(joinError(memberId, error));
    const member = group.get(memberId);
    switch (group.state) {
      case GroupState.PreparingRebalance:
        return this.updateMemberAndRebalance(group, member, p, `member ${memberId} rejoined`, respond);
      case GroupState.CompletingRebalance:
        // The same metadata again (its join answer was lost): answer with the current generation.
        if (member.matches(p.protocols)) return respond(this.currentGenerationResult(group, memberId, group.isLeader(memberId)));
        return this.updateMemberAndRebalance(group, member, p, `member ${memberId} changed its metadata`, respond);
      case GroupState.Stable:
        // The leader's JoinGroup always rebalances: it may have seen a change the metadata does not
        // show (a topic's partition count). A follower with unchanged metadata just gets the generation.
        if (group.isLeader(memberId)) return this.updateMemberAndRebalance(group, member, p, `leader ${memberId} rejoined`, respond);
        if (!member.matches(p.protocols)) return this.updateMemberAndRebalance(group, member, p, `member ${memberId} changed its metadata`, respond);
        return respond(this.currentGenerationResult(group, memberId, false));
      case GroupState.Empty:
      case GroupState.Dead:
        return respond(joinError(memberId, ErrorCode.UNKNOWN_MEMBER_ID));
    }
  }

  private currentGenerationResult(group: GroupMetadata, memberId: string, withMembers: boolean): JoinGroupResult {
    return {
      errorCode: ErrorCode.NONE,
      memberId,
      generationId: group.generationId,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      leaderId: group.leaderId ?? '',
      skipAssignment: false,
      members: withMembers ? group.currentMemberMetadata() : [],
    };
  }

  private addMemberAndRebalance(group: GroupMetadata, memberId: string, p: JoinGroupParams, respond: (r: JoinGroupResult) => void): void {
    const member = new MemberMetadata(
      memberId,
      p.groupInstanceId,
      p.clientId,
      p.clientHost,
      p.rebalanceTimeoutMs,
      p.sessionTimeoutMs,
      p.protocolType,
      p.protocols,
    );
    member.isNew = true;
    // KIP-134: members still arriving in a brand-new group's initial delay extend it.
    if (group.is(GroupState.PreparingRebalance) && group.generationId === 0) group.newMemberAdded = true;
    group.add(member, respond);
    // A new member cannot heartbeat before its first answer, and a client that gives up on a long
    // rebalance retries with a fresh join: the new-member timeout bounds how long such a one lingers.
    this.scheduleHeartbeatExpiry(group, member, NEW_MEMBER_JOIN_TIMEOUT_MS);
    this.maybePrepareRebalance(
      group,
      `adding new member ${memberId}${p.groupInstanceId !== null ? ` (instance ${p.groupInstanceId})` : ''}${reasonSuffix(p.reason)}`,
    );
  }

  private updateMemberAndRebalance(
    group: GroupMetadata,
    member: MemberMetadata,
    p: JoinGroupParams,
    reason: string,
    respond: (r: JoinGroupResult) => void,
  ): void {
    group.updateMember(member, p.protocols, p.rebalanceTimeoutMs, p.sessionTimeoutMs, respond);
    this.maybePrepareRebalance(group, reason + reasonSuffix(p.reason));
  }

  /**
   * KIP-345: a known instance id rejoins without its member id (a restarted static member). It takes
   * over the old member's place under a new id; in a Stable group whose protocol stays the same there
   * is no rebalance — the group is persisted with the new id and the member gets the current
   * generation back.
   */
  private updateStaticMemberAndRebalance(
    group: GroupMetadata,
    oldMemberId: string,
    newMemberId: string,
    p: JoinGroupParams,
    respond: (r: JoinGroupResult) => void,
  ): void {
    const instanceId = p.groupInstanceId as string;
    this.logger.info(
      `Static member ${instanceId} of group ${group.groupId} rejoins in ${group.state} state; member ${oldMemberId} is replaced by ${newMemberId}`,
    );
    const currentLeader = group.leaderId;
    const member = group.replaceStaticMember(instanceId, oldMemberId, newMemberId);
    this.scheduleHeartbeatExpiry(group, member);
    const old = { protocols: member.supportedProtocols, rebalanceTimeoutMs: member.rebalanceTimeoutMs, sessionTimeoutMs: member.sessionTimeoutMs };
    group.updateMember(member, p.protocols, p.rebalanceTimeoutMs, p.sessionTimeoutMs, respond);

    switch (group.state) {
      case GroupState.Stable: {
        if (group.protocolName !== group.selectProtocol()) {
          return this.maybePrepareRebalance(group, `static member ${instanceId} rejoined with a change of protocol`);
        }
        const assignment = new Map([...group.members.values()].map((m) => [m.memberId, m.assignment]));
        const error = this.groupManager.storeGroup(group, assignment);
        if (error !== ErrorCode.NONE) {
          // Could not persist the new member id: put the old one back.
          group.updateMember(member, old.protocols, old.rebalanceTimeoutMs, old.sessionTimeoutMs, null);
          const restored = group.replaceStaticMember(instanceId, newMemberId, oldMemberId);
          this.scheduleHeartbeatExpiry(group, restored);
          return respond({ ...this.currentGenerationResult(group, '', false), errorCode: error, leaderId: currentLeader ?? '' });
        }
        if (p.supportSkippingAssignment) {
          // KIP-814: the leader learns it leads (so it keeps watching metadata) but must not reassign.
          const isLeader = group.isLeader(newMemberId);
          group.maybeInvokeJoinCallback(member, { ...this.currentGenerationResult(group, newMemberId, isLeader), skipAssignment: isLeader });
        } else {
          // Before v9, the old leader id is returned so that a rejoining leader does not assign: a
          // Stable group would ignore the assignment anyway.
          group.maybeInvokeJoinCallback(member, { ...this.currentGenerationResult(group, newMemberId, false), leaderId: currentLeader ?? '' });
        }
        return;
      }
      case GroupState.CompletingRebalance:
        // The leader may be assigning to the old member id: start over so the new id gets its share.
        return this.prepareRebalance(group, `static member ${instanceId} rejoined during CompletingRebalance`);
      case GroupState.PreparingRebalance:
        return; // it waits for the join to complete like everyone else
      case GroupState.Empty:
      case GroupState.Dead:
        group.maybeInvokeJoinCallback(member, joinError(newMemberId, ErrorCode.UNKNOWN_SERVER_ERROR));
        this.logger.error(`Group ${group.groupId} in state ${group.state} had static member ${instanceId}`);
    }
  }

  private maybePrepareRebalance(group: GroupMetadata, reason: string): void {
    if (group.canRebalance) this.prepareRebalance(group, reason);
  }

  private prepareRebalance(group: GroupMetadata, reason: string): void {
    // Members waiting for their assignment must rejoin instead.
    if (group.is(GroupState.CompletingRebalance)) this.resetAndPropagateAssignmentError(group, ErrorCode.REBALANCE_IN_PROGRESS);
    this.removeSyncExpiration(group);
    const fromEmpty = group.is(GroupState.Empty);
    group.transitionTo(GroupState.PreparingRebalance, this.deps.clock.now());
    this.logger.info(`Preparing to rebalance group ${group.groupId} with old generation ${group.generationId} (reason: ${reason})`);
    this.clearJoinTimer(group);
    if (fromEmpty) {
      const delay = this.config.groupInitialRebalanceDelayMs;
      this.scheduleInitialDelayedJoin(group, delay, Math.max(group.rebalanceTimeoutMs - delay, 0));
    } else {
      this.scheduleDelayedJoin(group);
      this.tryCompleteJoin(group);
    }
  }

  /** KIP-134: wait `delayMs`; if members kept arriving, wait again, up to the rebalance timeout in all. */
  private scheduleInitialDelayedJoin(group: GroupMetadata, delayMs: number, remainingMs: number): void {
    const timer = this.deps.clock.setTimeout(() => {
      group.joinTimer = undefined;
      if (group.newMemberAdded && remainingMs !== 0) {
        group.newMemberAdded = false;
        const nextDelay = Math.min(this.config.groupInitialRebalanceDelayMs, remainingMs);
        this.scheduleInitialDelayedJoin(group, nextDelay, Math.max(remainingMs - delayMs, 0));
      } else {
        this.onCompleteJoin(group);
      }
    }, delayMs);
    group.joinTimer = { kind: 'initial', timer: timer.unref() };
  }

  /** The rebalance timeout: members that have not rejoined by then are dropped. */
  private scheduleDelayedJoin(group: GroupMetadata): void {
    const timer = this.deps.clock.setTimeout(() => {
      group.joinTimer = undefined;
      this.onCompleteJoin(group);
    }, group.rebalanceTimeoutMs);
    group.joinTimer = { kind: 'rebalance', timer: timer.unref() };
  }

  private clearJoinTimer(group: GroupMetadata): void {
    group.joinTimer?.timer.cancel();
    group.joinTimer = undefined;
  }

  /** Completes the join early once every member has rejoined (never during the initial delay). */
  private tryCompleteJoin(group: GroupMetadata): void {
    if (group.is(GroupState.PreparingRebalance) && group.joinTimer?.kind === 'rebalance' && group.hasAllMembersJoined) {
      this.onCompleteJoin(group);
    }
  }

  private onCompleteJoin(group: GroupMetadata): void {
    this.clearJoinTimer(group);
    if (!group.is(GroupState.PreparingRebalance)) return;
    // Dynamic members that did not rejoin are gone; static ones keep their place (KIP-345).
    const notRejoined = [...group.members.values()].filter((m) => !m.isAwaitingJoin && !m.isStaticMember);
    if (notRejoined.length > 0) {
      this.logger.info(`Group ${group.groupId} removed dynamic members who have not rejoined: ${notRejoined.map((m) => m.memberId).join(', ')}`);
      for (const m of notRejoined) group.remove(m.memberId);
    }
    if (!group.maybeElectNewJoinedLeader() && group.size > 0) {
      // Only static members that have not rejoined are left: wait for them (or for their sessions to end).
      this.logger.warn(`Group ${group.groupId} could not complete rebalance because no members rejoined`);
      this.scheduleDelayedJoin(group);
      return;
    }
    group.initNextGeneration(this.deps.clock.now());
    if (group.is(GroupState.Empty)) {
      this.logger.info(`Group ${group.groupId} with generation ${group.generationId} is now empty`);
      const error = this.groupManager.storeGroup(group, new Map());
      if (error !== ErrorCode.NONE) this.logger.warn(`Failed to write empty metadata for group ${group.groupId}: error ${error}`);
      return;
    }
    this.logger.info(`Stabilized group ${group.groupId} generation ${group.generationId} with ${group.size} members (protocol ${group.protocolName})`);
    for (const member of [...group.members.values()]) {
      group.maybeInvokeJoinCallback(member, this.currentGenerationResult(group, member.memberId, group.isLeader(member.memberId)));
      this.scheduleHeartbeatExpiry(group, member);
      member.isNew = false;
      group.pendingSyncMembers.add(member.memberId);
    }
    this.schedulePendingSync(group);
  }

  // ---- SyncGroup -----------------------------------------------------------------------------

  handleSyncGroup(p: SyncGroupParams): Promise<SyncGroupResult> {
    const status = this.validateGroupStatus(p.groupId, false);
    // A coordinator still loading has lost the rebalance in progress: the member must rejoin.
    if (status === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) return Promise.resolve(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
    if (status !== null) return Promise.resolve(syncError(status));
    const group = this.groupManager.getGroup(p.groupId);
    if (!group) return Promise.resolve(syncError(ErrorCode.UNKNOWN_MEMBER_ID));

    const error = this.validateSyncGroup(group, p);
    if (error !== null) return Promise.resolve(syncError(error));
    switch (group.state) {
      case GroupState.Empty:
        return Promise.resolve(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
      case GroupState.PreparingRebalance:
        return Promise.resolve(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
      case GroupState.Stable: {
        this.removePendingSyncMember(group, p.memberId);
        const member = group.get(p.memberId);
        this.scheduleHeartbeatExpiry(group, member);
        return Promise.resolve({
          errorCode: ErrorCode.NONE,
          protocolType: group.protocolType,
          protocolName: group.protocolName,
          assignment: member.assignment,
        });
      }
      case GroupState.Dead:
        return Promise.resolve(syncError(ErrorCode.COORDINATOR_NOT_AVAILABLE));
      case GroupState.CompletingRebalance:
        break;
    }
    return new Promise<SyncGroupResult>((respond) => {
      const member = group.get(p.memberId);
      group.maybeInvokeSyncCallback(member, syncError(ErrorCode.REBALANCE_IN_PROGRESS)); // superseded
      member.awaitingSync = respond;
      this.removePendingSyncMember(group, p.memberId);
      if (!group.isLeader(p.memberId)) return; // followers wait for the leader's assignment
      this.logger.info(`Assignment received from leader ${p.memberId} for group ${group.groupId} for generation ${group.generationId}`);
      const assignment = new Map(p.assignments.map((a) => [a.memberId, a.assignment]));
      for (const id of group.members.keys()) if (!assignment.has(id)) assignment.set(id, EMPTY);
      const generationId = group.generationId;
      const stored = this.groupManager.storeGroup(group, assignment);
      if (!group.is(GroupState.CompletingRebalance) || group.generationId !== generationId) return;
      if (stored !== ErrorCode.NONE) {
        this.resetAndPropagateAssignmentError(group, stored);
        this.maybePrepareRebalance(group, `error ${stored} storing the assignment of generation ${generationId}`);
      } else {
        this.setAndPropagateAssignment(group, assignment);
        group.transitionTo(GroupState.Stable, this.deps.clock.now());
      }
    });
  }

  private validateSyncGroup(group: GroupMetadata, p: SyncGroupParams): number | null {
    if (group.is(GroupState.Dead)) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    const error = this.validateCurrentMember(group, p.memberId, p.groupInstanceId);
    if (error !== null) return error;
    if (p.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    if (p.protocolType !== null && p.protocolType !== group.protocolType) return ErrorCode.INCONSISTENT_GROUP_PROTOCOL;
    if (p.protocolName !== null && p.protocolName !== group.protocolName) return ErrorCode.INCONSISTENT_GROUP_PROTOCOL;
    return null;
  }

  private setAndPropagateAssignment(group: GroupMetadata, assignment: ReadonlyMap<string, Buffer>): void {
    for (const m of group.members.values()) m.assignment = assignment.get(m.memberId) ?? EMPTY;
    this.propagateAssignment(group, ErrorCode.NONE);
  }

  private resetAndPropagateAssignmentError(group: GroupMetadata, errorCode: number): void {
    for (const m of group.members.values()) m.assignment = EMPTY;
    this.propagateAssignment(group, errorCode);
  }

  private propagateAssignment(group: GroupMetadata, errorCode: number): void {
    const ok = errorCode === ErrorCode.NONE;
    for (const m of group.members.values()) {
      const answered = group.maybeInvokeSyncCallback(m, {
        errorCode,
        protocolType: ok ? group.protocolType : null,
        protocolName: ok ? group.protocolName : null,
        assignment: m.assignment,
      });
      // Sessions that ran out while the member waited did not count; start them afresh.
      if (answered) this.scheduleHeartbeatExpiry(group, m);
    }
  }

  /** After a join completes, every member has the rebalance timeout to send SyncGroup. */
  private schedulePendingSync(group: GroupMetadata): void {
    group.syncTimer?.cancel();
    const generationId = group.generationId;
    group.syncTimer = this.deps.clock.setTimeout(() => this.onExpirePendingSync(group, generationId), group.rebalanceTimeoutMs).unref();
  }

  private removePendingSyncMember(group: GroupMetadata, memberId: string): void {
    group.pendingSyncMembers.delete(memberId);
    if (group.hasReceivedSyncFromAllMembers) {
      group.syncTimer?.cancel();
      group.syncTimer = undefined;
    }
  }

  private removeSyncExpiration(group: GroupMetadata): void {
    group.pendingSyncMembers.clear();
    group.syncTimer?.cancel();
    group.syncTimer = undefined;
  }

  private onExpirePendingSync(group: GroupMetadata, generationId: number): void {
    group.syncTimer = undefined;
    if (generationId !== group.generationId) return;
    if (!group.is(GroupState.CompletingRebalance) && !group.is(GroupState.Stable)) return;
    if (group.hasReceivedSyncFromAllMembers) return;
    const late = [...group.pendingSyncMembers];
    for (const id of late) group.remove(id);
    this.prepareRebalance(group, `removing ${late.join(', ')} on pending sync request expiration`);
  }

  // ---- Heartbeat and LeaveGroup --------------------------------------------------------------

  handleHeartbeat(p: HeartbeatParams): number {
    const status = this.validateGroupStatus(p.groupId, false);
    if (status === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) return ErrorCode.NONE; // the group is still loading: answer blindly
    if (status !== null) return status;
    const group = this.groupManager.getGroup(p.groupId);
    if (!group) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (group.is(GroupState.Dead)) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    const error = this.validateCurrentMember(group, p.memberId, p.groupInstanceId);
    if (error !== null) return error;
    if (p.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    switch (group.state) {
      case GroupState.Empty:
      case GroupState.Dead:
        return ErrorCode.UNKNOWN_MEMBER_ID;
      case GroupState.PreparingRebalance:
        this.scheduleHeartbeatExpiry(group, group.get(p.memberId));
        return ErrorCode.REBALANCE_IN_PROGRESS;
      case GroupState.CompletingRebalance: // members may heartbeat between their join and sync answers
      case GroupState.Stable:
        this.scheduleHeartbeatExpiry(group, group.get(p.memberId));
        return ErrorCode.NONE;
    }
  }

  handleLeaveGroup(groupId: string, leaving: LeavingMember[]): LeaveGroupResult {
    const status = this.validateGroupStatus(groupId, false);
    if (status !== null) return { errorCode: status, members: [] };
    const answer = (m: LeavingMember, errorCode: number) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode });
    const group = this.groupManager.getGroup(groupId);
    if (!group) return { errorCode: ErrorCode.NONE, members: leaving.map((m) => answer(m, ErrorCode.UNKNOWN_MEMBER_ID)) };
    if (group.is(GroupState.Dead)) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, members: [] };
    const members = leaving.map((m) => {
      const why = `LeaveGroup${reasonSuffix(m.reason)}`;
      if (m.memberId === '') {
        // An admin removing a static member by its instance id.
        const current = m.groupInstanceId !== null ? group.currentStaticMemberId(m.groupInstanceId) : undefined;
        if (current === undefined) return answer(m, ErrorCode.UNKNOWN_MEMBER_ID);
        this.removeMemberAndUpdateGroup(group, group.get(current), why);
        return answer(m, ErrorCode.NONE);
      }
      if (group.removePendingMember(m.memberId)) {
        if (group.is(GroupState.PreparingRebalance)) this.tryCompleteJoin(group);
        return answer(m, ErrorCode.NONE);
      }
      const error = this.validateCurrentMember(group, m.memberId, m.groupInstanceId);
      if (error !== null) return answer(m, error);
      this.removeMemberAndUpdateGroup(group, group.get(m.memberId), why);
      return answer(m, ErrorCode.NONE);
    });
    return { errorCode: ErrorCode.NONE, members };
  }

  private removeMemberAndUpdateGroup(group: GroupMetadata, member: MemberMetadata, reason: string): void {
    this.logger.info(`Member ${member.memberId} left group ${group.groupId} (${reason})`);
    // A new member may be removed while its JoinGroup waits: it is told to start over.
    group.maybeInvokeJoinCallback(member, joinError('', ErrorCode.UNKNOWN_MEMBER_ID));
    group.maybeInvokeSyncCallback(member, syncError(ErrorCode.UNKNOWN_MEMBER_ID));
    group.remove(member.memberId);
    switch (group.state) {
      case GroupState.Stable:
      case GroupState.CompletingRebalance:
        return this.maybePrepareRebalance(group, `removing member ${member.memberId} on ${reason}`);
      case GroupState.PreparingRebalance:
        return this.tryCompleteJoin(group);
      case GroupState.Empty:
      case GroupState.Dead:
        return;
    }
  }

  /** (Re)starts a member's session timer; when it runs out, the member is removed. */
  private scheduleHeartbeatExpiry(group: GroupMetadata, member: MemberMetadata, timeoutMs = member.sessionTimeoutMs): void {
    member.sessionTimer?.cancel();
    member.sessionTimer = this.deps.clock
      .setTimeout(() => {
        member.sessionTimer = undefined;
        if (group.is(GroupState.Dead) || group.members.get(member.memberId) !== member) return;
        // Waiting in a join or sync counts as alive; the answer restarts the timer.
        if (member.hasSatisfiedHeartbeat) return;
        this.removeMemberAndUpdateGroup(group, member, `session timeout of ${timeoutMs} ms expired`);
      }, timeoutMs)
      .unref();
  }

  private onGroupLoaded(group: GroupMetadata): void {
    // Members come back from the log and must heartbeat within their session, as after a failover.
    if (group.size > this.config.groupMaxSize) {
      this.prepareRebalance(group, `freshly-loaded group is over capacity (${this.config.groupMaxSize})`);
    }
    for (const m of group.members.values()) this.scheduleHeartbeatExpiry(group, m);
  }

  // ---- offsets: the OffsetMetadataManager's ----------------------------------------------------

  /** OffsetCommit: an error per partition. The commit is written to the log before this returns. */
  handleCommitOffsets(p: OffsetCommitParams): PartitionResult[] {
    return this.offsets.handleCommitOffsets(p);
  }

  /** TxnOffsetCommit, once `verifyTransaction` agrees the group's partition is in the transaction. */
  handleTxnCommitOffsets(p: TxnOffsetCommitParams, verifyTransaction: (offsetsPartition: number) => number): PartitionResult[] {
    return this.offsets.handleTxnCommitOffsets(p, verifyTransaction);
  }

  /** A transaction's marker reached `__consumer_offsets-<offsetsPartition>`. */
  onTransactionCompleted(offsetsPartition: number, producerId: bigint, commit: boolean): void {
    this.offsets.onTransactionCompleted(offsetsPartition, producerId, commit);
  }

  /** OffsetFetch for one group: `partitions` null asks for every partition it has committed. */
  handleFetchOffsets(groupId: string, partitions: TopicPartition[] | null, requireStable: boolean): { errorCode: number; offsets: FetchedOffset[] } {
    return this.offsets.handleFetchOffsets(groupId, partitions, requireStable);
  }

  /** OffsetDelete (KIP-496). */
  handleDeleteOffsets(groupId: string, partitions: TopicPartition[]): { errorCode: number; partitions: PartitionResult[] } {
    return this.offsets.handleDeleteOffsets(groupId, partitions);
  }

  // ---- DescribeGroups, ListGroups, DeleteGroups ----------------------------------------------

  /** A group's summary; `summary` null when there is no such group. */
  handleDescribeGroup(groupId: string): { errorCode: number; summary: GroupSummary | null } {
    const status = this.validateGroupStatus(groupId, true);
    if (status !== null) return { errorCode: status, summary: { groupId, state: '', protocolType: '', protocol: '', members: [] } };
    const group = this.groupManager.getGroup(groupId);
    if (!group) return { errorCode: ErrorCode.NONE, summary: null };
    const stable = group.is(GroupState.Stable) && group.protocolName !== null;
    const protocol = stable ? (group.protocolName as string) : '';
    return {
      errorCode: ErrorCode.NONE,
      summary: {
        groupId,
        state: group.state,
        protocolType: group.protocolType ?? '',
        protocol,
        // Metadata and assignments are shown only while Stable, as Kafka does.
        members: [...group.members.values()].map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          metadata: stable ? m.metadata(protocol) : EMPTY,
          assignment: stable ? m.assignment : EMPTY,
        })),
      },
    };
  }

  /** Every group, optionally only those in `states` (case-insensitive) and of `types` ("classic"). */
  handleListGroups(states: string[], types: string[]): { errorCode: number; groups: GroupOverview[] } {
    if (!this.groupManager.isActive) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, groups: [] };
    const errorCode = this.groupManager.isLoading ? ErrorCode.COORDINATOR_LOAD_IN_PROGRESS : ErrorCode.NONE;
    const wanted = new Set(states.map((s) => s.toLowerCase()));
    if (types.length > 0 && !types.some((t) => t.toLowerCase() === CLASSIC_GROUP_TYPE)) return { errorCode, groups: [] };
    const groups = this.groupManager
      .currentGroups()
      .filter((g) => wanted.size === 0 || wanted.has(g.state.toLowerCase()))
      .map((g) => ({ groupId: g.groupId, protocolType: g.protocolType ?? '', state: g.state }));
    return { errorCode, groups };
  }

  /** DeleteGroups: an Empty group goes with all its offsets; one with members is NON_EMPTY_GROUP. */
  handleDeleteGroups(groupIds: string[]): Array<{ groupId: string; errorCode: number }> {
    const results = new Map<string, number>();
    const eligible: GroupMetadata[] = [];
    for (const groupId of groupIds) {
      const status = this.validateGroupStatus(groupId, true);
      if (status !== null) {
        results.set(groupId, status);
        continue;
      }
      const group = this.groupManager.getGroup(groupId);
      if (!group || group.is(GroupState.Dead)) results.set(groupId, ErrorCode.GROUP_ID_NOT_FOUND);
      else if (group.is(GroupState.Empty)) {
        group.transitionTo(GroupState.Dead, this.deps.clock.now());
        eligible.push(group);
        results.set(groupId, ErrorCode.NONE);
      } else results.set(groupId, ErrorCode.NON_EMPTY_GROUP);
    }
    if (eligible.length > 0) {
      const removed = this.groupManager.cleanupGroupMetadata(eligible, (g) => this.offsets.deleteAllOffsets(g));
      this.logger.info(`Deleted group(s) ${eligible.map((g) => g.groupId).join(', ')} and ${removed} offset(s)`);
    }
    return groupIds.map((groupId) => ({ groupId, errorCode: results.get(groupId) as number }));
  }

  /** Runs the offset expiry now (the manager also runs it every offsets.retention.check.interval.ms). */
  cleanupExpiredOffsets(now?: number): number {
    return this.offsets.cleanupExpiredOffsets(now);
  }

  // ---- checks shared by the handlers ---------------------------------------------------------

  /**
   * The group id is valid (an empty one is allowed only by the offset APIs, DescribeGroups and
   * DeleteGroups, as in Kafka), the coordinator is running, and the group's partition is loaded.
   */
  private validateGroupStatus(groupId: string, allowEmpty: boolean): number | null {
    if (groupId === null || (!allowEmpty && groupId === '')) return ErrorCode.INVALID_GROUP_ID;
    if (!this.groupManager.isActive) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (this.groupManager.isGroupLoading(groupId)) return ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
    return null;
  }

  /** A static member's instance id must map to this member id; the member id must be in the group. */
  private validateCurrentMember(group: GroupMetadata, memberId: string, groupInstanceId: string | null): number | null {
    if (groupInstanceId !== null) {
      const current = group.currentStaticMemberId(groupInstanceId);
      if (current === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
      if (current !== memberId) {
        this.logger.info(`Member ${memberId} with instance id ${groupInstanceId} of group ${group.groupId} is fenced by ${current}`);
        return ErrorCode.FENCED_INSTANCE_ID;
      }
    }
    return group.has(memberId) ? null : ErrorCode.UNKNOWN_MEMBER_ID;
  }
}

function reasonSuffix(reason: string | null | undefined): string {
  return reason ? `; client reason: ${reason}` : '';
}
