/**
 * GroupMetadata and MemberMetadata: one classic group's members, generation, chosen protocol,
 * leader, static instance ids, pending joins and syncs, and committed offsets — Kafka's classes of
 * those names. Pure state and bookkeeping; the protocol decisions and the timers are the
 * GroupCoordinator's, persistence is the GroupMetadataManager's.
 */
import { randomUUID } from 'node:crypto';
import { ErrorCode } from '../../protocol/errors.js';
import type { TopicPartition } from '../../protocol/topic-partition.js';
import type { TimerHandle } from '../clock.js';
import { checkTransition, GroupState } from './group-state.js';
import { consumerSubscriptionTopics } from './offsets-records.js';

export const CONSUMER_PROTOCOL_TYPE = 'consumer';
const EMPTY = Buffer.alloc(0);

export interface Protocol {
  name: string;
  metadata: Buffer;
}

/** What a JoinGroup is answered with (the handler maps it onto the response of its version). */
export interface JoinGroupResult {
  errorCode: number;
  memberId: string;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leaderId: string;
  /** KIP-814 (JoinGroup v9+): the static leader rejoined a stable group and must not reassign. */
  skipAssignment: boolean;
  /** Filled for the leader only. */
  members: Array<{ memberId: string; groupInstanceId: string | null; metadata: Buffer }>;
}

export interface SyncGroupResult {
  errorCode: number;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Buffer;
}

export function joinError(memberId: string, errorCode: number): JoinGroupResult {
  return { errorCode, memberId, generationId: -1, protocolType: null, protocolName: null, leaderId: '', skipAssignment: false, members: [] };
}

export function syncError(errorCode: number): SyncGroupResult {
  return { errorCode, protocolType: null, protocolName: null, assignment: EMPTY };
}

/** A committed offset as the coordinator keeps it. */
export interface OffsetAndMetadata {
  offset: bigint;
  /** -1 when unknown. */
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: number;
  /** From OffsetCommit v1-4's retention: the offset expires then, whatever the group does. */
  expireTimestamp: number | null;
}

export interface CommittedOffset extends OffsetAndMetadata {
  /**
   * Offset of the record in __consumer_offsets that carried it, so that a transactional commit
   * made visible later never replaces a newer plain commit (Kafka compares the same).
   */
  recordOffset: number;
}

export class MemberMetadata {
  assignment: Buffer = EMPTY;
  /** Resolves this member's pending JoinGroup. */
  awaitingJoin: ((result: JoinGroupResult) => void) | null = null;
  /** Resolves this member's pending SyncGroup. */
  awaitingSync: ((result: SyncGroupResult) => void) | null = null;
  /** Joined in the rebalance under way and has not yet been answered (KIP-394's new-member timeout). */
  isNew = false;
  /** The session (or new-member) timer; the coordinator owns it. */
  sessionTimer: TimerHandle | undefined;

  constructor(
    public memberId: string,
    readonly groupInstanceId: string | null,
    readonly clientId: string,
    readonly clientHost: string,
    public rebalanceTimeoutMs: number,
    public sessionTimeoutMs: number,
    readonly protocolType: string,
    public supportedProtocols: Protocol[],
  ) {}

  get isStaticMember(): boolean {
    return this.groupInstanceId !== null;
  }

  get isAwaitingJoin(): boolean {
    return this.awaitingJoin !== null;
  }

  get isAwaitingSync(): boolean {
    return this.awaitingSync !== null;
  }

  /** Kafka's rule: a member waiting in a join or sync cannot heartbeat, so its session does not run out then. */
  get hasSatisfiedHeartbeat(): boolean {
    return !this.isNew && (this.isAwaitingJoin || this.isAwaitingSync);
  }

  /** This member's metadata for `protocol`. */
  metadata(protocol: string): Buffer {
    const p = this.supportedProtocols.find((x) => x.name === protocol);
    if (!p) throw new Error(`member ${this.memberId} does not support protocol ${protocol}`);
    return p.metadata;
  }

