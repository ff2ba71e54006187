/**
 * OffsetMap: key → offset of the key's latest record, built by the log cleaner over the dirty part of
 * a compacted log (Kafka's `SkimpyOffsetMap`, docs/log-format.md "Compaction").
 *
 * Keys shorter than 16 bytes are stored exactly (as a latin1 string, one char per byte); longer ones
 * as their 16-byte MD5 digest, so an entry's size is bounded whatever the key. The two forms cannot
 * be confused: an exact key is at most 15 chars, a digest exactly 16. Kafka hashes every key; a digest
 * collision (2^-128) would lose a record there as here.
 *
 * Left out, compared with Kafka: the fixed-size buffer (`log.cleaner.dedupe.buffer.size`) and its
 * load factor; the map is bounded by a number of keys instead (`maxEntries`), which the cleaner
 * checks between segments.
 */
import { createHash } from 'node:crypto';

const EXACT_KEY_MAX_BYTES = 15;

export class OffsetMap {
  private readonly entries = new Map<string, number>();
  private latest = -1;

  constructor(readonly maxEntries: number) {
    if (!(maxEntries >= 1)) throw new RangeError(`an offset map needs room for at least one key, not ${maxEntries}`);
  }

  /** Records `offset` as the latest offset of `key`; offsets are put in increasing order. */
  put(key: Buffer, offset: number): void {
    this.entries.set(mapKey(key), offset);
    if (offset > this.latest) this.latest = offset;
  }

  /** The latest offset recorded for `key`, or undefined. */
  get(key: Buffer): number | undefined {
    return this.entries.get(mapKey(key));
  }

  get size(): number {
    return this.entries.size;
  }

  /** No more segments should be added once this is true. */
  get isFull(): boolean {
    return this.entries.size >= this.maxEntries;
  }

  /** The largest offset put, or -1. */
  get latestOffset(): number {
    return this.latest;
  }

  clear(): void {
    this.entries.clear();
    this.latest = -1;
  }
}

function mapKey(key: Buffer): string {
  return key.length <= EXACT_KEY_MAX_BYTES ? key.toString('latin1') : createHash('md5').update(key).digest().toString('latin1');
}
