/**
 * SlidingWindows aggregations (`windowedBy(SlidingWindows…).count | reduce | aggregate`).
 *
 * Two kinds of expected result, neither taken from the code under test:
 * - hand-written inputs whose exact sequence of updates is worked out from Kafka Streams' rules
 *   (the windows a record updates, latest first; then the previous record's right window, its own
 *   left window, its own right window) — several are the inputs of Kafka Streams'
 *   KStreamSlidingWindowAggregateTest, whose published expectations they agree with;
 * - a brute-force model on seeded random input: a window `[s, s + d]` holds every record of its key
 *   with a timestamp in it that was not dropped, in arrival order; the windows that exist are the
 *   left window of each record and the right window of each record that has a later one within
 *   `d + 1` ms. Exactly so when out-of-order records are within the grace period (or dropped
 *   whole); with records at any lateness, a record that came after its own left window had closed
 *   may be missing from a window made after it came, and from no other (Kafka Streams' rule).
 *
 * Caching on and off (`statestore.cache.max.bytes: 0`); the driver commits after every record, so
 * each record's updates reach the output in write order either way. FUZZ_SEED=n varies the random
 * inputs; a failure names its seed.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type Logger,
  type Serde,
  Serdes,
  SlidingWindows,
  StreamsBuilder,
  type TopologyTestDriver,
  WindowedSerdes,
  createLogger,
  silentLogger,
} from '../../src/index.js';
import { fuzzSeed } from '../fuzz/prng.js';
import { Random, openDrivers } from './helpers.js';

const driverFor = openDrivers();
const S = Serdes.String();
const L = Serdes.Long();

type Kind = 'count' | 'reduce' | 'aggregate';
type Caching = 'cache on' | 'cache off';
type StoreType = 'persistent' | 'in-memory';

/** One update on the output topic: the window `[start, end]` of `key`. */
interface Update {
  key: string;
  start: number;
  end: number;
  value: string | number;
  timestamp: number;
}

interface Input {
  key: string | null;
  value: string | null;
  timestamp: number;
}

afterEach(() => {
  vi.restoreAllMocks();
});

/**
 * A driver for `in` → groupByKey → sliding windows (`d`, `grace`) → `kind` → `out`. `reduce` and
 * `aggregate` concatenate values ("1+2+3", "0+1+2+3" from the initializer "0"), so an aggregate
 * shows which records it holds and in what order.
 */
function sliding(d: number, grace: number, kind: Kind, opts: { caching?: Caching; storeType?: StoreType; logger?: Logger } = {}): TopologyTestDriver {
  const b = new StreamsBuilder();
  const grouped = b.stream<string, string>('in', { keySerde: S, valueSerde: S }).groupByKey().windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(d, grace));
  const storeType = opts.storeType ?? 'persistent';
  const table =
    kind === 'count'
      ? grouped.count({ storeName: 'windows', storeType })
      : kind === 'reduce'
        ? grouped.reduce((agg, v) => `${agg}+${v}`, { storeName: 'windows', storeType })
        : grouped.aggregate(
            () => '0',
            (_k, v, agg: string) => `${agg}+${v}`,
            { storeName: 'windows', storeType, valueSerde: S },
          );
  (table.toStream() as { to(topic: string, p: object): void }).to('out', { keySerde: WindowedSerdes.timeWindowed(S, d), valueSerde: kind === 'count' ? L : S });
  const props: Record<string, unknown> = { 'application.id': 'sliding' };
  if (opts.caching === 'cache off') props['statestore.cache.max.bytes'] = 0;
  props.logger = opts.logger ?? silentLogger;
  return driverFor(b.build(), props);
}

/** Pipes each record and returns, per record, the updates it caused. */
async function pipeEach(drv: TopologyTestDriver, d: number, kind: Kind, inputs: readonly Input[]): Promise<Update[][]> {
  const input = drv.createInputTopic('in', S, S);
  const out = drv.createOutputTopic('out', WindowedSerdes.timeWindowed(S, d), (kind === 'count' ? L : S) as Serde<string | number>);
  const perRecord: Update[][] = [];
  for (const r of inputs) {
    await input.pipeInput(r.key, r.value, r.timestamp);
    perRecord.push(
      out.readRecordsToList().map((o) => {
        const w = o.key as { key: string; window: { start: number; end: number } };
        return { key: w.key, start: w.window.start, end: w.window.end, value: o.value as string | number, timestamp: o.timestamp };
      }),
    );
  }
  return perRecord;
}

/** `[key, value, timestamp]` rows as inputs. */
const rows = (...rs: [string | null, string | null, number][]): Input[] => rs.map(([key, value, timestamp]) => ({ key, value, timestamp }));

/** `[key, start, value, timestamp]` as an update of the window `[start, start + d]`. */
const updates = (d: number, us: [string, number, string | number, number][]): Update[] =>
  us.map(([key, start, value, timestamp]) => ({ key, start, end: start + d, value, timestamp }));

