import { describe, expect, it } from 'vitest';
import { BATCH_HEADER_SIZE } from '../../protocol/batch-header.js';
import { encodeRecordBatch } from '../../protocol/record-batch.js';
import { BatchHeaderCursor, nextOffsetAfter } from './batch-header-cursor.js';

/** Batches of 1, 2 and 3 records at offsets 10, 11 and 13, timestamps 100, 200 and 300. */
function threeBatches(): Buffer {
  return Buffer.concat(
    [1, 2, 3].map((n, i) =>
      encodeRecordBatch({
        baseOffset: BigInt([10, 11, 13][i]),
        records: Array.from({ length: n }, () => ({ key: null, value: Buffer.from('v') })),
        timestamp: BigInt((i + 1) * 100),
      }),
    ),
  );
}

function walk(c: BatchHeaderCursor): Array<[number, number, number, number]> {
  const seen: Array<[number, number, number, number]> = [];
  for (; c.load(BATCH_HEADER_SIZE); c.next()) seen.push([c.position, c.baseOffset, c.lastOffset, c.maxTimestamp]);
  return seen;
}

describe('BatchHeaderCursor', () => {
  it('walks the batches in a buffer, at their positions, and stops where a header no longer fits', () => {
    const bytes = threeBatches();
    const positions = walk(new BatchHeaderCursor().over(bytes)).map(([position]) => position);
    expect(walk(new BatchHeaderCursor().over(bytes)).map(([, base, last, ts]) => [base, last, ts])).toEqual([
      [10, 10, 100],
      [11, 12, 200],
      [13, 15, 300],
    ]);
    expect(positions[0]).toBe(0);
    // A torn tail: the last batch's header is cut short.
    expect(walk(new BatchHeaderCursor().over(bytes, 0, positions[2] + 20))).toHaveLength(2);
  });

  it('reads a buffer that is a slice of a larger one, and says whether each batch is whole', () => {
    const bytes = threeBatches();
    const inside = Buffer.concat([Buffer.alloc(7), bytes]).subarray(7);
    const c = new BatchHeaderCursor().over(inside, 0, inside.length - 1);
    const whole: boolean[] = [];
    for (; c.load(BATCH_HEADER_SIZE); c.next()) whole.push(c.isWhole);
    expect(whole).toEqual([true, true, false]);
  });

  it('takes its bytes from a reader, one load at a time', () => {
    const bytes = threeBatches();
    const loads: Array<[number, number]> = [];
    const scratch = Buffer.alloc(BATCH_HEADER_SIZE);
    const c = new BatchHeaderCursor((cursor, position, length) => {
      loads.push([position, length]);
      bytes.copy(scratch, 0, position, position + length);
      cursor.point(scratch, 0);
      return true;
    });
    expect(walk(c.seek(0, bytes.length)).map(([, base]) => base)).toEqual([10, 11, 13]);
    expect(loads.map(([, length]) => length)).toEqual([BATCH_HEADER_SIZE, BATCH_HEADER_SIZE, BATCH_HEADER_SIZE]);
  });

  it('gives the offset after the last whole batch', () => {
    expect(nextOffsetAfter(threeBatches())).toBe(16);
    expect(nextOffsetAfter(Buffer.alloc(0))).toBe(-1);
  });
});
