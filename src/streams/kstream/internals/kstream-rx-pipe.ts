/**
 * `KStream.pipe(...operators)`: RxJS operators over the stream's records, run in *segments*
 * (docs/streams-internals.md, "Async nodes and RxJS at commit points").
 *
 * Records are fed to a Subject piped through the operators. At a commit point the task drains this
 * node: the Subject completes, the operators emit what they hold (a `bufferTime`'s buffer, a
 * `mergeMap`'s work in flight) and complete, and the next record starts a fresh segment. No operator
 * state outlives a commit, so a crash cannot lose any; cross-record operators (`scan`, `distinct`,
 * `bufferCount`) therefore see one segment at a time. A segment also ends after
 * `maxRecordsPerSegment` records, so work in flight stays bounded.
 *
 * Refused, with an error naming the node: a pipeline that completes before its input does (`take`,
 * `first`, `takeWhile` — a stream never ends), and a value that is not a record (`{ key, value }`).
 */
import { Observable, type OperatorFunction, Subject, type Subscription, pipe as rxPipe } from 'rxjs';
import type { Processor, ProcessorContext } from '../../processor/processor.js';
import type { ProcessorContextImpl } from '../../processor/internals/processor-context-impl.js';
import type { ConsumedRecord, StreamRecord } from '../../processor/stream-record.js';
import type { RecordContext } from '../../state/internals/store-context.js';

interface Segment {
  readonly subject: Subject<ConsumedRecord<unknown, unknown>>;
  subscription: Subscription | null;
  inputCompleted: boolean;
  outputCompleted: boolean;
  fed: number;
  /** The record context of the last record fed: results that do not say where they came from get it. */
  lastContext: RecordContext | null;
  done: Promise<void>;
  resolveDone: () => void;
}

export class KStreamRxPipe implements Processor<unknown, unknown> {
  private context!: ProcessorContextImpl;
  private readonly pipeline: OperatorFunction<ConsumedRecord<unknown, unknown>, unknown>;
  private segment: Segment | null = null;

  constructor(
    operators: readonly OperatorFunction<unknown, unknown>[],
    private readonly nodeName: string,
    private readonly maxRecordsPerSegment: number,
  ) {
    this.pipeline = (rxPipe as (...ops: OperatorFunction<unknown, unknown>[]) => OperatorFunction<ConsumedRecord<unknown, unknown>, unknown>)(...operators);
  }

  init(context: ProcessorContext<unknown, unknown>): void {
    this.context = context as unknown as ProcessorContextImpl;
  }

  private start(): Segment {
    let resolveDone!: () => void;
    const seg: Segment = {
      subject: new Subject(),
      subscription: null,
      inputCompleted: false,
      outputCompleted: false,
      fed: 0,
      lastContext: null,
      done: new Promise<void>((r) => (resolveDone = r)),
      resolveDone: () => resolveDone(),
    };
    const output = seg.subject.pipe(this.pipeline);
    if (!(output instanceof Observable)) throw new TypeError(`pipe() in ${this.nodeName}: the operators did not give an Observable`);
    this.segment = seg;
    seg.subscription = output.subscribe({
      next: (value) => {
        if (this.segment !== seg) return;
        this.emit(seg, value);
      },
      error: (e: unknown) => {
        if (this.segment !== seg) return;
        this.context.failAsync(e, 'in the RxJS operators, after', seg.lastContext);
        this.finish(seg);
      },
      complete: () => {
        if (this.segment !== seg) return;
        if (!seg.inputCompleted) {
          this.context.failAsync(
            new Error(
              `the RxJS operators completed before their input did; a stream never ends, so operators that end it (take, first, takeWhile, …) cannot be used in pipe()`,
            ),
            'after',
            seg.lastContext,
          );
        }
        this.finish(seg);
      },
    });
    return seg;
  }

  private finish(seg: Segment): void {
    seg.outputCompleted = true;
    if (this.segment === seg) this.segment = null;
    seg.resolveDone();
  }

  private emit(seg: Segment, value: unknown): void {
    if (value === null || typeof value !== 'object' || !('key' in value) || !('value' in value)) {
      const what = Array.isArray(value) ? 'an array (after a buffer operator, flatten it with mergeAll())' : JSON.stringify(value)?.slice(0, 80);
      this.context.failAsync(new TypeError(`pipe() must emit records ({ key, value, … }), got ${what}`), 'after', seg.lastContext);
      return;
    }
    const r = value as Partial<ConsumedRecord<unknown, unknown>>;
    const last = seg.lastContext as RecordContext;
    const ctx: RecordContext =
      r.topic !== undefined && r.partition !== undefined && r.offset !== undefined
        ? { topic: r.topic, partition: r.partition, offset: r.offset, timestamp: r.timestamp ?? last.timestamp, headers: r.headers ?? last.headers }
        : last;
    const out: StreamRecord<unknown, unknown> = { key: r.key, value: r.value, timestamp: r.timestamp ?? ctx.timestamp, headers: r.headers ?? ctx.headers };
    try {
      this.context.forwardWithContext(ctx, out);
    } catch (e) {
      this.context.failAsync(e, 'forwarding a result of pipe() for', ctx);
    }
  }

  process(record: StreamRecord<unknown, unknown>): void {
    const seg = this.segment ?? this.start();
    const ctx = this.context.captureRecordContext();
    seg.lastContext = ctx;
    seg.fed++;
    seg.subject.next({
      key: record.key,
      value: record.value,
      timestamp: record.timestamp,
      headers: record.headers,
      topic: ctx.topic as string,
      partition: ctx.partition as number,
      offset: ctx.offset as number,
    });
  }

  whenReady(): Promise<void> | null {
    const seg = this.segment;
    if (seg === null || seg.fed < this.maxRecordsPerSegment) return null;
    return this.drain();
  }

  drain(): Promise<void> | null {
    const seg = this.segment;
    if (seg === null) return null;
    seg.inputCompleted = true;
    seg.subject.complete();
    return seg.outputCompleted ? null : seg.done;
  }

  cancel(): void {
    const seg = this.segment;
    if (seg === null) return;
    this.segment = null;
    seg.subscription?.unsubscribe();
    seg.resolveDone();
  }

  close(): void {
    this.cancel();
  }
}
