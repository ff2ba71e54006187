/**
 * Kafka's topic-level configs: names, types, validation, and the broker configs that supply their
 * defaults (retention.ms ← log.retention.ms / .minutes / .hours, and so on, in Kafka's order).
 *
 * `honoured` configs become the partition's LogConfig; `stored` ones are validated, kept with the
 * topic and reported by DescribeConfigs because real tools set them, but do not change behaviour.
 *
 * DescribeConfigs synonyms: the topic override, then every broker synonym set in server.properties
 * or by --override, then every broker synonym's default. Kafka drops synonyms listed before the
 * first-priority broker name (so `retention.ms` shows none when only log.retention.hours is set);
 * Skein lists them all, and takes the entry's source from the first, which is the true source.
 */
import type { LogConfig } from '../log/log-config.js';
import { ErrorCode } from '../../protocol/errors.js';
import { BROKER_CONFIGS, CLEANUP_POLICIES, COMPRESSION_TYPES, TIMESTAMP_TYPES, type BrokerConfig } from './broker-config.js';
import {
  atLeast,
  between,
  ConfigSource,
  configTypeId,
  formatConfigValue,
  indexDefinitions,
  LONG_MAX_STRING,
  nonEmptySubsetOf,
  oneOf,
  parseConfigValue,
  validator,
  type ConfigDefinition,
  type ConfigSynonym,
  type ConfigValue,
  type DescribedConfig,
} from './config-def.js';
import { ConfigError } from './config-error.js';

export interface TopicConfigDefinition extends ConfigDefinition {
  /** Broker configs that supply the default, highest precedence first (Kafka's ServerTopicConfigSynonyms). */
  readonly synonyms: readonly string[];
  /** The value when a topic has no override; unless given, the first synonym's broker value, else `default`. */
  readonly fromBroker?: (broker: BrokerConfig) => ConfigValue;
}

const THROTTLED_REPLICAS = validator('empty, * or a list of partition:broker pairs', (v) => {
  const items = v as string[];
  return (items.length === 1 && items[0] === '*') || items.every((i) => /^\d+:\d+$/.test(i));
});

