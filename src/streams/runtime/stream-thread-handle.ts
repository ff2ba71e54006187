/**
 * The KafkaStreams client's view of one stream thread, wherever it runs: the first in the main
 * thread (`LocalThreadHandle`), the others each in a `worker_thread` (`WorkerThreadHandle`), so an
 * instance uses as many cores as it has threads. Both are driven the same way: start, stop,
 * metadata, store queries; a worker's state changes and failures arrive as messages.
 */
import { Worker } from 'node:worker_threads';
import { StreamsError } from '../errors.js';
import type { StreamThread, StreamThreadState } from './stream-thread.js';
import type { WorkerInit } from './stream-thread-worker.js';
import {
  type SerializedError,
  type StoreQuery,
  type ThreadMessage,
  type ThreadMetadata,
  type ThreadRequest,
  initialThreadMetadata,
  threadMetadata,
} from './thread-protocol.js';

export interface StreamThreadHandle {
  readonly name: string;
  /** Where it runs. */
  readonly kind: 'main' | 'worker';
  state(): StreamThreadState;
  start(): Promise<void>;
  stop(clean: boolean): Promise<void>;
  /** The latest known metadata (a worker's is at most a second old). */
  metadata(): ThreadMetadata;
  /** The metadata now (a worker is asked; if it cannot answer, the latest known). */
  currentMetadata(): Promise<ThreadMetadata>;
  query(q: StoreQuery): Promise<unknown>;
}

export class LocalThreadHandle implements StreamThreadHandle {
  readonly kind = 'main';

  constructor(private readonly thread: StreamThread) {}

  get name(): string {
    return this.thread.name;
  }

  state(): StreamThreadState {
    return this.thread.threadState();
  }

  start(): Promise<void> {
    return this.thread.start();
  }

  stop(clean: boolean): Promise<void> {
    return this.thread.stop(clean);
  }

  metadata(): ThreadMetadata {
    return threadMetadata(this.thread);
  }

  currentMetadata(): Promise<ThreadMetadata> {
    return Promise.resolve(this.metadata());
  }

  query(q: StoreQuery): Promise<unknown> {
    return this.thread.queryStore(q);
  }
}

export interface WorkerThreadEvents {
  onState(handle: WorkerThreadHandle, state: StreamThreadState, previous: StreamThreadState): void;
  /** The thread failed (its tasks were closed dirty) or the worker died. */
  onError(handle: WorkerThreadHandle, error: Error): void;
}

/** How long a worker may take to stop cleanly before it is terminated. */
const STOP_TIMEOUT_MS = 60_000;

export class WorkerThreadHandle implements StreamThreadHandle {
  readonly kind = 'worker';
  private worker: Worker | null = null;
  private current: StreamThreadState = 'CREATED';
  private snapshot: ThreadMetadata;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private stopped: Promise<void> | null = null;
  private resolveStopped: (() => void) | null = null;
  private metadataTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly init: WorkerInit,
    private readonly events: WorkerThreadEvents,
  ) {
    this.snapshot = initialThreadMetadata(init.threadName);
  }

  get name(): string {
    return this.init.threadName;
  }

  state(): StreamThreadState {
    return this.current;
  }

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const worker = new Worker(new URL('./stream-thread-worker.js', import.meta.url), { workerData: this.init });
      this.worker = worker;
      this.stopped = new Promise((r) => (this.resolveStopped = r));
      let started = false;
      worker.on('message', (m: ThreadMessage) => {
        switch (m.type) {
          case 'started':
            started = true;
            this.refreshMetadata();
            this.metadataTimer = setInterval(() => this.refreshMetadata(), 1000);
            this.metadataTimer.unref();
            resolve();
            break;
          case 'state': {
            this.current = m.state;
            this.events.onState(this, m.state, m.previous);
            break;
          }
          case 'error': {
            const e = toError(m.error);
            if (!started) reject(e);
            else this.events.onError(this, e);
            break;
          }
          case 'stopped':
            this.finish();
            break;
          case 'response': {
            const p = this.pending.get(m.id);
            this.pending.delete(m.id);
            if (m.error !== undefined) p?.reject(toError(m.error));
            else p?.resolve(m.result);
            break;
          }
        }
      });
      // An uncaught exception in the worker emits 'error' and then 'exit' (code 1): one failure,
      // reported once — the handler would otherwise replace the thread twice.
      let failed = false;
      worker.on('error', (e) => {
        failed = true;
        if (!started) reject(e);
        else this.events.onError(this, e);
      });
      worker.on('exit', (code) => {
        const wasRunning = this.current !== 'DEAD' && this.current !== 'PENDING_SHUTDOWN';
        this.finish();
        if (!started) reject(new StreamsError(`The worker of ${this.name} exited (code ${code}) before its thread started`));
        else if (wasRunning && code !== 0 && !failed) this.events.onError(this, new StreamsError(`The worker of ${this.name} exited with code ${code}`));
      });
    });
  }

  private finish(): void {
    if (this.metadataTimer !== null) clearInterval(this.metadataTimer);
    this.metadataTimer = null;
    this.current = 'DEAD';
    for (const p of this.pending.values()) p.reject(new StreamsError(`${this.name} has stopped`));
    this.pending.clear();
    this.resolveStopped?.();
  }

  private request(make: (id: number) => ThreadRequest): Promise<unknown> {
    const worker = this.worker;
    if (worker === null || this.current === 'DEAD') return Promise.reject(new StreamsError(`${this.name} is not running`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage(make(id));
    });
  }

  private refreshMetadata(): void {
    this.request((id) => ({ type: 'metadata', id })).then(
      (m) => (this.snapshot = m as ThreadMetadata),
      () => undefined,
    );
  }

  metadata(): ThreadMetadata {
    return { ...this.snapshot, state: this.current };
  }

  async currentMetadata(): Promise<ThreadMetadata> {
    try {
      this.snapshot = (await this.request((id) => ({ type: 'metadata', id }))) as ThreadMetadata;
    } catch {
      // Stopping or stopped: what was last known will do.
    }
    return this.metadata();
  }

  query(q: StoreQuery): Promise<unknown> {
    return this.request((id) => ({ type: 'query', id, query: q }));
  }

  async stop(clean: boolean): Promise<void> {
    const worker = this.worker;
    if (worker === null || this.stopped === null) return;
    if (this.current !== 'DEAD') worker.postMessage({ type: 'stop', clean } satisfies ThreadRequest);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), STOP_TIMEOUT_MS)));
    const outcome = await Promise.race([this.stopped.then(() => 'stopped' as const), timedOut]);
    clearTimeout(timer);
    // Stopped cleanly or not in time: either way nothing of it is needed any more.
    if (outcome === 'timeout') this.finish();
    await worker.terminate();
  }
}

function toError(e: SerializedError): Error {
  const err = new StreamsError(e.message);
  err.name = e.name;
  if (e.stack !== undefined) err.stack = e.stack;
  return err;
}
