/**
 * The records of `__consumer_offsets`, in Kafka's own formats so Kafka's tools could read the topic
 * (schemas transcribed from Kafka's group-coordinator message definitions). Performs no I/O.
 *
 * Every key and value starts with an int16 version; the rest is the schema of that version:
 *
 *   key version 0, 1  OffsetCommitKey    group:string topic:string partition:int32
 *   key version 2     GroupMetadataKey   group:string
 *   value             OffsetCommitValue v0-4 / GroupMetadataValue v0-4 (v4 is flexible)
 *
 * A null value is a tombstone. Values newer than v4 are read as v4: Kafka only adds tagged fields
 * from there on (KIP-915), which the flexible reader skips.
 */
import { Reader } from '../../protocol/reader.js';
import { compileMessage, type FieldSpec, type MessageCodec, type MessageSpec, type StructSpec } from '../../protocol/schema.js';
import { Writer } from '../../protocol/writer.js';

/** The key versions Kafka uses to tell record types apart. */
export const OffsetsKeyVersion = { offsetCommitV0: 0, offsetCommit: 1, groupMetadata: 2 } as const;

/** What the coordinator writes: v3 values, and OffsetCommitValue v1 when an expire timestamp is set. */
export const OFFSET_COMMIT_VALUE_VERSION = 3;
export const OFFSET_COMMIT_VALUE_VERSION_WITH_EXPIRY = 1;
export const GROUP_METADATA_VALUE_VERSION = 3;
const HIGHEST_VALUE_VERSION = 4;

export interface OffsetCommitKey {
  type: 'offset';
  group: string;
  topic: string;
  partition: number;
}

export interface GroupMetadataKey {
  type: 'group';
  group: string;
}

/** A key this coordinator does not know (e.g. KIP-848 consumer-group records): skipped on load. */
export interface UnknownKey {
  type: 'unknown';
  version: number;
}

export type OffsetsRecordKey = OffsetCommitKey | GroupMetadataKey | UnknownKey;

export interface OffsetCommitValue {
  offset: bigint;
  /** -1 when unknown. */
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: bigint;
  /** Only in v1; -1 when absent. */
  expireTimestamp: bigint;
}

export interface MemberMetadataValue {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeout: number;
  sessionTimeout: number;
  subscription: Buffer;
  assignment: Buffer;
}

export interface GroupMetadataValue {
  protocolType: string;
  generation: number;
  protocol: string | null;
  leader: string | null;
  /** -1 when unknown (values before v2). */
  currentStateTimestamp: bigint;
  members: MemberMetadataValue[];
}

/** A data (not request/response) schema; `compileMessage` reads neither apiKey nor type. */
function dataSchema(name: string, validVersions: string, flexibleVersions: string, fields: FieldSpec[], commonStructs: StructSpec[] = []): MessageSpec {
  return { apiKey: -1, type: 'request', name, validVersions, flexibleVersions, fields, commonStructs };
}

const offsetCommitKey = compileMessage<Omit<OffsetCommitKey, 'type'>>(
  dataSchema('OffsetCommitKey', '0-1', 'none', [
    { name: 'group', type: 'string', versions: '0+' },
    { name: 'topic', type: 'string', versions: '0+' },
    { name: 'partition', type: 'int32', versions: '0+' },
  ]),
);

const groupMetadataKey = compileMessage<Omit<GroupMetadataKey, 'type'>>(
  dataSchema('GroupMetadataKey', '2', 'none', [{ name: 'group', type: 'string', versions: '0+' }]),
);

const offsetCommitValue = compileMessage<OffsetCommitValue>(
  dataSchema('OffsetCommitValue', '0-4', '4+', [
    { name: 'offset', type: 'int64', versions: '0+' },
    { name: 'leaderEpoch', type: 'int32', versions: '3+', default: -1 },
    { name: 'metadata', type: 'string', versions: '0+' },
    { name: 'commitTimestamp', type: 'int64', versions: '0+' },
    { name: 'expireTimestamp', type: 'int64', versions: '1', default: -1 },
  ]),
);

