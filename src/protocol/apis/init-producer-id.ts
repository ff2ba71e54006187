/**
 * InitProducerId (key 22): v0-6. Flexible from v2.
 *
 * A null TransactionalId asks for an idempotent-only producer id; a transactional one fences older
 * epochs of the same id and aborts its open transaction. v3 lets a producer send its current
 * ProducerId/ProducerEpoch to bump the epoch after an error instead of starting over (KIP-360); v4
 * may answer PRODUCER_FENCED and v5 TRANSACTION_ABORTABLE (KIP-890) without layout changes. v6 adds
 * two-phase commit (KIP-939, Kafka 4.1): Enable2Pc and KeepPreparedTxn in, and the producer id and
 * epoch of the still-prepared transaction out.
 */
import { defineApi } from '../api.js';
import type { MessageSpec } from '../schema.js';

export interface InitProducerIdRequest {
  transactionalId: string | null;
  transactionTimeoutMs: number;
  producerId?: bigint;
  producerEpoch?: number;
  enable2Pc?: boolean;
  keepPreparedTxn?: boolean;
}

export interface InitProducerIdResponse {
  throttleTimeMs: number;
  errorCode: number;
  producerId: bigint;
  producerEpoch: number;
  ongoingTxnProducerId?: bigint;
  ongoingTxnProducerEpoch?: number;
}

const request: MessageSpec = {
  apiKey: 22,
  type: 'request',
  name: 'InitProducerIdRequest',
  validVersions: '0-6',
  flexibleVersions: '2+',
  fields: [
    { name: 'TransactionalId', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'TransactionTimeoutMs', type: 'int32', versions: '0+' },
    { name: 'ProducerId', type: 'int64', versions: '3+', default: '-1' },
    { name: 'ProducerEpoch', type: 'int16', versions: '3+', default: '-1' },
    { name: 'Enable2Pc', type: 'bool', versions: '6+', default: 'false' },
    { name: 'KeepPreparedTxn', type: 'bool', versions: '6+', default: 'false' },
  ],
};

const response: MessageSpec = {
  apiKey: 22,
  type: 'response',
  name: 'InitProducerIdResponse',
  validVersions: '0-6',
  flexibleVersions: '2+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
    { name: 'ErrorCode', type: 'int16', versions: '0+' },
    { name: 'ProducerId', type: 'int64', versions: '0+', default: -1 },
    { name: 'ProducerEpoch', type: 'int16', versions: '0+' },
    { name: 'OngoingTxnProducerId', type: 'int64', versions: '6+', default: '-1' },
    { name: 'OngoingTxnProducerEpoch', type: 'int16', versions: '6+', default: '-1' },
  ],
};

export const InitProducerId = defineApi<InitProducerIdRequest, InitProducerIdResponse>(request, response);
