/**
 * The KafkaStreams client (issue #11, item 1) on a real broker: its properties are checked when it is
 * constructed, its states are Kafka Streams' and a listener sees them, `start()` refuses a missing
 * source topic, `close({ timeout })` returns even when the broker is gone, and `cleanUp()` wipes the
 * local state so the next start restores it from the changelog.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KafkaStreams, type KafkaStreamsState, Serdes, StreamsBuilder, StreamsConfigError, TopologyError } from '../../src/index.js';
import type { RawRecord } from '../../src/streams/runtime/record-collector.js';
import { recordingLogger } from '../support/recording-logger.js';
import { readTopics } from '../support/streams-apps.js';
import { startStreamsBroker, type StreamsBroker, waitForCommitted, waitForRecords } from '../support/streams-broker.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** words → a count per word (store `word-counts`) → word-counts. */
function countTopology(input = 'words') {
  const builder = new StreamsBuilder();
  builder
    .stream(input, { keySerde: Serdes.String(), valueSerde: Serdes.String() })
    .groupBy((_k, word) => word, { name: 'by-word', keySerde: Serdes.String(), valueSerde: Serdes.String() })
    .count({ storeName: 'word-counts' })
    .toStream()
    .to('word-counts', { valueSerde: Serdes.Long() });
  return builder.build();
}

const BASE = { 'application.id': 'app', 'bootstrap.servers': '127.0.0.1:9' };

describe('KafkaStreams properties', () => {
  it('refuses an unknown property at construction, naming it', () => {
    expect(() => new KafkaStreams(countTopology(), { ...BASE, 'comit.interval.ms': 100 })).toThrow(StreamsConfigError);
    expect(() => new KafkaStreams(countTopology(), { ...BASE, 'comit.interval.ms': 100 })).toThrow(
      'Unknown property "comit.interval.ms"; see docs/streams-runtime.md for the properties Skein takes',
    );
  });

  it('refuses an ill-typed or out-of-range property at construction, naming it and what it must be', () => {
    const bad = (props: Record<string, unknown>) => () => new KafkaStreams(countTopology(), { ...BASE, ...props });
    expect(bad({ 'commit.interval.ms': 'soon' })).toThrow('Property commit.interval.ms must be an integer, not "soon"');
    expect(bad({ 'processing.guarantee': 'exactly-once' })).toThrow(
      "Property processing.guarantee must be one of 'at_least_once', 'exactly_once', 'exactly_once_v2', not \"exactly-once\"",
    );
    expect(bad({ 'num.stream.threads': 0 })).toThrow('Property num.stream.threads must be at least 1, not 0');
    expect(bad({ 'session.timeout.ms': true })).toThrow('Property session.timeout.ms must be an integer, not true');
    expect(bad({ 'default.value.serde': 'String' })).toThrow('Property default.value.serde must be a Serde (e.g. Serdes.String()), not "String"');
    expect(bad({ 'application.id': 'my app' })).toThrow(`application.id "my app" may contain only ASCII letters, digits, '.', '_' and '-'`);
    expect(() => new KafkaStreams(countTopology(), { 'bootstrap.servers': '127.0.0.1:9' })).toThrow(/^Missing required property application\.id: /);
  });

  it('takes consumer and producer settings under their Kafka names, with or without a client prefix', () => {
    expect(
      () =>
        new KafkaStreams(countTopology(), {
          ...BASE,
          'session.timeout.ms': '6000',
          'consumer.heartbeat.interval.ms': 500,
          'producer.transaction.timeout.ms': 20_000,
          'main.consumer.max.poll.interval.ms': 60_000,
        }),
    ).not.toThrow();
  });
});

