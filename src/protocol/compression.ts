/**
 * The compression codecs of RecordBatch v2, applied to the records section of a batch (everything
 * after `recordCount`). Performs no I/O.
 *
 *   1 gzip    node:zlib
 *   2 snappy  `snappy` (napi-rs, raw Snappy blocks). Java's producer writes xerial framing (a 16-byte
 *             header, then `int32 length + raw block` chunks); librdkafka and kafkajs codecs write
 *             either that or one raw block. Decoding accepts both; encoding writes xerial framing,
 *             which every client reads.
 *   3 lz4     `lz4-napi` (napi-rs over lz4_flex), the standard LZ4 frame format Kafka uses for
 *             magic v2 (independent or linked blocks, optional checksums and content size).
 *   4 zstd    node:zlib, which has zstd from Node 22.15 on; on older Node a KafkaError
 *             UNSUPPORTED_COMPRESSION_TYPE says so.
 *
 * Both a synchronous and a Promise API are offered. The Promise one runs gzip, zstd, snappy and lz4
 * off the event loop (libuv thread pool), which is what the broker should use; the synchronous one
 * suits the CLI and tests.
 *
 * The native codecs load on first use, so a platform without their prebuilt binary can still run
 * everything that does not touch snappy or lz4 data.
 */
import { constants as bufferConstants } from 'node:buffer';
import { createRequire } from 'node:module';
import zlib from 'node:zlib';
import { promisify } from 'node:util';
import { Compression } from './batch-header.js';
import { ErrorCode, KafkaError } from './errors.js';

export interface DecompressOptions {
  /**
   * Largest decompressed size accepted; above it a KafkaError MESSAGE_TOO_LARGE is thrown. gzip,
   * zstd and snappy stop before allocating more; lz4 is checked once decoded (LZ4 expands at most
   * ~255×, so the waste is bounded by the input size).
   */
  maxBytes?: number;
}

export const COMPRESSION_NAMES: Readonly<{ [codec: number]: string }> = {
  [Compression.none]: 'none',
  [Compression.gzip]: 'gzip',
  [Compression.snappy]: 'snappy',
  [Compression.lz4]: 'lz4',
  [Compression.zstd]: 'zstd',
};

export function compressionName(codec: number): string {
  return COMPRESSION_NAMES[codec] ?? `unknown(${codec})`;
}

// ---------------------------------------------------------------------------------------------
// Lazy native modules and optional zlib functions

const require = createRequire(import.meta.url);
type SnappyModule = typeof import('snappy');
type Lz4Module = typeof import('lz4-napi');
let snappyModule: SnappyModule | undefined;
let lz4Module: Lz4Module | undefined;

function snappy(): SnappyModule {
  if (snappyModule === undefined) snappyModule = loadNative<SnappyModule>('snappy');
  return snappyModule;
}

function lz4(): Lz4Module {
  if (lz4Module === undefined) lz4Module = loadNative<Lz4Module>('lz4-napi');
  return lz4Module;
}

function loadNative<T>(name: string): T {
  try {
    return require(name) as T;
  } catch (err) {
    throw new KafkaError(
      ErrorCode.UNSUPPORTED_COMPRESSION_TYPE,
      `the ${name} package (native binary) could not be loaded on ${process.platform}-${process.arch}: ${(err as Error).message}`,
    );
  }
}

type ZlibSync = (buf: Buffer, opts?: zlib.ZlibOptions) => Buffer;
type ZlibCb = (buf: Buffer, opts: zlib.ZlibOptions, cb: (err: Error | null, out: Buffer) => void) => void;
// @types/node 20 does not know zstd; look the functions up by name so the code runs on both.
const zlibAny = zlib as unknown as { [name: string]: ZlibSync | ZlibCb | undefined };
const zstdCompressSync = zlibAny.zstdCompressSync as ZlibSync | undefined;
const zstdDecompressSync = zlibAny.zstdDecompressSync as ZlibSync | undefined;
const zstdCompressCb = zlibAny.zstdCompress as ZlibCb | undefined;
const zstdDecompressCb = zlibAny.zstdDecompress as ZlibCb | undefined;

const gzipAsync = promisify(zlib.gzip) as (buf: Buffer, opts: zlib.ZlibOptions) => Promise<Buffer>;
const gunzipAsync = promisify(zlib.gunzip) as (buf: Buffer, opts: zlib.ZlibOptions) => Promise<Buffer>;

function promisified(fn: ZlibCb): (buf: Buffer, opts: zlib.ZlibOptions) => Promise<Buffer> {
  return (buf, opts) => new Promise((resolve, reject) => fn(buf, opts, (err, out) => (err ? reject(err) : resolve(out))));
}
const zstdCompressAsync = zstdCompressCb && promisified(zstdCompressCb);
const zstdDecompressAsync = zstdDecompressCb && promisified(zstdDecompressCb);

