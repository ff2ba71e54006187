import { errorCodeOf, errorCodeOfAsync } from './testing.js';
import { createRequire } from 'node:module';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Compression } from './batch-header.js';
import { compress, compressSync, decompress, decompressSync, isCompressionAvailable, isXerialSnappy } from './compression.js';
import { ErrorCode } from './errors.js';

const require = createRequire(import.meta.url);
const snappy = require('snappy') as typeof import('snappy');
const lz4 = require('lz4-napi') as typeof import('lz4-napi');

const zstdAvailable = typeof (zlib as unknown as { zstdCompressSync?: unknown }).zstdCompressSync === 'function';

/** Repetitive but not trivial: compresses, and spans several 32 KiB snappy chunks. */
function sample(size: number): Buffer {
  const out = Buffer.allocUnsafe(size);
  let x = 1;
  for (let i = 0; i < size; i++) {
    if (i % 64 === 0) x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = 97 + ((x >>> (i % 24)) & 15);
  }
  return out;
}

/** Buffer equality without vitest's byte-by-byte deep diff, which is slow on large buffers. */
function expectBytes(actual: Buffer, expected: Buffer): void {
  expect(actual.length).toBe(expected.length);
  expect(actual.equals(expected)).toBe(true);
}

const codecs = [
  ['gzip', Compression.gzip],
  ['snappy', Compression.snappy],
  ['lz4', Compression.lz4],
  ['zstd', Compression.zstd],
] as const;

describe('compression round trips', () => {
  for (const [name, codec] of codecs) {
    const run = codec === Compression.zstd && !zstdAvailable ? it.skip : it;
    for (const size of [0, 1, 1000, 200_000]) {
      run(`${name}: ${size} bytes, sync and async agree`, async () => {
        const data = sample(size);
        const packed = compressSync(codec, data);
        expectBytes(decompressSync(codec, packed), data);
        expectBytes(await decompress(codec, packed), data);
        const packedAsync = await compress(codec, data);
        expectBytes(decompressSync(codec, packedAsync), data);
        if (size === 200_000) expect(packed.length).toBeLessThan(size / 2);
      });
    }
  }

  it('none passes data through', async () => {
    const data = sample(10);
    expect(compressSync(Compression.none, data)).toBe(data);
    expect(await decompress(Compression.none, data)).toBe(data);
  });
});

describe('snappy framing', () => {
  it('writes xerial framing, like the Java client', () => {
    const packed = compressSync(Compression.snappy, sample(100_000));
    expect(isXerialSnappy(packed)).toBe(true);
    expect(packed.subarray(0, 16).toString('hex')).toBe('82534e41505059000000000100000001');
  });

  it('reads a single raw block (what kafkajs-snappy and some librdkafka builds send)', async () => {
    const data = sample(50_000);
    const raw = snappy.compressSync(data);
    expect(isXerialSnappy(raw)).toBe(false);
    expectBytes(decompressSync(Compression.snappy, raw), data);
    expectBytes(await decompress(Compression.snappy, raw), data);
  });

  it('reads xerial chunks of uneven sizes built by hand', async () => {
    const parts = [sample(10), sample(70_000), Buffer.from('tail')];
    const header = Buffer.from('82534e41505059000000000100000001', 'hex');
    const chunks = parts.flatMap((p) => {
      const block = snappy.compressSync(p);
      const len = Buffer.alloc(4);
      len.writeInt32BE(block.length);
      return [len, block];
    });
    const framed = Buffer.concat([header, ...chunks]);
    expectBytes(decompressSync(Compression.snappy, framed), Buffer.concat(parts));
    expectBytes(await decompress(Compression.snappy, framed), Buffer.concat(parts));
  });

  it('rejects a xerial chunk that overruns the data', () => {
    const packed = compressSync(Compression.snappy, sample(1000));
    expect(errorCodeOf(() => decompressSync(Compression.snappy, packed.subarray(0, packed.length - 3)))).toBe(ErrorCode.CORRUPT_MESSAGE);
  });
});

