import { describe, expect, it } from 'vitest';
import { topicPartitionKey } from '../../protocol/topic-partition.js';
import { Writer } from '../../protocol/writer.js';
import {
  decodeTransactionLogKey,
  decodeTransactionLogValue,
  encodeTransactionLogKey,
  encodeTransactionLogValue,
  metadataFromRecord,
} from './transaction-log.js';
import { TransactionMetadata } from './transaction-metadata.js';
import { TransactionState } from './transaction-state.js';

const T0 = 1_700_000_000_000;

describe('__transaction_state records', () => {
  it('encodes the key as Kafka does: int16 version 0, then the transactional id', () => {
    const key = encodeTransactionLogKey('my-tx');
    expect(key.toString('hex')).toBe('0000' + '0005' + Buffer.from('my-tx').toString('hex'));
    expect(decodeTransactionLogKey(key)).toBe('my-tx');
    // another record type (key version 1) is not a transaction record
    expect(decodeTransactionLogKey(Buffer.from('0001000161', 'hex'))).toBeUndefined();
  });

  it('encodes the value as TransactionLogValue v0, byte for byte', () => {
    const m = new TransactionMetadata(
      'tx',
      42n,
      42n,
      3,
      -1,
      60_000,
      TransactionState.Ongoing,
      [topicPartitionKey('b', 1), topicPartitionKey('a', 2), topicPartitionKey('a', 0)],
      T0,
      T0 + 5,
    );
    const value = encodeTransactionLogValue(m.snapshot());
    const w = new Writer(64);
    w.int16(0).int64(42n).int16(3).int32(60_000).int8(1);
    w.int32(2).string('a').int32(2).int32(0).int32(2).string('b').int32(1).int32(1);
    w.int64(BigInt(T0 + 5)).int64(BigInt(T0));
    expect(value.toString('hex')).toBe(w.toBuffer().toString('hex'));
  });

  it('writes null partitions for Empty, and reads a record back as the metadata it describes', () => {
    const empty = TransactionMetadata.create('tx', 9n, 1000, T0);
    empty.completeTransitionTo(empty.prepareIncrementProducerEpoch(1000, undefined, T0) as never);
    expect(decodeTransactionLogValue(encodeTransactionLogValue(empty.snapshot())).transactionPartitions).toBeNull();

    const m = new TransactionMetadata(
      'tx',
      42n,
      42n,
      3,
      2,
      60_000,
      TransactionState.PrepareCommit,
      [topicPartitionKey('t', 0), topicPartitionKey('__consumer_offsets', 7)],
      T0,
      T0 + 5,
    );
    const back = metadataFromRecord('tx', encodeTransactionLogValue(m.snapshot()));
    expect([back.producerId, back.producerEpoch, back.txnTimeoutMs, back.state, back.txnStartTimestamp, back.txnLastUpdateTimestamp]).toEqual([
      42n,
      3,
      60_000,
      'PrepareCommit',
      T0,
      T0 + 5,
    ]);
    expect(new Set(back.topicPartitions)).toEqual(new Set(m.topicPartitions));
    expect(back.lastProducerEpoch).toBe(-1); // not stored, as in Kafka
  });

  it('reads v1 (flexible, with tagged fields) as Kafka 4 writes it with transaction version 2', () => {
    const w = new Writer(64);
    w.int16(1).int64(42n).int16(3).int32(60_000).int8(4);
    w.uvarint(2).compactString('t').uvarint(2).int32(0).uvarint(0); // one topic, its tag buffer
    w.int64(BigInt(T0 + 5)).int64(BigInt(T0));
    // tagged fields: PreviousProducerId (0) = 41, ClientTransactionVersion (2) = 2
    w.uvarint(2).uvarint(0).uvarint(8).int64(41n).uvarint(2).uvarint(2).int16(2);
    const v = decodeTransactionLogValue(w.toBuffer());
    expect([v.producerId, v.previousProducerId, v.nextProducerId, v.transactionStatus, v.clientTransactionVersion]).toEqual([42n, 41n, -1n, 4, 2]);
    expect(v.transactionPartitions).toEqual([{ topic: 't', partitionIds: [0] }]);
    expect(metadataFromRecord('tx', w.toBuffer()).lastProducerId).toBe(41n);
  });
});