describe('KafkaStreams on a broker', () => {
  async function broker(topics: Record<string, number>): Promise<StreamsBroker> {
    const b = await startStreamsBroker(topics);
    cleanups.push(() => b.stop());
    return b;
  }

  function client(b: StreamsBroker, props: Record<string, unknown> = {}, topology = countTopology()) {
    const logger = recordingLogger();
    const stateDir = (props['state.dir'] as string | undefined) ?? b.tempDir('skein-client-state-');
    const streams = new KafkaStreams(
      topology,
      { 'application.id': 'words-app', 'bootstrap.servers': b.bootstrap, 'processing.guarantee': 'exactly_once', 'state.dir': stateDir, ...props },
      { logger },
    );
    const transitions: [KafkaStreamsState, KafkaStreamsState][] = [];
    streams.setStateListener((next, prev) => transitions.push([prev, next]));
    cleanups.push(async () => void (await streams.close({ timeout: 10_000 })));
    return { streams, logger, transitions, stateDir };
  }

  async function produceWords(b: StreamsBroker, words: string[]): Promise<void> {
    const producer = b.kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'words', acks: -1, messages: words.map((w) => ({ key: null, value: w })) });
    await producer.disconnect();
  }

  it('goes CREATED → REBALANCING → RUNNING → PENDING_SHUTDOWN → NOT_RUNNING, and a listener sees each step', async () => {
    const b = await broker({ words: 2, 'word-counts': 2 });
    const { streams, transitions } = client(b);
    expect(streams.state()).toBe('CREATED');
    await produceWords(b, ['a', 'b', 'a']);
    await streams.start();
    await streams.waitForState('RUNNING', 30_000);
    expect(await streams.close({ timeout: 30_000 })).toBe(true);
    expect(streams.state()).toBe('NOT_RUNNING');
    expect(transitions).toEqual([
      ['CREATED', 'REBALANCING'],
      ['REBALANCING', 'RUNNING'],
      ['RUNNING', 'PENDING_SHUTDOWN'],
      ['PENDING_SHUTDOWN', 'NOT_RUNNING'],
    ]);
    // A second close() is a no-op; the client cannot be started again.
    expect(await streams.close()).toBe(true);
    await expect(streams.start()).rejects.toThrow('start() can only be called once; the client is NOT_RUNNING');
  }, 60_000);

  it('fails start() with a clear message when a source topic does not exist, and ends in ERROR', async () => {
    const b = await broker({ 'word-counts': 1 });
    const { streams, transitions } = client(b, {}, countTopology('no-such-topic'));
    await expect(streams.start()).rejects.toThrow('Source topic no-such-topic of application words-app does not exist; create it first');
    expect(streams.state()).toBe('ERROR');
    expect(transitions).toEqual([
      ['CREATED', 'REBALANCING'],
      ['REBALANCING', 'PENDING_ERROR'],
      ['PENDING_ERROR', 'ERROR'],
    ]);
  }, 60_000);

  it('fails the application with the topology error when a sink has no serde and no default is configured', async () => {
    const b = await broker({ words: 1, lengths: 1 });
    const builder = new StreamsBuilder();
    builder
      .stream('words', { keySerde: Serdes.String(), valueSerde: Serdes.String() })
      .mapValues((w) => w.length)
      .to('lengths');
    const { streams } = client(b, {}, builder.build());
    const failures: unknown[] = [];
    streams.setUncaughtExceptionHandler((e) => {
      failures.push(e);
      return 'SHUTDOWN_CLIENT';
    });
    await produceWords(b, ['abc']);
    await streams.start();
    await streams.waitForState('ERROR', 30_000);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toBeInstanceOf(TopologyError);
    expect((failures[0] as Error).message).toBe(
      'Invalid topology: no value serde for sink KSTREAM-SINK-0000000002 (topic lengths): pass { valueSerde } to the DSL call, or set default.value.serde',
    );
  }, 60_000);

  it('returns from close({ timeout }) within the timeout when the broker is gone', async () => {
    const b = await broker({ words: 1, 'word-counts': 1 });
    const { streams } = client(b);
    await produceWords(b, ['a']);
    await streams.start();
    await streams.waitForState('RUNNING', 30_000);
    await waitForCommitted(b.admin, 'words-app', 'words', [1]);
    await b.broker.kill('SIGKILL');
    const started = Date.now();
    const closed = await streams.close({ timeout: 2_000 });
    const took = Date.now() - started;
    expect(took).toBeLessThan(3_000);
    // It could not finish (the tasks cannot commit without a broker), and says so.
    expect(closed).toBe(false);
    expect(streams.state()).toBe('PENDING_SHUTDOWN');
  }, 60_000);

  it('cleanUp() deletes the local state; the next start restores it from the changelog', async () => {
    const b = await broker({ words: 1, 'word-counts': 1 });
    const first = client(b, { 'statestore.cache.max.bytes': 0 });
    expect(() => first.streams.cleanUp()).not.toThrow(); // before start: nothing to delete
    await produceWords(b, ['a', 'b', 'a']);
    await first.streams.start();
    await first.streams.waitForState('RUNNING', 30_000);
    expect(() => first.streams.cleanUp()).toThrow('cleanUp() needs a client that is not running (it is RUNNING)');
    await waitForRecords(b.kafka, 'word-counts', 1, 3);
    expect(await first.streams.close({ timeout: 30_000 })).toBe(true);
    const appDir = join(first.stateDir, 'words-app');
    expect(readdirSync(appDir).sort()).toEqual(['1_0', 'skein-process-id']); // the task's directory, and the process id (docs/scaling.md)
    expect(existsSync(join(appDir, '1_0', 'word-counts'))).toBe(true);
    first.streams.cleanUp();
    expect(existsSync(appDir)).toBe(false);

    // A new client on the same state directory starts from nothing local: the whole changelog.
    const second = client(b, { 'statestore.cache.max.bytes': 0, 'state.dir': first.stateDir });
    await produceWords(b, ['a']);
    await second.streams.start();
    await waitForRecords(b.kafka, 'word-counts', 1, 4);
    expect(second.logger.lines.map((l) => l.message)).toContainEqual(
      expect.stringMatching(
        /^Task 1_0: restored store word-counts from words-app-word-counts-changelog:0: 3 records, offsets 0 to \d+ \(no local state: full restore\)/,
      ),
    );
    const t = await readTopics(b.kafka, [{ topic: 'word-counts', partitions: 1 }]);
    const counts = (t.get('word-counts') as RawRecord[][])[0].map((r) => `${r.key?.toString()}=${(r.value as Buffer).readBigInt64BE(0)}`);
    expect(counts).toEqual(['a=1', 'b=1', 'a=2', 'a=3']);
  }, 90_000);
});
