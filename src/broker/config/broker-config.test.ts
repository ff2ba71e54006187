import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { BROKER_CONFIG_DEFINITIONS, BROKER_CONFIGS, DERIVATION_INPUTS, describeBrokerConfigs, loadBrokerConfig, type BrokerConfig } from './broker-config.js';
import { camelCase, ConfigSource, ConfigTypeId, parseConfigValue } from './config-def.js';
import { ConfigError } from './config-error.js';
import { parseProperties } from './properties.js';
import { readBrokerConfig } from './read-broker-config.js';

const load = (props: Record<string, string> = {}, overrides: Record<string, string> = {}): BrokerConfig =>
  loadBrokerConfig(new Map(Object.entries(props)), new Map(Object.entries(overrides)));

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

const DAY_MS = 24 * 60 * 60 * 1000;

describe('the broker config table', () => {
  it('has a parseable, valid default and a one-line doc for every config', () => {
    for (const def of BROKER_CONFIG_DEFINITIONS) {
      if (def.default !== null) expect(() => parseConfigValue(def, def.default as string), def.name).not.toThrow();
      expect(def.doc, def.name).toMatch(/^[^\n]+$/);
    }
  });
});

describe('BrokerConfig fields', () => {
  const config = load({ 'cluster.id': 'c1', 'log.cleanup.policy': 'compact,delete', 'min.insync.replicas': '2' });

  it('has one field per honoured or stored config, named in camelCase, holding its value', () => {
    const fields = config as unknown as Record<string, unknown>;
    const inputs: readonly string[] = DERIVATION_INPUTS;
    for (const def of BROKER_CONFIG_DEFINITIONS) {
      const field = camelCase(def.name);
      if (def.support === 'ignored') expect(fields[field], def.name).toBeUndefined();
      else if (!inputs.includes(def.name)) expect(fields[field], def.name).toEqual(config.values.get(def.name) ?? null);
    }
    expect(config).toMatchObject({ clusterId: 'c1', logCleanupPolicy: ['compact', 'delete'], minInsyncReplicas: 2, compressionType: 'producer' });
  });

  it('types each field by its definition (checked by tsc)', () => {
    expectTypeOf(config.logCleanupPolicy).toEqualTypeOf<Array<'delete' | 'compact'>>();
    expectTypeOf(config.logMessageTimestampType).toEqualTypeOf<'CreateTime' | 'LogAppendTime'>();
    expectTypeOf(config.clusterId).toEqualTypeOf<string | null>();
    expectTypeOf(config.autoCreateTopicsEnable).toEqualTypeOf<boolean>();
    expectTypeOf(config.logSegmentBytes).toEqualTypeOf<number>();
    expectTypeOf(config.logRetentionMs).toEqualTypeOf<number>();
    // Ignored configs and the inputs of derived fields have none.
    expectTypeOf(config).not.toHaveProperty('numNetworkThreads');
    expectTypeOf(config).not.toHaveProperty('logRetentionHours');
  });
});

