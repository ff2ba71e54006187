/**
 * How a serde names the registry subject it registers and looks up schemas under — Confluent's
 * `key.subject.name.strategy` / `value.subject.name.strategy`, with the same three built-ins.
 * `recordName` is the fully qualified name of the serde's schema (undefined for an unnamed one
 * such as `"string"` or an array).
 */
export type SubjectNameStrategy = (topic: string, isKey: boolean, recordName: string | undefined) => string;

/** `<topic>-key` / `<topic>-value`: one schema history per topic (Confluent's default). */
export const TopicNameStrategy: SubjectNameStrategy = (topic, isKey) => `${topic}-${isKey ? 'key' : 'value'}`;

/** `<record name>`: one history per record type, shared by every topic that carries it. */
export const RecordNameStrategy: SubjectNameStrategy = (_topic, _isKey, recordName) => recordName ?? unnamed('RecordNameStrategy');

/** `<topic>-<record name>`: several record types on one topic, one history each. */
export const TopicRecordNameStrategy: SubjectNameStrategy = (topic, _isKey, recordName) => `${topic}-${recordName ?? unnamed('TopicRecordNameStrategy')}`;

function unnamed(strategy: string): never {
  throw new Error(`${strategy} needs a named schema (a record, enum or fixed)`);
}
