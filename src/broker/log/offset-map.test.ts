import { describe, expect, it } from 'vitest';
import { OffsetMap } from './offset-map.js';

describe('OffsetMap', () => {
  it('keeps the latest offset of each key, short keys exactly and long keys by digest', () => {
    const map = new OffsetMap(10);
    const long = Buffer.from('a key that is clearly longer than fifteen bytes');
    map.put(Buffer.from('k1'), 0);
    map.put(long, 1);
    map.put(Buffer.from('k1'), 2);
    expect(map.get(Buffer.from('k1'))).toBe(2);
    expect(map.get(Buffer.from(long))).toBe(1);
    expect(map.get(Buffer.from('k2'))).toBeUndefined();
    expect(map.get(Buffer.from('a key that is clearly longer than fifteen bytez'))).toBeUndefined();
    expect(map.size).toBe(2);
    expect(map.latestOffset).toBe(2);
  });

  it('tells binary keys apart byte for byte, including the empty key', () => {
    const map = new OffsetMap(10);
    map.put(Buffer.from([0xff, 0x00]), 1);
    map.put(Buffer.from([0xfe, 0x00]), 2);
    map.put(Buffer.alloc(0), 3);
    expect(map.get(Buffer.from([0xff, 0x00]))).toBe(1);
    expect(map.get(Buffer.from([0xfe, 0x00]))).toBe(2);
    expect(map.get(Buffer.alloc(0))).toBe(3);
  });

  it('a 15-byte key and a 16-byte key whose digest it might equal are different entries', () => {
    const map = new OffsetMap(10);
    const sixteen = Buffer.from('0123456789abcdef');
    map.put(sixteen, 5);
    expect(map.get(Buffer.from('0123456789abcde'))).toBeUndefined();
    expect(map.get(sixteen)).toBe(5);
  });

  it('is full at maxEntries keys', () => {
    const map = new OffsetMap(2);
    map.put(Buffer.from('a'), 0);
    expect(map.isFull).toBe(false);
    map.put(Buffer.from('b'), 1);
    expect(map.isFull).toBe(true);
    map.clear();
    expect(map.size).toBe(0);
    expect(map.latestOffset).toBe(-1);
  });
});
