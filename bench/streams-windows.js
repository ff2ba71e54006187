/**
 * Streams: windows and joins (issue 12). Part of npm run bench; alone: `node bench/streams-windows.js`
 * after a build.
 *
 * What: the cost of the windowed and joining operators next to their plain counterparts, measured
 * side by side in one run, as ratios, and what a window store takes in memory and on disk.
 *
 *   1. operator throughput through the TopologyTestDriver (in process, no broker, so only the
 *      operators, their stores and the per-record commit differ between the cases). The same input
 *      for every case: SKEIN_BENCH_STREAMS_RECORDS records (default 50,000) over 1,000 string keys
 *      round-robin, timestamps 10 ms apart, 16-byte string values, all written to an output topic:
 *        - groupByKey().count()                                               (the reference)
 *        - groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(60 s)).count()  tumbling: each
 *          record updates one window; each key gets a new window every 60 s of event time
 *        - the same with .advanceBy(10 s)                                        hopping: six windows
 *          per record
 *        - mapValues(v => v + '!')                                             (the reference)
 *        - join(table, (v, row) => v + row) against a table of the 1,000 keys, loaded first
 *      The driver commits after every record (Kafka Streams' driver does too): each record of a
 *      count ends with its cache flushed, a changelog record and a LevelDB batch. A case is timed from
 *      its first pipeInput to the end of driver.close(), which waits for the stores' background
 *      LevelDB writes, so those are in. One untimed warm-up round (a fifth of the records), then
 *      SKEIN_BENCH_STREAMS_ROUNDS rounds (default 3), each running every case on a fresh driver, in
 *      an order rotated each round; a ratio is taken within each round and the median is reported,
 *      by wall time and by the process's CPU time (user + system, LevelDB's threads included), which
 *      is less disturbed by other work on a shared machine.
 *   2. a window store of 10^6 windows, in a child process of its own (node --expose-gc):
 *      groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(60 s)).count() with a retention of
 *      100 windows, logging off (the test driver would otherwise keep 10^6 changelog records in its
 *      own memory; in an application they are in the broker), the default 10 MB record cache;
 *      10^4 keys × 100 windows, one record each, in time order (window after window), piped in
 *      chunks of one window (10^4 records) after each of which the bench waits until LevelDB has
 *      every committed batch, as the runtime's commit loop lets it. Then: heap (after a full GC) and
 *      RSS growth over the empty driver, peak RSS, and the bytes of the store's directory (every
 *      file LevelDB keeps there). Then one record 200 windows later expires all 100 windows (their
 *      segments are deleted in one range delete with the next commit) and the same is measured
 *      again, with the time that commit's write took. The driver keeps every record piped into it
 *      (its input topics' logs), so a second child pipes the same records into a stream with no
 *      store, and its growth is subtracted to leave the store's. The driver has no public way to
 *      wait for the background writes; the bench awaits the store's bottom layer (`flushed()`), as
 *      the runtime does before it checkpoints. Keys and values are piped as ready bytes (ByteArray),
 *      the same Buffers each time: pooled string-serde output kept by the driver would pin the
 *      pool slabs the store's short-lived buffers came from, and count as the store's.
 *   3. the same cases but the hopping one end to end: a broker in a child process
 *      (bench/support/broker-process.js), SKEIN_BENCH_STREAMS_BROKER_RECORDS records (default
 *      100,000; 0 skips this part) with the same keys, values and timestamps and the table's rows
 *      produced first, then per case a KafkaStreams instance in this process (one stream thread,
 *      exactly_once, so a commit every 100 ms, the default cache) reads them all. Timed from the
 *      first committed input offset its group shows to the last (polled every 50 ms), so start-up
 *      and group formation stay out; CPU is this process's, not the broker's.
 *      SKEIN_BENCH_STREAMS_BROKER_ROUNDS rounds (default 2) in rotated order.
 *
 * SKEIN_BENCH_STREAMS_ONLY=driver|store|broker runs one part alone.
 *
 * Goal: Kafka Streams' windowed count is typically within about 2× of its plain count, and a
 * stream-table join costs one store lookup per record over a mapValues; figures far off that point
 * at the implementation, not at the operator. Memory should stay bounded by the cache, not grow
 * with the windows: the windows belong on disk.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import kafkajs from 'kafkajs';
import { KafkaStreams, Serdes, StreamsBuilder, TimeWindows, TopologyTestDriver, silentLogger } from '../dist/index.js';
import { startBrokerProcess } from './groups.js';
import { median } from './support/stats.js';

const RECORDS = Number(process.env.SKEIN_BENCH_STREAMS_RECORDS ?? 50_000);
const ROUNDS = Number(process.env.SKEIN_BENCH_STREAMS_ROUNDS ?? 3);
const BROKER_RECORDS = Number(process.env.SKEIN_BENCH_STREAMS_BROKER_RECORDS ?? 100_000);
const BROKER_ROUNDS = Number(process.env.SKEIN_BENCH_STREAMS_BROKER_ROUNDS ?? 2);
const KEYS = 1000;
const STEP_MS = 10;
const WINDOW_MS = 60_000;
const VALUE = 'value-0123456789';
const S = Serdes.String();

const STORE_KEYS = 10_000;
const STORE_WINDOWS = 100;
const CHILD_FLAG = '--window-store-child';

/**
 * A case builds its topology reading `in` (and `table`) and writing to `out`.
 * @typedef {{ name: string, build: (b: StreamsBuilder, out: string) => void, table?: boolean }} Case
 * @typedef {{ records: number, seconds: number, cpuSeconds: number }} Run
 */

