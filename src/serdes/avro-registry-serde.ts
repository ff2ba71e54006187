/**
 * Avro in Confluent's wire format against a schema registry, as Confluent's KafkaAvroSerializer
 * and KafkaAvroDeserializer do it, so records interoperate with every Confluent-compatible client.
 *
 * serialize: the subject (TopicNameStrategy by default: `<topic>-key` / `<topic>-value`) gets the
 * serde's schema registered (or, with `autoRegisterSchemas: false`, looked up; with
 * `useLatestVersion`, the subject's latest schema is written instead), and the record is
 * 0x00, that schema's id, the Avro binary.
 *
 * deserialize: the id in the record names the writer schema; it is fetched once per id and
 * resolved into the serde's own schema (the reader), so records written with v1 read as v2 when v2
 * only adds fields with defaults.
 *
 * Registry answers are cached for the serde's life (ids are immutable in a registry). A registry
 * that answers with a promise cannot be awaited here — serdes are synchronous — so a miss throws
 * SCHEMA_NOT_LOADED with a `whenLoaded` promise; `preload` fetches ahead of time.
 */
import type { Type } from 'avsc';
import { decodeAvro, encodeAvro } from './avro-codec.js';
import { collectionGuardFor, type CollectionGuard } from './avro-collection-guard.js';
import { avroResolver, avroSchemaText, avroTypeLabel, parseAvroSchema, type AvroResolver, type AvroSchema } from './avro-schema.js';
import { SerdeErrorCode } from './error-codes.js';
import { LoadingCache } from './loading-cache.js';
import { andThen, isPromiseLike, type MaybePromise } from './maybe-promise.js';
import type { SchemaRegistryClient } from './schema-registry-client.js';
import type { Serde } from './serde.js';
import { messageOf, SerdeFault, toSerializationError } from './serde-fault.js';
import { TopicNameStrategy, type SubjectNameStrategy } from './subject-name-strategy.js';
import { readSchemaId, WIRE_HEADER_SIZE, writeWireFormat } from './wire-format.js';

export interface AvroRegistrySerdeOptions {
  /** The serde's schema: what it writes (unless `useLatestVersion`) and what it reads into. */
  schema: AvroSchema;
  registry: SchemaRegistryClient;
  /** Whether the serde is for keys (subject `<topic>-key`) or values (`<topic>-value`, the default). */
  isKey?: boolean;
  /** Default TopicNameStrategy. */
  subjectNameStrategy?: SubjectNameStrategy;
  /** Register the schema when serializing (default true); false looks it up and fails if absent. */
  autoRegisterSchemas?: boolean;
  /** Write with the subject's latest registered schema instead of the serde's own (default false). */
  useLatestVersion?: boolean;
  /** Only for plain binary (AvroBinarySerde); here the writer schema is in each record. */
  readerSchema?: never;
}

/** What the serde writes to a topic with. */
interface WriterSchema {
  readonly id: number;
  readonly type: Type;
}

/** How to read records that name a given schema id; a fault, if they cannot be read at all. */
interface ReaderForId {
  readonly resolver: AvroResolver | undefined;
  readonly guard: CollectionGuard | undefined;
  readonly fault?: SerdeFault;
}

export class AvroRegistrySerde<T> implements Serde<T> {
  readonly name: string;
  readonly type: Type;
  /** The schema as registered. */
  readonly schemaText: string;
  readonly isKey: boolean;
  private readonly registry: SchemaRegistryClient;
  private readonly subjectNameStrategy: SubjectNameStrategy;
  private readonly autoRegisterSchemas: boolean;
  private readonly useLatestVersion: boolean;
  private readonly ownGuard: CollectionGuard | undefined;
  /** By topic. */
  private readonly writers = new LoadingCache<string, WriterSchema>();
  /** By schema id. */
  private readonly readers = new LoadingCache<number, ReaderForId>();

  /** Throws a SerializationError (operation 'configure') for an invalid schema. */
  constructor(options: AvroRegistrySerdeOptions) {
    try {
      this.type = parseAvroSchema(options.schema);
    } catch (error) {
      throw toSerializationError(error, 'Avro', undefined, 'configure');
    }
    this.name = `Avro(${avroTypeLabel(this.type)})`;
    this.schemaText = avroSchemaText(this.type);
    this.registry = options.registry;
    this.isKey = options.isKey ?? false;
    this.subjectNameStrategy = options.subjectNameStrategy ?? TopicNameStrategy;
    this.autoRegisterSchemas = options.autoRegisterSchemas ?? true;
    this.useLatestVersion = options.useLatestVersion ?? false;
    this.ownGuard = collectionGuardFor(this.type);
  }

  serialize(topic: string, data: T | null): Buffer | null {
    if (data === null || data === undefined) return null;
    try {
      const writer = this.writers.get(
        topic,
        () => this.loadWriter(topic),
        (whenLoaded) => notLoaded(`The schema id for topic ${topic}`, `topics: [${JSON.stringify(topic)}]`, whenLoaded),
      );
      return writeWireFormat(writer.id, encodeAvro(writer.type, data));
    } catch (error) {
      throw toSerializationError(error, this.name, topic, 'serialize');
    }
  }

  deserialize(topic: string, data: Buffer | null): T | null {
    if (data === null || data === undefined) return null;
    try {
      const id = readSchemaId(data);
      const reader = this.readers.get(
        id,
        () => this.loadReader(id),
        (whenLoaded) => notLoaded(`Schema id ${id}`, `ids: [${id}]`, whenLoaded),
      );
      if (reader.fault) throw reader.fault;
      return decodeAvro(this.type, data, WIRE_HEADER_SIZE, reader.resolver, reader.guard) as T;
    } catch (error) {
      throw toSerializationError(error, this.name, topic, 'deserialize');
    }
  }