/** Whether this process can compress and decompress with `codec`. */
export function isCompressionAvailable(codec: number): boolean {
  switch (codec) {
    case Compression.none:
    case Compression.gzip:
      return true;
    case Compression.zstd:
      return zstdDecompressSync !== undefined;
    case Compression.snappy:
    case Compression.lz4:
      try {
        if (codec === Compression.snappy) snappy();
        else lz4();
        return true;
      } catch {
        return false;
      }
    default:
      return false;
  }
}

function zstdUnavailable(): KafkaError {
  return new KafkaError(
    ErrorCode.UNSUPPORTED_COMPRESSION_TYPE,
    `zstd needs Node.js >= 22.15 (node:zlib zstd support); this process runs Node.js ${process.versions.node}`,
  );
}

function unknownCodec(codec: number): KafkaError {
  return new KafkaError(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, `unknown compression codec ${codec}`);
}

// ---------------------------------------------------------------------------------------------
// Snappy: xerial framing around raw blocks

/** 0x82 "SNAPPY" 0x00, then int32 version 1 and int32 minimum compatible version 1. */
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_SIZE = 16;
/** Uncompressed bytes per xerial chunk; the Java client's default block size. */
const XERIAL_BLOCK_SIZE = 32 * 1024;

export function isXerialSnappy(data: Buffer): boolean {
  return data.length >= XERIAL_HEADER_SIZE && data.compare(XERIAL_MAGIC, 0, 8, 0, 8) === 0;
}

/** The uncompressed length a raw Snappy block declares in its preamble (uvarint). */
function snappyDeclaredLength(block: Buffer): number {
  let value = 0;
  for (let i = 0, shift = 0; i < 5 && i < block.length; i++, shift += 7) {
    const byte = block[i];
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return value;
  }
  throw corrupt('snappy', 'bad block preamble');
}

/** Splits a xerial stream into its raw blocks (views), checking the declared sizes against `max`. */
function xerialBlocks(data: Buffer, max: number): Buffer[] {
  const blocks: Buffer[] = [];
  let total = 0;
  let pos = XERIAL_HEADER_SIZE;
  while (pos < data.length) {
    if (pos + 4 > data.length) throw corrupt('snappy', 'truncated xerial chunk length');
    const len = data.readInt32BE(pos);
    pos += 4;
    if (len < 0 || pos + len > data.length) throw corrupt('snappy', `xerial chunk of ${len} bytes overruns the data`);
    const block = data.subarray(pos, pos + len);
    total += snappyDeclaredLength(block);
    if (total > max) throw tooLarge(max);
    blocks.push(block);
    pos += len;
  }
  return blocks;
}

function xerialFrame(chunks: Buffer[]): Buffer {
  let size = XERIAL_HEADER_SIZE;
  for (const c of chunks) size += 4 + c.length;
  const out = Buffer.allocUnsafe(size);
  XERIAL_MAGIC.copy(out, 0);
  out.writeInt32BE(1, 8);
  out.writeInt32BE(1, 12);
  let pos = XERIAL_HEADER_SIZE;
  for (const c of chunks) {
    out.writeInt32BE(c.length, pos);
    c.copy(out, pos + 4);
    pos += 4 + c.length;
  }
  return out;
}

function xerialSlices(data: Buffer): Buffer[] {
  const slices: Buffer[] = [];
  for (let at = 0; at < data.length; at += XERIAL_BLOCK_SIZE) slices.push(data.subarray(at, at + XERIAL_BLOCK_SIZE));
  return slices;
}

function snappyUncompressSync(block: Buffer): Buffer {
  return snappy().uncompressSync(block, { asBuffer: true }) as Buffer;
}

function snappyDecompressSync(data: Buffer, max: number): Buffer {
  if (!isXerialSnappy(data)) {
    if (snappyDeclaredLength(data) > max) throw tooLarge(max);
    return snappyUncompressSync(data);
  }
  const blocks = xerialBlocks(data, max);
  return blocks.length === 1 ? snappyUncompressSync(blocks[0]) : Buffer.concat(blocks.map(snappyUncompressSync));
}

async function snappyDecompressAsync(data: Buffer, max: number): Promise<Buffer> {
  const s = snappy();
  if (!isXerialSnappy(data)) {
    if (snappyDeclaredLength(data) > max) throw tooLarge(max);
    return (await s.uncompress(data, { asBuffer: true })) as Buffer;
  }
  const blocks = xerialBlocks(data, max);
  const parts = await Promise.all(blocks.map((b) => s.uncompress(b, { asBuffer: true }) as Promise<Buffer>));
  return parts.length === 1 ? parts[0] : Buffer.concat(parts);
}

