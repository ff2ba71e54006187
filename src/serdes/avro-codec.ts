/**
 * Avro binary encoding and decoding for the serdes, with errors that say what went wrong: which
 * fields of a value do not fit the schema, and whether bytes are truncated, have bytes left over,
 * or do not decode at all.
 */
import type { Type } from 'avsc';
import type { CollectionGuard } from './avro-collection-guard.js';
import { avroTypeLabel, type AvroResolver } from './avro-schema.js';
import { SerdeErrorCode } from './error-codes.js';
import { describeValue, messageOf, SerdeFault } from './serde-fault.js';

/** At most this many problems are listed in an invalid value's message. */
const MAX_LISTED_PROBLEMS = 3;

export function encodeAvro(type: Type, value: unknown): Buffer {
  try {
    return type.toBuffer(value);
  } catch (error) {
    throw new SerdeFault(SerdeErrorCode.INVALID_VALUE, invalidValueDetail(type, value, error), { cause: error });
  }
}

/** Only on the failure path: avsc's own message names a type, not the field at fault. */
function invalidValueDetail(type: Type, value: unknown, error: unknown): string {
  const problems: string[] = [];
  type.isValid(value, {
    errorHook: (path, found, expected) => {
      const where = path.length === 0 ? 'the value' : path.join('.');
      problems.push(`${where}: expected ${avroTypeLabel(expected)}, got ${describeValue(found)}`);
    },
  });
  const listed = problems.slice(0, MAX_LISTED_PROBLEMS).join('; ');
  const more = problems.length > MAX_LISTED_PROBLEMS ? ` (and ${problems.length - MAX_LISTED_PROBLEMS} more)` : '';
  return `Value is not valid for schema ${avroTypeLabel(type)}: ${listed === '' ? messageOf(error) : listed + more}`;
}

/**
 * Decodes `data` from `start` to its end as the writer schema's bytes read into `reader` (through
 * `resolver` when the two differ). The whole rest of the buffer must be the one value.
 */
export function decodeAvro(reader: Type, data: Buffer, start: number, resolver: AvroResolver | undefined, guard: CollectionGuard | undefined): unknown {
  guard?.(data, start);
  let decoded: { value: unknown; offset: number };
  try {
    decoded = reader.decode(data, start, resolver);
  } catch (error) {
    // avsc throws for an out-of-range union branch or enum index, and the like.
    throw new SerdeFault(SerdeErrorCode.CORRUPT_DATA, `Avro data does not decode: ${messageOf(error)}`, { cause: error });
  }
  if (decoded.offset < 0) {
    throw new SerdeFault(SerdeErrorCode.CORRUPT_DATA, 'Avro data is truncated: the bytes end before the value does');
  }
  if (decoded.offset < data.length) {
    const extra = data.length - decoded.offset;
    throw new SerdeFault(SerdeErrorCode.CORRUPT_DATA, `Avro data has ${extra} trailing byte${extra === 1 ? '' : 's'} after the value`);
  }
  return decoded.value;
}