  /** Same protocols, in the same order, with the same metadata. */
  matches(protocols: Protocol[]): boolean {
    if (protocols.length !== this.supportedProtocols.length) return false;
    return protocols.every((p, i) => p.name === this.supportedProtocols[i].name && p.metadata.equals(this.supportedProtocols[i].metadata));
  }

  /** The member's most preferred protocol among `candidates`. */
  vote(candidates: Set<string>): string {
    const choice = this.supportedProtocols.find((p) => candidates.has(p.name));
    if (!choice) throw new Error(`member ${this.memberId} supports none of ${[...candidates].join(', ')}`);
    return choice.name;
  }
}

export class GroupMetadata {
  private stateValue: GroupState;
  /** Clock time of the last state change; offset expiry of an Empty group counts from it. */
  currentStateTimestamp: number | null;
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  /** Members in the order they joined (the first becomes leader when there is none). */
  readonly members = new Map<string, MemberMetadata>();
  /** group.instance.id → member id (KIP-345). */
  readonly staticMembers = new Map<string, string>();
  /** Member ids handed out with MEMBER_ID_REQUIRED, not yet joined with (KIP-394). */
  readonly pendingMembers = new Map<string, TimerHandle | undefined>();
  /** Members answered by the last join that have not sent SyncGroup yet. */
  readonly pendingSyncMembers = new Set<string>();
  /** A member joined a brand-new group during its initial delay, so the delay may be extended (KIP-134). */
  newMemberAdded = false;
  /** Topics of every member's subscription, for consumer groups whose subscriptions parse; else null. */
  subscribedTopics: Set<string> | null = null;
  /** The rebalance timer: an initial delay (KIP-134) or the wait for every member to rejoin. */
  joinTimer: { kind: 'initial' | 'rebalance'; timer: TimerHandle } | undefined;
  /** The wait for every member's SyncGroup after a join completes. */
  syncTimer: TimerHandle | undefined;

  /** Committed offsets: topic → partition → offset. */
  readonly offsets = new Map<string, Map<number, CommittedOffset>>();
  /**
   * Offsets committed inside a transaction, per producer id, not yet visible. The transaction's
   * COMMIT marker moves them into `offsets`; ABORT drops them (TxnOffsetCommit stages them; the
   * transaction coordinator's markers and loading complete them).
   */
  readonly pendingTransactionalOffsets = new Map<bigint, Map<string, Map<number, CommittedOffset>>>();

  constructor(
    readonly groupId: string,
    initialState: GroupState,
    now: number,
  ) {
    this.stateValue = initialState;
    this.currentStateTimestamp = now;
  }

  get state(): GroupState {
    return this.stateValue;
  }

  is(state: GroupState): boolean {
    return this.stateValue === state;
  }

  /** The one way states change; throws on a transition the state machine does not list. */
  transitionTo(state: GroupState, now: number): void {
    checkTransition(this.groupId, this.stateValue, state);
    this.stateValue = state;
    this.currentStateTimestamp = now;
  }

  get canRebalance(): boolean {
    return this.is(GroupState.Stable) || this.is(GroupState.CompletingRebalance) || this.is(GroupState.Empty);
  }

  // ---- members -------------------------------------------------------------------------------

  get size(): number {
    return this.members.size;
  }

  has(memberId: string): boolean {
    return this.members.has(memberId);
  }

  get(memberId: string): MemberMetadata {
    const m = this.members.get(memberId);
    if (!m) throw new Error(`group ${this.groupId} has no member ${memberId}`);
    return m;
  }

  isLeader(memberId: string): boolean {
    return this.leaderId === memberId;
  }

  static generateMemberId(clientId: string, groupInstanceId: string | null): string {
    return `${groupInstanceId ?? clientId}-${randomUUID()}`;
  }

  add(member: MemberMetadata, onJoin: ((r: JoinGroupResult) => void) | null = null): void {
    if (this.members.size === 0) this.protocolType = member.protocolType;
    if (member.groupInstanceId !== null) this.staticMembers.set(member.groupInstanceId, member.memberId);
    this.members.set(member.memberId, member);
    this.pendingMembers.delete(member.memberId);
    member.awaitingJoin = onJoin;
    if (this.leaderId === null) this.leaderId = member.memberId;
  }

