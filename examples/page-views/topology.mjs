// Page views per page in hopping 1-minute windows (advancing every 30 s), with one final count per
// window once it has closed (suppression), exactly once.
//   page-views (key: page, value: user) → windowedBy 1 min / 30 s, grace 10 s → count
//     → suppress until the window closes → page-view-counts (key: page@window, value: count)
import { Serdes, StreamsBuilder, Suppressed, BufferConfig, TimeWindows } from 'skein';

export const WINDOW_MS = 60_000;
export const ADVANCE_MS = 30_000;
export const GRACE_MS = 10_000;

export function buildTopology() {
  const builder = new StreamsBuilder();
  builder
    .stream('page-views', { keySerde: Serdes.String(), valueSerde: Serdes.String() })
    .groupByKey()
    .windowedBy(TimeWindows.ofSizeAndGrace(WINDOW_MS, GRACE_MS).advanceBy(ADVANCE_MS))
    .count({ storeName: 'views-per-window' })
    .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))
    .toStream()
    // Readable keys downstream: "page@start".
    .map((w, count) => ({ key: `${w.key}@${new Date(w.window.start).toISOString()}`, value: count }))
    .to('page-view-counts', { keySerde: Serdes.String(), valueSerde: Serdes.Long() });
  return builder.build();
}

/**
 * The final counts, computed from the views directly: a view counts in every window containing its time, unless it came after that window closed.
 * @param {{ page: string, user: string, time: number }[]} views
 * @returns {Map<string, number>}
 */
export function expectedCounts(views) {
  const counts = new Map();
  let streamTime = -1;
  const closed = (/** @type {number} */ end) => end + GRACE_MS <= streamTime;
  for (const v of views) {
    streamTime = Math.max(streamTime, v.time);
    for (let start = Math.floor(Math.max(0, v.time - WINDOW_MS + ADVANCE_MS) / ADVANCE_MS) * ADVANCE_MS; start <= v.time; start += ADVANCE_MS) {
      if (closed(start + WINDOW_MS)) continue;
      const k = `${v.page}@${new Date(start).toISOString()}`;
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
  }
  // Only windows that closed before the last view are emitted.
  return new Map([...counts].filter(([k]) => Date.parse(k.split('@')[1]) + WINDOW_MS + GRACE_MS <= streamTime));
}
