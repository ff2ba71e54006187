/**
 * How a stream thread's worker gets its topology from the user's program. The worker imports the
 * program's module again (functions cannot cross threads); when that module runs
 * `new KafkaStreams(topology, props)`, the constructor hands its arguments here instead of making a
 * client — and `start()` does nothing — so the program is written once and runs with any number of
 * threads. The worker matches the instance by `application.id`.
 */
import type { Topology } from '../processor/topology.js';

export interface Registration {
  readonly topology: Topology;
  readonly props: Readonly<Record<string, unknown>>;
  readonly options: unknown;
}

let expected: { applicationId: string; resolve: (r: Registration) => void } | null = null;

/** In a worker: wait for the program's KafkaStreams with this application id. */
export function awaitRegistration(applicationId: string): Promise<Registration> {
  return new Promise((resolve) => {
    expected = { applicationId, resolve };
  });
}

/** Called by every KafkaStreams constructor: true if this is a worker and the instance was taken. */
export function registerInWorker(topology: Topology, props: Readonly<Record<string, unknown>>, options: unknown): boolean {
  if (expected === null) return false;
  if (props?.['application.id'] !== expected.applicationId) return true; // another application of the same program: not run here
  const e = expected;
  expected = null;
  e.resolve({ topology, props, options });
  return true;
}

/** Whether this thread is a stream thread's worker (KafkaStreams instances made here do not run). */
export function inStreamThreadWorker(): boolean {
  return workerActive;
}

let workerActive = false;

export function markStreamThreadWorker(): void {
  workerActive = true;
}