describe('lz4 frames', () => {
  // Made by the reference `lz4` CLI (`lz4 -BD -B4 --content-size`) from the bytes `linkedInput()`
  // builds: linked blocks, a content size and a content checksum. The second block refers back
  // into the first, which a decoder that treats blocks as independent gets wrong.
  const LINKED_FRAME = Buffer.from(
    [
      'BCJNGExA8AMBAAAAAAB88gQAAP/////czCYqWH+NfXwfqivjc+WCATdcyp2ASBPzRjl7x+e7tjJokWre0Y2n9M61g/CSPbQblY2j',
      'aJ5LTfBSKgFCIvy+U0w8xLNeD6FcYoDGQqFfdWyoHIpP/nhyp7DpYgiqF4Tpf7HF1hCjdiI/VtUulIpUKI/yE93/nPX1luBDvqdI',
      'ule1uYbiPNJ9D/E/nSZKeKphEzVdPG6BkRNsM1gjMkjh3UxYrQ2jJlhJNfwWt5FenQKqRxUwgOxQk8DCXhJKSUWVUs1rKnEg91Pw',
      'DESKH+8g1nXGcBnZnoZmTysgg+D+/nZ9lH2mQUGVCjarOGaaWu+BQYs09IhU1NcCxnSKzJHuUzFkLY0XArepRM8NK5FIlYWJrK1Z',
      'CccokO6nPFXUq8fcfjJQhmPcMsSGKuzXgOBoPXJ6un1BrbmTVKBoMKxxBJofLEfRBUIjT5IsC4PQw4njzYS/MIW3DUGfPfGD8YLt',
      '9nzAAE9Do/eXKv+oZdQR5o0Yk7LelJH1VWjH3dEs+5YyqJT0edRqYkY+iRDPzWM6K36tEJGX5o3pdUNAutV03mxkjChm2P5pYudu',
      'nC3m0AmJ0hPn7ShbP2+1cTb4TQFxoRrIL8jew1tObQ2wCjjpp1KXRMwxSJC/t0XO62XjMsin4qQk7twY0cZCf7wLyL0wCfv44ztn',
      'Iw7ubpOW8tAUJjCAt7HCOli05gScPfGE144R1yfcg2CteJyktXewOi+bzWPVDcvI2jUif/a7mkk8eKWxAfIeesSYpInj3so0hwLn',
      'pw73K8Py1E6o3Mr+329w37r07btn+FFG54wlh7ycBMYUrb6h0+5bl6NZCjX7bcK0z6keqEjX1B+517NLvGoVjR07O4YPGuGGvTQp',
      'bjyyifV8CGfMqOqeJiOq+ZYJa3Q74nrS0/i9ygJy7975LzOrTvQwMq18t3mwdaV2AmeRLaoubHcZehvETWnJ7j1LYtlJGoF3ayq9',
      'eGwsJLVIgk0YknlKpYbucskFc7wpwfQvkkt7lLnCfnz+Z/FCSzr2jNmG545m5Rr+ISSPgGsmfAIflVE+Bwu1a7YHl9HbyUi14PVH',
      '6lCdLvZf/+iInSkdwpZDgpH9OnYBmRIhZBT/661oKRRQhK/IjWFK1QGzpADS2U+e28Lg1K3sp7pGrwQ71HpJd+muu/HzUxHY1q2N',
      'OQ+WjeSlCSlO30FCuoB0HYUH6VpDHgr7H1Kqvp+vmPTJ1UevPbYS3c/+dLyn2DOn/ZxVOPeTW0Ux0ioYBu6NCJr4MUFAD6hirnCt',
      'RzHOzR/GaimhwCj0DHWX4kESsa4ShsxmrSzuIreulmN1NZ4rHO6/nyl097Ffpb4tt+gD////////////////////////////////',
      '////////////////////////////////////////////////////////////////////////////////////////////////////',
      '////////////////////////////////////////////////////////////////////////////////////////////////////',
      '////////////////////////////////////////////////////////////////////////////////////////////////////',
      '/////FCDYK14nBUAAACPLS10YWlsLS0g/P///9NQX6W+LbcAAAAAkogM+Q==',
    ].join(''),
    'base64',
  );

  function linkedInput(): Buffer {
    let x = 7;
    const r = Buffer.alloc(1000);
    for (let i = 0; i < r.length; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      r[i] = x >>> 24;
    }
    const a = Buffer.alloc(65536);
    for (let i = 0; i < a.length; i++) a[i] = r[i % 1000];
    return Buffer.concat([a, Buffer.from('--tail--'), r]);
  }

  it('reads linked blocks with content size and checksum (librdkafka-style frames)', async () => {
    expect(LINKED_FRAME.readUInt32LE(0)).toBe(0x184d2204);
    expect(LINKED_FRAME[4] & 0x20).toBe(0); // block independence flag clear: linked
    expectBytes(decompressSync(Compression.lz4, LINKED_FRAME), linkedInput());
    expectBytes(await decompress(Compression.lz4, LINKED_FRAME), linkedInput());
  });

  it('reads frames with block and content checksums', () => {
    const data = sample(150_000);
    const frame = lz4.compressFrameSync(data, { blockChecksums: true, contentChecksum: true });
    expectBytes(decompressSync(Compression.lz4, frame), data);
  });

  it('writes independent blocks, which the Java client requires', () => {
    const frame = compressSync(Compression.lz4, sample(100));
    expect(frame[4] & 0x20).toBe(0x20);
  });

  it('rejects a damaged frame', () => {
    const frame = Buffer.from(compressSync(Compression.lz4, sample(5000)));
    frame[0] ^= 0xff;
    expect(errorCodeOf(() => decompressSync(Compression.lz4, frame))).toBe(ErrorCode.CORRUPT_MESSAGE);
  });
});