describe('loadBrokerConfig with nothing set', () => {
  const config = load();

  it('is a single node with id 1 listening on 9092 and advertising 127.0.0.1', () => {
    expect(config.nodeId).toBe(1);
    expect(config.clusterId).toBeNull();
    expect(config.listeners).toEqual([{ name: 'PLAINTEXT', host: '', port: 9092 }]);
    expect(config.advertisedListeners).toEqual([{ name: 'PLAINTEXT', host: '127.0.0.1', port: 9092 }]);
    expect(config.logDir).toBe('/tmp/kafka-logs');
  });

  it("has Kafka's defaults", () => {
    expect(config).toMatchObject({
      numPartitions: 1,
      defaultReplicationFactor: 1,
      autoCreateTopicsEnable: true,
      deleteTopicEnable: true,
      messageMaxBytes: 1048588,
      socketRequestMaxBytes: 104857600,
      logSegmentBytes: 1073741824,
      logRollMs: 7 * DAY_MS,
      logRetentionMs: 7 * DAY_MS,
      logRetentionBytes: -1,
      logRetentionCheckIntervalMs: 300000,
      logIndexIntervalBytes: 4096,
      logIndexSizeMaxBytes: 10485760,
      logFlushIntervalMessages: Number.MAX_SAFE_INTEGER,
      logFlushIntervalMs: Number.MAX_SAFE_INTEGER,
      logMessageTimestampType: 'CreateTime',
      logCleanupPolicy: ['delete'],
      logCleanerEnable: true,
      logCleanerDeleteRetentionMs: DAY_MS,
      logCleanerMinCleanableRatio: 0.5,
      logSegmentDeleteDelayMs: 60000,
      offsetsTopicNumPartitions: 50,
      offsetsTopicReplicationFactor: 1,
      offsetsRetentionMs: 10080 * 60000,
      groupInitialRebalanceDelayMs: 3000,
      groupMinSessionTimeoutMs: 6000,
      groupMaxSessionTimeoutMs: 1800000,
      groupMaxSize: 2147483647,
      transactionStateLogNumPartitions: 50,
      transactionStateLogReplicationFactor: 1,
      transactionMaxTimeoutMs: 900000,
      transactionAbortTimedOutTransactionCleanupIntervalMs: 10000,
      producerIdExpirationMs: 86400000,
    });
  });

  it('warns about nothing (the defaults 3 and 2 of the internal topics are clamped silently)', () => {
    expect(config.warnings).toEqual([]);
    expect(config.ignored).toEqual([]);
  });
});

describe('node id', () => {
  it('comes from node.id, else broker.id, else 1', () => {
    expect(load({ 'node.id': '2' }).nodeId).toBe(2);
    expect(load({ 'broker.id': '5' }).nodeId).toBe(5);
    expect(load({ 'node.id': '3', 'broker.id': '3' }).nodeId).toBe(3);
    expect(load({ 'broker.id': '-1' }).nodeId).toBe(1);
  });

  it('refuses node.id and broker.id that disagree', () => {
    const err = configError(() => load({ 'node.id': '1', 'broker.id': '2' }));
    expect(err.message).toMatch(/node\.id \(1\) and broker\.id \(2\) disagree/);
  });
});

describe('retention precedence (ms over minutes over hours)', () => {
  it('uses hours when nothing else is set', () => {
    expect(load({ 'log.retention.hours': '24' }).logRetentionMs).toBe(DAY_MS);
  });

  it('prefers minutes over hours', () => {
    expect(load({ 'log.retention.hours': '24', 'log.retention.minutes': '30' }).logRetentionMs).toBe(30 * 60000);
  });

  it('prefers ms over minutes and hours', () => {
    expect(load({ 'log.retention.hours': '24', 'log.retention.minutes': '30', 'log.retention.ms': '1000' }).logRetentionMs).toBe(1000);
  });

  it('turns any negative retention into -1 (forever)', () => {
    expect(load({ 'log.retention.ms': '-1' }).logRetentionMs).toBe(-1);
    expect(load({ 'log.retention.minutes': '-5' }).logRetentionMs).toBe(-1);
    expect(load({ 'log.retention.hours': '-1' }).logRetentionMs).toBe(-1);
  });

  it('refuses a retention of 0, naming the key that produced it', () => {
    expect(configError(() => load({ 'log.retention.ms': '0' })).key).toBe('log.retention.ms');
    expect(configError(() => load({ 'log.retention.minutes': '0' })).key).toBe('log.retention.minutes');
  });

  it('applies the same precedence to roll and flush', () => {
    expect(load({ 'log.roll.hours': '1' }).logRollMs).toBe(3600000);
    expect(load({ 'log.roll.hours': '1', 'log.roll.ms': '500' }).logRollMs).toBe(500);
    expect(load({ 'log.flush.scheduler.interval.ms': '5000' }).logFlushIntervalMs).toBe(5000);
    expect(load({ 'log.flush.scheduler.interval.ms': '5000', 'log.flush.interval.ms': '100' }).logFlushIntervalMs).toBe(100);
  });
});

