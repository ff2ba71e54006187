/**
 * A schema registry in the process, for tests, TopologyTestDriver and single-process deployments.
 * It behaves as Confluent's does where a serde can tell: ids are global and assigned from 1 in
 * order; a schema registered again (under any subject) gets its first id back; versions per subject
 * count from 1; and a new version must pass the subject's compatibility level, BACKWARD by default.
 *
 * Schemas are compared in avsc's full JSON form (whitespace and key order do not matter; docs and
 * defaults do). Compatibility is Avro schema resolution as avsc implements it — the new schema can
 * read the old (BACKWARD), the old can read the new (FORWARD), or both (FULL), against the latest
 * version or, for *_TRANSITIVE, every version. Left out: deleting subjects or versions, per-subject
 * compatibility, schema references, and schema types other than Avro.
 */
import avro from 'avsc';
import type { Schema, Type } from 'avsc';
import { SerdeErrorCode } from './error-codes.js';
import type { SchemaMetadata, SchemaRegistryClient } from './schema-registry-client.js';
import { SchemaRegistryError } from './schema-registry-error.js';
import { messageOf } from './serde-fault.js';

export type CompatibilityLevel = 'NONE' | 'BACKWARD' | 'BACKWARD_TRANSITIVE' | 'FORWARD' | 'FORWARD_TRANSITIVE' | 'FULL' | 'FULL_TRANSITIVE';

export interface InMemorySchemaRegistryOptions {
  /** Checked when a subject gets a new version; Confluent's default is BACKWARD. */
  compatibility?: CompatibilityLevel;
}

interface StoredSchema {
  readonly text: string;
  readonly type: Type;
}

export class InMemorySchemaRegistry implements SchemaRegistryClient {
  readonly compatibility: CompatibilityLevel;
  /** By id - 1. */
  private readonly schemas: StoredSchema[] = [];
  private readonly idsByText = new Map<string, number>();
  /** Each subject's versions, as schema ids, oldest first. */
  private readonly subjects = new Map<string, number[]>();

  constructor(options: InMemorySchemaRegistryOptions = {}) {
    this.compatibility = options.compatibility ?? 'BACKWARD';
  }

  register(subject: string, schema: string): number {
    const parsed = parse(subject, schema);
    const versions = this.subjects.get(subject) ?? [];
    const registered = versions.find((id) => this.schemas[id - 1].text === parsed.text);
    if (registered !== undefined) return registered;
    this.checkCompatibility(subject, versions, parsed.type);
    let id = this.idsByText.get(parsed.text);
    if (id === undefined) {
      this.schemas.push(parsed);
      id = this.schemas.length;
      this.idsByText.set(parsed.text, id);
    }
    versions.push(id);
    this.subjects.set(subject, versions);
    return id;
  }

  getId(subject: string, schema: string): number | undefined {
    const { text } = parse(subject, schema);
    return this.subjects.get(subject)?.find((id) => this.schemas[id - 1].text === text);
  }

  getById(id: number): string | undefined {
    return Number.isInteger(id) && id >= 1 ? this.schemas[id - 1]?.text : undefined;
  }

  getLatest(subject: string): SchemaMetadata | undefined {
    const versions = this.subjects.get(subject);
    if (versions === undefined || versions.length === 0) return undefined;
    const id = versions[versions.length - 1];
    return { id, version: versions.length, schema: this.schemas[id - 1].text };
  }

  /** The subjects, in the order they were first registered. */
  getAllSubjects(): string[] {
    return [...this.subjects.keys()];
  }

  private checkCompatibility(subject: string, versions: readonly number[], candidate: Type): void {
    const level = this.compatibility;
    if (level === 'NONE' || versions.length === 0) return;
    const against = level.endsWith('_TRANSITIVE') ? versions : versions.slice(-1);
    const backward = level.startsWith('BACKWARD') || level.startsWith('FULL');
    const forward = level.startsWith('FORWARD') || level.startsWith('FULL');
    for (const id of against) {
      const existing = this.schemas[id - 1].type;
      const problem =
        (backward ? cannotRead(candidate, existing, 'the new schema cannot read data written with') : undefined) ??
        (forward ? cannotRead(existing, candidate, 'data written with the new schema cannot be read with') : undefined);
      if (problem !== undefined) {
        const version = versions.indexOf(id) + 1;
        throw new SchemaRegistryError(
          SerdeErrorCode.REGISTRY_INCOMPATIBLE_SCHEMA,
          subject,
          `Schema is incompatible with version ${version} (id ${id}) of subject ${subject} under ${level}: ${problem}`,
        );
      }
    }
  }
}

function parse(subject: string, schema: string): StoredSchema {
  try {
    const type = avro.Type.forSchema(JSON.parse(schema) as Schema);
    return { type, text: JSON.stringify(type.schema({ exportAttrs: true })) };
  } catch (error) {
    throw new SchemaRegistryError(SerdeErrorCode.REGISTRY_INVALID_SCHEMA, subject, `Not a valid Avro schema for subject ${subject}: ${messageOf(error)}`, {
      cause: error,
    });
  }
}

/** Why `reader` cannot read what `writer` wrote, or undefined if it can. */
function cannotRead(reader: Type, writer: Type, words: string): string | undefined {
  try {
    reader.createResolver(writer);
    return undefined;
  } catch (error) {
    return `${words} the existing one (${messageOf(error)})`;
  }
}
