/**
 * What a producer was told stays true across restarts of the real `skein broker start` process:
 * every acknowledged record (acks=-1) is served at the offset it was acknowledged at after a clean
 * stop (SIGTERM, exit 0), after kill -9 in the middle of a stream of sends, and after the tail of
 * the active segment is torn or garbled on disk — which the broker truncates on start, says so in
 * its log, and then appends after at the right offset.
 *
 * Needs `npm run build` (the broker runs from dist/). Reads back with kcat when it is installed,
 * otherwise with our own Fetch client.
 */
import { existsSync, openSync, closeSync, readFileSync, truncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { CLEAN_SHUTDOWN_FILE } from '../../src/broker/log/log-manager.js';
import { removeDir, spawnBroker, tempDir, type BrokerProcess } from '../support/broker.js';
import { kafkaClient, kafkaProducer } from '../support/kafkajs.js';
import { hasKcat, kcatConsume } from '../support/kcat.js';
import { batchesIn, partitionDir, segmentFiles } from '../support/log-files.js';
import { RawKafka } from '../support/raw-kafka.js';

interface Rec {
  offset: number;
  key: string | null;
  value: string | null;
}

const running: BrokerProcess[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const p of running.splice(0)) if (p.child.exitCode === null && p.child.signalCode === null) await p.kill('SIGKILL');
  for (const d of dirs.splice(0)) removeDir(d);
});

async function start(logDir: string): Promise<BrokerProcess> {
  const p = await spawnBroker(logDir);
  running.push(p);
  return p;
}

function newLogDir(): string {
  const d = tempDir('skein-durability-');
  dirs.push(d);
  return d;
}

/** Every record of a partition, read with kcat if it is installed, else with our own Fetch client. */
async function readPartition(bootstrap: string, topic: string, partition: number): Promise<Rec[]> {
  if (hasKcat) return (await kcatConsume(bootstrap, topic, partition)).map((r) => ({ offset: r.offset, key: r.key, value: r.payload }));
  const raw = await RawKafka.connect(bootstrap);
  try {
    return (await raw.readAll(topic, partition, 0)).map(({ offset, key, value }) => ({ offset, key, value }));
  } finally {
    raw.close();
  }
}

async function createTopic(kafka: Kafka, topic: string, numPartitions: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    expect(await admin.createTopics({ topics: [{ topic, numPartitions }] })).toBe(true);
  } finally {
    await admin.disconnect();
  }
}

/**
 * Sends `sends` produce requests of `perSend` records spread over `partitions` partitions, one at
 * a time with acks=-1, and returns every acknowledged record with the offset the broker gave it.
 */
async function produceAcknowledged(kafka: Kafka, topic: string, partitions: number, sends: number, perSend: number, from = 0): Promise<Map<number, Rec[]>> {
  const acked = new Map<number, Rec[]>(Array.from({ length: partitions }, (_, p) => [p, []]));
  const producer = kafkaProducer(kafka);
  await producer.connect();
  try {
    for (let s = from; s < from + sends; s++) await sendOne(producer, topic, partitions, s, perSend, acked);
  } finally {
    await producer.disconnect();
  }
  return acked;
}

async function sendOne(
  producer: ReturnType<typeof kafkaProducer>,
  topic: string,
  partitions: number,
  s: number,
  perSend: number,
  acked: Map<number, Rec[]>,
): Promise<void> {
  const messages = Array.from({ length: perSend }, (_, j) => ({ partition: j % partitions, key: `s${s}`, value: `send-${s}-record-${j}` }));
  const acks = await producer.send({ topic, acks: -1, messages });
  for (const ack of acks) {
    expect(ack.errorCode).toBe(0);
    const mine = messages.filter((m) => m.partition === ack.partition);
    mine.forEach((m, i) => acked.get(ack.partition)!.push({ offset: Number(ack.baseOffset) + i, key: m.key, value: m.value }));
  }
}

