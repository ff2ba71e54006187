import { describe, expect, it } from 'vitest';
import { decodeConsumerAssignment, decodeConsumerSubscription } from './consumer-protocol.js';

function str(s: string): Buffer {
  const b = Buffer.alloc(2);
  b.writeInt16BE(Buffer.byteLength(s));
  return Buffer.concat([b, Buffer.from(s)]);
}
const i16 = (n: number) => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
function i32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

describe('consumer protocol', () => {
  it('reads the partitions of an assignment, ignoring user data', () => {
    const buf = Buffer.concat([i16(1), i32(2), str('orders'), i32(2), i32(0), i32(2), str('refunds'), i32(0), i32(-1)]);
    expect(decodeConsumerAssignment(buf)).toEqual([
      { topic: 'orders', partitions: [0, 2] },
      { topic: 'refunds', partitions: [] },
    ]);
    expect(decodeConsumerAssignment(Buffer.alloc(0))).toEqual([]);
  });

  it('reads the topics of a subscription', () => {
    expect(decodeConsumerSubscription(Buffer.concat([i16(0), i32(1), str('orders'), i32(-1)]))).toEqual(['orders']);
  });

  it('fails on truncated data', () => {
    expect(() => decodeConsumerAssignment(Buffer.concat([i16(0), i32(1), str('orders')]))).toThrow(/ends early/);
  });
});