  /**
   * Fetches ahead what serializing to `topics` and deserializing records with schema `ids` need,
   * so that a registry that answers asynchronously is never waited for record by record. Rejects
   * with the SerializationError those calls would throw.
   */
  async preload(what: { topics?: readonly string[]; ids?: readonly number[] }): Promise<void> {
    const topics = (what.topics ?? []).map((topic) =>
      this.writers
        .load(topic, () => this.loadWriter(topic))
        .catch((error: unknown) => {
          throw toSerializationError(error, this.name, topic, 'serialize');
        }),
    );
    const ids = (what.ids ?? []).map((id) =>
      this.readers
        .load(id, () => this.loadReader(id))
        .then(
          (reader) => {
            if (reader.fault) throw toSerializationError(reader.fault, this.name, undefined, 'deserialize');
          },
          (error: unknown) => {
            throw toSerializationError(error, this.name, undefined, 'deserialize');
          },
        ),
    );
    await Promise.all([...topics, ...ids]);
  }

  /** The subject a topic's records are registered under, by the serde's strategy. */
  private subjectFor(topic: string): string {
    try {
      return this.subjectNameStrategy(topic, this.isKey, this.type.name);
    } catch (error) {
      throw new SerdeFault(SerdeErrorCode.INVALID_SCHEMA, messageOf(error), { cause: error });
    }
  }

  private loadWriter(topic: string): MaybePromise<WriterSchema> {
    const subject = this.subjectFor(topic);
    if (this.useLatestVersion) {
      return andThen(
        callRegistry(`get the latest schema of subject ${subject}`, () => this.registry.getLatest(subject)),
        (latest) => {
          if (latest === undefined) {
            throw new SerdeFault(SerdeErrorCode.SCHEMA_NOT_REGISTERED, `Subject ${subject} has no schema (useLatestVersion is set)`);
          }
          const type = parseAvroSchema(latest.schema);
          this.readers.prime(latest.id, this.readerFor(latest.id, type));
          return { id: latest.id, type };
        },
      );
    }
    const id = this.autoRegisterSchemas
      ? callRegistry(`register a schema under subject ${subject}`, () => this.registry.register(subject, this.schemaText))
      : callRegistry(`look up a schema under subject ${subject}`, () => this.registry.getId(subject, this.schemaText));
    return andThen(id, (found) => {
      if (found === undefined) {
        throw new SerdeFault(
          SerdeErrorCode.SCHEMA_NOT_REGISTERED,
          this.autoRegisterSchemas
            ? `The schema registry gave no id for schema ${avroTypeLabel(this.type)} under subject ${subject}`
            : `Schema ${avroTypeLabel(this.type)} is not registered under subject ${subject} (autoRegisterSchemas is false)`,
        );
      }
      // Records this serde wrote read back without asking the registry.
      this.readers.prime(found, { resolver: undefined, guard: this.ownGuard });
      return { id: found, type: this.type };
    });
  }

  private loadReader(id: number): MaybePromise<ReaderForId> {
    return andThen(
      callRegistry(`get schema id ${id}`, () => this.registry.getById(id)),
      (text) => {
        if (text === undefined || text === null) {
          throw new SerdeFault(SerdeErrorCode.UNKNOWN_SCHEMA_ID, `Schema id ${id} is not in the schema registry`);
        }
        let writer: Type;
        try {
          writer = parseAvroSchema(text);
        } catch (error) {
          // Ids are immutable, so a bad answer for one is remembered rather than fetched per record.
          return { resolver: undefined, guard: undefined, fault: asFault(error, `Schema id ${id} from the registry: `) };
        }
        return this.readerFor(id, writer);
      },
    );
  }

  private readerFor(id: number, writer: Type): ReaderForId {
    try {
      return { resolver: avroResolver(this.type, writer, `The writer schema (id ${id})`), guard: collectionGuardFor(writer) };
    } catch (error) {
      return { resolver: undefined, guard: undefined, fault: asFault(error, '') };
    }
  }
}

function notLoaded(what: string, preloadArgument: string, whenLoaded: Promise<void>): SerdeFault {
  return new SerdeFault(
    SerdeErrorCode.SCHEMA_NOT_LOADED,
    `${what} is not cached yet and the schema registry answers asynchronously, while serdes are synchronous: ` +
      `call \`await serde.preload({ ${preloadArgument} })\` before processing, or await this error's whenLoaded and try again`,
    { whenLoaded },
  );
}

/** A registry call whose failure, thrown or rejected, is reported as REGISTRY_ERROR. */
function callRegistry<R>(what: string, call: () => MaybePromise<R>): MaybePromise<R> {
  const failed = (error: unknown): SerdeFault =>
    new SerdeFault(SerdeErrorCode.REGISTRY_ERROR, `The schema registry failed to ${what}: ${messageOf(error)}`, { cause: error });
  let answer: MaybePromise<R>;
  try {
    answer = call();
  } catch (error) {
    throw failed(error);
  }
  if (!isPromiseLike(answer)) return answer;
  return Promise.resolve(answer).catch((error: unknown) => {
    throw failed(error);
  });
}

function asFault(error: unknown, prefix: string): SerdeFault {
  if (error instanceof SerdeFault) return new SerdeFault(error.code, prefix + error.message, { cause: error.options.cause });
  return new SerdeFault(SerdeErrorCode.CORRUPT_DATA, prefix + messageOf(error), { cause: error });
}
