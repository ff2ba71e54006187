/**
 * AlterConfigs: v0-2.
 *
 * Behavior: for a topic, the configs given replace all of its overrides (anything not named goes
 * back to the broker default), as Kafka's non-incremental AlterConfigs does. Every name and value is
 * validated first (INVALID_CONFIG), and partition logs pick up the new settings at once. Broker
 * resources cannot be changed at runtime here (INVALID_REQUEST): edit server.properties.
 */
import { AlterConfigs, type AlterConfigsRequest, type AlterConfigsResponse } from '../../protocol/apis/alter-configs.js';
import type { BrokerServices } from '../broker-services.js';
import { handler } from '../server/handler.js';
import { alterResource } from './alter-resource.js';

export const alterConfigsHandler = (s: BrokerServices) =>
  handler(AlterConfigs, {}, (req: AlterConfigsRequest): AlterConfigsResponse => ({
    throttleTimeMs: 0,
    responses: req.resources.map((res) =>
      alterResource(s, res, () =>
        s.topicManager.replaceConfigs(res.resourceName, Object.fromEntries(res.configs.map((c) => [c.name, c.value])), req.validateOnly),
      ),
    ),
  }));
