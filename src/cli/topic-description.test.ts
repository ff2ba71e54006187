import { describe, expect, it } from 'vitest';
import { ZERO_UUID } from '../protocol/reader.js';
import { formatTopicDescription, kafkaUuidString } from './topic-description.js';

describe('formatTopicDescription', () => {
  it('prints the topic line and one tab-indented line per partition, in partition order', () => {
    const lines = formatTopicDescription({
      name: 'orders',
      topicId: 'de9fbf17-3d24-4e1a-8da0-89e6ea1b8b4f',
      internal: false,
      partitions: [
        { partition: 1, leader: 1, replicas: [1], isr: [1] },
        { partition: 0, leader: -1, replicas: [1, 2], isr: [] },
      ],
      configs: [
        { name: 'cleanup.policy', value: 'compact' },
        { name: 'retention.ms', value: '1000' },
      ],
    });
    expect(lines).toEqual([
      'Topic: orders\tTopicId: 3p-_Fz0kThqNoInm6huLTw\tPartitionCount: 2\tReplicationFactor: 2\tConfigs: cleanup.policy=compact,retention.ms=1000',
      '\tTopic: orders\tPartition: 0\tLeader: none\tReplicas: 1,2\tIsr: ',
      '\tTopic: orders\tPartition: 1\tLeader: 1\tReplicas: 1\tIsr: 1',
    ]);
  });

  it('leaves out a zero topic id, as kafka-topics does', () => {
    const [head] = formatTopicDescription({ name: 't', topicId: ZERO_UUID, internal: false, partitions: [], configs: [] });
    expect(head).toBe('Topic: t\tPartitionCount: 0\tReplicationFactor: 0\tConfigs: ');
  });
});

describe('kafkaUuidString', () => {
  it('is URL-safe base64 of the 16 bytes without padding', () => {
    expect(kafkaUuidString('00000000-0000-0000-0000-000000000001')).toBe('AAAAAAAAAAAAAAAAAAAAAQ');
    expect(kafkaUuidString('fbffffff-ffff-ffff-ffff-ffffffffffff')).toHaveLength(22);
    expect(kafkaUuidString('fbffffff-ffff-ffff-ffff-ffffffffffff').startsWith('-_')).toBe(true);
  });
});