/**
 * Counts the records the task reports dropped: it logs a line per drop when a second has passed since
 * its last line, so the clock moves a second each time it is read.
 */
function dropLog(): { logger: Logger; dropped(): number } {
  let now = Date.now();
  vi.spyOn(Date, 'now').mockImplementation(() => (now += 1000));
  const lines: string[] = [];
  const logger = createLogger('warn', (l) => lines.push(l), 'test');
  return {
    logger,
    dropped() {
      const last = lines.filter((l) => l.includes(' in all)')).at(-1);
      return last === undefined ? 0 : Number(/(\d+) in all\)/.exec(last)?.[1]);
    },
  };
}

const CACHING: Caching[] = ['cache on', 'cache off'];

describe.each(CACHING)('sliding windows, hand-written inputs, %s', (caching) => {
  it('aggregate (Kafka Streams’ testAggregateSmallInput, d = 10, grace 5): each record updates the windows holding it and makes its left and right windows', async () => {
    const drv = sliding(10, 5, 'aggregate', { caching });
    const got = await pipeEach(
      drv,
      10,
      'aggregate',
      rows(['A', '1', 10], ['A', '2', 10], ['A', '3', 14], ['A', '4', 15], ['A', '5', 20], ['A', '6', 22], ['A', '7', 30]),
    );
    expect(got).toEqual([
      // A@10: its left window [0,10].
      updates(10, [['A', 0, '0+1', 10]]),
      // A@10 again: its left window exists and holds a record at 10 already, so nothing else is made.
      updates(10, [['A', 0, '0+1+2', 10]]),
      // A@14: the right window of A@10 [11,21], then its left window [4,14] seeded from [0,10].
      updates(10, [
        ['A', 11, '0+3', 14],
        ['A', 4, '0+1+2+3', 14],
      ]),
      // A@15: [11,21] holds it; the right window of A@14 [15,25]; its left window [5,15]. Its right
      // window would hold the later records of [11,21] before it — none, so there is none.
      updates(10, [
        ['A', 11, '0+3+4', 15],
        ['A', 15, '0+4', 15],
        ['A', 5, '0+1+2+3+4', 15],
      ]),
      updates(10, [
        ['A', 15, '0+4+5', 20],
        ['A', 11, '0+3+4+5', 20],
        ['A', 16, '0+5', 20],
        ['A', 10, '0+1+2+3+4+5', 20],
      ]),
      updates(10, [
        ['A', 16, '0+5+6', 22],
        ['A', 15, '0+4+5+6', 22],
        ['A', 21, '0+6', 22],
        ['A', 12, '0+3+4+5+6', 22],
      ]),
      updates(10, [
        ['A', 21, '0+6+7', 30],
        ['A', 23, '0+7', 30],
        ['A', 20, '0+5+6+7', 30],
      ]),
    ]);
  });

  it('reduce (Kafka Streams’ testReduceSmallInput): the first value of a window is its start', async () => {
    const drv = sliding(10, 5, 'reduce', { caching });
    const got = await pipeEach(drv, 10, 'reduce', rows(['A', '1', 10], ['A', '2', 14], ['A', '3', 15], ['A', '4', 22], ['A', '5', 26], ['A', '6', 30]));
    expect(got).toEqual([
      updates(10, [['A', 0, '1', 10]]),
      updates(10, [
        ['A', 11, '2', 14],
        ['A', 4, '1+2', 14],
      ]),
      updates(10, [
        ['A', 11, '2+3', 15],
        ['A', 15, '3', 15],
        ['A', 5, '1+2+3', 15],
      ]),
      updates(10, [
        ['A', 15, '3+4', 22],
        ['A', 16, '4', 22],
        ['A', 12, '2+3+4', 22],
      ]),
      // A@26: its left window [16,26] is the right window of A@15 and exists already.
      updates(10, [
        ['A', 16, '4+5', 26],
        ['A', 23, '5', 26],
      ]),
      updates(10, [
        ['A', 23, '5+6', 30],
        ['A', 27, '6', 30],
        ['A', 20, '4+5+6', 30],
      ]),
    ]);
  });

  it('count: records exactly d apart share a window; d + 1 apart, the right window of one is the left window of the other, made and sent once', async () => {
    const drv = sliding(10, 0, 'count', { caching });
    const got = await pipeEach(drv, 10, 'count', rows(['A', 'x', 15], ['A', 'x', 25], ['B', 'x', 119], ['B', 'x', 129], ['B', 'x', 140]));
    expect(got).toEqual([
      updates(10, [['A', 5, 1, 15]]),
      // [15,25] holds both records: the left window of A@15 ([5,15], 2d before A@25) is still kept.
      updates(10, [
        ['A', 16, 1, 25],
        ['A', 15, 2, 25],
      ]),
      updates(10, [['B', 109, 1, 119]]),
      updates(10, [
        ['B', 120, 1, 129],
        ['B', 119, 2, 129],
      ]),
      // [130,140] is both the right window of B@129 and the left window of B@140 (Kafka Streams sends
      // it twice without a cache).
      updates(10, [['B', 130, 1, 140]]),
    ]);
  });

  it('early records (Kafka Streams’ testEarlyRecordsRepeatedInput, d = 5): records before d all go into [0, d] and still get right windows', async () => {
    const drv = sliding(5, 0, 'aggregate', { caching });
    const got = await pipeEach(
      drv,
      5,
      'aggregate',
      rows(['A', '1', 0], ['A', '2', 2], ['A', '3', 4], ['A', '4', 0], ['A', '5', 2], ['A', '6', 2], ['A', '7', 0], ['A', '8', 7]),
    );
    expect(got).toEqual([
      updates(5, [['A', 0, '0+1', 0]]),
      updates(5, [
        ['A', 1, '0+2', 2],
        ['A', 0, '0+1+2', 2],
      ]),
      updates(5, [
        ['A', 1, '0+2+3', 4],
        ['A', 3, '0+3', 4],
        ['A', 0, '0+1+2+3', 4],
      ]),
      // Out of order but within [0, 5], still open (stream time 4, no grace).
      updates(5, [['A', 0, '0+1+2+3+4', 4]]),
      updates(5, [
        ['A', 1, '0+2+3+5', 4],
        ['A', 0, '0+1+2+3+4+5', 4],
      ]),
      updates(5, [
        ['A', 1, '0+2+3+5+6', 4],
        ['A', 0, '0+1+2+3+4+5+6', 4],
      ]),
      updates(5, [['A', 0, '0+1+2+3+4+5+6+7', 4]]),
      // A@7 is not early: [3,8] holds it, A@4's right window [5,10] is made, and its left window
      // [2,7] starts from [1,6] — which holds exactly the records from 2 to 4.
      updates(5, [
        ['A', 3, '0+3+8', 7],
        ['A', 5, '0+8', 7],
        ['A', 2, '0+2+3+5+6+8', 7],
      ]),
    ]);
  });

  it('a late record within the grace period still finds the left window of a record d + 1 ms before it (the oldest window a record can need)', async () => {
    // d = 10, grace 5. After A@100, windows close below 95; A@90 is late, its left window [80,90] is
    // closed, but A@84's right window [85,95] is open and must be made: it needs A@84's left window
    // [74,84], which starts 2d + grace + 1 before stream time.
    const log = dropLog();
    const drv = sliding(10, 5, 'aggregate', { caching, logger: log.logger });
    const got = await pipeEach(drv, 10, 'aggregate', rows(['A', '1', 84], ['A', '2', 100], ['A', '3', 90], ['A', '4', 95]));
    expect(got).toEqual([
      updates(10, [['A', 74, '0+1', 84]]),
      updates(10, [['A', 90, '0+2', 100]]),
      updates(10, [
        ['A', 90, '0+2+3', 100],
        ['A', 85, '0+3', 90],
        ['A', 91, '0+2', 100],
      ]),
      // A@95: its left window [85,95] holds A@90 too.
      updates(10, [
        ['A', 91, '0+2+4', 100],
        ['A', 90, '0+2+3+4', 100],
        ['A', 85, '0+3+4', 95],
        ['A', 96, '0+2', 100],
      ]),
    ]);
    expect(log.dropped()).toBe(1); // the closed left window [80,90] of A@90
  });

  it('a record after its own left window closed updates the open windows that hold it, and no window made later (as in Kafka Streams)', async () => {
    const log = dropLog();
    const drv = sliding(10, 5, 'aggregate', { caching, logger: log.logger });
    const got = await pipeEach(drv, 10, 'aggregate', rows(['A', '1', 20], ['A', '2', 40], ['A', '3', 28], ['A', '4', 36], ['A', '5', 33]));
    expect(got).toEqual([
      updates(10, [['A', 10, '0+1', 20]]),
      updates(10, [['A', 30, '0+2', 40]]),
      // A@28, stream time 40: windows ending before 35 are closed. It is not dropped — its right
      // window [29,39] could hold a record — but it is the first record there; A@20's right window
      // [21,31] and its own left window [18,28] are closed. Nothing is written.
      [],
      // A@36: its left window [26,36] starts from nothing: A@28 left no window behind to seed it.
      updates(10, [
        ['A', 30, '0+2+4', 40],
        ['A', 26, '0+4', 36],
        ['A', 37, '0+2', 40],
      ]),
      // A@33: late too, but [30,40] and [26,36] are open and hold it; its right window is new.
      updates(10, [
        ['A', 30, '0+2+4+5', 40],
        ['A', 26, '0+4+5', 36],
        ['A', 34, '0+2+4', 40],
      ]),
    ]);
    // [18,28] for A@28 and [23,33] for A@33. (A@20's right window [21,31] is not tried: closed too,
    // and A@20's left window is past the store's retention by then.)
    expect(log.dropped()).toBe(2);
  });

  it('the previous record is the latest one in the left window, even when the window before it missed that one (closed when it came)', async () => {
    const drv = sliding(10, 0, 'aggregate', { caching });
    const got = await pipeEach(
      drv,
      10,
      'aggregate',
      rows(['K', '1', 391], ['K', '2', 392], ['Z', 'z', 400], ['K', '3', 393], ['K', '4', 402], ['K', '5', 405]),
    );
    expect(got).toEqual([
      updates(10, [['K', 381, '0+1', 391]]),
      updates(10, [
        ['K', 392, '0+2', 392],
        ['K', 382, '0+1+2', 392],
      ]),
      updates(10, [['Z', 390, '0+z', 400]]),
      // K@393 after stream time 400: [392,402] and the new right window of K@392 take it; its left
      // window [383,393] is closed.
      updates(10, [
        ['K', 392, '0+2+3', 393],
        ['K', 393, '0+3', 393],
      ]),
      // K@402: its left window [392,402] says the record before it is K@393, so K@393's right window
      // [394,404] is made. (The window before, [382,392], never got K@393; Kafka Streams, scanning
      // latest first, takes K@392 from it, makes no [394,404], and so seeds [395,405] below from
      // [393,403] — counting K@393 in a window it is not in.)
      updates(10, [
        ['K', 393, '0+3+4', 402],
        ['K', 392, '0+2+3+4', 402],
        ['K', 394, '0+4', 402],
      ]),
      updates(10, [
        ['K', 403, '0+5', 405],
        ['K', 395, '0+4+5', 405],
      ]),
    ]);
  });

  it('the previous record can be one only a window holding this record knows of (the window before was closed to it)', async () => {
    const log = dropLog();
    const drv = sliding(10, 0, 'aggregate', { caching, logger: log.logger });
    const got = await pipeEach(
      drv,
      10,
      'aggregate',
      rows(['K', '1', 189], ['K', '2', 193], ['K', '3', 196], ['Z', 'z', 201], ['K', '4', 197], ['K', '5', 203], ['K', '6', 210]),
    );
    expect(got).toEqual([
      updates(10, [['K', 179, '0+1', 189]]),
      updates(10, [
        ['K', 190, '0+2', 193],
        ['K', 183, '0+1+2', 193],
      ]),
      updates(10, [
        ['K', 190, '0+2+3', 196],
        ['K', 194, '0+3', 196],
        ['K', 186, '0+1+2+3', 196],
      ]),
      updates(10, [['Z', 191, '0+z', 201]]),
      // K@197 after stream time 201: [194,204] takes it, [190,200] is closed; K@196's right window
      // [197,207] is made; its own left window [187,197] is closed.
      updates(10, [
        ['K', 194, '0+3+4', 197],
        ['K', 197, '0+4', 197],
      ]),
      // K@203: the window before its left window is [190,200], without K@197, but [197,207] and
      // [194,204] hold K@197, so K@197's right window [198,208] is made. Its left window [193,203]
      // starts from [190,200] and so lacks K@197 (it came after its own left window closed).
      updates(10, [
        ['K', 197, '0+4+5', 203],
        ['K', 194, '0+3+4+5', 203],
        ['K', 198, '0+5', 203],
        ['K', 193, '0+2+3+5', 203],
      ]),
      // K@210: [200,210] starts from [198,208]. (Kafka Streams makes no [198,208] and seeds
      // [200,210] from [197,207], counting K@197 in it.)
      updates(10, [
        ['K', 204, '0+6', 210],
        ['K', 200, '0+5+6', 210],
      ]),
    ]);
    expect(log.dropped()).toBe(2); // [190,200] and [187,197] for K@197
  });

  it('records too late for every window are dropped and counted, one per closed window skipped (Kafka Streams’ shouldLogAndMeterWhenSkippingExpiredWindowByGrace)', async () => {
    const log = dropLog();
    const drv = sliding(10, 90, 'aggregate', { caching, logger: log.logger });
    const got = await pipeEach(
      drv,
      10,
      'aggregate',
      rows(
        ['k', '100', 200],
        ['k', '0', 100],
        ['k', '1', 101],
        ['k', '2', 102],
        ['k', '3', 103],
        ['k', '4', 104],
        ['k', '5', 105],
        ['k', '6', 15],
        ['k', '101', 300],
        ['k', '102', 400],
      ),
    );
    // Stream time 200, grace 90: windows ending before 110 are closed. k@100…k@105 could still have
    // right windows, so they are not dropped, but their left windows are closed (6 drops) and no
    // window holds them; k@15 is dropped whole (1 drop).
    expect(got.flat()).toEqual(
      updates(10, [
        ['k', 190, '0+100', 200],
        ['k', 290, '0+101', 300],
        ['k', 390, '0+102', 400],
      ]),
    );
    expect(log.dropped()).toBe(7);
  });

  it('null keys and null values are dropped and counted; stream time is the task’s, so another key’s record closes windows', async () => {
    const log = dropLog();
    const drv = sliding(10, 5, 'count', { caching, logger: log.logger });
    const got = await pipeEach(drv, 10, 'count', rows([null, 'x', 10], ['A', null, 10], ['A', 'x', 10], ['B', 'x', 100], ['A', 'x', 84], ['A', 'x', 85]));
    expect(got).toEqual([
      [],
      [],
      updates(10, [['A', 0, 1, 10]]),
      updates(10, [['B', 90, 1, 100]]),
      // Stream time 100, grace 5: A@84's windows all end before 95 — dropped. A@85's right window
      // [86,96] could still be open, so A@85 is kept, but its left window [75,85] is closed.
      [],
      [],
    ]);
    expect(log.dropped()).toBe(4);
  });

  it('Kafka Streams’ testAggregateLargeInput (d = 10, grace 50): every update, by key and window', async () => {
    const drv = sliding(10, 50, 'aggregate', { caching });
    const got = await pipeEach(
      drv,
      10,
      'aggregate',
      rows(
        ['A', '1', 10],
        ['A', '2', 20],
        ['A', '3', 22],
        ['A', '4', 15],
        ['B', '1', 12],
        ['B', '2', 13],
        ['B', '3', 18],
        ['B', '4', 19],
        ['B', '5', 25],
        ['B', '6', 14],
        ['C', '1', 11],
        ['C', '2', 15],
        ['C', '3', 16],
        ['C', '4', 21],
        ['C', '5', 23],
        ['D', '4', 11],
        ['D', '2', 12],
        ['D', '3', 29],
        ['D', '5', 16],
      ),
    );
    // Kafka Streams' test sorts the updates by key and window start (a stable sort).
    const sorted = got.flat().sort((a, b) => a.key.localeCompare(b.key) || a.start - b.start);
    expect(sorted).toEqual(
      updates(10, [
        ['A', 0, '0+1', 10],
        ['A', 5, '0+1+4', 15],
        ['A', 10, '0+1+2', 20],
        ['A', 10, '0+1+2+4', 20],
        ['A', 11, '0+2', 20],
        ['A', 11, '0+2+4', 20],
        ['A', 12, '0+2+3', 22],
        ['A', 12, '0+2+3+4', 22],
        ['A', 16, '0+2+3', 22],
        ['A', 21, '0+3', 22],
        ['B', 2, '0+1', 12],
        ['B', 3, '0+1+2', 13],
        ['B', 4, '0+1+2+6', 14],
        ['B', 8, '0+1+2+3', 18],
        ['B', 8, '0+1+2+3+6', 18],
        ['B', 9, '0+1+2+3+4', 19],
        ['B', 9, '0+1+2+3+4+6', 19],
        ['B', 13, '0+2', 13],
        ['B', 13, '0+2+3', 18],
        ['B', 13, '0+2+3+4', 19],
        ['B', 13, '0+2+3+4+6', 19],
        ['B', 14, '0+3', 18],
        ['B', 14, '0+3+4', 19],
        ['B', 14, '0+3+4+6', 19],
        ['B', 15, '0+3+4+5', 25],
        ['B', 19, '0+4', 19],
        ['B', 19, '0+4+5', 25],
        ['B', 20, '0+5', 25],
        ['C', 1, '0+1', 11],
        ['C', 5, '0+1+2', 15],
        ['C', 6, '0+1+2+3', 16],
        ['C', 11, '0+1+2+3+4', 21],
        ['C', 12, '0+2', 15],
        ['C', 12, '0+2+3', 16],
        ['C', 12, '0+2+3+4', 21],
        ['C', 13, '0+2+3+4+5', 23],
        ['C', 16, '0+3', 16],
        ['C', 16, '0+3+4', 21],
        ['C', 16, '0+3+4+5', 23],
        ['C', 17, '0+4', 21],
        ['C', 17, '0+4+5', 23],
        ['C', 22, '0+5', 23],
        ['D', 1, '0+4', 11],
        ['D', 2, '0+4+2', 12],
        ['D', 6, '0+4+2+5', 16],
        ['D', 12, '0+2', 12],
        ['D', 12, '0+2+5', 16],
        ['D', 13, '0+5', 16],
        ['D', 19, '0+3', 29],
      ]),
    );
  });

  it('Kafka Streams’ testEarlyRecordsLargeInput (d = 10, grace 50): every update, by window', async () => {
    const drv = sliding(10, 50, 'aggregate', { caching });
    const got = await pipeEach(
      drv,
      10,
      'aggregate',
      rows(['E', '1', 0], ['E', '3', 5], ['E', '4', 6], ['E', '2', 3], ['E', '6', 13], ['E', '5', 10], ['E', '7', 4], ['E', '8', 2], ['E', '9', 15]),
    );
    const sorted = got.flat().sort((a, b) => a.start - b.start);
    expect(sorted).toEqual(
      updates(10, [
        ['E', 0, '0+1', 0],
        ['E', 0, '0+1+3', 5],
        ['E', 0, '0+1+3+4', 6],
        ['E', 0, '0+1+3+4+2', 6],
        ['E', 0, '0+1+3+4+2+5', 10],
        ['E', 0, '0+1+3+4+2+5+7', 10],
        ['E', 0, '0+1+3+4+2+5+7+8', 10],
        ['E', 1, '0+3', 5],
        ['E', 1, '0+3+4', 6],
        ['E', 1, '0+3+4+2', 6],
        ['E', 1, '0+3+4+2+5', 10],
        ['E', 1, '0+3+4+2+5+7', 10],
        ['E', 1, '0+3+4+2+5+7+8', 10],
        ['E', 3, '0+3+4+2+6', 13],
        ['E', 3, '0+3+4+2+6+5', 13],
        ['E', 3, '0+3+4+2+6+5+7', 13],
        ['E', 4, '0+3+4', 6],
        ['E', 4, '0+3+4+6', 13],
        ['E', 4, '0+3+4+6+5', 13],
        ['E', 4, '0+3+4+6+5+7', 13],
        ['E', 5, '0+3+4+6+5', 13],
        ['E', 5, '0+3+4+6+5+9', 15],
        ['E', 6, '0+4', 6],
        ['E', 6, '0+4+6', 13],
        ['E', 6, '0+4+6+5', 13],
        ['E', 6, '0+4+6+5+9', 15],
        ['E', 7, '0+6', 13],
        ['E', 7, '0+6+5', 13],
        ['E', 7, '0+6+5+9', 15],
        ['E', 11, '0+6', 13],
        ['E', 11, '0+6+9', 15],
        ['E', 14, '0+9', 15],
      ]),
    );
  });

  it('old values: a table summed downstream from the updates (KTable.groupBy with a subtractor) equals the sum of the windows’ final counts', async () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in', { keySerde: S, valueSerde: S })
      .groupByKey()
      .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(10, 20))
      .count({ storeName: 'windows' })
      .groupBy((w, n) => ({ key: w.key, value: n }), { keySerde: S, valueSerde: L })
      .reduce(
        (a, v) => a + v,
        (a, v) => a - v,
        { storeName: 'sums' },
      );
    const drv = driverFor(b.build(), caching === 'cache off' ? { 'statestore.cache.max.bytes': 0 } : {});
    const input = drv.createInputTopic('in', S, S);
    const rnd = new Random(4242);
    const stamps = new Map<string, number[]>();
    let t = 0;
    for (let i = 0; i < 150; i++) {
      t += rnd.int(0, 4);
      const ts = Math.max(0, t - rnd.int(0, 15)); // out of order within the grace period only
      const key = rnd.pick(['a', 'b']);
      await input.pipeInput(key, 'x', ts);
      stamps.set(key, [...(stamps.get(key) ?? []), ts]);
    }
    const sums = drv.getKeyValueStore<string, number>('sums');
    for (const [key, ts] of stamps) {
      const windows = modelWindows(ts, 10);
      const total = [...windows].reduce((n, s) => n + ts.filter((x) => x >= s && x <= s + 10).length, 0);
      expect(sums.get(key), key).toBe(total);
    }
  });
});

