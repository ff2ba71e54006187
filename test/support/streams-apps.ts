/**
 * Streams applications as child processes, and reading topics to their end, for the runtime's
 * end-to-end tests.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { PartitionReader } from '../../src/streams/runtime/partition-reader.js';
import type { RawRecord } from '../../src/streams/runtime/record-collector.js';

export const KILL_APP = resolve(import.meta.dirname, 'streams-kill-app.mjs');

export interface AppProcess {
  readonly name: string;
  child: ChildProcess;
  output: string;
  /** How many times it was started. */
  starts: number;
  /** SIGKILLs the process and waits for it to be gone. */
  kill(): Promise<void>;
  /** Starts it again with the same environment (same state directory). */
  restart(): void;
  /** SIGTERM (a clean close) and wait. */
  stop(): Promise<void>;
}

export function startApp(name: string, script: string, env: Record<string, string>): AppProcess {
  const app: AppProcess = {
    name,
    child: null as unknown as ChildProcess,
    output: '',
    starts: 0,
    async kill() {
      if (app.child.exitCode !== null || app.child.signalCode !== null) return;
      const gone = new Promise((r) => app.child.once('exit', r));
      app.child.kill('SIGKILL');
      await gone;
    },
    restart() {
      const child = spawn(process.execPath, [script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout?.on('data', (d) => (app.output += d));
      child.stderr?.on('data', (d) => (app.output += d));
      app.child = child;
      app.starts++;
    },
    async stop() {
      if (app.child.exitCode !== null || app.child.signalCode !== null) return;
      const gone = new Promise((r) => app.child.once('exit', r));
      app.child.kill('SIGTERM');
      const timer = setTimeout(() => app.child.kill('SIGKILL'), 20_000);
      await gone;
      clearTimeout(timer);
    },
  };
  app.restart();
  return app;
}

export function kafkaFor(bootstrap: string): Kafka {
  return new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 20, initialRetryTime: 100 } });
}

/** Every committed record of the topics' partitions, read to their last stable offset, in offset order. */
export async function readTopics(kafka: Kafka, topics: readonly { topic: string; partitions: number }[]): Promise<Map<string, RawRecord[][]>> {
  const reader = new PartitionReader(kafka);
  try {
    const tps = topics.flatMap((t) => Array.from({ length: t.partitions }, (_, partition) => ({ topic: t.topic, partition })));
    const ends = await reader.endOffsets(tps);
    // Repartition topics are purged as they are consumed: read from each partition's log start.
    const starts = await reader.beginningOffsets(tps);
    const out = new Map<string, RawRecord[][]>(topics.map((t) => [t.topic, Array.from({ length: t.partitions }, () => [] as RawRecord[])]));
    for (const tp of tps) {
      const end = ends.get(`${tp.topic}:${tp.partition}`) ?? 0;
      let pos = starts.get(`${tp.topic}:${tp.partition}`) ?? 0;
      while (pos < end) {
        let f;
        try {
          [f] = await reader.fetch([{ ...tp, offset: pos }], { maxWaitMs: 100 });
        } catch (err) {
          // A running application purged the repartition topic under us: resume from its new log start.
          if ((err as { type?: string }).type !== 'OFFSET_OUT_OF_RANGE') throw err;
          pos = (await reader.beginningOffsets([tp])).get(`${tp.topic}:${tp.partition}`) ?? pos;
          continue;
        }
        for (const r of f.records) if (r.offset < end) (out.get(tp.topic) as RawRecord[][])[tp.partition].push(r);
        if (f.nextOffset === pos) break;
        pos = f.nextOffset;
      }
    }
    return out;
  } finally {
    await reader.close();
  }
}

/** Resolves when `done()` holds, polling; rejects with `describe()` after `timeoutMs`. */
export async function waitUntil(done: () => Promise<boolean>, timeoutMs: number, describe: () => Promise<string> | string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await done()) return;
    if (Date.now() > deadline) throw new Error(`timed out: ${await describe()}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Resolves when the app's output from `from` on matches `re`; rejects with the output after `timeoutMs`. */
export async function waitForOutput(app: AppProcess, re: RegExp, timeoutMs: number, from = 0): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!re.test(app.output.slice(from))) {
    if (Date.now() > deadline) throw new Error(`${app.name} did not log ${re} within ${timeoutMs} ms:\n${app.output.slice(-4000)}`);
    await sleep(100);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A small seeded PRNG (mulberry32), so a failing run can be replayed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
