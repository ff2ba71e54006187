/**
 * The context each processor node gets: `forward` to its own children, the stores it was connected
 * to, punctuation, and the task's record context and clocks.
 */
import type { Headers } from '../../../serdes/headers.js';
import { StreamsError } from '../../errors.js';
import type { RecordContext } from '../../state/internals/store-context.js';
import type { TaskContext } from '../../runtime/task-context.js';
import type { StateStore } from '../../state/state-store.js';
import type { Cancellable, ProcessorContext, PunctuationType, Punctuator } from '../processor.js';
import type { RecordMetadata, StreamRecord } from '../stream-record.js';
import type { ProcessorNode } from './processor-node.js';

export class ProcessorContextImpl implements ProcessorContext<unknown, unknown> {
  constructor(
    private readonly node: ProcessorNode,
    private readonly task: TaskContext,
    private readonly stores: ReadonlySet<string>,
  ) {}

  forward(record: StreamRecord<unknown, unknown>, childName?: string): void {
    this.node.forward(record, childName);
  }

  getStateStore<S extends StateStore>(name: string): S {
    if (!this.stores.has(name) && !this.task.isGlobalStore(name)) {
      throw new StreamsError(
        `Processor ${this.node.name} has no access to store ${name}: connect it (process(supplier, { stores: ['${name}'] }) or Topology.connectProcessorAndStateStores)`,
      );
    }
    return this.task.getStore(name) as S;
  }

  schedule(intervalMs: number, type: PunctuationType, punctuator: Punctuator): Cancellable {
    if (!Number.isFinite(intervalMs) || intervalMs < 1) throw new StreamsError(`A punctuation interval must be at least 1 ms, not ${intervalMs}`);
    if (type !== 'STREAM_TIME' && type !== 'WALL_CLOCK_TIME')
      throw new StreamsError(`Unknown punctuation type ${String(type)}: use 'STREAM_TIME' or 'WALL_CLOCK_TIME'`);
    return this.task.schedule(this.node, intervalMs, type, punctuator);
  }

  recordMetadata(): RecordMetadata | null {
    const t = this.task;
    return t.topic === undefined ? null : { topic: t.topic, partition: t.partition as number, offset: t.offset as number };
  }

  currentStreamTimeMs(): number {
    return this.task.streamTime;
  }

  currentSystemTimeMs(): number {
    return this.task.wallClockTime();
  }

  taskId(): string {
    return this.task.taskId;
  }

  applicationId(): string {
    return this.task.applicationId;
  }

  appConfigs(): Readonly<Record<string, unknown>> {
    return this.task.appConfigs;
  }

  commit(): void {
    this.task.commitRequested = true;
  }

  // For Skein's own processors (async nodes, table forwarders); not part of the public interface.

  /** The record context of the record being processed, to forward a later result with. */
  captureRecordContext(): RecordContext {
    return this.task.recordContext();
  }

  /** Forwards with `ctx` as the record context (an async result, a flushed cache entry). */
  forwardWithContext(ctx: RecordContext, record: StreamRecord<unknown, unknown>): void {
    this.task.withRecordContext(ctx, () => this.node.forward(record));
  }

  /** Counts and logs a record a processor drops (late, null key). */
  recordDropped(reason: string): void {
    this.task.recordDropped(reason);
  }

  /** The headers of the record being processed. */
  currentHeaders(): Headers {
    return this.task.headers;
  }

  /** Fails the task with an error that happened outside `process` (in async work) for the record of `ctx`. */
  failAsync(e: unknown, doing: string, ctx: RecordContext | null): void {
    if (ctx === null) {
      this.task.failAsync(this.task.processingError(e, this.node.name, doing));
      return;
    }
    this.task.withRecordContext(ctx, () => this.task.failAsync(this.task.processingError(e, this.node.name, doing)));
  }

  /** Wraps an error with the node and record it happened at. */
  processingError(e: unknown, doing: string): Error {
    return this.task.processingError(e, this.node.name, doing);
  }
}
