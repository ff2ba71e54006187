/**
 * KIP-588: which error a producer with a stale epoch gets. The transaction coordinator decides
 * PRODUCER_FENCED; a request version from before the KIP gets INVALID_PRODUCER_EPOCH instead, which
 * its clients already treat as fatal for the producer. The version that first understands
 * PRODUCER_FENCED differs per API, hence this one table.
 */
import { AddOffsetsToTxn } from './apis/add-offsets-to-txn.js';
import { AddPartitionsToTxn } from './apis/add-partitions-to-txn.js';
import { EndTxn } from './apis/end-txn.js';
import { InitProducerId } from './apis/init-producer-id.js';
import { ErrorCode } from './errors.js';

/**
 * The first version of each API that may be answered PRODUCER_FENCED. An API not listed never is:
 * TxnOffsetCommit's epoch check is the partition leader's verification with the coordinator (KIP-890),
 * which answers INVALID_PRODUCER_EPOCH at every version, as a Produce would.
 */
const PRODUCER_FENCED_SINCE: ReadonlyMap<number, number> = new Map([
  [InitProducerId.key, 4],
  [AddPartitionsToTxn.key, 2],
  [AddOffsetsToTxn.key, 2],
  [EndTxn.key, 2],
]);

/** `errorCode` as a request of `apiKey` at `apiVersion` may carry it: PRODUCER_FENCED only where KIP-588 allows. */
export function fencedErrorForVersion(errorCode: number, request: { apiKey: number; apiVersion: number }): number {
  if (errorCode !== ErrorCode.PRODUCER_FENCED) return errorCode;
  const since = PRODUCER_FENCED_SINCE.get(request.apiKey);
  return since !== undefined && request.apiVersion >= since ? errorCode : ErrorCode.INVALID_PRODUCER_EPOCH;
}
