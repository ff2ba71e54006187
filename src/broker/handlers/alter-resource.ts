/**
 * What AlterConfigs and IncrementalAlterConfigs share: resource-type checks and the error mapping
 * of one resource's result.
 */
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import type { BrokerServices } from '../broker-services.js';
import { ResourceType } from './32-describe-configs.js';

export function alterResource(
  s: BrokerServices,
  res: { resourceType: number; resourceName: string },
  alter: () => void,
): { errorCode: number; errorMessage: string | null; resourceType: number; resourceName: string } {
  const base = { resourceType: res.resourceType, resourceName: res.resourceName };
  try {
    if (res.resourceType === ResourceType.broker) {
      throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Broker configs cannot be changed at runtime on this broker; edit server.properties and restart.');
    }
    if (res.resourceType !== ResourceType.topic) {
      throw new KafkaError(ErrorCode.INVALID_REQUEST, `Resource type ${res.resourceType} is not supported.`);
    }
    alter();
    return { ...base, errorCode: ErrorCode.NONE, errorMessage: null };
  } catch (err) {
    if (err instanceof KafkaError) return { ...base, errorCode: err.code, errorMessage: err.message };
    s.logger.error(`Altering configs of ${res.resourceName} failed: ${(err as Error).stack}`);
    return { ...base, errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: null };
  }
}