/** @type {Case[]} */
const CASES = [
  {
    name: 'count',
    build: (b, out) => b.stream('in', { keySerde: S, valueSerde: S }).groupByKey().count().toStream().to(out),
  },
  {
    name: 'windowed count, tumbling 60 s',
    build: (b, out) =>
      b.stream('in', { keySerde: S, valueSerde: S }).groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(WINDOW_MS)).count().toStream().to(out),
  },
  {
    name: 'windowed count, hopping 60 s / 10 s',
    build: (b, out) =>
      b
        .stream('in', { keySerde: S, valueSerde: S })
        .groupByKey()
        .windowedBy(TimeWindows.ofSizeWithNoGrace(WINDOW_MS).advanceBy(10_000))
        .count()
        .toStream()
        .to(out),
  },
  {
    name: 'mapValues',
    build: (b, out) =>
      b
        .stream('in', { keySerde: S, valueSerde: S })
        .mapValues((v) => `${v}!`)
        .to(out, { valueSerde: S }),
  },
  {
    name: 'stream-table join',
    table: true,
    build: (b, out) => {
      const table = b.table('table', { keySerde: S, valueSerde: S });
      b.stream('in', { keySerde: S, valueSerde: S })
        .join(table, (v, row) => `${v}${row}`)
        .to(out, { valueSerde: S });
    },
  },
];

/** The ratios reported: [case, reference]. */
const RATIOS = [
  ['windowed count, tumbling 60 s', 'count'],
  ['windowed count, hopping 60 s / 10 s', 'count'],
  ['stream-table join', 'mapValues'],
];

const KEY_NAMES = Array.from({ length: KEYS }, (_, i) => `key-${String(i).padStart(4, '0')}`);

/** @param {() => void} [gc] */
function collect(gc = globalThis.gc) {
  gc?.();
}

/**
 * Runs one case on a fresh driver: seconds and CPU seconds from the first record piped to the end of close().
 * @param {Case} c
 * @param {number} records
 * @param {string} stateDir
 * @returns {Promise<Run>}
 */
