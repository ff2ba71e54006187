/**
 * Serdes for windowed keys (Kafka Streams' `WindowedSerdes`), byte-compatible with Kafka Streams:
 * a time-windowed key is the key's bytes then the window start (8 bytes, big-endian); a
 * session-windowed key is the key's bytes, the session end, then its start.
 */
import type { Serde } from '../../../serdes/serde.js';
import type { Windowed } from '../../state/window-store.js';

export const WindowedSerdes = {
  /** `windowSizeMs` gives the window end when reading (it is not in the bytes). */
  timeWindowed<K>(inner: Serde<K>, windowSizeMs: number): Serde<Windowed<K>> {
    return {
      name: `TimeWindowed(${inner.name})`,
      serialize(topic, w, headers) {
        if (w === null || w === undefined) return null;
        const key = inner.serialize(topic, w.key, headers) ?? Buffer.alloc(0);
        const out = Buffer.allocUnsafe(key.length + 8);
        key.copy(out, 0);
        out.writeBigInt64BE(BigInt(w.window.start), key.length);
        return out;
      },
      deserialize(topic, data, headers) {
        if (data === null) return null;
        if (data.length < 8) throw new Error(`a time-windowed key needs at least 8 bytes, got ${data.length}`);
        const start = Number(data.readBigInt64BE(data.length - 8));
        return { key: inner.deserialize(topic, data.subarray(0, data.length - 8), headers) as K, window: { start, end: start + windowSizeMs } };
      },
    };
  },
  sessionWindowed<K>(inner: Serde<K>): Serde<Windowed<K>> {
    return {
      name: `SessionWindowed(${inner.name})`,
      serialize(topic, w, headers) {
        if (w === null || w === undefined) return null;
        const key = inner.serialize(topic, w.key, headers) ?? Buffer.alloc(0);
        const out = Buffer.allocUnsafe(key.length + 16);
        key.copy(out, 0);
        out.writeBigInt64BE(BigInt(w.window.end), key.length);
        out.writeBigInt64BE(BigInt(w.window.start), key.length + 8);
        return out;
      },
      deserialize(topic, data, headers) {
        if (data === null) return null;
        if (data.length < 16) throw new Error(`a session-windowed key needs at least 16 bytes, got ${data.length}`);
        const end = Number(data.readBigInt64BE(data.length - 16));
        const start = Number(data.readBigInt64BE(data.length - 8));
        return { key: inner.deserialize(topic, data.subarray(0, data.length - 16), headers) as K, window: { start, end } };
      },
    };
  },
};