/** The windows that exist for a key's kept records: each record's left window, and its right window if a later record is within d + 1 ms. */
function modelWindows(timestamps: readonly number[], d: number): Set<number> {
  const starts = new Set<number>();
  for (const r of timestamps) {
    starts.add(Math.max(0, r - d));
    if (timestamps.some((q) => q > r && q <= r + 1 + d)) starts.add(r + 1);
  }
  return starts;
}

// ---------------------------------------------------------------------------------------------
// Seeded random input against the brute-force model.

interface Generated extends Input {
  /** Position in the input: the value of `reduce`/`aggregate` records, so aggregates name their records. */
  id: number;
}

interface Kept {
  id: number;
  value: string;
  timestamp: number;
  /** Arrived after its own left window had closed (but its right window could still be open). */
  afterLeftWindowClosed: boolean;
}

/**
 * Records of keys a, b, c with timestamps that mostly move forward. `lateness` says what an
 * out-of-order record may be: 'grace' — within the grace period (every window it belongs to is open)
 * or so late that it is dropped whole; 'any' — anything, including a record whose left window has
 * closed while its right window is open.
 */
function generate(seed: number, n: number, d: number, grace: number, step: number, lateness: 'grace' | 'any'): Generated[] {
  const rnd = new Random(seed);
  const out: Generated[] = [];
  let streamTime = -1;
  for (let id = 0; id < n; id++) {
    const closeTime = streamTime - grace;
    let timestamp = Math.max(0, streamTime) + rnd.int(0, step);
    if (streamTime >= 0 && rnd.chance(0.35)) {
      if (lateness === 'any') {
        timestamp = Math.max(0, streamTime - rnd.int(0, grace + 2 * d + 3));
      } else if (rnd.chance(0.8)) {
        // On time: its left window ([t - d, t], or [0, d] for an early record) is still open.
        const lo = closeTime <= d ? 0 : closeTime;
        timestamp = rnd.int(lo, streamTime);
      } else if (closeTime - d - 1 >= 0) {
        timestamp = rnd.int(Math.max(0, closeTime - d - 1 - 3 * d), closeTime - d - 1); // dropped whole
      }
    }
    streamTime = Math.max(streamTime, timestamp);
    const key = rnd.chance(0.03) ? null : rnd.pick(['a', 'b', 'c']);
    const value = rnd.chance(0.03) ? null : String(id);
    out.push({ id, key, value, timestamp });
  }
  return out;
}

