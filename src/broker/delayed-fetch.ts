/**
 * Long-poll fetches waiting for data: Kafka's fetch purgatory, reduced to what one node needs.
 *
 * A Fetch that found fewer than `min.bytes` waits here, keyed by the partitions it reads
 * (`topicPartitionKey`), until an append to one of them wakes it (it then reads again) or its
 * `max.wait.ms` runs out.
 *
 * Its clock is the real one (`systemClock`) whatever clock the broker is given: max.wait.ms is
 * a wait the client on the other end of the socket times too, with its own request timeout, so a
 * long poll must end in real time — on a broker under a manual clock, a poll that waited for the
 * test to move time would leave a real client hanging.
 */
import { type Clock, systemClock } from './clock.js';

export class DelayedFetches {
  private readonly byPartition = new Map<string, Set<() => void>>();

  constructor(readonly clock: Clock = systemClock) {}

  /**
   * Resolves when one of `keys` gets new data, or after `timeoutMs`, whichever comes first.
   * Returns true when woken by data.
   */
  wait(keys: string[], timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const wake = (byData: boolean): void => {
        timer.cancel();
        for (const k of keys) {
          const set = this.byPartition.get(k);
          if (!set) continue;
          set.delete(onData);
          if (set.size === 0) this.byPartition.delete(k);
        }
        resolve(byData);
      };
      const onData = (): void => wake(true);
      const timer = this.clock.setTimeout(() => wake(false), timeoutMs);
      for (const k of keys) {
        let set = this.byPartition.get(k);
        if (!set) this.byPartition.set(k, (set = new Set()));
        set.add(onData);
      }
    });
  }

  /** An append landed on `key`: wake everyone reading it. */
  notify(key: string): void {
    const set = this.byPartition.get(key);
    if (!set) return;
    for (const wake of [...set]) wake();
  }

  /** Wakes everyone (shutdown). */
  wakeAll(): void {
    for (const key of [...this.byPartition.keys()]) this.notify(key);
  }
}
