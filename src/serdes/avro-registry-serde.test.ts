import { describe, expect, it, vi } from 'vitest';
import { ORDER_A1_AVRO, orderV1, orderV2, orderWithCustomer, type OrderV1, type OrderV2 } from './avro-testing.js';
import { SerdeErrorCode } from './error-codes.js';
import { InMemorySchemaRegistry } from './in-memory-schema-registry.js';
import type { SchemaMetadata, SchemaRegistryClient } from './schema-registry-client.js';
import { SerializationError } from './serialization-error.js';
import { Serdes } from './serdes.js';
import { RecordNameStrategy, TopicRecordNameStrategy } from './subject-name-strategy.js';
import { hex, serializationErrorOf, serializationErrorOfAsync } from './testing.js';

const order: OrderV1 = { id: 'a1', amount: 1.5 };

/** A registry that answers as a remote one must: later, with a promise. */
class AsyncRegistry implements SchemaRegistryClient {
  failWith: Error | undefined;
  constructor(readonly inner = new InMemorySchemaRegistry()) {}
  register(subject: string, schema: string): Promise<number> {
    return this.later(() => this.inner.register(subject, schema));
  }
  getId(subject: string, schema: string): Promise<number | undefined> {
    return this.later(() => this.inner.getId(subject, schema));
  }
  getById(id: number): Promise<string | undefined> {
    return this.later(() => this.inner.getById(id));
  }
  getLatest(subject: string): Promise<SchemaMetadata | undefined> {
    return this.later(() => this.inner.getLatest(subject));
  }
  private async later<R>(answer: () => R): Promise<R> {
    await new Promise((resolve) => setTimeout(resolve, 1));
    if (this.failWith) throw this.failWith;
    return answer();
  }
}

