import { describe, expect, it } from 'vitest';
import { DEFAULT_LOG_CONFIG } from '../log/log-config.js';
import { BROKER_CONFIGS, loadBrokerConfig, type BrokerConfig } from './broker-config.js';
import { ConfigSource, ConfigTypeId, parseConfigValue } from './config-def.js';
import { ConfigError } from './config-error.js';
import { describeTopicConfigs, effectiveLogConfig, TOPIC_CONFIG_DEFINITIONS, TOPIC_CONFIGS, validateTopicConfigs } from './topic-config.js';

const broker = (props: Record<string, string> = {}): BrokerConfig => loadBrokerConfig(new Map(Object.entries(props)));
const map = (entries: Record<string, string>) => new Map(Object.entries(entries));
const LONG_MAX = '9223372036854775807';

describe('the topic config table', () => {
  it('names only broker configs as synonyms, and each synonym-derived default is a valid topic value', () => {
    const defaults = describeTopicConfigs(broker(), new Map());
    for (const def of TOPIC_CONFIG_DEFINITIONS) {
      for (const synonym of def.synonyms) expect(BROKER_CONFIGS.has(synonym), `${def.name} ← ${synonym}`).toBe(true);
      const value = defaults.find((e) => e.name === def.name)?.value;
      expect(() => parseConfigValue(def, value as string), def.name).not.toThrow();
      expect(() => parseConfigValue(def, def.default as string), def.name).not.toThrow();
      expect(def.doc, def.name).toMatch(/^[^\n]+$/);
    }
  });

  it('agrees with Kafka on the broker defaults of every honoured config', () => {
    expect(effectiveLogConfig(broker(), new Map())).toEqual(DEFAULT_LOG_CONFIG);
  });
});

describe('effectiveLogConfig', () => {
  it('takes topic overrides over broker values', () => {
    const config = effectiveLogConfig(
      broker({ 'log.retention.hours': '1', 'log.segment.bytes': '2048' }),
      map({
        'retention.ms': '1000',
        'segment.bytes': '1024',
        'segment.ms': '60000',
        'segment.index.bytes': '4096',
        'index.interval.bytes': '100',
        'retention.bytes': '1048576',
        'flush.messages': '1',
        'flush.ms': '0',
        'message.timestamp.type': 'LogAppendTime',
        'max.message.bytes': '2000000',
        'cleanup.policy': 'compact,delete',
        'delete.retention.ms': '1',
        'min.compaction.lag.ms': '2',
        'min.cleanable.dirty.ratio': '0.1',
        'file.delete.delay.ms': '0',
        'compression.type': 'zstd',
      }),
    );
    expect(config).toEqual({
      segmentBytes: 1024,
      segmentMs: 60000,
      segmentIndexBytes: 4096,
      indexIntervalBytes: 100,
      retentionMs: 1000,
      retentionBytes: 1048576,
      flushMessages: 1,
      flushMs: 0,
      messageTimestampType: 'LogAppendTime',
      maxMessageBytes: 2000000,
      cleanupPolicy: ['compact', 'delete'],
      deleteRetentionMs: 1,
      minCompactionLagMs: 2,
      minCleanableDirtyRatio: 0.1,
      fileDeleteDelayMs: 0,
    });
  });

  it("falls back to the broker's values, converted from their units", () => {
    const config = effectiveLogConfig(
      broker({
        'log.retention.minutes': '5',
        'log.roll.hours': '2',
        'log.segment.bytes': '2048',
        'message.max.bytes': '5000',
        'log.flush.scheduler.interval.ms': '1000',
        'log.cleanup.policy': 'compact',
        'log.cleaner.min.cleanable.ratio': '0.2',
      }),
      map({ 'segment.bytes': '4096' }),
    );
    expect(config).toMatchObject({
      retentionMs: 5 * 60000,
      segmentMs: 2 * 3600000,
      segmentBytes: 4096,
      maxMessageBytes: 5000,
      flushMs: 1000,
      cleanupPolicy: ['compact'],
      minCleanableDirtyRatio: 0.2,
    });
  });

  it('hands out its own copy of list values', () => {
    const b = broker();
    effectiveLogConfig(b, new Map()).cleanupPolicy.push('compact');
    expect(effectiveLogConfig(b, new Map()).cleanupPolicy).toEqual(['delete']);
  });

  it('throws a readable ConfigError for an invalid override', () => {
    const run = () => effectiveLogConfig(broker(), map({ 'retention.ms': 'soon' }));
    expect(run).toThrow(ConfigError);
    expect(run).toThrowError(
      'Invalid value "soon" for configuration retention.ms (topic override): expected a whole number from -9223372036854775808 to 9223372036854775807 (long)',
    );
  });
});

