/**
 * A load generator that costs almost nothing: it builds one Produce request (v7, acks=1, one
 * uncompressed record batch of `recordsPerBatch` records of `size` bytes) once, then sends it
 * `requests` times, pipelined `depth` deep on one connection, and waits for every answer. The
 * broker does all its usual work on each copy (frame, decode, CRC and record validation, offset
 * assignment, append); the generator does no per-record work, so on a small machine the measured
 * rate is the broker's rather than the client's.
 *
 *   node bench/support/replay-producer.js HOST:PORT TOPIC PARTITION SIZE RECORDS_PER_BATCH REQUESTS DEPTH
 *
 * Prints one JSON line: {"records", "bytes", "seconds"}; exits non-zero if any answer is an error.
 */
import { connect } from 'node:net';
import { decodeResponse, encodeRequest } from '../../dist/protocol/api.js';
import { Produce } from '../../dist/protocol/apis/produce.js';
import { encodeRecordBatch } from '../../dist/protocol/record-batch.js';

const [bootstrap, topic, partitionArg, sizeArg, perBatchArg, requestsArg, depthArg] = process.argv.slice(2);
const [host, port] = bootstrap.split(':');
const size = Number(sizeArg);
const perBatch = Number(perBatchArg);
const requests = Number(requestsArg);
const depth = Number(depthArg);
const VERSION = 7;

const value = Buffer.alloc(size, 0x61);
const batch = encodeRecordBatch({ records: Array.from({ length: perBatch }, (_, i) => ({ key: Buffer.from(`k${i}`), value })), timestamp: BigInt(Date.now()) });
const body = encodeRequest(Produce, VERSION, 0, 'replay-producer', {
  transactionalId: null,
  acks: 1,
  timeoutMs: 30000,
  topicData: [{ name: topic, topicId: '00000000-0000-0000-0000-000000000000', partitionData: [{ index: Number(partitionArg), records: batch }] }],
});
const frame = Buffer.allocUnsafe(4 + body.length);
frame.writeInt32BE(body.length, 0);
body.copy(frame, 4);

const socket = connect({ host, port: Number(port) });
socket.setNoDelay(true);
await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));

let sent = 0;
let answered = 0;
let pending = Buffer.alloc(0);
const t0 = performance.now();
const done = new Promise((resolve, reject) => {
  socket.on('data', (chunk) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
      const len = pending.readInt32BE(0);
      const { body: res } = decodeResponse(Produce, VERSION, pending.subarray(4, 4 + len));
      pending = pending.subarray(4 + len);
      const code = res.responses[0].partitionResponses[0].errorCode;
      if (code !== 0) return reject(new Error(`produce answered error ${code}`));
      answered++;
      if (answered === requests) return resolve();
      if (sent < requests) send();
    }
  });
  socket.once('error', reject);
});
const send = () => {
  sent++;
  socket.write(frame);
};
for (let i = 0; i < Math.min(depth, requests); i++) send();
await done;
const seconds = (performance.now() - t0) / 1000;
socket.end();
process.stdout.write(`${JSON.stringify({ records: requests * perBatch, bytes: requests * perBatch * size, seconds })}\n`);
