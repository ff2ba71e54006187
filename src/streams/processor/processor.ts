/**
 * The Processor API (Kafka Streams' `org.apache.kafka.streams.processor.api`): what `KStream.process`
 * and `Topology.addProcessor` take, and the context a processor is given.
 */
import type { RecordMetadata, StreamRecord } from './stream-record.js';
import type { StateStore } from '../state/state-store.js';

/**
 * `process` may be async (return a promise) — to scan a store, say, whose iterators are async: the
 * task then takes the next record only when the promise settles, and commits only after it, so what
 * the processor writes and forwards belongs to the same commit as the record.
 */
export interface Processor<KIn, VIn, KOut = KIn, VOut = VIn> {
  init?(context: ProcessorContext<KOut, VOut>): void;
  process(record: StreamRecord<KIn, VIn>): void | Promise<void>;
  close?(): void;
}

/** Makes a fresh processor for each task: processors hold per-task state. */
export type ProcessorSupplier<KIn, VIn, KOut = KIn, VOut = VIn> = () => Processor<KIn, VIn, KOut, VOut>;

export type PunctuationType = 'STREAM_TIME' | 'WALL_CLOCK_TIME';

/**
 * Called with the current time (stream time or wall-clock time). May be async, like `process`: the
 * task waits for it before the next record and the commit.
 */
export type Punctuator = (timestamp: number) => void | Promise<void>;

export interface Cancellable {
  cancel(): void;
}

export interface ProcessorContext<KOut, VOut> {
  /** Sends a record to all children, or to the one named. */
  forward<K extends KOut, V extends VOut>(record: StreamRecord<K, V>, childName?: string): void;
  /** A store this processor was connected to (`process(supplier, { stores })`). */
  getStateStore<S extends StateStore>(name: string): S;
  /**
   * Calls `punctuator` every `intervalMs` of stream time (advanced by records) or of wall-clock time.
   * What it forwards or writes belongs to the task's next commit, like anything a record causes.
   */
  schedule(intervalMs: number, type: PunctuationType, punctuator: Punctuator): Cancellable;
  /** The origin of the record being processed; null inside a punctuator. */
  recordMetadata(): RecordMetadata | null;
  currentStreamTimeMs(): number;
  currentSystemTimeMs(): number;
  /** `"<sub-topology>_<partition>"`. */
  taskId(): string;
  applicationId(): string;
  appConfigs(): Readonly<Record<string, unknown>>;
  /** Asks for a commit as soon as possible. */
  commit(): void;
}
