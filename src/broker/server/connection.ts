/**
 * One client connection: frames in, requests decoded and dispatched, responses out.
 *
 * Requests on one connection may be pipelined; they are handled concurrently but answered strictly
 * in the order they arrived, as Kafka guarantees. A frame that cannot be understood — an unknown
 * API key, an unsupported version of anything but ApiVersions, a body that does not decode — closes
 * this connection (Kafka does the same) and nothing else: other connections carry on.
 */
import type { Socket } from 'node:net';
import { readRequestHeader, skipTaggedFields, type RequestHeader, writeResponseHeader } from '../../protocol/api.js';
import { ApiVersions } from '../../protocol/apis/api-versions.js';
import { ErrorCode } from '../../protocol/errors.js';
import { Reader } from '../../protocol/reader.js';
import { Writer } from '../../protocol/writer.js';
import type { Logger } from '../logger.js';
import { withDirectReads } from './direct-reads.js';
import type { FramePool } from './frame-pool.js';
import { FrameReader } from './frame-reader.js';
import type { HandlerRegistry, RequestContext } from './handler.js';

interface Slot {
  chunks: Buffer[] | null;
  /** Pooled buffers the response carries (RequestContext.responseBuffer): back to the pool once written. */
  borrowed?: Buffer[];
}

/** Smaller response buffers come from Buffer.allocUnsafe (Node's own slab below 4 KB). */
const POOLED_RESPONSE_BYTES = 64 * 1024;
/**
 * At most this much of one request's response buffers comes from the pool. A long-polling Fetch
 * reads again each time its partitions grow and keeps every read until it answers; past this, the
 * garbage collector has those.
 */
const MAX_BORROWED_BYTES = 64 * 1024 * 1024;

/** Stop reading from a client while this much response data waits in the socket's buffer. */
const HIGH_WATER = 16 * 1024 * 1024;
/**
 * Stop reading from a client while its requests being handled add up to this many bytes. Pipelining
 * lets the next request be parsed while the last one is written, but a client that pipelines without
 * limit (librdkafka's default max.in.flight is a million) would otherwise queue its whole backlog in
 * the broker, where it goes cold in memory before it reaches the file. Kafka reads one request per
 * connection at a time. Two megabytes — two of the largest batches clients send by default — keeps the
 * writer busy while the next request is parsed; a client with more in flight leaves the rest waiting
 * in the socket, ready to read the moment a request is answered (measured: 4 MB against a client
 * keeping four 1 MB requests in flight left the broker idle between its answer and the client's next
 * request, 20 % slower; docs/benchmarks.md).
 */
const MAX_IN_FLIGHT_BYTES = 2 * 1024 * 1024;

export class Connection {
  private readonly frames: FrameReader;
  private readonly socket: Socket;
  private readonly queue: Slot[] = [];
  private closed = false;
  /** Reading stopped because responses pile up in the socket. */
  private paused = false;
  /** Bytes of the requests handed to handlers whose results have not settled. */
  private inFlightBytes = 0;
  /** Reading stopped because inFlightBytes reached MAX_IN_FLIGHT_BYTES. */
  private full = false;
  readonly id: string;
  private readonly clientHost: string;

  /** `accepted` comes from a server created with `pauseOnConnect`; its bytes are read straight into frames. */
  constructor(
    accepted: Socket,
    private readonly registry: HandlerRegistry,
    private readonly opts: { maxRequestBytes: number; listenerName: string; logger: Logger; onClose: (c: Connection) => void; framePool: FramePool },
  ) {
    const frames = new FrameReader(opts.maxRequestBytes, opts.framePool);
    this.frames = frames;
    const socket = withDirectReads(accepted, { buffer: () => frames.nextBuffer(), filled: (n) => this.onRead(n) }).socket;
    this.socket = socket;
    this.clientHost = socket.remoteAddress ?? 'unknown';
    this.id = `${socket.localAddress}:${socket.localPort}-${this.clientHost}:${socket.remotePort}`;
    socket.setNoDelay(true);
    socket.on('drain', () => this.resume());
    socket.on('error', (err) => this.opts.logger.debug(`connection ${this.id}: ${err.message}`));
    socket.on('close', () => {
      this.closed = true;
      this.opts.onClose(this);
    });
  }

  close(reason?: string): void {
    if (this.closed) return;
    if (reason) this.opts.logger.warn(`Closing connection ${this.id}: ${reason}`);
    this.closed = true;
    this.socket.destroy();
  }

  /** `n` bytes arrived where the FrameReader asked; false stops reading. */
  private onRead(n: number): boolean {
    if (this.closed) return false;
    let frames: Buffer[];
    try {
      frames = this.frames.filled(n);
    } catch (err) {
      this.close((err as Error).message);
      return false;
    }
    for (const frame of frames) {
      if (this.closed) return false;
      this.onFrame(frame);
    }
    return !this.closed;
  }

