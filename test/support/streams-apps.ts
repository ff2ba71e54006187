/**
 * Streams applications as child processes, and reading topics to their end, for the runtime's
 * end-to-end tests.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Kafka, type Producer, logLevel } from 'kafkajs';
import { PartitionReader } from '../../src/streams/runtime/partition-reader.js';
import type { RawRecord } from '../../src/streams/runtime/record-collector.js';
import { type BrokerProcess, spawnBroker } from './broker.js';

export const KILL_APP = resolve(import.meta.dirname, 'streams-kill-app.mjs');

export interface AppProcess {
  readonly name: string;
  child: ChildProcess;
  output: string;
  /** How many times it was started. */
  starts: number;
  /** Where in `output` its last start begins. */
  outputAtStart: number;
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
    outputAtStart: 0,
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
      app.outputAtStart = app.output.length;
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

/**
 * Whether the application is RUNNING, by the last state transition it logged (at info) since its last
 * start: killed now, it is caught processing, not rebalancing or starting.
 */
export function isRunning(app: AppProcess): boolean {
  const transitions = [...app.output.slice(app.outputAtStart).matchAll(/State transition from \w+ to (\w+)/g)];
  return transitions.at(-1)?.[1] === 'RUNNING';
}

export function kafkaFor(bootstrap: string): Kafka {
  return new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 20, initialRetryTime: 100 } });
}

/** Committed (non-aborted, non-control) records of a partition in [from, to). */
export async function committedRecordsBetween(kafka: Kafka, topic: string, partition: number, from: number, to: number): Promise<number> {
  const reader = new PartitionReader(kafka);
  try {
    let n = 0;
    for (let pos = from; pos < to;) {
      const [f] = await reader.fetch([{ topic, partition, offset: pos }], { maxWaitMs: 100 });
      n += f.records.filter((r) => r.offset < to).length;
      if (f.nextOffset === pos) break;
      pos = f.nextOffset;
    }
    return n;
  } finally {
    await reader.close();
  }
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

/** A broker for the kill tests: small internal topics, no initial rebalance delay. */
/** The broker settings of the streams tests: small internal topics, no initial rebalance delay. */
export const STREAMS_BROKER_CONFIG = {
  'offsets.topic.num.partitions': '3',
  'transaction.state.log.num.partitions': '3',
  'group.initial.rebalance.delay.ms': '0',
};

export interface ChaosRun {
  broker: BrokerProcess;
  apps: AppProcess[];
}

/**
 * The kill tests' run: a broker as a child process, `topics` created, three instances of each
 * variant (each with its own state directory) under `guarantee`; then `produce` writes the input
 * while instances are SIGKILLed `instanceKills` times and the broker `brokerKills` times, in a
 * seeded random order, each restarted (the broker on the same port and log dir). Resolves when
 * `produce` has finished and the chaos is over; the apps are still running. Whatever it starts is
 * undone by the functions it pushes onto `cleanups` (run them in reverse).
 */
export async function runWithChaos(options: {
  guarantee: string;
  topics: readonly { topic: string; partitions: number }[];
  variants: { name: string; script: string; env: Record<string, string> }[];
  instanceKills: number;
  brokerKills: number;
  seed: number;
  /**
   * Kill an instance only once every instance has been RUNNING for a second or more, so that each kill
   * interrupts processing (work since the last commit) rather than a rebalance or a start; otherwise
   * instances are killed at random times.
   */
  killWhileRunning?: boolean;
  /**
   * Writes the input (an idempotent producer, one request in flight). `random` is a PRNG of its own,
   * seeded from `seed`: the input is the same in every run of a seed, whatever the chaos does (up to
   * its length, if `produce` writes until `chaosOver()`).
   */
  produce: (producer: Producer, random: () => number, chaosOver: () => boolean) => Promise<void>;
  cleanups: (() => Promise<void> | void)[];
}): Promise<ChaosRun> {
  const { cleanups } = options;
  const logDir = mkdtempSync(join(tmpdir(), 'skein-kill-broker-'));
  cleanups.push(() => rmSync(logDir, { recursive: true, force: true }));
  let broker = await spawnBroker(logDir, 0, STREAMS_BROKER_CONFIG);
  const port = broker.port;
  const run: ChaosRun = { broker, apps: [] };
  cleanups.push(async () => {
    await run.broker.kill('SIGKILL').catch(() => undefined);
  });
  const admin = kafkaFor(broker.bootstrap).admin();
  await admin.connect();
  await admin.createTopics({ topics: options.topics.map((t) => ({ topic: t.topic, numPartitions: t.partitions })), waitForLeaders: true });
  await admin.disconnect();

  for (const v of options.variants) {
    for (let i = 0; i < 3; i++) {
      const stateDir = mkdtempSync(join(tmpdir(), `skein-kill-${v.name}-${i}-`));
      cleanups.push(() => rmSync(stateDir, { recursive: true, force: true }));
      const app = startApp(`${v.name}-${i}`, v.script, {
        ...v.env,
        BOOTSTRAP: broker.bootstrap,
        STATE_DIR: stateDir,
        GUARANTEE: options.guarantee,
        LOG_LEVEL: 'info',
      });
      run.apps.push(app);
      cleanups.push(() => app.kill());
    }
  }

  const random = prng(options.seed);
  const producer = kafkaFor(broker.bootstrap).producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  cleanups.push(() => producer.disconnect().catch(() => undefined));
  let chaosOver = false;
  const producing = options.produce(producer, prng(options.seed + 1), () => chaosOver);

  // Chaos, spread over the production: instance kills, and broker kills in between.
  const events: ('instance' | 'broker')[] = [...Array(options.instanceKills).fill('instance'), ...Array(options.brokerKills).fill('broker')];
  for (let i = events.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [events[i], events[j]] = [events[j], events[i]];
  }
  for (const e of events) {
    await sleep(1500 + random() * 1500);
    if (e === 'instance') {
      if (options.killWhileRunning === true) {
        // Right after a restart the others still look RUNNING until the new member's join reaches
        // them: wait until every instance is RUNNING, and still is a second or two later.
        const deadline = Date.now() + 60_000;
        do {
          while (!run.apps.every(isRunning) && Date.now() < deadline) await sleep(100);
          await sleep(1000 + random() * 1000);
        } while (!run.apps.every(isRunning) && Date.now() < deadline);
      }
      const app = run.apps[Math.floor(random() * run.apps.length)];
      await app.kill();
      await sleep(300 + random() * 1000);
      app.restart();
    } else {
      await run.broker.kill('SIGKILL');
      await sleep(500 + random() * 1000);
      broker = await spawnBroker(logDir, port, STREAMS_BROKER_CONFIG);
      run.broker = broker;
    }
  }
  chaosOver = true;
  await producing;
  return run;
}
