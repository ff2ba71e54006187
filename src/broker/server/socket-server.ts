/**
 * The TCP side of the broker: one server per listener, a Connection per socket.
 */
import { createServer, type Server } from 'node:net';
import type { Logger } from '../logger.js';
import { Connection } from './connection.js';
import { FramePool } from './frame-pool.js';
import type { HandlerRegistry } from './handler.js';

export interface ListenerSpec {
  name: string;
  host: string;
  port: number;
}

export interface BoundListener extends ListenerSpec {
  /** The port actually bound (differs from `port` when that was 0). */
  boundPort: number;
}

export class SocketServer {
  private readonly servers: Server[] = [];
  private readonly connections = new Set<Connection>();
  /** Large request frames, shared by every connection; at most this many bytes kept idle. */
  private readonly framePool = new FramePool(64 * 1024 * 1024);
  readonly bound: BoundListener[] = [];

  constructor(
    private readonly registry: HandlerRegistry,
    private readonly opts: { maxRequestBytes: number; logger: Logger },
  ) {}

  async start(listeners: ListenerSpec[]): Promise<BoundListener[]> {
    for (const l of listeners) {
      // Paused, so that the Connection can read the socket into its own buffers from the first byte.
      const server = createServer({ pauseOnConnect: true }, (socket) => {
        const conn = new Connection(socket, this.registry, {
          maxRequestBytes: this.opts.maxRequestBytes,
          listenerName: l.name,
          logger: this.opts.logger,
          framePool: this.framePool,
          onClose: (c) => this.connections.delete(c),
        });
        this.connections.add(conn);
      });
      await new Promise<void>((resolve, reject) => {
        const onError = (err: NodeJS.ErrnoException): void => reject(listenError(l, err));
        server.once('error', onError);
        server.listen({ host: l.host || undefined, port: l.port }, () => {
          server.off('error', onError);
          resolve();
        });
      });
      const addr = server.address();
      const boundPort = typeof addr === 'object' && addr ? addr.port : l.port;
      this.servers.push(server);
      this.bound.push({ ...l, boundPort });
      this.opts.logger.info(`Listening on ${l.name}://${l.host || '0.0.0.0'}:${boundPort}`);
    }
    return this.bound;
  }

  /** Stops accepting, then closes every open connection. */
  async stop(): Promise<void> {
    const closed = this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
    for (const c of this.connections) c.close();
    this.connections.clear();
    await Promise.all(closed);
  }
}

/** Names the listener and says in words why it could not be bound; the errno stays as the cause. */
function listenError(l: ListenerSpec, err: NodeJS.ErrnoException): Error {
  const host = l.host.includes(':') ? `[${l.host}]` : l.host;
  const reason =
    err.code === 'EADDRINUSE'
      ? 'the address is already in use'
      : err.code === 'EACCES'
        ? 'permission denied (ports below 1024 need privileges)'
        : err.code === 'EADDRNOTAVAIL'
          ? 'no interface of this machine has that address'
          : err.message;
  return new Error(`Cannot listen on ${l.name}://${host}:${l.port}: ${reason}${err.code && reason !== err.message ? ` (${err.code})` : ''}`, { cause: err });
}
