/**
 * The group operations behind `skein consumer-groups` and `skein streams-application-reset`, as
 * Kafka's admin client performs them: ListGroups on every broker, and DescribeGroups, OffsetFetch,
 * OffsetCommit, OffsetDelete, LeaveGroup and DeleteGroups on the group's coordinator
 * (FindCoordinator first). Failures the broker reports are thrown as KafkaError.
 */
import { DeleteGroups } from '../protocol/apis/delete-groups.js';
import { DescribeGroups } from '../protocol/apis/describe-groups.js';
import { LeaveGroup } from '../protocol/apis/leave-group.js';
import { ListGroups } from '../protocol/apis/list-groups.js';
import { OffsetCommit } from '../protocol/apis/offset-commit.js';
import { OffsetDelete } from '../protocol/apis/offset-delete.js';
import { OffsetFetch, type OffsetFetchResponsePartition } from '../protocol/apis/offset-fetch.js';
import { ErrorCode, errorName, KafkaError } from '../protocol/errors.js';
import type { TopicPartition } from '../protocol/topic-partition.js';
import { CliError } from './cli-error.js';
import type { ClusterClient } from './cluster-client.js';
import { decodeConsumerAssignment } from './consumer-protocol.js';

/** The protocol type of groups formed by consumers; "" is a group that only stores offsets. */
export const CONSUMER_PROTOCOL_TYPE = 'consumer';

/** The classic group states, as Kafka names them. */
export const GROUP_STATES = ['PreparingRebalance', 'CompletingRebalance', 'Stable', 'Dead', 'Empty'] as const;

export interface GroupListing {
  groupId: string;
  protocolType: string;
  /** ListGroups v4+ only. */
  state?: string;
}

export interface MemberDescription {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  host: string;
  assignment: TopicPartition[];
}

export interface GroupDescription {
  groupId: string;
  state: string;
  protocolType: string;
  /** The assignment strategy chosen (e.g. `range`), empty unless the group is Stable. */
  assignmentStrategy: string;
  members: MemberDescription[];
  coordinator: { nodeId: number; host: string; port: number };
}

export interface CommittedOffset extends TopicPartition {
  offset: bigint;
}

export class ConsumerGroupService {
  constructor(private readonly cluster: ClusterClient) {}

  /** Consumer groups (protocol type "consumer" or none), from every broker, sorted by id. */
  async listGroups(states: readonly string[] = []): Promise<GroupListing[]> {
    const md = await this.cluster.metadata([]);
    const found = new Map<string, GroupListing>();
    for (const broker of md.brokers) {
      const client = await this.cluster.connectionTo({ host: broker.host, port: broker.port });
      const version = client.versionFor(ListGroups);
      if (states.length > 0 && version < 4) throw new CliError('This broker cannot filter groups by state (it has no ListGroups v4+)');
      const res = await this.cluster.retrying(async () => {
        const r = await client.send(ListGroups, { statesFilter: [...states], typesFilter: [] }, version);
        if (r.errorCode !== ErrorCode.NONE) throw new KafkaError(r.errorCode, `${errorName(r.errorCode)} listing groups on broker ${broker.nodeId}`);
        return r;
      });
      for (const g of res.groups) {
        if (g.protocolType !== CONSUMER_PROTOCOL_TYPE && g.protocolType !== '') continue;
        found.set(g.groupId, { groupId: g.groupId, protocolType: g.protocolType, state: version >= 4 ? g.groupState : undefined });
      }
    }
    return [...found.values()].sort((a, b) => compare(a.groupId, b.groupId));
  }

