/**
 * Resetting a streams application so that it reprocesses its input, as Kafka's
 * kafka-streams-application-reset.sh (StreamsResetter) does, with the same steps and messages:
 *
 * 1. The application's consumer group (`application.id`) must have no members — every instance
 *    stopped — or the reset is refused; `--force` removes the members instead (for instances that
 *    died with a long session timeout).
 * 2. The group's committed offsets of the input topics are set to the earliest offset (by default),
 *    the latest, an offset, or the first offset at a time (ListOffsets by timestamp); those of the
 *    intermediate topics to their end, so that what the application wrote there is not read again.
 * 3. The application's internal topics — `<application.id>-…-changelog` and
 *    `<application.id>-…-repartition` (and the foreign-key join topics Kafka Streams makes), found
 *    by listing the topics — are deleted.
 *
 * Local state is not touched (it is on the application's hosts): the tool says so, as Kafka's does.
 * A dry run prints the same plan and changes nothing.
 *
 * One addition to Kafka's steps: before deleting the internal topics, the group's committed offsets
 * of those topics are deleted (OffsetDelete). Kafka's brokers drop a deleted topic's offsets from
 * every group by themselves; a broker that does not (the Skein broker, so far) would otherwise hand
 * the application a stale offset for the recreated, empty repartition topic, and the application
 * would skip what it writes there up to that offset.
 *
 * Left out: `--internal-topics` (delete only some of the internal topics), `--from-file` (a reset
 * plan in a CSV file) and `--command-config` (no TLS or SASL).
 */
import { KafkaError } from '../protocol/errors.js';
import { CliError } from './cli-error.js';
import { OffsetSpec } from '../protocol/apis/list-offsets.js';
import { type TopicPartition, topicPartitionKey as tpKey } from '../protocol/topic-partition.js';
import type { ClusterClient } from './cluster-client.js';
import { type CommittedOffset, ConsumerGroupService, type MemberDescription } from './consumer-group-service.js';
import { TopicService } from './topic-service.js';
import { type OffsetLookup, planOffsetReset, type ResetSpec } from './offset-reset.js';

export interface StreamsResetRequest {
  applicationId: string;
  inputTopics: readonly string[];
  intermediateTopics: readonly string[];
  /** Where the input topics go (Kafka's default: to-earliest). */
  reset: ResetSpec;
  dryRun: boolean;
  force: boolean;
}

/** What the reset needs from the cluster; `ClusterResetAdmin` in the command, a fake in unit tests. */
export interface StreamsResetAdmin {
  /** The group's members; null when the group does not exist. */
  groupMembers(groupId: string): Promise<MemberDescription[] | null>;
  removeMembers(groupId: string, members: readonly MemberDescription[]): Promise<void>;
  /** Every topic's name. */
  listTopics(): Promise<string[]>;
  /** Every partition of the named (existing) topics. */
  partitionsOf(topics: readonly string[]): Promise<TopicPartition[]>;
  offsets: Pick<OffsetLookup, 'earliest' | 'latest' | 'forTime'>;
  committedOffsets(groupId: string): Promise<CommittedOffset[]>;
  commitOffsets(groupId: string, offsets: readonly CommittedOffset[]): Promise<void>;
  deleteOffsets(groupId: string, partitions: readonly TopicPartition[]): Promise<void>;
  deleteTopics(names: readonly string[]): Promise<void>;
  now(): bigint;
}

/** Whether `topic` is one Kafka Streams creates for `applicationId` (what the reset deletes). */
export function isInternalTopic(applicationId: string, topic: string): boolean {
  if (!topic.startsWith(`${applicationId}-`)) return false;
  return (
    topic.endsWith('-changelog') ||
    topic.endsWith('-repartition') ||
    topic.endsWith('-subscription-registration-topic') ||
    topic.endsWith('-subscription-response-topic') ||
    /.+-KTABLE-FK-JOIN-SUBSCRIPTION-(REGISTRATION|RESPONSE)-\d+-topic$/.test(topic)
  );
}

/** A Java List's toString, which Kafka's tool prints: `[a, b]`. */
const list = (items: readonly string[]): string => `[${items.join(', ')}]`;

export class StreamsResetter {
  constructor(
    private readonly admin: StreamsResetAdmin,
    /** Where the report goes, line by line (stdout in the command). */
    private readonly out: (line: string) => void,
  ) {}

  /**
   * Carries out (or, dry, prints) the reset; returns the exit code: 1 when an input or intermediate
   * topic does not exist (the others are reset all the same), else 0. An active group and any error
   * the broker reports are thrown.
   */
  async reset(req: StreamsResetRequest): Promise<number> {
    const groupId = req.applicationId;
    await this.checkNoActiveMembers(groupId, req);
    const allTopics = new Set(await this.admin.listTopics());
    if (req.dryRun) this.out('----Dry run displays the actions which will be performed when running Streams Reset Tool----');
    const exitCode = await this.resetOffsets(groupId, allTopics, req);
    await this.deleteInternalTopics(groupId, allTopics, req.dryRun);
    this.out(
      `Local state stores are not reset by this tool: before the application starts again, call KafkaStreams.cleanUp() or delete <state.dir>/${groupId} on each of its hosts.`,
    );
    return exitCode;
  }

  private async checkNoActiveMembers(groupId: string, req: StreamsResetRequest): Promise<void> {
    const members = (await this.admin.groupMembers(groupId)) ?? [];
    if (members.length === 0) return;
    const described = list(members.map((m) => `${m.memberId} (client ${m.clientId}, host ${m.host})`));
    if (!req.force) {
      throw new CliError(
        `ERROR: Consumer group '${groupId}' is still active and has following members: ${described}. Make sure to stop all running application instances before running the reset tool. You can use option '--force' to remove active members from the group.`,
      );
    }
    if (req.dryRun) {
      this.out(`Would force delete all active members in the group: ${groupId} ${described}`);
      return;
    }
    this.out(`Force deleting all active members in the group: ${groupId}`);
    await this.admin.removeMembers(groupId, members);
  }