async function runCase(c, records, stateDir) {
  const builder = new StreamsBuilder();
  c.build(builder, 'out');
  const driver = new TopologyTestDriver(builder.build(), { 'state.dir': stateDir, logger: silentLogger }, 0);
  if (c.table) {
    const table = driver.createInputTopic('table', S, S);
    for (const k of KEY_NAMES) table.pipeInput(k, `row-of-${k}`, 0);
    await driver.settled();
  }
  const input = driver.createInputTopic('in', S, S);
  collect();
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < records; i++) input.pipeInput(KEY_NAMES[i % KEYS], VALUE, 1_000 + i * STEP_MS);
  await driver.settled();
  await driver.close();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  return { records, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

/**
 * Prints the cases' rates and the ratios (median over the rounds of the ratio within a round).
 * @param {(line?: string) => void} say
 * @param {Case[]} cases
 * @param {Map<string, Run[]>} runs
 */
function report(say, cases, runs) {
  /** @param {string} name */
  const of = (name) => runs.get(name) ?? [];
  const rows = [['case', 'records/s (median)', 'CPU µs per record (median)', 'runs (records/s)']];
  for (const c of cases) {
    const rs = of(c.name);
    rows.push([
      c.name,
      fmt(median(rs.map((r) => r.records / r.seconds))),
      fmt(median(rs.map((r) => (1e6 * r.cpuSeconds) / r.records)), 1),
      rs.map((r) => fmt(r.records / r.seconds)).join(', '),
    ]);
  }
  say(table(rows));
  say();
  const ratioRows = [['ratio (median of the rounds)', 'throughput', 'CPU per record']];
  for (const [a, b] of RATIOS) {
    const ra = of(a);
    const rb = of(b);
    if (ra.length === 0 || rb.length === 0) continue;
    const rate = (/** @type {Run} */ r) => r.records / r.seconds;
    const cpu = (/** @type {Run} */ r) => r.cpuSeconds / r.records;
    ratioRows.push([
      `${a} / ${b}`,
      `${fmt(median(ra.map((r, i) => rate(r) / rate(rb[i]))), 2)} ×`,
      `${fmt(median(ra.map((r, i) => cpu(r) / cpu(rb[i]))), 2)} ×`,
    ]);
  }
  say(table(ratioRows));
  say(`(throughput: the case's records/s over the reference's; CPU per record: the case's over the reference's)`);
}

/**
 * Part 1: the operators through the TopologyTestDriver.
 * @param {(line?: string) => void} say
 */
async function operatorRatios(say) {
  const stateDir = mkdtempSync(join(tmpdir(), 'skein-bench-streams-'));
  try {
    for (const c of CASES) await runCase(c, Math.ceil(RECORDS / 5), stateDir); // warm-up, not counted
    /** @type {Map<string, Run[]>} */
    const runs = new Map(CASES.map((c) => [c.name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      const order = CASES.map((_, i) => CASES[(i + round) % CASES.length]);
      for (const c of order) runs.get(c.name)?.push(await runCase(c, RECORDS, stateDir));
    }
    report(say, CASES, runs);
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/**
 * Bytes of every file under `dir`, and how many files.
 * @param {string} dir
 * @returns {{ bytes: number, files: number }}
 */
function diskUsage(dir) {
  let bytes = 0;
  let files = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      const u = diskUsage(p);
      bytes += u.bytes;
      files += u.files;
    } else if (e.isFile()) {
      bytes += statSync(p).size;
      files++;
    }
  }
  return { bytes, files };
}

/** Peak resident set of this process so far, in bytes (VmHWM). */
function peakRss() {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

/**
 * Memory after a full GC: heap used, external (Buffers and other memory V8 is told of) and RSS, in bytes.
 * @returns {{ heap: number, external: number, rss: number }}
 */
function memoryNow() {
  collect();
  collect();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, external: m.external, rss: m.rss };
}

/**
 * @typedef {{ heap: number, external: number, rss: number }} Memory
 * @typedef {{ bytes: number, files: number }} Disk
 * @typedef {{ seconds: number, before: Memory, written: Memory, writtenDisk: Disk, peak: number, expired: Memory, expiredDisk: Disk, expirySeconds: number }} ChildReport
 */

/**
 * The child's part (2 above): pipes 10^4 keys × 100 windows of records and prints what they took,
 * as one JSON line. `windows`: into a windowed count; `baseline`: into a stream that drops them, to
 * tell the driver's own memory (it keeps every record piped into its input topics) from the store's.
 * @param {'windows' | 'baseline'} mode
 * @param {string} stateDir
 */
async function windowStoreChild(mode, stateDir) {
  if (globalThis.gc === undefined) throw new Error('run with --expose-gc');
  const storeName = 'windows';
  const builder = new StreamsBuilder();
  const stream = builder.stream('in', { keySerde: S, valueSerde: S });
  if (mode === 'windows') {
    stream
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeWithNoGrace(WINDOW_MS))
      .count({ storeName, loggingEnabled: false, retentionMs: STORE_WINDOWS * WINDOW_MS });
  } else {
    stream.filter(() => false);
  }
  const driver = new TopologyTestDriver(builder.build(), { 'state.dir': stateDir, logger: silentLogger }, 0);
  // The driver has no public way to wait for a store's background writes: the bottom layer's
  // flushed() is what the runtime awaits before it checkpoints.
  const flushed = async () => {
    if (mode === 'baseline') return;
    const store = /** @type {{ bottom: { flushed(): Promise<void> } }} */ (/** @type {unknown} */ (driver.getStateStore(storeName)));
    await store.bottom.flushed();
  };
  // Keys and values piped as ready bytes, the same Buffers every time: the driver keeps every
  // record piped (in its input topic's log), and a string serde's output is a slice of an 8 KB pool
  // that the slice keeps alive, so pooled input would pin the pool slabs the store's own short-lived
  // buffers were cut from, and show as the store's memory.
  const bytes = Serdes.ByteArray();
  const input = driver.createInputTopic('in', bytes, bytes);
  const value = Buffer.from(VALUE);
  const keys = Array.from({ length: STORE_KEYS }, (_, i) => Buffer.from(`key-${String(i).padStart(5, '0')}`));
  await flushed();
  const before = memoryNow();
  const t0 = process.hrtime.bigint();
  for (let w = 0; w < STORE_WINDOWS; w++) {
    for (const k of keys) input.pipeInput(k, value, w * WINDOW_MS + 1);
    await driver.settled();
    await flushed();
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const written = memoryNow();
  const writtenDisk = diskUsage(stateDir);
  const peak = peakRss();
  // One record 200 windows on: stream time passes every window's retention, and the next commit
  // deletes their segments.
  const t1 = process.hrtime.bigint();
  input.pipeInput(keys[0], value, 2 * STORE_WINDOWS * WINDOW_MS);
  await driver.settled();
  await flushed();
  const expirySeconds = Number(process.hrtime.bigint() - t1) / 1e9;
  const expired = memoryNow();
  const expiredDisk = diskUsage(stateDir);
  await driver.close();
  /** @type {ChildReport} */
  const report = { seconds, before, written, writtenDisk, peak, expired, expiredDisk, expirySeconds };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

/**
 * Runs a child (2 above) in a process of its own.
 * @param {'windows' | 'baseline'} mode
 * @returns {Promise<ChildReport>}
 */
async function runChild(mode) {
  const stateDir = mkdtempSync(join(tmpdir(), 'skein-bench-window-store-'));
  try {
    const out = await new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), CHILD_FLAG, mode, stateDir], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.once('error', reject);
      child.once('exit', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`window-store child (${mode}) exited with ${code}:\n${stderr}`))));
    });
    return JSON.parse(String(out).trim().split('\n').pop() ?? '{}');
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/**
 * Part 2: the window store's memory and disk for 10^6 windows.
 * @param {(line?: string) => void} say
 */
