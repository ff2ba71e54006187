/**
 * For a key or value that is always null, as Java's VoidSerializer/VoidDeserializer: only null
 * passes; any bytes, even none, are an error (Java's message), since they mean the topic holds
 * something the application did not expect.
 */
import type { Serde } from './serde.js';
import { corruptData, describeValue, invalidValue } from './serde-fault.js';

export const VoidSerde: Serde<null> = {
  name: 'Void',
  serialize(topic, data) {
    if (data === null || data === undefined) return null;
    throw invalidValue('Void', topic, `VoidSerializer takes only null; got ${describeValue(data)}`);
  },
  deserialize(topic, data) {
    if (data === null || data === undefined) return null;
    throw corruptData('Void', topic, 'Data should be null for a VoidDeserializer.');
  },
};
