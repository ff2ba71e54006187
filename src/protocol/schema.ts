/**
 * Message schemas in the shape of Kafka's own message definitions
 * (`clients/src/main/resources/common/message/*.json`): a message lists its fields, each with the
 * versions it exists in, the versions it may be null in, and — for flexible versions — an optional
 * tag. `compileMessage` turns a schema into an encoder and a decoder per version, so an API file is
 * nothing but data plus the TypeScript type of the decoded object.
 *
 * Field names are Kafka's PascalCase in the schema and camelCase in decoded objects
 * (`ThrottleTimeMs` → `throttleTimeMs`).
 */
import { ProtocolDecodeError } from './errors.js';
import { Reader, ZERO_UUID } from './reader.js';
import { Writer } from './writer.js';

export interface FieldSpec {
  name: string;
  /** int8 int16 uint16 int32 uint32 int64 float64 bool string bytes records uuid, a struct name, or `[]` + any of those */
  type: string;
  versions: string;
  nullableVersions?: string;
  taggedVersions?: string;
  tag?: number;
  /** Kafka's default, as written in the JSON ("-1", "true", "null", …). */
  default?: string | number | boolean;
  fields?: FieldSpec[];
  about?: string;
  ignorable?: boolean;
  entityType?: string;
  mapKey?: boolean;
}

export interface StructSpec {
  name: string;
  versions: string;
  fields: FieldSpec[];
}

export interface MessageSpec {
  apiKey: number;
  type: 'request' | 'response';
  name: string;
  validVersions: string;
  flexibleVersions: string;
  fields: FieldSpec[];
  commonStructs?: StructSpec[];
}

/** A version range as Kafka writes it: "0+", "3-7", "5", or "none". */
export class VersionRange {
  constructor(
    readonly lo: number,
    readonly hi: number,
  ) {}

  static parse(s: string | undefined): VersionRange {
    if (s === undefined || s === 'none' || s === '') return new VersionRange(1, 0);
    const plus = /^(\d+)\+$/.exec(s);
    if (plus) return new VersionRange(Number(plus[1]), Number.MAX_SAFE_INTEGER);
    const range = /^(\d+)-(\d+)$/.exec(s);
    if (range) return new VersionRange(Number(range[1]), Number(range[2]));
    if (/^\d+$/.test(s)) return new VersionRange(Number(s), Number(s));
    throw new Error(`bad version range "${s}"`);
  }

  has(v: number): boolean {
    return v >= this.lo && v <= this.hi;
  }
}

export const camelCase = (name: string): string => name.charAt(0).toLowerCase() + name.slice(1);

type Enc = (w: Writer, value: unknown) => void;
type Dec = (r: Reader) => unknown;

interface CompiledField {
  key: string;
  enc: Enc;
  dec: Dec;
  dflt: () => unknown;
  tag?: number;
}

interface CompiledStruct {
  encode: Enc;
  decode: Dec;
  defaults: () => Record<string, unknown>;
}

export interface MessageCodec<T> {
  readonly spec: MessageSpec;
  readonly versions: VersionRange;
  readonly flexible: VersionRange;
  encode(w: Writer, value: T, version: number): void;
  decode(r: Reader, version: number): T;
}

