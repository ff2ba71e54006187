/**
 * A small HTTP endpoint of a KafkaStreams instance (fastify), opt-in through
 * `KafkaStreams.startHttpServer()` or the property `skein.http.port`:
 *
 * - `GET /stores/:store/keys/:key` — the key's value (a key-value store), windows (a window store:
 *   `?from=&to=` in ms, default 0 and now) or sessions (a session store). The instance whose task
 *   holds the key answers: another one forwards the request to that instance's `application.server`
 *   (which must be the address of its endpoint), once — a forwarded request is answered locally.
 * - `GET /metadata` — every instance, its stores and partitions (`metadataForAllStreamsClients`).
 * - `GET /health` — the client's state and its threads'; 200 while RUNNING or REBALANCING, else 503.
 * - `GET /metrics` — Prometheus' text format (streams-metrics.ts).
 *
 * The key in the URL is text. It becomes the store's key through the parser registered for the
 * store (a function, or a Serde that reads the key's UTF-8 bytes), or as is when the store's key
 * serde is the String serde.
 */
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { Serde } from '../../serdes/serde.js';
import { InvalidStateStoreError, StreamsError } from '../errors.js';
import { type QueryableStoreType, QueryableStoreTypes } from '../state/queryable-store-types.js';
import type { KafkaStreamsState } from './kafka-streams.js';
import type { StreamsMetric } from './streams-metrics.js';
import { type HostInfo, type KeyQueryMetadata, type KeySerializer, type StoreLocation, type StreamsMetadata, sameHost } from './streams-metadata-state.js';
import type { ThreadMetadata } from './thread-protocol.js';

/** Turns the key of a URL into a store's key: a function of the text, or a Serde that reads its UTF-8 bytes. */
export type KeyParser = Serde<unknown> | ((key: string) => unknown);

export interface HttpServerOptions {
  /** The port; default: the port of `application.server`. 0 picks a free one. */
  port?: number;
  /** The interface to listen on; default: the host of `application.server`, or 127.0.0.1. */
  host?: string;
  /** Key parsers by store name (see KeyParser). */
  keyParsers?: Readonly<Record<string, KeyParser>>;
  /** How long a query forwarded to another instance may take, in ms; default 10 000. */
  forwardTimeoutMs?: number;
}

export interface StreamsHttpServer {
  /** Where it listens. */
  readonly host: string;
  readonly port: number;
  /** `http://host:port`. */
  readonly url: string;
  close(): Promise<void>;
}

/** What the endpoint needs of its KafkaStreams. */
export interface HttpServerSource {
  state(): KafkaStreamsState;
  /** This instance's application.server, parsed; null when it has none. */
  applicationServer(): HostInfo | null;
  localThreadsMetadata(): ThreadMetadata[];
  metrics(): Promise<StreamsMetric[]>;
  metadataForAllStreamsClients(): StreamsMetadata[];
  locateStore(name: string): StoreLocation;
  store<S>(name: string, type: QueryableStoreType<S>): S;
  queryMetadataForKey<K>(storeName: string, key: K, keySerializer?: KeySerializer<K>): KeyQueryMetadata;
  prometheus(metrics: readonly StreamsMetric[]): Promise<{ contentType: string; body: string }>;
}

/** The header a forwarded query carries: the application.server that forwarded it. */
export const FORWARDED_HEADER = 'x-skein-forwarded-from';

