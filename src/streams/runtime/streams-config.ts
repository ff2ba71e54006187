/**
 * StreamsConfig: the application's properties, with Kafka Streams' names, types and defaults, in
 * one table (name → type, default, doc). An unknown name or a value of the wrong type is an error
 * that names the property; consumer and producer settings pass through under their Kafka names (or
 * with Kafka Streams' `consumer.` / `producer.` prefixes).
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Serde } from '../../serdes/serde.js';
import { StreamsConfigError } from '../errors.js';

export const AT_LEAST_ONCE = 'at_least_once';
export const EXACTLY_ONCE = 'exactly_once';

type Kind = 'string' | 'int' | 'boolean' | 'serde' | 'handler' | 'list';

interface ConfigDef {
  readonly kind: Kind;
  readonly doc: string;
  /** The default, or a function of the other values (commit.interval.ms depends on the guarantee). */
  readonly default?: unknown | ((c: Record<string, unknown>) => unknown);
  readonly required?: boolean;
  readonly oneOf?: readonly string[];
  readonly min?: number;
}

/** Streams' own properties. */
export const STREAMS_CONFIGS: Readonly<Record<string, ConfigDef>> = {
  'application.id': { kind: 'string', required: true, doc: 'Names the consumer group, the transactional ids, internal topics and the state directory.' },
  'bootstrap.servers': { kind: 'list', required: true, doc: 'host:port of the brokers, comma-separated or a list.' },
  'processing.guarantee': {
    kind: 'string',
    default: AT_LEAST_ONCE,
    oneOf: [AT_LEAST_ONCE, EXACTLY_ONCE, 'exactly_once_v2'],
    doc: "'exactly_once' (or Kafka's 'exactly_once_v2') commits output, changelogs and offsets in one transaction per task; 'at_least_once' commits offsets after the output is acknowledged.",
  },
  'commit.interval.ms': {
    kind: 'int',
    min: 0,
    default: (c: Record<string, unknown>) => (isExactlyOnce(c) ? 100 : 30_000),
    doc: 'How often tasks commit: 100 under exactly_once, 30000 otherwise.',
  },
  'state.dir': {
    kind: 'string',
    default: () => join(tmpdir(), 'skein-streams'),
    doc: 'Where LevelDB stores live: <state.dir>/<application.id>/<task>/<store>.',
  },
  'statestore.cache.max.bytes': {
    kind: 'int',
    min: 0,
    default: 10 * 1024 * 1024,
    doc: 'The record cache of each thread; 0 turns caching off, so every update is forwarded.',
  },
  'num.stream.threads': { kind: 'int', min: 1, default: 1, doc: 'Stream threads (worker_threads) in this instance.' },
  'num.standby.replicas': { kind: 'int', min: 0, default: 0, doc: 'Standby copies of each store kept up to date in other instances.' },
  'replication.factor': { kind: 'int', default: -1, doc: "Replication factor of internal topics; -1 takes the broker's default." },
  'default.key.serde': { kind: 'serde', default: null, doc: 'Key serde where the topology does not give one.' },
  'default.value.serde': { kind: 'serde', default: null, doc: 'Value serde where the topology does not give one.' },
  'default.deserialization.exception.handler': {
    kind: 'handler',
    default: 'logAndFail',
    doc: "'logAndFail', 'logAndContinue', or (error, record) => 'CONTINUE' | 'FAIL'.",
  },
  'default.production.exception.handler': {
    kind: 'handler',
    default: 'fail',
    doc: "'fail', 'continue', or (error, record) => 'CONTINUE' | 'FAIL', for records the broker refuses.",
  },
  'errors.deadletterqueue.topic.name': {
    kind: 'string',
    default: null,
    doc: 'Where records that fail to deserialize go, with the error in headers (KIP-1034).',
  },
  'max.task.idle.ms': { kind: 'int', default: 0, doc: 'How long a task waits for data on all its partitions before processing out of timestamp order.' },
  'buffered.records.per.partition': { kind: 'int', min: 1, default: 1000, doc: 'Records buffered per partition before its fetching pauses.' },
  'poll.ms': { kind: 'int', min: 0, default: 100, doc: 'How long the thread waits for records when it has none.' },
  'application.server': { kind: 'string', default: '', doc: 'host:port of this instance, for interactive queries routed between instances.' },
  'skein.http.port': {
    kind: 'int',
    min: 0,
    default: null,
    doc: "Starts the instance's HTTP endpoint (interactive queries, /health, /metrics) on this port at start(); unset: no endpoint (see docs/scaling.md).",
  },
  'skein.http.host': { kind: 'string', default: null, doc: "The interface the HTTP endpoint listens on; default: application.server's host, or 127.0.0.1." },
  'client.id': { kind: 'string', default: '', doc: 'Prefix of the client ids of the consumers and producers.' },
  'topology.module': {
    kind: 'string',
    default: null,
    doc: 'The module that builds the topology, loaded by each stream thread (worker). Defaults to the main module.',
  },
  'state.cleanup.delay.ms': { kind: 'int', default: 600_000, doc: 'How long a task directory no longer assigned is kept before it is deleted.' },
  'task.timeout.ms': { kind: 'int', default: 300_000, doc: 'How long a task may keep failing with retriable errors before the thread fails.' },
  'restore.batch.records': { kind: 'int', min: 1, default: 10_000, doc: 'Changelog records applied to LevelDB per batch during restoration.' },
};

