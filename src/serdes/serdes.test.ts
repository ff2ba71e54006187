import { describe, expect, it } from 'vitest';
import type { Serde } from './serde.js';
import { Serdes } from './serdes.js';

// The contract every built-in serde keeps: a name, null both ways, and a round trip.
const samples: [string, Serde<unknown>, unknown[]][] = [
  ['String', Serdes.String() as Serde<unknown>, ['', 'hello', 'grüße, 世界 🎉']],
  ['Json', Serdes.Json(), [0, 'x', false, [1, 'a'], { a: 1, b: [true, null], c: { d: 'é' } }]],
  ['ByteArray', Serdes.ByteArray() as Serde<unknown>, [Buffer.alloc(0), Buffer.from([0, 1, 255])]],
  ['Short', Serdes.Short() as Serde<unknown>, [0, -32768, 32767]],
  ['Int32', Serdes.Int32() as Serde<unknown>, [0, -1, 2147483647, -2147483648]],
  ['Long', Serdes.Long() as Serde<unknown>, [0, -1, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]],
  ['Float', Serdes.Float() as Serde<unknown>, [0, 1.5, -1024.25, Infinity]],
  ['Double', Serdes.Double() as Serde<unknown>, [0, Math.PI, -1e300, Number.MIN_VALUE, -Infinity]],
  ['Void', Serdes.Void() as Serde<unknown>, []],
];

describe.each(samples)('Serdes.%s', (name, serde, values) => {
  it('is named for error messages', () => {
    expect(serde.name).toBe(name);
  });

  it('passes null (and undefined, from JavaScript) through both ways', () => {
    expect(serde.serialize('t', null)).toBeNull();
    expect(serde.deserialize('t', null)).toBeNull();
    expect(serde.serialize('t', undefined as unknown as null)).toBeNull();
    expect(serde.deserialize('t', undefined as unknown as null)).toBeNull();
  });

  it.each(values.map((v) => [v]))('round-trips %j', (value) => {
    const bytes = serde.serialize('t', value);
    expect(Buffer.isBuffer(bytes)).toBe(true);
    expect(serde.deserialize('t', bytes)).toEqual(value);
  });
});

describe('Serdes', () => {
  it('hands out one shared instance per type', () => {
    expect(Serdes.String()).toBe(Serdes.String());
    expect(Serdes.Long()).toBe(Serdes.Long());
    expect(Serdes.Json<{ a: number }>()).toBe(Serdes.Json<string[]>());
  });
});
