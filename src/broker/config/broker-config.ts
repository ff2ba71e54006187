/**
 * Kafka's broker configuration names, defaults and validation, as a table; `loadBrokerConfig`
 * turns `server.properties` plus `--override`s into a typed `BrokerConfig`, whose fields are the
 * table's (typed from it: adding a config is adding its line) plus a few derived ones.
 *
 * Defaults are Kafka 3.9's. What a single node changes:
 * - node.id / broker.id default to 1 (Kafka requires one in KRaft mode); -1 means "not set".
 * - Replication settings (default.replication.factor, offsets.topic.replication.factor,
 *   transaction.state.log.replication.factor, transaction.state.log.min.isr) are accepted and
 *   clamped to 1, with a warning when the file asks for more: Kafka would fail to create its
 *   internal topics on one broker, Skein creates them with the only replica there is.
 * - PLAINTEXT listeners only; a listener whose security protocol is SSL or SASL_* is an error.
 *   Listeners named in controller.listener.names are skipped with a warning (no separate
 *   controller), so Kafka's own KRaft `server.properties` loads unchanged.
 * - An advertised address is never 0.0.0.0: a listener with an empty or wildcard host advertises
 *   127.0.0.1 (Kafka would advertise the machine's canonical host name).
 * - Configs Kafka has and Skein does not act on (threads, socket buffers, quotas, ...) are accepted
 *   and listed in `BrokerConfig.ignored`; unknown keys are accepted with a warning, as Kafka logs
 *   configs it does not know.
 * - Nothing is dynamic: every broker config is read-only once started.
 */
import { INT32_MAX } from '../../protocol/constants.js';
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
  camelCase,
  type ConfigDefinition,
  type ConfigFields,
  type ConfigSynonym,
  type ConfigValue,
  type DescribedConfig,
} from './config-def.js';
import { ConfigError } from './config-error.js';

const INT_MAX = String(INT32_MAX);

/** Kafka's BrokerCompressionType names; `none` is accepted as the producer-side spelling of uncompressed. */
export const COMPRESSION_TYPES = ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer', 'none'] as const;
export const TIMESTAMP_TYPES = ['CreateTime', 'LogAppendTime'] as const;
export const CLEANUP_POLICIES = ['delete', 'compact'] as const;

const SINGLE_NODE = 'single node: there is nothing to replicate';
const ONE_LOOP = 'the broker runs on one event loop';

