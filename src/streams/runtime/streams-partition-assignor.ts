/**
 * The group's assignor (Kafka Streams' `StreamsPartitionAssignor`), plugged into kafkajs as a custom
 * partition assigner. It assigns *tasks*, not partitions: task `<sub-topology>_<p>` is partition p
 * of every topic its sub-topology reads, so co-partitioned inputs always land together.
 *
 * Each member says in its subscription which tasks it ran before and which it has local state for;
 * the leader keeps tasks where they were (sticky), then where their state is, then on the member
 * with the fewest tasks, and finally evens out the members' loads — so a rebalance moves as few
 * tasks, and as little state, as it can, and a member that joins (an added thread) gets its share.
 */
import { AssignerProtocol, type Assigner, type GroupMember, type GroupMemberAssignment, type PartitionAssigner } from 'kafkajs';
import type { TopicLayout } from './internal-topic-manager.js';

export const ASSIGNOR_NAME = 'skein-streams';
const VERSION = 1;

/** What a member tells the leader (subscription user data, JSON). */
export interface SubscriptionInfo {
  readonly processId: string;
  /** Tasks this member ran in the previous generation. */
  readonly previousTasks: readonly string[];
  /** Tasks with a state directory on this member's host. */
  readonly tasksWithState: readonly string[];
  readonly applicationServer: string;
  /** `num.standby.replicas` of this member's application (the leader uses its own if absent). */
  readonly standbyReplicas?: number;
}

/** Where tasks run, by `application.server` (for interactive queries routed between instances). */
export interface HostTasks {
  readonly active: readonly string[];
  readonly standby: readonly string[];
}

/**
 * What the leader tells a member (assignment user data, JSON). kafkajs does not hand a member its
 * user data, so members read it back with DescribeGroups (see StreamThread).
 */
export interface AssignmentInfo {
  readonly activeTasks: readonly string[];
  readonly standbyTasks: readonly string[];
  /** Every instance's tasks, by application.server ('' for instances without one). */
  readonly hosts: Readonly<Record<string, HostTasks>>;
}

export interface AssignorOptions {
  /** The topic layout, known once the application has set up its topics. */
  layout(): TopicLayout;
  subscriptionInfo(): SubscriptionInfo;
  /** `num.standby.replicas`. */
  standbyReplicas(): number;
  /** Receives the leader's decision for this member. */
  onAssignment?(info: AssignmentInfo): void;
}

export function taskId(subtopology: number, partition: number): string {
  return `${subtopology}_${partition}`;
}

export function parseTaskId(id: string): { subtopology: number; partition: number } {
  const m = /^(\d+)_(\d+)$/.exec(id);
  if (m === null) throw new Error(`not a task id: ${id}`);
  return { subtopology: Number(m[1]), partition: Number(m[2]) };
}

/** All tasks of the layout, in order. */
export function allTasks(layout: TopicLayout): string[] {
  const out: string[] = [];
  for (const [sub, n] of [...layout.partitionsPerSubtopology].sort((a, b) => a[0] - b[0])) {
    for (let p = 0; p < n; p++) out.push(taskId(sub, p));
  }
  return out;
}

/** The partitions a task consumes. */
export function partitionsOfTask(layout: TopicLayout, id: string): { topic: string; partition: number }[] {
  const { subtopology, partition } = parseTaskId(id);
  return (layout.sourceTopicsPerSubtopology.get(subtopology) ?? [])
    .filter((t) => partition < (layout.partitionCounts.get(t) ?? 0))
    .map((topic) => ({ topic, partition }));
}

/**
 * The decision itself, free of kafkajs: members (in a stable order) and their subscriptions in,
 * tasks per member out.
 */