/** The brute-force model: which records each key keeps, as the input is processed. */
class Model {
  readonly kept = new Map<string, Kept[]>();
  streamTime = -1;
  dropped = 0;

  constructor(
    readonly d: number,
    readonly grace: number,
  ) {}

  /** Takes the next record (stream time counts every record, as the task's does). */
  add(r: Generated): void {
    this.streamTime = Math.max(this.streamTime, r.timestamp);
    const closeTime = this.streamTime - this.grace;
    if (r.key === null || r.value === null || r.timestamp + this.d < closeTime) {
      this.dropped++;
      return;
    }
    const list = this.kept.get(r.key) ?? [];
    list.push({ id: r.id, value: r.value, timestamp: r.timestamp, afterLeftWindowClosed: Math.max(r.timestamp, this.d) < closeTime });
    this.kept.set(r.key, list);
  }

  /** The key's kept records in `[start, start + d]`, in arrival order. */
  inWindow(key: string, start: number): Kept[] {
    return (this.kept.get(key) ?? []).filter((k) => k.timestamp >= start && k.timestamp <= start + this.d);
  }
}

function aggregateOf(kind: Kind, records: readonly Kept[]): string | number {
  if (kind === 'count') return records.length;
  const values = records.map((r) => r.value);
  return kind === 'reduce' ? values.join('+') : ['0', ...values].join('+');
}

