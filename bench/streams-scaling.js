/**
 * Streams: threads and scale-out (issue #13, "Speed"). Alone, after a build:
 *
 *   npm run build && node bench/streams-scaling.js          (4–6 minutes on 2 cores)
 *
 * Every application is bench/support/streams-scaling-app.js in a child process of its own, under
 * exactly_once, against a fresh broker in another (bench/support/broker-process.js); this process
 * only produces the input beforehand and polls the group's committed offsets (every 50 ms), which
 * under exactly_once move when a task's transaction commits — so a rate is records through the whole
 * pipeline, output committed. CPU seconds of the broker and of the application come from
 * /proc/<pid>/stat (utime + stime, all threads) over the same window.
 *
 *   a. Thread scaling, CPU-bound: `in` (6 partitions, SKEIN_BENCH_CPU_RECORDS records, default
 *      60,000) → mapValues(SKEIN_BENCH_HASH_ROUNDS chained SHA-256s of the value, default 200: most
 *      of the ~0.22 ms of CPU a record costs in all) → `out`, with
 *      num.stream.threads 1 and 2, alternating, SKEIN_BENCH_SCALING_RUNS times each (default 3; 2 in
 *      `npm run bench`).
 *      Rate over the middle of the run: from 10 % to 90 % of the input committed, so start-up and
 *      the last commit are outside it. Goal: 2 threads ≥ 1.6 × 1 thread on this 2-core machine; the
 *      broker's CPU (cores busy) is printed beside it, since it shares the two cores.
 *   b. Rebalance: the stateful sum topology (echo + running sum per key in a changelogged store;
 *      6 partitions, a backlog of SKEIN_BENCH_REBALANCE_RECORDS records, default 4,000,000) runs in
 *      one process of 2 threads; a second process of 2 threads joins, later leaves with close()
 *      (LeaveGroup), SKEIN_BENCH_SCALING_RUNS times; then joins once more and is SIGKILLed. Rebalance
 *      time: from the joining process's start() (its REBALANCING) — or from the SIGTERM, or the
 *      SIGKILL — to the moment every thread of every live process is RUNNING again (each process
 *      prints its state changes; "again" means no further change for 2 s). Beside it, records/s
 *      committed during the rebalance and in the 5 s before it, and changelog records restored.
 *   c. I/O-bound (item 7): `in` (1 partition) → mapValuesAsync(a 5 ms timer per record, as a lookup)
 *      → `out-<run>`, one thread, concurrency 32 vs 1, alternating, SKEIN_BENCH_SCALING_RUNS times
 *      each; rate from 10 % to 90 % of 1,500 records (concurrency 1) or 30,000 (32). Goal ≥ 20×.
 *      After each run the output topic is read read_committed: it must hold the input values up to
 *      the committed offset, each once and in order.
 *
 * Each figure is the median of the runs, with the spread (min–max) beside it.
 * SKEIN_BENCH_SCALING_ONLY=a,b,c runs a subset; SKEIN_BENCH_APP_ARGS adds node flags to the
 * application processes (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`, then
 * `node bench/support/profile-summary.js /tmp/prof/<file>.cpuprofile`); SKEIN_BENCH_LOG_DIR keeps
 * each measured application's log there (its tasks per thread, restores, rebalances).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import kafkajs from 'kafkajs';
import { ProtocolClient } from '../dist/cli/protocol-client.js';
import { Produce } from '../dist/protocol/apis/produce.js';
import { ZERO_UUID } from '../dist/protocol/reader.js';
import { encodeRecordBatch } from '../dist/protocol/record-batch.js';
import { startBrokerProcess } from './groups.js';
import { median } from './support/stats.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const APP = join(HERE, 'support/streams-scaling-app.js');
/** Runs of each case (or join/leave rounds); `npm run bench` asks for 2 unless this is set. */
const RUNS = process.env.SKEIN_BENCH_SCALING_RUNS === undefined ? undefined : Number(process.env.SKEIN_BENCH_SCALING_RUNS);
const CPU_RECORDS = Number(process.env.SKEIN_BENCH_CPU_RECORDS ?? 60_000);
const HASH_ROUNDS = Number(process.env.SKEIN_BENCH_HASH_ROUNDS ?? 200);
const REBALANCE_RECORDS = Number(process.env.SKEIN_BENCH_REBALANCE_RECORDS ?? 4_000_000);
/** @type {Record<number, number>} input records by concurrency */
const IO_RECORDS = { 1: 1_500, 32: 30_000 };
const ONLY = new Set((process.env.SKEIN_BENCH_SCALING_ONLY ?? 'a,b,c').split(','));
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
const BROKER_PROPS = ['group.initial.rebalance.delay.ms=0', 'offsets.topic.num.partitions=3', 'transaction.state.log.num.partitions=3'];

