/**
 * Connection's flow control: while the requests it has handed to handlers add up to 2 MB, it stops
 * reading; the rest of a client's pipeline waits in the socket and is read as soon as one is answered.
 */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeRequest } from '../../protocol/api.js';
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
