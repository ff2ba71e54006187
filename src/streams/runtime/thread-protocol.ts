/**
 * What the KafkaStreams client and its stream threads say to each other — in-process for the thread
 * in the main thread, over a MessagePort for a worker's. Plain data only, so it crosses threads.
 */
import type { StreamThread, StreamThreadState } from './stream-thread.js';

export interface ThreadMetadata {
  readonly threadName: string;
  readonly state: StreamThreadState;
  readonly activeTasks: readonly string[];
  readonly standbyTasks: readonly string[];
  readonly processedRecords: number;
  readonly commits: number;
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

/** A read of a local store (interactive queries). */
export interface StoreQuery {
  readonly store: string;
  readonly op: 'get' | 'all' | 'range' | 'fetch' | 'fetchRange' | 'approximateNumEntries';
  /** Serialized key(s) and times, per op. */
  readonly args: readonly unknown[];
}

export function threadMetadata(thread: StreamThread): ThreadMetadata {
  return {
    threadName: thread.name,
    state: thread.threadState(),
    activeTasks: thread.activeTasks().map((t) => t.id),
    standbyTasks: thread.standbyTaskIds(),
    processedRecords: thread.processedRecords,
    commits: thread.commits,
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
