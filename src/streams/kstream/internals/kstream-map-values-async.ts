/**
 * `mapValuesAsync` / `mapAsync`: async work per record (a lookup in a database or a service) with up
 * to `concurrency` calls in flight, results emitted in input order.
 *
 * It is an async node (docs/streams-internals.md): the task waits while `concurrency` records are
 * queued, and drains it at every commit, so each record's result is in the commit that consumed the
 * record. Records beyond `concurrency` that arrive together (one input record fanned out by a
 * `flatMap`) wait for a free slot, so no more than `concurrency` calls ever run at once. A rollback
 * bumps the generation; results of calls started before it are dropped.
 */
import type { Processor, ProcessorContext } from '../../processor/processor.js';
import type { ProcessorContextImpl } from '../../processor/internals/processor-context-impl.js';
import type { StreamRecord } from '../../processor/stream-record.js';
import type { RecordContext } from '../../state/internals/store-context.js';
import { toKeyValue } from '../internal-streams-builder.js';
import type { KeyValuePair } from '../options.js';

interface Pending {
  readonly record: StreamRecord<unknown, unknown>;
  readonly context: RecordContext;
  done: boolean;
  result: unknown;
}

export type AsyncMapper = (record: StreamRecord<unknown, unknown>) => unknown;

export class KStreamMapAsync implements Processor<unknown, unknown> {
  private context!: ProcessorContextImpl;
  /** Every record taken and not yet emitted, in input order: results leave from the head. */
  private queue: Pending[] = [];
  /** Records taken while `concurrency` calls were running (one input record can fan out to many). */
  private waiting: Pending[] = [];
  private inFlight = 0;
  private generation = 0;
  private waiters: (() => void)[] = [];

  /**
   * @param call the user's function applied to a record; its result (or what its promise resolves
   *   to) is the new value, or with `keyed` the new key and value
   */
  constructor(
    private readonly call: AsyncMapper,
    private readonly concurrency: number,
    private readonly keyed: boolean,
  ) {}

  init(context: ProcessorContext<unknown, unknown>): void {
    this.context = context as unknown as ProcessorContextImpl;
  }

  process(record: StreamRecord<unknown, unknown>): void {
    const entry: Pending = { record, context: this.context.captureRecordContext(), done: false, result: undefined };
    this.queue.push(entry);
    if (this.inFlight >= this.concurrency) {
      this.waiting.push(entry);
      return;
    }
    try {
      this.start(entry);
    } catch (e) {
      this.queue.pop();
      throw e;
    }
  }

  /** Calls the function for `entry`; a synchronous throw is the caller's to report. */
  private start(entry: Pending): void {
    const generation = this.generation;
    const result = this.call(entry.record);
    this.inFlight++;
    Promise.resolve(result).then(
      (value) => {
        if (generation !== this.generation) return;
        this.inFlight--;
        entry.done = true;
        entry.result = value;
        this.startWaiting();
        this.emitReady();
      },
      (e: unknown) => {
        if (generation !== this.generation) return;
        this.inFlight--;
        this.fail(e, 'calling the async function for', entry.context);
      },
    );
  }

  private startWaiting(): void {
    while (this.inFlight < this.concurrency && this.waiting.length > 0) {
      const entry = this.waiting.shift() as Pending;
      try {
        this.start(entry);
      } catch (e) {
        this.fail(e, 'calling the async function for', entry.context);
        return;
      }
    }
  }

  private fail(e: unknown, doing: string, ctx: RecordContext | null): void {
    this.context.failAsync(e, doing, ctx);
    this.queue = [];
    this.waiting = [];
    this.wake();
  }

  private emitReady(): void {
    let current: Pending | null = null;
    try {
      while (this.queue.length > 0 && this.queue[0].done) {
        const e = (current = this.queue.shift() as Pending);
        const { record } = e;
        const out = this.keyed
          ? { ...toKeyValue(e.result as KeyValuePair<unknown, unknown>, 'mapAsync()'), timestamp: record.timestamp, headers: record.headers }
          : { key: record.key, value: e.result, timestamp: record.timestamp, headers: record.headers };
        this.context.forwardWithContext(e.context, out);
      }
    } catch (err) {
      this.fail(err, 'forwarding the async result of', current?.context ?? null);
      return;
    }
    this.wake();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private wait(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  whenReady(): Promise<void> | null {
    return this.queue.length < this.concurrency ? null : this.wait().then(() => this.whenReady() ?? undefined);
  }

  drain(): Promise<void> | null {
    return this.queue.length === 0 ? null : this.wait().then(() => this.drain() ?? undefined);
  }

  cancel(): void {
    this.generation++;
    this.queue = [];
    this.waiting = [];
    this.inFlight = 0;
    this.wake();
  }
}
