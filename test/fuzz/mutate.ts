/**
 * The fuzzer's mutations of a well-formed request — byte flips, truncation, extension, lying sizes,
 * huge lengths and counts aimed at the fields that carry them, random API keys and versions — and
 * the few things it needs to know about its own mutants.
 */
import { MAX_PARTITIONS_PER_REQUEST } from '../../src/broker/metadata/topic-manager.js';
import { readRequestHeader, skipTaggedFields } from '../../src/protocol/api.js';
import { CreatePartitions } from '../../src/protocol/apis/create-partitions.js';
import { CreateTopics } from '../../src/protocol/apis/create-topics.js';
import { Reader } from '../../src/protocol/reader.js';
import type { Random } from './prng.js';
import type { EncodedRequest } from './templates.js';

export interface Mutant {
  /** Header and body, as mutated. */
  bytes: Buffer;
  /** The size prefix sent, which may lie. */
  declared: number;
  /** Bytes sent after the frame the size prefix describes. */
  trailer: Buffer;
  ops: string[];
}

function encodeUvarint(v: number): Buffer {
  const out: number[] = [];
  let z = v >>> 0;
  while (z >= 0x80) {
    out.push((z & 0x7f) | 0x80);
    z >>>= 7;
  }
  out.push(z);
  return Buffer.from(out);
}

type MutationKind = 'flip' | 'set' | 'truncate' | 'truncateKeepSize' | 'extend' | 'trailer' | 'length' | 'header' | 'randomBody' | 'sizeLie';

/**
 * How often each mutation is picked. Most keep the framing right, so that the mutant reaches the
 * header and body decoders and, often enough, a handler; the ones that break the framing test the
 * frame reader and make the connection unusable, so they are rarer.
 */
const WEIGHTS: Array<[MutationKind, number]> = [
  ['flip', 30],
  ['set', 10],
  ['truncate', 8],
  ['truncateKeepSize', 4],
  ['extend', 6],
  ['trailer', 4],
  ['length', 20],
  ['header', 10],
  ['randomBody', 5],
  ['sizeLie', 4],
];
const TOTAL_WEIGHT = WEIGHTS.reduce((n, [, w]) => n + w, 0);

function pickKind(rnd: Random): MutationKind {
  let x = rnd.int(0, TOTAL_WEIGHT - 1);
  for (const [kind, w] of WEIGHTS) {
    if (x < w) return kind;
    x -= w;
  }
  return 'flip';
}

