import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { ORDER_A1_AVRO, orderV1, orderV2, orderWithCustomer, type OrderV1, type OrderV2 } from './avro-testing.js';
import { SerdeErrorCode } from './error-codes.js';
import { Serdes } from './serdes.js';
import { hex, serializationErrorOf } from './testing.js';

describe('Serdes.Avro without a registry (plain Avro binary)', () => {
  const v1 = Serdes.Avro<OrderV1>({ schema: orderV1 });

  it('is named after its schema and passes null through', () => {
    expect(v1.name).toBe('Avro(com.example.Order)');
    expect(v1.serialize('orders', null)).toBeNull();
    expect(v1.deserialize('orders', null)).toBeNull();
  });

  it('writes the Avro binary encoding and nothing else', () => {
    expect(v1.serialize('orders', { id: 'a1', amount: 1.5 })).toEqual(hex(ORDER_A1_AVRO));
    expect(v1.deserialize('orders', hex(ORDER_A1_AVRO))).toEqual({ id: 'a1', amount: 1.5 });
  });

  it('reads records written with v1 as v2 (a field added with a default)', () => {
    const v1ToV2 = Serdes.Avro<OrderV2>({ schema: orderV1, readerSchema: orderV2 });
    const written = v1.serialize('orders', { id: 'a1', amount: 1.5 });
    expect(v1ToV2.deserialize('orders', written)).toEqual({ id: 'a1', amount: 1.5, currency: 'EUR' });
  });

  it('takes the schema as JSON text, a type name, or an avsc Type', () => {
    const fromText = Serdes.Avro<OrderV1>({ schema: JSON.stringify(orderV1) });
    const fromType = Serdes.Avro<OrderV1>({ schema: avro.Type.forSchema(orderV1 as unknown as avro.Schema) });
    expect(fromText.deserialize('t', hex(ORDER_A1_AVRO))).toEqual({ id: 'a1', amount: 1.5 });
    expect(fromType.serialize('t', { id: 'a1', amount: 1.5 })).toEqual(hex(ORDER_A1_AVRO));
    const text = Serdes.Avro<string>({ schema: 'string' });
    expect(text.name).toBe('Avro(string)');
    expect(text.serialize('t', 'a1')).toEqual(hex('04 61 31'));
  });

  it('refuses a value that does not fit the schema, naming the fields at fault', () => {
    const error = serializationErrorOf(() => v1.serialize('orders', { id: 7, amount: '1.5' } as unknown as OrderV1));
    expect(error.code).toBe(SerdeErrorCode.INVALID_VALUE);
    expect(error.message).toBe(
      'Failed to serialize data for orders with serde Avro(com.example.Order): Value is not valid for schema com.example.Order: ' +
        'id: expected string, got number 7; amount: expected double, got string "1.5"',
    );
    expect(serializationErrorOf(() => v1.serialize('orders', { id: 'x' } as OrderV1)).detail).toBe(
      'Value is not valid for schema com.example.Order: amount: expected double, got undefined',
    );
  });

  it('refuses, when made, a reader schema that cannot read the writer schema', () => {
    const error = serializationErrorOf(() => Serdes.Avro({ schema: orderV1, readerSchema: orderWithCustomer }));
    expect(error.code).toBe(SerdeErrorCode.INCOMPATIBLE_SCHEMA);
    expect(error.operation).toBe('configure');
    expect(error.message).toMatch(
      /^Failed to configure serde Avro\(com\.example\.Order\): The writer schema com\.example\.Order cannot be read as the reader schema com\.example\.Order: .*customer/,
    );
  });

  it('refuses, when made, a schema that is not valid Avro', () => {
    const error = serializationErrorOf(() => Serdes.Avro({ schema: { type: 'record', name: 'X', fields: [{ name: 'a', type: 'nope' }] } }));
    expect(error.code).toBe(SerdeErrorCode.INVALID_SCHEMA);
    expect(error.message).toBe('Failed to configure serde Avro: Not a valid Avro schema: undefined type name: nope');
  });

  describe('corrupt payloads', () => {
    it.each([
      ['truncated', '04 61 31  00 00 00 00 00 00 f8', 'Avro data is truncated: the bytes end before the value does'],
      ['empty', '', 'Avro data is truncated: the bytes end before the value does'],
      ['followed by trailing bytes', `${ORDER_A1_AVRO} 00 00`, 'Avro data has 2 trailing bytes after the value'],
      ['a string longer than the data', '7e 61 31', 'Avro data is truncated: the bytes end before the value does'],
    ])('%s: CORRUPT_DATA, with the cause', (_what, bytes, detail) => {
      const error = serializationErrorOf(() => v1.deserialize('orders', hex(bytes)));
      expect(error.code).toBe(SerdeErrorCode.CORRUPT_DATA);
      expect(error.detail).toBe(detail);
      expect(error.message).toBe(`Failed to deserialize data from orders with serde Avro(com.example.Order): ${detail}`);
    });

    it('an out-of-range union branch or enum symbol', () => {
      const union = Serdes.Avro<string | null>({ schema: ['null', 'string'] });
      expect(serializationErrorOf(() => union.deserialize('t', hex('08'))).detail).toBe('Avro data does not decode: invalid union index: 4');
      const color = Serdes.Avro<string>({ schema: { type: 'enum', name: 'Color', symbols: ['RED', 'GREEN'] } });
      expect(serializationErrorOf(() => color.deserialize('t', hex('0a'))).detail).toBe('Avro data does not decode: invalid Color enum index: 5');
    });
  });
});
