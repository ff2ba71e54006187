/**
 * How window and session stores lay their entries out in a key-value store (Kafka Streams'
 * `WindowKeySchema` / `SessionKeySchema`, with a segment id in front, as its segmented stores keep
 * one RocksDB per segment):
 *
 *   window:  segment (8) ‖ key bytes ‖ window start (8) [‖ sequence number (8), with duplicates]
 *   session: segment (8) ‖ key bytes ‖ session end (8) ‖ session start (8)
 *
 * All numbers are big-endian, so byte order is segment, then key, then time. A segment is a span of
 * `segmentInterval` ms of window starts (session ends); dropping expired windows is deleting every key
 * below a segment. Keys are binary strings (see bytes-store.ts).
 */
import type { BytesKey } from './bytes-store.js';

export function u64(n: number): string {
  const hi = Math.floor(n / 0x1_0000_0000);
  const lo = n >>> 0;
  return String.fromCharCode((hi >>> 24) & 0xff, (hi >>> 16) & 0xff, (hi >>> 8) & 0xff, hi & 0xff, lo >>> 24, (lo >>> 16) & 0xff, (lo >>> 8) & 0xff, lo & 0xff);
}

export function readU64(s: string, at: number): number {
  const hi = ((s.charCodeAt(at) << 24) | (s.charCodeAt(at + 1) << 16) | (s.charCodeAt(at + 2) << 8) | s.charCodeAt(at + 3)) >>> 0;
  const lo = ((s.charCodeAt(at + 4) << 24) | (s.charCodeAt(at + 5) << 16) | (s.charCodeAt(at + 6) << 8) | s.charCodeAt(at + 7)) >>> 0;
  return hi * 0x1_0000_0000 + lo;
}

export class Segments {
  constructor(readonly interval: number) {}

  segmentId(time: number): number {
    return Math.floor(Math.max(0, time) / this.interval);
  }

  /** The first key of segment `id`: everything below it is in older segments. */
  prefix(id: number): BytesKey {
    return u64(id);
  }
}

/** The segment interval Kafka Streams picks for a retention period: half of it, at least a minute. */
export function segmentIntervalFor(retentionMs: number): number {
  return Math.max(Math.floor(retentionMs / 2), 60_000);
}

export const WindowKeySchema = {
  key(segments: Segments, key: BytesKey, windowStart: number, seq: number | null): BytesKey {
    return u64(segments.segmentId(windowStart)) + key + u64(windowStart) + (seq === null ? '' : u64(seq));
  },
  /** Bounds of one segment's entries for `key` with starts in [from, to]. */
  keyRange(segment: number, key: BytesKey, from: number, to: number, withSeq: boolean): { gte: BytesKey; lte: BytesKey } {
    return { gte: u64(segment) + key + u64(from), lte: u64(segment) + key + u64(to) + (withSeq ? '\xff\xff\xff\xff\xff\xff\xff\xff' : '') };
  },
  /** Splits a stored key into the record key's bytes and the window start (dropping segment and sequence number). */
  parse(stored: BytesKey, withSeq: boolean): { key: BytesKey; windowStart: number } {
    const tail = withSeq ? 16 : 8;
    return { key: stored.slice(8, stored.length - tail), windowStart: readU64(stored, stored.length - tail) };
  },
};

export const SessionKeySchema = {
  key(segments: Segments, key: BytesKey, start: number, end: number): BytesKey {
    return u64(segments.segmentId(end)) + key + u64(end) + u64(start);
  },
  /** Bounds of one segment's sessions of `key` ending in [endFrom, endTo]. */
  keyRange(segment: number, key: BytesKey, endFrom: number, endTo: number): { gte: BytesKey; lte: BytesKey } {
    return { gte: u64(segment) + key + u64(endFrom), lte: u64(segment) + key + u64(endTo) + '\xff\xff\xff\xff\xff\xff\xff\xff' };
  },
  parse(stored: BytesKey): { key: BytesKey; start: number; end: number } {
    return { key: stored.slice(8, stored.length - 16), end: readU64(stored, stored.length - 16), start: readU64(stored, stored.length - 8) };
  },
};
