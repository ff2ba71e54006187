/**
 * The records of `__transaction_state`, in Kafka's own formats (schemas transcribed from Kafka's
 * TransactionLogKey.json and TransactionLogValue.json), so Kafka's tools could read the topic.
 * Performs no I/O.
 *
 *   key    int16 version 0, then TransactionLogKey   transactionalId:string
 *   value  int16 version, then TransactionLogValue v0 (what is written) or v1 (flexible: tagged
 *          PreviousProducerId, NextProducerId and ClientTransactionVersion; read, never written)
 *
 * A null value is a tombstone: the transactional id expired. A key of another version (Kafka uses
 * the key version to tell record types apart) is not a transaction record and is skipped.
 */
import { NO_PRODUCER_EPOCH, NO_PRODUCER_ID } from '../../protocol/batch-header.js';
import { Reader } from '../../protocol/reader.js';
import { compileMessage, type MessageSpec } from '../../protocol/schema.js';
import { topicPartitionKey } from '../../protocol/topic-partition.js';
import { Writer } from '../../protocol/writer.js';
import { groupByTopic, TransactionMetadata, type TxnTransitMetadata } from './transaction-metadata.js';
import { TRANSACTION_STATE_IDS, TransactionState, transactionStateFromId } from './transaction-state.js';

export const TRANSACTION_LOG_KEY_VERSION = 0;
/** What is written: v0, as Kafka does until transaction version 2 is enabled. */
export const TRANSACTION_LOG_VALUE_VERSION = 0;

export interface TransactionLogValue {
  producerId: bigint;
  /** v1+ (tagged): the producer id before the last rotation; -1 when unknown. */
  previousProducerId: bigint;
  nextProducerId: bigint;
  producerEpoch: number;
  transactionTimeoutMs: number;
  transactionStatus: number;
  /** Null for Empty, as Kafka writes it. */
  transactionPartitions: Array<{ topic: string; partitionIds: number[] }> | null;
  transactionLastUpdateTimestampMs: bigint;
  transactionStartTimestampMs: bigint;
  clientTransactionVersion: number;
}

function dataSchema(name: string, validVersions: string, flexibleVersions: string, fields: MessageSpec['fields']): MessageSpec {
  return { apiKey: -1, type: 'request', name, validVersions, flexibleVersions, fields };
}

const keyCodec = compileMessage<{ transactionalId: string }>(
  dataSchema('TransactionLogKey', '0', 'none', [{ name: 'TransactionalId', type: 'string', versions: '0' }]),
);

const valueCodec = compileMessage<TransactionLogValue>(
  dataSchema('TransactionLogValue', '0-1', '1+', [
    { name: 'ProducerId', type: 'int64', versions: '0+' },
    { name: 'PreviousProducerId', type: 'int64', versions: '1+', taggedVersions: '1+', tag: 0, default: -1 },
    { name: 'NextProducerId', type: 'int64', versions: '1+', taggedVersions: '1+', tag: 1, default: -1 },
    { name: 'ProducerEpoch', type: 'int16', versions: '0+' },
    { name: 'TransactionTimeoutMs', type: 'int32', versions: '0+' },
    { name: 'TransactionStatus', type: 'int8', versions: '0+' },
    {
      name: 'TransactionPartitions',
      type: '[]PartitionsSchema',
      versions: '0+',
      nullableVersions: '0+',
      fields: [
        { name: 'Topic', type: 'string', versions: '0+' },
        { name: 'PartitionIds', type: '[]int32', versions: '0+' },
      ],
    },
    { name: 'TransactionLastUpdateTimestampMs', type: 'int64', versions: '0+' },
    { name: 'TransactionStartTimestampMs', type: 'int64', versions: '0+' },
    { name: 'ClientTransactionVersion', type: 'int16', versions: '1+', taggedVersions: '1+', tag: 2, default: 0 },
  ]),
);

export function encodeTransactionLogKey(transactionalId: string): Buffer {
  const w = new Writer(16 + transactionalId.length * 3);
  w.int16(TRANSACTION_LOG_KEY_VERSION);
  keyCodec.encode(w, { transactionalId }, TRANSACTION_LOG_KEY_VERSION);
  return w.toBuffer();
}

/** The transactional id of a key, or undefined for a key of another record type. */
export function decodeTransactionLogKey(key: Buffer): string | undefined {
  const r = new Reader(key);
  const version = r.int16();
  if (version !== TRANSACTION_LOG_KEY_VERSION) return undefined;
  return keyCodec.decode(r, version).transactionalId;
}

export function encodeTransactionLogValue(t: TxnTransitMetadata): Buffer {
  if (t.txnState === TransactionState.Empty && t.topicPartitions.size > 0) {
    throw new Error(`an Empty transaction cannot have partitions (${[...t.topicPartitions].length})`);
  }
  const partitions =
    t.txnState === TransactionState.Empty ? null : groupByTopic(t.topicPartitions).map((g) => ({ topic: g.topic, partitionIds: g.partitions }));
  const w = new Writer(64);
  w.int16(TRANSACTION_LOG_VALUE_VERSION);
  valueCodec.encode(
    w,
    {
      producerId: t.producerId,
      previousProducerId: NO_PRODUCER_ID,
      nextProducerId: NO_PRODUCER_ID,
      producerEpoch: t.producerEpoch,
      transactionTimeoutMs: t.txnTimeoutMs,
      transactionStatus: TRANSACTION_STATE_IDS[t.txnState],
      transactionPartitions: partitions,
      transactionLastUpdateTimestampMs: BigInt(t.txnLastUpdateTimestamp),
      transactionStartTimestampMs: BigInt(t.txnStartTimestamp),
      clientTransactionVersion: 0,
    },
    TRANSACTION_LOG_VALUE_VERSION,
  );
  return w.toBuffer();
}

export function decodeTransactionLogValue(value: Buffer): TransactionLogValue {
  const r = new Reader(value);
  const version = r.int16();
  if (!valueCodec.versions.has(version)) throw new RangeError(`unknown TransactionLogValue version ${version}`);
  return valueCodec.decode(r, version);
}

/**
 * The metadata a record describes, as Kafka loads it: the previous epoch is not stored, so it comes
 * back as -1 (a KIP-360 retry spanning a restart is fenced, as in Kafka), and the previous producer id
 * only from a v1 value.
 */
export function metadataFromRecord(transactionalId: string, value: Buffer): TransactionMetadata {
  const v = decodeTransactionLogValue(value);
  const state = transactionStateFromId(v.transactionStatus);
  const partitions: string[] = [];
  if (state !== TransactionState.Empty) {
    for (const p of v.transactionPartitions ?? []) for (const id of p.partitionIds) partitions.push(topicPartitionKey(p.topic, id));
  }
  return new TransactionMetadata(
    transactionalId,
    v.producerId,
    v.previousProducerId >= 0n ? v.previousProducerId : NO_PRODUCER_ID,
    v.producerEpoch,
    NO_PRODUCER_EPOCH,
    v.transactionTimeoutMs,
    state,
    partitions,
    Number(v.transactionStartTimestampMs),
    Number(v.transactionLastUpdateTimestampMs),
  );
}
