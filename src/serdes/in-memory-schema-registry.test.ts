import { describe, expect, it } from 'vitest';
import { orderV1, orderV2, orderWithCustomer } from './avro-testing.js';
import { SerdeErrorCode } from './error-codes.js';
import { InMemorySchemaRegistry } from './in-memory-schema-registry.js';
import { SchemaRegistryError } from './schema-registry-error.js';

const text = (schema: unknown): string => JSON.stringify(schema);

function registryErrorOf(fn: () => unknown): SchemaRegistryError {
  try {
    fn();
  } catch (error) {
    if (error instanceof SchemaRegistryError) return error;
    throw error;
  }
  throw new Error('expected a SchemaRegistryError');
}

describe('InMemorySchemaRegistry', () => {
  it('assigns ids from 1 in order, and the same schema gets the same id', () => {
    const registry = new InMemorySchemaRegistry();
    expect(registry.register('orders-value', text(orderV1))).toBe(1);
    expect(registry.register('orders-value', text(orderV2))).toBe(2);
    expect(registry.register('orders-value', text(orderV1))).toBe(1);
    // Whitespace and key order do not make a schema different.
    const reordered = `{ "namespace": "com.example", "name": "Order", "type": "record",
      "fields": [ { "type": "string", "name": "id" }, { "type": "double", "name": "amount" } ] }`;
    expect(registry.register('orders-value', reordered)).toBe(1);
    expect(registry.register('refunds-value', '"string"')).toBe(3);
  });

  it('keeps ids global: the same schema under another subject is a new version there, with the same id', () => {
    const registry = new InMemorySchemaRegistry();
    registry.register('orders-value', text(orderV1));
    registry.register('orders-value', text(orderV2));
    expect(registry.register('archive-value', text(orderV2))).toBe(2);
    expect(registry.getLatest('archive-value')).toMatchObject({ id: 2, version: 1 });
    expect(registry.getLatest('orders-value')).toMatchObject({ id: 2, version: 2 });
    expect(registry.getAllSubjects()).toEqual(['orders-value', 'archive-value']);
  });

  it('answers lookups, with undefined for what it does not hold', () => {
    const registry = new InMemorySchemaRegistry();
    const id = registry.register('orders-value', text(orderV1));
    expect(JSON.parse(registry.getById(id)!)).toEqual({
      name: 'com.example.Order',
      type: 'record',
      fields: [
        { name: 'id', type: 'string' },
        { name: 'amount', type: 'double' },
      ],
    });
    expect(registry.getById(2)).toBeUndefined();
    expect(registry.getById(0)).toBeUndefined();
    expect(registry.getId('orders-value', text(orderV1))).toBe(id);
    expect(registry.getId('orders-value', text(orderV2))).toBeUndefined();
    expect(registry.getId('other-value', text(orderV1))).toBeUndefined();
    expect(registry.getLatest('other-value')).toBeUndefined();
  });

  it('keeps defaults in the stored schema (a reader needs them)', () => {
    const registry = new InMemorySchemaRegistry();
    const id = registry.register('orders-value', text(orderV2));
    expect(JSON.parse(registry.getById(id)!).fields[2]).toEqual({ name: 'currency', type: 'string', default: 'EUR' });
  });

  it('checks BACKWARD compatibility by default, as Confluent does', () => {
    const registry = new InMemorySchemaRegistry();
    registry.register('orders-value', text(orderV1));
    expect(registry.register('orders-value', text(orderV2))).toBe(2);
    const error = registryErrorOf(() => registry.register('orders-value', text(orderWithCustomer)));
    expect(error.code).toBe(SerdeErrorCode.REGISTRY_INCOMPATIBLE_SCHEMA);
    expect(error.subject).toBe('orders-value');
    expect(error.message).toMatch(
      /^Schema is incompatible with version 2 \(id 2\) of subject orders-value under BACKWARD: the new schema cannot read data written with the existing one \(.*customer.*\)$/,
    );
    // Another subject has its own history.
    expect(registry.register('customers-value', text(orderWithCustomer))).toBe(3);
  });

  it('checks against every version with a _TRANSITIVE level, only the latest otherwise', () => {
    const a = { type: 'record', name: 'R', fields: [{ name: 'a', type: 'int' }] };
    const ab = { ...a, fields: [...a.fields, { name: 'b', type: 'int', default: 0 }] };
    const abRequired = { ...a, fields: [...a.fields, { name: 'b', type: 'int' }] };
    // abRequired reads ab's data (b is there) but not a's (b is not, and has no default).
    const latestOnly = new InMemorySchemaRegistry({ compatibility: 'BACKWARD' });
    const transitive = new InMemorySchemaRegistry({ compatibility: 'BACKWARD_TRANSITIVE' });
    for (const registry of [latestOnly, transitive]) {
      registry.register('r', text(a));
      registry.register('r', text(ab));
    }
    expect(latestOnly.register('r', text(abRequired))).toBe(3);
    expect(registryErrorOf(() => transitive.register('r', text(abRequired))).message).toMatch(/with version 1 \(id 1\)/);
  });

  it('checks FORWARD (the old schema reads the new), FULL (both ways), or nothing with NONE', () => {
    const withoutAmount = { ...orderV1, fields: [orderV1.fields[0]] };
    const forward = new InMemorySchemaRegistry({ compatibility: 'FORWARD' });
    forward.register('s', text(orderV1));
    expect(registryErrorOf(() => forward.register('s', text(withoutAmount))).message).toMatch(
      /under FORWARD: data written with the new schema cannot be read with the existing one/,
    );
    expect(forward.register('s', text(orderWithCustomer))).toBe(2);

    const full = new InMemorySchemaRegistry({ compatibility: 'FULL' });
    full.register('s', text(orderV1));
    expect(() => full.register('s', text(orderWithCustomer))).toThrow(SchemaRegistryError);
    expect(full.register('s', text(orderV2))).toBe(2);

    const none = new InMemorySchemaRegistry({ compatibility: 'NONE' });
    none.register('s', text(orderV1));
    expect(none.register('s', '"string"')).toBe(2);
  });

  it('refuses a schema that is not valid Avro', () => {
    const registry = new InMemorySchemaRegistry();
    expect(registryErrorOf(() => registry.register('s', '{"type": "record"')).code).toBe(SerdeErrorCode.REGISTRY_INVALID_SCHEMA);
    expect(registryErrorOf(() => registry.register('s', '{"type": "nope"}')).message).toBe('Not a valid Avro schema for subject s: unknown type: "nope"');
  });
});
