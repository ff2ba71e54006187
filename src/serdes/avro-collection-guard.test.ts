import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { collectionGuardFor, MAX_ZERO_SIZE_ITEMS } from './avro-collection-guard.js';
import { SerdeErrorCode } from './error-codes.js';
import { Serdes } from './serdes.js';
import { hex, serializationErrorOf } from './testing.js';

// Without the guard, each corrupt payload below makes avsc allocate and loop over a billion items:
// the test process dies of an out-of-memory crash instead of getting an error.

// A block count of 2^30 items: zig-zag 2^31, as the varint 80 80 80 80 08.
const BILLION_ITEMS = '80 80 80 80 08';

describe('the Avro collection guard', () => {
  it('refuses an array block that claims more items than there are bytes', () => {
    const ints = Serdes.Avro<number[]>({ schema: { type: 'array', items: 'int' } });
    const error = serializationErrorOf(() => ints.deserialize('t', hex(`${BILLION_ITEMS} 02 04`)));
    expect(error.code).toBe(SerdeErrorCode.CORRUPT_DATA);
    expect(error.detail).toBe('Avro data is corrupt: an array block at byte 0 claims 1073741824 items but only 2 bytes remain');
  });

  it('refuses the same in a map, and inside records and unions', () => {
    const schema = {
      type: 'record',
      name: 'Tagged',
      fields: [
        { name: 'id', type: 'string' },
        { name: 'tags', type: ['null', { type: 'map', values: 'string' }] },
      ],
    };
    const tagged = Serdes.Avro<unknown>({ schema });
    // id "a", union branch 1 (the map), then the map's block count.
    const error = serializationErrorOf(() => tagged.deserialize('t', hex(`02 61  02  ${BILLION_ITEMS}`)));
    expect(error.detail).toBe('Avro data is corrupt: a map block at byte 3 claims 1073741824 items but only 0 bytes remain');
  });

  it('caps items that take no bytes at all', () => {
    const nulls = Serdes.Avro<null[]>({ schema: { type: 'array', items: 'null' } });
    expect(serializationErrorOf(() => nulls.deserialize('t', hex(`${BILLION_ITEMS} 00`))).detail).toBe(
      `Avro data is corrupt: an array block at byte 0 brings the payload over ${MAX_ZERO_SIZE_ITEMS} items of zero size`,
    );
    expect(nulls.deserialize('t', hex('06 00'))).toEqual([null, null, null]);
  });

  it('accepts what avsc accepts: blocks with a byte size (negative counts), several blocks, recursion', () => {
    const ints = Serdes.Avro<number[]>({ schema: { type: 'array', items: 'int' } });
    // [1, 2] in a plain block, then [3] in a block of count -1 with its size (1 byte), then the end.
    expect(ints.deserialize('t', hex('04 02 04  01 02 06  00'))).toEqual([1, 2, 3]);

    const list = {
      type: 'record',
      name: 'Node',
      fields: [
        { name: 'values', type: { type: 'array', items: 'long' } },
        { name: 'next', type: ['null', 'Node'] },
      ],
    };
    const nodes = Serdes.Avro<unknown>({ schema: list });
    const value = { values: [1, 2], next: { values: [], next: { values: [3], next: null } } };
    expect(nodes.deserialize('t', nodes.serialize('t', value))).toEqual(value);
  });

  it('reports truncation inside a collection as avsc would', () => {
    const strings = Serdes.Avro<string[]>({ schema: { type: 'array', items: 'string' } });
    expect(serializationErrorOf(() => strings.deserialize('t', hex('04 02 61 02'))).detail).toBe('Avro data is truncated: the bytes end before the value does');
  });

  it('is not built for schemas without arrays or maps (avsc stops at the end of the bytes there)', () => {
    expect(collectionGuardFor(avro.Type.forSchema({ type: 'record', name: 'R', fields: [{ name: 's', type: 'string' }] }))).toBeUndefined();
    expect(collectionGuardFor(avro.Type.forSchema({ type: 'array', items: 'int' }))).toBeDefined();
  });
});
