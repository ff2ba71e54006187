/**
 * EndTxn (key 26): v0-5. Flexible from v3.
 *
 * Commits (Committed = true) or aborts the producer's open transaction. v2 may answer PRODUCER_FENCED
 * and v4 TRANSACTION_ABORTABLE (KIP-890) without layout changes. v5 is transaction version 2 (KIP-890
 * part 2): the coordinator bumps the epoch at the end of every transaction and returns the producer
 * id and epoch the producer must use next.
 */
import { defineApi } from '../api.js';
import type { MessageSpec } from '../schema.js';

export interface EndTxnRequest {
  transactionalId: string;
  producerId: bigint;
  producerEpoch: number;
  committed: boolean;
}

export interface EndTxnResponse {
  throttleTimeMs: number;
  errorCode: number;
  producerId?: bigint;
  producerEpoch?: number;
}

const request: MessageSpec = {
  apiKey: 26,
  type: 'request',
  name: 'EndTxnRequest',
  validVersions: '0-5',
  flexibleVersions: '3+',
  fields: [
    { name: 'TransactionalId', type: 'string', versions: '0+' },
    { name: 'ProducerId', type: 'int64', versions: '0+' },
    { name: 'ProducerEpoch', type: 'int16', versions: '0+' },
    { name: 'Committed', type: 'bool', versions: '0+' },
  ],
};

const response: MessageSpec = {
  apiKey: 26,
  type: 'response',
  name: 'EndTxnResponse',
  validVersions: '0-5',
  flexibleVersions: '3+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
    { name: 'ErrorCode', type: 'int16', versions: '0+' },
    { name: 'ProducerId', type: 'int64', versions: '5+', default: '-1' },
    { name: 'ProducerEpoch', type: 'int16', versions: '5+', default: '-1' },
  ],
};

export const EndTxn = defineApi<EndTxnRequest, EndTxnResponse>(request, response);