describe('errors', () => {
  it('gzip garbage is CORRUPT_MESSAGE, sync and async', async () => {
    expect(errorCodeOf(() => decompressSync(Compression.gzip, Buffer.from('not gzip at all')))).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(await errorCodeOfAsync(() => decompress(Compression.gzip, Buffer.from('not gzip')))).toBe(ErrorCode.CORRUPT_MESSAGE);
  });

  it('an unknown codec is UNSUPPORTED_COMPRESSION_TYPE', async () => {
    expect(errorCodeOf(() => compressSync(5, Buffer.alloc(1)))).toBe(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
    expect(errorCodeOf(() => decompressSync(7, Buffer.alloc(1)))).toBe(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
    expect(await errorCodeOfAsync(() => decompress(6, Buffer.alloc(1)))).toBe(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
    expect(isCompressionAvailable(5)).toBe(false);
  });

  it.skipIf(zstdAvailable)('zstd without node:zlib support says which Node it needs', async () => {
    expect(isCompressionAvailable(Compression.zstd)).toBe(false);
    expect(() => compressSync(Compression.zstd, Buffer.alloc(1))).toThrow(/zstd needs Node\.js >= 22\.15/);
    expect(errorCodeOf(() => decompressSync(Compression.zstd, Buffer.alloc(1)))).toBe(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
    expect(await errorCodeOfAsync(() => decompress(Compression.zstd, Buffer.alloc(1)))).toBe(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
  });

  it('maxBytes stops decompression bombs with MESSAGE_TOO_LARGE', async () => {
    const data = Buffer.alloc(1_000_000, 'a');
    for (const codec of [Compression.gzip, Compression.snappy, Compression.lz4]) {
      const packed = compressSync(codec, data);
      expect(packed.length).toBeLessThan(60_000);
      expect(errorCodeOf(() => decompressSync(codec, packed, { maxBytes: 100_000 }))).toBe(ErrorCode.MESSAGE_TOO_LARGE);
      expect(await errorCodeOfAsync(() => decompress(codec, packed, { maxBytes: 100_000 }))).toBe(ErrorCode.MESSAGE_TOO_LARGE);
      expectBytes(decompressSync(codec, packed, { maxBytes: 1_000_000 }), data);
    }
    const raw = snappy.compressSync(data);
    expect(errorCodeOf(() => decompressSync(Compression.snappy, raw, { maxBytes: 10 }))).toBe(ErrorCode.MESSAGE_TOO_LARGE);
  });
});
