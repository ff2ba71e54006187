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

const HERE = dirname(fileURLToPath(import.meta.url));
export const STREAMS_APP = join(HERE, 'streams-app.mjs');

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function kafkaFor(bootstrap, clientId = 'bench-streams') {
  return new kafkajs.Kafka({ brokers: [bootstrap], clientId, logLevel: kafkajs.logLevel.NOTHING, retry: { retries: 20, initialRetryTime: 100 } });
}

/**
 * A broker from dist/ in a process of its own (bench/support/broker-process.js), so its CPU is not
 * the application's. `SKEIN_BENCH_BROKER_ARGS` adds node flags (e.g. --cpu-prof).
 */
export async function startBroker(logDir, props = {}) {
  const nodeArgs = (process.env.SKEIN_BENCH_BROKER_ARGS ?? '').split(/\s+/).filter(Boolean);
  const kv = Object.entries(props).map(([k, v]) => `${k}=${v}`);
  const child = spawn(process.execPath, [...nodeArgs, join(HERE, 'broker-process.js'), logDir, ...kv], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const orphan = () => child.kill('SIGKILL');
  process.once('exit', orphan);
  const exited = new Promise((res) => child.once('exit', (code, signal) => res({ code, signal })));
  child.once('exit', () => process.off('exit', orphan));
  const port = await new Promise((res, rej) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /"port":\s*(\d+)/.exec(out);
      if (m) res(Number(m[1]));
    });
    child.once('exit', () => rej(new Error(`broker exited during start:\n${err}`)));
  });
  return {
    pid: child.pid,
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

/** Each partition's high watermark (offset after the last record), summed, and per partition. */
export async function endOffsets(admin, topic) {
  const offs = await admin.fetchTopicOffsets(topic);
  return { total: offs.reduce((n, p) => n + Number(p.high), 0), partitions: offs.map((p) => ({ partition: p.partition, offset: Number(p.high) })) };
}

/**
 * A child process: a streams application (or any node script). Remembers when each stdout JSON line
 * (`{"state": …, "t": …}`) and each stderr line came, and can be SIGKILLed or stopped.
 */
export function startChild(script, env, { nodeArgs = [], onLine } = {}) {
  const started = Date.now();
  const child = spawn(process.execPath, [...nodeArgs, script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const orphan = () => child.kill('SIGKILL');
  process.once('exit', orphan);
  const exited = new Promise((res) => child.once('exit', (code, signal) => res({ code, signal })));
  child.once('exit', () => process.off('exit', orphan));
  const states = [];
  const lines = [];
  let log = '';
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
        onLine?.(e);
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
  const app = {
    pid: child.pid,
    started,
    states,
    lines,
    log: () => log,
    /** Resolves with the first `test()` result that is not undefined (re-checked on every output). */
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
    /** The time (Date.now()) the client first reached `state`. */
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
 * returns the samples `[{ t, committed }]` (t = Date.now()).
 */
export async function followCommitted(admin, groupId, topic, target, { everyMs = 50, timeoutMs = 600_000, app } = {}) {
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

/** When (interpolated) the samples first reached `level` committed records. */
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

/** CPU seconds (user + system) of a live process so far, from /proc/<pid>/stat. */
export function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return NaN;
  }
}

/** `median (min–max)` of a list, formatted by `f`. */
export function spread(xs, f) {
  return `${f(median(xs))} (${f(Math.min(...xs))}–${f(Math.max(...xs))})`;
}

export const fmt = (x, digits = 0) =>
  Number.isFinite(x) ? x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : String(x);

/**
 * The offset after the last record (not transaction marker) of each partition of `topic`, read
 * `read_committed` near its end: where a consumer of the topic has taken everything. The end offset
 * alone overshoots it by the markers of the writers' last transactions.
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

/** Resolves (Date.now()) when the group's committed offset of every partition reaches `ends` (from lastRecordEnds). */
export async function awaitCommitted(admin, groupId, topic, ends, { everyMs = 50, timeoutMs = 600_000, app } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const at = new Map((t?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
    if (ends.every((e) => e.offset === 0 || (at.get(e.partition) ?? -1) >= e.offset)) return Date.now();
    if (Date.now() > deadline)
      throw new Error(`${groupId}: ${topic} not committed to ${JSON.stringify(ends)} after ${timeoutMs} ms: ${JSON.stringify([...at])}`);
    if (app !== undefined && app.exited && (await Promise.race([app.exited.then(() => true), sleep(everyMs).then(() => false)]))) {
      throw new Error(`${groupId}: the application exited:\n${app.log().slice(-3000)}`);
    }
    if (app === undefined) await sleep(everyMs);
  }
}
