/** InMemorySchemaRegistry's refusals: a schema that does not parse, or breaks compatibility. */
import type { SerdeErrorCode } from './error-codes.js';

export class SchemaRegistryError extends Error {
  override name = 'SchemaRegistryError';
  constructor(
    readonly code: SerdeErrorCode,
    readonly subject: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