/** @param {number} ms */
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** @param {number} x */
const f0 = (x) => x.toLocaleString('en-US', { maximumFractionDigits: 0 });
/** @param {number} x */
const f2 = (x) => x.toFixed(2);

/** @typedef {(line: string) => void} Say */
/** @typedef {Awaited<ReturnType<typeof startBrokerProcess>>} Broker */
/** @typedef {{ broker: Broker, kafka: kafkajs.Kafka, admin: kafkajs.Admin, dir: string }} Ctx */
/** @typedef {{ state: string, t: number }} StateLine a state change the application printed */
/**
 * An application's child process.
 * @typedef {object} App
 * @property {import('node:child_process').ChildProcess} child
 * @property {number} pid
 * @property {StateLine[]} states its state changes so far
 * @property {string} log its stderr so far
 * @property {Promise<unknown>} exited
 * @property {() => string} state the latest state
 * @property {() => Promise<void>} stop SIGTERM (if still running), then its state directory removed
 */
/** @typedef {{ rate: number, brokerCores: number, appCores: number, otherCores: number, log: string }} Measurement */
/** @typedef {{ ms: number, during: number, before: number, restored: number }} Rebalance */

/**
 * CPU seconds (user + system, all threads) of a process so far.
 * @param {number | undefined} pid
 */
function cpuSeconds(pid) {
  if (pid === undefined) throw new Error('no such process');
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** CPU seconds the whole machine has spent busy (all cores, /proc/stat: everything but idle and iowait). */
function machineBusySeconds() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  return (total - f[3] - f[4]) / CLK_TCK;
}

/**
 * `median (min–max)` of some figures.
 * @param {number[]} xs
 * @param {(x: number) => string} [fmt]
 */
function spread(xs, fmt = f0) {
  return `${fmt(median(xs))} (${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))})`;
}

/**
 * A fresh broker in a child process, with a kafkajs admin on it.
 * @template T
 * @param {string} prefix
 * @param {(ctx: Ctx) => Promise<T>} body
 * @returns {Promise<T>}
 */
