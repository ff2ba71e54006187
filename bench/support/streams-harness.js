/**
 * Helpers for bench/streams.js: a broker in a child process, topics filled before the clock starts,
 * streams applications (and other clients) as child processes, and progress read from the group's
 * committed offsets.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import kafkajs from 'kafkajs';
import { median } from './stats.js';

/** @typedef {import('kafkajs').Kafka} Kafka */
/** @typedef {import('kafkajs').Admin} Admin */

/**
 * A partition's offset: where its last record ends (lastRecordEnds), or its high watermark.
 * @typedef {{ partition: number, offset: number }} PartitionOffset
 */

/**
 * A JSON line a child printed on stdout, with when it came (`at`, Date.now()): a streams
 * application's state change (`{ state, t }`), or a client's report (kafkajs-read-topic.mjs:
 * `{ records, ms }`).
 * @typedef {{ at: number, state?: string, t?: number, records?: number, ms?: number }} ChildEvent
 */

/**
 * A child process started by startChild.
 * @typedef {object} Child
 * @property {number} pid
 * @property {number} started when it was spawned (Date.now())
 * @property {ChildEvent[]} states its stdout JSON lines
 * @property {Array<{ line: string, at: number }>} lines its other output lines (stderr, and stdout that is not JSON)
 * @property {() => string} log the tail of its stderr
 * @property {<T>(what: string, test: () => T | undefined, timeoutMs?: number) => Promise<T>} when
 *   resolves with the first `test()` result that is not undefined (re-checked on every output)
 * @property {(state: string, timeoutMs?: number) => Promise<number>} whenState
 *   the time (Date.now()) the client first reached `state`
 * @property {() => Promise<void>} kill SIGKILL, and wait for the exit
 * @property {() => Promise<void>} stop SIGTERM (SIGKILL after 30 s), and wait for the exit
 * @property {Promise<{ code: number | null, signal: NodeJS.Signals | null }>} exited
 */

/**
 * Progress of a group on a topic: the sum of its committed offsets at a time (Date.now()).
 * @typedef {{ t: number, committed: number }} Sample
 */

const HERE = dirname(fileURLToPath(import.meta.url));
export const STREAMS_APP = join(HERE, 'streams-app.mjs');

/**
 * @param {number} ms
 * @returns {Promise<void>}
 */
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * A kafkajs client for the bench's own work (admin, filling topics), quiet and patient.
 * @param {string} bootstrap
 * @param {string} [clientId]
 * @returns {Kafka}
 */
export function kafkaFor(bootstrap, clientId = 'bench-streams') {
  return new kafkajs.Kafka({ brokers: [bootstrap], clientId, logLevel: kafkajs.logLevel.NOTHING, retry: { retries: 20, initialRetryTime: 100 } });
}

/**
 * A broker from dist/ in a process of its own (bench/support/broker-process.js), so its CPU is not
 * the application's. `SKEIN_BENCH_BROKER_ARGS` adds node flags (e.g. --cpu-prof).
 * @param {string} logDir
 * @param {Record<string, string>} [props] broker properties
 * @returns {Promise<{ pid: number, bootstrap: string, stop: () => Promise<void> }>}
 */
export async function startBroker(logDir, props = {}) {
  const nodeArgs = (process.env.SKEIN_BENCH_BROKER_ARGS ?? '').split(/\s+/).filter(Boolean);
  const kv = Object.entries(props).map(([k, v]) => `${k}=${v}`);
  const child = spawn(process.execPath, [...nodeArgs, join(HERE, 'broker-process.js'), logDir, ...kv], { stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = pidOf(child);
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const orphan = () => child.kill('SIGKILL');
  process.once('exit', orphan);
  const exited = new Promise((res) => child.once('exit', (code, signal) => res({ code, signal })));
  child.once('exit', () => process.off('exit', orphan));
  const port = await /** @type {Promise<number>} */ (
    new Promise((res, rej) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        const m = /"port":\s*(\d+)/.exec(out);
        if (m) res(Number(m[1]));
      });
      child.once('exit', () => rej(new Error(`broker exited during start:\n${err}`)));
    })
  );
  return {
    pid,
    bootstrap: `127.0.0.1:${port}`,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Broker settings for these benches: small internal topics, no initial rebalance delay. */
export const BROKER_PROPS = {
  'offsets.topic.num.partitions': '3',
  'transaction.state.log.num.partitions': '3',
  'group.initial.rebalance.delay.ms': '0',
};

/**
 * @param {Kafka} kafka
 * @param {import('kafkajs').ITopicConfig[]} topics
 */
export async function createTopics(kafka, topics) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics, waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

/**
 * Produces `count` records to `topic` before anything is timed: `make(i)` gives each record's
 * { key, value, partition? }. Large batches, several in flight, acks=1.
 * @param {Kafka} kafka
 * @param {string} topic
 * @param {number} count
 * @param {(i: number) => import('kafkajs').Message} make
 * @param {{ batch?: number, inFlight?: number }} [options]
 */
export async function fill(kafka, topic, count, make, { batch = 5000, inFlight = 4 } = {}) {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    let next = 0;
    const worker = async () => {
      while (next < count) {
        const from = next;
        const n = Math.min(batch, count - from);
        next += n;
        /** @type {import('kafkajs').Message[]} */
        const messages = new Array(n);
        for (let i = 0; i < n; i++) messages[i] = make(from + i);
        await producer.send({ topic, messages, acks: 1 });
      }
    };
    await Promise.all(Array.from({ length: inFlight }, worker));
  } finally {
    await producer.disconnect();
  }
}

