/**
 * AlterConfigs (key 33): v0-2. Flexible from v2.
 *
 * Replaces the whole dynamic config of each resource with the entries given: a key left out is
 * removed. (IncrementalAlterConfigs is the one that changes single keys.) v1 differs from v0 only in
 * throttling behaviour; v2 is flexible. ResourceType as in DescribeConfigs (2 topic, 4 broker).
 */
import { defineApi } from '../api.js';
import type { MessageSpec } from '../schema.js';

export interface AlterConfigsRequest {
  resources: AlterConfigsResource[];
  validateOnly: boolean;
}

export interface AlterConfigsResource {
  resourceType: number;
  resourceName: string;
  configs: Array<{ name: string; value: string | null }>;
}

export interface AlterConfigsResponse {
  throttleTimeMs: number;
  responses: Array<{ errorCode: number; errorMessage: string | null; resourceType: number; resourceName: string }>;
}

const request: MessageSpec = {
  apiKey: 33,
  type: 'request',
  name: 'AlterConfigsRequest',
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [
    {
      name: 'Resources',
      type: '[]AlterConfigsResource',
      versions: '0+',
      fields: [
        { name: 'ResourceType', type: 'int8', versions: '0+' },
        { name: 'ResourceName', type: 'string', versions: '0+' },
        {
          name: 'Configs',
          type: '[]AlterableConfig',
          versions: '0+',
          fields: [
            { name: 'Name', type: 'string', versions: '0+' },
            { name: 'Value', type: 'string', versions: '0+', nullableVersions: '0+' },
          ],
        },
      ],
    },
    { name: 'ValidateOnly', type: 'bool', versions: '0+' },
  ],
};

const response: MessageSpec = {
  apiKey: 33,
  type: 'response',
  name: 'AlterConfigsResponse',
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'Responses',
      type: '[]AlterConfigsResourceResponse',
      versions: '0+',
      fields: [
        { name: 'ErrorCode', type: 'int16', versions: '0+' },
        { name: 'ErrorMessage', type: 'string', nullableVersions: '0+', versions: '0+' },
        { name: 'ResourceType', type: 'int8', versions: '0+' },
        { name: 'ResourceName', type: 'string', versions: '0+' },
      ],
    },
  ],
};

export const AlterConfigs = defineApi<AlterConfigsRequest, AlterConfigsResponse>(request, response);