// Laid out like BROKER_CONFIG_DEFINITIONS, and kept out of Prettier for the same reason.
// prettier-ignore
export const TOPIC_CONFIG_DEFINITIONS: readonly TopicConfigDefinition[] = [
  {
    name: 'cleanup.policy', type: 'list', default: 'delete', validator: nonEmptySubsetOf(...CLEANUP_POLICIES),
    importance: 'medium', support: 'honoured', synonyms: ['log.cleanup.policy'],
    doc: 'delete applies retention; compact keeps the latest record per key; "compact,delete" does both.',
  },
  {
    name: 'compression.type', type: 'string', default: 'producer', validator: oneOf(...COMPRESSION_TYPES),
    importance: 'medium', support: 'stored', synonyms: ['compression.type'],
    doc: 'Stored, not applied: batches are kept as the producer compressed them.',
  },
  {
    name: 'delete.retention.ms', type: 'long', default: '86400000', validator: atLeast(0),
    importance: 'medium', support: 'honoured', synonyms: ['log.cleaner.delete.retention.ms'],
    doc: 'How long a tombstone survives in a compacted topic, so consumers can see the delete.',
  },
  {
    name: 'file.delete.delay.ms', type: 'long', default: '60000', validator: atLeast(0),
    importance: 'medium', support: 'honoured', synonyms: ['log.segment.delete.delay.ms'],
    doc: 'How long a deleted segment lingers (renamed .deleted) before its files are removed.',
  },
  {
    name: 'flush.messages', type: 'long', default: LONG_MAX_STRING, validator: atLeast(1),
    importance: 'medium', support: 'honoured', synonyms: ['log.flush.interval.messages'],
    doc: 'fsync after this many records; the default leaves flushing to the OS.',
  },
  {
    name: 'flush.ms', type: 'long', default: LONG_MAX_STRING, validator: atLeast(0),
    importance: 'medium', support: 'honoured', synonyms: ['log.flush.interval.ms', 'log.flush.scheduler.interval.ms'],
    fromBroker: (b) => b.logFlushIntervalMs,
    doc: 'fsync when the last flush is older than this; the default leaves flushing to the OS.',
  },
  {
    name: 'follower.replication.throttled.replicas', type: 'list', default: '', validator: THROTTLED_REPLICAS,
    importance: 'medium', support: 'stored', synonyms: [],
    doc: 'Stored, not used: single node, no replication to throttle.',
  },
  {
    name: 'index.interval.bytes', type: 'int', default: '4096', validator: atLeast(0),
    importance: 'medium', support: 'honoured', synonyms: ['log.index.interval.bytes'],
    doc: 'Bytes of log between two offset/time index entries.',
  },
  {
    name: 'leader.replication.throttled.replicas', type: 'list', default: '', validator: THROTTLED_REPLICAS,
    importance: 'medium', support: 'stored', synonyms: [],
    doc: 'Stored, not used: single node, no replication to throttle.',
  },
  {
    name: 'local.retention.bytes', type: 'long', default: '-2', validator: atLeast(-2),
    importance: 'medium', support: 'stored', synonyms: ['log.local.retention.bytes'],
    doc: 'Stored, not used: no tiered storage.',
  },
  {
    name: 'local.retention.ms', type: 'long', default: '-2', validator: atLeast(-2),
    importance: 'medium', support: 'stored', synonyms: ['log.local.retention.ms'],
    doc: 'Stored, not used: no tiered storage.',
  },
  {
    name: 'max.compaction.lag.ms', type: 'long', default: LONG_MAX_STRING, validator: atLeast(1),
    importance: 'medium', support: 'stored', synonyms: ['log.cleaner.max.compaction.lag.ms'],
    doc: 'Stored, not enforced: the longest a record may stay uncompacted.',
  },
  {
    name: 'max.message.bytes', type: 'int', default: '1048588', validator: atLeast(0),
    importance: 'medium', support: 'honoured', synonyms: ['message.max.bytes'],
    doc: 'Largest record batch the topic accepts; larger gets MESSAGE_TOO_LARGE.',
  },
  {
    name: 'message.downconversion.enable', type: 'boolean', default: 'true',
    importance: 'low', support: 'stored', synonyms: ['log.message.downconversion.enable'],
    doc: 'Stored, not used: only record batch v2 is served (removed in Kafka 4.0).',
  },
  {
    name: 'message.format.version', type: 'string', default: '3.0-IV1',
    validator: validator('a Kafka version such as 2.8 or 3.0-IV1', (v) => /^\d+\.\d+(\.\d+)?(-IV\d+)?$/.test(v as string)),
    importance: 'medium', support: 'stored', synonyms: ['log.message.format.version'],
    doc: 'Stored, not used: batches are always written as v2 (removed in Kafka 4.0).',
  },
  {
    name: 'message.timestamp.after.max.ms', type: 'long', default: LONG_MAX_STRING, validator: atLeast(0),
    importance: 'medium', support: 'stored', synonyms: ['log.message.timestamp.after.max.ms'],
    doc: 'Stored, not enforced: how far in the future a CreateTime timestamp may be.',
  },
  {
    name: 'message.timestamp.before.max.ms', type: 'long', default: LONG_MAX_STRING, validator: atLeast(0),
    importance: 'medium', support: 'stored', synonyms: ['log.message.timestamp.before.max.ms'],
    doc: 'Stored, not enforced: how far in the past a CreateTime timestamp may be.',
  },
  {
    name: 'message.timestamp.difference.max.ms', type: 'long', default: LONG_MAX_STRING, validator: atLeast(0),
    importance: 'medium', support: 'stored', synonyms: ['log.message.timestamp.difference.max.ms'],
    doc: 'Stored, not enforced (deprecated in Kafka 3.6, removed in 4.0).',
  },
  {
    name: 'message.timestamp.type', type: 'string', default: 'CreateTime', validator: oneOf(...TIMESTAMP_TYPES),
    importance: 'medium', support: 'honoured', synonyms: ['log.message.timestamp.type'],
    doc: 'CreateTime keeps the producer\'s timestamps; LogAppendTime stamps each batch with the broker\'s clock.',
  },
  {
    name: 'min.cleanable.dirty.ratio', type: 'double', default: '0.5', validator: between(0, 1),
    importance: 'medium', support: 'honoured', synonyms: ['log.cleaner.min.cleanable.ratio'],
    doc: 'Compact once this fraction of the log has not been compacted yet.',
  },
  {
    name: 'min.compaction.lag.ms', type: 'long', default: '0', validator: atLeast(0),
    importance: 'medium', support: 'honoured', synonyms: ['log.cleaner.min.compaction.lag.ms'],
    doc: 'Records younger than this are never compacted away.',
  },
  {
    name: 'min.insync.replicas', type: 'int', default: '1', validator: atLeast(1),
    importance: 'medium', support: 'stored', synonyms: ['min.insync.replicas'],
    doc: 'Stored, not enforced: on a single node the leader is the only in-sync replica.',
  },
  {
    name: 'preallocate', type: 'boolean', default: 'false',
    importance: 'medium', support: 'stored', synonyms: ['log.preallocate'],
    doc: 'Stored, not used: segments grow as written.',
  },
  {
    name: 'remote.storage.enable', type: 'boolean', default: 'false',
    validator: validator('false (tiered storage is not supported)', (v) => v === false),
    importance: 'medium', support: 'stored', synonyms: [],
    doc: 'Must be false: Skein has no tiered storage.',
  },
  {
    name: 'retention.bytes', type: 'long', default: '-1',
    importance: 'medium', support: 'honoured', synonyms: ['log.retention.bytes'],
    doc: 'Delete the oldest segments while a partition is larger than this; -1 for no size limit.',
  },
  {
    name: 'retention.ms', type: 'long', default: '604800000', validator: atLeast(-1),
    importance: 'medium', support: 'honoured', synonyms: ['log.retention.ms', 'log.retention.minutes', 'log.retention.hours'],
    fromBroker: (b) => b.logRetentionMs,
    doc: 'Delete segments whose newest record is older than this; -1 keeps forever.',
  },
  {
    name: 'segment.bytes', type: 'int', default: '1073741824', validator: atLeast(14),
    importance: 'medium', support: 'honoured', synonyms: ['log.segment.bytes'],
    doc: 'Roll to a new segment when the active one would grow past this size.',
  },
  {
    name: 'segment.index.bytes', type: 'int', default: '10485760', validator: atLeast(4),
    importance: 'medium', support: 'honoured', synonyms: ['log.index.size.max.bytes'],
    doc: 'Largest offset or time index file; a full index rolls the segment.',
  },
  {
    name: 'segment.jitter.ms', type: 'long', default: '0', validator: atLeast(0),
    importance: 'medium', support: 'stored', synonyms: ['log.roll.jitter.ms', 'log.roll.jitter.hours'],
    fromBroker: (b) => b.logRollJitterMs,
    doc: 'Stored, not applied: random jitter subtracted from segment.ms.',
  },
  {
    name: 'segment.ms', type: 'long', default: '604800000', validator: atLeast(1),
    importance: 'medium', support: 'honoured', synonyms: ['log.roll.ms', 'log.roll.hours'],
    fromBroker: (b) => b.logRollMs,
    doc: 'Roll the active segment once its first record is this old, even if not full.',
  },
  {
    name: 'unclean.leader.election.enable', type: 'boolean', default: 'false',
    importance: 'medium', support: 'stored', synonyms: ['unclean.leader.election.enable'],
    doc: 'Stored, not used: single node, no leader election.',
  },
];

