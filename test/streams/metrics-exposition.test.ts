/**
 * The metrics table and its Prometheus exposition, from threads' metadata as workers report it:
 * Kafka Streams' names turned into the JMX exporter's, one series per state, counters typed as
 * counters, no sample for a windowed average of nothing, and records-lag from end offsets.
 */
import { describe, expect, it } from 'vitest';
import { emptyThreadMetrics } from '../../src/streams/runtime/stream-thread-metrics.js';
import { PrometheusExporter, STREAMS_METRICS, collectStreamsMetrics, prometheusName } from '../../src/streams/runtime/streams-metrics.js';
import { initialThreadMetadata } from '../../src/streams/runtime/thread-protocol.js';
import { parsePrometheusText, samplesOf } from '../support/prometheus-text.js';

const thread1 = {
  ...initialThreadMetadata('app-StreamThread-1'),
  state: 'RUNNING' as const,
  activeTasks: ['0_0'],
  standbyTasks: ['0_1'],
  metrics: {
    ...emptyThreadMetrics(),
    processTotal: 1200,
    processRate: 40,
    commitTotal: 7,
    commitRate: 0.5,
    commitLatencyAvg: 12.5,
    commitLatencyMax: 30,
    activeTasks: 1,
    standbyTasks: 1,
    tasks: [
      {
        taskId: '0_0',
        standby: false,
        droppedRecordsTotal: 3,
        restoreTotal: 500,
        restoreRate: 100,
        restoreRemainingRecordsTotal: 20,
        updateTotal: 0,
        updateRate: 0,
      },
      {
        taskId: '0_1',
        standby: true,
        droppedRecordsTotal: 0,
        restoreTotal: 0,
        restoreRate: 0,
        restoreRemainingRecordsTotal: 0,
        updateTotal: 77,
        updateRate: 2,
      },
    ],
    partitions: [
      // Fetched up to 90 with 5 of them waiting; the topic ends at 100.
      { topic: 'in', partition: 0, position: 85, fetchedNext: 90, highWatermark: 95, buffered: 5 },
      // Nothing fetched yet since the task started at 40.
      { topic: 'in', partition: 2, position: 40, fetchedNext: null, highWatermark: null, buffered: 0 },
    ],
  },
};
const thread2 = { ...initialThreadMetadata('app-StreamThread-2'), state: 'PARTITIONS_ASSIGNED' as const };

describe('streams metrics', () => {
  const metrics = collectStreamsMetrics({
    clientId: 'app-1',
    state: 'REBALANCING',
    failedStreamThreads: 1,
    threads: [thread1, thread2],
    endOffsets: new Map([
      ['in:0', 100],
      ['in:2', 50],
    ]),
  });

  it("lists Kafka Streams' metrics by group, name and tags", () => {
    const find = (name: string, tags: Record<string, string>) =>
      metrics.find((m) => m.name === name && Object.entries(tags).every(([k, v]) => m.tags[k] === v))?.value;
    expect(find('client-state', { 'client-id': 'app-1' })).toBe('REBALANCING');
    expect(find('alive-stream-threads', {})).toBe(2);
    expect(find('process-total', { 'thread-id': 'app-StreamThread-1' })).toBe(1200);
    expect(find('commit-latency-max', { 'thread-id': 'app-StreamThread-1' })).toBe(30);
    expect(find('dropped-records-total', { 'task-id': '0_0' })).toBe(3);
    expect(find('restore-remaining-records-total', { 'task-id': '0_0' })).toBe(20);
    expect(find('update-total', { 'task-id': '0_1' })).toBe(77);
    expect(find('records-lag', { partition: '0' })).toBe(15);
    expect(find('records-lag', { partition: '2' })).toBe(10);
    for (const m of metrics) expect(STREAMS_METRICS.some((d) => d.group === m.group && d.name === m.name)).toBe(true);
  });

  it('falls back to the last fetched high watermark without end offsets', () => {
    const lag = collectStreamsMetrics({ clientId: 'c', state: 'RUNNING', failedStreamThreads: 0, threads: [thread1] }).filter((m) => m.name === 'records-lag');
    expect(lag.map((m) => [m.tags.partition, m.value])).toEqual([['0', 10]]);
  });

  it('writes the Prometheus text format', async () => {
    const exporter = new PrometheusExporter();
    expect(exporter.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const e = parsePrometheusText(await exporter.expose(metrics));
    expect(prometheusName('stream-thread-metrics', 'process-total')).toBe('kafka_streams_stream_thread_metrics_process_total');
    expect(e.types.get('kafka_streams_stream_thread_metrics_process_total')).toBe('counter');
    expect(e.types.get('kafka_streams_stream_thread_metrics_process_rate')).toBe('gauge');
    expect(e.types.get('kafka_streams_stream_task_metrics_dropped_records_total')).toBe('counter');
    expect(samplesOf(e, 'kafka_streams_stream_thread_metrics_process_total')).toEqual([
      { name: 'kafka_streams_stream_thread_metrics_process_total', labels: { thread_id: 'app-StreamThread-1' }, value: 1200 },
      expect.objectContaining({ value: 0 }),
    ]);
    const states = samplesOf(e, 'kafka_streams_stream_metrics_client_state');
    expect(states).toHaveLength(7);
    expect(states.filter((s) => s.value === 1).map((s) => s.labels.state)).toEqual(['REBALANCING']);
    expect(samplesOf(e, 'kafka_streams_stream_thread_metrics_thread_state', { thread_id: 'app-StreamThread-2', state: 'PARTITIONS_ASSIGNED' })[0].value).toBe(
      1,
    );
    // Thread 2 has not committed: Kafka's NaN average becomes no sample.
    expect(samplesOf(e, 'kafka_streams_stream_thread_metrics_commit_latency_avg').map((s) => s.labels.thread_id)).toEqual(['app-StreamThread-1']);
    expect(
      samplesOf(e, 'kafka_consumer_consumer_fetch_manager_metrics_records_lag', { client_id: 'app-StreamThread-1-consumer', topic: 'in', partition: '0' })[0]
        .value,
    ).toBe(15);
    expect(samplesOf(e, 'kafka_streams_stream_metrics_failed_stream_threads')[0].value).toBe(1);
    expect(e.help.get('kafka_streams_stream_task_metrics_restore_rate')).toBe('Changelog records restored per second.');
    expect(e.types.get('nodejs_heap_size_used_bytes')).toBe('gauge');
  });
});
