/**
 * A node that emits its results later than it takes its records (`mapValuesAsync`, `pipe`). The task
 * asks it whether it can take more (backpressure) and waits for it to drain at every commit point
 * (docs/streams-internals.md, "Async nodes and RxJS at commit points").
 */
export interface AsyncNode {
  readonly name: string;
  /** Null when the node can take another record now; otherwise resolves when it can. */
  whenReady(): Promise<void> | null;
  /** Null when nothing is in flight; otherwise resolves when every record taken has all its results emitted. */
  drain(): Promise<void> | null;
  /** Drops everything in flight (the task rolled back); late results are discarded. */
  cancel(): void;
}
