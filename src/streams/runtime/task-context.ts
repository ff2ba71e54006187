/**
 * The state a task's nodes share while they process: the record context (where the record being
 * processed came from, its timestamp and headers), stream time, the clocks, and the hooks into the
 * task's stores, collector and punctuation. Every node reads the record context from here, so
 * `forward` only swaps two fields instead of allocating a context per record.
 */
import type { Headers } from '../../serdes/headers.js';
import type { Logger } from '../../common/logger.js';
import { ProcessingError, recordOrigin } from '../errors.js';
import type { StateStore } from '../state/state-store.js';
import type { BytesKey, StoredValue } from '../state/internals/bytes-store.js';
import type { RecordContext, StoreContext } from '../state/internals/store-context.js';
import type { ThreadCache } from '../state/internals/thread-cache.js';
import type { Cancellable, PunctuationType, Punctuator } from '../processor/processor.js';
import type { ProcessorNode } from '../processor/internals/processor-node.js';
import type { RawRecord } from './record-collector.js';

/** What the task does for its context; implemented by StreamTask. */
export interface TaskHooks {
  getStore(name: string): StateStore;
  isGlobalStore(name: string): boolean;
  logChange(storeName: string, key: BytesKey, value: StoredValue | null): void;
  schedule(node: ProcessorNode, intervalMs: number, type: PunctuationType, punctuator: Punctuator): Cancellable;
  onDeserializationError(raw: RawRecord, error: ProcessingError): 'CONTINUE' | 'FAIL';
  partitionTime(topic: string, partition: number): number;
}

export class TaskContext implements StoreContext {
  topic: string | undefined = undefined;
  partition: number | undefined = undefined;
  offset: number | undefined = undefined;
  timestamp = -1;
  headers: Headers = {};
  /** The largest timestamp this task has processed (-1: none yet). Never goes back. */
  streamTime = -1;

  currentStreamTime(): number {
    return this.streamTime;
  }
  commitRequested = false;
  hooks!: TaskHooks;
  /** Set by the task: waits for an async processor or punctuator before the next record and the commit. */
  trackAsync: (p: Promise<void>, node: string, doing: string) => void = () => undefined;
  /** Set by the task: records an error from async work, thrown at the task's next step. */
  failAsync: (e: unknown) => void = (e) => {
    throw e;
  };

  /** Records dropped as late, with a null key, or by a handler (Kafka Streams' dropped-records). */
  droppedRecords = 0;
  private lastDropLog = 0;
  private dropsSinceLog = 0;

  constructor(
    readonly logger: Logger,
    readonly taskId: string,
    readonly applicationId: string,
    readonly appConfigs: Readonly<Record<string, unknown>>,
    readonly cache: ThreadCache | null,
    readonly wallClockTime: () => number,
  ) {}

  /**
   * Counts a dropped record and logs why — at most once a second per task, with the count since the
   * last line, so a burst of late records does not flood the log.
   */
  recordDropped(reason: string): void {
    this.droppedRecords++;
    this.dropsSinceLog++;
    const now = Date.now();
    if (now - this.lastDropLog >= 1000) {
      this.logger.warn(
        `Task ${this.taskId}: ${reason} (${this.dropsSinceLog} record${this.dropsSinceLog === 1 ? '' : 's'} dropped since the last such line, ${this.droppedRecords} in all)`,
      );
      this.lastDropLog = now;
      this.dropsSinceLog = 0;
    }
  }

  recordContext(): RecordContext {
    return { timestamp: this.timestamp, headers: this.headers, topic: this.topic, partition: this.partition, offset: this.offset };
  }

  withRecordContext(ctx: RecordContext, fn: () => void): void {
    const { topic, partition, offset, timestamp, headers } = this;
    this.topic = ctx.topic;
    this.partition = ctx.partition;
    this.offset = ctx.offset;
    this.timestamp = ctx.timestamp;
    this.headers = ctx.headers;
    try {
      fn();
    } finally {
      this.topic = topic;
      this.partition = partition;
      this.offset = offset;
      this.timestamp = timestamp;
      this.headers = headers;
    }
  }

  logChange(storeName: string, key: BytesKey, value: StoredValue | null): void {
    this.hooks.logChange(storeName, key, value);
  }

  getStore(name: string): StateStore {
    return this.hooks.getStore(name);
  }

  isGlobalStore(name: string): boolean {
    return this.hooks.isGlobalStore(name);
  }

  schedule(node: ProcessorNode, intervalMs: number, type: PunctuationType, punctuator: Punctuator): Cancellable {
    return this.hooks.schedule(node, intervalMs, type, punctuator);
  }

  onDeserializationError(raw: RawRecord, error: ProcessingError): 'CONTINUE' | 'FAIL' {
    return this.hooks.onDeserializationError(raw, error);
  }

  partitionTime(topic: string, partition: number): number {
    return this.hooks.partitionTime(topic, partition);
  }

  /**
   * Wraps an error thrown by user or DSL code with where it happened, as Kafka Streams' "Exception
   * caught in process" does. An error already wrapped (by a node further down) passes through.
   */
  processingError(e: unknown, node: string, doing: string): ProcessingError {
    if (e instanceof ProcessingError) return e;
    const message = e instanceof Error ? e.message : String(e);
    return new ProcessingError(
      // Outside a record (initializing, punctuating) there is no record to name.
      `Exception in ${node} of task ${this.taskId} ${doing}${this.topic === undefined ? '' : ` the record at ${recordOrigin(this.topic, this.partition, this.offset)}`}: ${message}`,
      { taskId: this.taskId, node, topic: this.topic, partition: this.partition, offset: this.offset },
      e,
    );
  }
}
