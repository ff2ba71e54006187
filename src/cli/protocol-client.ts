/**
 * A minimal Kafka protocol client over one TCP connection, built on our own codec: for the few
 * requests the CLI needs that kafkajs cannot make or hides the answer of (topic ids from Metadata
 * v10+, CreateTopics v4+ with broker-default partition counts, the broker's own error messages).
 *
 * It connects to the first bootstrap server that answers, learns the broker's versions with
 * ApiVersions and sends every request at the highest version both sides speak. Requests may be
 * pipelined; answers are matched by correlation id. Each frame is a 4-byte big-endian size followed
 * by the message.
 *
 * Left out on purpose: TLS and SASL, reconnects, and routing to a particular broker (a Kafka 2.8+
 * broker forwards admin requests to the controller itself, and Skein is a single node).
 */
import { connect, type Socket } from 'node:net';
import { type Api, decodeResponse, encodeRequest } from '../protocol/api.js';
import { ApiVersions, type ApiVersionsResponse } from '../protocol/apis/api-versions.js';
import { ErrorCode, errorName, KafkaError } from '../protocol/errors.js';
import { type BrokerAddress, formatAddress } from './bootstrap.js';
import { CliError } from './cli-error.js';
import { skeinVersion } from './version.js';

export interface ProtocolClientOptions {
  clientId?: string;
  /** Per connection attempt; default 10 s. */
  connectTimeoutMs?: number;
  /** Per request; default 30 s. */
  requestTimeoutMs?: number;
}

interface Pending {
  resolve(frame: Buffer): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

/** Largest answer accepted; protects against reading garbage as a size. */
const MAX_RESPONSE_BYTES = 256 * 1024 * 1024;

export class ProtocolClient {
  private nextCorrelationId = 1;
  private readonly pending = new Map<number, Pending>();
  private chunks: Buffer[] = [];
  private buffered = 0;
  private closed = false;
  private brokerVersions = new Map<number, { min: number; max: number }>();

  private constructor(
    private readonly socket: Socket,
    /** The server this client is connected to. */
    readonly address: BrokerAddress,
    private readonly clientId: string,
    private readonly requestTimeoutMs: number,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.failAll(new CliError(`Connection to ${formatAddress(address)} failed: ${err.message}`)));
    socket.on('close', () => this.failAll(new CliError(`Connection to ${formatAddress(address)} was closed by the broker`)));
  }

  /** Connects to the first server of `servers` that accepts, and negotiates API versions. */
  static async connect(servers: readonly BrokerAddress[], opts: ProtocolClientOptions = {}): Promise<ProtocolClient> {
    const failures: string[] = [];
    for (const address of servers) {
      let socket: Socket;
      try {
        socket = await openSocket(address, opts.connectTimeoutMs ?? 10_000);
      } catch (err) {
        failures.push(`${formatAddress(address)} (${(err as Error).message})`);
        continue;
      }
      const client = new ProtocolClient(socket, address, opts.clientId ?? 'skein-cli', opts.requestTimeoutMs ?? 30_000);
      try {
        await client.negotiateVersions();
        return client;
      } catch (err) {
        client.close();
        failures.push(`${formatAddress(address)} (${(err as Error).message})`);
      }
    }
    throw new CliError(`Could not connect to any bootstrap server: ${failures.join(', ')}`);
  }

  /** The highest version of `api` both this codebase and the broker speak; CliError when none. */
  versionFor(api: Api<unknown, unknown>): number {
    const broker = this.brokerVersions.get(api.key);
    if (broker === undefined) throw new CliError(`The broker at ${formatAddress(this.address)} does not support ${api.name}`);
    const hi = Math.min(broker.max, api.versions.hi);
    const lo = Math.max(broker.min, api.versions.lo);
    if (hi < lo) {
      throw new CliError(`No common ${api.name} version: the broker speaks v${broker.min}-${broker.max}, skein v${api.versions.lo}-${api.versions.hi}`);
    }
    return hi;
  }

  /** Sends one request at `version` (default: `versionFor(api)`) and decodes its answer. */
  async send<Req, Res>(api: Api<Req, Res>, body: Req, version = this.versionFor(api)): Promise<Res> {
    const frame = await this.roundTrip(api as Api<Req, unknown>, version, body);
    return decodeResponse(api, version, frame).body;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    this.failAll(new CliError('The connection was closed'));
  }

  private async negotiateVersions(): Promise<void> {
    const version = ApiVersions.versions.hi;
    const frame = await this.roundTrip(ApiVersions, version, { clientSoftwareName: 'skein-cli', clientSoftwareVersion: skeinVersion() });
    // After the correlation id, every ApiVersions version starts with the error code. A broker that
    // does not know our version answers UNSUPPORTED_VERSION in the v0 layout (KIP-511).
    const errorCode = frame.length >= 6 ? frame.readInt16BE(4) : ErrorCode.NONE;
    const answered = errorCode === ErrorCode.UNSUPPORTED_VERSION ? 0 : version;
    const res: ApiVersionsResponse = decodeResponse(ApiVersions, answered, frame).body;
    if (res.errorCode !== ErrorCode.NONE && res.errorCode !== ErrorCode.UNSUPPORTED_VERSION) {
      throw new KafkaError(res.errorCode, `ApiVersions failed: ${errorName(res.errorCode)}`);
    }
    this.brokerVersions = new Map(res.apiKeys.map((k) => [k.apiKey, { min: k.minVersion, max: k.maxVersion }]));
  }

  private roundTrip<Req>(api: Api<Req, unknown>, version: number, body: Req): Promise<Buffer> {
    if (this.closed) return Promise.reject(new CliError('The connection is closed'));
    const correlationId = this.nextCorrelationId++;
    const message = encodeRequest(api, version, correlationId, this.clientId, body);
    const size = Buffer.allocUnsafe(4);
    size.writeInt32BE(message.length, 0);
    return new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(correlationId);
        reject(new CliError(`${api.name} request to ${formatAddress(this.address)} timed out after ${this.requestTimeoutMs} ms`));
      }, this.requestTimeoutMs);
      this.pending.set(correlationId, { resolve, reject, timer });
      this.socket.write(Buffer.concat([size, message]));
    });
  }

  private onData(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (this.buffered >= 4) {
      let buf = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
      const size = buf.readInt32BE(0);
      if (size < 4 || size > MAX_RESPONSE_BYTES) {
        this.failAll(new CliError(`The broker at ${formatAddress(this.address)} sent a frame of ${size} bytes; is it a Kafka broker?`));
        this.socket.destroy();
        return;
      }
      if (buf.length < 4 + size) {
        this.chunks = [buf];
        return;
      }
      const frame = buf.subarray(4, 4 + size);
      buf = buf.subarray(4 + size);
      this.chunks = buf.length > 0 ? [buf] : [];
      this.buffered = buf.length;
      const correlationId = frame.readInt32BE(0);
      const waiting = this.pending.get(correlationId);
      if (waiting === undefined) continue; // an answer to a request that timed out
      this.pending.delete(correlationId);
      clearTimeout(waiting.timer);
      waiting.resolve(frame);
    }
  }

  private failAll(err: Error): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(err);
      this.pending.delete(id);
    }
  }
}

function openSocket(address: BrokerAddress, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: address.host, port: address.port });
    socket.setNoDelay(true);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new Error(err.code === 'ECONNREFUSED' ? 'connection refused' : err.code === 'ENOTFOUND' ? 'unknown host' : err.message));
    });
  });
}