describe('validateTopicConfigs', () => {
  it('accepts valid configs, including the ones tools set that Skein only stores', () => {
    expect(
      validateTopicConfigs(
        map({
          'cleanup.policy': 'compact',
          'retention.ms': '-1',
          'segment.bytes': '14',
          'min.insync.replicas': '2',
          'compression.type': 'lz4',
          'unclean.leader.election.enable': 'false',
          'message.timestamp.difference.max.ms': '1000',
          preallocate: 'true',
          'leader.replication.throttled.replicas': '*',
          'follower.replication.throttled.replicas': '0:1,1:1',
          'local.retention.ms': '-2',
          'message.downconversion.enable': 'false',
        }),
      ),
    ).toEqual({ ok: true });
  });

  it('answers INVALID_CONFIG naming an unknown config', () => {
    expect(validateTopicConfigs(map({ 'retention.hours': '1' }))).toEqual({
      ok: false,
      error: { code: 40, message: 'Unknown topic config name: retention.hours' },
    });
  });

  it.each([
    ['cleanup.policy', 'purge', 'one or more of delete, compact'],
    ['segment.bytes', '13', 'at least 14'],
    ['retention.ms', '-2', 'at least -1'],
    ['min.cleanable.dirty.ratio', '2', 'between 0 and 1'],
    ['message.timestamp.type', 'AppendTime', 'one of CreateTime, LogAppendTime'],
    ['compression.type', 'brotli', 'one of uncompressed'],
    ['remote.storage.enable', 'true', 'tiered storage is not supported'],
    ['leader.replication.throttled.replicas', 'all', 'partition:broker pairs'],
    ['max.message.bytes', '1e6', 'a whole number'],
  ])('answers INVALID_CONFIG for %s=%s', (name, value, expected) => {
    const result = validateTopicConfigs(map({ [name]: value }));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe(40);
      expect(result.error.message).toContain(`Invalid value ${JSON.stringify(value)} for configuration ${name}`);
      expect(result.error.message).toContain(expected);
    }
  });

  it('refuses a null value', () => {
    expect(validateTopicConfigs(new Map([['retention.ms', null]]))).toMatchObject({
      ok: false,
      error: { code: 40, message: 'Null value not supported for topic config retention.ms' },
    });
  });

  it("checks min.compaction.lag.ms against max.compaction.lag.ms, with the broker's value when given", () => {
    expect(validateTopicConfigs(map({ 'min.compaction.lag.ms': '10', 'max.compaction.lag.ms': '5' })).ok).toBe(false);
    expect(validateTopicConfigs(map({ 'min.compaction.lag.ms': '2000' })).ok).toBe(true);
    const b = broker({ 'log.cleaner.max.compaction.lag.ms': '1000' });
    expect(validateTopicConfigs(map({ 'min.compaction.lag.ms': '2000' }), b)).toMatchObject({
      ok: false,
      error: { message: 'min.compaction.lag.ms (2000) must not be greater than max.compaction.lag.ms (1000)' },
    });
  });
});

