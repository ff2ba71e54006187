/**
 * A deliberately small Kafka-protocol client for tests that need to misbehave: it sends whatever
 * bytes it is given (well-formed requests built with our codec, or anything else), splits what the
 * broker sends back into size-prefixed frames, and reports "the broker closed the connection" as an
 * outcome to wait for, with a timeout, rather than as an error.
 *
 * Strictly sequential reading: responses are taken in the order they arrive, which is the order the
 * requests were sent (the broker answers each connection in order).
 */
import { connect, type Socket } from 'node:net';
import { type Api, decodeResponse, encodeRequest } from '../../src/protocol/api.js';

/** What happened next on a connection. */
export type Outcome = { kind: 'frame'; frame: Buffer } | { kind: 'closed' } | { kind: 'timeout' };

export class UnexpectedOutcomeError extends Error {
  override name = 'UnexpectedOutcomeError';
}

export class RawClient {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private readonly frames: Buffer[] = [];
  private wake: (() => void) | null = null;
  private closedFlag = false;
  private nextCorrelationId = 1;
  /** Resolves when the socket has closed, for whatever reason. */
  readonly closed: Promise<void>;

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    // A reset by the broker is one way of closing; the outcome is what the tests look at.
    socket.on('error', () => {});
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.closedFlag = true;
        this.notify();
        resolve();
      }),
    );
  }

  /** Connects to 127.0.0.1 (or `host`) on `port`. */
  static connect(port: number, host = '127.0.0.1', timeoutMs = 5000): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      const onError = (err: Error): void => {
        clearTimeout(timer);
        reject(err);
      };
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`could not connect to ${host}:${port} within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', onError);
        resolve(new RawClient(socket));
      });
      socket.once('error', onError);
    });
  }

  /** True once the socket has closed (the broker closed it, or we did). */
  get isClosed(): boolean {
    return this.closedFlag;
  }

  /** Sends bytes exactly as given: no size prefix is added. */
  write(bytes: Buffer): void {
    if (!this.closedFlag && !this.socket.destroyed) this.socket.write(bytes);
  }

  /** Sends `body` behind a correct 4-byte size prefix. */
  sendFrame(body: Buffer): void {
    this.write(frame(body));
  }

  /** Encodes and sends a request with our codec; returns its correlation id. */
  send<Req>(api: Api<Req, unknown>, version: number, body: Req, correlationId = this.nextCorrelationId++): number {
    this.sendFrame(encodeRequest(api, version, correlationId, 'raw-client', body));
    return correlationId;
  }

  /** Sends a request and waits for its response; throws if the connection closes or nothing comes. */
  async request<Req, Res>(api: Api<Req, Res>, version: number, body: Req, timeoutMs = 5000): Promise<Res> {
    const id = this.send(api, version, body);
    const outcome = await this.next(timeoutMs);
    if (outcome.kind !== 'frame') {
      throw new UnexpectedOutcomeError(`${api.name} v${version} (correlation id ${id}): connection ${outcome.kind} instead of a response`);
    }
    const { correlationId, body: res } = decodeResponse(api, version, outcome.frame);
    if (correlationId !== id) throw new UnexpectedOutcomeError(`${api.name} v${version}: correlation id ${correlationId}, expected ${id}`);
    return res;
  }

  /**
   * The next thing that happens: a response frame (frames already received come first), the
   * connection closing, or `timeoutMs` passing with neither.
   */
  async next(timeoutMs = 5000): Promise<Outcome> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const f = this.frames.shift();
      if (f !== undefined) return { kind: 'frame', frame: f };
      if (this.closedFlag) return { kind: 'closed' };
      const left = deadline - Date.now();
      if (left <= 0) return { kind: 'timeout' };
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.wake = null;
          resolve();
        }, left);
        this.wake = () => {
          clearTimeout(timer);
          this.wake = null;
          resolve();
        };
      });
    }
  }

  /**
   * Waits for the broker to close the connection; returns the frames it sent before closing.
   * Throws when the connection is still open after `timeoutMs`.
   */
  async expectClosed(timeoutMs = 2000): Promise<Buffer[]> {
    const before: Buffer[] = [];
    for (;;) {
      const o = await this.next(timeoutMs);
      if (o.kind === 'closed') return before;
      if (o.kind === 'timeout') throw new UnexpectedOutcomeError(`connection still open after ${timeoutMs} ms`);
      before.push(o.frame);
    }
  }

  /** Half-closes: no more bytes from us. A Kafka broker then closes its side too. */
  end(): void {
    if (!this.socket.destroyed) this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    while (this.pendingBytes >= 4) {
      const head = this.pending[0].length >= 4 ? this.pending[0] : Buffer.concat(this.pending);
      const size = head.readInt32BE(0);
      if (size < 4) {
        // The broker framed a response wrongly: that is a broker bug, surfaced as a closed connection
        // plus a frame nobody can decode.
        this.frames.push(Buffer.alloc(0));
        this.socket.destroy();
        break;
      }
      if (this.pendingBytes < 4 + size) break;
      const all = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending);
      this.frames.push(all.subarray(4, 4 + size));
      const rest = all.subarray(4 + size);
      this.pending = rest.length > 0 ? [rest] : [];
      this.pendingBytes = rest.length;
    }
    this.notify();
  }

  private notify(): void {
    this.wake?.();
  }
}

/** `body` with its 4-byte big-endian size in front. */
export function frame(body: Buffer): Buffer {
  const prefix = Buffer.allocUnsafe(4);
  prefix.writeInt32BE(body.length, 0);
  return Buffer.concat([prefix, body]);
}

/** A 4-byte big-endian size on its own, for frames that lie about their size. */
export function sizePrefix(size: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeInt32BE(size, 0);
  return b;
}

/** The correlation id a response frame starts with. */
export function correlationIdOf(responseFrame: Buffer): number {
  return responseFrame.readInt32BE(0);
}
