/**
 * kill -9 of the broker process in the middle of transactions: several kafkajs transactional
 * producers keep running transactions that write one record to each of three partitions (every
 * fourth one aborted) while the real `skein broker start` process is SIGKILLed at a random moment,
 * restarted on the same port, and the producers (same transactional ids) carry on — twice. Then every
 * transaction is either visible on all three partitions or on none (read_committed, kcat), every
 * commit a producer was told about is visible, no abort is, no record appears twice, and no
 * transaction is left open (the last stable offset is the log end everywhere): the ones open at the
 * kill were aborted by the next InitProducerId of their id, or by the timeout.
 *
 * Needs `npm run build` (the broker runs from dist/) and kcat.
 */
import type { Producer } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { type BrokerProcess, removeDir, spawnBroker, tempDir } from '../support/broker.js';
import { kafkaClient, kafkaProducer } from '../support/kafkajs.js';
import { hasKcat, kcatMissing } from '../support/kcat.js';
import { readCommittedValues, stableAndEndOffsets, waitFor } from '../support/transactions.js';

const TOPIC = 'txn-restart';
const PARTITIONS = 3;
const PRODUCERS = 3;
const OVERRIDES = {
  'transaction.state.log.num.partitions': '3',
  'offsets.topic.num.partitions': '3',
  'transaction.abort.timed.out.transaction.cleanup.interval.ms': '500',
};

const running: BrokerProcess[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const p of running.splice(0)) if (p.child.exitCode === null && p.child.signalCode === null) await p.kill('SIGKILL');
  for (const d of dirs.splice(0)) removeDir(d);
});

interface Outcomes {
  committed: Set<string>;
  aborted: Set<string>;
}

/**
 * Runs transactions with producer `name` until `stop()` says so or a request fails (the broker died):
 * transaction `<name>-<round>-<i>` writes that value to every partition.
 */
async function runProducer(bootstrap: string, name: string, round: number, outcomes: Outcomes, stop: () => boolean): Promise<void> {
  const kafka = kafkaClient(bootstrap, `restart-${name}`, 1);
  const producer: Producer = kafkaProducer(kafka, { transactionalId: name, maxInFlightRequests: 1, idempotent: true, transactionTimeout: 3000 });
  try {
    await producer.connect();
    for (let i = 0; !stop(); i++) {
      const value = `${name}-${round}-${i}`;
      const txn = await producer.transaction();
      await txn.send({ topic: TOPIC, messages: Array.from({ length: PARTITIONS }, (_, partition) => ({ partition, value })) });
      if (i % 4 === 3) {
        await txn.abort();
        outcomes.aborted.add(value);
      } else {
        await txn.commit();
        outcomes.committed.add(value);
      }
    }
  } catch {
    // the broker was killed under it
  } finally {
    await Promise.race([producer.disconnect().catch(() => undefined), new Promise((r) => setTimeout(r, 2000))]);
  }
}

describe.skipIf(!hasKcat)(`transactions across kill -9 of the broker (${hasKcat ? 'kcat' : kcatMissing})`, () => {
  it('leaves every transaction fully committed or fully aborted', async () => {
    const dir = tempDir('skein-txn-restart-');
    dirs.push(dir);
    let broker = await spawnBroker(dir, 0, OVERRIDES);
    running.push(broker);
    const admin = kafkaClient(broker.bootstrap).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }] });
    await admin.disconnect();

    const outcomes: Outcomes = { committed: new Set(), aborted: new Set() };
    for (let round = 0; round < 2; round++) {
      let killed = false;
      const producers = Array.from({ length: PRODUCERS }, (_, n) => runProducer(broker.bootstrap, `txp-${n}`, round, outcomes, () => killed));
      // let them get going, then kill at a random moment
      await waitFor('some transactions to commit', () => outcomes.committed.size >= (round + 1) * 10, 30_000);
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 400)));
      await broker.kill('SIGKILL');
      killed = true;
      await Promise.all(producers);
      broker = await spawnBroker(dir, broker.port, OVERRIDES);
      running.push(broker);
    }

    // transactions open at the last kill are aborted by the timeout (3 s, looked for every 0.5 s)
    await waitFor(
      'no transaction to be open',
      async () => (await stableAndEndOffsets(broker.bootstrap, TOPIC, PARTITIONS)).every(([stable, end]) => stable === end),
      30_000,
      250,
    );

    const visible = await Promise.all(Array.from({ length: PARTITIONS }, (_, p) => readCommittedValues(broker.bootstrap, TOPIC, p)));
    const sets = visible.map((values) => new Set(values));
    for (let p = 0; p < PARTITIONS; p++) expect(sets[p].size, `no duplicates in partition ${p}`).toBe(visible[p].length);
    const all = new Set(visible.flat());
    for (const value of all) {
      expect(
        sets.map((s) => s.has(value)),
        `transaction ${value} on every partition or none`,
      ).toEqual(Array(PARTITIONS).fill(true));
    }
    for (const value of outcomes.committed) expect(all.has(value), `acknowledged commit ${value}`).toBe(true);
    for (const value of outcomes.aborted) expect(all.has(value), `acknowledged abort ${value}`).toBe(false);
    // in each partition, each producer's transactions are in the order they ran
    for (let p = 0; p < PARTITIONS; p++) {
      for (let n = 0; n < PRODUCERS; n++) {
        const mine = visible[p].filter((v) => v.startsWith(`txp-${n}-`));
        const order = mine.map((v) => v.split('-').slice(2).map(Number));
        const sorted = [...order].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
        expect(order).toEqual(sorted);
      }
    }
    expect(outcomes.committed.size).toBeGreaterThanOrEqual(20);
    expect(broker.output()).toMatch(/Loaded \d+ transactional id\(s\) from __transaction_state/);
  }, 180_000);
});