// One definition per block, its short attributes on one line as in Kafka's ConfigDef tables: kept
// out of Prettier, which would put each attribute on a line of its own (~600 more lines).
// prettier-ignore
export const BROKER_CONFIG_DEFINITIONS = [
  // ---- identity and network --------------------------------------------------------------------
  {
    name: 'node.id', type: 'int', default: null, validator: atLeast(-1), importance: 'high', support: 'honoured',
    doc: 'This broker\'s id in Metadata responses; if unset, broker.id, and if neither is set, 1.',
  },
  {
    name: 'broker.id', type: 'int', default: null, validator: atLeast(-1), importance: 'high', support: 'honoured',
    doc: 'Older name of node.id; both may be set only to the same id. -1 means unset.',
  },
  {
    name: 'cluster.id', type: 'string', default: null,
    validator: validator('an id without blanks or commas', (v) => /^[^\s,]+$/.test(v as string)),
    importance: 'medium', support: 'honoured',
    doc: 'Cluster id reported in Metadata; optional (Kafka keeps it in meta.properties rather than here).',
  },
  {
    name: 'listeners', type: 'list', default: 'PLAINTEXT://:9092', importance: 'high', support: 'honoured',
    doc: 'Comma-separated NAME://host:port addresses to listen on; an empty host listens on all interfaces, port 0 picks a free port. PLAINTEXT only.',
  },
  {
    name: 'advertised.listeners', type: 'list', default: null, importance: 'high', support: 'honoured',
    doc: 'Addresses given to clients in Metadata, by listener name; defaults to listeners, with an empty or 0.0.0.0 host advertised as 127.0.0.1.',
  },
  {
    name: 'listener.security.protocol.map', type: 'list',
    default: 'PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL',
    importance: 'low', support: 'honoured',
    doc: 'NAME:PROTOCOL pairs giving each listener name its security protocol; only PLAINTEXT listeners can start.',
  },
  {
    name: 'controller.listener.names', type: 'list', default: null, importance: 'high', support: 'honoured',
    doc: 'Listeners with these names are skipped (with a warning): Skein has no separate KRaft controller.',
  },
  {
    name: 'socket.request.max.bytes', type: 'int', default: '104857600', validator: atLeast(1),
    importance: 'high', support: 'honoured',
    doc: 'Largest request frame accepted; a larger size prefix closes the connection.',
  },
  // ---- topics and the log ----------------------------------------------------------------------
  {
    name: 'log.dirs', type: 'list', default: null, importance: 'high', support: 'honoured',
    doc: 'Directory for partition data; if unset, log.dir. Skein uses one directory: further entries are ignored with a warning.',
  },
  {
    name: 'log.dir', type: 'list', default: '/tmp/kafka-logs', importance: 'high', support: 'honoured',
    doc: 'Data directory used when log.dirs is not set.',
  },
  {
    name: 'num.partitions', type: 'int', default: '1', validator: atLeast(1), importance: 'medium', support: 'honoured',
    doc: 'Partitions of an auto-created topic, and of CreateTopics asking for -1.',
  },
  {
    name: 'default.replication.factor', type: 'int', default: '1', validator: atLeast(1), importance: 'medium', support: 'honoured',
    doc: 'Replication factor of auto-created topics; values above 1 are clamped to 1 with a warning (single node).',
  },
  {
    name: 'auto.create.topics.enable', type: 'boolean', default: 'true', importance: 'high', support: 'honoured',
    doc: 'Create a topic when a client asks Metadata for one that does not exist.',
  },
  {
    name: 'delete.topic.enable', type: 'boolean', default: 'true', importance: 'high', support: 'honoured',
    doc: 'Allow DeleteTopics; when false it answers TOPIC_DELETION_DISABLED.',
  },
  {
    name: 'message.max.bytes', type: 'int', default: '1048588', validator: atLeast(0), importance: 'high', support: 'honoured',
    doc: 'Largest record batch a topic accepts (topic override: max.message.bytes).',
  },
  {
    name: 'log.segment.bytes', type: 'int', default: '1073741824', validator: atLeast(14), importance: 'high', support: 'honoured',
    doc: 'Roll to a new segment when the active one would grow past this size (topic: segment.bytes).',
  },
  {
    name: 'log.roll.ms', type: 'long', default: null, validator: atLeast(1), importance: 'high', support: 'honoured',
    doc: 'Roll a segment once its first record is this old; if unset, log.roll.hours (topic: segment.ms).',
  },
  {
    name: 'log.roll.hours', type: 'int', default: '168', validator: atLeast(1), importance: 'high', support: 'honoured',
    doc: 'log.roll.ms in hours, used when log.roll.ms is not set.',
  },
  {
    name: 'log.roll.jitter.ms', type: 'long', default: null, validator: atLeast(0), importance: 'high', support: 'stored',
    doc: 'Random jitter subtracted from the roll time; stored, not applied (topic: segment.jitter.ms).',
  },
  {
    name: 'log.roll.jitter.hours', type: 'int', default: '0', validator: atLeast(0), importance: 'high', support: 'stored',
    doc: 'log.roll.jitter.ms in hours; stored, not applied.',
  },
  {
    name: 'log.retention.ms', type: 'long', default: null, importance: 'high', support: 'honoured',
    doc: 'Delete segments whose newest record is older than this; -1 keeps forever. Takes precedence over log.retention.minutes and log.retention.hours (topic: retention.ms).',
  },
  {
    name: 'log.retention.minutes', type: 'int', default: null, importance: 'high', support: 'honoured',
    doc: 'Retention in minutes, used when log.retention.ms is not set.',
  },
  {
    name: 'log.retention.hours', type: 'int', default: '168', importance: 'high', support: 'honoured',
    doc: 'Retention in hours, used when neither log.retention.ms nor log.retention.minutes is set.',
  },
  {
    name: 'log.retention.bytes', type: 'long', default: '-1', importance: 'high', support: 'honoured',
    doc: 'Delete the oldest segments while a partition is larger than this; -1 for no size limit (topic: retention.bytes).',
  },
  {
    name: 'log.retention.check.interval.ms', type: 'long', default: '300000', validator: atLeast(1), importance: 'medium', support: 'honoured',
    doc: 'How often retention is applied to every partition.',
  },
  {
    name: 'log.index.interval.bytes', type: 'int', default: '4096', validator: atLeast(0), importance: 'medium', support: 'honoured',
    doc: 'Bytes of log between two offset/time index entries (topic: index.interval.bytes).',
  },
  {
    name: 'log.index.size.max.bytes', type: 'int', default: '10485760', validator: atLeast(4), importance: 'medium', support: 'honoured',
    doc: 'Largest offset or time index file; a full index rolls the segment (topic: segment.index.bytes).',
  },
  {
    name: 'log.flush.interval.messages', type: 'long', default: LONG_MAX_STRING, validator: atLeast(1), importance: 'high', support: 'honoured',
    doc: 'fsync a partition after this many records; the default leaves flushing to the OS (topic: flush.messages).',
  },
  {
    name: 'log.flush.interval.ms', type: 'long', default: null, validator: atLeast(0), importance: 'high', support: 'honoured',
    doc: 'fsync a partition when its last flush is older than this; if unset, log.flush.scheduler.interval.ms (topic: flush.ms).',
  },
  {
    name: 'log.flush.scheduler.interval.ms', type: 'long', default: LONG_MAX_STRING, importance: 'high', support: 'honoured',
    doc: 'How often partitions are checked for a due time-based flush; also the flush.ms default when log.flush.interval.ms is unset.',
  },
  {
    name: 'log.flush.offset.checkpoint.interval.ms', type: 'int', default: '60000', validator: atLeast(0), importance: 'high', support: 'ignored',
    doc: 'Ignored: Skein finds its recovery point from the log itself.',
  },
  {
    name: 'log.flush.start.offset.checkpoint.interval.ms', type: 'int', default: '60000', validator: atLeast(0), importance: 'high', support: 'ignored',
    doc: 'Ignored: Skein finds its recovery point from the log itself.',
  },
  {
    name: 'log.message.timestamp.type', type: 'string', default: 'CreateTime', validator: oneOf(...TIMESTAMP_TYPES),
    importance: 'medium', support: 'honoured',
    doc: 'CreateTime keeps the producer\'s timestamps; LogAppendTime stamps batches with the broker\'s clock (topic: message.timestamp.type).',
  },
  {
    name: 'log.message.timestamp.difference.max.ms', type: 'long', default: LONG_MAX_STRING, validator: atLeast(0), importance: 'medium', support: 'stored',
    doc: 'Stored, not enforced (deprecated in Kafka 3.6, removed in 4.0).',
  },
  {
    name: 'log.message.timestamp.before.max.ms', type: 'long', default: LONG_MAX_STRING, validator: atLeast(0), importance: 'medium', support: 'stored',
    doc: 'Stored, not enforced: how far in the past a CreateTime timestamp may be.',
  },
  {
    name: 'log.message.timestamp.after.max.ms', type: 'long', default: LONG_MAX_STRING, validator: atLeast(0), importance: 'medium', support: 'stored',
    doc: 'Stored, not enforced: how far in the future a CreateTime timestamp may be (Kafka 4.0 defaults it to one hour).',
  },
  {
    name: 'log.message.format.version', type: 'string', default: '3.0-IV1', importance: 'medium', support: 'stored',
    doc: 'Stored, not used: Skein always writes record batch v2 (removed in Kafka 4.0).',
  },
  {
    name: 'log.message.downconversion.enable', type: 'boolean', default: 'true', importance: 'low', support: 'stored',
    doc: 'Stored, not used: Skein serves only record batch v2 (removed in Kafka 4.0).',
  },
  {
    name: 'log.preallocate', type: 'boolean', default: 'false', importance: 'medium', support: 'stored',
    doc: 'Stored, not used: segments grow as written.',
  },
  {
    name: 'log.cleanup.policy', type: 'list', default: 'delete', validator: nonEmptySubsetOf(...CLEANUP_POLICIES),
    importance: 'medium', support: 'honoured',
    doc: 'delete applies retention, compact keeps the latest record per key; both may be given (topic: cleanup.policy).',
  },
  {
    name: 'log.cleaner.enable', type: 'boolean', default: 'true', importance: 'medium', support: 'honoured',
    doc: 'Run the log cleaner for compacted topics, including __consumer_offsets and __transaction_state.',
  },
  {
    name: 'log.cleaner.delete.retention.ms', type: 'long', default: '86400000', validator: atLeast(0), importance: 'medium', support: 'honoured',
    doc: 'How long tombstones survive compaction (topic: delete.retention.ms).',
  },
  {
    name: 'log.cleaner.min.compaction.lag.ms', type: 'long', default: '0', validator: atLeast(0), importance: 'medium', support: 'honoured',
    doc: 'Records younger than this are never compacted (topic: min.compaction.lag.ms).',
  },
  {
    name: 'log.cleaner.max.compaction.lag.ms', type: 'long', default: LONG_MAX_STRING, validator: atLeast(1), importance: 'medium', support: 'stored',
    doc: 'Stored, not enforced: the longest a record may stay uncompacted (topic: max.compaction.lag.ms).',
  },
  {
    name: 'log.cleaner.min.cleanable.ratio', type: 'double', default: '0.5', validator: between(0, 1), importance: 'medium', support: 'honoured',
    doc: 'Compact a partition once this fraction of its log is dirty (topic: min.cleanable.dirty.ratio).',
  },
  {
    name: 'log.cleaner.backoff.ms', type: 'long', default: '15000', validator: atLeast(0), importance: 'medium', support: 'honoured',
    doc: 'Pause between cleaner passes when nothing is cleanable.',
  },
  {
    name: 'log.cleaner.threads', type: 'int', default: '1', validator: atLeast(0), importance: 'medium', support: 'ignored',
    doc: `Ignored: ${ONE_LOOP}.`,
  },
  {
    name: 'log.cleaner.dedupe.buffer.size', type: 'long', default: '134217728', importance: 'medium', support: 'ignored',
    doc: 'Ignored: the cleaner sizes its key map itself.',
  },
  {
    name: 'log.cleaner.io.buffer.size', type: 'int', default: '524288', validator: atLeast(0), importance: 'medium', support: 'ignored',
    doc: 'Ignored.',
  },
  {
    name: 'log.cleaner.io.buffer.load.factor', type: 'double', default: '0.9', importance: 'medium', support: 'ignored',
    doc: 'Ignored.',
  },
  {
    name: 'log.cleaner.io.max.bytes.per.second', type: 'double', default: '1.7976931348623157E308', importance: 'medium', support: 'ignored',
    doc: 'Ignored: the cleaner is not throttled.',
  },
  {
    name: 'log.segment.delete.delay.ms', type: 'long', default: '60000', validator: atLeast(0), importance: 'high', support: 'honoured',
    doc: 'A deleted segment lingers, renamed .deleted, this long before its files are removed (topic: file.delete.delay.ms).',
  },
  {
    name: 'log.local.retention.ms', type: 'long', default: '-2', validator: atLeast(-2), importance: 'medium', support: 'stored',
    doc: 'Stored, not used: Skein has no tiered storage.',
  },
  {
    name: 'log.local.retention.bytes', type: 'long', default: '-2', validator: atLeast(-2), importance: 'medium', support: 'stored',
    doc: 'Stored, not used: Skein has no tiered storage.',
  },
  {
    name: 'min.insync.replicas', type: 'int', default: '1', validator: atLeast(1), importance: 'high', support: 'stored',
    doc: 'Stored, not enforced: on a single node the leader is the only replica and always in sync.',
  },
  {
    name: 'compression.type', type: 'string', default: 'producer', validator: oneOf(...COMPRESSION_TYPES), importance: 'high', support: 'stored',
    doc: 'Stored, not applied: batches are kept as the producer compressed them (as with Kafka\'s "producer").',
  },
  {
    name: 'unclean.leader.election.enable', type: 'boolean', default: 'false', importance: 'high', support: 'stored',
    doc: 'Stored, not used: single node, no leader election.',
  },
  // ---- group coordinator -----------------------------------------------------------------------
  {
    name: 'offsets.topic.num.partitions', type: 'int', default: '50', validator: atLeast(1), importance: 'high', support: 'honoured',
    doc: 'Partitions of __consumer_offsets; do not change it once the topic exists.',
  },
  {
    name: 'offsets.topic.replication.factor', type: 'short', default: '3', validator: atLeast(1), importance: 'high', support: 'honoured',
    doc: '__consumer_offsets is always created with replication factor 1 (single node); a larger value is clamped with a warning.',
  },
  {
    name: 'offsets.topic.segment.bytes', type: 'int', default: '104857600', validator: atLeast(1), importance: 'high', support: 'honoured',
    doc: 'segment.bytes of __consumer_offsets.',
  },
  {
    name: 'offsets.retention.minutes', type: 'int', default: '10080', validator: atLeast(1), importance: 'high', support: 'honoured',
    doc: 'Committed offsets of an empty group (or of a partition no longer subscribed) are dropped after this long.',
  },
  {
    name: 'offsets.retention.check.interval.ms', type: 'long', default: '600000', validator: atLeast(1), importance: 'high', support: 'honoured',
    doc: 'How often expired offsets are looked for.',
  },
  {
    name: 'offsets.commit.timeout.ms', type: 'int', default: '5000', validator: atLeast(1), importance: 'high', support: 'honoured',
    doc: 'Longest an offset commit waits for its write to __consumer_offsets.',
  },
  {
    name: 'offsets.load.buffer.size', type: 'int', default: '5242880', validator: atLeast(1), importance: 'high', support: 'ignored',
    doc: 'Ignored.',
  },
  {
    name: 'offsets.topic.compression.codec', type: 'int', default: '0', importance: 'high', support: 'ignored',
    doc: 'Ignored: offset commits are written uncompressed.',
  },
  {
    name: 'offset.metadata.max.bytes', type: 'int', default: '4096', importance: 'high', support: 'honoured',
    doc: 'Longest metadata string an offset commit may carry; longer gets OFFSET_METADATA_TOO_LARGE.',
  },
  {
    name: 'group.initial.rebalance.delay.ms', type: 'int', default: '3000', validator: atLeast(0), importance: 'medium', support: 'honoured',
    doc: 'How long a new (empty) group waits for more members before its first rebalance.',
  },
  {
    name: 'group.min.session.timeout.ms', type: 'int', default: '6000', importance: 'medium', support: 'honoured',
    doc: 'Smallest session timeout a member may ask for; smaller gets INVALID_SESSION_TIMEOUT.',
  },
  {
    name: 'group.max.session.timeout.ms', type: 'int', default: '1800000', importance: 'medium', support: 'honoured',
    doc: 'Largest session timeout a member may ask for; larger gets INVALID_SESSION_TIMEOUT.',
  },
  {
    name: 'group.max.size', type: 'int', default: INT_MAX, validator: atLeast(1), importance: 'medium', support: 'honoured',
    doc: 'Most members a group may have; more get GROUP_MAX_SIZE_REACHED.',
  },
  {
    name: 'group.coordinator.rebalance.protocols', type: 'list', default: 'classic,consumer,streams', importance: 'medium', support: 'ignored',
    doc: 'Ignored: Skein implements the classic group protocol only.',
  },
  // ---- transactions and producer state ---------------------------------------------------------
  {
    name: 'transaction.state.log.num.partitions', type: 'int', default: '50', validator: atLeast(1), importance: 'high', support: 'honoured',
    doc: 'Partitions of __transaction_state; do not change it once the topic exists.',
  },
  {
    name: 'transaction.state.log.replication.factor', type: 'short', default: '3', validator: atLeast(1), importance: 'high', support: 'honoured',
    doc: '__transaction_state is always created with replication factor 1 (single node); a larger value is clamped with a warning.',
  },
  {
    name: 'transaction.state.log.min.isr', type: 'int', default: '2', validator: atLeast(1), importance: 'high', support: 'honoured',
    doc: 'Treated as 1 (single node); a larger value is clamped with a warning.',
  },
  {
    name: 'transaction.state.log.segment.bytes', type: 'int', default: '104857600', validator: atLeast(1), importance: 'high', support: 'honoured',
    doc: 'segment.bytes of __transaction_state.',
  },
  {
    name: 'transaction.state.log.load.buffer.size', type: 'int', default: '5242880', validator: atLeast(1), importance: 'high', support: 'ignored',
    doc: 'Ignored.',
  },
  {
    name: 'transaction.max.timeout.ms', type: 'int', default: '900000', validator: atLeast(1), importance: 'high', support: 'honoured',
    doc: 'Largest transaction timeout a producer may ask for; larger gets INVALID_TRANSACTION_TIMEOUT.',
  },
  {
    name: 'transactional.id.expiration.ms', type: 'int', default: '604800000', validator: atLeast(1), importance: 'high', support: 'honoured',
    doc: 'A transactional id with no transaction activity for this long is forgotten.',
  },
  {
    name: 'transaction.abort.timed.out.transaction.cleanup.interval.ms', type: 'int', default: '10000', validator: atLeast(1),
    importance: 'low', support: 'honoured',
    doc: 'How often open transactions past their timeout are looked for and aborted.',
  },
  {
    name: 'transaction.remove.expired.transaction.cleanup.interval.ms', type: 'int', default: '3600000', validator: atLeast(1),
    importance: 'low', support: 'honoured',
    doc: 'How often expired transactional ids are removed.',
  },
  {
    name: 'transaction.partition.verification.enable', type: 'boolean', default: 'true', importance: 'low', support: 'ignored',
    doc: 'Ignored.',
  },
  {
    name: 'producer.id.expiration.ms', type: 'int', default: '86400000', validator: atLeast(1), importance: 'low', support: 'honoured',
    doc: 'A partition forgets an idle producer id (not in a transaction) after this long.',
  },
  {
    name: 'producer.id.expiration.check.interval.ms', type: 'int', default: '600000', validator: atLeast(1), importance: 'low', support: 'honoured',
    doc: 'How often expired producer ids are removed.',
  },
  // ---- accepted so that a Kafka server.properties loads; no effect ------------------------------
  { name: 'num.network.threads', type: 'int', default: '3', validator: atLeast(1), importance: 'high', support: 'ignored', doc: `Ignored: ${ONE_LOOP}.` },
  { name: 'num.io.threads', type: 'int', default: '8', validator: atLeast(1), importance: 'high', support: 'ignored', doc: `Ignored: ${ONE_LOOP}.` },
  { name: 'background.threads', type: 'int', default: '10', validator: atLeast(1), importance: 'high', support: 'ignored', doc: `Ignored: ${ONE_LOOP}.` },
  { name: 'num.recovery.threads.per.data.dir', type: 'int', default: '1', validator: atLeast(1), importance: 'high', support: 'ignored', doc: `Ignored: ${ONE_LOOP}.` },
  { name: 'num.replica.fetchers', type: 'int', default: '1', importance: 'high', support: 'ignored', doc: `Ignored: ${SINGLE_NODE}.` },
  { name: 'replica.lag.time.max.ms', type: 'long', default: '30000', importance: 'high', support: 'ignored', doc: `Ignored: ${SINGLE_NODE}.` },
  { name: 'queued.max.requests', type: 'int', default: '500', validator: atLeast(1), importance: 'high', support: 'ignored', doc: 'Ignored: requests are handled in arrival order per connection.' },
  { name: 'socket.send.buffer.bytes', type: 'int', default: '102400', importance: 'high', support: 'ignored', doc: 'Ignored: the OS socket buffer sizes are used.' },
  { name: 'socket.receive.buffer.bytes', type: 'int', default: '102400', importance: 'high', support: 'ignored', doc: 'Ignored: the OS socket buffer sizes are used.' },
  { name: 'socket.listen.backlog.size', type: 'int', default: '50', validator: atLeast(1), importance: 'medium', support: 'ignored', doc: 'Ignored: Node\'s default backlog is used.' },
  { name: 'connections.max.idle.ms', type: 'long', default: '600000', importance: 'medium', support: 'ignored', doc: 'Ignored.' },
  { name: 'max.connections', type: 'int', default: INT_MAX, validator: atLeast(0), importance: 'medium', support: 'ignored', doc: 'Ignored: connections are not limited.' },
  { name: 'max.connections.per.ip', type: 'int', default: INT_MAX, validator: atLeast(0), importance: 'medium', support: 'ignored', doc: 'Ignored: connections are not limited.' },
  { name: 'auto.leader.rebalance.enable', type: 'boolean', default: 'true', importance: 'high', support: 'ignored', doc: `Ignored: ${SINGLE_NODE}.` },
  { name: 'controlled.shutdown.enable', type: 'boolean', default: 'true', importance: 'medium', support: 'ignored', doc: `Ignored: ${SINGLE_NODE}.` },
  { name: 'process.roles', type: 'list', default: '', importance: 'high', support: 'ignored', doc: 'Ignored: Skein is broker and controller in one process.' },
  { name: 'controller.quorum.voters', type: 'list', default: '', importance: 'high', support: 'ignored', doc: 'Ignored: no KRaft quorum.' },
  { name: 'controller.quorum.bootstrap.servers', type: 'list', default: '', importance: 'high', support: 'ignored', doc: 'Ignored: no KRaft quorum.' },
  { name: 'metadata.log.dir', type: 'string', default: null, importance: 'high', support: 'ignored', doc: 'Ignored: no KRaft metadata log.' },
  { name: 'inter.broker.listener.name', type: 'string', default: null, importance: 'medium', support: 'ignored', doc: `Ignored: ${SINGLE_NODE}.` },
  { name: 'security.inter.broker.protocol', type: 'string', default: 'PLAINTEXT', importance: 'medium', support: 'ignored', doc: `Ignored: ${SINGLE_NODE}.` },
  { name: 'inter.broker.protocol.version', type: 'string', default: null, importance: 'medium', support: 'ignored', doc: `Ignored: ${SINGLE_NODE}.` },
  { name: 'zookeeper.connect', type: 'string', default: null, importance: 'high', support: 'ignored', doc: 'Ignored: Skein needs no ZooKeeper.' },
  { name: 'zookeeper.connection.timeout.ms', type: 'int', default: null, importance: 'high', support: 'ignored', doc: 'Ignored: Skein needs no ZooKeeper.' },
  { name: 'share.coordinator.state.topic.replication.factor', type: 'short', default: '3', importance: 'medium', support: 'ignored', doc: 'Ignored: no share groups.' },
  { name: 'share.coordinator.state.topic.min.isr', type: 'short', default: '2', importance: 'medium', support: 'ignored', doc: 'Ignored: no share groups.' },
  { name: 'authorizer.class.name', type: 'string', default: '', importance: 'low', support: 'ignored', doc: 'Ignored: no ACLs; every client may do everything.' },
  { name: 'create.topic.policy.class.name', type: 'class', default: null, importance: 'low', support: 'ignored', doc: 'Ignored: no pluggable policies.' },
  { name: 'alter.config.policy.class.name', type: 'class', default: null, importance: 'low', support: 'ignored', doc: 'Ignored: no pluggable policies.' },
  { name: 'ssl.keystore.password', type: 'password', default: null, importance: 'high', support: 'ignored', doc: 'Ignored: no TLS.' },
  { name: 'ssl.key.password', type: 'password', default: null, importance: 'high', support: 'ignored', doc: 'Ignored: no TLS.' },
  { name: 'ssl.truststore.password', type: 'password', default: null, importance: 'high', support: 'ignored', doc: 'Ignored: no TLS.' },
  { name: 'sasl.jaas.config', type: 'password', default: null, importance: 'medium', support: 'ignored', doc: 'Ignored: no SASL.' },
] as const satisfies readonly ConfigDefinition[];