/** One to three mutations of a well-formed request, each recorded in `ops` for the failure message. */
export function mutate(rnd: Random, enc: EncodedRequest, apiKeys: number[], maxRequestBytes: number): Mutant {
  let bytes = Buffer.from(enc.bytes);
  let declared: number | null = null;
  let trailer = Buffer.alloc(0);
  const ops: string[] = [];
  const count = rnd.chance(0.6) ? 1 : rnd.chance(0.75) ? 2 : 3;
  for (let n = 0; n < count; n++) {
    const kind = pickKind(rnd);
    if (kind === 'flip' && bytes.length > 0) {
      const flips = rnd.int(1, 3);
      for (let i = 0; i < flips; i++) {
        const at = rnd.int(0, bytes.length - 1);
        bytes[at] ^= rnd.int(1, 255);
        ops.push(`flip@${at}`);
      }
    } else if (kind === 'set' && bytes.length > 0) {
      const at = rnd.int(0, bytes.length - 1);
      bytes[at] = rnd.pick([0x00, 0xff, 0x7f, 0x80, 0x01]);
      ops.push(`set@${at}=${bytes[at]}`);
    } else if (kind === 'truncate' && bytes.length > 0) {
      bytes = bytes.subarray(0, rnd.int(0, bytes.length - 1));
      ops.push(`truncate→${bytes.length}`);
    } else if (kind === 'truncateKeepSize' && bytes.length > 0) {
      declared = bytes.length;
      bytes = bytes.subarray(0, rnd.int(0, bytes.length - 1));
      ops.push(`truncate→${bytes.length} keeping size ${declared}`);
    } else if (kind === 'extend') {
      const extra = rnd.bytes(rnd.int(1, 32));
      bytes = Buffer.concat([bytes, extra]);
      ops.push(`extend+${extra.length}`);
    } else if (kind === 'trailer') {
      trailer = Buffer.concat([trailer, rnd.bytes(rnd.int(1, 32))]);
      ops.push(`trailer+${trailer.length}`);
    } else if (kind === 'length' && enc.fields.length > 0) {
      const f = rnd.pick(enc.fields);
      if (f.at + f.size > bytes.length) continue;
      if (f.kind === 'int16') {
        const v = rnd.pick([0x7fff, -2, -1, 0x4000, 0]);
        bytes.writeInt16BE(v, f.at);
        ops.push(`int16 length@${f.at}=${v}`);
      } else if (f.kind === 'int32') {
        const v = rnd.pick([0x7fffffff, 0x7ffffff0, 0x10000000, -2, -1, 0, bytes.length]);
        bytes.writeInt32BE(v, f.at);
        ops.push(`int32 length@${f.at}=${v}`);
      } else {
        const replacement = rnd.chance(0.2)
          ? Buffer.from('ffffffffff01', 'hex') // longer than 32 bits
          : encodeUvarint(rnd.pick([0xffffffff, 0x7fffffff, 0x10000000, 0, 1, bytes.length + 2]));
        bytes = Buffer.concat([bytes.subarray(0, f.at), replacement, bytes.subarray(f.at + f.size)]);
        ops.push(`uvarint length@${f.at}=${replacement.toString('hex')}`);
      }
    } else if (kind === 'header' && bytes.length >= 4) {
      const key = rnd.chance(0.6) ? rnd.pick(apiKeys) : rnd.chance(0.5) ? rnd.int(-2, 80) : rnd.int(-32768, 32767);
      const version = rnd.chance(0.7) ? rnd.int(-1, 20) : rnd.int(-32768, 32767);
      bytes.writeInt16BE(key, 0);
      bytes.writeInt16BE(version, 2);
      ops.push(`header key=${key} version=${version}`);
    } else if (kind === 'randomBody') {
      const keep = Math.min(bytes.length, rnd.int(8, 20));
      bytes = Buffer.concat([bytes.subarray(0, keep), rnd.bytes(rnd.int(0, 64))]);
      ops.push(`random body after ${keep}`);
    } else if (kind === 'sizeLie') {
      declared = rnd.pick([-1, 0, 3, 9, bytes.length - 1, bytes.length + 1, bytes.length + 3, maxRequestBytes + 1, 0x7fffffff]);
      ops.push(`size=${declared}`);
    }
  }
  if (ops.length === 0) {
    bytes[0] ^= 0x40;
    ops.push('flip@0');
  }
  return { bytes, declared: declared ?? bytes.length, trailer, ops };
}

/** Partitions a legal request may ask for before the fuzzer considers it expensive rather than malformed. */
const CHEAP_PARTITIONS = 64;

/**
 * Whether a mutant happens to be a well-formed CreateTopics or CreatePartitions that would make the
 * broker create more than CHEAP_PARTITIONS (up to the 10,000 a request may ask for) partitions.
 * That is legal work, which takes seconds (every partition opens a log), not bad input; the fuzzer
 * skips it. Mutants asking for more than the per-request bound are kept: they must be refused fast.
 */
export function expensiveButLegal(bytes: Buffer): boolean {
  const h = readHeader(bytes);
  if (h === null || (h.apiKey !== CreateTopics.key && h.apiKey !== CreatePartitions.key)) return false;
  const api = h.apiKey === CreateTopics.key ? CreateTopics : CreatePartitions;
  if (!api.versions.has(h.apiVersion)) return false;
  try {
    const r = new Reader(bytes);
    readRequestHeader(r);
    if (api.requestHeaderVersion(h.apiVersion) === 2) skipTaggedFields(r);
    let remaining = MAX_PARTITIONS_PER_REQUEST;
    let created = 0;
    const wants =
      api === CreateTopics
        ? CreateTopics.request
            .decode(r, h.apiVersion)
            .topics.map((t) => (t.assignments.length > 0 ? t.assignments.length : t.numPartitions === -1 ? 1 : t.numPartitions))
        : CreatePartitions.request.decode(r, h.apiVersion).topics.map((t) => t.count);
    for (const n of wants) {
      if (n <= 0 || n > remaining) continue;
      remaining -= n;
      created += n;
    }
    return created > CHEAP_PARTITIONS;
  } catch {
    return false;
  }
}

export function readHeader(bytes: Buffer): { apiKey: number; apiVersion: number; correlationId: number } | null {
  if (bytes.length < 8) return null;
  return { apiKey: bytes.readInt16BE(0), apiVersion: bytes.readInt16BE(2), correlationId: bytes.readInt32BE(4) };
}
