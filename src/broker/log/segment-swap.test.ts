import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { keyedBatch } from './compaction-testing.js';
import { segmentFileName } from './log-segment.js';
import { recoverInterruptedSwaps } from './segment-swap.js';
import { capturingLogger, makeTmpDir, removeDir } from './testing.js';

/** A `.log` of one batch per offset in `offsets`, as a segment file holds them. */
function logBytes(offsets: number[]): Buffer {
  return Buffer.concat(
    offsets.map((o) => {
      const b = keyedBatch([['k', String(o)]]);
      b.writeBigInt64BE(BigInt(o), 0);
      return b;
    }),
  );
}

describe('recoverInterruptedSwaps', () => {
  let dir: string;
  beforeEach(() => {
    dir = makeTmpDir();
  });
  afterEach(() => removeDir(dir));

  const file = (base: number, suffix: string) => path.join(dir, segmentFileName(base, suffix));
  const names = () => fs.readdirSync(dir).sort();

  it('drops .cleaned files and .swap indexes whose .log.swap does not exist: the old segments stay', () => {
    fs.writeFileSync(file(0, '.log'), logBytes([0, 1]));
    fs.writeFileSync(file(0, '.index'), '');
    fs.writeFileSync(file(0, '.log.cleaned'), logBytes([1]));
    fs.writeFileSync(file(0, '.timeindex.cleaned'), '');
    fs.writeFileSync(file(0, '.index.swap'), '');
    recoverInterruptedSwaps(dir, capturingLogger());
    expect(names()).toEqual([segmentFileName(0, '.index'), segmentFileName(0, '.log')]);
    expect(fs.readFileSync(file(0, '.log')).equals(logBytes([0, 1]))).toBe(true);
  });

  it('completes a committed swap: old segments it covers go, later ones and producer snapshots stay', () => {
    for (const [base, offsets] of [
      [0, [0, 1]],
      [2, [2, 3]],
      [4, [4]],
      [5, [5, 6]],
    ] as Array<[number, number[]]>) {
      fs.writeFileSync(file(base, '.log'), logBytes(offsets));
      fs.writeFileSync(file(base, '.index'), '');
      fs.writeFileSync(file(base, '.timeindex'), '');
    }
    fs.writeFileSync(file(2, '.txnindex'), '');
    fs.writeFileSync(file(2, '.snapshot'), 'producer state');
    // Cleaned group 0..4: its kept records end at offset 3, so segment 4 (all removed) is not covered.
    fs.writeFileSync(file(0, '.log.swap'), logBytes([1, 3]));
    fs.writeFileSync(file(0, '.index.swap'), '');
    fs.writeFileSync(file(0, '.txnindex.swap'), Buffer.alloc(0));
    const logger = capturingLogger();
    recoverInterruptedSwaps(dir, logger);
    expect(names()).toEqual(
      [
        segmentFileName(0, '.index'),
        segmentFileName(0, '.log'),
        segmentFileName(0, '.txnindex'),
        segmentFileName(2, '.snapshot'),
        segmentFileName(4, '.index'),
        segmentFileName(4, '.log'),
        segmentFileName(4, '.timeindex'),
        segmentFileName(5, '.index'),
        segmentFileName(5, '.log'),
        segmentFileName(5, '.timeindex'),
      ].sort(),
    );
    expect(fs.readFileSync(file(0, '.log')).equals(logBytes([1, 3]))).toBe(true);
    expect(logger.lines.some((l) => l.includes('completed the swap of cleaned segment 00000000000000000000.log (offsets 0..3)'))).toBe(true);
  });

  it('an empty swap segment replaces just the segment with its base offset', () => {
    fs.writeFileSync(file(0, '.log'), logBytes([0]));
    fs.writeFileSync(file(1, '.log'), logBytes([1]));
    fs.writeFileSync(file(0, '.log.swap'), Buffer.alloc(0));
    recoverInterruptedSwaps(dir, capturingLogger());
    expect(names()).toEqual([segmentFileName(0, '.log'), segmentFileName(1, '.log')]);
    expect(fs.statSync(file(0, '.log')).size).toBe(0);
  });
});