/** Every acknowledged record is in `served` at its offset, and `served` has no gaps from 0. */
function expectAllAcknowledgedServed(served: Rec[], acked: Rec[], label: string): void {
  expect(
    served.map((r) => r.offset),
    `${label}: offsets`,
  ).toEqual(served.map((_, i) => i));
  const byOffset = new Map(served.map((r) => [r.offset, r]));
  const missing = acked.filter((a) => JSON.stringify(byOffset.get(a.offset)) !== JSON.stringify(a));
  expect(missing.slice(0, 5), `${label}: ${missing.length} acknowledged record(s) not served as acknowledged`).toEqual([]);
}

describe('clean stop (SIGTERM)', () => {
  it('exits 0 after a clean shutdown, and on restart serves every acknowledged record at its offset', async () => {
    const logDir = newLogDir();
    let broker = await start(logDir);
    let kafka = kafkaClient(broker.bootstrap);
    await createTopic(kafka, 'sigterm', 2);
    const acked = await produceAcknowledged(kafka, 'sigterm', 2, 100, 20);

    expect(await broker.kill('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(broker.output()).toMatch(/Shut down cleanly/);
    expect(existsSync(join(logDir, CLEAN_SHUTDOWN_FILE))).toBe(true);

    broker = await start(logDir);
    expect(broker.output()).toMatch(/Loaded 2 log\(s\) from .* \(clean shutdown\)/);
    for (const [p, records] of acked) {
      expect(records).toHaveLength(1_000);
      const served = await readPartition(broker.bootstrap, 'sigterm', p);
      expectAllAcknowledgedServed(served, records, `partition ${p}`);
      expect(served).toHaveLength(1_000);
    }

    // and appends continue after the last acknowledged offset
    kafka = kafkaClient(broker.bootstrap);
    const more = await produceAcknowledged(kafka, 'sigterm', 2, 1, 2, 100);
    expect([...more.values()].map((r) => r[0].offset)).toEqual([1_000, 1_000]);
  });
});

describe('kill -9', () => {
  it('in the middle of a stream of sends loses no acknowledged record', async () => {
    const logDir = newLogDir();
    let broker = await start(logDir);
    await createTopic(kafkaClient(broker.bootstrap), 'sigkill', 3);

    // Three producers send concurrently, each waiting for its acks; the broker dies under them.
    const kafka = kafkaClient(broker.bootstrap, 'skein-test-doomed', 0);
    const acked = new Map<number, Rec[]>([0, 1, 2].map((p) => [p, []]));
    let sends = 0;
    let failedSends = 0;
    let killed = false;
    const loops = [0, 1, 2].map(async (loop) => {
      const producer = kafkaProducer(kafka);
      await producer.connect();
      // Each loop sends until a send fails, which only the kill may cause.
      for (let s = loop; ; s += 3) {
        try {
          await sendOne(producer, 'sigkill', 3, s, 30, acked);
          sends++;
        } catch (err) {
          if (!killed) throw err; // a failure before the kill is a real one
          failedSends++; // the broker is gone: this send was not acknowledged
          break;
        }
      }
      await producer.disconnect().catch(() => {});
    });
    const sending = Promise.all(loops);
    let settled = false;
    sending.then(
      () => (settled = true),
      () => (settled = true),
    );
    while (sends < 150 && !settled) await new Promise((r) => setTimeout(r, 5));
    if (settled) await sending; // a loop failed before the kill: report its error
    expect(sends).toBeGreaterThanOrEqual(150);
    killed = true;
    expect(await broker.kill('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
    await sending;
    expect(failedSends, 'sends in flight when the broker died').toBeGreaterThan(0);

    broker = await start(logDir);
    expect(broker.output()).toMatch(/no clean-shutdown marker: recovered/);
    let total = 0;
    for (const [p, records] of acked) {
      const served = await readPartition(broker.bootstrap, 'sigkill', p);
      expectAllAcknowledgedServed(served, records, `partition ${p}`);
      // Whatever else is served is whole records of sends that were in flight, each once, in the
      // partition it was sent to.
      expect(new Set(served.map((r) => r.value)).size).toBe(served.length);
      for (const r of served) {
        const m = /^send-(\d+)-record-(\d+)$/.exec(r.value ?? '');
        expect(m, `record ${JSON.stringify(r)}`).not.toBeNull();
        expect([r.key, Number(m![2]) % 3]).toEqual([`s${m![1]}`, p]);
      }
      total += records.length;
    }
    expect(total).toBeGreaterThanOrEqual(150 * 30);
  });
});

describe('a damaged tail of the active segment', () => {
  const topic = 'damaged';
  const SENDS = 40;
  const PER_SEND = 25;

  /**
   * Writes SENDS batches to one partition, stops the broker with `signal`, damages the last batch
   * of the newest segment with `damage`, restarts, and checks what the broker says and serves.
   */
  async function damageAndRestart(
    signal: 'SIGTERM' | 'SIGKILL',
    damage: (file: string, last: { position: number; size: number }) => void,
    expectedReason: RegExp,
  ): Promise<void> {
    const logDir = newLogDir();
    let broker = await start(logDir);
    let kafka = kafkaClient(broker.bootstrap);
    await createTopic(kafka, topic, 1);
    const acked = (await produceAcknowledged(kafka, topic, 1, SENDS, PER_SEND)).get(0)!;
    await broker.kill(signal);

    const file = segmentFiles(logDir, topic, 0).at(-1)!;
    const batches = batchesIn(file);
    expect(batches).toHaveLength(SENDS);
    const last = batches.at(-1)!;
    const tornOffset = Number(last.baseOffset);
    expect(tornOffset).toBe((SENDS - 1) * PER_SEND);
    damage(file, last);
    const discarded = readFileSync(file).length - last.position;

    broker = await start(logDir);
    const dir = partitionDir(logDir, topic, 0);
    const said = broker.output();
    const m = new RegExp(
      `Recovered ${escape(dir)}: truncated a torn batch at offset ${tornOffset} \\(position ${last.position} of segment ${escape(file.split('/').at(-1)!)}, (.*)\\), (\\d+) bytes discarded`,
    ).exec(said);
    expect(m, `broker log:\n${said}`).not.toBeNull();
    expect(m![1]).toMatch(expectedReason);
    expect(Number(m![2])).toBe(discarded);
    expect(readFileSync(file).length).toBe(last.position);

    const served = await readPartition(broker.bootstrap, topic, 0);
    expect(served).toEqual(acked.slice(0, tornOffset));

    kafka = kafkaClient(broker.bootstrap);
    const after = (await produceAcknowledged(kafka, topic, 1, 1, 3, 1_000)).get(0)!;
    expect(after.map((r) => r.offset)).toEqual([tornOffset, tornOffset + 1, tornOffset + 2]);
    expect(await readPartition(broker.bootstrap, topic, 0)).toEqual([...acked.slice(0, tornOffset), ...after]);
  }

  const truncateMidBatch = (file: string, last: { position: number; size: number }): void => truncateSync(file, last.position + Math.floor(last.size / 2));

  const garbleInsideBatch = (file: string, last: { position: number; size: number }): void => {
    const fd = openSync(file, 'r+');
    try {
      // 8 bytes in the records section: the length and header still parse; only the CRC can tell.
      writeSync(fd, Buffer.alloc(8, 0xa5), 0, 8, last.position + last.size - 20);
    } finally {
      closeSync(fd);
    }
  };

  it('after kill -9, a last batch cut short is truncated, reported, and the offsets continue from it', async () => {
    await damageAndRestart('SIGKILL', truncateMidBatch, /^incomplete batch/);
  });

  it('after kill -9, a last batch with garbled bytes fails its CRC and is truncated, reported, and replaced by new appends', async () => {
    await damageAndRestart('SIGKILL', garbleInsideBatch, /^CRC mismatch$/);
  });

  it('even after a clean shutdown, a last batch cut short is found (its header runs past the end of the file)', async () => {
    await damageAndRestart('SIGTERM', truncateMidBatch, /^incomplete batch/);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
