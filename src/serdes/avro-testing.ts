/** Schemas shared by the Avro tests (not part of the public surface). */

/** v1 of an order. */
export const orderV1 = {
  type: 'record',
  name: 'Order',
  namespace: 'com.example',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'amount', type: 'double' },
  ],
} as const;

/** v2 adds a field with a default: it reads v1 data (BACKWARD), and v1 reads v2 data (FORWARD). */
export const orderV2 = {
  ...orderV1,
  fields: [...orderV1.fields, { name: 'currency', type: 'string', default: 'EUR' }],
} as const;

/** Adds a field without a default: cannot read v1 data. */
export const orderWithCustomer = {
  ...orderV1,
  fields: [...orderV1.fields, { name: 'customer', type: 'string' }],
} as const;

export interface OrderV1 {
  id: string;
  amount: number;
}

export interface OrderV2 extends OrderV1 {
  currency: string;
}

/**
 * { id: 'a1', amount: 1.5 } in Avro binary, written out from the specification: the string as a
 * zig-zag varint length (2 → 0x04) and UTF-8 bytes, the double as 8 bytes little-endian.
 */
export const ORDER_A1_AVRO = '04 61 31  00 00 00 00 00 00 f8 3f';