  remove(memberId: string): void {
    const member = this.members.get(memberId);
    if (member) {
      this.members.delete(memberId);
      if (member.groupInstanceId !== null && this.staticMembers.get(member.groupInstanceId) === memberId) {
        this.staticMembers.delete(member.groupInstanceId);
      }
      member.sessionTimer?.cancel();
    }
    this.removePendingMember(memberId);
    this.pendingSyncMembers.delete(memberId);
    if (this.isLeader(memberId)) this.leaderId = this.members.keys().next().value ?? null;
  }

  isPendingMember(memberId: string): boolean {
    return this.pendingMembers.has(memberId);
  }

  addPendingMember(memberId: string, timer: TimerHandle | undefined): void {
    this.pendingMembers.set(memberId, timer);
  }

  removePendingMember(memberId: string): boolean {
    if (!this.pendingMembers.has(memberId)) return false;
    this.pendingMembers.get(memberId)?.cancel();
    this.pendingMembers.delete(memberId);
    return true;
  }

  currentStaticMemberId(groupInstanceId: string): string | undefined {
    return this.staticMembers.get(groupInstanceId);
  }

  /**
   * KIP-345: a known instance id came back with a new member id. The member keeps its place,
   * assignment and leadership under the new id; whoever still waits under the old id is fenced.
   */
  replaceStaticMember(groupInstanceId: string, oldMemberId: string, newMemberId: string): MemberMetadata {
    const member = this.get(oldMemberId);
    this.maybeInvokeJoinCallback(member, joinError(oldMemberId, ErrorCode.FENCED_INSTANCE_ID));
    this.maybeInvokeSyncCallback(member, syncError(ErrorCode.FENCED_INSTANCE_ID));
    this.members.delete(oldMemberId);
    member.memberId = newMemberId;
    this.members.set(newMemberId, member);
    if (this.isLeader(oldMemberId)) this.leaderId = newMemberId;
    if (this.pendingSyncMembers.delete(oldMemberId)) this.pendingSyncMembers.add(newMemberId);
    this.staticMembers.set(groupInstanceId, newMemberId);
    return member;
  }

  /** New protocols, timeouts and join callback for a member that (re)joins. */
  updateMember(
    member: MemberMetadata,
    protocols: Protocol[],
    rebalanceTimeoutMs: number,
    sessionTimeoutMs: number,
    onJoin: ((r: JoinGroupResult) => void) | null,
  ): void {
    member.supportedProtocols = protocols;
    member.rebalanceTimeoutMs = rebalanceTimeoutMs;
    member.sessionTimeoutMs = sessionTimeoutMs;
    // A join that is superseded by a newer one from the same member is answered, so that nothing
    // waits on it forever (Kafka drops the old callback; our connections answer in order).
    if (member.awaitingJoin && onJoin && member.awaitingJoin !== onJoin) {
      member.awaitingJoin(joinError(member.memberId, ErrorCode.REBALANCE_IN_PROGRESS));
    }
    member.awaitingJoin = onJoin;
  }

  maybeInvokeJoinCallback(member: MemberMetadata, result: JoinGroupResult): boolean {
    const cb = member.awaitingJoin;
    if (!cb) return false;
    member.awaitingJoin = null;
    cb(result);
    return true;
  }

  maybeInvokeSyncCallback(member: MemberMetadata, result: SyncGroupResult): boolean {
    const cb = member.awaitingSync;
    if (!cb) return false;
    member.awaitingSync = null;
    cb(result);
    return true;
  }

  get numAwaitingJoin(): number {
    let n = 0;
    for (const m of this.members.values()) if (m.isAwaitingJoin) n++;
    return n;
  }

  /** Every member rejoined and no MEMBER_ID_REQUIRED member is still expected. */
  get hasAllMembersJoined(): boolean {
    return this.numAwaitingJoin === this.members.size && this.pendingMembers.size === 0;
  }