export const BROKER_CONFIGS: ReadonlyMap<string, ConfigDefinition> = indexDefinitions(BROKER_CONFIG_DEFINITIONS);

/** Families of Kafka configs that cannot apply to Skein: set, they get a warning naming the reason. */
const IGNORED_PREFIXES: ReadonlyArray<readonly [string, string]> = [
  ['ssl.', 'no TLS: Skein speaks PLAINTEXT only'],
  ['sasl.', 'no SASL: Skein has no authentication'],
  ['listener.name.', 'per-listener TLS/SASL settings do not apply to PLAINTEXT'],
  ['controller.', 'Skein has no separate KRaft controller'],
  ['zookeeper.', 'Skein needs no ZooKeeper'],
  ['remote.log.', 'Skein has no tiered storage'],
  ['replica.', SINGLE_NODE],
  ['quota.', 'Skein has no client quotas'],
  ['metric.', 'Skein exports no JMX metrics'],
  ['metrics.', 'Skein exports no JMX metrics'],
  ['share.', 'share groups (KIP-932) are not implemented'],
  ['group.share.', 'share groups (KIP-932) are not implemented'],
  ['group.consumer.', 'only the classic group protocol is implemented (KIP-848 is not)'],
  ['group.streams.', 'only the classic group protocol is implemented (KIP-1071 is not)'],
  ['confluent.', 'Confluent Platform settings do not apply'],
];