describe('overrides', () => {
  it('win over the file', () => {
    const config = load({ 'num.partitions': '3', 'log.retention.hours': '1' }, { 'num.partitions': '6' });
    expect(config.numPartitions).toBe(6);
    expect(config.logRetentionMs).toBe(3600000);
    expect(config.static.get('num.partitions')).toBe('6');
  });

  it('say so when they are the bad value', () => {
    const err = configError(() => load({ 'num.partitions': '3' }, { 'num.partitions': 'x' }));
    expect(err.message).toBe(
      'Invalid value "x" for configuration num.partitions (set by --override): expected a whole number from -2147483648 to 2147483647 (int)',
    );
  });
});

describe('validation errors', () => {
  it('name the key, the value and what is expected', () => {
    const err = configError(() => load({ 'num.partitions': 'abc' }));
    expect(err).toMatchObject({ key: 'num.partitions', value: 'abc', code: 'SKEIN_CONFIG_INVALID', name: 'ConfigError' });
    expect(err.message).toMatch(/^Invalid value "abc" for configuration num\.partitions: expected a whole number/);
  });

  it.each([
    ['num.partitions', '0', 'expected a value of at least 1'],
    ['num.partitions', '1.5', 'expected a whole number'],
    ['num.partitions', '2147483648', '(int)'],
    ['log.segment.bytes', '13', 'expected a value of at least 14'],
    ['log.cleanup.policy', 'delete,purge', 'one or more of delete, compact'],
    ['log.cleanup.policy', '', 'one or more of delete, compact'],
    ['log.message.timestamp.type', 'createtime', 'expected one of CreateTime, LogAppendTime'],
    ['auto.create.topics.enable', 'yes', 'expected true or false'],
    ['log.cleaner.min.cleanable.ratio', '1.5', 'expected a value between 0 and 1'],
    ['log.cleaner.min.cleanable.ratio', 'half', 'a decimal number'],
    ['compression.type', 'brotli', 'one of uncompressed, zstd, lz4, snappy, gzip, producer, none'],
  ])('%s=%s → %s', (key, value, expected) => {
    const err = configError(() => load({ [key]: value }));
    expect(err.key).toBe(key);
    expect(err.message).toContain(expected);
  });

  it('accepts Java spellings: trimmed numbers, +sign, any-case booleans, d suffix, Long.MAX_VALUE', () => {
    const config = load({
      'num.partitions': ' +4 ',
      'delete.topic.enable': 'FALSE',
      'log.cleaner.min.cleanable.ratio': '0.25d',
      'log.retention.bytes': '9223372036854775807',
      'log.cleanup.policy': 'compact , delete',
    });
    expect(config.numPartitions).toBe(4);
    expect(config.deleteTopicEnable).toBe(false);
    expect(config.logCleanerMinCleanableRatio).toBe(0.25);
    expect(config.logRetentionBytes).toBe(Number.MAX_SAFE_INTEGER);
    expect(config.logCleanupPolicy).toEqual(['compact', 'delete']);
  });

  it('checks that min is not above max', () => {
    const err = configError(() => load({ 'group.min.session.timeout.ms': '10000', 'group.max.session.timeout.ms': '5000' }));
    expect(err.message).toBe('group.min.session.timeout.ms (10000) must not be greater than group.max.session.timeout.ms (5000)');
  });
});

