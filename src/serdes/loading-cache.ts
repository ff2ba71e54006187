/**
 * A cache for values whose loader may answer now or later (a schema-registry lookup), read from
 * synchronous code. `get` returns a cached value, or loads it: a synchronous answer is cached and
 * returned at once; an asynchronous one is started, and `get` throws the caller's "not loaded"
 * error carrying a promise that settles when the answer is in. If that answer is a failure, the
 * next `get` throws it once and then tries again (so a registry outage is not remembered forever).
 * `load` is the async counterpart that waits.
 */
import { isPromiseLike, type MaybePromise } from './maybe-promise.js';

export class LoadingCache<K, V> {
  private readonly values = new Map<K, V>();
  private readonly loading = new Map<K, Promise<void>>();
  private readonly failures = new Map<K, unknown>();

  get(key: K, load: () => MaybePromise<V>, notLoaded: (whenLoaded: Promise<void>) => Error): V {
    const value = this.values.get(key);
    if (value !== undefined) return value;
    this.throwFailure(key);
    let whenLoaded = this.loading.get(key);
    if (whenLoaded === undefined) {
      const answer = load();
      if (!isPromiseLike(answer)) {
        this.values.set(key, answer);
        return answer;
      }
      whenLoaded = this.track(key, answer);
    }
    throw notLoaded(whenLoaded);
  }

  async load(key: K, load: () => MaybePromise<V>): Promise<V> {
    for (;;) {
      const value = this.values.get(key);
      if (value !== undefined) return value;
      this.throwFailure(key);
      const whenLoaded = this.loading.get(key);
      if (whenLoaded !== undefined) {
        await whenLoaded;
        continue;
      }
      const answer = load();
      if (!isPromiseLike(answer)) {
        this.values.set(key, answer);
        return answer;
      }
      await this.track(key, answer);
    }
  }

  /** Fills in a value learnt another way (a schema id the serde registered itself). */
  prime(key: K, value: V): void {
    if (!this.values.has(key)) this.values.set(key, value);
  }

  private throwFailure(key: K): void {
    if (!this.failures.has(key)) return;
    const failure = this.failures.get(key);
    this.failures.delete(key);
    throw failure;
  }

  /** Never rejects: a failure is kept for the next reader, so no rejection goes unhandled. */
  private track(key: K, answer: PromiseLike<V>): Promise<void> {
    const settled = Promise.resolve(answer)
      .then(
        (value) => {
          this.values.set(key, value);
        },
        (error: unknown) => {
          this.failures.set(key, error);
        },
      )
      .finally(() => {
        this.loading.delete(key);
      });
    this.loading.set(key, settled);
    return settled;
  }
}