export interface Listener {
  /** Listener name, upper-cased as Kafka normalises it. */
  name: string;
  /** '' (all interfaces), a host name, or an IP address (IPv6 without brackets). */
  host: string;
  /** 0 asks for a free port; in an advertised listener, 0 means "the port actually bound". */
  port: number;
}

/**
 * Configs read only through a derived field below (two names for one setting, a unit to convert, a
 * clamp): they get no field of their own, so that nobody reads half of a setting.
 */
export const DERIVATION_INPUTS = [
  'node.id',
  'broker.id',
  'listeners',
  'advertised.listeners',
  'listener.security.protocol.map',
  'controller.listener.names',
  'log.dirs',
  'log.dir',
  'log.roll.ms',
  'log.roll.hours',
  'log.roll.jitter.ms',
  'log.roll.jitter.hours',
  'log.retention.ms',
  'log.retention.minutes',
  'log.retention.hours',
  'log.flush.interval.ms',
  'offsets.retention.minutes',
  'default.replication.factor',
  'offsets.topic.replication.factor',
  'transaction.state.log.replication.factor',
  'transaction.state.log.min.isr',
] as const satisfies ReadonlyArray<(typeof BROKER_CONFIG_DEFINITIONS)[number]['name']>;
const derivationInputs: ReadonlySet<string> = new Set(DERIVATION_INPUTS);