async function withBroker(prefix, body) {
  const dir = mkdtempSync(join(process.env.SKEIN_BENCH_DIR ?? tmpdir(), prefix));
  const broker = await startBrokerProcess(join(dir, 'log'), BROKER_PROPS);
  const kafka = new kafkajs.Kafka({ brokers: [broker.bootstrap], clientId: 'bench-scaling', logLevel: kafkajs.logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await body({ broker, kafka, admin, dir });
  } finally {
    await admin.disconnect();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Writes `n` records to `topic`, spread evenly over its partitions: record batches built by our own
 * codec, 10,000 records per Produce request, 8 in flight (kafkajs would take minutes for millions).
 * @param {string} bootstrap
 * @param {string} topic
 * @param {number} partitions
 * @param {number} n
 * @param {(i: number) => { key: string, value: string }} record
 */
async function produce(bootstrap, topic, partitions, n, record) {
  const [host, port] = bootstrap.split(':');
  const client = await ProtocolClient.connect([{ host, port: Number(port) }], { clientId: 'bench-scaling-producer' });
  /** @type {Promise<void>[]} */
  const inFlight = [];
  /**
   * @param {number} p
   * @param {{ key: Buffer, value: Buffer }[]} records
   */
  const send = async (p, records) => {
    const res = await client.send(
      Produce,
      {
        transactionalId: null,
        acks: -1,
        timeoutMs: 30_000,
        topicData: [{ name: topic, topicId: ZERO_UUID, partitionData: [{ index: p, records: encodeRecordBatch({ records, timestamp: BigInt(Date.now()) }) }] }],
      },
      7,
    );
    const code = res.responses[0].partitionResponses[0].errorCode;
    if (code !== 0) throw new Error(`producing to ${topic}-${p}: error ${code}`);
  };
  try {
    /** @type {{ key: Buffer, value: Buffer }[][]} */
    const pending = Array.from({ length: partitions }, () => []);
    /** @param {number} p */
    const flush = async (p) => {
      inFlight.push(send(p, pending[p]));
      pending[p] = [];
      if (inFlight.length >= 8) await inFlight.shift();
    };
    for (let i = 0; i < n; i++) {
      const p = i % partitions;
      const r = record(i);
      pending[p].push({ key: Buffer.from(r.key), value: Buffer.from(r.value) });
      if (pending[p].length === 10_000) await flush(p);
    }
    for (let p = 0; p < partitions; p++) if (pending[p].length > 0) await flush(p);
    await Promise.all(inFlight);
  } finally {
    client.close();
  }
}

/**
 * Writes an application's log to SKEIN_BENCH_LOG_DIR, when set.
 * @param {string} name
 * @param {string} log
 */
function keepLog(name, log) {
  if (process.env.SKEIN_BENCH_LOG_DIR !== undefined) writeFileSync(join(process.env.SKEIN_BENCH_LOG_DIR, `${name}.log`), log);
}

/**
 * Starts the application in a child process; its state changes arrive as JSON lines.
 * @param {Record<string, string>} env
 * @param {string} dir where its state directory goes
 * @returns {App}
 */
function startApp(env, dir) {
  const stateDir = mkdtempSync(join(dir, 'state-'));
  const args = [...(process.env.SKEIN_BENCH_APP_ARGS ?? '').split(' ').filter(Boolean), APP];
  const child = spawn(process.execPath, args, { env: { ...process.env, STATE_DIR: stateDir, LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`could not start ${APP}`);
  /** @type {StateLine[]} */
  const states = [];
  const exited = new Promise((r) => child.once('exit', r));
  /** @type {App} */
  const app = {
    child,
    pid: child.pid,
    states,
    log: '',
    exited,
    state: () => states.at(-1)?.state ?? 'CREATED',
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
    for (let i = out.indexOf('\n'); i >= 0; i = out.indexOf('\n')) {
      const line = out.slice(0, i);
      out = out.slice(i + 1);
      if (line.startsWith('{')) app.states.push(JSON.parse(line));
    }
  });
  child.stderr.on('data', (d) => (app.log += d));
  return app;
}

/**
 * @param {() => boolean | Promise<boolean>} cond polled every 50 ms
 * @param {number} timeoutMs
 * @param {string | (() => string)} what for the error on a timeout
 */
async function waitFor(cond, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'function' ? what() : what}`);
    await sleep(50);
  }
}

/**
 * Records the group has committed on `topic` (sum over partitions).
 * @param {kafkajs.Admin} admin
 * @param {string} groupId
 * @param {string} topic
 */
async function committed(admin, groupId, topic) {
  const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return t.partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
}

/**
 * Runs one application over `total` input records; the rate is measured from 10 % to 90 % of them
 * committed, with the broker's and the application's CPU over the same window.
 * @param {Ctx} ctx
 * @param {string} appId
 * @param {Record<string, string>} env
 * @param {number} total
 * @returns {Promise<Measurement>}
 */
async function measureRun({ admin, broker, dir }, appId, env, total) {
  const app = startApp({ APP_ID: appId, BOOTSTRAP: broker.bootstrap, ...env }, dir);
  try {
    await waitFor(
      () => app.state() === 'RUNNING' || app.state() === 'ERROR',
      120_000,
      () => `${appId} to run:\n${app.log.slice(-2000)}`,
    );
    if (app.state() === 'ERROR') throw new Error(`${appId} failed:\n${app.log.slice(-2000)}`);
    const marks = [];
    for (const frac of [0.1, 0.9]) {
      await waitFor(async () => (await committed(admin, appId, 'in')) >= total * frac, 600_000, `${appId} to commit ${frac * 100} %`);
      marks.push({
        t: performance.now(),
        n: await committed(admin, appId, 'in'),
        broker: cpuSeconds(broker.pid),
        app: cpuSeconds(app.pid),
        machine: machineBusySeconds(),
        self: process.cpuUsage(),
      });
    }
    const [a, b] = /** @type {[(typeof marks)[0], (typeof marks)[0]]} */ (marks);
    const seconds = (b.t - a.t) / 1000;
    const brokerCores = (b.broker - a.broker) / seconds;
    const appCores = (b.app - a.app) / seconds;
    const selfCores = (b.self.user + b.self.system - a.self.user - a.self.system) / 1e6 / seconds;
    // Whatever else ran on the machine meanwhile (other programs, this bench's polling aside).
    const otherCores = Math.max(0, (b.machine - a.machine) / seconds - brokerCores - appCores - selfCores);
    return { rate: (b.n - a.n) / seconds, brokerCores, appCores, otherCores, log: app.log };
  } finally {
    await app.stop();
    keepLog(appId, app.log);
  }
}

/**
 * Reads `topic` (one partition) read_committed from the start and checks that it holds exactly
 * `expected`, in order: nothing lost, nothing twice. Returns the problems, none when exactly once.
 * @param {Ctx} ctx
 * @param {string} topic
 * @param {string[]} expected
 */
async function checkExactlyOnce({ kafka, admin }, topic, expected) {
  const high = (await admin.fetchTopicOffsets(topic))[0]?.high ?? '0';
  const consumer = kafka.consumer({ groupId: `check-${topic}`, readUncommitted: false });
  /** @type {string[]} */
  const got = [];
  let last = -1;
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        got.push(message.value?.toString() ?? '');
        last = Number(message.offset);
      },
    });
    // The last data record sits before the last commit marker: the end is high watermark − 1 or less.
    await waitFor(() => last >= Number(high) - 2 || got.length >= expected.length, 60_000, `${topic} to be read`);
    await sleep(1000);
  } finally {
    await consumer.disconnect();
  }
  const problems = [];
  if (got.length !== expected.length) problems.push(`${got.length} records for ${expected.length} inputs`);
  const i = expected.findIndex((v, j) => got[j] !== v);
  if (i >= 0) problems.push(`first difference at #${i}: expected ${expected[i]}, got ${got[i]}`);
  return problems;
}

/**
 * @param {Say} say
 * @param {number} count runs of each case
 */
async function threadScaling(say, count) {
  return withBroker('skein-bench-scaling-cpu-', async (ctx) => {
    await ctx.admin.createTopics({
      topics: [
        { topic: 'in', numPartitions: 6 },
        { topic: 'out', numPartitions: 6 },
      ],
    });
    await produce(ctx.broker.bootstrap, 'in', 6, CPU_RECORDS, (i) => ({ key: `k${i}`, value: `value-${i}-${'x'.repeat(64)}` }));
    /** @type {Record<number, Measurement[]>} */
    const runs = { 1: [], 2: [] };
    for (let r = 0; r < count; r++) {
      for (const threads of r % 2 === 0 ? [1, 2] : [2, 1]) {
        const m = await measureRun(ctx, `cpu-${threads}t-${r}`, { WORKLOAD: 'cpu', HASH_ROUNDS: String(HASH_ROUNDS), THREADS: String(threads) }, CPU_RECORDS);
        runs[threads].push(m);
        say(
          `    run ${r + 1}, ${threads} thread${threads > 1 ? 's' : ' '}: ${f0(m.rate)} records/s, broker ${m.brokerCores.toFixed(2)} cores, application ${m.appCores.toFixed(2)} cores, rest of machine ${m.otherCores.toFixed(2)} cores`,
        );
      }
    }
    const ratios = runs[1].map((one, i) => runs[2][i].rate / one.rate);
    /** @param {number} t */
    const rates = (t) => runs[t].map((m) => m.rate);
    for (const t of [1, 2]) {
      /** @param {(m: Measurement) => number} f */
      const of = (f) => spread(runs[t].map(f), f2);
      say(
        `  ${t} thread${t > 1 ? 's' : ' '}:  ${spread(rates(t))} records/s; broker ${of((m) => m.brokerCores)} cores, application ${of((m) => m.appCores)} cores, rest of machine ${of((m) => m.otherCores)} cores; ${spread(runs[t].map((m) => m.rate / m.appCores))} records per application CPU-second`,
      );
    }
    const busiest = Math.max(...runs[1].map((m) => m.otherCores), ...runs[2].map((m) => m.otherCores));
    if (busiest > 0.25) {
      say(
        `  (other programs took up to ${f2(busiest)} cores during these runs: the ratio below is then the share of the CPU the scheduler gave each run, not how far 2 threads scale on 2 free cores — re-run on a quiet machine)`,
      );
    }
    const ratio = median(ratios);
    say(`  2 threads / 1 thread: ${spread(ratios, f2)} (per run pair)   goal ≥ 1.6   ${ratio >= 1.6 ? 'PASS' : 'MISS'}`);
    return { ratio, ratios, runs };
  });
}

/**
 * Milliseconds from `t0` (epoch) until every app has been through a rebalance since `t0` (a state
 * change at or after it: a process that is SIGKILLed is noticed only when its session times out)
 * and is RUNNING with no state change for `quietMs`.
 * @param {App[]} apps
 * @param {number} t0
 * @param {number} [quietMs]
 */
async function untilAllRunning(apps, t0, quietMs = 2000) {
  const deadline = Date.now() + 180_000;
  const changes = () => apps.reduce((n, a) => n + a.states.length, 0);
  for (;;) {
    const states = () => apps.map((a) => a.states.map((s) => `${s.state}@${s.t - t0}`).join(' ')).join(' | ');
    await waitFor(
      () => apps.every((a) => a.state() === 'RUNNING' && (a.states.at(-1)?.t ?? 0) >= t0),
      Math.max(0, deadline - Date.now()),
      () => `every thread to run: ${states()}`,
    );
    const seen = changes();
    await sleep(quietMs);
    if (changes() === seen && apps.every((a) => a.state() === 'RUNNING')) {
      const last = Math.max(...apps.map((a) => a.states.at(-1)?.t ?? 0));
      return { ms: last - t0, at: last };
    }
    if (Date.now() > deadline) throw new Error(`no quiet RUNNING within 180 s: ${states()}`);
  }
}

/**
 * @param {Say} say
 * @param {number} count runs of each case
 */
async function rebalances(say, count) {
  return withBroker('skein-bench-scaling-rebalance-', async (ctx) => {
    const { admin, dir } = ctx;
    await admin.createTopics({ topics: ['in', 'out', 'sum'].map((topic) => ({ topic, numPartitions: 6 })) });
    await produce(ctx.broker.bootstrap, 'in', 6, REBALANCE_RECORDS, (i) => ({ key: `k${(i * 7919) % 600}`, value: String(1 + (i % 100)) }));
    const appId = 'rebalance';
    const env = { APP_ID: appId, BOOTSTRAP: ctx.broker.bootstrap, WORKLOAD: 'sum', THREADS: '2' };
    // Committed offsets sampled every 50 ms, to read the rate over any window afterwards.
    /** @type {{ t: number, n: number }[]} */
    const samples = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        samples.push({ t: Date.now(), n: await committed(admin, appId, 'in') });
        await sleep(50);
      }
    })();
    /**
     * @param {number} from
     * @param {number} to
     */
    const rateBetween = (from, to) => {
      const a = samples.find((s) => s.t >= from) ?? samples.at(-1);
      const b = [...samples].reverse().find((s) => s.t <= to) ?? samples.at(-1);
      if (a === undefined || b === undefined) return 0;
      return b.t > a.t ? (b.n - a.n) / ((b.t - a.t) / 1000) : 0;
    };
    /** @param {string} log */
    const restored = (log) => [...log.matchAll(/restored store sum from \S+: (\d+) records/g)].reduce((n, m) => n + Number(m[1]), 0);
    const first = startApp(env, dir);
    /** @type {{ join: Rebalance[], leave: Rebalance[] }} */
    const results = { join: [], leave: [] };
    /** @type {Rebalance | null} */
    let kill = null;
    try {
      await untilAllRunning([first], Date.now());
      for (let r = 0; r <= count; r++) {
        await sleep(5000);
        const second = startApp(env, dir);
        await waitFor(() => second.states.length > 0, 60_000, 'the second process to start');
        const t0 = second.states[0].t;
        const restoredBefore = restored(first.log);
        const join = await untilAllRunning([first, second], t0);
        const joinRecord = {
          ms: join.ms,
          during: rateBetween(t0, join.at),
          before: rateBetween(t0 - 5000, t0),
          restored: restored(second.log) + restored(first.log) - restoredBefore,
        };
        await sleep(5000);
        if (r < count) {
          results.join.push(joinRecord);
          const l0 = Date.now();
          const restoredBeforeLeave = restored(first.log);
          second.child.kill('SIGTERM');
          const leave = await untilAllRunning([first], l0);
          await second.stop();
          keepLog(`rebalance-second-${r + 1}`, second.log);
          results.leave.push({
            ms: leave.ms,
            during: rateBetween(l0, leave.at),
            before: rateBetween(l0 - 5000, l0),
            restored: restored(first.log) - restoredBeforeLeave,
          });
          say(`    round ${r + 1}: join ${f0(joinRecord.ms)} ms, leave ${f0(leave.ms)} ms`);
        } else {
          const k0 = Date.now();
          const restoredBeforeKill = restored(first.log);
          second.child.kill('SIGKILL');
          const after = await untilAllRunning([first], k0);
          await second.stop();
          keepLog(`rebalance-second-${r + 1}`, second.log);
          kill = { ms: after.ms, during: rateBetween(k0, after.at), before: rateBetween(k0 - 5000, k0), restored: restored(first.log) - restoredBeforeKill };
        }
      }
      const left = REBALANCE_RECORDS - (await committed(admin, appId, 'in'));
      if (left <= 0) say('  (the backlog ran out during the run: raise SKEIN_BENCH_REBALANCE_RECORDS)');
    } finally {
      sampling = false;
      await sampler;
      await first.stop();
      keepLog('rebalance-first', first.log);
    }
    /**
     * @param {string} name
     * @param {Rebalance[]} xs
     */
    const line = (name, xs) =>
      say(
        `  ${name} ${spread(xs.map((x) => x.ms))} ms; records/s during it ${spread(xs.map((x) => x.during))}, in the 5 s before ${spread(xs.map((x) => x.before))}; changelog records restored ${spread(xs.map((x) => x.restored))}`,
      );
    line('a process joins (2 threads):            ', results.join);
    line('a process leaves (close(), LeaveGroup): ', results.leave);
    if (kill !== null) line('a process is SIGKILLed (session 10 s):  ', [kill]);
    return { ...results, kill };
  });
}

