/**
 * ApiVersions: v0-4.
 *
 * Behavior: lists every API a handler is registered for, with that handler's versions. A request
 * newer than v4 never reaches here: the connection answers it at v0 with UNSUPPORTED_VERSION and
 * this same list (KIP-511), so the client retries with a version we speak.
 */
import { ApiVersions } from '../../protocol/apis/api-versions.js';
import { ErrorCode } from '../../protocol/errors.js';
import { handler, type HandlerRegistry } from '../server/handler.js';

export const apiVersionsHandler = (registry: HandlerRegistry) =>
  handler(ApiVersions, {}, () => ({
    errorCode: ErrorCode.NONE,
    apiKeys: registry.supported(),
    throttleTimeMs: 0,
    supportedFeatures: [],
    finalizedFeaturesEpoch: -1n,
    finalizedFeatures: [],
    zkMigrationReady: false,
  }));
