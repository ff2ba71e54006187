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
 * Carries a Change through a repartition topic (`KTable.groupBy`): a flag byte (bit 0: a new value
 * follows, bit 1: an old value follows), then the value's bytes, or — when both follow — the new
 * value's length (4 bytes, big-endian), the new value's bytes and the old value's. Both travel in
 * one record only when the old and new rows fall in the same group; otherwise they go as separate
 * records, because their keys differ.
 */
export function changedSerde<V>(inner: Serde<V>): Serde<Change<V>> {
  return {
    get name() {
      return `Changed(${inner.name})`;
    },
    serialize(topic, change, headers) {
      if (change === null) return null;
      const newBytes = change.newValue === null ? null : inner.serialize(topic, change.newValue, headers);
      const oldBytes = change.oldValue === null ? null : inner.serialize(topic, change.oldValue, headers);
      const flags = (newBytes === null ? 0 : 1) | (oldBytes === null ? 0 : 2);
      if (newBytes !== null && oldBytes !== null) {
        const out = Buffer.allocUnsafe(5 + newBytes.length + oldBytes.length);
        out[0] = flags;
        out.writeUInt32BE(newBytes.length, 1);
        newBytes.copy(out, 5);
        oldBytes.copy(out, 5 + newBytes.length);
        return out;
      }
      const bytes = newBytes ?? oldBytes;
      const out = Buffer.allocUnsafe(1 + (bytes?.length ?? 0));
      out[0] = flags;
      bytes?.copy(out, 1);
      return out;
    },
    deserialize(topic, data, headers) {
      if (data === null) return null;
      if (data.length < 1 || data[0] > 3 || (data[0] === 3 && (data.length < 5 || 5 + data.readUInt32BE(1) > data.length))) {
        throw new Error(`not a Changed record (flag byte ${data[0]}, ${data.length} bytes)`);
      }
      const value = (bytes: Buffer): V | null => inner.deserialize(topic, bytes, headers);
      switch (data[0]) {
        case 0:
          return { newValue: null, oldValue: null };
        case 1:
          return { newValue: value(data.subarray(1)), oldValue: null };
        case 2:
          return { newValue: null, oldValue: value(data.subarray(1)) };
        default: {
          const end = 5 + data.readUInt32BE(1);
          return { newValue: value(data.subarray(5, end)), oldValue: value(data.subarray(end)) };
        }
      }
    },
  };
}