/** The definitions that are fields of BrokerConfig as they are: honoured or stored, not derived. */
type FieldDefinition = Exclude<
  (typeof BROKER_CONFIG_DEFINITIONS)[number],
  { readonly support: 'ignored' } | { readonly name: (typeof DERIVATION_INPUTS)[number] }
>;

const FIELD_DEFINITIONS: readonly ConfigDefinition[] = BROKER_CONFIG_DEFINITIONS.filter((d) => d.support !== 'ignored' && !derivationInputs.has(d.name));

/** What is worked out from several configs, or clamped: logic rather than a lookup in the table. */
export interface DerivedBrokerConfig {
  /** node.id, else broker.id, else 1. */
  nodeId: number;
  /** PLAINTEXT listeners to bind, controller listeners removed. */
  listeners: Listener[];
  /** One per listener, same order: what Metadata tells clients. Never 0.0.0.0 or ''. */
  advertisedListeners: Listener[];
  /** The data directory (the first of log.dirs, else of log.dir). */
  logDir: string;
  /** log.roll.ms, else log.roll.hours in ms. */
  logRollMs: number;
  /** log.roll.jitter.ms, else log.roll.jitter.hours in ms. */
  logRollJitterMs: number;
  /** log.retention.ms, else .minutes, else .hours, in ms; any negative becomes -1 (forever). */
  logRetentionMs: number;
  /** log.flush.interval.ms, else log.flush.scheduler.interval.ms. */
  logFlushIntervalMs: number;
  /** offsets.retention.minutes in ms. */
  offsetsRetentionMs: number;
  /** Always 1: clamped (single node). */
  defaultReplicationFactor: number;
  /** Always 1: clamped (single node). */
  offsetsTopicReplicationFactor: number;
  /** Always 1: clamped (single node). */
  transactionStateLogReplicationFactor: number;
  /** Always 1: clamped (single node). */
  transactionStateLogMinIsr: number;
}

