/**
 * IncrementalAlterConfigs: v0-1.
 *
 * Behavior: per topic config, SET (0), DELETE (1, back to the default), APPEND (2) or SUBTRACT (3)
 * for list configs such as cleanup.policy. The result is validated as a whole before anything
 * changes. Broker resources are INVALID_REQUEST, as for AlterConfigs.
 */
import {
  IncrementalAlterConfigs,
  type IncrementalAlterConfigsRequest,
  type IncrementalAlterConfigsResponse,
} from '../../protocol/apis/incremental-alter-configs.js';
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import type { BrokerServices } from '../broker-services.js';
import type { ConfigOp } from '../metadata/topic-manager.js';
import { handler } from '../server/handler.js';
import { alterResource } from './alter-resource.js';

const OPS: ConfigOp[] = ['set', 'delete', 'append', 'subtract'];

export const incrementalAlterConfigsHandler = (s: BrokerServices) =>
  handler(IncrementalAlterConfigs, {}, (req: IncrementalAlterConfigsRequest): IncrementalAlterConfigsResponse => ({
    throttleTimeMs: 0,
    responses: req.resources.map((res) =>
      alterResource(s, res, () => {
        const ops = res.configs.map((c) => {
          const op = OPS[c.configOperation];
          if (op === undefined) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unknown config operation ${c.configOperation} for ${c.name}`);
          return { name: c.name, op, value: c.value };
        });
        s.topicManager.alterConfigs(res.resourceName, ops, req.validateOnly);
      }),
    ),
  }));