export const TOPIC_CONFIGS: ReadonlyMap<string, TopicConfigDefinition> = indexDefinitions(TOPIC_CONFIG_DEFINITIONS) as ReadonlyMap<
  string,
  TopicConfigDefinition
>;

export type TopicConfigValidation = { ok: true } | { ok: false; error: { code: typeof ErrorCode.INVALID_CONFIG; message: string } };

/**
 * Check topic configs as given to CreateTopics / AlterConfigs / IncrementalAlterConfigs: every name
 * must be a topic config, every value valid. `broker` supplies the defaults for cross-checks
 * (min.compaction.lag.ms ≤ max.compaction.lag.ms); without it, Kafka's topic defaults are used.
 */
export function validateTopicConfigs(configs: ReadonlyMap<string, string | null>, broker?: BrokerConfig): TopicConfigValidation {
  const invalid = (message: string): TopicConfigValidation => ({
    ok: false,
    error: { code: ErrorCode.INVALID_CONFIG, message },
  });
  const parsed = new Map<string, ConfigValue>();
  for (const [name, value] of configs) {
    const def = TOPIC_CONFIGS.get(name);
    if (!def) return invalid(`Unknown topic config name: ${name}`);
    if (value === null) return invalid(`Null value not supported for topic config ${name}`);
    try {
      parsed.set(name, parseConfigValue(def, value));
    } catch (err) {
      if (err instanceof ConfigError) return invalid(err.message);
      throw err;
    }
  }
  const effective = (name: string): number => (parsed.get(name) ?? (broker ? brokerDefault(TOPIC_CONFIGS.get(name)!, broker) : topicDefault(name))) as number;
  const minLag = effective('min.compaction.lag.ms');
  const maxLag = effective('max.compaction.lag.ms');
  if (minLag > maxLag) {
    return invalid(`min.compaction.lag.ms (${minLag}) must not be greater than max.compaction.lag.ms (${maxLag})`);
  }
  return { ok: true };
}

