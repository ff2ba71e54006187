import { describe, expect, it } from 'vitest';
import { AddOffsetsToTxn } from './apis/add-offsets-to-txn.js';
import { AddPartitionsToTxn } from './apis/add-partitions-to-txn.js';
import { EndTxn } from './apis/end-txn.js';
import { InitProducerId } from './apis/init-producer-id.js';
import { TxnOffsetCommit } from './apis/txn-offset-commit.js';
import { ErrorCode } from './errors.js';
import { fencedErrorForVersion } from './producer-fenced.js';

describe('fencedErrorForVersion (KIP-588)', () => {
  const fenced = (apiKey: number, apiVersion: number) => fencedErrorForVersion(ErrorCode.PRODUCER_FENCED, { apiKey, apiVersion });

  it('sends PRODUCER_FENCED from the version that knows it, INVALID_PRODUCER_EPOCH before', () => {
    expect([3, 4].map((v) => fenced(InitProducerId.key, v))).toEqual([ErrorCode.INVALID_PRODUCER_EPOCH, ErrorCode.PRODUCER_FENCED]);
    for (const api of [AddPartitionsToTxn, AddOffsetsToTxn, EndTxn]) {
      expect(
        [1, 2].map((v) => fenced(api.key, v)),
        api.name,
      ).toEqual([ErrorCode.INVALID_PRODUCER_EPOCH, ErrorCode.PRODUCER_FENCED]);
    }
  });

  it('never sends PRODUCER_FENCED to TxnOffsetCommit, and leaves other errors alone', () => {
    expect(fenced(TxnOffsetCommit.key, 4)).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    expect(fencedErrorForVersion(ErrorCode.CONCURRENT_TRANSACTIONS, { apiKey: EndTxn.key, apiVersion: 0 })).toBe(ErrorCode.CONCURRENT_TRANSACTIONS);
  });
});
