/**
 * The fallback load generator of bench/run.js when kcat is not installed; runs in a worker thread.
 *
 *   produce: a kafkajs producer sends `count` records of `size` bytes to partition 0, acks=1, in
 *            requests of 1000 records with 8 in flight.
 *   consume: Fetch requests (v11, 16 MB per partition) on one socket, from offset 0 until `count`
 *            records were seen, counting records from the batch headers. kafkajs' consumer needs
 *            consumer groups, which this loop does without.
 *
 * Posts `{ records }` to the parent when done.
 */
import { connect } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import kafkajs from 'kafkajs';
import { decodeResponse, encodeRequest } from '../../dist/protocol/api.js';
import { Fetch } from '../../dist/protocol/apis/fetch.js';
import { LOG_OVERHEAD, Offsets } from '../../dist/protocol/batch-header.js';
import { FrameReader } from '../../dist/broker/server/frame-reader.js';

const { bootstrap, topic, size, count, mode } = workerData;

async function produce() {
  const kafka = new kafkajs.Kafka({ brokers: [bootstrap], clientId: 'skein-bench', logLevel: kafkajs.logLevel.NOTHING });
  const producer = kafka.producer({ allowAutoTopicCreation: true, idempotent: false, maxInFlightRequests: 8 });
  await producer.connect();
  const value = Buffer.alloc(size, 'x');
  const perRequest = 1000;
  const messages = Array.from({ length: perRequest }, () => ({ value, partition: 0 }));
  let sent = 0;
  const inFlight = new Set();
  while (sent < count) {
    const n = Math.min(perRequest, count - sent);
    const p = producer.send({ topic, acks: 1, messages: n === perRequest ? messages : messages.slice(0, n) });
    inFlight.add(p);
    p.finally(() => inFlight.delete(p));
    sent += n;
    if (inFlight.size >= 8) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  await producer.disconnect();
  return count;
}

async function consume() {
  const [host, port] = bootstrap.split(':');
  const socket = connect({ host, port: Number(port) });
  await new Promise((res, rej) => socket.once('connect', res).once('error', rej));
  const frames = new FrameReader(1 << 30);
  /** @type {Array<(frame: Buffer) => void>} */
  const waiting = [];
  /** @type {Buffer[]} */
  const pending = [];
  socket.on('data', (chunk) => {
    for (const f of frames.push(chunk)) {
      const w = waiting.shift();
      if (w) w(f);
      else pending.push(f);
    }
  });
  const version = 11;
  let offset = 0n;
  let records = 0;
  for (let correlationId = 1; records < count; correlationId++) {
    const body = encodeRequest(Fetch, version, correlationId, 'skein-bench', {
      replicaId: -1,
      maxWaitMs: 500,
      minBytes: 1,
      maxBytes: 64 << 20,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic,
          topicId: '00000000-0000-0000-0000-000000000000',
          partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: offset, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 16 << 20 }],
        },
      ],
      forgottenTopicsData: [],
      rackId: '',
    });
    const prefix = Buffer.allocUnsafe(4);
    prefix.writeInt32BE(body.length);
    socket.write(Buffer.concat([prefix, body]));
    const frame = pending.shift() ?? (await /** @type {Promise<Buffer>} */ (new Promise((res) => waiting.push(res))));
    const { body: res } = decodeResponse(Fetch, version, frame);
    const part = res.responses[0]?.partitions[0];
    if (!part || part.errorCode !== 0) throw new Error(`fetch failed: error ${part?.errorCode}`);
    // Decoding gives one Buffer (a list of them is only for encoding).
    const data = /** @type {Buffer} */ (part.records ?? Buffer.alloc(0));
    for (let at = 0; at + 61 <= data.length;) {
      const batchSize = data.readInt32BE(at + Offsets.batchLength) + LOG_OVERHEAD;
      if (at + batchSize > data.length) break;
      const base = data.readBigInt64BE(at + Offsets.baseOffset);
      const last = base + BigInt(data.readInt32BE(at + Offsets.lastOffsetDelta));
      if (last >= offset) {
        records += Number(last - (base > offset ? base : offset)) + 1;
        offset = last + 1n;
      }
      at += batchSize;
    }
  }
  socket.destroy();
  return records;
}

const records = mode === 'produce' ? await produce() : await consume();
parentPort?.postMessage({ records });
