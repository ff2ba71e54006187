/**
 * Compaction of a topic written in transactions, end to end: a kafkajs transactional producer
 * commits some transactions and aborts others, interleaved with a plain producer writing the same
 * keys, on a topic with cleanup.policy=compact and tiny segments; the broker's cleaner runs
 * (LogManager.cleanNow). Before cleaning, kcat with isolation.level=read_uncommitted sees the aborted
 * writes; after it, kcat sees only committed values at both isolation levels, each at the offset the
 * broker acknowledged, and both build the table read_committed built before. Two more rounds — the
 * second after delete.retention.ms — remove the markers whose transactions are gone.
 */
import type { Kafka, Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isControl, readBatchHeader } from '../../src/protocol/batch-header.js';
import { ControlRecordType, readControlBatch } from '../../src/protocol/control-record.js';
import { iterateBatches } from '../../src/protocol/record-batch.js';
import type { PartitionLog } from '../../src/broker/log/partition-log.js';
import { removeDir, startBroker, type TestBroker } from '../support/broker.js';
import { expectAtAcknowledgedOffsets, kcatTable, tableOf } from '../support/compaction.js';
import { createCompactedTopic, kafkaClient, kafkaProducer } from '../support/kafkajs.js';
import { hasKcat, kcatConsume, kcatMissing, type KcatRecord } from '../support/kcat.js';

const TOPIC = 'compacted-txn-table';
const KEYS = 8;
const ROUNDS = 9;
const DELETE_RETENTION_MS = 300;

interface Produced {
  offset: number;
  key: string;
  value: string;
  committed: boolean;
}

/** The control batches of a log: [offset, type (0 abort, 1 commit, -1 emptied by the cleaner)]. */
function markersOf(log: PartitionLog): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const { records } = log.read(offset, 1 << 20);
    let next = offset;
    for (const chunk of records) {
      for (const batch of iterateBatches(chunk)) {
        const h = readBatchHeader(batch);
        if (isControl(h.attributes)) out.push([Number(h.baseOffset), h.recordCount === 0 ? -1 : readControlBatch(batch).type]);
        next = Number(h.baseOffset) + h.lastOffsetDelta + 1;
      }
    }
    if (next <= offset) break;
    offset = next;
  }
  return out;
}