  get hasReceivedSyncFromAllMembers(): boolean {
    return this.pendingSyncMembers.size === 0;
  }

  /** The longest rebalance timeout of any member: how long a rebalance may wait for them. */
  get rebalanceTimeoutMs(): number {
    let max = 0;
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return max;
  }

  /** If the leader has not rejoined, the first member that has takes over. False when none has. */
  maybeElectNewJoinedLeader(): boolean {
    if (this.leaderId === null) return false;
    if (this.get(this.leaderId).isAwaitingJoin) return true;
    for (const m of this.members.values()) {
      if (m.isAwaitingJoin) {
        this.leaderId = m.memberId;
        return true;
      }
    }
    return false;
  }

  // ---- protocols -----------------------------------------------------------------------------

  /**
   * Protocols every member supports. A name a member lists twice counts once: counting it twice
   * left a lone member with no candidate, and the completing join threw from a timer.
   */
  candidateProtocols(): Set<string> {
    const counts = new Map<string, number>();
    for (const m of this.members.values()) {
      for (const name of new Set(m.supportedProtocols.map((p) => p.name))) counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    return new Set([...counts].filter(([, n]) => n === this.members.size).map(([name]) => name));
  }

  /**
   * Kafka's choice: each member votes for its most preferred candidate and the most votes win;
   * a tie goes to the protocol the leader prefers.
   */
  selectProtocol(): string {
    const candidates = this.candidateProtocols();
    if (candidates.size === 0) throw new Error(`group ${this.groupId} has no protocol every member supports`);
    const votes = new Map<string, number>();
    for (const m of this.members.values()) {
      const v = m.vote(candidates);
      votes.set(v, (votes.get(v) ?? 0) + 1);
    }
    const best = Math.max(...votes.values());
    const tied = new Set([...votes].filter(([, n]) => n === best).map(([name]) => name));
    const leader = this.leaderId !== null ? this.members.get(this.leaderId) : undefined;
    return leader?.supportedProtocols.find((p) => tied.has(p.name))?.name ?? [...tied][0];
  }

  /**
   * Whether a member with this protocol type and these protocols may join: an empty group takes any
   * non-empty type; otherwise the type must match and one protocol must be supported by everyone.
   */
  supportsProtocols(protocolType: string, protocols: Protocol[]): boolean {
    if (this.is(GroupState.Empty)) return protocolType !== '' && protocols.length > 0;
    if (protocolType !== this.protocolType) return false;
    const candidates = this.candidateProtocols();
    return protocols.some((p) => candidates.has(p.name));
  }

  /** Moves to the next generation: CompletingRebalance with a protocol, or Empty when no member is left. */
  initNextGeneration(now: number): void {
    this.generationId++;
    if (this.members.size > 0) {
      this.protocolName = this.selectProtocol();
      this.subscribedTopics = this.computeSubscribedTopics();
      this.transitionTo(GroupState.CompletingRebalance, now);
    } else {
      this.protocolName = null;
      this.subscribedTopics = this.computeSubscribedTopics();
      this.transitionTo(GroupState.Empty, now);
    }
    this.pendingSyncMembers.clear();
  }

  computeSubscribedTopics(): Set<string> | null {
    if (this.protocolType !== CONSUMER_PROTOCOL_TYPE) return null;
    if (this.members.size === 0) return new Set();
    if (this.protocolName === null) return null;
    const topics = new Set<string>();
    for (const m of this.members.values()) {
      const t = consumerSubscriptionTopics(m.metadata(this.protocolName));
      if (t === null) return null;
      for (const x of t) topics.add(x);
    }
    return topics;
  }

  isSubscribedToTopic(topic: string): boolean {
    return this.subscribedTopics?.has(topic) ?? false;
  }

  /** For the leader's JoinGroup answer: every member with its metadata for the chosen protocol. */
  currentMemberMetadata(): JoinGroupResult['members'] {
    const protocol = this.protocolName;
    if (protocol === null) throw new Error(`group ${this.groupId} has no protocol yet`);
    return [...this.members.values()].map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadata(protocol) }));
  }

  // ---- offsets -------------------------------------------------------------------------------

  get hasOffsets(): boolean {
    return this.offsets.size > 0 || this.pendingTransactionalOffsets.size > 0;
  }

  offset(topic: string, partition: number): CommittedOffset | undefined {
    return this.offsets.get(topic)?.get(partition);
  }

  hasPendingTransactionalOffset(topic: string, partition: number): boolean {
    for (const byTopic of this.pendingTransactionalOffsets.values()) if (byTopic.get(topic)?.has(partition)) return true;
    return false;
  }

  putOffset(topic: string, partition: number, offset: CommittedOffset): void {
    let byPartition = this.offsets.get(topic);
    if (!byPartition) this.offsets.set(topic, (byPartition = new Map()));
    byPartition.set(partition, offset);
  }

  removeOffset(topic: string, partition: number): boolean {
    const byPartition = this.offsets.get(topic);
    if (!byPartition?.delete(partition)) return false;
    if (byPartition.size === 0) this.offsets.delete(topic);
    return true;
  }

  allOffsets(): Array<TopicPartition & { offset: CommittedOffset }> {
    const out: Array<TopicPartition & { offset: CommittedOffset }> = [];
    for (const [topic, byPartition] of this.offsets) for (const [partition, offset] of byPartition) out.push({ topic, partition, offset });
    return out;
  }

  /** Stages a transactional commit (visible on the transaction's COMMIT marker). */
  stageTransactionalOffset(producerId: bigint, topic: string, partition: number, offset: CommittedOffset): void {
    let byTopic = this.pendingTransactionalOffsets.get(producerId);
    if (!byTopic) this.pendingTransactionalOffsets.set(producerId, (byTopic = new Map()));
    let byPartition = byTopic.get(topic);
    if (!byPartition) byTopic.set(topic, (byPartition = new Map()));
    byPartition.set(partition, offset);
  }

  /** The transaction of `producerId` ended: its offsets become visible (commit) or vanish (abort). */
  completePendingTransactionalOffsets(producerId: bigint, commit: boolean): void {
    const byTopic = this.pendingTransactionalOffsets.get(producerId);
    if (!byTopic) return;
    this.pendingTransactionalOffsets.delete(producerId);
    if (!commit) return;
    for (const [topic, byPartition] of byTopic) {
      for (const [partition, offset] of byPartition) {
        const current = this.offset(topic, partition);
        if (current === undefined || current.recordOffset < offset.recordOffset) this.putOffset(topic, partition, offset);
      }
    }
  }

  /**
   * The offsets due to expire (Kafka's rules, KIP-211): an offset with an explicit expire timestamp
   * expires then; otherwise, in an Empty group, `retentionMs` after the group became empty; in a
   * stable consumer group, offsets of topics no member subscribes to, `retentionMs` after their
   * commit; in a group that only stores offsets (no protocol type), `retentionMs` after the commit.
   */
  expiredOffsets(now: number, retentionMs: number): TopicPartition[] {
    let base: ((o: CommittedOffset) => number) | undefined;
    let keep: Set<string> = new Set();
    if (this.protocolType !== null && this.is(GroupState.Empty)) {
      const since = this.currentStateTimestamp;
      base = (o) => since ?? o.commitTimestamp;
    } else if (this.protocolType === CONSUMER_PROTOCOL_TYPE && this.subscribedTopics !== null && this.is(GroupState.Stable)) {
      base = (o) => o.commitTimestamp;
      keep = this.subscribedTopics;
    } else if (this.protocolType === null) {
      base = (o) => o.commitTimestamp;
    }
    if (base === undefined) return [];
    const out: TopicPartition[] = [];
    for (const { topic, partition, offset } of this.allOffsets()) {
      if (keep.has(topic) || this.hasPendingTransactionalOffset(topic, partition)) continue;
      const expired = offset.expireTimestamp !== null ? now >= offset.expireTimestamp : now - base(offset) >= retentionMs;
      if (expired) out.push({ topic, partition });
    }
    return out;
  }
}
