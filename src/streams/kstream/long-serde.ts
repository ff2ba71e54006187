/**
 * The value serde of `count()` when none is given: 8-byte big-endian, as Kafka Streams' `Serdes.Long()`,
 * so counts read the same from Java. (The public `Serdes.Long()` is the same format.)
 */
import type { Serde } from '../../serdes/serde.js';

export const longSerde: Serde<number> = {
  name: 'Long',
  serialize(_topic, data) {
    if (data === null || data === undefined) return null;
    const out = Buffer.allocUnsafe(8);
    out.writeBigInt64BE(BigInt(data));
    return out;
  },
  deserialize(_topic, data) {
    if (data === null) return null;
    if (data.length !== 8) throw new Error('Size of data received by LongDeserializer is not 8');
    return Number(data.readBigInt64BE(0));
  },
};
