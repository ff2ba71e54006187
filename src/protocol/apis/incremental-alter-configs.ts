/**
 * IncrementalAlterConfigs (key 44): v0-1. Flexible from v1.
 *
 * Changes single config keys of a resource, leaving the others as they are (KIP-339). ConfigOperation
 * is 0 SET, 1 DELETE (back to the default), 2 APPEND and 3 SUBTRACT (list-valued keys only).
 * ResourceType as in DescribeConfigs (2 topic, 4 broker, 8 broker logger). v1 is v0 made flexible.
 */
import { defineApi } from '../api.js';
import type { MessageSpec } from '../schema.js';

export interface IncrementalAlterConfigsRequest {
  resources: IncrementalAlterConfigsResource[];
  validateOnly: boolean;
}

export interface IncrementalAlterConfigsResource {
  resourceType: number;
  resourceName: string;
  configs: Array<{ name: string; configOperation: number; value: string | null }>;
}

export interface IncrementalAlterConfigsResponse {
  throttleTimeMs: number;
  responses: Array<{ errorCode: number; errorMessage: string | null; resourceType: number; resourceName: string }>;
}

const request: MessageSpec = {
  apiKey: 44,
  type: 'request',
  name: 'IncrementalAlterConfigsRequest',
  validVersions: '0-1',
  flexibleVersions: '1+',
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
            { name: 'ConfigOperation', type: 'int8', versions: '0+' },
            { name: 'Value', type: 'string', versions: '0+', nullableVersions: '0+' },
          ],
        },
      ],
    },
    { name: 'ValidateOnly', type: 'bool', versions: '0+' },
  ],
};

const response: MessageSpec = {
  apiKey: 44,
  type: 'response',
  name: 'IncrementalAlterConfigsResponse',
  validVersions: '0-1',
  flexibleVersions: '1+',
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

export const IncrementalAlterConfigs = defineApi<IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse>(request, response);