export async function startStreamsHttpServer(source: HttpServerSource, options: HttpServerOptions = {}): Promise<StreamsHttpServer> {
  const own = source.applicationServer();
  const port = options.port ?? own?.port;
  if (port === undefined) throw new StreamsError('startHttpServer needs a port: pass { port } or set application.server (host:port)');
  const host = options.host ?? own?.host ?? '127.0.0.1';
  const forwardTimeoutMs = options.forwardTimeoutMs ?? 10_000;
  const app: FastifyInstance = Fastify({ logger: false, forceCloseConnections: true });

  app.get('/health', async (_req, reply) => {
    const state = source.state();
    const threads = source
      .localThreadsMetadata()
      .map((t) => ({ name: t.threadName, state: t.state, activeTasks: t.activeTasks, standbyTasks: t.standbyTasks }));
    return sendJson(reply, state === 'RUNNING' || state === 'REBALANCING' ? 200 : 503, { state, threads });
  });

  app.get('/metrics', async (_req, reply) => {
    const { contentType, body } = await source.prometheus(await source.metrics());
    return reply.code(200).type(contentType).send(body);
  });

  app.get('/metadata', async (_req, reply) => sendJson(reply, 200, source.metadataForAllStreamsClients()));

  app.get<{ Params: { store: string; key: string }; Querystring: { from?: string; to?: string } }>('/stores/:store/keys/:key', async (req, reply) => {
    const { store: storeName, key: keyText } = req.params;
    const self = own === null ? null : `${own.host}:${own.port}`;
    let loc: StoreLocation;
    try {
      loc = source.locateStore(storeName);
    } catch (e) {
      return sendJson(reply, 404, { error: (e as Error).message, store: storeName });
    }
    const kind = loc.info?.kind ?? 'keyValue';
    const parser = options.keyParsers?.[storeName] ?? (loc.info?.keySerde.name === 'String' ? (k: string) => k : undefined);
    if (parser === undefined) {
      return sendJson(reply, 400, {
        error: `Store ${storeName} has no key parser: its key serde is ${loc.info?.keySerde.name ?? 'unknown'}; pass startHttpServer({ keyParsers: { '${storeName}': (text) => key } })`,
        store: storeName,
      });
    }
    let key: unknown;
    try {
      key = typeof parser === 'function' ? parser(keyText) : parser.deserialize('', Buffer.from(keyText, 'utf8'));
    } catch (e) {
      return sendJson(reply, 400, { error: `The key ${JSON.stringify(keyText)} does not parse: ${(e as Error).message}`, store: storeName });
    }

    let from = 0;
    let to = Date.now();
    try {
      from = timeParam(req.query.from, from);
      to = timeParam(req.query.to, to);
    } catch (e) {
      return sendJson(reply, 400, { error: (e as Error).message, store: storeName });
    }

    const forwarded = req.headers[FORWARDED_HEADER] !== undefined;
    if (!forwarded && own !== null && loc.subtopology !== null) {
      const meta = source.queryMetadataForKey(storeName, key);
      if (meta.partition >= 0 && !sameHost(meta.activeHost, own)) {
        return forward(reply, meta.activeHost, req.url, self as string, forwardTimeoutMs);
      }
    }

    try {
      const base = { store: storeName, key: keyText, host: self };
      if (kind === 'keyValue') {
        const value = await source.store(storeName, QueryableStoreTypes.keyValueStore()).get(key);
        if (value === undefined) return sendJson(reply, 404, { ...base, error: `No value for key ${JSON.stringify(keyText)} in ${storeName}` });
        return sendJson(reply, 200, { ...base, value });
      }
      if (kind === 'window') {
        const windows = await source.store(storeName, QueryableStoreTypes.windowStore()).fetchRange(key, from, to);
        return sendJson(reply, 200, { ...base, windows: windows.map((w) => ({ start: w.key, value: w.value })) });
      }
      const sessions = await source.store(storeName, QueryableStoreTypes.sessionStore<unknown, unknown>()).fetch(key);
      return sendJson(reply, 200, { ...base, sessions: sessions.map((s) => ({ start: s.key.window.start, end: s.key.window.end, value: s.value })) });
    } catch (e) {
      const status = e instanceof InvalidStateStoreError ? 503 : 500;
      return sendJson(reply, status, { error: (e as Error).message, store: storeName, key: keyText, host: self });
    }
  });

  await app.listen({ port, host });
  const address = app.server.address();
  const bound = typeof address === 'object' && address !== null ? address.port : port;
  return {
    host,
    port: bound,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}`,
    close: () => app.close(),
  };
}

async function forward(reply: FastifyReply, to: HostInfo, url: string, self: string, timeoutMs: number): Promise<FastifyReply> {
  const target = `http://${to.host.includes(':') ? `[${to.host}]` : to.host}:${to.port}${url}`;
  try {
    const res = await fetch(target, { headers: { [FORWARDED_HEADER]: self, accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) });
    const body = await res.text();
    return reply
      .code(res.status)
      .type(res.headers.get('content-type') ?? 'application/json')
      .send(body);
  } catch (e) {
    return sendJson(reply, 502, { error: `Forwarding to ${to.host}:${to.port}, which holds the key, failed: ${(e as Error).message}`, host: self });
  }
}

function timeParam(text: string | undefined, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!Number.isFinite(n)) throw new StreamsError(`Not a time in ms: ${text}`);
  return n;
}

/** JSON, with bigints as strings and Buffers as base64. */
function sendJson(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  const text = JSON.stringify(body, function replacer(this: Record<string, unknown>, k: string, v: unknown) {
    const original = this[k];
    if (typeof original === 'bigint') return original.toString();
    if (original instanceof Uint8Array) return Buffer.from(original.buffer, original.byteOffset, original.byteLength).toString('base64');
    if (typeof v === 'number' && !Number.isFinite(v)) return null;
    return v;
  });
  return reply.code(status).type('application/json; charset=utf-8').send(text);
}
