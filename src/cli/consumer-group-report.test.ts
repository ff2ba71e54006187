import { describe, expect, it } from 'vitest';
import { topicPartitionKey } from '../protocol/topic-partition.js';
import { formatMembersTable, formatOffsetsTable, formatResetPlan, formatStateTable, offsetRows } from './consumer-group-report.js';
import type { GroupDescription } from './consumer-group-service.js';

const group = (over: Partial<GroupDescription> = {}): GroupDescription => ({
  groupId: 'billing',
  state: 'Stable',
  protocolType: 'consumer',
  assignmentStrategy: 'range',
  coordinator: { nodeId: 1, host: '127.0.0.1', port: 9092 },
  members: [],
  ...over,
});

describe('offsetRows and formatOffsetsTable', () => {
  it('lists owned partitions (biggest member first, by partition), then committed partitions no one owns', () => {
    const g = group({
      members: [
        { memberId: 'small-1', groupInstanceId: null, clientId: 'small', host: '/10.0.0.2', assignment: [{ topic: 'orders', partition: 2 }] },
        { memberId: 'idle-1', groupInstanceId: null, clientId: 'idle', host: '/10.0.0.3', assignment: [] },
        {
          memberId: 'big-1',
          groupInstanceId: null,
          clientId: 'big',
          host: '/10.0.0.1',
          assignment: [
            { topic: 'orders', partition: 1 },
            { topic: 'orders', partition: 0 },
          ],
        },
      ],
    });
    const committed = [
      { topic: 'orders', partition: 0, offset: 5n },
      { topic: 'orders', partition: 2, offset: 7n },
      { topic: 'refunds', partition: 0, offset: 3n },
    ];
    const ends = new Map([
      [topicPartitionKey('orders', 0), 9n],
      [topicPartitionKey('orders', 1), 4n],
      [topicPartitionKey('orders', 2), 7n],
      [topicPartitionKey('refunds', 0), 10n],
    ]);
    const lines = formatOffsetsTable(offsetRows(g, committed, ends));
    expect(lines).toEqual([
      'GROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID     HOST            CLIENT-ID',
      'billing         orders          0          5               9               4               big-1           /10.0.0.1       big',
      'billing         orders          1          -               4               -               big-1           /10.0.0.1       big',
      'billing         orders          2          7               7               0               small-1         /10.0.0.2       small',
      'billing         refunds         0          3               10              7               -               -               -',
    ]);
  });

  it('widens columns to the longest value', () => {
    const g = group({
      groupId: 'a-rather-long-group-name',
      members: [
        {
          memberId: 'consumer-1-4f1c5a1e-5b8e-4a55-9bb3-000000000000',
          groupInstanceId: null,
          clientId: 'c',
          host: '/127.0.0.1',
          assignment: [{ topic: 'a-long-topic-name-here', partition: 0 }],
        },
      ],
    });
    const [header, row] = formatOffsetsTable(offsetRows(g, [], new Map()));
    expect(header.indexOf('TOPIC')).toBe(row.indexOf('a-long-topic-name-here'));
    expect(header.indexOf('HOST')).toBe(row.indexOf('/127.0.0.1'));
    expect(row.endsWith(' c')).toBe(true);
  });
});

describe('formatMembersTable', () => {
  it('prints one line per member with its partition count, and the partitions with verbose', () => {
    const g = group({
      members: [
        {
          memberId: 'm-1',
          groupInstanceId: null,
          clientId: 'app',
          host: '/127.0.0.1',
          assignment: [
            { topic: 't', partition: 1 },
            { topic: 't', partition: 0 },
            { topic: 'a', partition: 3 },
          ],
        },
        { memberId: 'm-2', groupInstanceId: null, clientId: 'app', host: '/127.0.0.1', assignment: [] },
      ],
    });
    expect(formatMembersTable(g, false)).toEqual([
      'GROUP           CONSUMER-ID     HOST            CLIENT-ID       #PARTITIONS',
      'billing         m-1             /127.0.0.1      app             3',
      'billing         m-2             /127.0.0.1      app             0',
    ]);
    expect(formatMembersTable(g, true).slice(1)).toEqual([
      'billing         m-1             /127.0.0.1      app             3               a(3), t(0,1)',
      'billing         m-2             /127.0.0.1      app             0               -',
    ]);
  });

  it('adds GROUP-INSTANCE-ID when a member is static', () => {
    const g = group({ members: [{ memberId: 'm-1', groupInstanceId: 'host-a', clientId: 'app', host: '/h', assignment: [] }] });
    expect(formatMembersTable(g, false)[0]).toBe('GROUP           CONSUMER-ID     GROUP-INSTANCE-ID HOST            CLIENT-ID       #PARTITIONS');
  });
});

describe('formatStateTable and formatResetPlan', () => {
  it('prints the coordinator, strategy, state and member count', () => {
    expect(formatStateTable(group())).toEqual([
      'GROUP           COORDINATOR (ID)          ASSIGNMENT-STRATEGY  STATE           #MEMBERS',
      'billing         127.0.0.1:9092 (1)        range                Stable          0',
    ]);
  });

  it('prints the reset plan in 30-wide columns', () => {
    expect(formatResetPlan([{ group: 'g', offsets: [{ topic: 't', partition: 0, offset: 42n }] }])).toEqual([
      'GROUP                          TOPIC                          PARTITION  NEW-OFFSET',
      'g                              t                              0          42',
    ]);
  });
});
