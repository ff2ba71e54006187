import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { crc32c, crc32cImplementation, NATIVE_MODULE_PATH, nativeCrc32cUnavailable, portableCrc32cUnsigned } from './crc32c.js';

/** Bytes that are not a repeating pattern, so a misplaced block or a wrong shift table shows. */
function bytes(n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  let x = 0x9e3779b9;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

describe('crc32c', () => {
  it('gives the check value of the CRC-32C catalogue and of an empty input', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(0))).toBe(0);
    expect(crc32c(Buffer.alloc(32))).toBe(0x8a9136aa); // RFC 3720 B.4: 32 bytes of zeros
  });

  it('agrees with @node-rs/crc32 at every length and alignment the three-stream code splits differently', () => {
    const data = bytes(3 * 8192 * 2 + 3 * 256 * 2 + 64);
    // Around the two block sizes (3 × 256 and 3 × 8192 bytes), their multiples, and small sizes.
    const lengths = new Set<number>();
    for (const edge of [0, 8, 768, 1536, 24_576, 49_152]) for (let d = -9; d <= 9; d++) if (edge + d >= 0) lengths.add(edge + d);
    for (let n = 0; n < 1000; n += 37) lengths.add(n);
    lengths.add(data.length - 8);
    for (const offset of [0, 1, 3, 7]) {
      for (const n of lengths) {
        const view = data.subarray(offset, offset + n);
        expect(crc32c(view), `length ${n} at offset ${offset}`).toBe(portableCrc32cUnsigned(view));
      }
    }
  });

  it('takes any Uint8Array, and refuses what is not one', () => {
    const data = bytes(1000);
    expect(crc32c(new Uint8Array(data.buffer, data.byteOffset, data.length))).toBe(portableCrc32cUnsigned(data));
    if (crc32cImplementation === 'native') expect(() => crc32c('123456789' as unknown as Uint8Array)).toThrow(/expected a Uint8Array/);
  });

  it('uses the native module wherever it was built and offers the instruction (CI installs the compiler for it)', () => {
    const built = existsSync(NATIVE_MODULE_PATH);
    if (process.env.CI === 'true' && process.platform === 'linux' && process.arch === 'x64')
      expect(built, 'native/crc32c.c was not built at install').toBe(true);
    const exported = built && typeof (createRequire(import.meta.url)(fileURLToPath(NATIVE_MODULE_PATH)) as { crc32c?: unknown }).crc32c === 'function';
    expect(crc32cImplementation).toBe(exported ? 'native' : '@node-rs/crc32');
    expect(nativeCrc32cUnavailable === undefined).toBe(exported);
  });
});
