/**
 * The client's metrics, under Kafka Streams' names where Kafka Streams has the metric (groups
 * `stream-metrics`, `stream-thread-metrics`, `stream-task-metrics`, `stream-state-updater-metrics`,
 * and the consumer's `consumer-fetch-manager-metrics`), in one table: `KafkaStreams.metrics()` lists
 * them, and `PrometheusExporter` writes them in Prometheus' text format with prom-client.
 *
 * Prometheus names follow the JMX exporter's usual rule for Kafka's MBeans: domain, group and metric,
 * dashes to underscores — `kafka.streams:type=stream-thread-metrics,thread-id=…` `process-total`
 * becomes `kafka_streams_stream_thread_metrics_process_total{thread_id="…"}`, and the consumer's
 * `kafka.consumer:type=consumer-fetch-manager-metrics` `records-lag` becomes
 * `kafka_consumer_consumer_fetch_manager_metrics_records_lag` — so dashboards made for Kafka Streams
 * find them. A state (a string in Kafka Streams) becomes one series per possible state,
 * 1 for the current one and 0 for the others.
 *
 * Rates and windowed averages and maxima cover the last 30 to 60 seconds, as Kafka's do. Kafka
 * Streams has no task-count metrics; `active-tasks` and `standby-tasks` are Skein's.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { KafkaStreamsState } from './kafka-streams.js';
import type { StreamThreadState } from './stream-thread.js';
import { recordsLag } from './stream-thread-metrics.js';
import type { ThreadMetadata } from './thread-protocol.js';

export interface StreamsMetric {
  /** Kafka's metric group (the MBean's `type`): `stream-thread-metrics`, … */
  readonly group: string;
  /** Kafka's metric name: `process-total`, … */
  readonly name: string;
  readonly tags: Readonly<Record<string, string>>;
  /** A number, or for a state the state's name. */
  readonly value: number | string;
  readonly description: string;
}

type MetricType = 'counter' | 'gauge' | 'state';

interface MetricDef {
  readonly group: string;
  readonly name: string;
  readonly type: MetricType;
  readonly tags: readonly string[];
  readonly description: string;
  /** For a state: every state it can be in. */
  readonly states?: readonly string[];
}

const CLIENT_STATES: readonly KafkaStreamsState[] = ['CREATED', 'REBALANCING', 'RUNNING', 'PENDING_SHUTDOWN', 'NOT_RUNNING', 'PENDING_ERROR', 'ERROR'];
const THREAD_STATES: readonly StreamThreadState[] = ['CREATED', 'STARTING', 'PARTITIONS_REVOKED', 'PARTITIONS_ASSIGNED', 'RUNNING', 'PENDING_SHUTDOWN', 'DEAD'];

const CLIENT = ['client-id'];
const THREAD = ['thread-id'];
const TASK = ['thread-id', 'task-id'];
const PARTITION = ['client-id', 'topic', 'partition'];