const groupMetadataValue = compileMessage<GroupMetadataValue>(
  dataSchema(
    'GroupMetadataValue',
    '0-4',
    '4+',
    [
      { name: 'protocolType', type: 'string', versions: '0+' },
      { name: 'generation', type: 'int32', versions: '0+' },
      { name: 'protocol', type: 'string', versions: '0+', nullableVersions: '0+' },
      { name: 'leader', type: 'string', versions: '0+', nullableVersions: '0+' },
      { name: 'currentStateTimestamp', type: 'int64', versions: '2+', default: -1 },
      { name: 'members', type: '[]MemberMetadata', versions: '0+' },
    ],
    [
      {
        name: 'MemberMetadata',
        versions: '0+',
        fields: [
          { name: 'memberId', type: 'string', versions: '0+' },
          { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: 'null' },
          { name: 'clientId', type: 'string', versions: '0+' },
          { name: 'clientHost', type: 'string', versions: '0+' },
          { name: 'rebalanceTimeout', type: 'int32', versions: '1+' },
          { name: 'sessionTimeout', type: 'int32', versions: '0+' },
          { name: 'subscription', type: 'bytes', versions: '0+' },
          { name: 'assignment', type: 'bytes', versions: '0+' },
        ],
      },
    ],
  ),
);

function versioned<T>(codec: MessageCodec<T>, version: number, value: T, encodeAs = version): Buffer {
  const w = new Writer(64);
  w.int16(version);
  codec.encode(w, value, encodeAs);
  return w.toBuffer();
}

export function encodeOffsetCommitKey(group: string, topic: string, partition: number): Buffer {
  return versioned(offsetCommitKey, OffsetsKeyVersion.offsetCommit, { group, topic, partition });
}

export function encodeGroupMetadataKey(group: string): Buffer {
  return versioned(groupMetadataKey, OffsetsKeyVersion.groupMetadata, { group });
}

/** v3, or v1 when the commit carries an expire timestamp (the only version that stores one), as Kafka. */
export function encodeOffsetCommitValue(
  value: OffsetCommitValue,
  version = value.expireTimestamp >= 0n ? OFFSET_COMMIT_VALUE_VERSION_WITH_EXPIRY : OFFSET_COMMIT_VALUE_VERSION,
): Buffer {
  return versioned(offsetCommitValue, version, value);
}

export function encodeGroupMetadataValue(value: GroupMetadataValue, version = GROUP_METADATA_VALUE_VERSION): Buffer {
  return versioned(groupMetadataValue, version, value);
}

export function decodeOffsetsKey(key: Buffer): OffsetsRecordKey {
  const r = new Reader(key);
  const version = r.int16();
  switch (version) {
    case OffsetsKeyVersion.offsetCommitV0:
    case OffsetsKeyVersion.offsetCommit:
      return { type: 'offset', ...offsetCommitKey.decode(r, version) };
    case OffsetsKeyVersion.groupMetadata:
      return { type: 'group', ...groupMetadataKey.decode(r, version) };
    default:
      return { type: 'unknown', version };
  }
}

export function decodeOffsetCommitValue(value: Buffer): OffsetCommitValue {
  const r = new Reader(value);
  const version = r.int16();
  return offsetCommitValue.decode(r, Math.min(version, HIGHEST_VALUE_VERSION));
}

export function decodeGroupMetadataValue(value: Buffer): GroupMetadataValue {
  const r = new Reader(value);
  const version = r.int16();
  const decoded = groupMetadataValue.decode(r, Math.min(version, HIGHEST_VALUE_VERSION));
  // Before v1 there was no rebalance timeout: the session timeout stood in for it, as in JoinGroup v0.
  if (version < 1) for (const m of decoded.members) m.rebalanceTimeout = m.sessionTimeout;
  return decoded;
}

/**
 * The topics of a consumer's subscription (ConsumerProtocolSubscription: version int16, then the
 * topic list in every version), or null when the bytes are not one. The coordinator needs only the
 * topics: for OffsetDelete's GROUP_SUBSCRIBED_TO_TOPIC and for expiring offsets of unsubscribed topics.
 */
export function consumerSubscriptionTopics(metadata: Buffer): string[] | null {
  try {
    const r = new Reader(metadata);
    const version = r.int16();
    if (version < 0) return null;
    const n = r.int32();
    if (n < 0 || n > r.remaining) return null;
    const topics: string[] = [];
    for (let i = 0; i < n; i++) {
      const t = r.string();
      if (t === null) return null;
      topics.push(t);
    }
    return topics;
  } catch {
    return null;
  }
}
