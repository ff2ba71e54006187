/**
 * A load generator that costs almost nothing: it builds one record batch (`recordsPerBatch` records
 * of `size` bytes, uncompressed) once, then sends it in `requests` Produce requests (v7, acks=1 —
 * acks=all for the producer-id modes, as an idempotent producer must), pipelined `depth` deep on one
 * connection, and waits for every answer. The broker does all its usual work on each copy (frame,
 * decode, CRC and record validation, offset assignment, append); the generator does no per-record
 * work, so on a small machine the measured rate is the broker's rather than the client's.
 *
 *   node bench/support/replay-producer.js HOST:PORT TOPIC PARTITION SIZE RECORDS_PER_BATCH REQUESTS DEPTH [MODE] [COMMIT_MS]
 *
 * MODE:
 *   plain          (default) no producer id, as a non-idempotent producer
 *   idempotent     InitProducerId, then each copy gets the next sequence numbers (header rewritten,
 *                  CRC recomputed)
 *   transactional  as idempotent, with a transactional id: a transaction is begun with
 *                  AddPartitionsToTxn, copies are sent until it has lasted COMMIT_MS (default 100),
 *                  then — once every copy is acknowledged, as real clients flush before committing —
 *                  committed with EndTxn; and so on until REQUESTS copies are sent.
 *
 * Prints one JSON line: {"records", "bytes", "seconds", "transactions"} and, for transactions, the
 * medians in ms of each AddPartitionsToTxn and EndTxn round trip and of each drain (from the moment
 * the transaction stops taking new requests to the last acknowledgement): {"addPartitionsMs",
 * "endTxnMs", "drainMs"}. Exits non-zero on any error.
 */
import { connect } from 'node:net';
import { decodeResponse, encodeRequest } from '../../dist/protocol/api.js';
import { AddPartitionsToTxn } from '../../dist/protocol/apis/add-partitions-to-txn.js';
import { EndTxn } from '../../dist/protocol/apis/end-txn.js';
import { InitProducerId } from '../../dist/protocol/apis/init-producer-id.js';
import { Produce } from '../../dist/protocol/apis/produce.js';
import { Attr, computeBatchCrc, Offsets } from '../../dist/protocol/batch-header.js';
import { encodeRecordBatch } from '../../dist/protocol/record-batch.js';
import { median } from './stats.js';

const [bootstrap, topic, partitionArg, sizeArg, perBatchArg, requestsArg, depthArg, modeArg = 'plain', commitMsArg = '100'] = process.argv.slice(2);
const [host, port] = bootstrap.split(':');
const partition = Number(partitionArg);
const size = Number(sizeArg);
const perBatch = Number(perBatchArg);
const requests = Number(requestsArg);
const depth = Number(depthArg);
const mode = modeArg;
const commitMs = Number(commitMsArg);
if (!['plain', 'idempotent', 'transactional'].includes(mode)) throw new Error(`unknown mode ${mode}`);
const transactionalId = mode === 'transactional' ? `replay-${process.pid}` : null;

const value = Buffer.alloc(size, 0x61);
const batch = encodeRecordBatch({ records: Array.from({ length: perBatch }, (_, i) => ({ key: Buffer.from(`k${i}`), value })), timestamp: BigInt(Date.now()) });

// One connection; responses come back in request order, so a FIFO of waiters matches them up.
const socket = connect({ host, port: Number(port) });
socket.setNoDelay(true);
await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
/** @typedef {{ api: import('../../dist/protocol/api.js').Api<any, any>, version: number, resolve: (body: any) => void, reject: (err: unknown) => void }} Waiter */
/** @type {Waiter[]} */
const waiting = [];
let correlationId = 0;
let pending = Buffer.alloc(0);
socket.on('data', (chunk) => {
  pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
  while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
    const len = pending.readInt32BE(0);
    const frame = pending.subarray(4, 4 + len);
    pending = pending.subarray(4 + len);
    const w = /** @type {Waiter} */ (waiting.shift());
    try {
      w.resolve(decodeResponse(w.api, w.version, frame).body);
    } catch (err) {
      w.reject(err);
    }
  }
});
socket.once('error', (err) => {
  for (const w of waiting.splice(0)) w.reject(err);
});

/**
 * Sends one request (the frame written now, in order) and resolves with its decoded response.
 * @template Req, Res
 * @param {import('../../dist/protocol/api.js').Api<Req, Res>} api
 * @param {number} version
 * @param {Req} body
 * @returns {Promise<Res>}
 */
function send(api, version, body) {
  const encoded = encodeRequest(api, version, ++correlationId, 'replay-producer', body);
  const size = Buffer.allocUnsafe(4);
  size.writeInt32BE(encoded.length, 0);
  socket.write(size);
  socket.write(encoded);
  return new Promise((resolve, reject) => waiting.push({ api, version, resolve, reject }));
}