/**
 * @param {Say} say
 * @param {number} count runs of each case
 */
async function ioBound(say, count) {
  return withBroker('skein-bench-scaling-io-', async (ctx) => {
    const outs = [];
    for (let r = 0; r < count; r++) for (const c of [1, 32]) outs.push({ topic: `out-c${c}-${r}`, numPartitions: 1 });
    await ctx.admin.createTopics({ topics: [{ topic: 'in', numPartitions: 1 }, ...outs] });
    await produce(ctx.broker.bootstrap, 'in', 1, IO_RECORDS[32], (i) => ({ key: `k${i}`, value: `v${i}` }));
    /** @type {Record<number, Measurement[]>} */
    const runs = { 1: [], 32: [] };
    /** @type {string[]} */
    const problems = [];
    for (let r = 0; r < count; r++) {
      for (const c of r % 2 === 0 ? [1, 32] : [32, 1]) {
        const appId = `io-c${c}-${r}`;
        const out = `out-c${c}-${r}`;
        const m = await measureRun(ctx, appId, { WORKLOAD: 'io', CONCURRENCY: String(c), DELAY_MS: '5', OUT: out }, IO_RECORDS[c]);
        runs[c].push(m);
        // Stopped (close() commits) somewhere past 90 %: its output is exactly the inputs up to the
        // committed offset, once each and in order.
        const n = await committed(ctx.admin, appId, 'in');
        const found = await checkExactlyOnce(
          ctx,
          out,
          Array.from({ length: n }, (_, i) => `v${i}`),
        );
        problems.push(...found.map((p) => `${appId}: ${p}`));
        say(
          `    run ${r + 1}, concurrency ${String(c).padStart(2)}: ${f0(m.rate)} records/s, application ${m.appCores.toFixed(2)} cores, rest of machine ${m.otherCores.toFixed(2)} cores; ${f0(n)} records out ${found.length === 0 ? 'exactly once' : `NOT exactly once: ${found.join('; ')}`}`,
        );
      }
    }
    const ratios = runs[1].map((one, i) => runs[32][i].rate / one.rate);
    say(`  concurrency 1:  ${spread(runs[1].map((m) => m.rate))} records/s (a 5 ms call each: at most 200/s)`);
    say(`  concurrency 32: ${spread(runs[32].map((m) => m.rate))} records/s (at most 6,400/s)`);
    const ratio = median(ratios);
    say(`  32 / 1: ${spread(ratios, (x) => x.toFixed(1))}   goal ≥ 20   ${ratio >= 20 ? 'PASS' : 'MISS'}`);
    say(`  outputs exactly once, in order: ${problems.length === 0 ? 'yes, every run' : `NO — ${problems.join('; ')}`}`);
    return { ratio, ratios, runs, exactlyOnce: problems.length === 0 };
  });
}

