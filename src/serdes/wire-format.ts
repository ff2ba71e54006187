/**
 * Confluent's wire format, which Confluent's serializers (Java, librdkafka, kafkajs'
 * confluent-schema-registry) write and read: a magic byte 0, the schema id as a 4-byte big-endian
 * signed integer, then the value's Avro binary in that schema.
 *
 *   00 | 00 00 00 07 | <Avro binary>
 */
import { SerdeErrorCode } from './error-codes.js';
import { SerdeFault } from './serde-fault.js';

export const MAGIC_BYTE = 0;
export const WIRE_HEADER_SIZE = 5;

export function writeWireFormat(schemaId: number, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(WIRE_HEADER_SIZE + body.length);
  out[0] = MAGIC_BYTE;
  out.writeInt32BE(schemaId, 1);
  body.copy(out, WIRE_HEADER_SIZE);
  return out;
}

/** The schema id of a wire-format payload; its body starts at WIRE_HEADER_SIZE. */
export function readSchemaId(data: Buffer): number {
  if (data.length < WIRE_HEADER_SIZE) {
    throw new SerdeFault(
      SerdeErrorCode.CORRUPT_DATA,
      `Data of ${data.length} bytes is shorter than the Confluent wire format's 5-byte header (magic byte 0 and a 4-byte schema id)`,
    );
  }
  if (data[0] !== MAGIC_BYTE) {
    const found = data[0].toString(16).padStart(2, '0');
    throw new SerdeFault(SerdeErrorCode.CORRUPT_DATA, `Unknown magic byte 0x${found}: the data is not in the Confluent wire format, which starts with 0x00`);
  }
  return data.readInt32BE(1);
}
