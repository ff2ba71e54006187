/**
 * A guard against corrupt Avro payloads that claim huge collections. An array or map block starts
 * with its item count; avsc sizes the array and loops over every claimed item before it notices
 * that the bytes ran out, so five bytes claiming 2^31 items take the process down with an
 * out-of-memory crash rather than a catchable error (Avro's Java SDK had the same flaw,
 * CVE-2023-39410). One such record on a topic would crash-loop every instance reading it.
 *
 * So for a writer schema with an array or a map in it, the bytes are walked first, cheaply and
 * without building values, and every block count is checked against the bytes that remain (each
 * item takes at least one byte). Items that take no bytes at all (`null`, a record of nulls,
 * `fixed` of size 0) cannot be checked that way; they are capped at MAX_ZERO_SIZE_ITEMS per
 * payload. Schemas without collections have no guard: there avsc stops at the end of the bytes.
 */
import type { Type } from 'avsc';
import { SerdeErrorCode } from './error-codes.js';
import { SerdeFault } from './serde-fault.js';

export type CollectionGuard = (data: Buffer, start: number) => void;

/** Far more `null` items than any real payload holds; far fewer than exhaust a heap. */
export const MAX_ZERO_SIZE_ITEMS = 1 << 20;

/** The avsc properties the walk reads (public in avsc's API, missing from its typings). */
interface TypeShape {
  readonly typeName: string;
  readonly itemsType?: Type;
  readonly valuesType?: Type;
  readonly fields?: readonly { readonly type: Type }[];
  readonly types?: readonly Type[];
  readonly size?: number;
  readonly symbols?: readonly string[];
  readonly underlyingType?: Type;
}

interface Cursor {
  readonly data: Buffer;
  pos: number;
  zeroSizeItems: number;
}

type Walk = (cursor: Cursor) => void;

export function collectionGuardFor(type: Type): CollectionGuard | undefined {
  if (!hasCollection(type, new Set())) return undefined;
  const walk = compile(type, new Map());
  return (data, start) => {
    walk({ data, pos: start, zeroSizeItems: 0 });
  };
}

function shape(type: Type): TypeShape {
  return type as unknown as TypeShape;
}

function hasCollection(type: Type, seen: Set<Type>): boolean {
  if (seen.has(type)) return false;
  seen.add(type);
  const t = shape(type);
  if (t.typeName === 'array' || t.typeName === 'map') return true;
  if (t.underlyingType) return hasCollection(t.underlyingType, seen);
  if (t.types) return t.types.some((branch) => hasCollection(branch, seen));
  if (t.fields) return t.fields.some((field) => hasCollection(field.type, seen));
  return false;
}

/** Whether every value of the type is encoded in zero bytes. */
function isZeroSize(type: Type, inProgress: Set<Type> = new Set()): boolean {
  const t = shape(type);
  if (t.typeName === 'null') return true;
  if (t.typeName === 'fixed') return t.size === 0;
  if (t.underlyingType) return isZeroSize(t.underlyingType, inProgress);
  if (t.fields) {
    // A record that contains itself without a union cannot be encoded at all; call it non-empty.
    if (inProgress.has(type)) return false;
    inProgress.add(type);
    return t.fields.every((field) => isZeroSize(field.type, inProgress));
  }
  return false;
}

function corrupt(detail: string): SerdeFault {
  return new SerdeFault(SerdeErrorCode.CORRUPT_DATA, `Avro data is corrupt: ${detail}`);
}

function need(cursor: Cursor, bytes: number): void {
  if (cursor.pos + bytes > cursor.data.length) {
    throw new SerdeFault(SerdeErrorCode.CORRUPT_DATA, 'Avro data is truncated: the bytes end before the value does');
  }
}

/** A zig-zag varint, up to 64 bits; as a float, exact up to 2^53 and only compared beyond that. */
function readLong(cursor: Cursor): number {
  let value = 0;
  let scale = 1;
  for (let i = 0; ; i++) {
    if (i === 10) throw corrupt(`a varint at byte ${cursor.pos - i} is longer than 10 bytes`);
    need(cursor, 1);
    const b = cursor.data[cursor.pos++];
    value += (b & 0x7f) * scale;
    scale *= 128;
    if ((b & 0x80) === 0) break;
  }
  return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
}

