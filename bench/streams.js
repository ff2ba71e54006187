/**
 * Streams benchmarks (part of `npm run bench`, after the broker's; alone: `npm run build && node
 * bench/streams.js`). Each case runs a few times, alternating what it compares, and prints the median
 * and the range (min–max) of each figure and of the ratios, which are taken pair by pair in one run.
 *
 * Part 1 (issue 10), in this process, no broker:
 *   1. TopologyTestDriver throughput for the word count (lines/s), beside a plain loop doing the
 *      same computation (split, count in a Map, serialize each update);
 *   2. the LevelDB store through Skein's layers — metered (serdes) → no cache → no change-logging →
 *      LevelDB with the transaction buffer, committing every 1,000 writes — beside a bare
 *      `classic-level` loop doing the same writes (a batch per 1,000, not awaited one by one, as the
 *      store's commits are not) and reads (`getSync`); both loops give the event loop a turn after
 *      each commit, as the stream thread does between rounds; goal: layers ≤ 1.5 × bare.
 *
 * Part 2 (issue 11), on a broker in a child process of its own (bench/support/broker-process.js),
 * with applications as child processes (bench/support/streams-app.mjs), all input produced before the
 * clock starts, 3 partitions:
 *   3. exactly_once vs at_least_once on the issue's sum application (echo + running sum per key,
 *      cache off), commit.interval.ms 100 for both: the steady-state rate, taken from the group's
 *      committed offsets (polled every 50 ms) between 20 % and 80 % of the input, so start-up is out;
 *      at least 5 pairs, the order alternating; goal: cost ≤ 10 % (median of the pairs' ratios);
 *   4. Skein's word count (exactly_once) vs the same pipeline written by hand on kafkajs
 *      (bench/support/kafkajs-word-count.mjs: eachBatch, a transactional producer per partition,
 *      sendOffsets; split → repartition by word → count, output + changelog in each transaction):
 *      lines/s from RUNNING (both consumers joined, for kafkajs) until the last stage has committed
 *      its whole input. Two pairs: as each would be written (Skein's defaults: a 10 MB cache; kafkajs
 *      logging the counts each batch changed) and with the same records written (Skein's cache off;
 *      kafkajs logging every update); goal: Skein ≥ 1.2 × kafkajs;
 *   5. restart after SIGKILL with 10^4, 10^5 and 10^6 keys of state (a count per key): the state
 *      is written to the changelog first and restored by the first start; then, while input flows,
 *      the instance is SIGKILLed and started again (once the group has dropped the dead member, so
 *      the figure is the instance's own): time from the process's start to RUNNING and to its first
 *      new commit; beside it a full restore (state directory deleted) of the same state;
 *   6. restore rate from that changelog (10^6 keys): Skein's restoration (its log lines "restored
 *      store … N records … in M ms", summed over the tasks) beside a bare kafkajs consumer reading
 *      the same topic from the beginning to its end (bench/support/kafkajs-read-topic.mjs).
 *
 * Besides the rates: CPU seconds of the application (and the broker) per record, from /proc, which
 * are steadier than wall time when the machine is shared; and how busy the rest of the machine was.
 *
 * Environment: SKEIN_BENCH_STREAMS_CASES (e.g. "1,2,5"; default all), SKEIN_BENCH_STREAMS_ROUNDS
 * (runs of each configuration, default 3), SKEIN_BENCH_STREAMS_SCALE (multiplies record counts,
 * default 1), SKEIN_BENCH_STREAMS_PROFILE=<dir> (node --cpu-prof for every application child; see
 * bench/support/profile-summary.js), SKEIN_BENCH_BROKER_ARGS (node flags for the broker),
 * SKEIN_BENCH_DIR (where temporary directories go).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ClassicLevel } from 'classic-level';
import { median } from './support/stats.js';
import {
  BROKER_PROPS,
  STREAMS_APP,
  awaitCommitted,
  cpuSeconds,
  createTopics,
  endOffsets,
  fill,
  fmt,
  followCommitted,
  kafkaFor,
  lastRecordEnds,
  sleep,
  spread,
  startBroker,
  startChild,
  timeAt,
} from './support/streams-harness.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const KAFKAJS_WORD_COUNT = join(HERE, 'support/kafkajs-word-count.mjs');
const KAFKAJS_READ_TOPIC = join(HERE, 'support/kafkajs-read-topic.mjs');
/** Preloaded (`node --import`) into the word counts' processes: counts kafkajs's requests. */
const COUNT_REQUESTS = pathToFileURL(join(HERE, 'support/count-kafkajs-requests.mjs')).href;
const ROUNDS = Number(process.env.SKEIN_BENCH_STREAMS_ROUNDS ?? 3);
const SCALE = Number(process.env.SKEIN_BENCH_STREAMS_SCALE ?? 1);
const CASES = new Set((process.env.SKEIN_BENCH_STREAMS_CASES ?? '1,2,3,4,5,6').split(',').map((s) => Number(s.trim())));
const PROFILE_DIR = process.env.SKEIN_BENCH_STREAMS_PROFILE;
const APP_NODE_ARGS = PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [];
const PARTITIONS = 3;
/** Pairs of runs in case 3. */
const GUARANTEE_PAIRS = Math.max(ROUNDS, 5);
/** @param {number} n */
const scaled = (n) => Math.max(1, Math.round(n * SCALE));

/**
 * Where a case prints its lines.
 * @typedef {(line?: string) => void} Say
 */

/**
 * Wall and CPU seconds of one timed stretch (see clock and since).
 * @typedef {{ wall: number, cpu: number }} Elapsed
 */

// ---------------------------------------------------------------------------------------------
// Shared bits

/**
 * A seeded PRNG (mulberry32), so every run sees the same input.
 * @param {number} seed
 * @returns {() => number} uniform in [0, 1)
 */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `lines` lines of 8 words from a 10,000-word vocabulary (3–8 letters, some capitalised, with punctuation).
 * @param {number} lines
 * @param {number} [seed]
 * @returns {string[]}
 */
