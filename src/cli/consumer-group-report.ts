/**
 * What `skein consumer-groups` prints, in kafka-consumer-groups.sh's layouts: left-aligned columns
 * separated by one space, each as wide as Kafka makes it (at least 15 characters for the group,
 * topic, consumer id and host; fixed widths for the numbers), '-' for a value that is not known.
 * Unlike Kafka, blanks at the end of a line are trimmed.
 *
 * Row order follows Kafka: in the offsets table, the members that own partitions come first (the
 * one with most partitions first), each member's partitions by partition number (then topic), then
 * the partitions the group has committed offsets for that no member owns.
 */
import { topicPartitionKey } from '../protocol/topic-partition.js';
import type { CommittedOffset, GroupDescription, GroupListing } from './consumer-group-service.js';

export const MISSING = '-';

export interface OffsetRow {
  group: string;
  topic: string;
  partition: number;
  currentOffset: bigint | null;
  logEndOffset: bigint | null;
  consumerId: string;
  host: string;
  clientId: string;
}

/**
 * One row per partition that a member owns or that has a committed offset. Members owning no
 * partitions do not appear here (they do with --members). `logEndOffsets` is keyed by topicPartitionKey; a
 * partition missing from it shows '-'.
 */
export function offsetRows(group: GroupDescription, committed: readonly CommittedOffset[], logEndOffsets: ReadonlyMap<string, bigint | null>): OffsetRow[] {
  const offsets = new Map(committed.map((c) => [topicPartitionKey(c.topic, c.partition), c.offset]));
  const rows: OffsetRow[] = [];
  const owned = new Set<string>();
  const members = group.members.filter((m) => m.assignment.length > 0);
  // Stable sort: members with the same number of partitions keep the coordinator's order.
  members.sort((a, b) => b.assignment.length - a.assignment.length);
  const row = (topic: string, partition: number, consumerId: string, host: string, clientId: string): OffsetRow => ({
    group: group.groupId,
    topic,
    partition,
    currentOffset: offsets.get(topicPartitionKey(topic, partition)) ?? null,
    logEndOffset: logEndOffsets.get(topicPartitionKey(topic, partition)) ?? null,
    consumerId,
    host,
    clientId,
  });
  for (const m of members) {
    for (const tp of [...m.assignment].sort(byPartitionThenTopic)) {
      owned.add(topicPartitionKey(tp.topic, tp.partition));
      rows.push(row(tp.topic, tp.partition, m.memberId, m.host, m.clientId));
    }
  }
  const unowned = committed.filter((c) => !owned.has(topicPartitionKey(c.topic, c.partition))).sort(byPartitionThenTopic);
  for (const c of unowned) rows.push(row(c.topic, c.partition, MISSING, MISSING, MISSING));
  return rows;
}

/** The partitions `offsetRows` needs log end offsets for. */
export function partitionsOfRows(group: GroupDescription, committed: readonly CommittedOffset[]): Array<{ topic: string; partition: number }> {
  const seen = new Map<string, { topic: string; partition: number }>();
  for (const m of group.members) for (const tp of m.assignment) seen.set(topicPartitionKey(tp.topic, tp.partition), tp);
  for (const c of committed) seen.set(topicPartitionKey(c.topic, c.partition), { topic: c.topic, partition: c.partition });
  return [...seen.values()];
}

