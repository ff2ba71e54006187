/**
 * Connection's flow control: while the requests it has handed to handlers add up to 2 MB, it stops
 * reading; the rest of a client's pipeline waits in the socket and is read as soon as one is answered.
 * And its pooled response buffers: a buffer a response carries goes back to the pool only once the
 * socket has written it.
 */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeResponse, encodeRequest } from '../../protocol/api.js';
import { Fetch, type FetchResponse } from '../../protocol/apis/fetch.js';
import { Produce } from '../../protocol/apis/produce.js';
import { ZERO_UUID } from '../../protocol/reader.js';
import { silentLogger } from '../logger.js';
import { handler, HandlerRegistry } from './handler.js';
import { SocketServer } from './socket-server.js';

const MB = 1024 * 1024;

/** A Produce v7 request of about `bytes` (the handler below never looks inside its records). */
function produceFrame(correlationId: number, bytes: number): Buffer {
  const body = encodeRequest(Produce, 7, correlationId, 'flow', {
    transactionalId: null,
    acks: 1,
    timeoutMs: 1000,
    topicData: [{ name: 't', topicId: ZERO_UUID, partitionData: [{ index: 0, records: Buffer.alloc(bytes, correlationId) }] }],
  });
  const frame = Buffer.allocUnsafe(4 + body.length);
  frame.writeInt32BE(body.length, 0);
  body.copy(frame, 4);
  return frame;
}

const until = async (cond: () => boolean, what: string): Promise<void> => {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!cond()) throw new Error(`timed out waiting for ${what}`);
};

describe('Connection in-flight limit', () => {
  let server: SocketServer | undefined;
  let client: Socket | undefined;
  afterEach(async () => {
    client?.destroy();
    await server?.stop();
  });

  it('stops reading at 2 MB of requests being handled and reads on when one is answered', async () => {
    const started: number[] = [];
    const finish = new Map<number, () => void>();
    const registry = new HandlerRegistry().register(
      handler(Produce, { min: 7, max: 7 }, (_req, ctx) => {
        const id = ctx.header.correlationId;
        started.push(id);
        return new Promise((resolve) => finish.set(id, () => resolve({ responses: [], throttleTimeMs: 0 })));
      }),
    );
    server = new SocketServer(registry, { maxRequestBytes: 100 * MB, logger: silentLogger });
    const [listener] = await server.start([{ name: 'PLAINTEXT', host: '127.0.0.1', port: 0 }]);
    client = connect({ host: '127.0.0.1', port: listener.boundPort });
    const answered: Buffer[] = [];
    client.on('data', (d) => answered.push(d));
    await new Promise((r) => client?.once('connect', r));

    // Four requests of 0.9 MB: the third brings the total to 2.7 MB, the fourth must wait unread.
    for (let id = 1; id <= 4; id++) client.write(produceFrame(id, 0.9 * MB));
    await until(() => started.length === 3, 'three requests handled');
    await new Promise((r) => setTimeout(r, 200));
    expect(started).toEqual([1, 2, 3]);

    finish.get(1)?.();
    await until(() => started.length === 4, 'the fourth request, once the first is answered');
    expect(started).toEqual([1, 2, 3, 4]);
    for (const id of [2, 3, 4]) finish.get(id)?.();
    await until(() => Buffer.concat(answered).length > 0, 'answers');
  });
});

describe('Connection response buffers', () => {
  let server: SocketServer | undefined;
  const clients: Socket[] = [];
  afterEach(async () => {
    for (const c of clients) c.destroy();
    clients.length = 0;
    await server?.stop();
  });

  /** A client that collects whole response frames; `pause()`/`resume()` stop and restart its reading. */
  async function client(port: number): Promise<{ socket: Socket; frames: Buffer[] }> {
    const socket = connect({ host: '127.0.0.1', port });
    clients.push(socket);
    const frames: Buffer[] = [];
    let pending = Buffer.alloc(0);
    socket.on('data', (d) => {
      pending = Buffer.concat([pending, d]);
      while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
        frames.push(pending.subarray(4, 4 + pending.readInt32BE(0)));
        pending = pending.subarray(4 + pending.readInt32BE(0));
      }
    });
    await new Promise((r) => socket.once('connect', r));
    return { socket, frames };
  }

  function fetchFrame(correlationId: number): Buffer {
    const body = encodeRequest(Fetch, 4, correlationId, 'reader', {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 64 * MB,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [{ topic: 't', topicId: ZERO_UUID, partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 64 * MB }] }],
      forgottenTopicsData: [],
      rackId: '',
    } as never);
    const frame = Buffer.allocUnsafe(4 + body.length);
    frame.writeInt32BE(body.length, 0);
    body.copy(frame, 4);
    return frame;
  }

  const recordsOf = (frame: Buffer): Buffer => {
    const { body } = decodeResponse(Fetch, 4, frame) as { body: FetchResponse };
    return body.responses[0].partitions[0].records as Buffer;
  };

  it('reuses a response buffer only after the socket has written it', async () => {
    const SIZE = 32 * MB; // far more than the sockets' buffers hold, so a paused reader holds up the write
    const taken: ArrayBufferLike[] = [];
    const registry = new HandlerRegistry().register(
      handler(Fetch, { min: 4, max: 4 }, (_req, ctx) => {
        const id = ctx.header.correlationId;
        const records = ctx.responseBuffer?.(SIZE) ?? Buffer.alloc(0);
        records.fill(id);
        taken.push(records.buffer);
        const partition = {
          partitionIndex: 0,
          errorCode: 0,
          highWatermark: 0n,
          lastStableOffset: 0n,
          logStartOffset: 0n,
          abortedTransactions: null,
          preferredReadReplica: -1,
          records,
        };
        return { throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses: [{ topic: 't', topicId: ZERO_UUID, partitions: [partition] }] };
      }),
    );
    server = new SocketServer(registry, { maxRequestBytes: 100 * MB, logger: silentLogger });
    const [listener] = await server.start([{ name: 'PLAINTEXT', host: '127.0.0.1', port: 0 }]);

    // A asks and does not read: its 32 MB response cannot all leave the broker.
    const a = await client(listener.boundPort);
    a.socket.pause();
    a.socket.write(fetchFrame(1));
    await until(() => taken.length === 1, 'the first fetch');
    await new Promise((r) => setTimeout(r, 100));

    // B's fetch must get a buffer of its own, and what B reads is B's.
    const b = await client(listener.boundPort);
    b.socket.write(fetchFrame(2));
    await until(() => b.frames.length === 1, "B's response");
    expect(taken[1] === taken[0], "B was given A's buffer").toBe(false);
    expect(recordsOf(b.frames[0]).equals(Buffer.alloc(SIZE, 2))).toBe(true);

    // B's buffer went back once written: the next fetch reuses it. A's is still held.
    b.socket.write(fetchFrame(3));
    await until(() => b.frames.length === 2, "B's second response");
    expect(taken[2] === taken[1], "B's first buffer was not reused").toBe(true);

    // A reads at last: every byte is still A's.
    a.socket.resume();
    await until(() => a.frames.length === 1, "A's response");
    expect(recordsOf(a.frames[0]).equals(Buffer.alloc(SIZE, 1))).toBe(true);
  });
});
