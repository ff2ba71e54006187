/**
 * Reads partitions chosen by the caller, outside any consumer group: changelogs during restoration,
 * standby tasks, global tables. kafkajs's public consumer always joins a group and cannot be told
 * which partitions to read, so this sends Fetch and ListOffsets through kafkajs's own `Cluster` (its
 * connection, metadata and protocol layer), made by the same `Kafka` client as everything else — so
 * TLS, SASL and broker lists are the user's, and it works against any Kafka.
 *
 * Reads are `read_committed`: aborted records and control records are dropped, and a partition's
 * end is its last stable offset.
 */
import type { Kafka } from 'kafkajs';
// kafkajs keeps this internal; it is the logic its own consumer drops aborted records with.
import filterAbortedMessages from 'kafkajs/src/consumer/filterAbortedMessages.js';
import type { Headers } from '../../serdes/headers.js';
import { StreamsError } from '../errors.js';
import { type KafkajsCluster, type KafkajsMessage, type KafkajsPartitionData, createKafkajsCluster } from './kafkajs-cluster.js';
import type { RawRecord } from './record-collector.js';

const READ_COMMITTED = 1;

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

export interface FetchPosition extends TopicPartition {
  readonly offset: number;
}

export interface FetchedPartition extends TopicPartition {
  /** Committed records at or after the fetch offset (aborted and control records removed). */
  readonly records: RawRecord[];
  /** Where the next fetch of this partition starts. */
  readonly nextOffset: number;
  /** The partition's last stable offset as of this fetch: read_committed's end. */
  readonly lastStableOffset: number;
}

export class PartitionReader {
  private readonly cluster: KafkajsCluster;
  private connected = false;

  constructor(kafka: Kafka) {
    this.cluster = createKafkajsCluster(kafka, { allowAutoTopicCreation: false, isolationLevel: READ_COMMITTED, metadataMaxAge: 60_000 });
  }

  private async ensure(topics: readonly string[]): Promise<void> {
    if (!this.connected) {
      await this.cluster.connect();
      this.connected = true;
    }
    await this.cluster.addMultipleTargetTopics([...new Set(topics)]);
  }

  /** Each partition's last stable offset (where read_committed reading ends). */
  async endOffsets(partitions: readonly TopicPartition[]): Promise<Map<string, number>> {
    return this.offsets(partitions, false);
  }

  /** Each partition's log start offset. */
  async beginningOffsets(partitions: readonly TopicPartition[]): Promise<Map<string, number>> {
    return this.offsets(partitions, true);
  }

  private async offsets(partitions: readonly TopicPartition[], fromBeginning: boolean): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (partitions.length === 0) return out;
    await this.ensure(partitions.map((p) => p.topic));
    const byTopic = groupByTopic(partitions);
    const result = await this.cluster.fetchTopicsOffset(
      [...byTopic].map(([topic, ps]) => ({ topic, partitions: ps.map((p) => ({ partition: p.partition })), fromBeginning })),
    );
    for (const t of result) for (const p of t.partitions) out.set(key(t.topic, p.partition), Number(p.offset));
    return out;
  }

  /**
   * One Fetch per leader for the given positions. Waits up to `maxWaitMs` for data. A partition
   * with nothing new comes back with no records and its offset unchanged.
   */
  async fetch(positions: readonly FetchPosition[], options: { maxWaitMs?: number; maxBytesPerPartition?: number } = {}): Promise<FetchedPartition[]> {
    if (positions.length === 0) return [];
    await this.ensure(positions.map((p) => p.topic));
    const byLeader = new Map<string, FetchPosition[]>();
    for (const [topic, ps] of groupByTopic(positions)) {
      const leaders = this.cluster.findLeaderForPartitions(
        topic,
        ps.map((p) => p.partition),
      );
      for (const [nodeId, parts] of Object.entries(leaders)) {
        for (const partition of parts) {
          const pos = ps.find((p) => p.partition === partition) as FetchPosition;
          if (!byLeader.has(nodeId)) byLeader.set(nodeId, []);
          (byLeader.get(nodeId) as FetchPosition[]).push(pos);
        }
      }
    }
    const maxBytes = options.maxBytesPerPartition ?? 4 * 1024 * 1024;
    const results = await Promise.all(
      [...byLeader].map(async ([nodeId, ps]) => {
        const broker = await this.cluster.findBroker({ nodeId });
        const response = await broker.fetch({
          isolationLevel: READ_COMMITTED,
          maxWaitTime: options.maxWaitMs ?? 100,
          minBytes: 1,
          maxBytes: maxBytes * ps.length,
          topics: [...groupByTopic(ps)].map(([topic, tps]) => ({
            topic,
            partitions: tps.map((p) => ({ partition: p.partition, fetchOffset: String(p.offset), maxBytes })),
          })),
        });
        const out: FetchedPartition[] = [];
        for (const t of response.responses) {
          for (const p of t.partitions) {
            const requested = ps.find((x) => x.topic === t.topicName && x.partition === p.partition) as FetchPosition;
            if (p.errorCode !== 0) {
              throw new StreamsError(`Fetching ${t.topicName}-${p.partition} at offset ${requested.offset} failed with error code ${p.errorCode}`);
            }
            out.push(toFetched(t.topicName, p, requested.offset));
          }
        }
        return out;
      }),
    );
    return results.flat();
  }

  async close(): Promise<void> {
    if (this.connected) await this.cluster.disconnect();
    this.connected = false;
  }
}

function toFetched(topic: string, p: KafkajsPartitionData, fetchOffset: number): FetchedPartition {
  const lastStableOffset = Number(p.lastStableOffset ?? p.highWatermark);
  let nextOffset = fetchOffset;
  // Any record in the response — control, aborted or not — moves the position past it.
  for (const m of p.messages) {
    const o = Number(m.offset);
    if (o >= nextOffset) nextOffset = o + 1;
  }
  const kept = filterAbortedMessages({ messages: p.messages, abortedTransactions: p.abortedTransactions ?? [] }) as KafkajsMessage[];
  const records: RawRecord[] = [];
  for (const m of kept) {
    const offset = Number(m.offset);
    if (m.isControlRecord || offset < fetchOffset) continue;
    records.push({ topic, partition: p.partition, offset, timestamp: Number(m.timestamp), key: m.key, value: m.value, headers: (m.headers ?? {}) as Headers });
  }
  // Nothing left before the last stable offset means the partition is read to its end.
  if (nextOffset < lastStableOffset && p.messages.length === 0) nextOffset = fetchOffset;
  return { topic, partition: p.partition, records, nextOffset, lastStableOffset };
}

function groupByTopic<T extends TopicPartition>(list: readonly T[]): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of list) {
    if (!m.has(x.topic)) m.set(x.topic, []);
    (m.get(x.topic) as T[]).push(x);
  }
  return m;
}

export function key(topic: string, partition: number): string {
  return `${topic}:${partition}`;
}