/**
 * @param {number} code
 * @param {string} what
 */
function check(code, what) {
  if (code !== 0) throw new Error(`${what} answered error ${code}`);
}

let producerId = -1n;
let producerEpoch = -1;
if (mode !== 'plain') {
  const init = await send(InitProducerId, 1, { transactionalId, transactionTimeoutMs: 60_000 });
  check(init.errorCode, 'InitProducerId');
  producerId = init.producerId;
  producerEpoch = init.producerEpoch;
}

// The Produce request is encoded once per slot of a ring as deep as the pipeline: a slot is
// reused only after its previous request was answered (so fully sent), and then only its
// correlation id and, with a producer id, the batch's sequence number and CRC are rewritten in place.
if (transactionalId !== null) batch.writeInt16BE(batch.readInt16BE(Offsets.attributes) | Attr.transactional, Offsets.attributes);
batch.writeBigInt64BE(producerId, Offsets.producerId);
batch.writeInt16BE(producerEpoch, Offsets.producerEpoch);
const produceBody = {
  transactionalId,
  acks: mode === 'plain' ? 1 : -1,
  timeoutMs: 30_000,
  topicData: [{ name: topic, topicId: '00000000-0000-0000-0000-000000000000', partitionData: [{ index: partition, records: batch }] }],
};
const ring = Array.from({ length: depth }, () => {
  const body = encodeRequest(Produce, 7, 0, 'replay-producer', produceBody);
  const frame = Buffer.allocUnsafe(4 + body.length);
  frame.writeInt32BE(body.length, 0);
  body.copy(frame, 4);
  // records is the request's last field, so the batch ends the frame.
  return { frame, batch: frame.subarray(frame.length - batch.length) };
});
let sequence = 0;
let slot = 0;

function produce() {
  const { frame, batch: b } = ring[slot];
  slot = (slot + 1) % ring.length;
  frame.writeInt32BE(++correlationId, 8);
  if (mode !== 'plain') {
    b.writeInt32BE(sequence, Offsets.baseSequence);
    b.writeUInt32BE(computeBatchCrc(b), Offsets.crc);
    sequence = (sequence + perBatch) % 0x80000000;
  }
  socket.write(frame);
  return new Promise((resolve, reject) => waiting.push({ api: Produce, version: 7, resolve, reject })).then((res) =>
    check(res.responses[0].partitionResponses[0].errorCode, 'Produce'),
  );
}

let sent = 0;
let transactions = 0;
const addPartitionsMs = [];
const endTxnMs = [];
const drainMs = [];
const t0 = performance.now();
while (sent < requests) {
  const began = performance.now();
  if (transactionalId !== null) {
    const t = performance.now();
    const add = await send(AddPartitionsToTxn, 3, {
      v3AndBelowTransactionalId: transactionalId,
      v3AndBelowProducerId: producerId,
      v3AndBelowProducerEpoch: producerEpoch,
      v3AndBelowTopics: [{ name: topic, partitions: [partition] }],
    });
    for (const r of add.resultsByTopicV3AndBelow ?? []) for (const p of r.resultsByPartition) check(p.partitionErrorCode, 'AddPartitionsToTxn');
    addPartitionsMs.push(performance.now() - t);
  }
  // Keep `depth` copies in flight until the transaction has lasted commitMs (or, without one, to the end).
  let closedAt;
  await /** @type {Promise<void>} */ (
    new Promise((resolve, reject) => {
      let inFlight = 0;
      const more = () => {
        if (transactionalId === null || performance.now() - began < commitMs) return true;
        closedAt ??= performance.now();
        return false;
      };
      const pump = () => {
        while (inFlight < depth && sent < requests && more()) {
          inFlight++;
          sent++;
          produce().then(() => {
            inFlight--;
            if (inFlight === 0 && (sent >= requests || !more())) resolve();
            else pump();
          }, reject);
        }
      };
      pump();
    })
  );
  if (transactionalId !== null) {
    if (closedAt !== undefined) drainMs.push(performance.now() - closedAt);
    const t = performance.now();
    const end = await send(EndTxn, 3, { transactionalId, producerId, producerEpoch, committed: true });
    check(end.errorCode, 'EndTxn');
    endTxnMs.push(performance.now() - t);
    transactions++;
  }
}
const seconds = (performance.now() - t0) / 1000;
socket.end();
/** @param {number[]} xs */
const medianOf = (xs) => (xs.length === 0 ? null : median(xs));
const timings = transactionalId === null ? {} : { addPartitionsMs: medianOf(addPartitionsMs), endTxnMs: medianOf(endTxnMs), drainMs: medianOf(drainMs) };
process.stdout.write(`${JSON.stringify({ records: requests * perBatch, bytes: requests * perBatch * size, seconds, transactions, ...timings })}\n`);
