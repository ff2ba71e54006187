import { connect, createServer, Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { withDirectReads } from './direct-reads.js';

/** A reader that hands out small windows of one big buffer and records every read. (Never an empty one: a read into nothing fails with ENOBUFS.) */
function windowReader(size: number, window: number) {
  const into = Buffer.alloc(size + 1);
  let at = 0;
  const reads: number[] = [];
  return {
    into,
    reads,
    get received() {
      return at;
    },
    reader: {
      buffer: () => into.subarray(at, Math.min(size + 1, at + window)),
      filled: (n: number) => {
        reads.push(n);
        at += n;
        return true;
      },
    },
  };
}

describe('withDirectReads', () => {
  it('reads an accepted socket straight into the buffers the reader offers, on this Node', async () => {
    const payload = Buffer.from(Array.from({ length: 200_000 }, (_, i) => i % 251));
    const w = windowReader(payload.length, 10_000);
    let direct: boolean | undefined;
    const done = new Promise<void>((resolve) => {
      const server = createServer({ pauseOnConnect: true }, (accepted) => {
        const r = withDirectReads(accepted, {
          buffer: w.reader.buffer,
          filled: (n) => {
            w.reader.filled(n);
            if (w.received === payload.length) {
              r.socket.end();
              server.close();
              resolve();
            }
            return true;
          },
        });
        direct = r.direct;
      });
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        const client = connect({ host: '127.0.0.1', port: typeof address === 'object' && address ? address.port : 0 });
        client.end(payload);
      });
    });
    await done;
    expect(direct).toBe(true);
    expect(w.into.subarray(0, payload.length).equals(payload)).toBe(true);
    // Never more than the window offered.
    expect(Math.max(...w.reads)).toBeLessThanOrEqual(10_000);
  });

  it('falls back to copying from data events when the socket has no handle to give', () => {
    const w = windowReader(10, 4);
    const socket = new Socket();
    const r = withDirectReads(socket, w.reader);
    expect(r.direct).toBe(false);
    socket.emit('data', Buffer.from('0123456789'));
    expect(w.into.subarray(0, 10).toString()).toBe('0123456789');
    expect(w.reads).toEqual([4, 4, 2]);
    socket.destroy();
  });
});