/** Time difference, grace, and how far stream time moves at most per record (1 ms: many early records). */
const CONFIGS: [d: number, grace: number, step: number][] = [
  [10, 0, 5],
  [10, 5, 5],
  [1, 0, 1],
  [3, 7, 2],
  [50, 20, 25],
  [40, 10, 1],
];

const MATRIX: [Kind, Caching, StoreType][] = [];
for (const kind of ['count', 'reduce', 'aggregate'] as const) {
  for (const caching of CACHING) MATRIX.push([kind, caching, 'persistent']);
  MATRIX.push([kind, 'cache on', 'in-memory']);
}

describe.each(MATRIX)(
  'sliding windows %s, %s, %s store: random input, out of order within the grace period or dropped, against the brute-force model',
  (kind, caching, storeType) => {
    it.each(CONFIGS)('d = %i, grace %i, steps up to %i ms: every update, the final table, the set of windows and the drop count', async (d, grace, step) => {
      const seed = fuzzSeed(9000) + d * 100 + grace;
      const inputs = generate(seed, 150, d, grace, step, 'grace');
      const log = dropLog();
      const drv = sliding(d, grace, kind, { caching, storeType, logger: log.logger });
      const perRecord = await pipeEach(drv, d, kind, inputs);
      const model = new Model(d, grace);
      const table = new Map<string, Update>();
      for (const [i, r] of inputs.entries()) {
        model.add(r);
        for (const u of perRecord[i]) {
          const records = model.inWindow(u.key, u.start);
          expect(u, `seed ${seed}, after record ${i} ${JSON.stringify(r)}`).toEqual({
            key: u.key,
            start: u.start,
            end: u.start + d,
            value: aggregateOf(kind, records),
            timestamp: Math.max(...records.map((k) => k.timestamp)),
          });
          table.set(`${u.key}@${u.start}`, u);
        }
      }
      // The final table: exactly the windows the model says exist, each with all its records.
      const expected = new Map<string, string | number>();
      for (const [key, kept] of model.kept) {
        for (const start of modelWindows(
          kept.map((k) => k.timestamp),
          d,
        ))
          expected.set(`${key}@${start}`, aggregateOf(kind, model.inWindow(key, start)));
      }
      expect(new Map([...table].map(([w, u]) => [w, u.value])), `seed ${seed}`).toEqual(expected);
      expect(log.dropped(), `seed ${seed}`).toBe(model.dropped);
    });
  },
);