/**
 * @param {Say} [say]
 * @param {{ runs?: number }} [options] runs of each case when SKEIN_BENCH_SCALING_RUNS is not set (3)
 */
export async function runStreamsScalingBench(say = console.log, options = {}) {
  const count = RUNS ?? options.runs ?? 3;
  say('Streams: threads and scale-out (exactly_once; broker and applications each in a process of their own)');
  const busy0 = machineBusySeconds();
  await sleep(1000);
  say(`  machine busy in the second before: ${(machineBusySeconds() - busy0).toFixed(2)} of ${cpus().length} cores`);
  const out = {};
  if (ONLY.has('a')) {
    say(`a. Thread scaling, CPU-bound (${HASH_ROUNDS} SHA-256s per record, 6 partitions, ${f0(CPU_RECORDS)} records; ${count} runs each)`);
    out.threads = await threadScaling(say, count);
  }
  if (ONLY.has('b')) {
    say(`b. Rebalance (running sum per key, 6 partitions, 2 threads per process; ${count} joins and leaves, then a SIGKILL)`);
    out.rebalance = await rebalances(say, count);
  }
  if (ONLY.has('c')) {
    say(`c. I/O-bound: mapValuesAsync with a 5 ms call per record, 1 partition, 1 thread (${count} runs each)`);
    out.io = await ioBound(say, count);
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await runStreamsScalingBench();