  /** The group as its coordinator describes it; null when it does not exist (state Dead). */
  async describeGroup(groupId: string): Promise<GroupDescription | null> {
    return this.cluster.retrying(async () => {
      const { nodeId, address, client } = await this.cluster.coordinator(groupId);
      const version = client.versionFor(DescribeGroups);
      const res = await client.send(DescribeGroups, { groups: [groupId], includeAuthorizedOperations: false }, version);
      const g = res.groups.find((x) => x.groupId === groupId) ?? res.groups[0];
      if (g === undefined) throw new KafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, `The coordinator did not describe group '${groupId}'`);
      if (g.errorCode === ErrorCode.GROUP_ID_NOT_FOUND) return null;
      if (g.errorCode !== ErrorCode.NONE) throw new KafkaError(g.errorCode, g.errorMessage || `${errorName(g.errorCode)} describing group '${groupId}'`);
      if (g.groupState === 'Dead') return null;
      if (g.protocolType !== CONSUMER_PROTOCOL_TYPE && g.protocolType !== '') {
        throw new CliError(`Group ${groupId} is not a consumer group (its protocol type is '${g.protocolType}').`);
      }
      return {
        groupId,
        state: g.groupState,
        protocolType: g.protocolType,
        assignmentStrategy: g.protocolData,
        coordinator: { nodeId, host: address.host, port: address.port },
        members: g.members.map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId ?? null,
          clientId: m.clientId,
          host: m.clientHost,
          assignment: safeAssignment(m.memberAssignment).flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition }))),
        })),
      };
    });
  }

  /** Every offset the group has committed (partitions without one are left out). */
  async committedOffsets(groupId: string): Promise<CommittedOffset[]> {
    return this.cluster.retrying(async () => {
      const { client } = await this.cluster.coordinator(groupId);
      // v10 answers with topic ids instead of names.
      const version = Math.min(client.versionFor(OffsetFetch), 9);
      if (version < 2) throw new CliError("This broker cannot list all of a group's offsets (it has no OffsetFetch v2+)");
      const res = await client.send(
        OffsetFetch,
        version >= 8
          ? { groups: [{ groupId, memberId: null, memberEpoch: -1, topics: null }], requireStable: false }
          : { groupId, topics: null, requireStable: false },
        version,
      );
      let errorCode: number;
      let topics: Array<{ name?: string; partitions: OffsetFetchResponsePartition[] }>;
      if (version >= 8) {
        const g = res.groups?.[0];
        errorCode = g?.errorCode ?? ErrorCode.NONE;
        topics = g?.topics ?? [];
      } else {
        errorCode = res.errorCode ?? ErrorCode.NONE;
        topics = res.topics ?? [];
      }
      if (errorCode !== ErrorCode.NONE) throw new KafkaError(errorCode, `${errorName(errorCode)} fetching the offsets of group '${groupId}'`);
      const out: CommittedOffset[] = [];
      for (const t of topics) {
        for (const p of t.partitions) {
          if (p.errorCode !== ErrorCode.NONE)
            throw new KafkaError(p.errorCode, `${errorName(p.errorCode)} fetching the offset of ${t.name}-${p.partitionIndex}`);
          if (p.committedOffset >= 0n) out.push({ topic: t.name ?? '', partition: p.partitionIndex, offset: p.committedOffset });
        }
      }
      return out.sort((a, b) => compare(a.topic, b.topic) || a.partition - b.partition);
    });
  }

  /**
   * Commits `offsets` from outside the group (generation -1, no member id), as the admin client's
   * alterConsumerGroupOffsets does; the coordinator refuses it while the group has members.
   */
  async commitOffsets(groupId: string, offsets: readonly CommittedOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    const byTopic = new Map<string, CommittedOffset[]>();
    for (const o of offsets) byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), o]);
    await this.cluster.retrying(async () => {
      const { client } = await this.cluster.coordinator(groupId);
      // v10 names topics by id; v9 is as new as a commit by name gets.
      const version = Math.min(client.versionFor(OffsetCommit), 9);
      const res = await client.send(
        OffsetCommit,
        {
          groupId,
          generationIdOrMemberEpoch: -1,
          memberId: '',
          groupInstanceId: null,
          retentionTimeMs: -1n,
          topics: [...byTopic].map(([name, os]) => ({
            name,
            partitions: os.map((o) => ({
              partitionIndex: o.partition,
              committedOffset: o.offset,
              committedLeaderEpoch: -1,
              commitTimestamp: -1n,
              committedMetadata: '',
            })),
          })),
        },
        version,
      );
      for (const t of res.topics) {
        for (const p of t.partitions) {
          if (p.errorCode === ErrorCode.NONE) continue;
          throw new KafkaError(p.errorCode, commitErrorMessage(p.errorCode, groupId, `${t.name}-${p.partitionIndex}`));
        }
      }
    });
  }

  /**
   * Deletes the group's committed offsets of `partitions` (OffsetDelete, KIP-496), as the admin
   * client's deleteConsumerGroupOffsets does; a group with members keeps those of topics it consumes.
   */
  async deleteOffsets(groupId: string, partitions: readonly TopicPartition[]): Promise<void> {
    if (partitions.length === 0) return;
    const byTopic = new Map<string, number[]>();
    for (const tp of partitions) byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp.partition]);
    await this.cluster.retrying(async () => {
      const { client } = await this.cluster.coordinator(groupId);
      const res = await client.send(OffsetDelete, {
        groupId,
        topics: [...byTopic].map(([name, ps]) => ({ name, partitions: ps.map((partitionIndex) => ({ partitionIndex })) })),
      });
      if (res.errorCode !== ErrorCode.NONE) throw new KafkaError(res.errorCode, `${errorName(res.errorCode)} deleting offsets of group '${groupId}'`);
      for (const t of res.topics) {
        for (const p of t.partitions) {
          if (p.errorCode !== ErrorCode.NONE)
            throw new KafkaError(p.errorCode, `${errorName(p.errorCode)} deleting the offset of ${t.name}-${p.partitionIndex} for group '${groupId}'`);
        }
      }
    });
  }

  /**
   * Removes members from the group (LeaveGroup v3+ on their behalf), as the admin client's
   * removeMembersFromConsumerGroup does; the group rebalances, or becomes Empty without them.
   */
  async removeMembers(groupId: string, members: ReadonlyArray<Pick<MemberDescription, 'memberId' | 'groupInstanceId'>>): Promise<void> {
    if (members.length === 0) return;
    await this.cluster.retrying(async () => {
      const { client } = await this.cluster.coordinator(groupId);
      const version = client.versionFor(LeaveGroup);
      if (version < 3) throw new CliError('This broker cannot remove members from a group (it has no LeaveGroup v3+)');
      const res = await client.send(
        LeaveGroup,
        { groupId, members: members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, reason: 'removed by an admin tool' })) },
        version,
      );
      if (res.errorCode !== ErrorCode.NONE) throw new KafkaError(res.errorCode, `${errorName(res.errorCode)} removing members of group '${groupId}'`);
      for (const m of res.members ?? []) {
        // A member that left by itself meanwhile is gone all the same.
        if (m.errorCode !== ErrorCode.NONE && m.errorCode !== ErrorCode.UNKNOWN_MEMBER_ID) {
          throw new KafkaError(m.errorCode, `${errorName(m.errorCode)} removing member ${m.memberId} of group '${groupId}'`);
        }
      }
    });
  }

  /** Deletes each group; one result per group, errorCode NONE when it was deleted. */
  async deleteGroups(groupIds: readonly string[]): Promise<Array<{ groupId: string; errorCode: number }>> {
    const out: Array<{ groupId: string; errorCode: number }> = [];
    for (const groupId of groupIds) {
      const errorCode = await this.cluster.retrying(async () => {
        const { client } = await this.cluster.coordinator(groupId);
        const res = await client.send(DeleteGroups, { groupsNames: [groupId] });
        const r = res.results.find((x) => x.groupId === groupId) ?? res.results[0];
        const code = r?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR;
        if (code === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS || code === ErrorCode.COORDINATOR_NOT_AVAILABLE || code === ErrorCode.NOT_COORDINATOR) {
          throw new KafkaError(code);
        }
        return code;
      });
      out.push({ groupId, errorCode });
    }
    return out;
  }
}

function safeAssignment(buf: Buffer) {
  try {
    return decodeConsumerAssignment(buf);
  } catch {
    return []; // not a consumer-protocol assignment: show the member without partitions
  }
}

function commitErrorMessage(code: number, groupId: string, partition: string): string {
  switch (code) {
    case ErrorCode.UNKNOWN_MEMBER_ID:
    case ErrorCode.ILLEGAL_GENERATION:
    case ErrorCode.REBALANCE_IN_PROGRESS:
      return `Commit cannot be completed since the group '${groupId}' has active members (${errorName(code)}).`;
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
      return `This server does not host this topic-partition: ${partition}.`;
    default:
      return `${errorName(code)} committing the offset of ${partition} for group '${groupId}'`;
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