describe('describeTopicConfigs', () => {
  const describeOne = (b: BrokerConfig, overrides: Record<string, string>, name: string) =>
    describeTopicConfigs(b, map(overrides)).find((e) => e.name === name);

  it('describes every topic config in name order, writable and not sensitive', () => {
    const entries = describeTopicConfigs(broker(), new Map());
    expect(entries.map((e) => e.name)).toEqual([...TOPIC_CONFIGS.keys()].sort());
    expect(entries.every((e) => !e.readOnly && !e.isSensitive && e.documentation.length > 0)).toBe(true);
  });

  it('shows a default with the broker default it comes from', () => {
    expect(describeOne(broker(), {}, 'retention.ms')).toEqual({
      name: 'retention.ms',
      value: '604800000',
      source: ConfigSource.DEFAULT_CONFIG,
      readOnly: false,
      isSensitive: false,
      synonyms: [{ name: 'log.retention.hours', value: '168', source: ConfigSource.DEFAULT_CONFIG }],
      type: ConfigTypeId.LONG,
      documentation: TOPIC_CONFIGS.get('retention.ms')?.doc,
    });
    expect(describeOne(broker(), {}, 'max.message.bytes')?.synonyms).toEqual([
      { name: 'message.max.bytes', value: '1048588', source: ConfigSource.DEFAULT_CONFIG },
    ]);
  });

  it("shows a topic override first, then the broker's", () => {
    expect(describeOne(broker({ 'log.retention.ms': '5000' }), { 'retention.ms': '1000' }, 'retention.ms')).toMatchObject({
      value: '1000',
      source: ConfigSource.TOPIC_CONFIG,
      synonyms: [
        { name: 'retention.ms', value: '1000', source: ConfigSource.TOPIC_CONFIG },
        { name: 'log.retention.ms', value: '5000', source: ConfigSource.STATIC_BROKER_CONFIG },
        { name: 'log.retention.hours', value: '168', source: ConfigSource.DEFAULT_CONFIG },
      ],
    });
  });

  it("shows a static broker config as the source, in Kafka's precedence order", () => {
    expect(describeOne(broker({ 'log.retention.hours': '24', 'log.retention.minutes': '60' }), {}, 'retention.ms')).toMatchObject({
      value: '3600000',
      source: ConfigSource.STATIC_BROKER_CONFIG,
      synonyms: [
        { name: 'log.retention.minutes', value: '60', source: ConfigSource.STATIC_BROKER_CONFIG },
        { name: 'log.retention.hours', value: '24', source: ConfigSource.STATIC_BROKER_CONFIG },
        { name: 'log.retention.hours', value: '168', source: ConfigSource.DEFAULT_CONFIG },
      ],
    });
    expect(describeOne(broker({ 'log.segment.bytes': '1024' }), {}, 'segment.bytes')).toMatchObject({
      value: '1024',
      source: ConfigSource.STATIC_BROKER_CONFIG,
      type: ConfigTypeId.INT,
    });
  });

  it('prints values and types as Kafka does', () => {
    const b = broker();
    expect(describeOne(b, {}, 'flush.ms')).toMatchObject({
      value: LONG_MAX,
      synonyms: [{ name: 'log.flush.scheduler.interval.ms', value: LONG_MAX, source: ConfigSource.DEFAULT_CONFIG }],
    });
    expect(describeOne(b, { 'cleanup.policy': 'compact , delete' }, 'cleanup.policy')).toMatchObject({
      value: 'compact,delete',
      type: ConfigTypeId.LIST,
    });
    expect(describeOne(b, {}, 'min.cleanable.dirty.ratio')).toMatchObject({ value: '0.5', type: ConfigTypeId.DOUBLE });
    expect(describeOne(b, {}, 'preallocate')).toMatchObject({ value: 'false', type: ConfigTypeId.BOOLEAN });
    expect(describeOne(b, {}, 'message.timestamp.type')).toMatchObject({ value: 'CreateTime', type: ConfigTypeId.STRING });
  });

  it('gives a config with no broker synonym no synonyms until it is overridden', () => {
    expect(describeOne(broker(), {}, 'remote.storage.enable')).toMatchObject({
      value: 'false',
      source: ConfigSource.DEFAULT_CONFIG,
      synonyms: [],
    });
    expect(describeOne(broker(), { 'leader.replication.throttled.replicas': '*' }, 'leader.replication.throttled.replicas')).toMatchObject({
      value: '*',
      source: ConfigSource.TOPIC_CONFIG,
      synonyms: [{ name: 'leader.replication.throttled.replicas', value: '*', source: ConfigSource.TOPIC_CONFIG }],
    });
  });
});
