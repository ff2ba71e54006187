/**
 * Internal topics at start (Kafka Streams' `InternalTopicManager` and the partition-count part of
 * its assignor): checks that the source topics exist, works out how many tasks each sub-topology has,
 * and creates the repartition topics (as many partitions as the sub-topology writing them, unless
 * fixed) and changelog topics (`cleanup.policy=compact`, one partition per task). An internal topic
 * that exists with another partition count is an error, as is a join or co-partitioned group whose
 * inputs differ in partition count.
 */
import type { Admin } from 'kafkajs';
import type { Logger } from '../../common/logger.js';
import { StreamsError } from '../errors.js';
import type { Subtopology, Topology } from '../processor/topology.js';

export interface TopicLayout {
  /** Tasks (= partitions) per sub-topology id. */
  readonly partitionsPerSubtopology: ReadonlyMap<number, number>;
  /** Partition count of every topic the topology reads or writes (full names). */
  readonly partitionCounts: ReadonlyMap<string, number>;
  /** Full names of the topics each sub-topology's tasks consume. */
  readonly sourceTopicsPerSubtopology: ReadonlyMap<number, readonly string[]>;
}

export interface InternalTopicSpec {
  readonly name: string;
  readonly partitions: number;
  readonly configs: Readonly<Record<string, string>>;
}

export function resolveTopicName(topology: Topology, applicationId: string, name: string): string {
  return topology.isInternalTopic(name) ? `${applicationId}-${name}` : name;
}

export function changelogTopicName(applicationId: string, store: string): string {
  return `${applicationId}-${store}-changelog`;
}

export class InternalTopicManager {
  constructor(
    private readonly admin: Admin,
    private readonly applicationId: string,
    private readonly replicationFactor: number,
    private readonly logger: Logger,
  ) {}

