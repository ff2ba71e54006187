/**
 * Sends items in order, in batches, one batch in flight at a time: whatever accumulates while a
 * batch is on its way goes in the next one. A line typed at a terminal is therefore sent at once,
 * and a file piped in is sent in large batches, without a linger timer. After the first failed
 * send nothing more is sent; `failure` holds the error.
 */
export class SendQueue<T> {
  private pending: T[] = [];
  private running = false;
  private idle: Promise<void> = Promise.resolve();
  private error: Error | undefined;

  constructor(
    private readonly send: (batch: T[]) => Promise<void>,
    /** Largest batch handed to `send`. */
    readonly maxBatch = 1000,
  ) {}

  /** The error of the first send that failed. */
  get failure(): Error | undefined {
    return this.error;
  }

  /** Items waiting for a batch (not counting the one in flight). */
  get size(): number {
    return this.pending.length;
  }

  push(item: T): void {
    this.pending.push(item);
    this.kick();
  }

  /** Resolves once everything pushed so far has been sent, or sending has failed. */
  async drain(): Promise<void> {
    while (this.running) await this.idle;
  }

  private kick(): void {
    if (this.running || this.error !== undefined) return;
    this.running = true;
    this.idle = this.run();
  }

  private async run(): Promise<void> {
    try {
      while (this.pending.length > 0 && this.error === undefined) {
        const batch = this.pending.splice(0, this.maxBatch);
        try {
          await this.send(batch);
        } catch (err) {
          this.error = err instanceof Error ? err : new Error(String(err));
        }
      }
    } finally {
      this.running = false;
    }
  }
}