/** Where the values came from, for DescribeConfigs and for the startup log. */
export interface BrokerConfigSources {
  /** Every defined broker config's value (given, else default), by Kafka name; absent when neither. */
  values: ReadonlyMap<string, ConfigValue>;
  /** Known configs given in server.properties or --override, trimmed, by Kafka name. */
  static: ReadonlyMap<string, string>;
  /** Things the user should read at startup: unknown keys, clamps, skipped listeners. */
  warnings: string[];
  /** Keys given that Skein accepts and does nothing with (see each one's doc). */
  ignored: string[];
}

/**
 * A broker's configuration, typed and with every default and derivation applied: one field per
 * honoured or stored config of the table, named in camelCase (`log.segment.bytes` →
 * `logSegmentBytes`) and typed by its definition, so that a new config is one line in the table;
 * the derived fields; and where the values came from.
 */
export type BrokerConfig = ConfigFields<FieldDefinition> & DerivedBrokerConfig & BrokerConfigSources;

/**
 * Read broker configuration: `props` from server.properties, `overrides` from `--override k=v`
 * (overrides win). Throws ConfigError naming the key, the value and what is expected.
 */
export function loadBrokerConfig(props: ReadonlyMap<string, string>, overrides: ReadonlyMap<string, string> = new Map()): BrokerConfig {
  const warnings: string[] = [];
  const ignored: string[] = [];
  const given = new Map<string, ConfigValue>();
  const staticRaw = new Map<string, string>();
  const merged = new Map(props);
  for (const [key, value] of overrides) merged.set(key, value);
  const origin = (key: string): string | undefined => (overrides.has(key) ? 'set by --override' : undefined);

  for (const [key, raw] of merged) {
    const def = BROKER_CONFIGS.get(key);
    if (!def) {
      warnings.push(unknownKeyWarning(key));
      continue;
    }
    given.set(key, parseConfigValue(def, raw, origin(key)));
    staticRaw.set(key, raw.trim());
    if (def.support === 'ignored') ignored.push(key);
  }

  const values = new Map<string, ConfigValue>();
  for (const def of BROKER_CONFIG_DEFINITIONS) {
    const value = given.get(def.name) ?? (def.default === null ? undefined : defaultValue(def));
    if (value !== undefined) values.set(def.name, value);
  }
  const num = (name: string): number => values.get(name) as number;
  const optNum = (name: string): number | undefined => given.get(name) as number | undefined;
  const list = (name: string): string[] => values.get(name) as string[];

  const nodeId = resolveNodeId(optNum('node.id'), optNum('broker.id'));
  const { listeners, advertisedListeners } = resolveListeners(values, given, warnings, origin);
  const logDir = resolveLogDir(given, list('log.dir'), warnings);

  const clampToOne = (name: string, what: string): number => {
    const configured = num(name);
    if (configured > 1 && given.has(name)) {
      warnings.push(`${name}=${configured} is clamped to 1: Skein is a single node, so ${what}`);
    }
    return 1;
  };
  const defaultReplicationFactor = clampToOne('default.replication.factor', 'topics get one replica');
  const offsetsTopicReplicationFactor = clampToOne('offsets.topic.replication.factor', '__consumer_offsets gets one replica');
  const transactionStateLogReplicationFactor = clampToOne('transaction.state.log.replication.factor', '__transaction_state gets one replica');
  const transactionStateLogMinIsr = clampToOne('transaction.state.log.min.isr', 'its one replica is the whole ISR');
  if (num('min.insync.replicas') > 1) {
    warnings.push(`min.insync.replicas=${num('min.insync.replicas')} is stored but not enforced: on a single node the leader is the only in-sync replica`);
  }

  const logRetentionMs = resolveRetentionMs(optNum, num('log.retention.hours'), origin);
  const logRollMs = optNum('log.roll.ms') ?? num('log.roll.hours') * HOUR_MS;
  const logRollJitterMs = optNum('log.roll.jitter.ms') ?? num('log.roll.jitter.hours') * HOUR_MS;
  const logFlushIntervalMs = optNum('log.flush.interval.ms') ?? num('log.flush.scheduler.interval.ms');

  requireOrdered('group.min.session.timeout.ms', num('group.min.session.timeout.ms'), 'group.max.session.timeout.ms', num('group.max.session.timeout.ms'));
  requireOrdered(
    'log.cleaner.min.compaction.lag.ms',
    num('log.cleaner.min.compaction.lag.ms'),
    'log.cleaner.max.compaction.lag.ms',
    num('log.cleaner.max.compaction.lag.ms'),
  );

  // The table's fields: each holds what its definition parses to (or null), as ConfigFields says.
  const fields: Record<string, ConfigValue | null> = {};
  for (const def of FIELD_DEFINITIONS) fields[camelCase(def.name)] = values.get(def.name) ?? null;
  const derived: DerivedBrokerConfig = {
    nodeId,
    listeners,
    advertisedListeners,
    logDir,
    logRollMs,
    logRollJitterMs,
    logRetentionMs,
    logFlushIntervalMs,
    offsetsRetentionMs: num('offsets.retention.minutes') * MINUTE_MS,
    defaultReplicationFactor,
    offsetsTopicReplicationFactor,
    transactionStateLogReplicationFactor,
    transactionStateLogMinIsr,
  };
  return { ...(fields as ConfigFields<FieldDefinition>), ...derived, values, static: staticRaw, warnings, ignored };
}