export function assignTasks(tasks: readonly string[], members: readonly { id: string; info: SubscriptionInfo | null }[]): Map<string, string[]> {
  const result = new Map<string, string[]>(members.map((m) => [m.id, []]));
  if (members.length === 0) return result;
  const capacity = Math.ceil(tasks.length / members.length);
  const unassigned = new Set(tasks);
  const give = (member: string, task: string): void => {
    (result.get(member) as string[]).push(task);
    unassigned.delete(task);
  };
  // 1. Sticky: a task stays with the member that ran it, while that member is under capacity.
  for (const m of members) {
    for (const t of m.info?.previousTasks ?? []) {
      if (unassigned.has(t) && (result.get(m.id) as string[]).length < capacity) give(m.id, t);
    }
  }
  // 2. Then where its state is.
  for (const t of [...unassigned]) {
    const holder = members.find((m) => m.info?.tasksWithState.includes(t) && (result.get(m.id) as string[]).length < capacity);
    if (holder !== undefined) give(holder.id, t);
  }
  // 3. The rest to the least loaded (ties: the first in order).
  for (const t of [...unassigned]) {
    let best = members[0].id;
    for (const m of members) if ((result.get(m.id) as string[]).length < (result.get(best) as string[]).length) best = m.id;
    give(best, t);
  }
  // 4. Balance. Stickiness under a capacity of ⌈tasks/members⌉ can leave a new member idle (6 tasks
  //    kept 2, 2, 1, 1 by four members give a fifth none), and processes uneven (two threads of one
  //    process keeping 2 + 2 while the other's get 1 + 1). So tasks move one at a time: from the
  //    process with the most tasks per thread to the one with the fewest while that evens them out
  //    (Kafka Streams, too, gives processes tasks in proportion to their threads), then from the
  //    most to the least loaded member while two differ by more than one. Each move prefers a task
  //    whose state the receiver has (a thread of the same process: nothing to restore).
  const processOf = (m: { id: string; info: SubscriptionInfo | null }): string => m.info?.processId ?? m.id;
  const threads = new Map<string, number>();
  for (const m of members) threads.set(processOf(m), (threads.get(processOf(m)) ?? 0) + 1);
  const load = (m: { id: string }): number => (result.get(m.id) as string[]).length;
  const move = (from: { id: string }, to: { id: string; info: SubscriptionInfo | null }): void => {
    const tasks = result.get(from.id) as string[];
    const withState = new Set(to.info?.tasksWithState ?? []);
    const task = tasks.find((t) => withState.has(t)) ?? tasks[tasks.length - 1];
    tasks.splice(tasks.indexOf(task), 1);
    (result.get(to.id) as string[]).push(task);
  };
  /** The first of `donors` holding a task whose state `to` has. */
  const withStateFor = <M extends { id: string }>(to: { info: SubscriptionInfo | null }, donors: M[]): M | undefined => {
    const withState = new Set(to.info?.tasksWithState ?? []);
    return donors.find((m) => (result.get(m.id) as string[]).some((t) => withState.has(t)));
  };
  for (;;) {
    const totals = new Map<string, number>();
    for (const m of members) totals.set(processOf(m), (totals.get(processOf(m)) ?? 0) + load(m));
    const perThread = (p: string): number => (totals.get(p) as number) / (threads.get(p) as number);
    const byLoad = [...threads.keys()].sort((a, b) => perThread(b) - perThread(a) || a.localeCompare(b));
    const [busy, idle] = [byLoad[0], byLoad[byLoad.length - 1]];
    const [tb, nb, ti, ni] = [totals.get(busy) as number, threads.get(busy) as number, totals.get(idle) as number, threads.get(idle) as number];
    // One task from busy to idle lowers Σ total²/threads (so the loop ends) only if this holds.
    if ((2 * ti + 1) / ni < (2 * tb - 1) / nb) {
      const to = members.filter((m) => processOf(m) === idle).reduce((a, b) => (load(b) < load(a) ? b : a));
      const from = members.filter((m) => processOf(m) === busy && load(m) > load(to)).sort((a, b) => load(b) - load(a));
      if (from.length > 0) {
        move(withStateFor(to, from) ?? from[0], to);
        continue;
      }
    }
    const least = members.reduce((a, b) => (load(b) < load(a) ? b : a));
    const over = members.filter((m) => load(m) > load(least) + 1).sort((a, b) => load(b) - load(a));
    if (over.length === 0) break;
    move(withStateFor(least, over) ?? over[0], least);
  }
  return result;
}

/**
 * Standby tasks (Kafka Streams' `num.standby.replicas`): each task gets up to `replicas` standbys on
 * members of *other processes* than its active one (a copy in the same process would die with it),
 * preferring members that already hold its state, then the least loaded; never two in one process.
 */