/** Every metric: group, name, type, tags, description. */
export const STREAMS_METRICS: readonly MetricDef[] = [
  { group: 'stream-metrics', name: 'client-state', type: 'state', tags: CLIENT, states: CLIENT_STATES, description: 'The state of the KafkaStreams client.' },
  { group: 'stream-metrics', name: 'alive-stream-threads', type: 'gauge', tags: CLIENT, description: 'Stream threads running now.' },
  {
    group: 'stream-metrics',
    name: 'failed-stream-threads',
    type: 'counter',
    tags: CLIENT,
    description: 'Stream threads that failed since the client started.',
  },
  { group: 'stream-thread-metrics', name: 'thread-state', type: 'state', tags: THREAD, states: THREAD_STATES, description: 'The state of the stream thread.' },
  { group: 'stream-thread-metrics', name: 'process-total', type: 'counter', tags: THREAD, description: 'Records processed by the thread.' },
  { group: 'stream-thread-metrics', name: 'process-rate', type: 'gauge', tags: THREAD, description: 'Records processed per second.' },
  {
    group: 'stream-thread-metrics',
    name: 'commit-total',
    type: 'counter',
    tags: THREAD,
    description: 'Commits of the thread (each commits every task with new work).',
  },
  { group: 'stream-thread-metrics', name: 'commit-rate', type: 'gauge', tags: THREAD, description: 'Commits per second.' },
  { group: 'stream-thread-metrics', name: 'commit-latency-avg', type: 'gauge', tags: THREAD, description: 'Average time of a commit, in ms.' },
  { group: 'stream-thread-metrics', name: 'commit-latency-max', type: 'gauge', tags: THREAD, description: 'Longest commit, in ms.' },
  {
    group: 'stream-thread-metrics',
    name: 'active-tasks',
    type: 'gauge',
    tags: THREAD,
    description: 'Active tasks of the thread, running or restoring (Skein).',
  },
  { group: 'stream-thread-metrics', name: 'standby-tasks', type: 'gauge', tags: THREAD, description: 'Standby tasks of the thread (Skein).' },
  { group: 'stream-state-updater-metrics', name: 'active-restoring-tasks', type: 'gauge', tags: THREAD, description: 'Active tasks restoring their stores.' },
  {
    group: 'stream-task-metrics',
    name: 'dropped-records-total',
    type: 'counter',
    tags: TASK,
    description: 'Records dropped by the task: late, with a null key, or skipped by an exception handler.',
  },
  {
    group: 'stream-task-metrics',
    name: 'restore-total',
    type: 'counter',
    tags: TASK,
    description: 'Changelog records restored since the task was assigned to the thread.',
  },
  { group: 'stream-task-metrics', name: 'restore-rate', type: 'gauge', tags: TASK, description: 'Changelog records restored per second.' },
  {
    group: 'stream-task-metrics',
    name: 'restore-remaining-records-total',
    type: 'gauge',
    tags: TASK,
    description: 'Changelog records left to restore before the task runs.',
  },
  { group: 'stream-task-metrics', name: 'update-total', type: 'counter', tags: TASK, description: 'Changelog records a standby task applied.' },
  { group: 'stream-task-metrics', name: 'update-rate', type: 'gauge', tags: TASK, description: 'Changelog records a standby task applied per second.' },
  {
    group: 'consumer-fetch-manager-metrics',
    name: 'records-lag',
    type: 'gauge',
    tags: PARTITION,
    description:
      "Records of the partition not processed yet: its last stable offset minus the consumer's position, plus the records fetched and not yet processed.",
  },
];

const DEFS = new Map(STREAMS_METRICS.map((d) => [`${d.group}/${d.name}`, d]));

export interface ClientMetricsInput {
  readonly clientId: string;
  readonly state: KafkaStreamsState;
  readonly failedStreamThreads: number;
  readonly threads: readonly ThreadMetadata[];
  /** End offsets (last stable offsets) of the input partitions, by `topic:partition`, read for this collection. */
  readonly endOffsets?: ReadonlyMap<string, number>;
}

