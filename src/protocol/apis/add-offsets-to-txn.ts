/**
 * AddOffsetsToTxn (key 25): v0-4. Flexible from v3.
 *
 * Adds the group's __consumer_offsets partition to the transaction, so that a later TxnOffsetCommit
 * becomes visible only when the transaction commits. The layout never changes after v3; v2 may answer
 * PRODUCER_FENCED and v4 TRANSACTION_ABORTABLE (KIP-890).
 */
import { defineApi } from '../api.js';
import type { MessageSpec } from '../schema.js';

export interface AddOffsetsToTxnRequest {
  transactionalId: string;
  producerId: bigint;
  producerEpoch: number;
  groupId: string;
}

export interface AddOffsetsToTxnResponse {
  throttleTimeMs: number;
  errorCode: number;
}

const request: MessageSpec = {
  apiKey: 25,
  type: 'request',
  name: 'AddOffsetsToTxnRequest',
  validVersions: '0-4',
  flexibleVersions: '3+',
  fields: [
    { name: 'TransactionalId', type: 'string', versions: '0+' },
    { name: 'ProducerId', type: 'int64', versions: '0+' },
    { name: 'ProducerEpoch', type: 'int16', versions: '0+' },
    { name: 'GroupId', type: 'string', versions: '0+' },
  ],
};

const response: MessageSpec = {
  apiKey: 25,
  type: 'response',
  name: 'AddOffsetsToTxnResponse',
  validVersions: '0-4',
  flexibleVersions: '3+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
    { name: 'ErrorCode', type: 'int16', versions: '0+' },
  ],
};

export const AddOffsetsToTxn = defineApi<AddOffsetsToTxnRequest, AddOffsetsToTxnResponse>(request, response);
