/**
 * The "consumer" embedded protocol: what consumer group members put in JoinGroup metadata and
 * SyncGroup assignments, which DescribeGroups hands back as opaque bytes. Only the parts the CLI
 * reads (topics and partitions; user data and owned partitions are skipped).
 *
 *   Subscription => version:int16 topics:[string] userData:bytes ...
 *   Assignment   => version:int16 assignment:[topic:string partitions:[int32]] userData:bytes
 *
 * Every version (0-3) starts with these fields, non-flexible, so reading the prefix is enough.
 */
import { ProtocolDecodeError } from '../protocol/errors.js';

export interface TopicPartitions {
  topic: string;
  partitions: number[];
}

/** The partitions in a member's assignment; an empty buffer (no assignment yet) is none. */
export function decodeConsumerAssignment(buf: Buffer): TopicPartitions[] {
  if (buf.length === 0) return [];
  const r = new PrefixReader(buf);
  r.int16(); // version
  const topics: TopicPartitions[] = [];
  for (let i = r.arrayLength(); i > 0; i--) {
    const topic = r.string();
    const partitions: number[] = [];
    for (let j = r.arrayLength(); j > 0; j--) partitions.push(r.int32());
    topics.push({ topic, partitions });
  }
  return topics;
}

/** The topics a member subscribed to. */
export function decodeConsumerSubscription(buf: Buffer): string[] {
  if (buf.length === 0) return [];
  const r = new PrefixReader(buf);
  r.int16();
  const topics: string[] = [];
  for (let i = r.arrayLength(); i > 0; i--) topics.push(r.string());
  return topics;
}

class PrefixReader {
  private at = 0;
  constructor(private readonly buf: Buffer) {}

  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.at);
    this.at += 2;
    return v;
  }

  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.at);
    this.at += 4;
    return v;
  }

  /** A -1 (null) array counts as empty. */
  arrayLength(): number {
    const n = this.int32();
    if (n > this.buf.length) throw new ProtocolDecodeError(`array length ${n} is larger than the buffer`);
    return Math.max(n, 0);
  }

  string(): string {
    const len = this.int16();
    if (len < 0) return '';
    this.need(len);
    const s = this.buf.toString('utf8', this.at, this.at + len);
    this.at += len;
    return s;
  }

  private need(n: number): void {
    if (this.at + n > this.buf.length) throw new ProtocolDecodeError('consumer protocol data ends early');
  }
}
