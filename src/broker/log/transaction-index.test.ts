import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CorruptIndexError } from './corrupt-index-error.js';
import { makeTmpDir, removeDir } from './testing.js';
import { ABORTED_TXN_SIZE, type AbortedTxn, readTransactionIndexFile, TransactionIndex } from './transaction-index.js';

describe('TransactionIndex', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = makeTmpDir('skein-txnidx-');
    file = path.join(dir, '00000000000000000100.txnindex');
  });
  afterEach(() => removeDir(dir));

  const txn = (producerId: bigint, firstOffset: number, lastOffset: number, lastStableOffset: number): AbortedTxn => ({
    producerId,
    firstOffset,
    lastOffset,
    lastStableOffset,
  });

  it('creates its file with the first entry, 34 bytes each, and reads them back', () => {
    const idx = new TransactionIndex(file, 100);
    idx.load();
    expect(fs.existsSync(file)).toBe(false);
    idx.append(txn(7n, 90, 105, 106));
    idx.append(txn(2n ** 62n, 101, 110, 95));
    idx.close();
    const bytes = fs.readFileSync(file);
    expect(bytes.length).toBe(2 * ABORTED_TXN_SIZE);
    // Kafka's AbortedTxn layout: version, producer id, first offset, last offset, last stable offset.
    expect(bytes.readInt16BE(0)).toBe(0);
    expect(bytes.readBigInt64BE(2)).toBe(7n);
    expect(bytes.readBigInt64BE(10)).toBe(90n);
    expect(bytes.readBigInt64BE(18)).toBe(105n);
    expect(bytes.readBigInt64BE(26)).toBe(106n);
    expect(readTransactionIndexFile(file, 100)).toEqual([txn(7n, 90, 105, 106), txn(2n ** 62n, 101, 110, 95)]);
  });

  it('refuses markers out of order', () => {
    const idx = new TransactionIndex(file, 100);
    idx.append(txn(1n, 100, 105, 106));
    expect(() => idx.append(txn(2n, 100, 105, 106))).toThrow(/does not follow/);
    idx.close();
  });

  it('finds the aborted transactions overlapping a range, and says when later segments cannot add any', () => {
    const idx = new TransactionIndex(file, 100);
    idx.append(txn(1n, 100, 104, 102)); // another transaction open from 102
    idx.append(txn(2n, 102, 110, 111));
    idx.append(txn(3n, 111, 120, 121));
    const ids = (from: number, upper: number) => {
      const r = idx.collectAbortedTxns(from, upper);
      return { ids: r.abortedTransactions.map((t) => t.producerId), complete: r.isComplete };
    };
    expect(ids(100, 103)).toEqual({ ids: [1n, 2n], complete: true });
    expect(ids(100, 200)).toEqual({ ids: [1n, 2n, 3n], complete: false });
    expect(ids(105, 111)).toEqual({ ids: [2n], complete: true });
    expect(ids(111, 200)).toEqual({ ids: [3n], complete: false });
    expect(ids(121, 200)).toEqual({ ids: [], complete: false });
    idx.close();
  });

  it('truncates entries whose marker is at or after an offset; none left removes the file', () => {
    const idx = new TransactionIndex(file, 100);
    idx.append(txn(1n, 100, 104, 105));
    idx.append(txn(2n, 102, 110, 111));
    idx.truncateTo(110);
    expect(idx.allAbortedTxns.map((t) => t.producerId)).toEqual([1n]);
    expect(fs.statSync(file).size).toBe(ABORTED_TXN_SIZE);
    idx.truncateTo(100);
    expect(fs.existsSync(file)).toBe(false);
    idx.append(txn(3n, 100, 101, 102));
    expect(readTransactionIndexFile(file, 100).map((t) => t.producerId)).toEqual([3n]);
    idx.close();
  });

  it('reports a file that is not whole entries, has a bad version, or goes backwards', () => {
    const good = new TransactionIndex(file, 100);
    good.append(txn(1n, 100, 104, 105));
    good.append(txn(2n, 102, 110, 111));
    good.close();
    const bytes = fs.readFileSync(file);
    const check = (b: Buffer) => {
      fs.writeFileSync(file, b);
      expect(() => new TransactionIndex(file, 100).load()).toThrowError(CorruptIndexError);
    };
    check(bytes.subarray(0, 40));
    const badVersion = Buffer.from(bytes);
    badVersion.writeInt16BE(3, ABORTED_TXN_SIZE);
    check(badVersion);
    check(Buffer.concat([bytes.subarray(ABORTED_TXN_SIZE), bytes.subarray(0, ABORTED_TXN_SIZE)]));
  });
});
