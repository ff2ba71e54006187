// The word count of the streams issue's contract as TypeScript — the same program as word-count.mjs,
// line for line after the imports — run with the TopologyTestDriver (no broker). Its test compiles it
// with tsc (strict) against the built package and runs it: test/streams/word-count-example.test.ts.
import { StreamsBuilder, Serdes, TopologyTestDriver } from 'skein';

const builder = new StreamsBuilder();
builder
  .stream('text-lines', { keySerde: Serdes.String(), valueSerde: Serdes.String() })
  .flatMapValues((line) => line.toLowerCase().split(/\W+/).filter((w) => w.length > 0))
  .groupBy((_key, word) => word, { keySerde: Serdes.String(), valueSerde: Serdes.String() })
  .count({ storeName: 'word-counts' })
  .toStream()
  .to('word-counts', { keySerde: Serdes.String(), valueSerde: Serdes.Long() });

const driver = new TopologyTestDriver(builder.build(), { 'application.id': 'wordcount' });
const lines = driver.createInputTopic('text-lines', Serdes.String(), Serdes.String());
const counts = driver.createOutputTopic('word-counts', Serdes.String(), Serdes.Long());
lines.pipeInput(null, 'the quick fox');
lines.pipeInput(null, 'the lazy dog');
console.log(counts.readKeyValuesToMap()); // Map(5) { 'the' => 2, 'quick' => 1, 'fox' => 1, 'lazy' => 1, 'dog' => 1 }
console.log(await driver.getKeyValueStore('word-counts').get('the')); // 2
await driver.close();
