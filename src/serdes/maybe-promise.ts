/**
 * A value now, or later. The schema-registry client returns this so that an in-process registry
 * answers synchronously (and the serdes, which are synchronous, never wait) while a remote one can
 * still be plugged in (see AvroRegistrySerde for how a promise is handled).
 */
export type MaybePromise<T> = T | PromiseLike<T>;

export function isPromiseLike<T>(value: MaybePromise<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function';
}

/** `fn(value)` now if the value is here, else when it arrives. */
export function andThen<T, R>(value: MaybePromise<T>, fn: (value: T) => R): MaybePromise<R> {
  return isPromiseLike(value) ? Promise.resolve(value).then(fn) : fn(value);
}