export function assignStandbys(
  tasks: readonly string[],
  members: readonly { id: string; info: SubscriptionInfo | null }[],
  active: ReadonlyMap<string, readonly string[]>,
  replicas: number,
): Map<string, string[]> {
  const result = new Map<string, string[]>(members.map((m) => [m.id, []]));
  if (replicas <= 0) return result;
  const processOf = new Map(members.map((m) => [m.id, m.info?.processId ?? m.id]));
  const activeOwner = new Map<string, string>();
  for (const [member, ts] of active) for (const t of ts) activeOwner.set(t, member);
  for (const t of tasks) {
    const usedProcesses = new Set<string>([processOf.get(activeOwner.get(t) ?? '') ?? '']);
    for (let r = 0; r < replicas; r++) {
      const candidates = members.filter((m) => !usedProcesses.has(processOf.get(m.id) as string));
      if (candidates.length === 0) break;
      const load = (m: { id: string }): number => (result.get(m.id) as string[]).length + (active.get(m.id)?.length ?? 0);
      candidates.sort((a, b) => Number(b.info?.tasksWithState.includes(t) ?? false) - Number(a.info?.tasksWithState.includes(t) ?? false) || load(a) - load(b));
      const chosen = candidates[0];
      (result.get(chosen.id) as string[]).push(t);
      usedProcesses.add(processOf.get(chosen.id) as string);
    }
  }
  return result;
}

export function streamsPartitionAssignor(options: AssignorOptions): PartitionAssigner {
  return (): Assigner => ({
    name: ASSIGNOR_NAME,
    version: VERSION,
    async assign({ members }: { members: GroupMember[]; topics: string[] }): Promise<GroupMemberAssignment[]> {
      const layout = options.layout();
      const decoded = members
        .map((m) => ({ id: m.memberId, info: decodeSubscription(m.memberMetadata) }))
        .sort((a, b) => (a.info?.processId ?? '').localeCompare(b.info?.processId ?? '') || a.id.localeCompare(b.id));
      const tasks = allTasks(layout);
      const byMember = assignTasks(tasks, decoded);
      const replicas = options.standbyReplicas();
      const standbys = assignStandbys(tasks, decoded, byMember, replicas);
      const hosts: Record<string, { active: string[]; standby: string[] }> = {};
      for (const m of decoded) {
        const h = (hosts[m.info?.applicationServer ?? ''] ??= { active: [], standby: [] });
        h.active.push(...(byMember.get(m.id) as string[]));
        h.standby.push(...(standbys.get(m.id) as string[]));
      }
      return decoded.map((m) => {
        const active = byMember.get(m.id) as string[];
        const assignment: Record<string, number[]> = {};
        for (const t of active) {
          for (const tp of partitionsOfTask(layout, t)) (assignment[tp.topic] ??= []).push(tp.partition);
        }
        const info: AssignmentInfo = { activeTasks: active, standbyTasks: standbys.get(m.id) as string[], hosts };
        return {
          memberId: m.id,
          memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: VERSION, assignment, userData: Buffer.from(JSON.stringify(info)) }),
        };
      });
    },
    protocol({ topics }: { topics: string[] }) {
      return {
        name: ASSIGNOR_NAME,
        metadata: AssignerProtocol.MemberMetadata.encode({ version: VERSION, topics, userData: Buffer.from(JSON.stringify(options.subscriptionInfo())) }),
      };
    },
  });
}

function decodeSubscription(metadata: Buffer): SubscriptionInfo | null {
  try {
    const m = AssignerProtocol.MemberMetadata.decode(metadata);
    if (m === null || m.userData === undefined || m.userData.length === 0) return null;
    return JSON.parse(m.userData.toString()) as SubscriptionInfo;
  } catch {
    return null;
  }
}

/** A member's assignment user data, as DescribeGroups returns its assignment bytes. */
export function decodeAssignmentInfo(memberAssignment: Buffer): AssignmentInfo | null {
  try {
    const a = AssignerProtocol.MemberAssignment.decode(memberAssignment);
    if (a === null || a.userData === undefined || a.userData.length === 0) return null;
    return JSON.parse(a.userData.toString()) as AssignmentInfo;
  } catch {
    return null;
  }
}