  /** Works out the layout from the broker's metadata and creates what is missing. */
  async setup(topology: Topology): Promise<TopicLayout> {
    const subs = topology.subtopologies();
    const resolve = (t: string): string => resolveTopicName(topology, this.applicationId, t);
    const external = new Set<string>();
    for (const s of subs) for (const t of s.sourceTopics) if (!topology.isInternalTopic(t)) external.add(t);
    for (const s of subs) for (const t of s.sinkTopics) if (!topology.isInternalTopic(t)) external.add(t);
    const globalTopics = topology.globalSubtopologies().flatMap((s) => s.sourceTopics);
    for (const t of globalTopics) external.add(t);
    const existing = await this.partitionCountsOf([...external, ...[...topology.internalTopics.keys()].map(resolve), ...this.changelogNames(topology, subs)]);

    const missingSources = [...new Set([...subs.flatMap((s) => s.sourceTopics), ...globalTopics])].filter(
      (t) => !topology.isInternalTopic(t) && !existing.has(t),
    );
    if (missingSources.length > 0) {
      throw new StreamsError(
        `Source topic${missingSources.length > 1 ? 's' : ''} ${missingSources.join(', ')} of application ${this.applicationId} ${missingSources.length > 1 ? 'do' : 'does'} not exist; create ${missingSources.length > 1 ? 'them' : 'it'} first`,
      );
    }

    // Partition counts: external topics from the broker; repartition topics from what writes them.
    const counts = new Map<string, number>();
    for (const t of external) if (existing.has(t)) counts.set(t, existing.get(t) as number);
    for (const [name, def] of topology.internalTopics) if (def.partitions !== undefined) counts.set(name, def.partitions);
    // A repartition topic joined with other topics takes their partition count, as Kafka Streams'
    // CopartitionedTopicsEnforcer does: that of the group's other topics if it has any, else the
    // largest of the group's repartition topics.
    const copartitioned = new Map<string, readonly string[]>();
    for (const group of topology.copartitionGroups) for (const t of group) if (topology.isInternalTopic(t) && !counts.has(t)) copartitioned.set(t, group);
    for (const group of topology.copartitionGroups) {
      const known = group.filter((t) => !copartitioned.has(t)).map((t) => counts.get(t));
      if (known.length === 0 || known.some((n) => n === undefined)) continue;
      for (const t of group) if (copartitioned.has(t) && !counts.has(t)) counts.set(t, Math.max(...(known as number[])));
    }
    const writerCounts = new Map<string, number>();
    const perSub = new Map<number, number>();
    for (let changed = true; changed;) {
      changed = false;
      for (const s of subs) {
        const known = s.sourceTopics.map((t) => counts.get(t)).filter((n): n is number => n !== undefined);
        if (known.length < s.sourceTopics.length || perSub.has(s.id)) continue;
        perSub.set(s.id, Math.max(...known));
        changed = true;
        for (const t of s.sinkTopics) {
          if (!topology.isInternalTopic(t) || counts.has(t)) continue;
          if (copartitioned.has(t)) writerCounts.set(t, perSub.get(s.id) as number);
          else counts.set(t, perSub.get(s.id) as number);
        }
      }
      for (const [t, group] of copartitioned) {
        if (counts.has(t)) continue;
        const writers = group.filter((g) => copartitioned.has(g)).map((g) => writerCounts.get(g));
        if (writers.some((n) => n === undefined)) continue;
        for (const g of group) if (copartitioned.has(g) && !counts.has(g)) counts.set(g, Math.max(...(writers as number[])));
        changed = true;
      }
    }
    for (const s of subs) {
      if (!perSub.has(s.id)) throw new StreamsError(`Cannot work out the partition count of sub-topology ${s.id} (topics ${s.sourceTopics.join(', ')})`);
    }
    this.checkCopartitioning(topology, counts);

    // Internal topics to have: repartition topics and changelogs.
    const wanted: InternalTopicSpec[] = [];
    for (const name of topology.internalTopics.keys()) {
      wanted.push({
        name: resolve(name),
        partitions: counts.get(name) as number,
        configs: { 'cleanup.policy': 'delete', 'segment.bytes': '52428800', 'retention.ms': '-1' },
      });
    }
    for (const s of subs) {
      for (const store of s.stores) {
        const def = topology.stores.get(store);
        if (def === undefined || !def.builder.loggingEnabled || def.sourceTopicChangelog !== undefined) continue;
        wanted.push({
          name: changelogTopicName(this.applicationId, store),
          partitions: perSub.get(s.id) as number,
          configs: { 'cleanup.policy': 'compact', ...def.builder.logConfig },
        });
      }
    }
    const toCreate = wanted.filter((w) => !existing.has(w.name));
    for (const w of wanted) {
      const n = existing.get(w.name);
      if (n !== undefined && n !== w.partitions) {
        throw new StreamsError(
          `Internal topic ${w.name} has ${n} partitions, but ${w.partitions} are needed; if the input topics changed, reset the application (skein streams-application-reset --application-id ${this.applicationId})`,
        );
      }
    }
    if (toCreate.length > 0) {
      this.logger.info(`Creating internal topics: ${toCreate.map((t) => `${t.name} (${t.partitions})`).join(', ')}`);
      await this.admin.createTopics({
        topics: toCreate.map((t) => ({
          topic: t.name,
          numPartitions: t.partitions,
          replicationFactor: this.replicationFactor,
          configEntries: Object.entries(t.configs).map(([name, value]) => ({ name, value })),
        })),
        waitForLeaders: true,
      });
    }
    const partitionCounts = new Map<string, number>();
    for (const [t, n] of counts) partitionCounts.set(resolve(t), n);
    for (const w of wanted) partitionCounts.set(w.name, w.partitions);
    const sourceTopicsPerSubtopology = new Map(subs.map((s) => [s.id, s.sourceTopics.map(resolve)] as const));
    return { partitionsPerSubtopology: perSub, partitionCounts, sourceTopicsPerSubtopology };
  }

  private changelogNames(topology: Topology, subs: readonly Subtopology[]): string[] {
    const out: string[] = [];
    for (const s of subs) for (const st of s.stores) out.push(changelogTopicName(this.applicationId, st));
    return out;
  }

  /** Topics that must have the same partition count: joined inputs (Kafka Streams' co-partition groups). */
  private checkCopartitioning(topology: Topology, counts: ReadonlyMap<string, number>): void {
    for (const group of topology.copartitionGroups) {
      const found = group.map((t) => [t, counts.get(t)] as const);
      const distinct = new Set(found.map(([, n]) => n));
      if (distinct.size > 1) {
        throw new StreamsError(
          `Topics ${found.map(([t, n]) => `${t} (${n} partitions)`).join(', ')} are joined, so they must have the same number of partitions (co-partitioning); repartition one of them first`,
        );
      }
    }
  }

  private async partitionCountsOf(topics: readonly string[]): Promise<Map<string, number>> {
    const all = new Set(await this.admin.listTopics());
    const present = [...new Set(topics)].filter((t) => all.has(t));
    const out = new Map<string, number>();
    if (present.length === 0) return out;
    const meta = await this.admin.fetchTopicMetadata({ topics: present });
    for (const t of meta.topics) out.set(t.name, t.partitions.length);
    return out;
  }
}
