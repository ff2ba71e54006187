/**
 * UTF-8 text, as Java's StringSerializer with its default encoding. Bytes that are not valid UTF-8
 * decode with U+FFFD in their place, as Java's `new String(bytes, UTF_8)` does, rather than fail.
 */
import type { Serde } from './serde.js';
import { describeValue, invalidValue } from './serde-fault.js';

export const StringSerde: Serde<string> = {
  name: 'String',
  serialize(topic, data) {
    if (data === null || data === undefined) return null;
    if (typeof data !== 'string') {
      throw invalidValue('String', topic, `StringSerializer takes a string; got ${describeValue(data)}`);
    }
    return Buffer.from(data, 'utf8');
  },
  deserialize(_topic, data) {
    if (data === null || data === undefined) return null;
    return data.toString('utf8');
  },
};