/**
 * DescribeConfigs for the broker resource: every broker config Skein knows, sorted by name.
 * All are read-only (Skein has no dynamic broker configs); passwords are sensitive and shown as null.
 * Synonyms list the config's own static value (if given) then its default (if it has one).
 */
export function describeBrokerConfigs(broker: BrokerConfig): DescribedConfig[] {
  return [...BROKER_CONFIG_DEFINITIONS]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((def) => {
      const isSensitive = def.type === 'password';
      const shown = (v: string | null): string | null => (isSensitive ? null : v);
      const given = broker.static.has(def.name);
      const synonyms: ConfigSynonym[] = [];
      let value: string | null;
      if (def.name === 'node.id' || def.name === 'broker.id') {
        // Both describe the one id in effect, however it was arrived at.
        value = String(broker.nodeId);
      } else {
        const v = broker.values.get(def.name);
        value = v === undefined ? null : formatConfigValue(def.type, v);
      }
      if (given) synonyms.push({ name: def.name, value: shown(value), source: ConfigSource.STATIC_BROKER_CONFIG });
      if (def.default !== null) {
        synonyms.push({ name: def.name, value: shown(formatConfigValue(def.type, defaultValue(def))), source: ConfigSource.DEFAULT_CONFIG });
      }
      return {
        name: def.name,
        value: shown(value),
        source: given ? ConfigSource.STATIC_BROKER_CONFIG : ConfigSource.DEFAULT_CONFIG,
        readOnly: true,
        isSensitive,
        synonyms,
        type: configTypeId(def.type),
        documentation: def.doc,
      };
    });
}

// ---- derivations --------------------------------------------------------------------------------

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

const defaultCache = new Map<string, ConfigValue>();
function defaultValue(def: ConfigDefinition): ConfigValue {
  let value = defaultCache.get(def.name);
  if (value === undefined) {
    value = parseConfigValue(def, def.default as string);
    defaultCache.set(def.name, value);
  }
  return Array.isArray(value) ? [...value] : value;
}

function unknownKeyWarning(key: string): string {
  for (const [prefix, reason] of IGNORED_PREFIXES) {
    if (key.startsWith(prefix)) return `${key} is ignored: ${reason}`;
  }
  return `${key} is not a broker config Skein knows; it is ignored`;
}

function resolveNodeId(nodeId: number | undefined, brokerId: number | undefined): number {
  const n = nodeId === -1 ? undefined : nodeId;
  const b = brokerId === -1 ? undefined : brokerId;
  if (n !== undefined && b !== undefined && n !== b) {
    throw new ConfigError(`node.id (${n}) and broker.id (${b}) disagree: set only node.id, or set both to the same id`, {
      key: 'broker.id',
      value: String(b),
      expected: `${n} (the node.id)`,
    });
  }
  return n ?? b ?? 1;
}

/** Kafka's precedence: log.retention.ms, else .minutes, else .hours; negative means forever (-1). */
function resolveRetentionMs(optNum: (name: string) => number | undefined, hours: number, origin: (key: string) => string | undefined): number {
  const ms = optNum('log.retention.ms');
  const minutes = optNum('log.retention.minutes');
  const [key, millis] =
    ms !== undefined
      ? ['log.retention.ms', ms]
      : minutes !== undefined
        ? ['log.retention.minutes', minutes * MINUTE_MS]
        : ['log.retention.hours', hours * HOUR_MS];
  if (millis < 0) return -1;
  if (millis === 0) {
    throw ConfigError.invalidValue(key, '0', '-1 (keep forever) or a positive retention', origin(key));
  }
  return millis;
}

function requireOrdered(lowKey: string, low: number, highKey: string, high: number): void {
  if (low > high) {
    throw new ConfigError(`${lowKey} (${low}) must not be greater than ${highKey} (${high})`, {
      key: lowKey,
      value: String(low),
      expected: `at most ${high} (${highKey})`,
    });
  }
}

