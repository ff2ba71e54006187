import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CorruptIndexError } from './corrupt-index-error.js';
import { OffsetIndex } from './offset-index.js';
import { makeTmpDir, removeDir } from './testing.js';

describe('OffsetIndex', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = makeTmpDir();
    file = path.join(dir, '00000000000000000100.index');
  });
  afterEach(() => removeDir(dir));

  it('finds the largest entry at or below an offset, or (base, 0)', () => {
    const idx = OffsetIndex.open(file, 100, 1024);
    idx.append(110, 4000);
    idx.append(125, 8100);
    idx.append(140, 12500);
    expect(idx.lookup(99)).toEqual({ offset: 100, position: 0 });
    expect(idx.lookup(109)).toEqual({ offset: 100, position: 0 });
    expect(idx.lookup(110)).toEqual({ offset: 110, position: 4000 });
    expect(idx.lookup(139)).toEqual({ offset: 125, position: 8100 });
    expect(idx.lookup(1_000_000)).toEqual({ offset: 140, position: 12500 });
    idx.close();
  });

  it('writes 8-byte big-endian entries (relative offset, position) and loads them back', () => {
    const idx = OffsetIndex.open(file, 100, 1024);
    idx.append(110, 4000);
    idx.append(125, 8100);
    idx.close();
    const bytes = fs.readFileSync(file);
    expect(bytes.length).toBe(16);
    expect(bytes.readInt32BE(0)).toBe(10);
    expect(bytes.readInt32BE(4)).toBe(4000);
    expect(bytes.readInt32BE(8)).toBe(25);

    const again = OffsetIndex.open(file, 100, 1024);
    again.load();
    expect(again.entries).toBe(2);
    expect(again.lastEntry()).toEqual({ offset: 125, position: 8100 });
    again.close();
  });

  it('refuses entries that do not move forward', () => {
    const idx = OffsetIndex.open(file, 100, 1024);
    idx.append(110, 4000);
    expect(() => idx.append(110, 5000)).toThrow();
    expect(() => idx.append(120, 4000)).toThrow();
    expect(() => idx.append(99, 5000)).toThrow();
    idx.close();
  });

  it('is full at segment.index.bytes / 8 entries', () => {
    const idx = OffsetIndex.open(file, 100, 20);
    idx.append(101, 10);
    expect(idx.isFull).toBe(false);
    idx.append(102, 20);
    expect(idx.isFull).toBe(true);
    expect(() => idx.append(103, 30)).toThrow(/full/);
    idx.close();
  });

  it('truncates entries at and above an offset, in memory and on disk', () => {
    const idx = OffsetIndex.open(file, 100, 1024);
    for (let i = 1; i <= 5; i++) idx.append(100 + i * 10, i * 1000);
    idx.writePending();
    expect(fs.statSync(file).size).toBe(40);
    idx.truncateTo(130);
    expect(idx.entries).toBe(2);
    expect(idx.lookup(200)).toEqual({ offset: 120, position: 2000 });
    expect(fs.statSync(file).size).toBe(16);
    idx.truncateTo(100);
    expect(idx.entries).toBe(0);
    idx.close();
  });

  it('grows past its initial in-memory capacity', () => {
    const idx = OffsetIndex.open(file, 0, 1 << 20);
    for (let i = 1; i <= 1000; i++) idx.append(i, i * 10);
    expect(idx.lookup(777)).toEqual({ offset: 777, position: 7770 });
    idx.close();
    const again = OffsetIndex.open(file, 0, 1 << 20);
    again.load();
    expect(again.lookup(999)).toEqual({ offset: 999, position: 9990 });
    again.close();
  });

  it('reports a file of the wrong size or order as corrupt', () => {
    fs.writeFileSync(file, Buffer.alloc(13));
    const idx = OffsetIndex.open(file, 100, 1024);
    expect(() => idx.load()).toThrow(CorruptIndexError);
    const b = Buffer.alloc(16);
    b.writeInt32BE(20, 0);
    b.writeInt32BE(500, 4);
    b.writeInt32BE(10, 8);
    b.writeInt32BE(900, 12);
    fs.writeFileSync(file, b);
    expect(() => idx.load()).toThrow(/out of order/);
    idx.close();
  });

  it('rebuilds from a list of entries in one write', () => {
    const idx = OffsetIndex.open(file, 100, 1024);
    idx.append(150, 9999);
    idx.rebuild([110, 120], [40, 80]);
    expect(idx.entries).toBe(2);
    expect(fs.statSync(file).size).toBe(16);
    expect(idx.lookup(119)).toEqual({ offset: 110, position: 40 });
    idx.close();
  });
});
