/**
 * Requests that must reach a particular broker: a group's coordinator (found with FindCoordinator)
 * or a partition's leader (found in Metadata). Holds one ProtocolClient per broker address, the
 * bootstrap connection among them, and retries the few errors that only mean "not ready yet"
 * (the coordinator is loading, or __consumer_offsets is being created).
 *
 * A Skein broker is a single node and answers everything itself; going through FindCoordinator and
 * Metadata anyway keeps the commands right against a Kafka cluster.
 */
import { systemClock } from '../broker/clock.js';
import { CoordinatorType, FindCoordinator } from '../protocol/apis/find-coordinator.js';
import { ListOffsets } from '../protocol/apis/list-offsets.js';
import { Metadata, type MetadataResponse } from '../protocol/apis/metadata.js';
import { IsolationLevel } from '../protocol/constants.js';
import { ErrorCode, errorName, KafkaError } from '../protocol/errors.js';
import { ZERO_UUID } from '../protocol/reader.js';
import { type TopicPartition, topicPartitionKey } from '../protocol/topic-partition.js';
import { type BrokerAddress, formatAddress } from './bootstrap.js';
import { CliError } from './cli-error.js';
import { ProtocolClient, type ProtocolClientOptions } from './protocol-client.js';

/** Errors that go away by themselves: ask again after a pause. */
const TRANSIENT = new Set<number>([
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ErrorCode.NOT_COORDINATOR,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
]);

/** `topic-partition`, as Kafka prints a TopicPartition. */
export const tpString = (tp: TopicPartition): string => `${tp.topic}-${tp.partition}`;

export interface PartitionInfo {
  partition: number;
  leader: number;
}

export interface TopicInfo {
  name: string;
  topicId: string;
  partitions: PartitionInfo[];
}

export class ClusterClient {
  private readonly clients = new Map<string, Promise<ProtocolClient>>();
  private brokersById = new Map<number, BrokerAddress>();

  private constructor(
    readonly bootstrap: ProtocolClient,
    private readonly opts: ProtocolClientOptions & { retryForMs?: number },
  ) {
    this.clients.set(formatAddress(bootstrap.address), Promise.resolve(bootstrap));
  }

  static async connect(servers: readonly BrokerAddress[], opts: ProtocolClientOptions & { retryForMs?: number } = {}): Promise<ClusterClient> {
    return new ClusterClient(await ProtocolClient.connect(servers, opts), opts);
  }

  /** The connection to `address`, opened on first use. */
  connectionTo(address: BrokerAddress): Promise<ProtocolClient> {
    const key = formatAddress(address);
    let client = this.clients.get(key);
    if (client === undefined) {
      client = ProtocolClient.connect([address], this.opts);
      client.catch(() => this.clients.delete(key));
      this.clients.set(key, client);
    }
    return client;
  }

  /** Metadata for the named topics (every topic when null); also learns the brokers' addresses. */
  async metadata(topics: readonly string[] | null, allowAutoTopicCreation = false): Promise<MetadataResponse> {
    const version = this.bootstrap.versionFor(Metadata);
    const res = await this.bootstrap.send(
      Metadata,
      {
        topics: topics === null ? (version === 0 ? [] : null) : topics.map((name) => ({ topicId: ZERO_UUID, name })),
        allowAutoTopicCreation,
        includeClusterAuthorizedOperations: false,
        includeTopicAuthorizedOperations: false,
      },
      version,
    );
    this.brokersById = new Map(res.brokers.map((b) => [b.nodeId, { host: b.host, port: b.port }]));
    return res;
  }

  /**
   * The named topics with their partitions. A topic that does not exist is an UNKNOWN_TOPIC_OR_PARTITION
   * KafkaError (`Topic 'x' does not exist.`), as is any other error the broker reports for it.
   */
  async describeTopics(names: readonly string[], allowAutoTopicCreation = false): Promise<Map<string, TopicInfo>> {
    const out = new Map<string, TopicInfo>();
    if (names.length === 0) return out;
    const unique = [...new Set(names)];
    const res = await this.retrying(async () => {
      const md = await this.metadata(unique, allowAutoTopicCreation);
      for (const t of md.topics) if (TRANSIENT.has(t.errorCode)) throw new KafkaError(t.errorCode);
      return md;
    });
    for (const t of res.topics) {
      const name = t.name ?? '';
      if (t.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
        throw new KafkaError(t.errorCode, `Topic '${name}' does not exist.`);
      }
      if (t.errorCode !== ErrorCode.NONE) throw new KafkaError(t.errorCode, `${errorName(t.errorCode)} for topic '${name}'`);
      out.set(name, {
        name,
        topicId: t.topicId ?? ZERO_UUID,
        partitions: t.partitions.map((p) => ({ partition: p.partitionIndex, leader: p.leaderId })).sort((a, b) => a.partition - b.partition),
      });
    }
    for (const name of unique) if (!out.has(name)) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${name}' does not exist.`);
    return out;
  }