/** Consumer and producer properties accepted and passed to kafkajs (with Kafka's names). */
export const CLIENT_CONFIGS: Readonly<Record<string, ConfigDef>> = {
  'session.timeout.ms': {
    kind: 'int',
    min: 1,
    default: 10_000,
    doc: "Consumer group session timeout. 10000 (Kafka Streams' default before KIP-735): kafkajs has no static membership, so a restarted instance cannot reclaim its old place and the group waits this long for a dead one.",
  },
  'heartbeat.interval.ms': { kind: 'int', min: 1, default: 3_000, doc: 'Consumer heartbeat interval.' },
  'max.poll.interval.ms': { kind: 'int', min: 1, default: 300_000, doc: 'Rebalance timeout: how long the group waits for a member to rejoin.' },
  'fetch.max.wait.ms': { kind: 'int', min: 0, default: 500, doc: 'Longest a fetch waits for data.' },
  'fetch.min.bytes': { kind: 'int', min: 1, default: 1, doc: 'Bytes a fetch waits for.' },
  'fetch.max.bytes': { kind: 'int', min: 1, default: 52_428_800, doc: 'Most bytes a fetch returns.' },
  'max.partition.fetch.bytes': { kind: 'int', min: 1, default: 1_048_576, doc: 'Most bytes a fetch returns per partition.' },
  'auto.offset.reset': {
    kind: 'string',
    default: 'earliest',
    oneOf: ['earliest', 'latest'],
    doc: 'Where to start without a committed offset (Kafka Streams: earliest).',
  },
  'transaction.timeout.ms': { kind: 'int', min: 1, default: 10_000, doc: 'Timeout of each task transaction (Kafka Streams under exactly_once: 10000).' },
  'request.timeout.ms': { kind: 'int', min: 1, default: 30_000, doc: 'Request timeout of every client.' },
  'connections.max.idle.ms': { kind: 'int', min: 1, default: 540_000, doc: 'Accepted for compatibility.' },
  'retry.backoff.ms': { kind: 'int', min: 0, default: 100, doc: 'First retry delay of the clients.' },
  'compression.type': { kind: 'string', default: 'none', oneOf: ['none', 'gzip'], doc: 'Compression of produced records (kafkajs has gzip built in).' },
};

const CLIENT_PREFIXES = ['consumer.', 'producer.', 'main.consumer.', 'restore.consumer.', 'admin.'];

export type StreamsProperties = Readonly<Record<string, unknown>>;

export function isExactlyOnce(c: Readonly<Record<string, unknown>>): boolean {
  const g = c['processing.guarantee'];
  return g === EXACTLY_ONCE || g === 'exactly_once_v2';
}