describe('listeners', () => {
  it('normalises names and reads IPv6 and host names', () => {
    expect(load({ listeners: 'plaintext://[::1]:9092' }).listeners).toEqual([{ name: 'PLAINTEXT', host: '::1', port: 9092 }]);
    expect(load({ listeners: 'PLAINTEXT://broker.local:19092' }).advertisedListeners).toEqual([{ name: 'PLAINTEXT', host: 'broker.local', port: 19092 }]);
  });

  it('advertises 127.0.0.1 for an empty or wildcard host', () => {
    const config = load({ listeners: 'PLAINTEXT://0.0.0.0:9092,OTHER://:9093', 'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,OTHER:PLAINTEXT' });
    expect(config.advertisedListeners).toEqual([
      { name: 'PLAINTEXT', host: '127.0.0.1', port: 9092 },
      { name: 'OTHER', host: '127.0.0.1', port: 9093 },
    ]);
  });

  it('accepts port 0 (a free port), more than once', () => {
    const config = load({ listeners: 'PLAINTEXT://127.0.0.1:0,B://127.0.0.1:0', 'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,B:PLAINTEXT' });
    expect(config.listeners.map((l) => l.port)).toEqual([0, 0]);
  });

  it.each([
    ['SSL://:9093', 'SSL, which is not supported'],
    ['SASL_PLAINTEXT://:9093', 'SASL_PLAINTEXT, which is not supported'],
    ['SASL_SSL://:9093', 'SASL_SSL, which is not supported'],
  ])('refuses %s', (listeners, message) => {
    expect(configError(() => load({ listeners })).message).toContain(message);
  });

  it('resolves a custom listener name through listener.security.protocol.map', () => {
    expect(load({ listeners: 'INTERNAL://:9092', 'listener.security.protocol.map': 'INTERNAL:PLAINTEXT' }).listeners).toEqual([
      { name: 'INTERNAL', host: '', port: 9092 },
    ]);
    expect(configError(() => load({ listeners: 'SECURE://:9093', 'listener.security.protocol.map': 'SECURE:SSL' })).message).toContain(
      'SECURE uses SSL, which is not supported',
    );
    expect(configError(() => load({ listeners: 'INTERNAL://:9092' })).message).toContain('add INTERNAL:PLAINTEXT');
  });

  it('skips controller listeners with a warning', () => {
    const config = load({ listeners: 'PLAINTEXT://:9092,CONTROLLER://:9093', 'controller.listener.names': 'CONTROLLER' });
    expect(config.listeners).toEqual([{ name: 'PLAINTEXT', host: '', port: 9092 }]);
    expect(config.warnings).toEqual(['listener CONTROLLER://:9093 is skipped: Skein has no separate KRaft controller']);
  });

  it.each([
    ['localhost:9092', 'NAME://host:port'],
    ['PLAINTEXT://:99999', 'NAME://host:port'],
    ['PLAINTEXT://:9092,PLAINTEXT://:9093', 'PLAINTEXT appears twice'],
    ['PLAINTEXT://:9092,B://:9092', 'a different port for each listener'],
    ['', 'at least one PLAINTEXT listener'],
  ])('refuses listeners=%j', (listeners, message) => {
    const props = { listeners, 'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,B:PLAINTEXT' };
    expect(configError(() => load(props)).message).toContain(message);
  });

  it('uses advertised.listeners by name, deriving any listener it leaves out', () => {
    const config = load({
      listeners: 'PLAINTEXT://:9092,B://:9093',
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,B:PLAINTEXT',
      'advertised.listeners': 'B://public.example:19093',
    });
    expect(config.advertisedListeners).toEqual([
      { name: 'PLAINTEXT', host: '127.0.0.1', port: 9092 },
      { name: 'B', host: 'public.example', port: 19093 },
    ]);
    expect(config.warnings).toEqual(['advertised.listeners has no entry for listener PLAINTEXT; advertising 127.0.0.1:9092']);
  });

  it('refuses to advertise a wildcard address or an unknown listener', () => {
    expect(configError(() => load({ 'advertised.listeners': 'PLAINTEXT://0.0.0.0:9092' })).message).toContain('not the wildcard 0.0.0.0');
    expect(
      configError(() => load({ 'advertised.listeners': 'OTHER://h:1', 'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,OTHER:PLAINTEXT' })).message,
    ).toContain('OTHER does not');
  });
});

