/**
 * A TCP proxy on 127.0.0.1 that breaks Kafka connections on purpose, for tests of what clients do
 * when a request or its answer is lost: it reads the size-prefixed request frames going to the
 * broker, and for each one asks `fault` whether to pass it, to cut the connection before the broker
 * sees it (`drop-request`), or to let the broker handle it and cut the connection before its
 * response reaches the client (`drop-response`) — the case that makes an idempotent producer retry a
 * batch the broker already wrote.
 *
 * Clients learn broker addresses from Metadata, so the broker must advertise the proxy
 * (advertised.listeners=PLAINTEXT://127.0.0.1:<proxy port>): start the proxy first, then the broker,
 * then `setTarget(brokerPort)`.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export type FaultAction = 'pass' | 'drop-request' | 'drop-response';

/** One request frame on its way to the broker. */
export interface RequestInfo {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  /** How many requests of this API key the proxy has seen, this one included (1-based). */
  nthOfKey: number;
}

export interface FlakyProxyStats {
  connections: number;
  requests: number;
  droppedRequests: number;
  droppedResponses: number;
}

export class FlakyProxy {
  readonly stats: FlakyProxyStats = { connections: 0, requests: 0, droppedRequests: 0, droppedResponses: 0 };
  private target: { host: string; port: number } | undefined;
  private readonly perKey = new Map<number, number>();
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
    /** Decides the fate of each request; change it at any time. */
    public fault: (req: RequestInfo) => FaultAction,
  ) {}

  static async start(fault: (req: RequestInfo) => FaultAction = () => 'pass'): Promise<FlakyProxy> {
    // No client can connect before start() has returned the port, so `proxy` is set by then.
    const server = createServer((client) => proxy.onConnection(client));
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const addr = server.address();
        resolve(typeof addr === 'object' && addr !== null ? addr.port : 0);
      });
    });
    const proxy = new FlakyProxy(server, port, fault);
    return proxy;
  }

  setTarget(port: number, host = '127.0.0.1'): void {
    this.target = { host, port };
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private onConnection(client: Socket): void {
    if (this.target === undefined) {
      client.destroy();
      return;
    }
    this.stats.connections++;
    const upstream = connect(this.target);
    this.sockets.add(client);
    this.sockets.add(upstream);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    let dead = false;
    const kill = (): void => {
      if (dead) return;
      dead = true;
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('error', kill);
    upstream.on('error', kill);
    client.on('close', kill);
    upstream.on('close', kill);

    // Requests whose response must not reach the client: the connection dies when it arrives.
    const doomed = new Set<number>();
    let toBroker: Buffer = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => {
      toBroker = toBroker.length === 0 ? chunk : Buffer.concat([toBroker, chunk]);
      while (!dead && toBroker.length >= 4 && toBroker.length >= 4 + toBroker.readInt32BE(0)) {
        const size = toBroker.readInt32BE(0);
        const frame = toBroker.subarray(0, 4 + size);
        toBroker = toBroker.subarray(4 + size);
        const apiKey = size >= 2 ? frame.readInt16BE(4) : -1;
        const nthOfKey = (this.perKey.get(apiKey) ?? 0) + 1;
        this.perKey.set(apiKey, nthOfKey);
        this.stats.requests++;
        const info: RequestInfo = {
          apiKey,
          apiVersion: size >= 4 ? frame.readInt16BE(6) : -1,
          correlationId: size >= 8 ? frame.readInt32BE(8) : -1,
          nthOfKey,
        };
        const action = this.fault(info);
        if (action === 'drop-request') {
          this.stats.droppedRequests++;
          kill();
          return;
        }
        if (action === 'drop-response') doomed.add(info.correlationId);
        upstream.write(frame);
      }
    });

    let toClient: Buffer = Buffer.alloc(0);
    upstream.on('data', (chunk: Buffer) => {
      toClient = toClient.length === 0 ? chunk : Buffer.concat([toClient, chunk]);
      while (!dead && toClient.length >= 4 && toClient.length >= 4 + toClient.readInt32BE(0)) {
        const size = toClient.readInt32BE(0);
        const frame = toClient.subarray(0, 4 + size);
        toClient = toClient.subarray(4 + size);
        const correlationId = size >= 4 ? frame.readInt32BE(4) : -1;
        if (doomed.has(correlationId)) {
          this.stats.droppedResponses++;
          kill();
          return;
        }
        client.write(frame);
      }
    });
  }
}