// ---------------------------------------------------------------------------------------------
// Errors

function corrupt(codec: string, detail: string): KafkaError {
  return new KafkaError(ErrorCode.CORRUPT_MESSAGE, `${codec} data does not decompress: ${detail}`);
}

function tooLarge(max: number): KafkaError {
  return new KafkaError(ErrorCode.MESSAGE_TOO_LARGE, `records decompress to more than ${max} bytes`);
}

/** Turns a codec library's error into a KafkaError; KafkaErrors pass through. */
function asKafkaError(codec: number, err: unknown, max: number): KafkaError {
  if (err instanceof KafkaError) return err;
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'ERR_BUFFER_TOO_LARGE') return tooLarge(max);
  return corrupt(compressionName(codec), e.message ?? String(err));
}

function limitOf(opts: DecompressOptions | undefined): number {
  return opts?.maxBytes ?? Number.MAX_SAFE_INTEGER;
}

function zlibLimit(max: number): zlib.ZlibOptions {
  // zlib refuses maxOutputLength above buffer.constants.MAX_LENGTH, so only pass a real limit.
  return max < bufferConstants.MAX_LENGTH ? { maxOutputLength: Math.max(1, max) } : {};
}

// ---------------------------------------------------------------------------------------------
// Public API

/** Compresses `data` with `codec` on the calling thread. `none` returns `data` itself. */
export function compressSync(codec: number, data: Buffer): Buffer {
  switch (codec) {
    case Compression.none:
      return data;
    case Compression.gzip:
      return zlib.gzipSync(data);
    case Compression.snappy: {
      const s = snappy();
      return xerialFrame(xerialSlices(data).map((slice) => s.compressSync(slice)));
    }
    case Compression.lz4:
      return lz4().compressFrameSync(data);
    case Compression.zstd:
      if (!zstdCompressSync) throw zstdUnavailable();
      return zstdCompressSync(data);
    default:
      throw unknownCodec(codec);
  }
}

/** Compresses `data` with `codec` off the event loop. `none` resolves to `data` itself. */
export async function compress(codec: number, data: Buffer): Promise<Buffer> {
  switch (codec) {
    case Compression.none:
      return data;
    case Compression.gzip:
      return gzipAsync(data, {});
    case Compression.snappy: {
      const s = snappy();
      return xerialFrame(await Promise.all(xerialSlices(data).map((slice) => s.compress(slice))));
    }
    case Compression.lz4:
      return lz4().compressFrame(data);
    case Compression.zstd:
      if (!zstdCompressAsync) throw zstdUnavailable();
      return zstdCompressAsync(data, {});
    default:
      throw unknownCodec(codec);
  }
}

/**
 * Decompresses `data` on the calling thread. Throws KafkaError: CORRUPT_MESSAGE for data that does
 * not decode, UNSUPPORTED_COMPRESSION_TYPE for an unknown or unavailable codec, MESSAGE_TOO_LARGE
 * past `maxBytes`.
 */
export function decompressSync(codec: number, data: Buffer, opts?: DecompressOptions): Buffer {
  const max = limitOf(opts);
  try {
    let out: Buffer;
    switch (codec) {
      case Compression.none:
        out = data;
        break;
      case Compression.gzip:
        out = zlib.gunzipSync(data, zlibLimit(max));
        break;
      case Compression.snappy:
        out = snappyDecompressSync(data, max);
        break;
      case Compression.lz4:
        out = lz4().decompressFrameSync(data);
        break;
      case Compression.zstd:
        if (!zstdDecompressSync) throw zstdUnavailable();
        out = zstdDecompressSync(data, zlibLimit(max));
        break;
      default:
        throw unknownCodec(codec);
    }
    if (out.length > max) throw tooLarge(max);
    return out;
  } catch (err) {
    throw asKafkaError(codec, err, max);
  }
}

/** Decompresses `data` off the event loop; errors as for `decompressSync`. */
export async function decompress(codec: number, data: Buffer, opts?: DecompressOptions): Promise<Buffer> {
  const max = limitOf(opts);
  try {
    let out: Buffer;
    switch (codec) {
      case Compression.none:
        out = data;
        break;
      case Compression.gzip:
        out = await gunzipAsync(data, zlibLimit(max));
        break;
      case Compression.snappy:
        out = await snappyDecompressAsync(data, max);
        break;
      case Compression.lz4:
        out = await lz4().decompressFrame(data);
        break;
      case Compression.zstd:
        if (!zstdDecompressAsync) throw zstdUnavailable();
        out = await zstdDecompressAsync(data, zlibLimit(max));
        break;
      default:
        throw unknownCodec(codec);
    }
    if (out.length > max) throw tooLarge(max);
    return out;
  } catch (err) {
    throw asKafkaError(codec, err, max);
  }
}