async function windowStoreFootprint(say) {
  const base = await runChild('baseline');
  const r = await runChild('windows');
  const windows = STORE_KEYS * STORE_WINDOWS;
  const MB = 1e6;
  /**
   * Growth over the empty driver, and the same less the baseline's (the driver's own records).
   * @param {Memory} m
   * @param {Memory} b
   * @param {'heap' | 'external' | 'rss'} field
   */
  const growth = (m, b, field) =>
    `${fmt((m[field] - r.before[field]) / MB, 1)} (${fmt((m[field] - r.before[field] - (b[field] - base.before[field])) / MB, 1)})`;
  /**
   * @param {string} when
   * @param {Memory} m
   * @param {Memory} b
   * @param {Disk} d
   */
  const row = (when, m, b, d) => [
    when,
    growth(m, b, 'heap'),
    growth(m, b, 'external'),
    growth(m, b, 'rss'),
    fmt(d.bytes / MB, 1),
    fmt(d.bytes / windows, 1),
    fmt(d.files),
  ];
  say(
    `window store: ${fmt(windows)} windows (${fmt(STORE_KEYS)} keys × ${STORE_WINDOWS} windows of 60 s, one record each), written in ${fmt(r.seconds, 1)} s (${fmt(windows / r.seconds)} windows/s); expiring them all took ${fmt(r.expirySeconds, 2)} s`,
  );
  say(
    table([
      [
        'window store',
        'heap growth MB (less driver)',
        'external growth MB (less driver)',
        'RSS growth MB (less driver)',
        'on disk MB',
        'disk bytes per window',
        'files',
      ],
      row(`after writing ${fmt(windows)} windows`, r.written, base.written, r.writtenDisk),
      row('after expiring all of them', r.expired, base.expired, r.expiredDisk),
    ]),
  );
  say(`growth over the empty driver after a full GC (RSS before: ${fmt(r.before.rss / MB)} MB); in brackets, less the growth of the same records piped into a`);
  say(
    `stream with no store (the driver keeps every piped record: heap ${fmt((base.written.heap - base.before.heap) / MB, 1)} MB, external ${fmt((base.written.external - base.before.external) / MB, 1)} MB, RSS ${fmt((base.written.rss - base.before.rss) / MB, 1)} MB).`,
  );
  say(`peak RSS while writing: ${fmt(r.peak / MB)} MB (baseline ${fmt(base.peak / MB)} MB). On disk: every file of the store's LevelDB directory.`);
}

