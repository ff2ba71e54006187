// The word count of word-count.mjs as a module, for running it on a broker (run.mjs, `skein run`).
import { Serdes, StreamsBuilder } from 'skein';

export const properties = { 'application.id': 'wordcount', 'processing.guarantee': 'exactly_once' };

export function topology() {
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
  return builder.build();
}