  private async resetOffsets(groupId: string, allTopics: ReadonlySet<string>, req: StreamsResetRequest): Promise<number> {
    const inputs = [...new Set(req.inputTopics)];
    const intermediates = [...new Set(req.intermediateTopics)];
    if (inputs.length === 0 && intermediates.length === 0) {
      this.out('No input or intermediate topics specified. Skipping seek.');
      return 0;
    }
    if (inputs.length > 0) this.out(`Reset-offsets for input topics ${list(inputs)}`);
    if (intermediates.length > 0) this.out(`Seek-to-end for intermediate topics ${list(intermediates)}`);

    let exitCode = 0;
    const missingInputs = inputs.filter((t) => !allTopics.has(t));
    const missingIntermediates = intermediates.filter((t) => !allTopics.has(t));
    if (missingInputs.length > 0) {
      this.out('Following input topics are not found, skipping them');
      for (const t of missingInputs) this.out(`Topic: ${t}`);
      exitCode = 1;
    }
    if (missingIntermediates.length > 0) {
      this.out('Following intermediate topics are not found, skipping them');
      for (const t of missingIntermediates) this.out(`Topic: ${t}`);
      exitCode = 1;
    }
    const inputTopics = inputs.filter((t) => allTopics.has(t));
    // A topic named as both is an input topic, as in Kafka.
    const intermediateTopics = intermediates.filter((t) => allTopics.has(t) && !inputTopics.includes(t));
    if (inputTopics.length === 0 && intermediateTopics.length === 0) return exitCode;

    const toCommit: CommittedOffset[] = [];
    if (inputTopics.length > 0) {
      const committed = new Map((await this.admin.committedOffsets(groupId)).map((c) => [tpKey(c.topic, c.partition), c.offset]));
      const lookup: OffsetLookup = { ...this.admin.offsets, committed, now: () => this.admin.now() };
      const plan = await planOffsetReset(await this.admin.partitionsOf(inputTopics), req.reset, lookup, this.out);
      this.out(`Following input topics offsets will be reset to (for consumer group ${groupId})`);
      for (const o of plan) this.out(`Topic: ${o.topic} Partition: ${o.partition} Offset: ${o.offset}`);
      toCommit.push(...plan);
    }
    if (intermediateTopics.length > 0) {
      const plan = await planOffsetReset(
        await this.admin.partitionsOf(intermediateTopics),
        { kind: 'to-latest' },
        { ...this.admin.offsets, committed: new Map(), now: () => this.admin.now() },
        this.out,
      );
      this.out(`Following intermediate topics offsets will be reset to end (for consumer group ${groupId})`);
      for (const t of intermediateTopics) this.out(`Topic: ${t}`);
      toCommit.push(...plan);
    }
    if (!req.dryRun) await this.admin.commitOffsets(groupId, toCommit);
    this.out('Done.');
    return exitCode;
  }

  private async deleteInternalTopics(groupId: string, allTopics: ReadonlySet<string>, dryRun: boolean): Promise<void> {
    const internal = [...allTopics].filter((t) => isInternalTopic(groupId, t)).sort();
    const stale = (await this.admin.committedOffsets(groupId)).filter((c) => internal.includes(c.topic));
    if (stale.length > 0) {
      this.out(`Deleting the committed offsets of consumer group ${groupId} for internal topics ${list([...new Set(stale.map((c) => c.topic))])}`);
    }
    this.out(`Deleting inferred internal topics ${list(internal)}`);
    if (!dryRun) {
      await this.admin.deleteOffsets(groupId, stale);
      await this.admin.deleteTopics(internal);
    }
    this.out('Done.');
  }
}

/** The reset's operations over Skein's protocol client (any Kafka-protocol cluster). */
export function clusterResetAdmin(cluster: ClusterClient): StreamsResetAdmin {
  const groups = new ConsumerGroupService(cluster);
  const topics = new TopicService(cluster.bootstrap);
  const known = (found: Map<string, bigint | null | KafkaError>): Map<string, bigint> => {
    const out = new Map<string, bigint>();
    for (const [k, v] of found) {
      if (v instanceof KafkaError) throw v;
      if (v !== null) out.set(k, v);
    }
    return out;
  };
  return {
    groupMembers: async (groupId) => (await groups.describeGroup(groupId))?.members ?? null,
    removeMembers: (groupId, members) => groups.removeMembers(groupId, members),
    listTopics: async () => (await topics.listTopics()).map((t) => t.name),
    partitionsOf: async (names) =>
      [...(await cluster.describeTopics(names)).values()].flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partition }))),
    offsets: {
      earliest: async (tps) => known(await cluster.listOffsets(tps, OffsetSpec.earliest)),
      latest: async (tps) => known(await cluster.listOffsets(tps, OffsetSpec.latest)),
      forTime: async (tps, timestamp) => {
        const found = await cluster.listOffsets(tps, timestamp);
        for (const v of found.values()) if (v instanceof KafkaError) throw v;
        return found as Map<string, bigint | null>;
      },
    },
    committedOffsets: (groupId) => groups.committedOffsets(groupId),
    commitOffsets: (groupId, offsets) => groups.commitOffsets(groupId, offsets),
    deleteOffsets: (groupId, partitions) => groups.deleteOffsets(groupId, partitions),
    deleteTopics: (names) => topics.deleteTopics(names),
    now: () => BigInt(Date.now()),
  };
}