describe('single-node decisions', () => {
  it('clamps replication settings to 1 and says so when the file asked for more', () => {
    const config = load({
      'offsets.topic.replication.factor': '3',
      'transaction.state.log.replication.factor': '3',
      'transaction.state.log.min.isr': '2',
      'default.replication.factor': '2',
    });
    expect(config.offsetsTopicReplicationFactor).toBe(1);
    expect(config.transactionStateLogReplicationFactor).toBe(1);
    expect(config.defaultReplicationFactor).toBe(1);
    expect(config.warnings).toHaveLength(4);
    expect(config.warnings[0]).toMatch(/^default\.replication\.factor=2 is clamped to 1: Skein is a single node/);
  });

  it('stores min.insync.replicas above 1 with a warning that it is not enforced', () => {
    expect(load({ 'min.insync.replicas': '2' }).warnings).toEqual([
      'min.insync.replicas=2 is stored but not enforced: on a single node the leader is the only in-sync replica',
    ]);
  });

  it('uses the first of several log directories, with a warning', () => {
    const config = load({ 'log.dirs': '/data/a,/data/b', 'log.dir': '/ignored' });
    expect(config.logDir).toBe('/data/a');
    expect(config.warnings).toEqual(['log.dirs lists 2 directories; Skein keeps all partitions in the first, /data/a']);
    expect(load({ 'log.dir': '/data/c' }).logDir).toBe('/data/c');
  });

  it('lists known-but-ignored keys and warns about unknown ones', () => {
    const config = load({
      'num.io.threads': '16',
      'num.network.threads': '4',
      'ssl.keystore.location': '/x.jks',
      'group.consumer.heartbeat.interval.ms': '5000',
      'log.retention.hourz': '1',
    });
    expect(config.ignored.sort()).toEqual(['num.io.threads', 'num.network.threads']);
    expect(config.warnings).toEqual([
      'ssl.keystore.location is ignored: no TLS: Skein speaks PLAINTEXT only',
      'group.consumer.heartbeat.interval.ms is ignored: only the classic group protocol is implemented (KIP-848 is not)',
      'log.retention.hourz is not a broker config Skein knows; it is ignored',
    ]);
  });

  it("loads Kafka's KRaft quickstart server.properties as it is", () => {
    const text = `
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=localhost:9093
listeners=PLAINTEXT://:9092,CONTROLLER://:9093
inter.broker.listener.name=PLAINTEXT
advertised.listeners=PLAINTEXT://localhost:9092,CONTROLLER://localhost:9093
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL
num.network.threads=3
num.io.threads=8
socket.send.buffer.bytes=102400
socket.receive.buffer.bytes=102400
socket.request.max.bytes=104857600
log.dirs=/tmp/kraft-combined-logs
num.partitions=1
num.recovery.threads.per.data.dir=1
offsets.topic.replication.factor=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
log.retention.hours=168
log.segment.bytes=1073741824
log.retention.check.interval.ms=300000
`;
    const config = loadBrokerConfig(parseProperties(text), new Map());
    expect(config.nodeId).toBe(1);
    expect(config.listeners).toEqual([{ name: 'PLAINTEXT', host: '', port: 9092 }]);
    expect(config.advertisedListeners).toEqual([{ name: 'PLAINTEXT', host: 'localhost', port: 9092 }]);
    expect(config.logDir).toBe('/tmp/kraft-combined-logs');
    expect(config.warnings).toEqual(['listener CONTROLLER://:9093 is skipped: Skein has no separate KRaft controller']);
  });
});