describe('Serdes.Avro with a registry (Confluent wire format)', () => {
  it('writes 0x00, the schema id big-endian, then the Avro binary', () => {
    const registry = new InMemorySchemaRegistry();
    registry.register('unrelated-value', '"string"');
    registry.register('unrelated-value', '"string"');
    registry.register('other-value', '"long"');
    const serde = Serdes.Avro<OrderV1>({ schema: orderV1, registry });
    expect(serde.name).toBe('Avro(com.example.Order)');
    expect(serde.serialize('orders', order)).toEqual(hex(`00  00 00 00 03  ${ORDER_A1_AVRO}`));
    expect(serde.deserialize('orders', hex(`00 00 00 00 03 ${ORDER_A1_AVRO}`))).toEqual(order);
  });

  it('round-trips a schema id that uses all four bytes', () => {
    const id = 0x01020304;
    const registry: SchemaRegistryClient = {
      register: () => id,
      getId: () => id,
      getById: (asked) => (asked === id ? JSON.stringify(orderV1) : undefined),
      getLatest: () => undefined,
    };
    const writer = Serdes.Avro<OrderV1>({ schema: orderV1, registry });
    const bytes = writer.serialize('orders', order)!;
    expect(bytes.subarray(0, 5)).toEqual(hex('00 01 02 03 04'));
    const reader = Serdes.Avro<OrderV1>({ schema: orderV1, registry });
    expect(reader.deserialize('orders', bytes)).toEqual(order);
  });

  it('passes null through without asking the registry', () => {
    const registry = new InMemorySchemaRegistry();
    const serde = Serdes.Avro<OrderV1>({ schema: orderV1, registry });
    expect(serde.serialize('orders', null)).toBeNull();
    expect(serde.deserialize('orders', null)).toBeNull();
    expect(registry.getAllSubjects()).toEqual([]);
  });

  it('registers under <topic>-value, or <topic>-key for a key serde (TopicNameStrategy)', () => {
    const registry = new InMemorySchemaRegistry();
    Serdes.Avro<OrderV1>({ schema: orderV1, registry }).serialize('orders', order);
    Serdes.Avro<string>({ schema: 'string', registry, isKey: true }).serialize('orders', 'a1');
    expect(registry.getAllSubjects()).toEqual(['orders-value', 'orders-key']);
  });

  it('names subjects by record with RecordNameStrategy and TopicRecordNameStrategy', () => {
    const registry = new InMemorySchemaRegistry();
    Serdes.Avro<OrderV1>({ schema: orderV1, registry, subjectNameStrategy: RecordNameStrategy }).serialize('orders', order);
    Serdes.Avro<OrderV1>({ schema: orderV1, registry, subjectNameStrategy: TopicRecordNameStrategy }).serialize('orders', order);
    expect(registry.getAllSubjects()).toEqual(['com.example.Order', 'orders-com.example.Order']);

    const unnamed = Serdes.Avro<string>({ schema: 'string', registry, subjectNameStrategy: RecordNameStrategy });
    const error = serializationErrorOf(() => unnamed.serialize('orders', 'x'));
    expect(error.code).toBe(SerdeErrorCode.INVALID_SCHEMA);
    expect(error.detail).toBe('RecordNameStrategy needs a named schema (a record, enum or fixed)');
  });

  it('reads records written with v1 as v2 (a field added with a default), fetching v1 by its id', () => {
    const registry = new InMemorySchemaRegistry();
    const producer = Serdes.Avro<OrderV1>({ schema: orderV1, registry });
    const written = producer.serialize('orders', order);
    const consumer = Serdes.Avro<OrderV2>({ schema: orderV2, registry });
    expect(consumer.deserialize('orders', written)).toEqual({ ...order, currency: 'EUR' });
  });

  it('reads records written with v2 as v1 too (the added field is dropped)', () => {
    const registry = new InMemorySchemaRegistry();
    const written = Serdes.Avro<OrderV2>({ schema: orderV2, registry }).serialize('orders', { ...order, currency: 'USD' });
    expect(Serdes.Avro<OrderV1>({ schema: orderV1, registry }).deserialize('orders', written)).toEqual(order);
  });

  it('asks the registry once per schema id, and never for the ids it registered itself', () => {
    const registry = new InMemorySchemaRegistry();
    const producer = Serdes.Avro<OrderV1>({ schema: orderV1, registry });
    const written = producer.serialize('orders', order);
    const register = vi.spyOn(registry, 'register');
    const getById = vi.spyOn(registry, 'getById');
    producer.serialize('orders', order);
    producer.deserialize('orders', written);
    expect(register).not.toHaveBeenCalled();
    expect(getById).not.toHaveBeenCalled();

    const consumer = Serdes.Avro<OrderV2>({ schema: orderV2, registry });
    consumer.deserialize('orders', written);
    consumer.deserialize('orders', written);
    expect(getById).toHaveBeenCalledTimes(1);
  });

  it('with autoRegisterSchemas false, looks the schema up and fails if it is not there', () => {
    const registry = new InMemorySchemaRegistry();
    const serde = Serdes.Avro<OrderV1>({ schema: orderV1, registry, autoRegisterSchemas: false });
    const error = serializationErrorOf(() => serde.serialize('orders', order));
    expect(error.code).toBe(SerdeErrorCode.SCHEMA_NOT_REGISTERED);
    expect(error.detail).toBe('Schema com.example.Order is not registered under subject orders-value (autoRegisterSchemas is false)');
    expect(registry.getAllSubjects()).toEqual([]);

    registry.register('orders-value', JSON.stringify(orderV1));
    expect(serde.serialize('orders', order)).toEqual(hex(`00 00 00 00 01 ${ORDER_A1_AVRO}`));
  });

  it("with useLatestVersion, writes with the subject's latest schema", () => {
    const registry = new InMemorySchemaRegistry();
    const missing = Serdes.Avro<OrderV2>({ schema: orderV2, registry, useLatestVersion: true });
    expect(serializationErrorOf(() => missing.serialize('orders', { ...order, currency: 'USD' })).detail).toBe(
      'Subject orders-value has no schema (useLatestVersion is set)',
    );

    registry.register('orders-value', JSON.stringify(orderV1));
    const serde = Serdes.Avro<OrderV2>({ schema: orderV2, registry, useLatestVersion: true });
    const written = serde.serialize('orders', { ...order, currency: 'USD' });
    // Written as v1 (id 1): the currency is not in it, and reads back as the default.
    expect(written).toEqual(hex(`00 00 00 00 01 ${ORDER_A1_AVRO}`));
    expect(serde.deserialize('orders', written)).toEqual({ ...order, currency: 'EUR' });
  });

  it("reports the registry's refusal as REGISTRY_ERROR with its error as the cause", () => {
    const registry = new InMemorySchemaRegistry();
    Serdes.Avro<OrderV1>({ schema: orderV1, registry }).serialize('orders', order);
    const error = serializationErrorOf(() => Serdes.Avro<unknown>({ schema: orderWithCustomer, registry }).serialize('orders', { ...order, customer: 'c' }));
    expect(error.code).toBe(SerdeErrorCode.REGISTRY_ERROR);
    expect(error.detail).toMatch(/^The schema registry failed to register a schema under subject orders-value: Schema is incompatible/);
    expect((error.cause as { code: string }).code).toBe(SerdeErrorCode.REGISTRY_INCOMPATIBLE_SCHEMA);
  });

  describe('corrupt payloads and unknown schemas', () => {
    const registry = new InMemorySchemaRegistry();
    const serde = Serdes.Avro<OrderV1>({ schema: orderV1, registry });
    const good = serde.serialize('orders', order)!;

    it.each([
      [
        'a wrong magic byte',
        `01 00 00 00 01 ${ORDER_A1_AVRO}`,
        'Unknown magic byte 0x01: the data is not in the Confluent wire format, which starts with 0x00',
      ],
      [
        'JSON where Avro was expected',
        Buffer.from('{"id":"a1"}').toString('hex'),
        'Unknown magic byte 0x7b: the data is not in the Confluent wire format, which starts with 0x00',
      ],
      ['fewer than 5 bytes', '00 00 00 01', "Data of 4 bytes is shorter than the Confluent wire format's 5-byte header (magic byte 0 and a 4-byte schema id)"],
      ['a truncated body', good.subarray(0, good.length - 1).toString('hex'), 'Avro data is truncated: the bytes end before the value does'],
      ['trailing bytes', `${good.toString('hex')} ff`, 'Avro data has 1 trailing byte after the value'],
    ])('%s: CORRUPT_DATA', (_what, bytes, detail) => {
      const error = serializationErrorOf(() => serde.deserialize('orders', hex(bytes)));
      expect(error.code).toBe(SerdeErrorCode.CORRUPT_DATA);
      expect(error.detail).toBe(detail);
    });

    it('an unknown schema id: UNKNOWN_SCHEMA_ID', () => {
      const error = serializationErrorOf(() => serde.deserialize('orders', hex(`00 00 00 00 63 ${ORDER_A1_AVRO}`)));
      expect(error.code).toBe(SerdeErrorCode.UNKNOWN_SCHEMA_ID);
      expect(error.message).toBe('Failed to deserialize data from orders with serde Avro(com.example.Order): Schema id 99 is not in the schema registry');
    });

    it('a writer schema the serde cannot read: INCOMPATIBLE_SCHEMA', () => {
      const loose = new InMemorySchemaRegistry({ compatibility: 'NONE' });
      const written = Serdes.Avro<OrderV1>({ schema: orderV1, registry: loose }).serialize('orders', order);
      const strict = Serdes.Avro<unknown>({ schema: orderWithCustomer, registry: loose });
      const error = serializationErrorOf(() => strict.deserialize('orders', written));
      expect(error.code).toBe(SerdeErrorCode.INCOMPATIBLE_SCHEMA);
      expect(error.detail).toMatch(/^The writer schema \(id 1\) cannot be read as the reader schema com\.example\.Order: .*customer/);
    });

    it('named with the record when the runtime rewraps it', () => {
      const error = serializationErrorOf(() => serde.deserialize('orders', hex('7b 7d')));
      const at = SerializationError.atRecord(error, {
        operation: 'deserialize',
        part: 'value',
        serde: serde.name,
        topic: 'orders',
        partition: 3,
        offset: 1041n,
      });
      expect(at.message).toBe(
        "Failed to deserialize the value of the record at orders-3@1041 with serde Avro(com.example.Order): Data of 2 bytes is shorter than the Confluent wire format's 5-byte header (magic byte 0 and a 4-byte schema id)",
      );
    });
  });

  describe('with a registry that answers asynchronously', () => {
    it('throws SCHEMA_NOT_LOADED rather than wait, and works once whenLoaded settles', async () => {
      const serde = Serdes.Avro<OrderV1>({ schema: orderV1, registry: new AsyncRegistry() });
      const error = serializationErrorOf(() => serde.serialize('orders', order));
      expect(error.code).toBe(SerdeErrorCode.SCHEMA_NOT_LOADED);
      expect(error.detail).toBe(
        'The schema id for topic orders is not cached yet and the schema registry answers asynchronously, while serdes are synchronous: ' +
          'call `await serde.preload({ topics: ["orders"] })` before processing, or await this error\'s whenLoaded and try again',
      );
      // A second call while the first lookup is on its way does not start another.
      expect(serializationErrorOf(() => serde.serialize('orders', order)).whenLoaded).toBe(error.whenLoaded);
      await error.whenLoaded;
      expect(serde.serialize('orders', order)).toEqual(hex(`00 00 00 00 01 ${ORDER_A1_AVRO}`));
    });

    it('serializes and deserializes without a miss after preload', async () => {
      const registry = new AsyncRegistry();
      const v1Id = registry.inner.register('orders-value', JSON.stringify(orderV1));
      const serde = Serdes.Avro<OrderV2>({ schema: orderV2, registry });
      await serde.preload({ topics: ['orders', 'refunds'], ids: [v1Id] });
      const v1Record = hex(`00 00 00 00 01 ${ORDER_A1_AVRO}`);
      expect(serde.deserialize('orders', v1Record)).toEqual({ ...order, currency: 'EUR' });
      const written = serde.serialize('refunds', { ...order, currency: 'USD' });
      expect(serde.deserialize('refunds', written)).toEqual({ ...order, currency: 'USD' });
    });

    it('reports an unknown id once loaded: on retry, and from preload', async () => {
      const serde = Serdes.Avro<OrderV1>({ schema: orderV1, registry: new AsyncRegistry() });
      const record = hex(`00 00 00 00 2a ${ORDER_A1_AVRO}`);
      const miss = serializationErrorOf(() => serde.deserialize('orders', record));
      expect(miss.code).toBe(SerdeErrorCode.SCHEMA_NOT_LOADED);
      expect(miss.detail).toMatch(/^Schema id 42 is not cached yet .* `await serde\.preload\(\{ ids: \[42\] \}\)`/);
      await miss.whenLoaded;
      expect(serializationErrorOf(() => serde.deserialize('orders', record)).code).toBe(SerdeErrorCode.UNKNOWN_SCHEMA_ID);

      const error = await serializationErrorOfAsync(serde.preload({ ids: [42] }));
      expect(error.code).toBe(SerdeErrorCode.UNKNOWN_SCHEMA_ID);
      expect(error.message).toBe('Failed to deserialize data with serde Avro(com.example.Order): Schema id 42 is not in the schema registry');
    });

    it('reports a registry outage as REGISTRY_ERROR, then tries again', async () => {
      const registry = new AsyncRegistry();
      registry.failWith = new Error('connect ECONNREFUSED 127.0.0.1:8081');
      const serde = Serdes.Avro<OrderV1>({ schema: orderV1, registry });
      const error = await serializationErrorOfAsync(serde.preload({ topics: ['orders'] }));
      expect(error.code).toBe(SerdeErrorCode.REGISTRY_ERROR);
      expect(error.topic).toBe('orders');
      expect(error.detail).toBe('The schema registry failed to register a schema under subject orders-value: connect ECONNREFUSED 127.0.0.1:8081');
      expect(error.cause).toBe(registry.failWith);

      registry.failWith = undefined;
      await serde.preload({ topics: ['orders'] });
      expect(serde.serialize('orders', order)).toEqual(hex(`00 00 00 00 01 ${ORDER_A1_AVRO}`));
    });

    it("reports a synchronous registry's thrown error as REGISTRY_ERROR", () => {
      const registry: SchemaRegistryClient = {
        register: () => {
          throw new Error('registry is read-only');
        },
        getId: () => undefined,
        getById: () => undefined,
        getLatest: () => undefined,
      };
      const error = serializationErrorOf(() => Serdes.Avro<OrderV1>({ schema: orderV1, registry }).serialize('orders', order));
      expect(error.code).toBe(SerdeErrorCode.REGISTRY_ERROR);
      expect(error.detail).toBe('The schema registry failed to register a schema under subject orders-value: registry is read-only');
    });
  });
});
