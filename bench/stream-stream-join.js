/**
 * node bench/stream-stream-join.js [pairs] (after `npm run build`): a stream-stream join through the
 * TopologyTestDriver — `left.join(right, …, JoinWindows.ofTimeDifferenceAndGrace(1000, 1000))`, 500
 * keys, one record on each side per step, 10 ms apart — and the time and CPU it takes. For comparing
 * one build of the window store with another on the same machine (SKEIN_BENCH_DIST names another
 * build's dist/ directory); run each a few times, alternating.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const dist = process.env.SKEIN_BENCH_DIST ? pathToFileURL(process.env.SKEIN_BENCH_DIST + '/').href : new URL('../dist/', import.meta.url).href;
/** @type {typeof import('../dist/index.js')} */
const skein = await import(new URL('index.js', dist).href);
const { JoinWindows, Serdes, StreamsBuilder, TopologyTestDriver } = skein;

const pairs = Number(process.argv[2] ?? 10_000);
const S = Serdes.String();
const builder = new StreamsBuilder();
const left = builder.stream('left', { keySerde: S, valueSerde: S });
const right = builder.stream('right', { keySerde: S, valueSerde: S });
left.join(right, (l, r) => l + r, JoinWindows.ofTimeDifferenceAndGrace(1000, 1000)).to('out', { keySerde: S, valueSerde: S });

const stateDir = mkdtempSync(join(tmpdir(), 'skein-bench-join-'));
const driver = new TopologyTestDriver(builder.build(), { 'application.id': 'join-bench', 'state.dir': stateDir });
const leftIn = driver.createInputTopic('left', S, S);
const rightIn = driver.createInputTopic('right', S, S);
const out = driver.createOutputTopic('out', S, S);
const started = performance.now();
const cpu = process.cpuUsage();
for (let i = 0; i < pairs; i++) {
  await leftIn.pipeInput(`k${i % 500}`, `l${i}`, i * 10);
  await rightIn.pipeInput(`k${i % 500}`, `r${i}`, i * 10 + 5);
}
const used = process.cpuUsage(cpu);
const results = out.readValuesToList().length;
await driver.close();
rmSync(stateDir, { recursive: true, force: true });
if (results !== pairs) throw new Error(`expected ${pairs} join results, got ${results}`);
console.log(
  `stream-stream join, ${pairs.toLocaleString('en-US')} pairs through the TopologyTestDriver: ${(performance.now() - started).toFixed(0)} ms, ` +
    `${((used.user + used.system) / 1000).toFixed(0)} ms CPU`,
);