/**
 * The LogConfig a partition of a topic runs with: its overrides on top of the broker's defaults.
 * Overrides should have passed validateTopicConfigs; an invalid one throws ConfigError, and a name
 * that is not a topic config is ignored.
 */
export function effectiveLogConfig(broker: BrokerConfig, overrides: ReadonlyMap<string, string>): LogConfig {
  const num = (name: string): number => effectiveValue(name, broker, overrides) as number;
  return {
    segmentBytes: num('segment.bytes'),
    segmentMs: num('segment.ms'),
    segmentIndexBytes: num('segment.index.bytes'),
    indexIntervalBytes: num('index.interval.bytes'),
    retentionMs: num('retention.ms'),
    retentionBytes: num('retention.bytes'),
    flushMessages: num('flush.messages'),
    flushMs: num('flush.ms'),
    messageTimestampType: effectiveValue('message.timestamp.type', broker, overrides) as LogConfig['messageTimestampType'],
    maxMessageBytes: num('max.message.bytes'),
    cleanupPolicy: effectiveValue('cleanup.policy', broker, overrides) as LogConfig['cleanupPolicy'],
    deleteRetentionMs: num('delete.retention.ms'),
    minCompactionLagMs: num('min.compaction.lag.ms'),
    minCleanableDirtyRatio: num('min.cleanable.dirty.ratio'),
    fileDeleteDelayMs: num('file.delete.delay.ms'),
  };
}

/**
 * DescribeConfigs for a topic resource: every topic config, sorted by name, with its effective value,
 * source (TOPIC_CONFIG, STATIC_BROKER_CONFIG or DEFAULT_CONFIG), synonyms, type and documentation.
 * Override names that are not topic configs are left out.
 */
export function describeTopicConfigs(broker: BrokerConfig, overrides: ReadonlyMap<string, string>): DescribedConfig[] {
  return [...TOPIC_CONFIG_DEFINITIONS]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((def) => {
      const value = formatConfigValue(def.type, effectiveValue(def.name, broker, overrides));
      const synonyms: ConfigSynonym[] = [];
      if (overrides.has(def.name)) synonyms.push({ name: def.name, value, source: ConfigSource.TOPIC_CONFIG });
      for (const name of def.synonyms) {
        const brokerValue = broker.values.get(name);
        if (broker.static.has(name) && brokerValue !== undefined) {
          const brokerDef = BROKER_CONFIGS.get(name)!;
          synonyms.push({ name, value: formatConfigValue(brokerDef.type, brokerValue), source: ConfigSource.STATIC_BROKER_CONFIG });
        }
      }
      for (const name of def.synonyms) {
        const brokerDef = BROKER_CONFIGS.get(name)!;
        if (brokerDef.default !== null) {
          const dflt = formatConfigValue(brokerDef.type, parseConfigValue(brokerDef, brokerDef.default));
          synonyms.push({ name, value: dflt, source: ConfigSource.DEFAULT_CONFIG });
        }
      }
      return {
        name: def.name,
        value,
        source: synonyms[0]?.source ?? ConfigSource.DEFAULT_CONFIG,
        readOnly: false,
        isSensitive: false,
        synonyms,
        type: configTypeId(def.type),
        documentation: def.doc,
      };
    });
}

function effectiveValue(name: string, broker: BrokerConfig, overrides: ReadonlyMap<string, string>): ConfigValue {
  const def = TOPIC_CONFIGS.get(name)!;
  const override = overrides.get(name);
  const value = override !== undefined ? parseConfigValue(def, override, 'topic override') : brokerDefault(def, broker);
  return Array.isArray(value) ? [...value] : value; // never hand out the broker's own list
}

function brokerDefault(def: TopicConfigDefinition, broker: BrokerConfig): ConfigValue {
  if (def.fromBroker) return def.fromBroker(broker);
  const fromSynonym = def.synonyms.length > 0 ? broker.values.get(def.synonyms[0]) : undefined;
  return fromSynonym ?? topicDefault(def.name);
}

function topicDefault(name: string): ConfigValue {
  const def = TOPIC_CONFIGS.get(name)!;
  return parseConfigValue(def, def.default as string);
}
