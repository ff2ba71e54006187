/**
 * A table update as it travels between KTable nodes (Kafka Streams' `Change`): the new value and the
 * one it replaced; null means absent (a new key, or a deletion).
 */
import type { Serde } from '../../../serdes/serde.js';

export interface Change<V> {
  readonly newValue: V | null;
  readonly oldValue: V | null;
}

/**
 * Carries one side of a Change through a repartition topic (`KTable.groupBy`): a flag byte (bit 0:
 * it is the new value, not the old one; bit 1: the value is not null) followed by the value's bytes. The old and new values go as separate records
 * because their keys may differ.
 */
export function changedSerde<V>(inner: Serde<V>): Serde<Change<V>> {
  return {
    name: `Changed(${inner.name})`,
    serialize(topic, change, headers) {
      if (change === null) return null;
      const isNew = change.newValue !== null;
      const bytes = inner.serialize(topic, isNew ? change.newValue : change.oldValue, headers);
      const out = Buffer.allocUnsafe(1 + (bytes?.length ?? 0));
      out[0] = (isNew ? 1 : 0) | (bytes === null ? 0 : 2);
      bytes?.copy(out, 1);
      return out;
    },
    deserialize(topic, data, headers) {
      if (data === null) return null;
      if (data.length < 1 || data[0] > 3) throw new Error(`not a Changed record (flag byte ${data[0]})`);
      const value = inner.deserialize(topic, data[0] & 2 ? data.subarray(1) : null, headers);
      return data[0] & 1 ? { newValue: value, oldValue: null } : { newValue: null, oldValue: value };
    },
  };
}
