/**
 * Avro schemas for the serdes, through avsc: accepting a schema in any of the forms users hold
 * one in, naming it for messages, the text sent to a registry, and reader/writer resolution.
 */
import avro from 'avsc';
import type { Schema, Type } from 'avsc';
import { SerdeErrorCode } from './error-codes.js';
import { messageOf, SerdeFault } from './serde-fault.js';

/**
 * A schema as avsc takes it (a parsed JSON object, a primitive's name, an avsc `Type` — build one
 * yourself to pass avsc options such as logical types), or the JSON text of an `.avsc` file.
 * Typed loosely on purpose: avsc's own schema typings refuse ordinary literals (a readonly
 * `fields` array, a `type` widened to string), and avsc checks the schema when the serde is made.
 */
export type AvroSchema = string | object;

export type AvroResolver = ReturnType<Type['createResolver']>;

export function parseAvroSchema(schema: AvroSchema): Type {
  if (avro.Type.isType(schema)) return schema as unknown as Type;
  try {
    // A string is JSON text unless it is a bare type name ("string", "com.example.Order").
    const parsed: unknown = typeof schema === 'string' && /^\s*[{["]/.test(schema) ? JSON.parse(schema) : schema;
    return avro.Type.forSchema(parsed as Schema);
  } catch (error) {
    throw new SerdeFault(SerdeErrorCode.INVALID_SCHEMA, `Not a valid Avro schema: ${messageOf(error)}`, { cause: error });
  }
}

/** `com.example.Order` for a named type, `string`, `array`, `union:unwrapped` … otherwise. */
export function avroTypeLabel(type: Type): string {
  return type.name ?? type.typeName;
}

/**
 * The schema's full JSON (defaults, docs and custom attributes included: a registry's
 * compatibility check and later readers need the defaults), as a registry stores it.
 */
export function avroSchemaText(type: Type): string {
  return JSON.stringify(type.schema({ exportAttrs: true }));
}

/**
 * What reads data written with `writer` as `reader`; undefined when the two have the same
 * canonical form, so the same binary layout, and `reader` can decode the bytes directly.
 */
export function avroResolver(reader: Type, writer: Type, writerLabel: string): AvroResolver | undefined {
  if (reader.equals(writer)) return undefined;
  try {
    return reader.createResolver(writer);
  } catch (error) {
    throw new SerdeFault(
      SerdeErrorCode.INCOMPATIBLE_SCHEMA,
      `${writerLabel} cannot be read as the reader schema ${avroTypeLabel(reader)}: ${messageOf(error)}`,
      { cause: error },
    );
  }
}