const PRIMITIVES = new Set(['int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'float64', 'bool', 'string', 'bytes', 'records', 'uuid']);

function primitiveDefault(type: string, dflt: FieldSpec['default'], nullable: boolean): () => unknown {
  if (dflt === 'null' && nullable) return () => null;
  switch (type) {
    case 'int8':
    case 'int16':
    case 'uint16':
    case 'int32':
    case 'uint32':
    case 'float64': {
      const n = dflt === undefined ? 0 : Number(dflt);
      return () => n;
    }
    case 'int64': {
      const n = dflt === undefined ? 0n : BigInt(dflt);
      return () => n;
    }
    case 'bool': {
      const b = dflt === true || dflt === 'true';
      return () => b;
    }
    case 'string': {
      const s = dflt === undefined ? '' : String(dflt);
      return () => s;
    }
    case 'uuid':
      return () => ZERO_UUID;
    case 'bytes':
      return () => Buffer.alloc(0);
    case 'records':
      return () => null;
  }
  throw new Error(`no default for type ${type}`);
}

function primitiveCodec(type: string, flexible: boolean, nullable: boolean, where: string): { enc: Enc; dec: Dec } {
  const nullCheck = (v: unknown): void => {
    if (v === null || v === undefined) throw new Error(`${where} is null in a version where it cannot be`);
  };
  switch (type) {
    case 'int8':
      return { enc: (w, v) => w.int8(v as number), dec: (r) => r.int8() };
    case 'int16':
      return { enc: (w, v) => w.int16(v as number), dec: (r) => r.int16() };
    case 'uint16':
      return { enc: (w, v) => w.uint16(v as number), dec: (r) => r.uint16() };
    case 'int32':
      return { enc: (w, v) => w.int32(v as number), dec: (r) => r.int32() };
    case 'uint32':
      return { enc: (w, v) => w.uint32(v as number), dec: (r) => r.uint32() };
    case 'int64':
      return { enc: (w, v) => w.int64(BigInt(v as bigint)), dec: (r) => r.int64() };
    case 'float64':
      return { enc: (w, v) => w.float64(v as number), dec: (r) => r.float64() };
    case 'bool':
      return { enc: (w, v) => w.bool(v as boolean), dec: (r) => r.bool() };
    case 'uuid':
      return { enc: (w, v) => w.uuid((v as string) ?? ZERO_UUID), dec: (r) => r.uuid() };
    case 'string':
      return flexible
        ? {
            enc: (w, v) => (nullable ? undefined : nullCheck(v), w.compactString((v as string | null) ?? null)),
            dec: (r) => checkNull(r.compactString(), nullable, where),
          }
        : {
            enc: (w, v) => (nullable ? undefined : nullCheck(v), w.string((v as string | null) ?? null)),
            dec: (r) => checkNull(r.string(), nullable, where),
          };
    case 'bytes':
    case 'records': {
      const enc: Enc = (w, v) => {
        if (!nullable) nullCheck(v);
        if (Array.isArray(v)) {
          // a record set given as several buffers: length once, then each piece uncopied
          const total = v.reduce((n: number, b: Buffer) => n + b.length, 0);
          if (flexible) w.uvarint(total + 1);
          else w.int32(total);
          for (const b of v as Buffer[]) w.raw(b);
          return;
        }
        if (flexible) w.compactBytes((v as Buffer | null) ?? null);
        else w.bytes((v as Buffer | null) ?? null);
      };
      return {
        enc,
        dec: flexible ? (r) => checkNull(r.compactBytes(), nullable, where) : (r) => checkNull(r.bytes(), nullable, where),
      };
    }
  }
  throw new Error(`unknown type ${type} at ${where}`);
}

function checkNull<T>(v: T | null, nullable: boolean, where: string): T | null {
  if (v === null && !nullable) throw new ProtocolDecodeError(`${where} is null in a version where it cannot be`);
  return v;
}

function compileStruct(fields: FieldSpec[], version: number, flexible: boolean, structs: Map<string, StructSpec>, path: string): CompiledStruct {
  const regular: CompiledField[] = [];
  const tagged: CompiledField[] = [];
  const absent: CompiledField[] = [];

  for (const f of fields) {
    const key = camelCase(f.name);
    const where = `${path}.${f.name}`;
    const present = VersionRange.parse(f.versions).has(version);
    const isTagged = flexible && f.taggedVersions !== undefined && VersionRange.parse(f.taggedVersions).has(version);
    // A field absent from this version only lends its default. Kafka allows a "null" default only on
    // a field nullable in every version it exists in, so an absent one defaults to null, not "null".
    const nullable = present ? VersionRange.parse(f.nullableVersions).has(version) : f.nullableVersions !== undefined;
    const codec = compileType(f, version, flexible, nullable, structs, where);
    const field: CompiledField = { key, ...codec, tag: isTagged ? f.tag : undefined };
    if (!present) absent.push(field);
    else if (isTagged) tagged.push(field);
    else regular.push(field);
  }
  tagged.sort((a, b) => (a.tag ?? 0) - (b.tag ?? 0));
  const byTag = new Map(tagged.map((f) => [f.tag as number, f]));

  const defaults = (): Record<string, unknown> => {
    const o: Record<string, unknown> = {};
    for (const f of regular) o[f.key] = f.dflt();
    for (const f of tagged) o[f.key] = f.dflt();
    for (const f of absent) o[f.key] = f.dflt();
    return o;
  };

  const encode: Enc = (w, value) => {
    const o = (value ?? {}) as Record<string, unknown>;
    for (const f of regular) {
      const v = o[f.key];
      f.enc(w, v === undefined ? f.dflt() : v);
    }
    if (!flexible) return;
    const present: Array<[CompiledField, unknown]> = [];
    for (const f of tagged) {
      const v = o[f.key];
      if (v !== undefined && !isDefault(v, f.dflt())) present.push([f, v]);
    }
    w.uvarint(present.length);
    for (const [f, v] of present) {
      const inner = new Writer(64);
      f.enc(inner, v);
      const bytes = inner.toBuffer();
      w.uvarint(f.tag as number);
      w.uvarint(bytes.length);
      w.raw(bytes);
    }
  };

  const decode: Dec = (r) => {
    const o: Record<string, unknown> = {};
    for (const f of regular) o[f.key] = f.dec(r);
    for (const f of absent) o[f.key] = f.dflt();
    if (!flexible) return o;
    for (const f of tagged) o[f.key] = f.dflt();
    const count = r.uvarint();
    for (let i = 0; i < count; i++) {
      const tag = r.uvarint();
      const size = r.uvarint();
      const f = byTag.get(tag);
      if (f === undefined) {
        r.skip(size); // unknown tagged fields are skipped, as the protocol intends
        continue;
      }
      const sub = new Reader(r.buf, r.offset, r.offset + size);
      if (sub.end > r.end) throw new ProtocolDecodeError(`tagged field ${tag} overruns its struct`);
      o[f.key] = f.dec(sub);
      r.skip(size);
    }
    return o;
  };

  return { encode, decode, defaults };
}

function isDefault(v: unknown, d: unknown): boolean {
  if (v === d) return true;
  if (Array.isArray(v) && Array.isArray(d)) return v.length === 0 && d.length === 0;
  if (Buffer.isBuffer(v) && Buffer.isBuffer(d)) return v.equals(d);
  // A tagged struct (Fetch's CurrentLeader, Produce's CurrentLeader, …) is left out when every field
  // holds its default, as Kafka does; otherwise a decoded-then-re-encoded message would grow.
  if (isPlainObject(v) && isPlainObject(d)) {
    return Object.keys(d).every((k) => v[k] === undefined || isDefault(v[k], d[k]));
  }
  return false;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v);
}

function compileType(
  f: FieldSpec,
  version: number,
  flexible: boolean,
  nullable: boolean,
  structs: Map<string, StructSpec>,
  where: string,
): { enc: Enc; dec: Dec; dflt: () => unknown } {
  const isArray = f.type.startsWith('[]');
  const base = isArray ? f.type.slice(2) : f.type;

  let element: { enc: Enc; dec: Dec; dflt: () => unknown };
  if (PRIMITIVES.has(base)) {
    element = { ...primitiveCodec(base, flexible, !isArray && nullable, where), dflt: primitiveDefault(base, isArray ? undefined : f.default, nullable) };
  } else {
    const fields = f.fields ?? structs.get(base)?.fields;
    if (!fields) throw new Error(`struct ${base} at ${where} has no fields`);
    const s = compileStruct(fields, version, flexible, structs, where);
    element = {
      enc: s.encode,
      dec: s.decode,
      dflt: nullable && f.default === 'null' ? () => null : s.defaults,
    };
    if (!isArray && nullable) {
      // A nullable struct is preceded by an int8 presence marker (-1 null, 1 present).
      const inner = element;
      element = {
        enc: (w, v) => (v === null || v === undefined ? w.int8(-1) : (w.int8(1), inner.enc(w, v))),
        dec: (r) => (r.int8() < 0 ? null : inner.dec(r)),
        dflt: inner.dflt,
      };
    }
  }
  if (!isArray) return element;

  const enc: Enc = (w, v) => {
    if (v === null || v === undefined) {
      if (!nullable && v === null) throw new Error(`${where} is null in a version where it cannot be`);
      if (v === null) return void w.arrayLength(-1, flexible);
      return void w.arrayLength(0, flexible);
    }
    const arr = v as unknown[];
    w.arrayLength(arr.length, flexible);
    for (const item of arr) element.enc(w, item);
  };
  const dec: Dec = (r) => {
    const n = r.arrayLength(flexible);
    if (n < 0) {
      if (!nullable) throw new ProtocolDecodeError(`${where} is null in a version where it cannot be`);
      return null;
    }
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) out[i] = element.dec(r);
    return out;
  };
  return { enc, dec, dflt: f.default === 'null' && nullable ? () => null : () => [] };
}

export function compileMessage<T>(spec: MessageSpec): MessageCodec<T> {
  const versions = VersionRange.parse(spec.validVersions);
  const flexible = VersionRange.parse(spec.flexibleVersions);
  const structs = new Map((spec.commonStructs ?? []).map((s) => [s.name, s]));
  const cache = new Map<number, CompiledStruct>();
  const forVersion = (v: number): CompiledStruct => {
    let c = cache.get(v);
    if (!c) {
      if (!versions.has(v)) throw new Error(`${spec.name} has no version ${v}`);
      c = compileStruct(spec.fields, v, flexible.has(v), structs, spec.name);
      cache.set(v, c);
    }
    return c;
  };
  return {
    spec,
    versions,
    flexible,
    encode: (w, value, v) => forVersion(v).encode(w, value),
    decode: (r, v) => forVersion(v).decode(r) as T,
  };
}