/** The validated properties, every default filled in. */
export class StreamsConfig {
  readonly values: Readonly<Record<string, unknown>>;

  constructor(props: StreamsProperties) {
    if (props === null || typeof props !== 'object') throw new StreamsConfigError('KafkaStreams needs its properties as an object');
    const values: Record<string, unknown> = {};
    for (const [name, raw] of Object.entries(props)) {
      if (raw === undefined) continue;
      const clientName = CLIENT_PREFIXES.reduce((n, p) => (n.startsWith(p) ? n.slice(p.length) : n), name);
      const def = STREAMS_CONFIGS[name] ?? CLIENT_CONFIGS[clientName];
      if (def === undefined) {
        throw new StreamsConfigError(`Unknown property ${JSON.stringify(name)}; see docs/streams-runtime.md for the properties Skein takes`);
      }
      values[def === STREAMS_CONFIGS[name] ? name : clientName] = coerce(name, raw, def);
    }
    for (const [name, def] of [...Object.entries(STREAMS_CONFIGS), ...Object.entries(CLIENT_CONFIGS)]) {
      if (name in values) continue;
      if (def.required) throw new StreamsConfigError(`Missing required property ${name}: ${def.doc}`);
      values[name] = typeof def.default === 'function' ? (def.default as (c: Record<string, unknown>) => unknown)(values) : def.default;
    }
    const appId = values['application.id'] as string;
    if (!/^[a-zA-Z0-9._-]+$/.test(appId))
      throw new StreamsConfigError(`application.id ${JSON.stringify(appId)} may contain only ASCII letters, digits, '.', '_' and '-'`);
    if (values['processing.guarantee'] === 'exactly_once_v2') values['processing.guarantee'] = EXACTLY_ONCE;
    this.values = Object.freeze(values);
  }

  get applicationId(): string {
    return this.values['application.id'] as string;
  }

  get bootstrapServers(): string[] {
    return this.values['bootstrap.servers'] as string[];
  }

  get exactlyOnce(): boolean {
    return isExactlyOnce(this.values);
  }

  int(name: string): number {
    return this.values[name] as number;
  }

  string(name: string): string {
    return this.values[name] as string;
  }

  serde(name: 'default.key.serde' | 'default.value.serde'): Serde<unknown> | null {
    return this.values[name] as Serde<unknown> | null;
  }
}

function coerce(name: string, raw: unknown, def: ConfigDef): unknown {
  const bad = (expected: string): never => {
    throw new StreamsConfigError(`Property ${name} must be ${expected}, not ${JSON.stringify(raw) ?? String(raw)}`);
  };
  switch (def.kind) {
    case 'string': {
      if (raw === null) return null;
      if (typeof raw !== 'string') bad('a string');
      if (def.oneOf !== undefined && !def.oneOf.includes(raw as string)) bad(`one of ${def.oneOf.map((x) => `'${x}'`).join(', ')}`);
      return raw;
    }
    case 'int': {
      const n = typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw;
      if (typeof n !== 'number' || !Number.isInteger(n)) bad('an integer');
      if (def.min !== undefined && (n as number) < def.min) bad(`at least ${def.min}`);
      return n;
    }
    case 'boolean': {
      if (raw === 'true' || raw === true) return true;
      if (raw === 'false' || raw === false) return false;
      return bad('true or false');
    }
    case 'list': {
      const list =
        typeof raw === 'string'
          ? raw
              .split(',')
              .map((s) => s.trim())
              .filter((s) => s.length > 0)
          : raw;
      if (!Array.isArray(list) || list.length === 0 || list.some((s) => typeof s !== 'string')) bad('a non-empty comma-separated string or list of strings');
      return list;
    }
    case 'serde': {
      if (raw === null) return null;
      const s = raw as Partial<Serde<unknown>>;
      if (typeof s !== 'object' || typeof s.serialize !== 'function' || typeof s.deserialize !== 'function') bad('a Serde (e.g. Serdes.String())');
      return raw;
    }
    case 'handler': {
      if (typeof raw !== 'function' && typeof raw !== 'string') bad('a handler name or a function');
      return raw;
    }
  }
}
