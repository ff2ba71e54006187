/**
 * JSON text in UTF-8 (`JSON.stringify` / `JSON.parse`). Kafka itself ships no JSON serde; this is
 * what kafkajs users write by hand, and what Kafka Connect's JsonConverter reads with
 * `schemas.enable=false`.
 *
 * Kafka's null and JSON's `null` differ: `serialize(topic, null)` is a null record (a tombstone),
 * never the four bytes `null`; the bytes `null` deserialize to `null`.
 */
import type { Serde } from './serde.js';
import { corruptData, describeValue, invalidValue, messageOf } from './serde-fault.js';

export const JsonSerde: Serde<unknown> = {
  name: 'Json',
  serialize(topic, data) {
    if (data === null || data === undefined) return null;
    let text: string | undefined;
    try {
      text = JSON.stringify(data);
    } catch (error) {
      // A BigInt or a cycle.
      throw invalidValue('Json', topic, `JSON.stringify failed: ${messageOf(error)}`);
    }
    // JSON.stringify gives undefined for a function or a symbol.
    if (text === undefined) throw invalidValue('Json', topic, `JSON cannot represent a ${describeValue(data)}`);
    return Buffer.from(text, 'utf8');
  },
  deserialize(topic, data) {
    if (data === null || data === undefined) return null;
    try {
      return JSON.parse(data.toString('utf8')) as unknown;
    } catch (error) {
      throw corruptData('Json', topic, `Data is not valid JSON: ${messageOf(error)}`);
    }
  },
};
