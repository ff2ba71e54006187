/**
 * What `skein topics --describe` prints, in kafka-topics.sh's layout: one line for the topic, then
 * one per partition, fields separated by tabs.
 *
 *   Topic: orders	TopicId: 3q2-7wEAQ0y9nZ8ARkbJ0g	PartitionCount: 2	ReplicationFactor: 1	Configs: retention.ms=1000
 *   	Topic: orders	Partition: 0	Leader: 1	Replicas: 1	Isr: 1
 *
 * Left out: the ELR fields Kafka 3.7+ adds (a single node has no eligible leader replicas) and the
 * reassignment fields.
 */
import { ZERO_UUID } from '../protocol/reader.js';

export interface PartitionDescription {
  partition: number;
  /** -1 when the partition has no leader. */
  leader: number;
  replicas: number[];
  isr: number[];
}

export interface TopicDescription {
  name: string;
  /** As the protocol carries it: 8-4-4-4-12 hex. */
  topicId: string;
  internal: boolean;
  partitions: PartitionDescription[];
  /** The topic's own config overrides. */
  configs: Array<{ name: string; value: string | null }>;
}

export function formatTopicDescription(t: TopicDescription): string[] {
  const partitions = [...t.partitions].sort((a, b) => a.partition - b.partition);
  const head = [`Topic: ${t.name}`];
  if (t.topicId !== ZERO_UUID) head.push(`TopicId: ${kafkaUuidString(t.topicId)}`);
  head.push(
    `PartitionCount: ${partitions.length}`,
    `ReplicationFactor: ${partitions[0]?.replicas.length ?? 0}`,
    `Configs: ${t.configs.map((c) => `${c.name}=${c.value ?? ''}`).join(',')}`,
  );
  const lines = [head.join('\t')];
  for (const p of partitions) {
    lines.push(
      [
        '',
        `Topic: ${t.name}`,
        `Partition: ${p.partition}`,
        `Leader: ${p.leader < 0 ? 'none' : p.leader}`,
        `Replicas: ${p.replicas.join(',')}`,
        `Isr: ${p.isr.join(',')}`,
      ].join('\t'),
    );
  }
  return lines;
}

/**
 * A UUID the way Kafka prints one (`Uuid.toString`): its 16 bytes in URL-safe base64 without
 * padding, 22 characters.
 */
export function kafkaUuidString(uuid: string): string {
  return Buffer.from(uuid.replace(/-/g, ''), 'hex').toString('base64url');
}
