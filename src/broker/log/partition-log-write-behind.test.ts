import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { OffsetSpec } from '../../protocol/apis/list-offsets.js';
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import { encodeControlBatch } from '../../protocol/control-record.js';
import { encodeRecordBatch } from '../../protocol/record-batch.js';
import { segmentFileName } from './log-segment.js';
import { makeBatch, rowsOf, testConfig, usePartitionLogFixture } from './testing.js';

const T0 = 1_700_000_000_000;
const BIG = 1 << 30;

describe('PartitionLog written behind', () => {
  const fx = usePartitionLogFixture('orders-0', T0);
  const fileSize = (base = 0) => fs.statSync(path.join(fx.dir, segmentFileName(base, '.log'))).size;
  const batchOf = (...values: string[]) => makeBatch({ values, timestamp: T0 });

  it('moves the log end offset at once and the high watermark once the bytes are in the file', async () => {
    const log = fx.open(testConfig());
    let moves = 0;
    log.onHighWatermark = () => moves++;
    const a = log.append(batchOf('a', 'b'), { writeBehind: true });
    const b = log.append(batchOf('c'), { writeBehind: true });
    expect([a.firstOffset, b.firstOffset]).toEqual([0, 2]);
    expect(log.logEndOffset).toBe(3);
    expect(log.highWatermark).toBe(0);
    expect(log.lastStableOffset).toBe(0);
    // The log itself reads what it holds, in the file or not.
    expect(rowsOf(log.read(0, BIG).records).map((r) => r.value)).toEqual(['a', 'b', 'c']);

    await log.whenWritten();
    expect(log.highWatermark).toBe(3);
    expect(log.lastStableOffset).toBe(3);
    expect(moves).toBeGreaterThan(0);
    expect(fileSize()).toBe(log.size);
  });

  it('a synchronous append writes out what is queued before its own bytes', () => {
    const log = fx.open(testConfig());
    log.append(batchOf('queued'), { writeBehind: true });
    log.append(batchOf('now'));
    expect(log.highWatermark).toBe(2);
    expect(fileSize()).toBe(log.size);
  });

  it('a transaction marker written after queued transactional data is behind it in the file', () => {
    const log = fx.open(testConfig());
    const txn = encodeRecordBatch({
      records: [{ key: null, value: Buffer.from('t') }],
      timestamp: BigInt(T0),
      producerId: 7n,
      producerEpoch: 0,
      baseSequence: 0,
      transactional: true,
    });
    log.append(txn, { writeBehind: true });
    expect(log.lastStableOffset).toBe(0);
    const marker = encodeControlBatch({
      producerId: 7n,
      producerEpoch: 0,
      commit: true,
      coordinatorEpoch: 0,
      timestamp: BigInt(T0),
      baseOffset: 0n,
      partitionLeaderEpoch: 0,
    });
    log.append(marker, { origin: 'coordinator' });
    expect(fileSize()).toBe(log.size);
    expect(log.lastStableOffset).toBe(2);
    expect(log.highWatermark).toBe(2);
  });

  it('does not let DeleteRecords pass the high watermark', async () => {
    const log = fx.open(testConfig());
    log.append(batchOf('a', 'b'), { writeBehind: true });
    expect(() => log.deleteRecordsBefore(1)).toThrow(expect.objectContaining({ code: ErrorCode.OFFSET_OUT_OF_RANGE }));
    await log.whenWritten();
    expect(log.deleteRecordsBefore(1)).toBe(1);
  });

  it('across a roll, waits for both segments and keeps every record', async () => {
    const log = fx.open(testConfig({ segmentBytes: 200 }));
    const values: string[] = [];
    for (let i = 0; i < 20; i++) {
      const v = `record-${i}-${'x'.repeat(40)}`;
      values.push(v);
      log.append(batchOf(v), { writeBehind: true });
    }
    expect(log.numberOfSegments).toBeGreaterThan(2);
    await log.whenWritten();
    expect(log.highWatermark).toBe(20);
    expect(rowsOf(log.read(0, BIG).records).map((r) => r.value)).toEqual(values);
  });

  it('close writes out the queue, so a reopened log has everything', async () => {
    const log = fx.open(testConfig());
    for (let i = 0; i < 50; i++) log.append(batchOf(`v${i}`), { writeBehind: true });
    await log.close();
    fx.opened = [];
    const again = fx.open(testConfig(), { hadCleanShutdown: true });
    expect(again.logEndOffset).toBe(50);
    expect(again.fetchOffsetByTimestamp(Number(OffsetSpec.latest))?.offset).toBe(50);
    expect(rowsOf(again.read(0, BIG).records)).toHaveLength(50);
  });

  it('truncates once no write is in flight, after writing out the queue', async () => {
    const log = fx.open(testConfig());
    log.append(batchOf('a'), { writeBehind: true });
    log.append(batchOf('b'), { writeBehind: true });
    log.append(batchOf('c'));
    await log.truncateTo(1);
    expect(log.logEndOffset).toBe(1);
    expect(log.highWatermark).toBe(1);
    expect(fileSize()).toBe(log.size);
    expect(rowsOf(log.read(0, BIG).records).map((r) => r.value)).toEqual(['a']);
    log.append(batchOf('d'), { writeBehind: true });
    await log.whenWritten();
    await new Promise((r) => setTimeout(r, 20));
    expect(rowsOf(log.read(0, BIG).records).map((r) => r.value)).toEqual(['a', 'd']);
    expect(fileSize()).toBe(log.size);
  });

  it('retention never deletes a segment whose bytes are still waiting to be written', async () => {
    const log = fx.open(testConfig({ segmentBytes: 150, retentionMs: 1 }));
    for (let i = 0; i < 6; i++) log.append(makeBatch({ values: [`v${i}-${'x'.repeat(60)}`], timestamp: T0 }), { writeBehind: true });
    const segments = log.numberOfSegments;
    // No write has come back yet (they answer on a later turn of the event loop).
    expect(log.highWatermark).toBe(0);
    // Everything is past retention.ms, but only what lies below the high watermark may go.
    expect(log.deleteOldSegments(T0 + 1000)).toBe(0);
    expect(log.logStartOffset).toBe(0);
    await log.whenWritten();
    expect(log.deleteOldSegments(T0 + 1000)).toBeGreaterThan(0);
    expect(log.numberOfSegments).toBeLessThanOrEqual(segments);
    expect(log.logStartOffset).toBe(6);
  });

  it('waits for queued bytes even when the append failed after queueing them', async () => {
    const log = fx.open(testConfig());
    log.append(batchOf('first'));
    const seg = log.logSegments()[0];
    const index = seg.offsetIndex as unknown as { writePending(): void };
    const original = index.writePending.bind(index);
    index.writePending = () => {
      index.writePending = original;
      throw new Error('index write failed');
    };
    expect(() => log.append(Buffer.concat([batchOf('queued')]), { writeBehind: true })).toThrow(/index write failed/);
    let settledWhenResolved: boolean | undefined;
    await log.whenWritten().then(() => (settledWhenResolved = seg.writeSettled));
    expect(settledWhenResolved).toBe(true);
  });

  it('a failed write answers KAFKA_STORAGE_ERROR, is logged, and holds the high watermark below it', async () => {
    const log = fx.open(testConfig());
    log.append(batchOf('ok'));
    // Swap the active segment's descriptor for a read-only one under the writer, as a failing disk would.
    const file = path.join(fx.dir, segmentFileName(0, '.log'));
    const writer = (log.logSegments()[0] as unknown as { writer: { fd: number } }).writer;
    const good = writer.fd;
    writer.fd = fs.openSync(file, 'r');
    log.append(batchOf('lost'), { writeBehind: true });
    const err = await log.whenWritten().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(KafkaError);
    expect((err as KafkaError).code).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
    expect(log.highWatermark).toBe(1);
    expect(fx.logger.lines.some((l) => l.startsWith('ERROR') && l.includes('offline'))).toBe(true);
    expect(() => log.append(batchOf('later'), { writeBehind: true })).toThrow(KafkaError);
    // The whole partition is offline, whichever segment comes next, and its high watermark stays put.
    expect(() => log.append(batchOf('marker-like'))).toThrow(expect.objectContaining({ code: ErrorCode.KAFKA_STORAGE_ERROR }));
    expect(() => log.roll()).not.toThrow();
    expect(() => log.append(batchOf('after roll'), { writeBehind: true })).toThrow(KafkaError);
    expect(log.deleteOldSegments(fx.clock.now() + 10 * 365 * 86_400_000)).toBe(0);
    expect(log.highWatermark).toBe(1);
    await expect(log.whenWritten()).rejects.toMatchObject({ code: ErrorCode.KAFKA_STORAGE_ERROR });
    fs.closeSync(writer.fd);
    writer.fd = good;
    fx.opened = [];
    fs.closeSync(good);
  });
});
