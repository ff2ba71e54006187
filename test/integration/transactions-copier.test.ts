/**
 * Exactly once, end to end: a consume-transform-produce copier (kafkajs, one transactional producer,
 * a consumer group, sendOffsets in every transaction — test/support/txn-copier.mjs) runs as a child
 * process and is SIGKILLed at random points ten times, each time soon after it has committed
 * something, often in the middle of a transaction; each new instance fences the last one and aborts
 * its open transaction. At the end the output, read read_committed, holds every input record exactly
 * once, in per-partition order, and the group's committed offsets are the input's end.
 *
 * Needs kcat.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Admin, Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, ROOT, startBroker, type TestBroker } from '../support/broker.js';
import { hasKcat, kcatMissing } from '../support/kcat.js';
import { kafkaClient, kafkaProducer } from '../support/kafkajs.js';
import { readCommittedValues, stableAndEndOffsets, waitFor } from '../support/transactions.js';

const INPUT = 'copier-in';
const OUTPUT = 'copier-out';
const GROUP = 'copier';
const TRANSACTIONAL_ID = 'copier-tx';
const PARTITIONS = 3;
const PER_PARTITION = 300;
const KILLS = 10;
const SCRIPT = join(ROOT, 'test/support/txn-copier.mjs');

class Copier {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  committed = 0;
  ready = false;
  stderr = '';

  constructor(bootstrap: string) {
    this.child = spawn(process.execPath, [SCRIPT, bootstrap, INPUT, OUTPUT, GROUP, TRANSACTIONAL_ID, '20'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let buffered = '';
    this.child.stdout?.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const l of lines) {
        if (l.trim() === '') continue;
        const e = JSON.parse(l) as { event: string };
        if (e.event === 'ready') this.ready = true;
        if (e.event === 'committed') this.committed++;
      }
    });
    this.child.stderr?.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}

describe.skipIf(!hasKcat)(`an exactly-once copier killed at random points (${hasKcat ? 'kcat' : kcatMissing})`, () => {
  let b: TestBroker;
  let kafka: Kafka;
  let admin: Admin;
  const copiers: Copier[] = [];

  beforeAll(async () => {
    b = await startBroker({
      'group.initial.rebalance.delay.ms': '0',
      'group.min.session.timeout.ms': '500',
      'offsets.topic.num.partitions': '5',
      'transaction.state.log.num.partitions': '5',
      'transaction.abort.timed.out.transaction.cleanup.interval.ms': '500',
    });
    kafka = kafkaClient(b.bootstrap);
    admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        { topic: INPUT, numPartitions: PARTITIONS },
        { topic: OUTPUT, numPartitions: PARTITIONS },
      ],
    });
  });

  afterAll(async () => {
    for (const c of copiers) await c.kill();
    await admin?.disconnect();
    await b?.stop();
    if (b) removeDir(b.logDir);
  });

  it('copies every record exactly once, in order, across ten kill -9s', async () => {
    const producer = kafkaProducer(kafka);
    await producer.connect();
    const input: string[][] = Array.from({ length: PARTITIONS }, () => []);
    for (let i = 0; i < PER_PARTITION; i += 10) {
      for (let p = 0; p < PARTITIONS; p++) {
        const messages = Array.from({ length: 10 }, (_, j) => ({ partition: p, key: `k${(i + j) % 7}`, value: `p${p}-${i + j}` }));
        input[p].push(...messages.map((m) => m.value));
        await producer.send({ topic: INPUT, messages });
      }
    }
    await producer.disconnect();

    let kills = 0;
    while (kills < KILLS) {
      const copier = new Copier(b.bootstrap);
      copiers.push(copier);
      // kill it soon after it has committed something (or while it is still starting, now and then)
      const early = Math.random() < 0.2;
      await Promise.race([waitFor('the copier to commit', () => copier.committed > 0 || (early && copier.ready), 60_000), copier.exited]);
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 120)));
      await copier.kill();
      kills++;
    }

    const last = new Copier(b.bootstrap);
    copiers.push(last);
    const done = async () => {
      const offsets = await admin.fetchOffsets({ groupId: GROUP, topics: [INPUT] });
      return offsets[0].partitions.every((p) => Number(p.offset) === PER_PARTITION);
    };
    await Promise.race([
      waitFor('the copier to commit the whole input', done, 120_000, 250),
      last.exited.then(() => {
        throw new Error(`the last copier exited: ${last.stderr}`);
      }),
    ]);
    await last.kill();

    expect((await stableAndEndOffsets(b.bootstrap, OUTPUT, PARTITIONS)).every(([stable, end]) => stable === end)).toBe(true);
    for (let p = 0; p < PARTITIONS; p++) {
      const output = await readCommittedValues(b.bootstrap, OUTPUT, p);
      expect(output.length, `partition ${p}: every input record exactly once`).toBe(PER_PARTITION);
      expect(output, `partition ${p}`).toEqual(input[p]);
    }
  }, 300_000);
});