describe('describeBrokerConfigs', () => {
  const byName = (config: BrokerConfig) => new Map(describeBrokerConfigs(config).map((e) => [e.name, e]));

  it('describes every broker config, read-only, with type and documentation', () => {
    const entries = describeBrokerConfigs(load());
    expect(entries.map((e) => e.name)).toEqual([...BROKER_CONFIGS.keys()].sort());
    expect(entries.every((e) => e.readOnly && e.documentation.length > 0)).toBe(true);
  });

  it('marks defaults DEFAULT_CONFIG and given values STATIC_BROKER_CONFIG', () => {
    const entries = byName(load({ 'num.partitions': ' 3 ' }));
    expect(entries.get('num.partitions')).toMatchObject({
      value: '3',
      source: ConfigSource.STATIC_BROKER_CONFIG,
      type: ConfigTypeId.INT,
      isSensitive: false,
      synonyms: [
        { name: 'num.partitions', value: '3', source: ConfigSource.STATIC_BROKER_CONFIG },
        { name: 'num.partitions', value: '1', source: ConfigSource.DEFAULT_CONFIG },
      ],
    });
    expect(entries.get('delete.topic.enable')).toMatchObject({
      value: 'true',
      source: ConfigSource.DEFAULT_CONFIG,
      type: ConfigTypeId.BOOLEAN,
      synonyms: [{ name: 'delete.topic.enable', value: 'true', source: ConfigSource.DEFAULT_CONFIG }],
    });
  });

  it('prints values as Kafka does', () => {
    const entries = byName(load());
    expect(entries.get('log.flush.interval.messages')?.value).toBe('9223372036854775807');
    expect(entries.get('log.cleaner.min.cleanable.ratio')?.value).toBe('0.5');
    expect(entries.get('log.cleaner.io.max.bytes.per.second')?.value).toBe('1.7976931348623157E308');
    expect(entries.get('listeners')).toMatchObject({ value: 'PLAINTEXT://:9092', type: ConfigTypeId.LIST });
    expect(entries.get('offsets.topic.replication.factor')).toMatchObject({ value: '3', type: ConfigTypeId.SHORT });
  });

  it('shows a config without a default and not given as null', () => {
    expect(byName(load()).get('log.retention.ms')).toMatchObject({ value: null, source: ConfigSource.DEFAULT_CONFIG, synonyms: [] });
  });

  it('shows the node id in effect under both names', () => {
    const entries = byName(load({ 'broker.id': '7' }));
    expect(entries.get('node.id')?.value).toBe('7');
    expect(entries.get('broker.id')).toMatchObject({ value: '7', source: ConfigSource.STATIC_BROKER_CONFIG });
  });

  it('never shows a password', () => {
    const entry = byName(load({ 'ssl.keystore.password': 'secret' })).get('ssl.keystore.password');
    expect(entry).toMatchObject({ value: null, isSensitive: true, type: ConfigTypeId.PASSWORD, source: ConfigSource.STATIC_BROKER_CONFIG });
    expect(entry?.synonyms.every((s) => s.value === null)).toBe(true);
  });
});

describe('readBrokerConfig', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('reads a file and applies --override on top', async () => {
    dir = mkdtempSync(join(tmpdir(), 'skein-config-'));
    const file = join(dir, 'server.properties');
    writeFileSync(file, 'num.partitions=3\nlog.retention.hours=1\n');
    const config = await readBrokerConfig({ file, overrides: ['num.partitions=6'] });
    expect(config.numPartitions).toBe(6);
    expect(config.logRetentionMs).toBe(3600000);
  });

  it('uses defaults without a file', async () => {
    expect((await readBrokerConfig({})).numPartitions).toBe(1);
  });

  it('names a missing file', async () => {
    await expect(readBrokerConfig({ file: '/nonexistent/server.properties' })).rejects.toThrowError(
      'Cannot read broker config file /nonexistent/server.properties: no such file',
    );
  });

  it('rejects a malformed --override before reading anything', async () => {
    await expect(readBrokerConfig({ overrides: ['num.partitions'] })).rejects.toThrowError(/Malformed --override/);
  });
});
