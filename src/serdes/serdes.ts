/**
 * `Serdes`: the built-in serdes under Kafka's names (`Serdes.String()`, `Serdes.Long()`, …). Each
 * call returns a shared instance — serdes hold no per-use state — so calling it per record or per
 * topology costs nothing. `Serdes.Avro(...)` is the exception: it builds a serde for its schema,
 * with its own caches; make it once and reuse it.
 */
import { AvroBinarySerde, type AvroBinarySerdeOptions } from './avro-binary-serde.js';
import { AvroRegistrySerde, type AvroRegistrySerdeOptions } from './avro-registry-serde.js';
import { ByteArraySerde } from './byte-array-serde.js';
import { JsonSerde } from './json-serde.js';
import { DoubleSerde, FloatSerde, Int32Serde, LongSerde, ShortSerde } from './number-serdes.js';
import type { Serde } from './serde.js';
import { StringSerde } from './string-serde.js';
import { VoidSerde } from './void-serde.js';

export type AvroSerdeOptions = AvroBinarySerdeOptions | AvroRegistrySerdeOptions;

/**
 * Avro through avsc. With a `registry`: Confluent's wire format (magic byte, schema id, Avro
 * binary), the writer schema registered and looked up per record. Without: plain Avro binary in a
 * fixed writer schema, optionally read into a different `readerSchema`. The type parameter is
 * trusted, not checked against the schema.
 */
function Avro<T>(options: AvroRegistrySerdeOptions): AvroRegistrySerde<T>;
function Avro<T>(options: AvroBinarySerdeOptions): AvroBinarySerde<T>;
function Avro<T>(options: AvroSerdeOptions): AvroRegistrySerde<T> | AvroBinarySerde<T> {
  return options.registry === undefined ? new AvroBinarySerde<T>(options) : new AvroRegistrySerde<T>(options);
}

export const Serdes = {
  /** UTF-8 text. */
  String: (): Serde<string> => StringSerde,
  /** `JSON.stringify` / `JSON.parse` in UTF-8. The type parameter is trusted, not checked. */
  Json: <T = unknown>(): Serde<T> => JsonSerde as Serde<T>,
  /** Bytes as they are, not copied. */
  ByteArray: (): Serde<Buffer> => ByteArraySerde,
  /** 2-byte big-endian signed integer (Java's ShortSerializer). */
  Short: (): Serde<number> => ShortSerde,
  /** 4-byte big-endian signed integer (Java's IntegerSerializer). */
  Int32: (): Serde<number> => Int32Serde,
  /** 8-byte big-endian signed integer (Java's LongSerializer), as a safe-integer `number`. */
  Long: (): Serde<number> => LongSerde,
  /** 4-byte IEEE 754 binary32 big-endian (Java's FloatSerializer). */
  Float: (): Serde<number> => FloatSerde,
  /** 8-byte IEEE 754 binary64 big-endian (Java's DoubleSerializer). */
  Double: (): Serde<number> => DoubleSerde,
  /** Only null, both ways (Java's VoidSerializer). */
  Void: (): Serde<null> => VoidSerde,
  Avro,
} as const;