function skipLengthPrefixed(cursor: Cursor): void {
  const length = readLong(cursor);
  if (length < 0) throw corrupt(`a negative length ${length} at byte ${cursor.pos}`);
  need(cursor, length);
  cursor.pos += length;
}

function compile(type: Type, compiled: Map<Type, Walk>): Walk {
  const known = compiled.get(type);
  if (known) return known;
  const t = shape(type);
  switch (t.typeName) {
    case 'null':
      return () => {};
    case 'boolean':
      return (c) => {
        need(c, 1);
        c.pos += 1;
      };
    case 'int':
    case 'long':
    case 'abstract:long':
      return (c) => {
        readLong(c);
      };
    case 'float':
      return (c) => {
        need(c, 4);
        c.pos += 4;
      };
    case 'double':
      return (c) => {
        need(c, 8);
        c.pos += 8;
      };
    case 'bytes':
    case 'string':
      return skipLengthPrefixed;
    case 'fixed': {
      const size = t.size ?? 0;
      return (c) => {
        need(c, size);
        c.pos += size;
      };
    }
    case 'enum': {
      const count = t.symbols?.length ?? 0;
      return (c) => {
        const index = readLong(c);
        if (index < 0 || index >= count) throw corrupt(`enum index ${index} is out of range (${count} symbols)`);
      };
    }
    case 'array':
    case 'map':
      return compileCollection(t, compiled);
    case 'record':
    case 'error': {
      // Registered before its fields are compiled, so a recursive record refers to itself.
      const fields: Walk[] = [];
      const walk: Walk = (c) => {
        for (const field of fields) field(c);
      };
      compiled.set(type, walk);
      for (const field of t.fields ?? []) fields.push(compile(field.type, compiled));
      return walk;
    }
    default:
      if (t.types) return compileUnion(type, t.types, compiled);
      if (t.underlyingType) return compile(t.underlyingType, compiled);
      throw new SerdeFault(SerdeErrorCode.INVALID_SCHEMA, `Avro type ${t.typeName} is not supported`);
  }
}

function compileUnion(type: Type, types: readonly Type[], compiled: Map<Type, Walk>): Walk {
  const branches: Walk[] = [];
  const walk: Walk = (c) => {
    const index = readLong(c);
    const branch = branches[index];
    if (branch === undefined) throw corrupt(`union index ${index} is out of range (${branches.length} branches)`);
    branch(c);
  };
  compiled.set(type, walk);
  for (const branch of types) branches.push(compile(branch, compiled));
  return walk;
}

function compileCollection(t: TypeShape, compiled: Map<Type, Walk>): Walk {
  const isMap = t.typeName === 'map';
  const itemType = (isMap ? t.valuesType : t.itemsType) as Type;
  const item = compile(itemType, compiled);
  // A map entry always has its key, a string of at least one byte (its length).
  const zeroSize = !isMap && isZeroSize(itemType);
  const what = isMap ? 'a map' : 'an array';
  return (c) => {
    for (;;) {
      const at = c.pos;
      let count = readLong(c);
      if (count === 0) return;
      if (count < 0) {
        // A negative count is followed by the block's size in bytes.
        count = -count;
        readLong(c);
      }
      if (zeroSize) {
        c.zeroSizeItems += count;
        if (c.zeroSizeItems > MAX_ZERO_SIZE_ITEMS) {
          throw corrupt(`${what} block at byte ${at} brings the payload over ${MAX_ZERO_SIZE_ITEMS} items of zero size`);
        }
      } else if (count > c.data.length - c.pos) {
        throw corrupt(`${what} block at byte ${at} claims ${count} items but only ${c.data.length - c.pos} bytes remain`);
      }
      for (let i = 0; i < count; i++) {
        if (isMap) skipLengthPrefixed(c);
        item(c);
      }
    }
  };
}