describe.skipIf(!hasKcat)(`compaction with transactions: kafkajs → cleaner → kcat${hasKcat ? '' : ` (skipped: ${kcatMissing})`}`, () => {
  let b: TestBroker;
  let kafka: Kafka;
  let plain: Producer;
  let transactional: Producer;
  const produced: Produced[] = [];

  beforeAll(async () => {
    // The cleaner is driven by cleanNow; a long backoff keeps the background rounds out of the way.
    b = await startBroker({ 'log.cleaner.backoff.ms': '3600000', 'transaction.state.log.num.partitions': '5' });
    kafka = kafkaClient(b.bootstrap);
    const admin = kafka.admin();
    await admin.connect();
    await createCompactedTopic(admin, TOPIC, DELETE_RETENTION_MS);
    await admin.disconnect();
    plain = kafkaProducer(kafka);
    await plain.connect();
    transactional = kafkaProducer(kafka, { transactionalId: 'compaction-txn', maxInFlightRequests: 1, idempotent: true });
    await transactional.connect();
  });

  afterAll(async () => {
    await transactional?.disconnect();
    await plain?.disconnect();
    await b?.stop();
    if (b) removeDir(b.logDir);
  });

  async function sendPlain(messages: Array<{ key: string; value: string }>): Promise<void> {
    const [ack] = await plain.send({ topic: TOPIC, acks: -1, messages: messages.map((m) => ({ ...m, partition: 0 })) });
    expect(ack.errorCode).toBe(0);
    messages.forEach((m, i) => produced.push({ offset: Number(ack.baseOffset) + i, ...m, committed: true }));
  }

  async function sendInTransaction(messages: Array<{ key: string; value: string }>, commit: boolean): Promise<void> {
    const txn = await transactional.transaction();
    const [ack] = await txn.send({ topic: TOPIC, messages: messages.map((m) => ({ ...m, partition: 0 })) });
    expect(ack.errorCode).toBe(0);
    if (commit) await txn.commit();
    else await txn.abort();
    messages.forEach((m, i) => produced.push({ offset: Number(ack.baseOffset) + i, ...m, committed: commit }));
  }

  const read = (isolation: 'read_committed' | 'read_uncommitted'): Promise<KcatRecord[]> =>
    kcatConsume(b.bootstrap, TOPIC, 0, { extra: ['-X', `isolation.level=${isolation}`] });
  /** Every record read is a committed one, at the offset it was acknowledged at, once, in order. */
  const expectCommittedAtTheirOffsets = (records: KcatRecord[]): void => expectAtAcknowledgedOffsets(records, produced);

  it('keeps only committed values, at both isolation levels, and removes markers after delete.retention.ms', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      // Plain writes of half the keys, then a transaction over all of them: every third one aborted.
      await sendPlain(Array.from({ length: KEYS / 2 }, (_, k) => ({ key: `key-${k * 2}`, value: `plain-${k * 2}-round-${round}` })));
      const commit = round % 3 !== 1;
      await sendInTransaction(
        Array.from({ length: KEYS }, (_, k) => ({ key: `key-${k}`, value: `${commit ? 'committed' : 'aborted'}-${k}-round-${round}` })),
        commit,
      );
    }
    // The last write of each key is an aborted one: an aborted write must not shadow a committed value.
    await sendInTransaction(
      Array.from({ length: KEYS }, (_, k) => ({ key: `key-${k}`, value: `aborted-${k}-last` })),
      false,
    );
    const log = b.server.logManager.getLog(TOPIC, 0)!;
    const lastTransactional = log.logEndOffset - 1;
    // Enough plain writes of other keys that every transaction and marker leaves the active segment.
    for (let i = 0; log.segmentBaseOffsets[log.segmentBaseOffsets.length - 1] <= lastTransactional; i++) {
      await sendPlain([{ key: `other-${i}`, value: 'x'.repeat(40) }]);
    }
    const expectedTable = tableOf(produced.filter((p) => p.committed));

    const committedBefore = await read('read_committed');
    expectCommittedAtTheirOffsets(committedBefore);
    expect(kcatTable(committedBefore)).toEqual(expectedTable);
    const uncommittedBefore = await read('read_uncommitted');
    expect(uncommittedBefore.some((r) => r.payload?.startsWith('aborted'))).toBe(true);
    expect(kcatTable(uncommittedBefore)).not.toEqual(expectedTable);
    const markersBefore = markersOf(log);
    expect(markersBefore.filter(([, type]) => type === ControlRecordType.abort)).toHaveLength(4);

    const logs = b.server.logManager;
    const first = await logs.cleanNow(TOPIC, 0);
    expect(first.endOffset).toBeGreaterThan(lastTransactional);

    // Both isolation levels now read only committed values, and build the table read_committed built.
    for (const isolation of ['read_committed', 'read_uncommitted'] as const) {
      const records = await read(isolation);
      expectCommittedAtTheirOffsets(records);
      expect(kcatTable(records), isolation).toEqual(expectedTable);
      expect(records.length).toBeLessThan(committedBefore.length);
    }
    expect(await read('read_committed')).toEqual(await read('read_uncommitted'));
    // Every marker saw its transaction's batches in this round, so all of them are still there.
    expect(markersOf(log)).toEqual(markersBefore);

    // The next round stamps the markers whose transactions are gone; one after the horizon removes them.
    await logs.cleanNow(TOPIC, 0);
    await new Promise((resolve) => setTimeout(resolve, DELETE_RETENTION_MS + 50));
    await logs.cleanNow(TOPIC, 0);
    const markersAfter = markersOf(log);
    // No ABORT marker is left with its record; the producer's last marker stays as an empty header.
    expect(markersAfter.filter(([, type]) => type === ControlRecordType.abort)).toEqual([]);
    expect(markersAfter.filter(([, type]) => type === -1)).toEqual([[lastTransactional, -1]]);
    expect(markersAfter.length).toBeLessThan(markersBefore.length);
    // A COMMIT marker stays exactly while its transaction still has a record in the log.
    const remaining = new Set((await read('read_uncommitted')).map((r) => r.offset));
    const commitsWithData = markersBefore
      .filter(([, type]) => type === ControlRecordType.commit)
      .filter(([offset]) => {
        const previousMarker = Math.max(-1, ...markersBefore.map(([o]) => o).filter((o) => o < offset));
        return produced.some((p) => p.offset > previousMarker && p.offset < offset && p.value.startsWith('committed') && remaining.has(p.offset));
      });
    expect(commitsWithData.length).toBeGreaterThan(0);
    expect(markersAfter.filter(([, type]) => type === ControlRecordType.commit)).toEqual(commitsWithData);
    for (const isolation of ['read_committed', 'read_uncommitted'] as const) {
      const records = await read(isolation);
      expectCommittedAtTheirOffsets(records);
      expect(kcatTable(records), isolation).toEqual(expectedTable);
    }

    // The transactional producer carries on after all that.
    await sendInTransaction([{ key: 'key-0', value: 'committed-0-after' }], true);
    expect(kcatTable(await read('read_committed')).get('key-0')).toBe('committed-0-after');
  }, 120_000);
});
