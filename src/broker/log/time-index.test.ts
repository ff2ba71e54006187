import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TimeIndex } from './time-index.js';
import { makeTmpDir, removeDir } from './testing.js';

describe('TimeIndex', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = makeTmpDir();
    file = path.join(dir, '00000000000000000100.timeindex');
  });
  afterEach(() => removeDir(dir));

  it('appends only when the max timestamp grows', () => {
    const idx = TimeIndex.open(file, 100, 1200);
    idx.maybeAppend(1000, 105);
    idx.maybeAppend(1000, 110);
    idx.maybeAppend(900, 115);
    idx.maybeAppend(2000, 120);
    expect(idx.entries).toBe(2);
    expect(idx.lastEntry()).toEqual({ timestamp: 2000, offset: 120 });
    idx.close();
  });

  it('looks up the first entry with timestamp ≥ t, and where a search must start', () => {
    const idx = TimeIndex.open(file, 100, 1200);
    idx.maybeAppend(1000, 105);
    idx.maybeAppend(2000, 120);
    idx.maybeAppend(3000, 140);
    expect(idx.lookup(500)).toEqual({ timestamp: 1000, offset: 105 });
    expect(idx.lookup(2000)).toEqual({ timestamp: 2000, offset: 120 });
    expect(idx.lookup(2001)).toEqual({ timestamp: 3000, offset: 140 });
    expect(idx.lookup(3001)).toBeUndefined();
    expect(idx.scanStartOffset(500)).toBe(100);
    expect(idx.scanStartOffset(2000)).toBe(105);
    expect(idx.scanStartOffset(2500)).toBe(120);
    expect(idx.scanStartOffset(9999)).toBe(140);
    idx.close();
  });

  it('writes 12-byte entries (int64 timestamp, int32 relative offset) and loads them back', () => {
    const idx = TimeIndex.open(file, 100, 1200);
    idx.maybeAppend(1_700_000_000_123, 105);
    idx.close();
    const bytes = fs.readFileSync(file);
    expect(bytes.length).toBe(12);
    expect(bytes.readBigInt64BE(0)).toBe(1_700_000_000_123n);
    expect(bytes.readInt32BE(8)).toBe(5);
    const again = TimeIndex.open(file, 100, 1200);
    again.load();
    expect(again.lastEntry()).toEqual({ timestamp: 1_700_000_000_123, offset: 105 });
    again.close();
  });

  it('takes the final entry even when full, but no ordinary entry', () => {
    const idx = TimeIndex.open(file, 100, 12);
    idx.maybeAppend(1000, 101);
    expect(idx.isFull).toBe(true);
    idx.maybeAppend(2000, 102);
    expect(idx.entries).toBe(1);
    idx.maybeAppend(2000, 102, true);
    expect(idx.entries).toBe(2);
    idx.close();
  });

  it('truncates entries at and above an offset', () => {
    const idx = TimeIndex.open(file, 100, 1200);
    idx.maybeAppend(1000, 105);
    idx.maybeAppend(2000, 120);
    idx.writePending();
    expect(fs.statSync(file).size).toBe(24);
    idx.truncateTo(120);
    expect(idx.entries).toBe(1);
    expect(fs.statSync(file).size).toBe(12);
    idx.close();
  });

  it('reports out-of-order entries as corrupt', () => {
    const b = Buffer.alloc(24);
    b.writeBigInt64BE(2000n, 0);
    b.writeInt32BE(1, 8);
    b.writeBigInt64BE(1000n, 12);
    b.writeInt32BE(2, 20);
    fs.writeFileSync(file, b);
    const idx = TimeIndex.open(file, 100, 1200);
    expect(() => idx.load()).toThrow(/out of order/);
    idx.close();
  });
});