  /** The connection to broker `nodeId` (from the last Metadata answer). */
  async connectionToNode(nodeId: number): Promise<ProtocolClient> {
    if (!this.brokersById.has(nodeId)) await this.metadata([]);
    const address = this.brokersById.get(nodeId);
    if (address === undefined) throw new KafkaError(ErrorCode.LEADER_NOT_AVAILABLE, `Broker ${nodeId} is not in the cluster metadata`);
    return this.connectionTo(address);
  }

  /** The coordinator of group (or transactional id) `key`, and a connection to it. */
  async coordinator(key: string, keyType: number = CoordinatorType.group): Promise<{ nodeId: number; address: BrokerAddress; client: ProtocolClient }> {
    return this.retrying(async () => {
      const version = this.bootstrap.versionFor(FindCoordinator);
      const res = await this.bootstrap.send(FindCoordinator, version >= 4 ? { keyType, coordinatorKeys: [key] } : { key, keyType }, version);
      const answer = version >= 4 ? res.coordinators?.[0] : { ...res, errorCode: res.errorCode ?? 0, errorMessage: res.errorMessage ?? null };
      if (answer === undefined) throw new KafkaError(ErrorCode.COORDINATOR_NOT_AVAILABLE, `No coordinator in the answer for '${key}'`);
      if (answer.errorCode !== ErrorCode.NONE) {
        throw new KafkaError(answer.errorCode, answer.errorMessage || `${errorName(answer.errorCode)} finding the coordinator of '${key}'`);
      }
      const address = { host: answer.host as string, port: answer.port as number };
      return { nodeId: answer.nodeId as number, address, client: await this.connectionTo(address) };
    });
  }

  /**
   * The offset each partition has at `timestamp` (OffsetSpec.latest, OffsetSpec.earliest or a time in
   * ms), asking each partition's leader. A partition answered with offset -1 (no record at or after
   * the time) maps to null. A partition the broker reports an error for maps to its KafkaError.
   */
  async listOffsets(
    partitions: readonly TopicPartition[],
    timestamp: bigint,
    isolationLevel: number = IsolationLevel.readUncommitted,
  ): Promise<Map<string, bigint | null | KafkaError>> {
    const out = new Map<string, bigint | null | KafkaError>();
    if (partitions.length === 0) return out;
    const topics = await this.describeTopics(partitions.map((p) => p.topic));
    const byLeader = new Map<number, TopicPartition[]>();
    for (const tp of partitions) {
      const info = topics.get(tp.topic)?.partitions.find((p) => p.partition === tp.partition);
      if (info === undefined) {
        out.set(topicPartitionKey(tp.topic, tp.partition), new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Partition ${tpString(tp)} does not exist.`));
        continue;
      }
      const list = byLeader.get(info.leader) ?? [];
      list.push(tp);
      byLeader.set(info.leader, list);
    }
    for (const [leader, tps] of byLeader) {
      const client = await this.connectionToNode(leader);
      const version = client.versionFor(ListOffsets);
      if (version === 0 && timestamp >= 0n) throw new CliError('This broker cannot look offsets up by time (it has no ListOffsets v1+)');
      const grouped = new Map<string, number[]>();
      for (const tp of tps) grouped.set(tp.topic, [...(grouped.get(tp.topic) ?? []), tp.partition]);
      const res = await client.send(
        ListOffsets,
        {
          replicaId: -1,
          isolationLevel,
          timeoutMs: 30_000,
          topics: [...grouped].map(([name, ps]) => ({
            name,
            partitions: ps.map((partitionIndex) => ({ partitionIndex, currentLeaderEpoch: -1, timestamp, maxNumOffsets: 1 })),
          })),
        },
        version,
      );
      for (const t of res.topics) {
        for (const p of t.partitions) {
          const key = topicPartitionKey(t.name, p.partitionIndex);
          if (p.errorCode !== ErrorCode.NONE) {
            out.set(key, new KafkaError(p.errorCode, `${errorName(p.errorCode)} listing offsets of ${t.name}-${p.partitionIndex}`));
            continue;
          }
          const offset = version === 0 ? (p.oldStyleOffsets[0] ?? -1n) : p.offset;
          out.set(key, offset < 0n ? null : offset);
        }
      }
    }
    return out;
  }

  /** Runs `fn` again while it fails with an error that only means "not ready yet". */
  async retrying<T>(fn: () => Promise<T>): Promise<T> {
    const deadline = systemClock.now() + (this.opts.retryForMs ?? 15_000);
    let pause = 50;
    for (;;) {
      try {
        return await fn();
      } catch (err) {
        if (!(err instanceof KafkaError) || !TRANSIENT.has(err.code) || systemClock.now() + pause > deadline) throw err;
      }
      await new Promise((res) => setTimeout(res, pause));
      pause = Math.min(pause * 2, 1_000);
    }
  }

  close(): void {
    for (const client of this.clients.values()) client.then((c) => c.close()).catch(() => undefined);
    this.clients.clear();
  }
}