function resolveLogDir(given: Map<string, ConfigValue>, logDir: string[], warnings: string[]): string {
  const key = given.has('log.dirs') ? 'log.dirs' : 'log.dir';
  const dirs = given.has('log.dirs') ? (given.get('log.dirs') as string[]) : logDir;
  if (dirs.length === 0 || dirs.some((d) => d === '')) {
    throw ConfigError.invalidValue(key, dirs.join(','), 'a directory path');
  }
  if (dirs.length > 1) {
    warnings.push(`${key} lists ${dirs.length} directories; Skein keeps all partitions in the first, ${dirs[0]}`);
  }
  return dirs[0];
}

const LISTENER = /^([A-Za-z0-9_-]+):\/\/(?:\[([0-9A-Fa-f:.%]+)\]|([0-9A-Za-z\-%._]*)):(\d+)$/;
const WILDCARDS = new Set(['', '0.0.0.0', '::']);

function resolveListeners(
  values: Map<string, ConfigValue>,
  given: Map<string, ConfigValue>,
  warnings: string[],
  origin: (key: string) => string | undefined,
): { listeners: Listener[]; advertisedListeners: Listener[] } {
  const protocols = parseProtocolMap(values.get('listener.security.protocol.map') as string[], origin);
  const controllerNames = new Set(((values.get('controller.listener.names') as string[] | undefined) ?? []).map((n) => n.toUpperCase()));

  const listeners = parseListeners('listeners', values.get('listeners') as string[], protocols, controllerNames, warnings, origin);
  if (listeners.length === 0) {
    throw ConfigError.invalidValue(
      'listeners',
      (values.get('listeners') as string[]).join(','),
      'at least one PLAINTEXT listener, e.g. PLAINTEXT://:9092',
      origin('listeners'),
    );
  }
  const ports = new Map<number, string>();
  for (const l of listeners) {
    const other = ports.get(l.port);
    if (other !== undefined && l.port !== 0) {
      throw ConfigError.invalidValue(
        'listeners',
        (values.get('listeners') as string[]).join(','),
        `a different port for each listener (${other} and ${l.name} both use ${l.port})`,
        origin('listeners'),
      );
    }
    ports.set(l.port, l.name);
  }

  const advertise = (l: Listener): Listener => ({ ...l, host: WILDCARDS.has(l.host) ? '127.0.0.1' : l.host });
  if (!given.has('advertised.listeners')) {
    return { listeners, advertisedListeners: listeners.map(advertise) };
  }
  const written = (given.get('advertised.listeners') as string[]).join(',');
  const explicit = parseListeners('advertised.listeners', given.get('advertised.listeners') as string[], protocols, controllerNames, warnings, origin);
  const byName = new Map<string, Listener>();
  for (const l of explicit) {
    if (!listeners.some((b) => b.name === l.name)) {
      throw ConfigError.invalidValue(
        'advertised.listeners',
        written,
        `listener names that appear in listeners (${listeners.map((b) => b.name).join(', ')}); ${l.name} does not`,
        origin('advertised.listeners'),
      );
    }
    if (l.host === '0.0.0.0' || l.host === '::') {
      throw ConfigError.invalidValue(
        'advertised.listeners',
        written,
        `an address clients can connect to, not the wildcard ${l.host}`,
        origin('advertised.listeners'),
      );
    }
    byName.set(l.name, advertise(l));
  }
  const advertisedListeners = listeners.map((l) => {
    const a = byName.get(l.name);
    if (a) return a;
    const derived = advertise(l);
    warnings.push(`advertised.listeners has no entry for listener ${l.name}; advertising ${derived.host}:${derived.port}`);
    return derived;
  });
  return { listeners, advertisedListeners };
}

function parseProtocolMap(entries: string[], origin: (key: string) => string | undefined): Map<string, string> {
  const key = 'listener.security.protocol.map';
  const map = new Map<string, string>();
  for (const entry of entries) {
    const m = /^([A-Za-z0-9_-]+):([A-Za-z_]+)$/.exec(entry);
    const protocol = m?.[2].toUpperCase();
    if (!m || !['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'].includes(protocol as string)) {
      throw ConfigError.invalidValue(
        key,
        entries.join(','),
        `NAME:PROTOCOL pairs, PROTOCOL one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL (bad entry ${JSON.stringify(entry)})`,
        origin(key),
      );
    }
    map.set(m[1].toUpperCase(), protocol as string);
  }
  return map;
}

function parseListeners(
  key: 'listeners' | 'advertised.listeners',
  entries: string[],
  protocols: Map<string, string>,
  controllerNames: Set<string>,
  warnings: string[],
  origin: (key: string) => string | undefined,
): Listener[] {
  const written = entries.join(',');
  const listeners: Listener[] = [];
  for (const entry of entries) {
    const m = LISTENER.exec(entry);
    const port = m ? Number(m[4]) : -1;
    if (!m || port > 65535) {
      throw ConfigError.invalidValue(
        key,
        written,
        `NAME://host:port entries such as PLAINTEXT://:9092 or PLAINTEXT://[::1]:9092 (bad entry ${JSON.stringify(entry)})`,
        origin(key),
      );
    }
    const name = m[1].toUpperCase();
    const host = m[2] ?? m[3];
    if (controllerNames.has(name)) {
      if (key === 'listeners') warnings.push(`listener ${entry} is skipped: Skein has no separate KRaft controller`);
      continue;
    }
    const protocol = protocols.get(name);
    if (protocol === undefined) {
      throw ConfigError.invalidValue(
        key,
        written,
        `a listener name mapped in listener.security.protocol.map; ${name} is not (add ${name}:PLAINTEXT)`,
        origin(key),
      );
    }
    if (protocol !== 'PLAINTEXT') {
      throw ConfigError.invalidValue(
        key,
        written,
        `PLAINTEXT listeners only: ${name} uses ${protocol}, which is not supported (Skein has no TLS or SASL)`,
        origin(key),
      );
    }
    if (listeners.some((l) => l.name === name)) {
      throw ConfigError.invalidValue(key, written, `each listener name once; ${name} appears twice`, origin(key));
    }
    listeners.push({ name, host, port });
  }
  return listeners;
}