// ---------------------------------------------------------------------------------------------
// 3. Through a broker

/**
 * One case end to end: a KafkaStreams instance (one stream thread, in this process, exactly_once)
 * reads the pre-produced input from the broker. Timed between the first committed input offset the
 * group shows and the last, so start-up and group formation stay out; CPU of this process over the
 * same interval (the broker is another process).
 * @param {Case} c
 * @param {string} bootstrap
 * @param {import('kafkajs').Admin} admin
 * @param {string} applicationId
 * @param {number} records
 */
async function runBrokerCase(c, bootstrap, admin, applicationId, records) {
  const builder = new StreamsBuilder();
  c.build(builder, `${applicationId}-out`);
  const stateDir = mkdtempSync(join(tmpdir(), 'skein-bench-streams-state-'));
  const streams = new KafkaStreams(
    builder.build(),
    {
      'application.id': applicationId,
      'bootstrap.servers': bootstrap,
      'processing.guarantee': 'exactly_once',
      'state.dir': stateDir,
    },
    { logger: silentLogger },
  );
  try {
    await streams.start();
    /** @type {{ t: bigint, offset: number, cpu: NodeJS.CpuUsage } | null} */
    let first = null;
    const deadline = Date.now() + 600_000;
    for (;;) {
      const [topic] = await admin.fetchOffsets({ groupId: applicationId, topics: ['in'] });
      const offset = Number(topic?.partitions[0]?.offset ?? -1);
      if (first === null && offset > 0) first = { t: process.hrtime.bigint(), offset, cpu: process.cpuUsage() };
      if (first !== null && offset >= records) {
        const seconds = Number(process.hrtime.bigint() - first.t) / 1e9;
        const cpu = process.cpuUsage(first.cpu);
        return { records: records - first.offset, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
      }
      if (Date.now() > deadline) throw new Error(`${c.name}: ${applicationId} committed ${offset} of ${records} input records in 10 minutes`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await streams.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/**
 * Part 3: the same cases through a broker, end to end.
 * @param {(line?: string) => void} say
 */
async function brokerRatios(say) {
  const logDir = mkdtempSync(join(tmpdir(), 'skein-bench-streams-broker-'));
  const broker = await startBrokerProcess(logDir);
  const kafka = new kafkajs.Kafka({ brokers: [broker.bootstrap], clientId: 'bench-streams-windows', logLevel: kafkajs.logLevel.NOTHING });
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'in' }, { topic: 'table' }] });
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    await producer.send({ topic: 'table', acks: -1, messages: KEY_NAMES.map((k) => ({ key: k, value: `row-of-${k}`, timestamp: '0' })) });
    for (let i = 0; i < BROKER_RECORDS; i += 5000) {
      const messages = [];
      for (let j = i; j < Math.min(i + 5000, BROKER_RECORDS); j++)
        messages.push({ key: KEY_NAMES[j % KEYS], value: VALUE, timestamp: String(1_000 + j * STEP_MS) });
      await producer.send({ topic: 'in', acks: -1, messages });
    }
    await producer.disconnect();
    const cases = CASES.filter((c) => !c.name.includes('hopping'));
    /** @type {Map<string, Run[]>} */
    const runs = new Map(cases.map((c) => [c.name, []]));
    for (let round = 0; round < BROKER_ROUNDS; round++) {
      for (let i = 0; i < cases.length; i++) {
        const c = cases[(i + round) % cases.length];
        const id = `bench-${c.name.replace(/[^a-z]+/g, '-')}-${round}`;
        await admin.createTopics({ topics: [{ topic: `${id}-out` }] });
        runs.get(c.name)?.push(await runBrokerCase(c, broker.bootstrap, admin, id, BROKER_RECORDS));
      }
    }
    report(say, cases, runs);
  } finally {
    await admin.disconnect();
    await broker.stop();
    rmSync(logDir, { recursive: true, force: true });
  }
}

