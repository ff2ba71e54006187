/**
 * What the KafkaStreams client and its stream threads say to each other — in-process for the thread
 * in the main thread, over a MessagePort for a worker's. Plain data only, so it crosses threads.
 */
import type { StreamThread, StreamThreadState } from './stream-thread.js';
import { emptyThreadMetrics, type ThreadMetricsSnapshot } from './stream-thread-metrics.js';
import type { HostTasks } from './streams-partition-assignor.js';

export interface ThreadMetadata {
  readonly threadName: string;
  readonly state: StreamThreadState;
  readonly activeTasks: readonly string[];
  readonly standbyTasks: readonly string[];
  readonly processedRecords: number;
  readonly commits: number;
  /** Every instance's tasks by application.server, from this thread's last assignment (interactive queries). */
  readonly hosts: Readonly<Record<string, HostTasks>>;
  /** When `hosts` was read (ms since the epoch; 0: not yet), so the client can take the newest. */
  readonly hostsUpdatedAt: number;
  readonly metrics: ThreadMetricsSnapshot;
}

/** What is known of a thread before it has said anything. */
export function initialThreadMetadata(threadName: string): ThreadMetadata {
  return {
    threadName,
    state: 'CREATED',
    activeTasks: [],
    standbyTasks: [],
    processedRecords: 0,
    commits: 0,
    hosts: {},
    hostsUpdatedAt: 0,
    metrics: emptyThreadMetrics(),
  };
}

export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  readonly code?: string;
}

/** Worker → client. */
export type ThreadMessage =
  | { type: 'started' }
  | { type: 'state'; state: StreamThreadState; previous: StreamThreadState }
  | { type: 'error'; error: SerializedError }
  | { type: 'stopped' }
  | { type: 'response'; id: number; result?: unknown; error?: SerializedError };

/** Client → worker. */
export type ThreadRequest = { type: 'stop'; clean: boolean } | { type: 'metadata'; id: number } | { type: 'query'; id: number; query: StoreQuery };

/**
 * A read of a local store (interactive queries): a read-only method of the store's kind, by name,
 * with its arguments (keys as the application's objects, which cross threads by structured clone).
 * store-query-runner.ts lists the methods each kind allows.
 */
export interface StoreQuery {
  readonly store: string;
  readonly kind: 'keyValue' | 'window' | 'session';
  readonly op: string;
  readonly args: readonly unknown[];
  /** Answer the values of a timestamped store without their timestamps. */
  readonly stripTimestamps: boolean;
}

export function threadMetadata(thread: StreamThread): ThreadMetadata {
  return {
    threadName: thread.name,
    state: thread.threadState(),
    activeTasks: thread.activeTasks().map((t) => t.id),
    standbyTasks: thread.standbyTaskIds(),
    processedRecords: thread.processedRecords,
    commits: thread.commits,
    hosts: thread.hosts,
    hostsUpdatedAt: thread.hostsUpdatedAt,
    metrics: thread.metricsSnapshot(),
  };
}

/** A worker's answer to a request of the client. */
export async function answerThreadRequest(thread: StreamThread, m: Exclude<ThreadRequest, { type: 'stop' }>): Promise<ThreadMessage> {
  try {
    if (m.type === 'metadata') return { type: 'response', id: m.id, result: threadMetadata(thread) };
    return { type: 'response', id: m.id, result: await thread.queryStore(m.query) };
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    return { type: 'response', id: m.id, error: { name: err.name, message: err.message, stack: err.stack } };
  }
}