function textLines(lines, seed = 42) {
  const random = prng(seed);
  const vocab = Array.from({ length: 10_000 }, () =>
    Array.from({ length: 3 + Math.floor(random() * 6) }, () => String.fromCharCode(97 + Math.floor(random() * 26))).join(''),
  );
  /** @type {string[]} */
  const out = new Array(lines);
  for (let i = 0; i < lines; i++) {
    const words = Array.from({ length: 8 }, () => vocab[Math.floor(random() * vocab.length)]);
    words[0] = words[0][0].toUpperCase() + words[0].slice(1);
    out[i] = `${words.join(' ')}.`;
  }
  return out;
}

/**
 * How many words the word count sees in `lines` (split as its topology splits).
 * @param {readonly string[]} lines
 */
function wordsIn(lines) {
  let n = 0;
  for (const l of lines)
    n += l
      .toLowerCase()
      .split(/\W+/)
      .filter((w) => w.length > 0).length;
  return n;
}

/** Busy and total jiffies of the whole machine, from /proc/stat. */
function machineTicks() {
  const [, ...f] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - f[3] - f[4], total };
}

/**
 * CPU of some processes and of the whole machine over an interval: `stop()` gives each pid's CPU
 * seconds and the rest of the machine's, in cores (1 = one core busy throughout).
 * @param {readonly number[]} pids
 * @returns {{ stop(): { seconds: number, cpu: number[], rest: number } }}
 */
function meter(pids) {
  const t0 = Date.now();
  const m0 = machineTicks();
  const c0 = pids.map((p) => cpuSeconds(p));
  return {
    stop() {
      const seconds = (Date.now() - t0) / 1000;
      const m1 = machineTicks();
      const cpu = pids.map((p, i) => cpuSeconds(p) - c0[i]);
      const busyCores = ((m1.busy - m0.busy) / Math.max(1, m1.total - m0.total)) * cpus().length;
      const ours = cpu.reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0) / Math.max(seconds, 1e-3);
      return { seconds, cpu, rest: Math.max(0, busyCores - ours) };
    },
  };
}

/** Wall time and this process's CPU time (all its threads: LevelDB's, the GC's), for `since`. */
function clock() {
  return { wall: process.hrtime.bigint(), cpu: process.cpuUsage() };
}

/**
 * Seconds of wall time and of CPU time since `c`.
 * @param {ReturnType<typeof clock>} c
 * @returns {Elapsed}
 */
function since(c) {
  const cpu = process.cpuUsage(c.cpu);
  return { wall: Number(process.hrtime.bigint() - c.wall) / 1e9, cpu: (cpu.user + cpu.system) / 1e6 };
}

/**
 * Rows as aligned columns: the first left-aligned, the others right-aligned.
 * @param {ReadonlyArray<ReadonlyArray<string | number>>} rows
 */
function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ')).join('\n');
}

/** @param {number} x */
const ratio = (x) => `${x.toFixed(2)}×`;
/** @param {number} x */
const pct = (x) => `${(100 * x).toFixed(1)} %`;
/** @param {boolean} ok */
const verdict = (ok) => (ok ? 'PASS' : 'FAIL');

/**
 * A fresh temporary directory under SKEIN_BENCH_DIR (or the system's).
 * @param {string} name
 */
function workDir(name) {
  const base = process.env.SKEIN_BENCH_DIR ?? tmpdir();
  mkdirSync(base, { recursive: true });
  return mkdtempSync(join(base, `skein-bench-streams-${name}-`));
}

// ---------------------------------------------------------------------------------------------
// 1. TopologyTestDriver word count

/** @param {Say} say */
async function caseTestDriver(say) {
  const { StreamsBuilder, Serdes, TopologyTestDriver } = await import('../dist/index.js');
  const LINES = scaled(10_000);
  const lines = textLines(LINES);
  const words = wordsIn(lines);

  const driverRun = async () => {
    const builder = new StreamsBuilder();
    builder
      .stream('text-lines', { keySerde: Serdes.String(), valueSerde: Serdes.String() })
      .flatMapValues((line) =>
        line
          .toLowerCase()
          .split(/\W+/)
          .filter((w) => w.length > 0),
      )
      .groupBy((_key, word) => word, { keySerde: Serdes.String(), valueSerde: Serdes.String() })
      .count({ storeName: 'word-counts' })
      .toStream()
      .to('word-counts', { keySerde: Serdes.String(), valueSerde: Serdes.Long() });
    const dir = workDir('ttd');
    const driver = new TopologyTestDriver(builder.build(), { 'application.id': 'wordcount', 'state.dir': dir });
    try {
      const input = driver.createInputTopic('text-lines', Serdes.String(), Serdes.String());
      const output = driver.createOutputTopic('word-counts', Serdes.String(), Serdes.Long());
      const t0 = clock();
      for (const line of lines) input.pipeInput(null, line);
      const t = since(t0);
      const counts = output.readKeyValuesToMap();
      return { ...t, distinct: counts.size };
    } finally {
      await driver.close();
      rmSync(dir, { recursive: true, force: true });
    }
  };
  // The same computation with no framework: split, count in a Map, serialize each update.
  const plainRun = () => {
    const t0 = clock();
    const counts = new Map();
    const out = [];
    for (const line of lines) {
      for (const w of line.toLowerCase().split(/\W+/)) {
        if (w.length === 0) continue;
        const n = (counts.get(w) ?? 0) + 1;
        counts.set(w, n);
        const v = Buffer.allocUnsafe(8);
        v.writeBigInt64BE(BigInt(n));
        out.push({ key: Buffer.from(w), value: v });
      }
    }
    return { ...since(t0), distinct: counts.size };
  };

  await driverRun(); // warm-up: JIT, module loading
  plainRun();
  const driver = [];
  /** @type {Array<ReturnType<typeof plainRun>>} */
  const plain = [];
  for (let i = 0; i < ROUNDS + 2; i++) {
    driver.push(await driverRun());
    plain.push(plainRun());
  }
  const rates = driver.map((r) => LINES / r.wall);
  const cpuRates = driver.map((r) => LINES / r.cpu);
  const ratios = driver.map((r, i) => r.cpu / plain[i].cpu);
  say(
    `1. TopologyTestDriver, word count (${fmt(LINES)} lines, ${fmt(words)} words, ${fmt(driver[0].distinct)} distinct; a commit after every line, cache on, LevelDB store):`,
  );
  say(
    table([
      ['', 'lines/s', 'words/s', 'lines per CPU-second'],
      ['TopologyTestDriver', spread(rates, fmt), fmt(median(rates) * (words / LINES)), spread(cpuRates, fmt)],
      [
        'plain loop (split, Map count, serialize)',
        spread(
          plain.map((r) => LINES / r.wall),
          fmt,
        ),
        fmt(median(plain.map((r) => LINES / r.wall)) * (words / LINES)),
        spread(
          plain.map((r) => LINES / r.cpu),
          fmt,
        ),
      ],
    ]).replace(/^/gm, '   '),
  );
  say(`   driver CPU time / plain loop CPU time: ${spread(ratios, ratio)}`);
  return { rate: median(rates), cpuRate: median(cpuRates), ratio: median(ratios) };
}

