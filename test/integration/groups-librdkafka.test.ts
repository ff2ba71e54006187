/**
 * librdkafka balanced consumers as group members: confluent-kafka (Python) with static membership
 * (group.instance.id, KIP-345) and kcat -G as a dynamic member. A static member that restarts
 * within its session timeout gets its assignment back with no rebalance for anyone.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GroupState } from '../../src/broker/group/group-state.js';
import { removeDir, ROOT, startBroker, type TestBroker } from '../support/broker.js';
import { confluentKafkaMissing, hasConfluentKafka, PYTHON } from '../support/confluent-kafka.js';
import { hasKcat, KCAT } from '../support/kcat.js';
import { kafkaClient } from '../support/kafkajs.js';

const TOPIC = 'events';
const GROUP = 'librdkafka-static';
const KCAT_GROUP = 'librdkafka-mixed';
const PARTITIONS = 4;
const SCRIPT = join(ROOT, 'test/support/group_member.py');

interface PyEvent {
  member: string;
  event: 'assigned' | 'revoked' | 'record' | 'closed';
  partitions?: number[];
  partition?: number;
  offset?: number;
}

class PythonMember {
  readonly events: PyEvent[] = [];
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  stderr = '';

  constructor(bootstrap: string, groupId: string, name: string, instanceId: string | null, sessionTimeoutMs = 10_000) {
    const args = [SCRIPT, bootstrap, groupId, TOPIC, name, String(sessionTimeoutMs)];
    if (instanceId !== null) args.push(instanceId);
    this.child = spawn(PYTHON, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let buffered = '';
    this.child.stdout?.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const l of lines) if (l.trim() !== '') this.events.push(JSON.parse(l) as PyEvent);
    });
    this.child.stderr?.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  get assignment(): number[] | undefined {
    for (let i = this.events.length - 1; i >= 0; i--) if (this.events[i].event === 'assigned') return this.events[i].partitions;
    return undefined;
  }

  rebalanceEvents(): number {
    return this.events.filter((e) => e.event === 'assigned' || e.event === 'revoked').length;
  }

  records(): number {
    return this.events.filter((e) => e.event === 'record').length;
  }

  close(): void {
    this.child.stdin?.write('close\n');
  }
}

async function waitFor(what: string, condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(!hasConfluentKafka)(`librdkafka group members (${hasConfluentKafka ? 'confluent-kafka' : confluentKafkaMissing})`, () => {
  let b: TestBroker;
  let producer: Producer;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    b = await startBroker({ 'group.initial.rebalance.delay.ms': '500', 'group.min.session.timeout.ms': '1000', 'offsets.topic.num.partitions': '5' });
    const kafka = kafkaClient(b.bootstrap);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }] });
    await admin.disconnect();
    producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
  });

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await producer?.disconnect();
    await b?.stop();
    if (b) removeDir(b.logDir);
  });

  const group = (id = GROUP) => b.server.services.groupCoordinator.groupManager.getGroup(id);
  const produce = (n: number) =>
    producer.send({ topic: TOPIC, messages: Array.from({ length: n }, (_, i) => ({ partition: i % PARTITIONS, value: `e${i}` })) });

  function start(name: string, instanceId: string | null, groupId = GROUP): PythonMember {
    const m = new PythonMember(b.bootstrap, groupId, name, instanceId);
    children.push(m.child);
    return m;
  }

  const coverAll = (...ms: PythonMember[]) =>
    ms
      .flatMap((m) => m.assignment ?? [])
      .sort()
      .join() === '0,1,2,3' && ms.every((m) => (m.assignment?.length ?? 0) > 0);

  it('gives a static member restarted within its session timeout its assignment back, without a rebalance', async () => {
    await produce(40);
    const s1 = start('s1', 'static-1');
    const s2 = start('s2', 'static-2');
    await waitFor('both static members to be assigned', () => coverAll(s1, s2) && group()?.state === GroupState.Stable && group()?.size === 2, 45_000);
    await waitFor('both to consume', () => s1.records() > 0 && s2.records() > 0);
    const generation = group()?.generationId;
    const s1Assignment = s1.assignment;
    const s2RebalanceEvents = s2.rebalanceEvents();
    expect(group()?.currentStaticMemberId('static-1')).toBeDefined();
    const oldMemberId = group()?.currentStaticMemberId('static-1');

    // close (no LeaveGroup for a static member) and come back with the same instance id
    s1.close();
    expect(await s1.exited).toBe(0);
    expect(group()?.size).toBe(2);
    expect(group()?.state).toBe(GroupState.Stable);
    const s1Again = start('s1-again', 'static-1');
    await waitFor('the restarted static member to be assigned', () => s1Again.assignment !== undefined, 30_000);
    expect(s1Again.assignment).toEqual(s1Assignment);
    expect(group()?.currentStaticMemberId('static-1')).not.toBe(oldMemberId);
    expect(group()?.generationId).toBe(generation);
    expect(group()?.state).toBe(GroupState.Stable);

    // it carries on where s1 left off; the other member never saw a rebalance
    await produce(40);
    await waitFor('the restarted member to consume', () => s1Again.records() > 0);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(s2.rebalanceEvents()).toBe(s2RebalanceEvents);
    expect(group()?.generationId).toBe(generation);

    // every record was consumed, by exactly one member
    const recordCounts = () => {
      const counts = new Map<string, number>();
      for (const m of [s1, s2, s1Again])
        for (const e of m.events) if (e.event === 'record') counts.set(`${e.partition}:${e.offset}`, (counts.get(`${e.partition}:${e.offset}`) ?? 0) + 1);
      return counts;
    };
    await waitFor('all 80 records to be consumed', () => recordCounts().size === 80);
    expect([...recordCounts()].filter(([, n]) => n !== 1)).toEqual([]);

    for (const m of [s2, s1Again]) m.close();
    await Promise.all([s2.exited, s1Again.exited]);
  }, 120_000);

  it.skipIf(!hasKcat)(
    'takes kcat -G as a dynamic member next to a static one',
    async () => {
      const s = start('static', 'static-3', KCAT_GROUP);
      await waitFor(
        'the static member to own every partition',
        () => s.assignment?.length === PARTITIONS && group(KCAT_GROUP)?.state === GroupState.Stable,
        45_000,
      );
      const generation = group(KCAT_GROUP)?.generationId as number;

      const kcat = spawn(KCAT, ['-u', '-b', b.bootstrap, '-G', KCAT_GROUP, '-X', 'session.timeout.ms=6000', '-f', '%p:%o\\n', '-o', 'beginning', TOPIC], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(kcat);
      let kcatOut = '';
      kcat.stdout?.on('data', (d: Buffer) => (kcatOut += d.toString()));
      await waitFor(
        'kcat to join and the group to rebalance',
        () => group(KCAT_GROUP)?.size === 2 && group(KCAT_GROUP)?.state === GroupState.Stable && coverAll(s) === false,
        30_000,
      );
      expect(group(KCAT_GROUP)?.generationId).toBeGreaterThan(generation);
      const kcatMember = [...(group(KCAT_GROUP)?.members.values() ?? [])].find((m) => m.groupInstanceId === null);
      expect(kcatMember?.clientId).toBe('rdkafka');
      expect(kcatMember?.assignment.length).toBeGreaterThan(0);
      await waitFor('the static member to have half the partitions', () => s.assignment?.length === PARTITIONS / 2, 30_000);

      await produce(20);
      await waitFor(
        'kcat to consume its partitions',
        () =>
          kcatOut
            .trim()
            .split('\n')
            .filter((l) => l !== '').length > 0,
        30_000,
      );

      // kcat leaves on SIGTERM (a dynamic member sends LeaveGroup): the static member takes everything back
      kcat.kill('SIGTERM');
      await waitFor('the static member to own every partition again', () => s.assignment?.length === PARTITIONS && group(KCAT_GROUP)?.size === 1, 30_000);
      s.close();
      await s.exited;
    },
    120_000,
  );
});
