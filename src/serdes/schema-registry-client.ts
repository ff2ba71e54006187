/**
 * What AvroRegistrySerde needs from a schema registry: the four calls Confluent's serializers make
 * (their REST endpoints beside each). Schemas are exchanged as their JSON text, as that API does.
 *
 * Every method may answer synchronously (InMemorySchemaRegistry does) or with a promise (an HTTP
 * client must). Serdes are synchronous, so the serde caches every answer and, when an answer it
 * needs is still on its way, throws SCHEMA_NOT_LOADED instead of waiting: preload what a topology
 * needs first (`await serde.preload(...)`), or await the error's `whenLoaded` and call again.
 * "Not found" is `undefined`, not an error; a thrown error or rejection is reported as
 * REGISTRY_ERROR with it as the cause.
 */
import type { MaybePromise } from './maybe-promise.js';

export interface SchemaMetadata {
  /** The global schema id (what the wire format carries). */
  id: number;
  /** The version within the subject, from 1. */
  version: number;
  schema: string;
}

export interface SchemaRegistryClient {
  /**
   * Registers the schema under the subject, or finds it there already, and gives its id; the
   * same schema gets the same id. (POST /subjects/{subject}/versions)
   */
  register(subject: string, schema: string): MaybePromise<number>;
  /** The id of the schema if it is registered under the subject. (POST /subjects/{subject}) */
  getId(subject: string, schema: string): MaybePromise<number | undefined>;
  /** The schema with this id. (GET /schemas/ids/{id}) */
  getById(id: number): MaybePromise<string | undefined>;
  /** The subject's latest version. (GET /subjects/{subject}/versions/latest) */
  getLatest(subject: string): MaybePromise<SchemaMetadata | undefined>;
}