  private onFrame(frame: Buffer): void {
    const r = new Reader(frame);
    let header: RequestHeader;
    try {
      header = readRequestHeader(r);
    } catch (err) {
      return this.close(`unreadable request header: ${(err as Error).message}`);
    }
    const handler = this.registry.get(header.apiKey);
    if (!handler) return this.close(`unknown api key ${header.apiKey}`);
    const { api } = handler;
    if (header.apiVersion < handler.minVersion || header.apiVersion > handler.maxVersion) {
      if (api.key === ApiVersions.key) return this.answerUnsupportedApiVersions(header);
      return this.close(`${api.name} v${header.apiVersion} is not supported (${handler.minVersion}-${handler.maxVersion})`);
    }

    let request: unknown;
    try {
      if (api.requestHeaderVersion(header.apiVersion) === 2) skipTaggedFields(r);
      request = api.request.decode(r, header.apiVersion);
    } catch (err) {
      return this.close(`malformed ${api.name} v${header.apiVersion} request: ${(err as Error).message}`);
    }

    const expectsResponse = !handler.noResponse?.(request);
    const slot: Slot = { chunks: null };
    if (expectsResponse) this.queue.push(slot);
    const ctx: RequestContext = {
      header,
      clientHost: this.clientHost,
      connectionId: this.id,
      listenerName: this.opts.listenerName,
      responseBuffer: (size) => (expectsResponse ? this.borrow(slot, size) : Buffer.allocUnsafe(size)),
    };

    let result: unknown;
    try {
      result = handler.handle(request, ctx);
    } catch (err) {
      return this.fail(api.name, err);
    }
    const respond = (response: unknown): void => {
      if (!expectsResponse || this.closed) return;
      try {
        const w = new Writer(256);
        writeResponseHeader(w, header.correlationId, api.responseHeaderVersion(header.apiVersion));
        api.response.encode(w, response, header.apiVersion);
        slot.chunks = w.toChunks();
      } catch (err) {
        return this.fail(api.name, err);
      }
      this.flush();
    };
    const release = (): void => {
      if (handler.keepsNoRequestBytes === true) this.opts.framePool.release(frame);
    };
    if (!(result instanceof Promise)) {
      respond(result);
      release();
      return;
    }
    this.addInFlight(frame.length);
    result.then(
      (response) => {
        respond(response);
        release();
        this.addInFlight(-frame.length);
      },
      (err) => this.fail(api.name, err),
    );
  }

  /** Counts request bytes being handled; stops reading at MAX_IN_FLIGHT_BYTES, reads again below it. */
  private addInFlight(bytes: number): void {
    this.inFlightBytes += bytes;
    const full = this.inFlightBytes >= MAX_IN_FLIGHT_BYTES;
    if (full === this.full) return;
    this.full = full;
    if (full) this.socket.pause();
    else if (!this.paused && !this.closed) this.socket.resume();
  }

  /** A handler threw: that is a broker bug, not the client's. Log it loudly, drop this connection. */
  private fail(apiName: string, err: unknown): void {
    this.opts.logger.error(`Error handling ${apiName} on ${this.id}: ${(err as Error)?.stack ?? err}`);
    this.close();
  }

  /** KIP-511: a too-new ApiVersions gets a v0 answer with UNSUPPORTED_VERSION and our ranges. */
  private answerUnsupportedApiVersions(header: RequestHeader): void {
    const w = new Writer();
    writeResponseHeader(w, header.correlationId, 0);
    ApiVersions.response.encode(w, { errorCode: ErrorCode.UNSUPPORTED_VERSION, apiKeys: this.registry.supported(), throttleTimeMs: 0 }, 0);
    this.queue.push({ chunks: w.toChunks() });
    this.flush();
  }

  private flush(): void {
    if (this.closed) return;
    let wrote = false;
    while (this.queue.length > 0 && this.queue[0].chunks !== null) {
      const { chunks, borrowed } = this.queue.shift() as Slot & { chunks: Buffer[] };
      if (!wrote) this.socket.cork();
      wrote = true;
      let size = 0;
      for (const c of chunks) size += c.length;
      const prefix = Buffer.allocUnsafe(4);
      prefix.writeInt32BE(size, 0);
      this.socket.write(prefix);
      const last = chunks.length - 1;
      for (let i = 0; i <= last; i++) {
        // Writes complete in order: once the last chunk's is done, the socket holds none of them. A
        // write cut short by destroy() also calls back only after libuv has let go of the bytes; a
        // write that fails with an error leaves its buffers to the garbage collector.
        const done = i === last && borrowed !== undefined ? (err?: Error | null) => err || this.giveBack(borrowed) : undefined;
        this.socket.write(chunks[i], done);
      }
    }
    if (!wrote) return;
    this.socket.uncork();
    if (this.socket.writableLength > HIGH_WATER && !this.paused) {
      this.paused = true;
      this.socket.pause();
    }
  }

  /** A buffer for `slot`'s response: pooled, and given back once the response is written (`flush`). */
  private borrow(slot: Slot, size: number): Buffer {
    const held = slot.borrowed?.reduce((n, b) => n + b.length, 0) ?? 0;
    if (size < POOLED_RESPONSE_BYTES || held + size > MAX_BORROWED_BYTES) return Buffer.allocUnsafe(size);
    const buf = this.opts.framePool.take(size);
    (slot.borrowed ??= []).push(buf);
    return buf;
  }

  private giveBack(buffers: Buffer[]): void {
    for (const b of buffers) this.opts.framePool.release(b);
  }

  private resume(): void {
    if (this.paused && !this.closed) {
      this.paused = false;
      if (!this.full) this.socket.resume();
    }
  }
}
