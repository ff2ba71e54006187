// The topology of the interactive-query tests, in its own module so that stream-thread workers
// rebuild it (topology.module): per-key counts in 'counts' and hourly windowed counts in
// 'hourly-counts' and per-session counts (an hour's inactivity gap) in 'sessions', read from
// 'iq-input' (String keys and values).
import { Serdes, SessionWindows, StreamsBuilder, TimeWindows } from 'skein';

export function topology() {
  const builder = new StreamsBuilder();
  const input = builder.stream(process.env.IQ_INPUT ?? 'iq-input', { keySerde: Serdes.String(), valueSerde: Serdes.String() });
  const grouped = input.groupByKey();
  grouped.count({ storeName: 'counts' });
  grouped.windowedBy(TimeWindows.ofSizeWithNoGrace(3_600_000)).count({ storeName: 'hourly-counts' });
  grouped.windowedBy(SessionWindows.ofInactivityGapWithNoGrace(3_600_000)).count({ storeName: 'sessions' });
  return builder;
}