describe.each(CACHING)('sliding windows aggregate, %s: random input with records at any lateness', (caching) => {
  it.each(CONFIGS)(
    'd = %i, grace %i, steps up to %i ms: an update holds the model’s records, less only late ones that came before the window was made',
    async (d, grace, step) => {
      const seed = fuzzSeed(7000) + d * 100 + grace;
      const inputs = generate(seed, 200, d, grace, step, 'any');
      const drv = sliding(d, grace, 'aggregate', { caching });
      const perRecord = await pipeEach(drv, d, 'aggregate', inputs);
      const model = new Model(d, grace);
      /** When each window was first sent: the index of the record that made it. */
      const madeAt = new Map<string, number>();
      const arrival = new Map<number, number>(inputs.map((r, i) => [r.id, i]));
      let checked = 0;
      for (const [i, r] of inputs.entries()) {
        model.add(r);
        for (const u of perRecord[i]) {
          const w = `${u.key}@${u.start}`;
          if (!madeAt.has(w)) madeAt.set(w, i);
          const made = madeAt.get(w) as number;
          const records = model.inWindow(u.key, u.start);
          const ids = String(u.value).split('+').slice(1).map(Number);
          const where = `seed ${seed}, after record ${i} ${JSON.stringify(r)}, window [${u.start},${u.end}] of ${u.key}: ${u.value}`;
          // Only the model's records, in arrival order…
          expect(ids, where).toEqual(records.map((k) => k.id).filter((id) => ids.includes(id)));
          // …and every one of them, except a record that came after its own left window closed and
          // before this window existed: no open window was left to carry it (Kafka Streams' rule).
          const missing = records.filter((k) => !ids.includes(k.id));
          for (const k of missing)
            expect(k.afterLeftWindowClosed && (arrival.get(k.id) as number) < made, `${where}: record ${k.id}@${k.timestamp} is missing`).toBe(true);
          expect(u.timestamp, where).toBe(Math.max(...records.filter((k) => ids.includes(k.id)).map((k) => k.timestamp)));
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(100);
    },
  );
});

describe('sliding windows, Kafka Streams’ testAggregateRandomInput (d = 10, grace 100)', () => {
  it.each([1, 2, 3, 4, 5])('shuffle %i: the final value of every window, with an order-free aggregate', async (shuffleSeed) => {
    const records: [string, number][] = [
      ['A', 10],
      ['B', 15],
      ['C', 16],
      ['D', 18],
      ['E', 30],
      ['F', 40],
      ['G', 55],
      ['H', 56],
      ['I', 58],
      ['J', 58],
      ['K', 62],
      ['L', 63],
      ['M', 63],
      ['N', 63],
      ['O', 76],
      ['P', 77],
      ['Q', 80],
      ['R', 2],
      ['S', 3],
      ['T', 5],
      ['U', 8],
    ];
    const rnd = new Random(shuffleSeed);
    for (let i = records.length - 1; i > 0; i--) {
      const j = rnd.int(0, i);
      [records[i], records[j]] = [records[j], records[i]];
    }
    const b = new StreamsBuilder();
    b.stream<string, string>('in', { keySerde: S, valueSerde: S })
      .groupByKey()
      .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(10, 100))
      .aggregate(
        () => '',
        (_k, v, agg: string) => [...(agg + v)].sort().join(''),
        { valueSerde: S },
      )
      .toStream()
      .to('out', { keySerde: WindowedSerdes.timeWindowed(S, 10), valueSerde: S });
    const drv = driverFor(b.build());
    const input = drv.createInputTopic('in', S, S);
    for (const [v, ts] of records) await input.pipeInput('A', v, ts);
    await input.pipeInput('A', 'V', 181);
    const final = new Map<number, [string, number]>();
    for (const o of drv.createOutputTopic('out', WindowedSerdes.timeWindowed(S, 10), S).readRecordsToList()) {
      final.set((o.key as { window: { start: number } }).window.start, [o.value as string, o.timestamp]);
    }
    expect(final).toEqual(
      new Map<number, [string, number]>([
        [0, ['ARSTU', 10]],
        [3, ['ASTU', 10]],
        [4, ['ATU', 10]],
        [5, ['ABTU', 15]],
        [6, ['ABCU', 16]],
        [8, ['ABCDU', 18]],
        [9, ['ABCD', 18]],
        [11, ['BCD', 18]],
        [16, ['CD', 18]],
        [17, ['D', 18]],
        [20, ['E', 30]],
        [30, ['EF', 40]],
        [31, ['F', 40]],
        [45, ['G', 55]],
        [46, ['GH', 56]],
        [48, ['GHIJ', 58]],
        [52, ['GHIJK', 62]],
        [53, ['GHIJKLMN', 63]],
        [56, ['HIJKLMN', 63]],
        [57, ['IJKLMN', 63]],
        [59, ['KLMN', 63]],
        [63, ['LMN', 63]],
        [66, ['O', 76]],
        [67, ['OP', 77]],
        [70, ['OPQ', 80]],
        [77, ['PQ', 80]],
        [78, ['Q', 80]],
        [171, ['V', 181]],
      ]),
    );
  });
});