/**
 * Each partition's high watermark (offset after the last record), summed, and per partition.
 * @param {Admin} admin
 * @param {string} topic
 * @returns {Promise<{ total: number, partitions: PartitionOffset[] }>}
 */
export async function endOffsets(admin, topic) {
  const offs = await admin.fetchTopicOffsets(topic);
  return { total: offs.reduce((n, p) => n + Number(p.high), 0), partitions: offs.map((p) => ({ partition: p.partition, offset: Number(p.high) })) };
}

/**
 * A child process: a streams application (or any node script). Remembers when each stdout JSON line
 * (`{"state": …, "t": …}`) and each stderr line came, and can be SIGKILLed or stopped.
 * @param {string} script
 * @param {Record<string, string>} env added to this process's environment
 * @param {{ nodeArgs?: string[] }} [options] node flags before the script
 * @returns {Child}
 */
export function startChild(script, env, { nodeArgs = [] } = {}) {
  const started = Date.now();
  const child = spawn(process.execPath, [...nodeArgs, script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = pidOf(child);
  const orphan = () => child.kill('SIGKILL');
  process.once('exit', orphan);
  /** @type {Child['exited']} */
  const exited = new Promise((res) => child.once('exit', (code, signal) => res({ code, signal })));
  child.once('exit', () => process.off('exit', orphan));
  /** @type {ChildEvent[]} */
  const states = [];
  /** @type {Child['lines']} */
  const lines = [];
  let log = '';
  /** @typedef {{ what: string, test: () => unknown, resolve: (hit: any) => void, reject: (e: Error) => void }} Waiter */
  /** @type {Waiter[]} */
  const waiters = [];
  const check = () => {
    for (const w of [...waiters]) {
      const hit = w.test();
      if (hit !== undefined) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(hit);
      }
    }
  };
  let outBuf = '';
  child.stdout.on('data', (d) => {
    outBuf += d;
    for (let nl = outBuf.indexOf('\n'); nl >= 0; nl = outBuf.indexOf('\n')) {
      const line = outBuf.slice(0, nl);
      outBuf = outBuf.slice(nl + 1);
      try {
        const e = JSON.parse(line);
        states.push({ ...e, at: Date.now() });
      } catch {
        lines.push({ line, at: Date.now() });
      }
    }
    check();
  });
  let errBuf = '';
  child.stderr.on('data', (d) => {
    log += d;
    if (log.length > 4e6) log = log.slice(-2e6);
    errBuf += d;
    for (let nl = errBuf.indexOf('\n'); nl >= 0; nl = errBuf.indexOf('\n')) {
      lines.push({ line: errBuf.slice(0, nl), at: Date.now() });
      errBuf = errBuf.slice(nl + 1);
    }
    check();
  });
  child.once('exit', () => {
    for (const w of waiters.splice(0)) w.reject(new Error(`${script} exited before ${w.what}:\n${log.slice(-3000)}`));
  });
  /** @type {Child} */
  const app = {
    pid,
    started,
    states,
    lines,
    log: () => log,
    when(what, test, timeoutMs = 300_000) {
      const hit = test();
      if (hit !== undefined) return Promise.resolve(hit);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}:\n${log.slice(-3000)}`)), timeoutMs);
        waiters.push({
          what,
          test,
          resolve: (v) => {
            clearTimeout(timer);
            resolve(v);
          },
          reject,
        });
      });
    },
    whenState(state, timeoutMs) {
      return app.when(`state ${state}`, () => states.find((s) => s.state === state)?.at, timeoutMs);
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
        await exited;
        clearTimeout(timer);
      }
    },
    exited,
  };
  return app;
}

/**
 * Polls the group's committed offsets on `topic` every `everyMs` until their sum reaches `target`;
 * returns the samples `[{ t, committed }]` (t = Date.now()). With `app`, fails as soon as it exits.
 * @param {Admin} admin
 * @param {string} groupId
 * @param {string} topic
 * @param {number} target
 * @param {{ everyMs?: number, timeoutMs?: number, app?: Child }} [options]
 * @returns {Promise<Sample[]>}
 */
export async function followCommitted(admin, groupId, topic, target, { everyMs = 50, timeoutMs = 600_000, app } = {}) {
  /** @type {Sample[]} */
  const samples = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const committed = (t?.partitions ?? []).reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
    samples.push({ t: Date.now(), committed });
    if (committed >= target) return samples;
    if (Date.now() > deadline)
      throw new Error(`${groupId}: committed ${committed} of ${target} after ${timeoutMs} ms${app ? `\n${app.log().slice(-3000)}` : ''}`);
    if (app !== undefined && (await Promise.race([app.exited.then(() => true), sleep(everyMs).then(() => false)]))) {
      throw new Error(`${groupId}: the application exited at ${committed} of ${target}:\n${app.log().slice(-3000)}`);
    }
    if (app === undefined) await sleep(everyMs);
  }
}

/**
 * When (interpolated) the samples first reached `level` committed records.
 * @param {readonly Sample[]} samples
 * @param {number} level
 */
export function timeAt(samples, level) {
  for (let i = 0; i < samples.length; i++) {
    if (samples[i].committed >= level) {
      if (i === 0) return samples[0].t;
      const a = samples[i - 1];
      const b = samples[i];
      return a.t + ((b.t - a.t) * (level - a.committed)) / (b.committed - a.committed);
    }
  }
  return NaN;
}

/**
 * CPU seconds (user + system) of a live process so far, from /proc/<pid>/stat; NaN once it is gone.
 * @param {number} pid
 */
export function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return NaN;
  }
}

/**
 * `median (min–max)` of a list, formatted by `f`.
 * @param {readonly number[]} xs
 * @param {(x: number) => string} f
 */
export function spread(xs, f) {
  return `${f(median(xs))} (${f(Math.min(...xs))}–${f(Math.max(...xs))})`;
}

/**
 * A number with thousands separators and `digits` decimals (en-US), or as String() gives it when not finite.
 * @param {number} x
 * @param {number} [digits]
 */
export const fmt = (x, digits = 0) =>
  Number.isFinite(x) ? x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : String(x);

/**
 * The offset after the last record (not transaction marker) of each partition of `topic`, read
 * `read_committed` near its end: where a consumer of the topic has taken everything. The end offset
 * alone overshoots it by the markers of the writers' last transactions.
 * @param {Kafka} kafka
 * @param {string} topic
 * @returns {Promise<PartitionOffset[]>}
 */
export async function lastRecordEnds(kafka, topic) {
  const { PartitionReader } = await import('../../dist/streams/runtime/partition-reader.js');
  const reader = new PartitionReader(kafka);
  try {
    const admin = kafka.admin();
    await admin.connect();
    const { partitions } = await endOffsets(admin, topic);
    await admin.disconnect();
    const out = [];
    for (const { partition, offset: end } of partitions) {
      let last = 0;
      for (let from = Math.max(0, end - 64); end > 0; from = Math.max(0, from - 1024)) {
        const [f] = await reader.fetch([{ topic, partition, offset: from }], { maxWaitMs: 10 });
        for (const r of f.records) if (r.offset < end) last = Math.max(last, r.offset + 1);
        if (last > 0 || from === 0) break;
      }
      out.push({ partition, offset: last });
    }
    return out;
  } finally {
    await reader.close();
  }
}

/**
 * Resolves (Date.now()) when the group's committed offset of every partition reaches `ends` (from
 * lastRecordEnds). With `app`, fails as soon as it exits.
 * @param {Admin} admin
 * @param {string} groupId
 * @param {string} topic
 * @param {readonly PartitionOffset[]} ends
 * @param {{ everyMs?: number, timeoutMs?: number, app?: Child }} [options]
 * @returns {Promise<number>}
 */
export async function awaitCommitted(admin, groupId, topic, ends, { everyMs = 50, timeoutMs = 600_000, app } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const at = new Map((t?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
    if (ends.every((e) => e.offset === 0 || (at.get(e.partition) ?? -1) >= e.offset)) return Date.now();
    if (Date.now() > deadline)
      throw new Error(`${groupId}: ${topic} not committed to ${JSON.stringify(ends)} after ${timeoutMs} ms: ${JSON.stringify([...at])}`);
    if (app !== undefined && (await Promise.race([app.exited.then(() => true), sleep(everyMs).then(() => false)]))) {
      throw new Error(`${groupId}: the application exited:\n${app.log().slice(-3000)}`);
    }
    if (app === undefined) await sleep(everyMs);
  }
}

/**
 * A spawned child's pid; spawn leaves it undefined only when the process could not be started.
 * @param {import('node:child_process').ChildProcess} child
 */
function pidOf(child) {
  if (child.pid === undefined) throw new Error(`could not start ${child.spawnargs.join(' ')}`);
  return child.pid;
}