/** Header and rows of the default --describe table. */
export function formatOffsetsTable(rows: readonly OffsetRow[]): string[] {
  const w = {
    group: Math.max(15, ...rows.map((r) => r.group.length)),
    topic: Math.max(15, ...rows.map((r) => r.topic.length)),
    consumer: Math.max(15, ...rows.map((r) => r.consumerId.length)),
    host: Math.max(15, ...rows.map((r) => r.host.length)),
  };
  const line = (cells: string[]) => columns(cells, [w.group, w.topic, 10, 15, 15, 15, w.consumer, w.host, 0]);
  const lag = (r: OffsetRow) => (r.currentOffset !== null && r.logEndOffset !== null ? String(r.logEndOffset - r.currentOffset) : MISSING);
  return [
    line(['GROUP', 'TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'CONSUMER-ID', 'HOST', 'CLIENT-ID']),
    ...rows.map((r) => line([r.group, r.topic, String(r.partition), str(r.currentOffset), str(r.logEndOffset), lag(r), r.consumerId, r.host, r.clientId])),
  ];
}

/** Header and rows of `--describe --members` (with `verbose`, each member's partitions too). */
export function formatMembersTable(group: GroupDescription, verbose: boolean): string[] {
  const ms = group.members;
  const withInstance = ms.some((m) => (m.groupInstanceId ?? '') !== '');
  const w = {
    group: Math.max(15, group.groupId.length),
    consumer: Math.max(15, ...ms.map((m) => m.memberId.length)),
    instance: Math.max(17, ...ms.map((m) => (m.groupInstanceId ?? '').length)),
    host: Math.max(15, ...ms.map((m) => m.host.length)),
    client: Math.max(15, ...ms.map((m) => m.clientId.length)),
  };
  const widths = withInstance ? [w.group, w.consumer, w.instance, w.host, w.client, 15, 0] : [w.group, w.consumer, w.host, w.client, 15, 0];
  const line = (group: string, consumer: string, instance: string, host: string, client: string, partitions: string, assignment: string) =>
    columns(withInstance ? [group, consumer, instance, host, client, partitions, assignment] : [group, consumer, host, client, partitions, assignment], widths);
  return [
    line('GROUP', 'CONSUMER-ID', 'GROUP-INSTANCE-ID', 'HOST', 'CLIENT-ID', '#PARTITIONS', verbose ? 'ASSIGNMENT' : ''),
    ...ms.map((m) =>
      line(group.groupId, m.memberId, m.groupInstanceId ?? '', m.host, m.clientId, String(m.assignment.length), verbose ? assignmentText(m.assignment) : ''),
    ),
  ];
}

/** `--describe --state`: the group's coordinator, assignment strategy, state and member count. */
export function formatStateTable(group: GroupDescription): string[] {
  const coordinator = `${group.coordinator.host}:${group.coordinator.port} (${group.coordinator.nodeId})`;
  const widths = [Math.max(15, group.groupId.length), Math.max(25, coordinator.length), 20, 15, 0];
  return [
    columns(['GROUP', 'COORDINATOR (ID)', 'ASSIGNMENT-STRATEGY', 'STATE', '#MEMBERS'], widths),
    columns([group.groupId, coordinator, group.assignmentStrategy, group.state, String(group.members.length)], widths),
  ];
}

/** `--list --state`: each group with its state. */
export function formatGroupStates(groups: readonly GroupListing[]): string[] {
  const width = Math.max(15, ...groups.map((g) => g.groupId.length));
  return [columns(['GROUP', 'STATE'], [width, 0]), ...groups.map((g) => columns([g.groupId, g.state ?? 'Unknown'], [width, 0]))];
}

/** The plan `--reset-offsets` prints (and, with --execute, has committed). */
export function formatResetPlan(plan: ReadonlyArray<{ group: string; offsets: readonly CommittedOffset[] }>): string[] {
  const widths = [30, 30, 10, 0];
  const lines = [columns(['GROUP', 'TOPIC', 'PARTITION', 'NEW-OFFSET'], widths)];
  for (const { group, offsets } of plan) {
    for (const o of offsets) lines.push(columns([group, o.topic, String(o.partition), String(o.offset)], widths));
  }
  return lines;
}

/** `orders(0,2), payments(1)`, or '-' for no partitions. */
function assignmentText(tps: ReadonlyArray<{ topic: string; partition: number }>): string {
  if (tps.length === 0) return MISSING;
  const byTopic = new Map<string, number[]>();
  for (const tp of tps) byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp.partition]);
  return [...byTopic]
    .map(([topic, ps]) => `${topic}(${ps.sort((a, b) => a - b).join(',')})`)
    .sort()
    .join(', ');
}

/** Cells left-aligned in columns of at least `widths[i]` characters, one space apart (0: no padding). */
function columns(cells: readonly string[], widths: readonly number[]): string {
  return cells
    .map((c, i) => c.padEnd(widths[i] ?? 0))
    .join(' ')
    .trimEnd();
}

const str = (v: bigint | null): string => (v === null ? MISSING : String(v));

function byPartitionThenTopic(a: { topic: string; partition: number }, b: { topic: string; partition: number }): number {
  return a.partition - b.partition || (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0);
}
