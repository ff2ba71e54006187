/**
 * FindCoordinator (key 10): v0-6. Flexible from v3.
 *
 * v0 looks up a group coordinator only; v1 adds KeyType (0 group, 1 transaction; 2 share group from
 * v6, KIP-932) and error messages in the response. v4 batches: CoordinatorKeys in, one Coordinators
 * entry per key out, replacing the single Key and the top-level NodeId/Host/Port (KIP-699). v5 may
 * answer TRANSACTION_ABORTABLE (KIP-890) and v6 accepts share-group keys; neither changes the layout.
 */
import { defineApi } from '../api.js';
import type { MessageSpec } from '../schema.js';

/** KeyType: what kind of key a lookup names. */
export const CoordinatorType = { group: 0, transaction: 1, share: 2 } as const;

export interface FindCoordinatorRequest {
  key?: string;
  keyType?: number;
  coordinatorKeys?: string[];
}

export interface FindCoordinatorResponse {
  throttleTimeMs?: number;
  errorCode?: number;
  errorMessage?: string | null;
  nodeId?: number;
  host?: string;
  port?: number;
  coordinators?: Array<{
    key: string;
    nodeId: number;
    host: string;
    port: number;
    errorCode: number;
    errorMessage: string | null;
  }>;
}

const request: MessageSpec = {
  apiKey: 10,
  type: 'request',
  name: 'FindCoordinatorRequest',
  validVersions: '0-6',
  flexibleVersions: '3+',
  fields: [
    { name: 'Key', type: 'string', versions: '0-3' },
    { name: 'KeyType', type: 'int8', versions: '1+', default: '0' },
    { name: 'CoordinatorKeys', type: '[]string', versions: '4+' },
  ],
};

const response: MessageSpec = {
  apiKey: 10,
  type: 'response',
  name: 'FindCoordinatorResponse',
  validVersions: '0-6',
  flexibleVersions: '3+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '1+' },
    { name: 'ErrorCode', type: 'int16', versions: '0-3' },
    { name: 'ErrorMessage', type: 'string', versions: '1-3', nullableVersions: '1-3' },
    { name: 'NodeId', type: 'int32', versions: '0-3' },
    { name: 'Host', type: 'string', versions: '0-3' },
    { name: 'Port', type: 'int32', versions: '0-3' },
    {
      name: 'Coordinators',
      type: '[]Coordinator',
      versions: '4+',
      fields: [
        { name: 'Key', type: 'string', versions: '4+' },
        { name: 'NodeId', type: 'int32', versions: '4+' },
        { name: 'Host', type: 'string', versions: '4+' },
        { name: 'Port', type: 'int32', versions: '4+' },
        { name: 'ErrorCode', type: 'int16', versions: '4+' },
        { name: 'ErrorMessage', type: 'string', versions: '4+', nullableVersions: '4+' },
      ],
    },
  ],
};

export const FindCoordinator = defineApi<FindCoordinatorRequest, FindCoordinatorResponse>(request, response);