/** The metrics of a client and its threads, from the threads' metadata. */
export function collectStreamsMetrics(input: ClientMetricsInput): StreamsMetric[] {
  const out: StreamsMetric[] = [];
  const add = (group: string, name: string, tags: Record<string, string>, value: number | string): void => {
    const def = DEFS.get(`${group}/${name}`) as MetricDef;
    out.push({ group, name, tags, value, description: def.description });
  };
  const client = { 'client-id': input.clientId };
  add('stream-metrics', 'client-state', client, input.state);
  add('stream-metrics', 'alive-stream-threads', client, input.threads.filter((t) => t.state !== 'DEAD').length);
  add('stream-metrics', 'failed-stream-threads', client, input.failedStreamThreads);
  for (const t of input.threads) {
    const thread = { 'thread-id': t.threadName };
    const m = t.metrics;
    add('stream-thread-metrics', 'thread-state', thread, t.state);
    add('stream-thread-metrics', 'process-total', thread, m.processTotal);
    add('stream-thread-metrics', 'process-rate', thread, m.processRate);
    add('stream-thread-metrics', 'commit-total', thread, m.commitTotal);
    add('stream-thread-metrics', 'commit-rate', thread, m.commitRate);
    add('stream-thread-metrics', 'commit-latency-avg', thread, m.commitLatencyAvg);
    add('stream-thread-metrics', 'commit-latency-max', thread, m.commitLatencyMax);
    add('stream-thread-metrics', 'active-tasks', thread, m.activeTasks);
    add('stream-thread-metrics', 'standby-tasks', thread, m.standbyTasks);
    add('stream-state-updater-metrics', 'active-restoring-tasks', thread, m.activeRestoringTasks);
    for (const task of m.tasks) {
      const tags = { 'thread-id': t.threadName, 'task-id': task.taskId };
      if (task.standby) {
        add('stream-task-metrics', 'update-total', tags, task.updateTotal);
        add('stream-task-metrics', 'update-rate', tags, task.updateRate);
      } else {
        add('stream-task-metrics', 'dropped-records-total', tags, task.droppedRecordsTotal);
        add('stream-task-metrics', 'restore-total', tags, task.restoreTotal);
        add('stream-task-metrics', 'restore-rate', tags, task.restoreRate);
        add('stream-task-metrics', 'restore-remaining-records-total', tags, task.restoreRemainingRecordsTotal);
      }
    }
    for (const p of m.partitions) {
      const lag = recordsLag(p, input.endOffsets?.get(`${p.topic}:${p.partition}`));
      if (lag !== null)
        add('consumer-fetch-manager-metrics', 'records-lag', { 'client-id': `${t.threadName}-consumer`, topic: p.topic, partition: String(p.partition) }, lag);
    }
  }
  return out;
}

/** The Prometheus name of a metric: `kafka_<domain>_<group>_<name>`, dashes to underscores. */
export function prometheusName(group: string, name: string): string {
  const domain = group.startsWith('consumer-') ? 'kafka_consumer' : 'kafka_streams';
  return `${domain}_${group}_${name}`.replace(/-/g, '_');
}

const labelName = (tag: string): string => tag.replace(/-/g, '_');

/**
 * Writes metrics in Prometheus' text format (version 0.0.4) with prom-client, together with
 * prom-client's default metrics of the Node.js process (CPU, memory, event-loop lag, GC).
 */
export class PrometheusExporter {
  private readonly processMetrics = new Registry();

  constructor() {
    collectDefaultMetrics({ register: this.processMetrics });
  }

  get contentType(): string {
    return this.processMetrics.contentType;
  }

  /** The exposition of `metrics` and the process metrics. */
  async expose(metrics: readonly StreamsMetric[]): Promise<string> {
    // A registry per scrape: the label sets (threads, tasks, partitions) come and go between scrapes.
    const registry = new Registry();
    const byDef = new Map<MetricDef, StreamsMetric[]>();
    for (const m of metrics) {
      const def = DEFS.get(`${m.group}/${m.name}`);
      if (def === undefined) continue;
      if (!byDef.has(def)) byDef.set(def, []);
      (byDef.get(def) as StreamsMetric[]).push(m);
    }
    for (const [def, values] of byDef) {
      const name = prometheusName(def.group, def.name);
      const labels = (m: StreamsMetric): Record<string, string> => Object.fromEntries(Object.entries(m.tags).map(([k, v]) => [labelName(k), v]));
      const labelNames = def.tags.map(labelName);
      if (def.type === 'counter') {
        const c = new Counter({ name, help: def.description, labelNames, registers: [registry] });
        for (const m of values) c.inc(labels(m), Math.max(0, Number(m.value)));
      } else if (def.type === 'gauge') {
        const g = new Gauge({ name, help: def.description, labelNames, registers: [registry] });
        // A windowed average or maximum of nothing is NaN in Kafka; in Prometheus, no sample says it better.
        for (const m of values) if (Number.isFinite(Number(m.value))) g.set(labels(m), Number(m.value));
      } else {
        const stateLabel = def.name.endsWith('state') ? 'state' : labelName(def.name);
        const g = new Gauge({
          name,
          help: `${def.description} One series per state: 1 for the current one.`,
          labelNames: [...labelNames, stateLabel],
          registers: [registry],
        });
        for (const m of values) for (const s of def.states ?? []) g.set({ ...labels(m), [stateLabel]: s }, s === m.value ? 1 : 0);
      }
    }
    return Registry.merge([registry, this.processMetrics]).metrics();
  }
}
