/** Test helpers for the serdes' tests (not part of the public surface). */
import { SerializationError } from './serialization-error.js';

/** The SerializationError `fn` throws; fails the test if it throws anything else or nothing. */
export function serializationErrorOf(fn: () => unknown): SerializationError {
  try {
    fn();
  } catch (error) {
    if (error instanceof SerializationError) return error;
    throw new Error(`expected a SerializationError, got ${String(error)}`, { cause: error });
  }
  throw new Error('expected a SerializationError, nothing was thrown');
}

/** The SerializationError a promise rejects with. */
export async function serializationErrorOfAsync(promise: Promise<unknown>): Promise<SerializationError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SerializationError) return error;
    throw new Error(`expected a SerializationError, got ${String(error)}`, { cause: error });
  }
  throw new Error('expected a SerializationError, the promise resolved');
}

export function hex(s: string): Buffer {
  return Buffer.from(s.replace(/\s+/g, ''), 'hex');
}
