/**
 * Plain Avro binary: the bytes are one value in the writer schema, nothing else — no magic byte,
 * no schema id — so the writer schema is fixed when the serde is made. Schema evolution is
 * reader-side: give `readerSchema` (say v2, with a field added with a default) and records written
 * with `schema` (v1) are resolved into it.
 *
 * For topics whose writers change schema over time, use the Confluent wire format
 * (AvroRegistrySerde), where each record names its writer schema.
 */
import type { Type } from 'avsc';
import { decodeAvro, encodeAvro } from './avro-codec.js';
import { collectionGuardFor, type CollectionGuard } from './avro-collection-guard.js';
import { avroResolver, avroTypeLabel, parseAvroSchema, type AvroResolver, type AvroSchema } from './avro-schema.js';
import type { Serde } from './serde.js';
import { toSerializationError } from './serde-fault.js';

export interface AvroBinarySerdeOptions {
  /** The writer schema: what `serialize` writes, and what the bytes on the topic were written with. */
  schema: AvroSchema;
  /** The schema `deserialize` returns values in; defaults to `schema`. */
  readerSchema?: AvroSchema;
  /** Only for AvroRegistrySerde; here it marks the options as plain binary. */
  registry?: undefined;
}

export class AvroBinarySerde<T> implements Serde<T> {
  readonly name: string;
  readonly writerType: Type;
  readonly readerType: Type;
  private readonly resolver: AvroResolver | undefined;
  private readonly guard: CollectionGuard | undefined;

  /** Throws a SerializationError (operation 'configure') for an invalid or incompatible schema. */
  constructor(options: AvroBinarySerdeOptions) {
    let name = 'Avro';
    try {
      const writerType = parseAvroSchema(options.schema);
      const readerType = options.readerSchema === undefined ? writerType : parseAvroSchema(options.readerSchema);
      name = `Avro(${avroTypeLabel(readerType)})`;
      this.name = name;
      this.writerType = writerType;
      this.readerType = readerType;
      this.resolver = avroResolver(readerType, writerType, `The writer schema ${avroTypeLabel(writerType)}`);
      this.guard = collectionGuardFor(writerType);
    } catch (error) {
      throw toSerializationError(error, name, undefined, 'configure');
    }
  }

  serialize(topic: string, data: T | null): Buffer | null {
    if (data === null || data === undefined) return null;
    try {
      return encodeAvro(this.writerType, data);
    } catch (error) {
      throw toSerializationError(error, this.name, topic, 'serialize');
    }
  }

  deserialize(topic: string, data: Buffer | null): T | null {
    if (data === null || data === undefined) return null;
    try {
      return decodeAvro(this.readerType, data, 0, this.resolver, this.guard) as T;
    } catch (error) {
      throw toSerializationError(error, this.name, topic, 'deserialize');
    }
  }
}