// ---------------------------------------------------------------------------------------------
// 2. The LevelDB store's layers vs bare classic-level

/**
 * One timed run of case 2: the puts (committed every COMMIT_EVERY, all on disk at the end), then the gets.
 * @typedef {{ put: Elapsed, get: Elapsed }} StoreRun
 */

/** @param {Say} say */
async function caseStore(say) {
  const { Stores } = await import('../dist/streams/state/stores.js');
  const { Serdes } = await import('../dist/index.js');
  const N = scaled(200_000);
  const COMMIT_EVERY = 1000;
  const random = prng(7);
  const keys = Array.from({ length: N }, (_, i) => `key-${String(i).padStart(8, '0')}`);
  const putOrder = shuffle(
    keys.map((_, i) => i),
    random,
  );
  const getOrder = shuffle(
    keys.map((_, i) => i),
    random,
  );

  /** @returns {Promise<StoreRun>} */
  const skeinRun = async () => {
    const dir = workDir('store');
    /**
     * What a task gives its stores, reduced to a store with no cache and no changelog.
     * @type {import('../dist/streams/state/internals/store-context.js').StoreContext}
     */
    const context = {
      taskId: '0_0',
      applicationId: 'bench',
      cache: null,
      recordContext: () => ({ timestamp: 1_700_000_000_000, headers: {}, topic: 'in', partition: 0, offset: 0 }),
      withRecordContext: (_ctx, fn) => fn(),
      logChange: () => {},
      currentStreamTime: () => -1,
    };
    const built = Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('bench'), Serdes.String(), Serdes.Long())
      .withCachingDisabled()
      .withLoggingDisabled()
      .build({ context, directoryFor: (name) => join(dir, name), changelogTopic: null });
    const { store, bottom } = built;
    await bottom.openStore();
    try {
      let t0 = clock();
      for (let i = 0; i < N; i++) {
        const k = putOrder[i];
        store.put(keys[k], k);
        if ((i + 1) % COMMIT_EVERY === 0) {
          bottom.commit(null);
          await yieldToEventLoop();
        }
      }
      bottom.commit(null);
      await bottom.flushed();
      const put = since(t0);
      t0 = clock();
      let sum = 0;
      // A key not found makes the sum NaN, and the check below fails.
      for (let i = 0; i < N; i++) sum += store.get(keys[getOrder[i]]) ?? NaN;
      const get = since(t0);
      if (sum !== (N * (N - 1)) / 2) throw new Error(`store read back ${sum}`);
      return { put, get };
    } finally {
      await bottom.close();
      rmSync(dir, { recursive: true, force: true });
    }
  };

  /** @returns {Promise<StoreRun>} */
  const bareRun = async () => {
    const dir = workDir('level');
    /** @type {ClassicLevel<Buffer, Buffer>} */
    const db = new ClassicLevel(dir, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
    await db.open();
    try {
      let t0 = clock();
      /** @type {Array<{ type: 'put', key: Buffer, value: Buffer }>} */
      let ops = [];
      const writes = [];
      for (let i = 0; i < N; i++) {
        const k = putOrder[i];
        const value = Buffer.allocUnsafe(8);
        value.writeBigInt64BE(BigInt(k));
        ops.push({ type: 'put', key: Buffer.from(keys[k]), value });
        if (ops.length === COMMIT_EVERY) {
          writes.push(db.batch(ops));
          ops = [];
          await yieldToEventLoop();
        }
      }
      if (ops.length > 0) writes.push(db.batch(ops));
      await Promise.all(writes);
      const put = since(t0);
      t0 = clock();
      let sum = 0;
      for (let i = 0; i < N; i++) sum += Number(db.getSync(Buffer.from(keys[getOrder[i]]))?.readBigInt64BE(0));
      const get = since(t0);
      if (sum !== (N * (N - 1)) / 2) throw new Error(`classic-level read back ${sum}`);
      return { put, get };
    } finally {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  };

  await skeinRun(); // warm-up
  await bareRun();
  /** @type {StoreRun[]} */
  const skein = [];
  /** @type {StoreRun[]} */
  const bare = [];
  for (let i = 0; i < ROUNDS + 2; i++) {
    if (i % 2 === 0) {
      skein.push(await skeinRun());
      bare.push(await bareRun());
    } else {
      bare.push(await bareRun());
      skein.push(await skeinRun());
    }
  }
  /**
   * Operations per second of each run.
   * @param {StoreRun[]} runs
   * @param {keyof StoreRun} k
   * @param {keyof Elapsed} t
   */
  const per = (runs, k, t) => runs.map((r) => N / r[k][t]);
  /**
   * Skein's time / bare time, run by run.
   * @param {keyof StoreRun} k
   * @param {keyof Elapsed} t
   */
  const ratios = (k, t) => skein.map((r, i) => r[k][t] / bare[i][k][t]);
  const putRatios = ratios('put', 'cpu');
  const getRatios = ratios('get', 'cpu');
  say(
    `2. LevelDB store, ${fmt(N)} keys (String → Long), commit every ${fmt(COMMIT_EVERY)} writes; Skein: metered → no cache → no change-logging → LevelDB with the transaction buffer:`,
  );
  say(
    table([
      ['', 'Skein ops/s', 'bare ops/s', 'Skein ops per CPU-s', 'bare ops per CPU-s', 'Skein / bare, CPU time', 'wall time', 'goal ≤ 1.5× (CPU)'],
      .../** @type {const} */ (['put', 'get']).map((k) => [
        k === 'put' ? 'put (all on disk at the end)' : 'get (getSync, random order)',
        spread(per(skein, k, 'wall'), fmt),
        spread(per(bare, k, 'wall'), fmt),
        spread(per(skein, k, 'cpu'), fmt),
        spread(per(bare, k, 'cpu'), fmt),
        spread(ratios(k, 'cpu'), ratio),
        spread(ratios(k, 'wall'), ratio),
        verdict(median(ratios(k, 'cpu')) <= 1.5),
      ]),
    ]).replace(/^/gm, '   '),
  );
  say(`   CPU time counts all of this process's threads (LevelDB's writer, the GC), so it does not depend on what else the machine runs; wall time does.`);
  return { put: median(putRatios), get: median(getRatios) };
}

/**
 * As the stream thread does between rounds: LevelDB's callbacks and the store's queued writes get their turn.
 * @returns {Promise<void>}
 */
const yieldToEventLoop = () => new Promise((r) => setImmediate(r));

/**
 * Shuffles `xs` in place (Fisher–Yates) and returns it.
 * @template T
 * @param {T[]} xs
 * @param {() => number} random
 */
function shuffle(xs, random) {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
}

// ---------------------------------------------------------------------------------------------
// 3. exactly_once vs at_least_once

/**
 * One run of case 3: the steady rate (records/s between 20 % and 80 % of the input), ms to RUNNING,
 * ms from the start to the last commit, CPU seconds per record of the application and of the broker,
 * and how busy the rest of the machine was (cores).
 * @typedef {{ steady: number, startup: number, total: number, appCpu: number, brokerCpu: number, rest: number }} GuaranteeRun
 */

/** @param {Say} say */
async function caseGuarantees(say) {
  const N = scaled(750_000);
  const dir = workDir('guarantees');
  const broker = await startBroker(join(dir, 'logs'), BROKER_PROPS);
  const kafka = kafkaFor(broker.bootstrap);
  const admin = kafka.admin();
  try {
    await admin.connect();
    await createTopics(kafka, [{ topic: 'data', numPartitions: PARTITIONS }]);
    await fill(kafka, 'data', N, (i) => ({ key: `k${i % 1000}`, value: String(1 + (i % 100)) }));
    /** @type {Record<'exactly_once' | 'at_least_once', GuaranteeRun[]>} */
    const runs = { exactly_once: [], at_least_once: [] };
    // More pairs than elsewhere: the two rates are close, and a shared machine moves each by more.
    for (let round = 0; round < GUARANTEE_PAIRS; round++) {
      /** @type {Array<keyof typeof runs>} */
      const order = round % 2 === 0 ? ['exactly_once', 'at_least_once'] : ['at_least_once', 'exactly_once'];
      for (const guarantee of order) {
        const suffix = `-${guarantee}-${round}`;
        const appId = `sum${suffix}`;
        await createTopics(
          kafka,
          ['echo', 'sum'].map((t) => ({ topic: `${t}${suffix}`, numPartitions: PARTITIONS })),
        );
        const app = startChild(
          STREAMS_APP,
          {
            TOPOLOGY: 'sum',
            APP_ID: appId,
            OUTPUT_SUFFIX: suffix,
            BOOTSTRAP: broker.bootstrap,
            STATE_DIR: join(dir, appId),
            GUARANTEE: guarantee,
            COMMIT_INTERVAL_MS: '100',
            LOG_LEVEL: 'warn',
          },
          { nodeArgs: APP_NODE_ARGS },
        );
        const m = meter([app.pid, broker.pid]);
        const running = await app.whenState('RUNNING');
        const samples = await followCommitted(admin, appId, 'data', N, { app });
        const usage = m.stop();
        await app.stop();
        const t20 = timeAt(samples, 0.2 * N);
        const t80 = timeAt(samples, 0.8 * N);
        runs[guarantee].push({
          steady: (0.6 * N) / ((t80 - t20) / 1000),
          startup: running - app.started,
          total: samples[samples.length - 1].t - app.started,
          appCpu: usage.cpu[0] / N,
          brokerCpu: usage.cpu[1] / N,
          rest: usage.rest,
        });
      }
    }
    const eos = runs.exactly_once;
    const alos = runs.at_least_once;
    const ratios = eos.map((r, i) => r.steady / alos[i].steady);
    const cpuRatios = eos.map((r, i) => r.appCpu / alos[i].appCpu);
    const cost = 1 - median(ratios);
    /**
     * @param {string} name
     * @param {GuaranteeRun[]} rs
     */
    const row = (name, rs) => [
      name,
      spread(
        rs.map((r) => r.steady),
        fmt,
      ),
      spread(
        rs.map((r) => r.startup),
        fmt,
      ),
      spread(
        rs.map((r) => r.total / 1000),
        (x) => fmt(x, 1),
      ),
      spread(
        rs.map((r) => r.appCpu * 1e6),
        (x) => fmt(x, 1),
      ),
      spread(
        rs.map((r) => r.brokerCpu * 1e6),
        (x) => fmt(x, 1),
      ),
      spread(
        rs.map((r) => r.rest),
        (x) => fmt(x, 2),
      ),
    ];
    say(
      `3. exactly_once vs at_least_once: the sum application (data → echo, running sum per key; cache off), ${fmt(N)} records (1,000 keys, ${PARTITIONS} partitions), commit.interval.ms 100:`,
    );
    say(
      table([
        ['guarantee', 'records/s, 20–80 % of input', 'ms to RUNNING', 's start to end', 'app CPU µs/record', 'broker CPU µs/record', 'rest of machine, cores'],
        row('at_least_once', alos),
        row('exactly_once', eos),
      ]).replace(/^/gm, '   '),
    );
    say(
      `   exactly_once / at_least_once records/s, per round: ${ratios.map((r) => r.toFixed(3)).join(' ')}; median ${median(ratios).toFixed(3)}: cost ${pct(cost)} — goal ≤ 10 %: ${verdict(cost <= 0.1)}`,
    );
    say(`   app CPU per record, exactly_once / at_least_once: ${spread(cpuRatios, ratio)}`);
    return { cost, ratios };
  } finally {
    await admin.disconnect().catch(() => undefined);
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// 4. Skein's word count vs a hand-written kafkajs one

/**
 * The four word counts of case 4: Skein with its defaults and with the cache off, and the kafkajs
 * one with each of its changelog modes.
 * @typedef {'skein' | 'kafkajs' | 'skein-nocache' | 'kafkajs-every'} WordCountConfig
 */

/**
 * One run of case 4: lines/s from RUNNING to the last commit, ms to RUNNING, CPU seconds per word of
 * the application and of the broker, how busy the rest of the machine was (cores), output and
 * changelog records written per word, and the requests kafkajs sent, by API name.
 * @typedef {{ rate: number, startup: number, appCpu: number, brokerCpu: number, rest: number, written: number,
 *   requests: Record<string, number> }} WordCountRun
 */

/** @param {Say} say */
async function caseWordCount(say) {
  const LINES = scaled(20_000);
  const lines = textLines(LINES, 43);
  const words = wordsIn(lines);
  const dir = workDir('wordcount');
  const broker = await startBroker(join(dir, 'logs'), BROKER_PROPS);
  const kafka = kafkaFor(broker.bootstrap);
  const admin = kafka.admin();
  try {
    await admin.connect();
    await createTopics(kafka, [{ topic: 'text-lines', numPartitions: PARTITIONS }]);
    await fill(kafka, 'text-lines', LINES, (i) => ({ key: null, value: lines[i], partition: i % PARTITIONS }));
    /** @type {Array<{ name: WordCountConfig, label: string, pair: string }>} */
    const configs = [
      { name: 'skein', label: 'Skein, its defaults (10 MB cache)', pair: 'as written' },
      { name: 'kafkajs', label: 'kafkajs, changelog: the counts each batch changed', pair: 'as written' },
      { name: 'skein-nocache', label: 'Skein, cache off (every update to output and changelog)', pair: 'same records' },
      { name: 'kafkajs-every', label: 'kafkajs, changelog: every update', pair: 'same records' },
    ];
    /** @type {Record<WordCountConfig, WordCountRun[]>} */
    const runs = { skein: [], kafkajs: [], 'skein-nocache': [], 'kafkajs-every': [] };
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? configs : [...configs].reverse();
      for (const c of order) {
        const appId = `wc-${c.name}-${round}`;
        let app;
        let stages;
        if (c.name.startsWith('skein')) {
          await createTopics(kafka, [{ topic: `word-counts-${appId}`, numPartitions: PARTITIONS }]);
          app = startChild(
            STREAMS_APP,
            {
              TOPOLOGY: 'wordcount',
              APP_ID: appId,
              OUTPUT_SUFFIX: `-${appId}`,
              BOOTSTRAP: broker.bootstrap,
              STATE_DIR: join(dir, appId),
              GUARANTEE: 'exactly_once',
              CACHE_BYTES: c.name === 'skein' ? String(10 * 1024 * 1024) : '0',
              LOG_LEVEL: 'warn',
            },
            { nodeArgs: [...APP_NODE_ARGS, '--import', COUNT_REQUESTS] },
          );
          stages = {
            first: appId,
            second: appId,
            repartition: async () => (await admin.listTopics()).find((t) => t.startsWith(`${appId}-`) && t.endsWith('-repartition')),
          };
        } else {
          app = startChild(
            KAFKAJS_WORD_COUNT,
            { APP_ID: appId, BOOTSTRAP: broker.bootstrap, PARTITIONS: String(PARTITIONS), CHANGELOG_MODE: c.name === 'kafkajs' ? 'changed' : 'every' },
            { nodeArgs: [...APP_NODE_ARGS, '--import', COUNT_REQUESTS] },
          );
          stages = { first: `${appId}-split`, second: `${appId}-count`, repartition: async () => `${appId}-words` };
        }
        const m = meter([app.pid, broker.pid]);
        const running = await app.whenState('RUNNING');
        await followCommitted(admin, stages.first, 'text-lines', LINES, { app });
        const repartition = await stages.repartition();
        if (repartition === undefined) throw new Error(`${appId}: no repartition topic`);
        const done = await awaitCommitted(admin, stages.second, repartition, await lastRecordEnds(kafka, repartition), { app });
        const usage = m.stop();
        await app.stop();
        const written = await producedRecords(
          admin,
          c.name.startsWith('skein') ? [`word-counts-${appId}`, `${appId}-word-counts-changelog`] : [`${appId}-word-counts`, `${appId}-counts-changelog`],
        );
        /** @type {Record<string, number>} */
        const requests = JSON.parse(/kafkajs requests (\{.*\})/.exec(app.log())?.[1] ?? '{}');
        runs[c.name].push({
          rate: LINES / ((done - running) / 1000),
          startup: running - app.started,
          appCpu: usage.cpu[0] / words,
          brokerCpu: usage.cpu[1] / words,
          rest: usage.rest,
          written: written / words,
          requests,
        });
      }
    }
    say(
      `4. word count, exactly_once: Skein vs the same pipeline by hand on kafkajs (${fmt(LINES)} lines, ${fmt(words)} words, ${PARTITIONS} partitions; from RUNNING until the counting stage has committed every word):`,
    );
    say(
      table([
        [
          '',
          'lines/s',
          'words/s',
          'ms to RUNNING',
          'app CPU µs/word',
          'broker CPU µs/word',
          'output + changelog records per word',
          'transactions',
          'requests',
          'rest of machine, cores',
        ],
        ...configs.map((c) => {
          const rs = runs[c.name];
          return [
            c.label,
            spread(
              rs.map((r) => r.rate),
              fmt,
            ),
            fmt(median(rs.map((r) => (r.rate * words) / LINES))),
            spread(
              rs.map((r) => r.startup),
              fmt,
            ),
            spread(
              rs.map((r) => r.appCpu * 1e6),
              (x) => fmt(x, 1),
            ),
            spread(
              rs.map((r) => r.brokerCpu * 1e6),
              (x) => fmt(x, 1),
            ),
            fmt(median(rs.map((r) => r.written)), 2),
            fmt(median(rs.map((r) => r.requests.EndTxn ?? 0))),
            fmt(median(rs.map((r) => Object.values(r.requests).reduce((a, b) => a + b, 0)))),
            spread(
              rs.map((r) => r.rest),
              (x) => fmt(x, 2),
            ),
          ];
        }),
      ]).replace(/^/gm, '   '),
    );
    const first = runs['skein-nocache'][0].requests;
    /** @param {Record<string, number>} r */
    const byApi = (r) =>
      ['Produce', 'Fetch', 'AddPartitionsToTxn', 'AddOffsetsToTxn', 'TxnOffsetCommit', 'EndTxn', 'GroupCoordinator']
        .map((a) => `${a} ${fmt(r[a] ?? 0)}`)
        .join(', ');
    say(`   requests of one run (counted in the client; GroupCoordinator is FindCoordinator): Skein cache off: ${byApi(first)}`);
    say(`   kafkajs, every update: ${byApi(runs['kafkajs-every'][0].requests)}`);
    /**
     * Skein / kafkajs lines/s, the median of the rounds, by pair.
     * @type {Record<string, number>}
     */
    const result = {};
    for (const [pair, s, k] of /** @type {const} */ ([
      ['as written', 'skein', 'kafkajs'],
      ['same records', 'skein-nocache', 'kafkajs-every'],
    ])) {
      const rs = runs[s];
      const ks = runs[k];
      const ratios = rs.map((r, i) => r.rate / ks[i].rate);
      const cpu = rs.map((r, i) => ks[i].appCpu / r.appCpu);
      say(
        `   ${pair.padEnd(12)} Skein / kafkajs lines/s per round: ${ratios.map((r) => r.toFixed(2)).join(' ')}; median ${ratio(median(ratios))} — goal ≥ 1.2×: ${verdict(median(ratios) >= 1.2)}; kafkajs app CPU / Skein app CPU: ${spread(cpu, ratio)}`,
      );
      result[pair] = median(ratios);
    }
    return result;
  } finally {
    await admin.disconnect().catch(() => undefined);
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Records in topics, counted as end offsets (transaction markers included: a few per commit).
 * @param {import('kafkajs').Admin} admin
 * @param {readonly string[]} topics
 */
async function producedRecords(admin, topics) {
  let n = 0;
  for (const t of topics) n += (await endOffsets(admin, t)).total;
  return n;
}

// ---------------------------------------------------------------------------------------------
// 5 and 6. Restart after SIGKILL, full restore, restore rate

const RESTORED = /restored store (\S+) from (\S+): (\d+) records, offsets (\d+) to (\d+).* in (\d+) ms/;

/** @typedef {import('./support/streams-harness.js').Child} Child */

/**
 * Where an instance's start-up went, in ms (see phases).
 * @typedef {{ load: number, join: number, tasks: number }} Phases
 */

/**
 * A start of case 5 after a full restore: ms to RUNNING, records and ms its "restored store" lines
 * report, its CPU seconds at RUNNING, and its phases.
 * @typedef {{ toRunning: number, records: number, ms: number, cpu: number, phases: Phases }} FullRestore
 */

/**
 * A restart of case 5 after SIGKILL: ms to RUNNING and to the first new commit, the changelog
 * records its tasks replayed and the ms their start took (their log lines, summed), its phases, its
 * CPU seconds until the first commit, and how busy the rest of the machine was meanwhile (cores).
 * @typedef {{ toRunning: number, toFirstCommit: number, replayed: number, taskInitMs: number, phases: Phases, cpu: number, rest: number }} Restart
 */

/**
 * Sums an instance's "restored store" log lines: records and ms (tasks restore one after the other).
 * @param {Child} app
 */
function restoredBy(app) {
  let records = 0;
  let ms = 0;
  for (const { line } of app.lines) {
    const m = RESTORED.exec(line);
    if (m) {
      records += Number(m[3]);
      ms += Number(m[6]);
    }
  }
  return { records, ms };
}

/**
 * Where an instance's start-up went, from the arrival of its log lines: starting node and loading
 * Skein (spawn → the client's first state change), joining the group (→ the thread's partitions
 * assigned), and creating the tasks (producers initialised, stores opened and restored, offsets read: → RUNNING).
 */
/**
 * @param {Child} app
 * @param {number} running when it reached RUNNING (Date.now())
 * @returns {Phases}
 */
function phases(app, running) {
  /** @param {RegExp} re */
  const at = (re) => app.lines.find(({ line }) => re.test(line))?.at ?? NaN;
  const rebalancing = at(/State transition from CREATED to REBALANCING/);
  const assigned = at(/-> PARTITIONS_ASSIGNED/);
  return { load: rebalancing - app.started, join: assigned - rebalancing, tasks: running - assigned };
}

/**
 * The median of each phase, `load / join / tasks`.
 * @param {ReadonlyArray<{ phases: Phases }>} xs
 */
const phaseText = (xs) => /** @type {const} */ (['load', 'join', 'tasks']).map((k) => fmt(median(xs.map((x) => x.phases[k])))).join(' / ');

/**
 * The sum of the group's committed offsets on `topic` (0 for a partition with none).
 * @param {import('kafkajs').Admin} admin
 * @param {string} groupId
 * @param {string} topic
 */
async function committedSum(admin, groupId, topic) {
  const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return (t?.partitions ?? []).reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
}

/**
 * Waits until the group has no members (a SIGKILLed member is dropped after its session timeout).
 * @param {import('kafkajs').Admin} admin
 * @param {string} groupId
 * @param {number} [timeoutMs]
 */
async function awaitEmptyGroup(admin, groupId, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { groups } = await admin.describeGroups([groupId]);
    if ((groups[0]?.members ?? []).length === 0) return;
    if (Date.now() > deadline) throw new Error(`group ${groupId} still has members after ${timeoutMs} ms`);
    await sleep(100);
  }
}

/**
 * What kafkajs-read-topic.mjs reports on stdout, once it has read the topic to its end.
 * @param {import('./support/streams-harness.js').ChildEvent} e
 * @returns {{ records: number, ms: number } | undefined}
 */
const readerReport = (e) => (e.records !== undefined && e.ms !== undefined ? { records: e.records, ms: e.ms } : undefined);

/**
 * Cases 5 and 6: they share the state that is written, restored and restarted.
 * @param {Say} say
 * @param {boolean} wantRestoreRate whether to run case 6 as well
 */
async function caseRestart(say, wantRestoreRate) {
  const SIZES = [1e4, 1e5, 1e6].map((s) => scaled(s));
  const dir = workDir('restart');
  // A SIGKILLed member is dropped after its session timeout; a short one keeps the bench short.
  const broker = await startBroker(join(dir, 'logs'), { ...BROKER_PROPS, 'group.min.session.timeout.ms': '1000' });
  const kafka = kafkaFor(broker.bootstrap);
  const admin = kafka.admin();
  const results = [];
  let restoreRates = null;
  try {
    await admin.connect();
    for (const size of SIZES) {
      const appId = `restart-${size}`;
      const input = `data-${size}`;
      const changelog = `${appId}-counts-changelog`;
      const stateDir = join(dir, appId);
      await createTopics(kafka, [
        { topic: input, numPartitions: PARTITIONS },
        { topic: `counts-${appId}`, numPartitions: PARTITIONS },
        { topic: changelog, numPartitions: PARTITIONS, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
      ]);
      // The state: one count per key, written to the changelog as the store writes it (key, 8-byte
      // count), each key in the partition its input records go to (murmur2 of the key, both).
      /** @param {number} i */
      const key = (i) => `key-${String(i).padStart(8, '0')}`;
      const one = Buffer.alloc(8);
      one.writeBigInt64BE(1n);
      await fill(kafka, changelog, size, (i) => ({ key: key(i), value: one }), { batch: 10_000 });
      const env = {
        TOPOLOGY: 'count',
        APP_ID: appId,
        OUTPUT_SUFFIX: `-${appId}`,
        INPUT_TOPIC: input,
        BOOTSTRAP: broker.bootstrap,
        STATE_DIR: stateDir,
        GUARANTEE: 'exactly_once',
        SESSION_TIMEOUT_MS: '2000',
        LOG_LEVEL: 'info',
      };
      const start = () => startChild(STREAMS_APP, env, { nodeArgs: APP_NODE_ARGS });
      /** @type {FullRestore[]} */
      const fullRestores = [];
      const fullRestore = async () => {
        rmSync(stateDir, { recursive: true, force: true });
        const app = start();
        const running = await app.whenState('RUNNING');
        const r = restoredBy(app);
        fullRestores.push({ toRunning: running - app.started, records: r.records, ms: r.ms, cpu: cpuSeconds(app.pid), phases: phases(app, running) });
        return app;
      };
      // First start: a full restore of the state written above.
      let app = await fullRestore();

      const random = prng(size);
      let produced = 0;
      const restarts = [];
      for (let rep = 0; rep < ROUNDS; rep++) {
        // Input for keys of the state, flowing while the instance is killed.
        const producer = kafka.producer();
        await producer.connect();
        let producing = true;
        const flow = (async () => {
          while (producing) {
            const messages = Array.from({ length: 500 }, () => ({ key: key(Math.floor(random() * size)), value: 'x' }));
            await producer.send({ topic: input, messages, acks: 1 });
            produced += messages.length;
            await sleep(10);
          }
        })();
        const before = await committedSum(admin, appId, input);
        const t0 = Date.now();
        while ((await committedSum(admin, appId, input)) < before + 5000 && Date.now() - t0 < 30_000) await sleep(50);
        await app.kill();
        producing = false;
        await flow;
        await producer.disconnect();
        await awaitEmptyGroup(admin, appId);
        const committed = await committedSum(admin, appId, input);
        app = start();
        const m = meter([app.pid, broker.pid]);
        const running = await app.whenState('RUNNING');
        let resumed;
        while (resumed === undefined) {
          if ((await committedSum(admin, appId, input)) > committed) resumed = Date.now();
          else await sleep(20);
        }
        const cpu = cpuSeconds(app.pid);
        const usage = m.stop();
        const tail = app.lines.map(({ line }) => /\((\d+) changelog records restored, (\d+) ms\)/.exec(line)).filter((m) => m !== null);
        restarts.push({
          phases: phases(app, running),
          toRunning: running - app.started,
          toFirstCommit: resumed - app.started,
          replayed: tail.reduce((n, m) => n + Number(m[1]), 0),
          taskInitMs: tail.reduce((n, m) => n + Number(m[2]), 0),
          cpu,
          rest: usage.rest,
        });
        await followCommitted(admin, appId, input, produced, { app });
      }
      await app.stop();

      // Full restores of the same state, and (for the largest) a bare kafkajs consumer reading the
      // same changelog, alternating.
      /** @type {Array<{ records: number, ms: number, cpu: number }>} */
      const reads = [];
      const ends = await lastRecordEnds(kafka, changelog);
      for (let rep = 0; rep < ROUNDS; rep++) {
        const a = await fullRestore();
        await a.stop();
        if (size === SIZES.at(-1) && wantRestoreRate) {
          const reader = startChild(
            KAFKAJS_READ_TOPIC,
            { BOOTSTRAP: broker.bootstrap, TOPIC: changelog, ENDS: JSON.stringify(ends) },
            { nodeArgs: APP_NODE_ARGS },
          );
          const r = await reader.when('the reader', () => reader.states.map(readerReport).find((r) => r !== undefined));
          const cpu = cpuSeconds(reader.pid);
          await reader.exited;
          reads.push({ ...r, cpu });
        }
      }
      results.push({ size, restarts, fullRestores: fullRestores.slice(1) });
      if (reads.length > 0) restoreRates = { skein: fullRestores.slice(1), kafkajs: reads, size };
    }

    say(
      `5. restart after SIGKILL, a count per key (exactly_once, ${PARTITIONS} partitions; input flowing when killed; restarted once the group has dropped the killed member):`,
    );
    say(
      table([
        [
          'keys of state',
          'restart: ms to RUNNING',
          'load / join / tasks ms',
          'ms to first commit',
          'app CPU s to first commit',
          'changelog records replayed',
          'task starts ms',
          'rest of machine, cores',
          'full restore: ms to RUNNING',
          'load / join / tasks ms',
          'records restored',
        ],
        ...results.map((r) => [
          fmt(r.size),
          spread(
            r.restarts.map((x) => x.toRunning),
            fmt,
          ),
          phaseText(r.restarts),
          spread(
            r.restarts.map((x) => x.toFirstCommit),
            fmt,
          ),
          spread(
            r.restarts.map((x) => x.cpu),
            (x) => fmt(x, 2),
          ),
          spread(
            r.restarts.map((x) => x.replayed),
            fmt,
          ),
          spread(
            r.restarts.map((x) => x.taskInitMs),
            fmt,
          ),
          spread(
            r.restarts.map((x) => x.rest),
            (x) => fmt(x, 2),
          ),
          spread(
            r.fullRestores.map((x) => x.toRunning),
            fmt,
          ),
          phaseText(r.fullRestores),
          fmt(median(r.fullRestores.map((x) => x.records))),
        ]),
      ]).replace(/^/gm, '   '),
    );
    const smallest = results[0];
    const largest = results[results.length - 1];
    const first = median(smallest.restarts.map((x) => x.toFirstCommit));
    const last = median(largest.restarts.map((x) => x.toFirstCommit));
    const growth = last / first;
    say(
      `   time to first commit with ${fmt(largest.size)} keys / with ${fmt(smallest.size)} keys: ${ratio(growth)} — goal: does not grow with the state (≤ 1.5×): ${verdict(growth <= 1.5)}; a full restore of ${fmt(largest.size)} keys takes ${ratio(median(largest.fullRestores.map((x) => x.toRunning)) / last)} as long`,
    );
    say(`   load: node started and Skein loaded (spawn → first state change); join: the consumer group (→ partitions assigned); tasks: producers`);
    say(`   initialised, stores opened and restored, offsets read (→ RUNNING); task starts: the tasks' own log lines (producer initialised, restoration`);
    say(`   checked, offsets read; LevelDB's opening is before it), summed over the tasks.`);
    say(`   Restarted before the session timeout, the group would first wait up to session.timeout.ms for the killed member (2,000 ms here;`);
    say(`   10,000 by default).`);

    if (restoreRates !== null) {
      const sk = restoreRates.skein.map((x) => x.records / (x.ms / 1000));
      const kj = restoreRates.kafkajs.map((x) => x.records / (x.ms / 1000));
      const ratios = sk.map((s, i) => s / kj[i]);
      const skCpu = restoreRates.skein.map((x) => (x.cpu / x.records) * 1e6);
      const kjCpu = restoreRates.kafkajs.map((x) => (x.cpu / x.records) * 1e6);
      say(
        `6. restore rate from the changelog of ${fmt(restoreRates.size)} keys (${fmt(median(restoreRates.kafkajs.map((x) => x.records)))} records, ${PARTITIONS} partitions):`,
      );
      say(
        `   Skein's restoration (state directory deleted; tasks one after the other, summed)   ${spread(sk, fmt)} records/s; process CPU to RUNNING ${spread(skCpu, (x) => fmt(x, 1))} µs/record`,
      );
      say(
        `   bare kafkajs consumer, beginning to end (from joining the group)                    ${spread(kj, fmt)} records/s; process CPU ${spread(kjCpu, (x) => fmt(x, 1))} µs/record`,
      );
      say(`   Skein / kafkajs: ${spread(ratios, ratio)}`);
    }
    return { results, restoreRates };
  } finally {
    await admin.disconnect().catch(() => undefined);
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------

export async function runStreamsBench(say = (line = '') => process.stdout.write(`${line}\n`)) {
  say(
    `Streams — ${new Date().toISOString()}; ${cpus().length} × ${cpus()[0]?.model ?? '?'}, node ${process.version}; ${ROUNDS} runs per configuration, median (min–max)`,
  );
  const t0 = machineTicks();
  await sleep(1000);
  const t1 = machineTicks();
  const busy = ((t1.busy - t0.busy) / Math.max(1, t1.total - t0.total)) * cpus().length;
  say(`machine before the run: ${fmt(busy, 2)} cores busy${busy > 0.2 ? ' — WARNING: something else is running; the figures will be low and noisy' : ''}`);
  say();
  const out = {};
  if (CASES.has(1)) {
    out.testDriver = await caseTestDriver(say);
    say();
  }
  if (CASES.has(2)) {
    out.store = await caseStore(say);
    say();
  }
  if (CASES.has(3)) {
    out.guarantees = await caseGuarantees(say);
    say();
  }
  if (CASES.has(4)) {
    out.wordCount = await caseWordCount(say);
    say();
  }
  if (CASES.has(5) || CASES.has(6)) {
    out.restart = await caseRestart(say, CASES.has(6));
    say();
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await runStreamsBench();
