/**
 * librdkafka's transactional producer (python3-confluent-kafka, test/support/txn_copier.py) copying a
 * topic exactly once: a consumer in a group reads the input read_committed, and each batch is one
 * transaction that produces the records and commits the consumed offsets with
 * send_offsets_to_transaction(..., consumer.consumer_group_metadata()) — TxnOffsetCommit v3, checked
 * against the group's member id and generation (KIP-447). One transaction, with a junk record and
 * junk offsets, is aborted: neither is ever seen.
 */
import { join } from 'node:path';
import type { Admin, Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, ROOT, startBroker, type TestBroker } from '../support/broker.js';
import { confluentKafkaMissing, hasConfluentKafka, PYTHON } from '../support/confluent-kafka.js';
import { hasKcat, kcatConsume } from '../support/kcat.js';
import { kafkaClient, kafkaProducer } from '../support/kafkajs.js';
import { run } from '../support/run.js';

const INPUT = 'lib-in';
const OUTPUT = 'lib-out';
const GROUP = 'lib-copier';
const PARTITIONS = 3;
const PER_PARTITION = 40;
const SCRIPT = join(ROOT, 'test/support/txn_copier.py');

describe.skipIf(!hasConfluentKafka || !hasKcat)(`transactions with librdkafka (${hasConfluentKafka ? 'confluent-kafka' : confluentKafkaMissing})`, () => {
  let b: TestBroker;
  let kafka: Kafka;
  let admin: Admin;

  beforeAll(async () => {
    b = await startBroker({
      'group.initial.rebalance.delay.ms': '0',
      'offsets.topic.num.partitions': '5',
      'transaction.state.log.num.partitions': '5',
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
    await admin?.disconnect();
    await b?.stop();
    if (b) removeDir(b.logDir);
  });

  it('copies every record once, commits the offsets with each transaction, and hides the aborted one', async () => {
    const producer = kafkaProducer(kafka);
    await producer.connect();
    for (let p = 0; p < PARTITIONS; p++) {
      for (let i = 0; i < PER_PARTITION; i += 10) {
        await producer.send({ topic: INPUT, messages: Array.from({ length: 10 }, (_, j) => ({ partition: p, key: `k${p}`, value: `p${p}-r${i + j}` })) });
      }
    }
    await producer.disconnect();

    const total = PARTITIONS * PER_PARTITION;
    const { stdout } = await run(PYTHON, [SCRIPT, 'copy', b.bootstrap, INPUT, OUTPUT, GROUP, 'lib-copier-tx', String(total)], { timeoutMs: 90_000 });
    const events = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string; records?: number });
    expect(events.filter((e) => e.event === 'aborted').length).toBe(1);
    expect(events.filter((e) => e.event === 'committed').reduce((n, e) => n + (e.records ?? 0), 0)).toBe(total);

    for (let p = 0; p < PARTITIONS; p++) {
      const committed = await kcatConsume(b.bootstrap, OUTPUT, p, { extra: ['-X', 'isolation.level=read_committed'] });
      expect(committed.map((r) => r.payload)).toEqual(Array.from({ length: PER_PARTITION }, (_, i) => `P${p}-R${i}`));
      expect(committed.every((r) => r.key === `k${p}`)).toBe(true);
    }
    // the aborted junk is in the log, but only a read_uncommitted reader sees it
    const uncommitted = await kcatConsume(b.bootstrap, OUTPUT, 0, { extra: ['-X', 'isolation.level=read_uncommitted'] });
    expect(uncommitted.map((r) => r.payload)).toContain('junk');

    const offsets = await admin.fetchOffsets({ groupId: GROUP, topics: [INPUT] });
    expect(offsets[0].partitions.sort((a, b) => a.partition - b.partition).map((p) => p.offset)).toEqual(Array(PARTITIONS).fill(String(PER_PARTITION)));
    const txn = b.server.services.transactionCoordinator.handleDescribeTransactions('lib-copier-tx');
    expect(txn).toMatchObject({ errorCode: 0, transactionState: 'CompleteCommit', producerEpoch: 0 });
  }, 120_000);
});
