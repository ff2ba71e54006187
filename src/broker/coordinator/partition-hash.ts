/**
 * Which partition of a coordinator's internal topic holds a key (a group id in
 * `__consumer_offsets`, a transactional id in `__transaction_state`):
 * abs(String.hashCode(key)) % partitions, computed as Kafka computes it, so that tools which predict
 * a coordinator's partition the way Kafka does agree with this broker.
 */

/** Java's String.hashCode: 31·h + c over UTF-16 code units, with 32-bit overflow. */
export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/** Kafka's Utils.abs: Math.abs, except that Integer.MIN_VALUE maps to 0 rather than to itself. */
export function kafkaAbs(n: number): number {
  return n === -2147483648 ? 0 : Math.abs(n);
}

/** The partition, of `numPartitions`, Kafka would put `key` in. */
export function partitionFor(key: string, numPartitions: number): number {
  return kafkaAbs(javaStringHashCode(key)) % numPartitions;
}