/** @param {unknown[][]} rows */
function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  /** @param {unknown[]} r */
  const line = (r) => `| ${r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join(' | ')} |`;
  return [line(rows[0]), `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}

/**
 * @param {number} x
 * @param {number} [digits]
 */
const fmt = (x, digits = 0) => (Number.isFinite(x) ? x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '–');

/** @param {(line?: string) => void} [say] */
export async function runStreamsWindowBench(say = console.log) {
  const only = process.env.SKEIN_BENCH_STREAMS_ONLY;
  if (only === undefined || only === 'driver') {
    say(`Streams: windows and joins (issue 12) — TopologyTestDriver, ${fmt(RECORDS)} records × ${ROUNDS} rounds per case, ${KEYS} keys`);
    await operatorRatios(say);
    say();
  }
  if (only === undefined || only === 'store') {
    await windowStoreFootprint(say);
    say();
  }
  if ((only === undefined && BROKER_RECORDS > 0) || only === 'broker') {
    say(
      `Through a broker (child process), KafkaStreams in this process (one stream thread, exactly_once, commit every 100 ms), ${fmt(BROKER_RECORDS)} records × ${BROKER_ROUNDS} rounds per case:`,
    );
    await brokerRatios(say);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv[2] === CHILD_FLAG) await windowStoreChild(process.argv[3] === 'baseline' ? 'baseline' : 'windows', process.argv[4]);
  else await runStreamsWindowBench();
}
