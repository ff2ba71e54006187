/**
 * The settings a partition log runs with: a topic's effective configuration (topic overrides on top
 * of broker defaults), in Kafka's topic-level names converted to camelCase.
 */
export interface LogConfig {
  /** segment.bytes: roll when the active segment would exceed this size. */
  segmentBytes: number;
  /** segment.ms: roll when the active segment's first record is older than this. */
  segmentMs: number;
  /** segment.index.bytes: maximum size of an offset or time index file. */
  segmentIndexBytes: number;
  /** index.interval.bytes: bytes of log between two offset/time index entries. */
  indexIntervalBytes: number;
  /** retention.ms: delete segments whose newest record is older than this; -1 keeps forever. */
  retentionMs: number;
  /** retention.bytes: delete oldest segments while the log is larger than this; -1 for no limit. */
  retentionBytes: number;
  /** flush.messages: fsync after this many messages; Long.MAX_VALUE (as Number.MAX_SAFE_INTEGER) leaves it to the OS. */
  flushMessages: number;
  /** flush.ms: fsync when the last flush is older than this. */
  flushMs: number;
  /** message.timestamp.type: CreateTime or LogAppendTime. */
  messageTimestampType: 'CreateTime' | 'LogAppendTime';
  /** max.message.bytes: the largest record batch the topic accepts. */
  maxMessageBytes: number;
  /** cleanup.policy: any of delete, compact. */
  cleanupPolicy: Array<'delete' | 'compact'>;
  /** delete.retention.ms: how long tombstones survive compaction. */
  deleteRetentionMs: number;
  /** min.compaction.lag.ms */
  minCompactionLagMs: number;
  /** min.cleanable.dirty.ratio */
  minCleanableDirtyRatio: number;
  /** file.delete.delay.ms: how long a deleted segment lingers (renamed .deleted) before removal. */
  fileDeleteDelayMs: number;
}

export const DEFAULT_LOG_CONFIG: LogConfig = {
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: 7 * 24 * 60 * 60 * 1000,
  segmentIndexBytes: 10 * 1024 * 1024,
  indexIntervalBytes: 4096,
  retentionMs: 7 * 24 * 60 * 60 * 1000,
  retentionBytes: -1,
  flushMessages: Number.MAX_SAFE_INTEGER,
  flushMs: Number.MAX_SAFE_INTEGER,
  messageTimestampType: 'CreateTime',
  maxMessageBytes: 1048588,
  cleanupPolicy: ['delete'],
  deleteRetentionMs: 24 * 60 * 60 * 1000,
  minCompactionLagMs: 0,
  minCleanableDirtyRatio: 0.5,
  fileDeleteDelayMs: 60 * 1000,
};
