import { StreamsBuilder, KafkaStreams, Serdes } from 'skein';

const builder = new StreamsBuilder();
const data = builder.stream('data', { keySerde: Serdes.String(), valueSerde: Serdes.String() });
data.to('echo');
data
  .mapValues((v) => Number(v))
  .groupByKey({ valueSerde: Serdes.Int32() })
  .aggregate(() => 0, (_key, value, sum) => sum + value, { storeName: 'sum', valueSerde: Serdes.Long() })
  .toStream()
  .to('sum', { valueSerde: Serdes.Long() });

const streams = new KafkaStreams(builder.build(), {
  'application.id': 'sum-app',
  'bootstrap.servers': process.env.BOOTSTRAP ?? '127.0.0.1:9092',
  'processing.guarantee': 'exactly_once',
  'statestore.cache.max.bytes': 0,
  'state.dir': process.env.STATE_DIR ?? '/tmp/skein-state',
});
await streams.start();
process.on('SIGTERM', () => void streams.close().then(() => process.exit(0)));
