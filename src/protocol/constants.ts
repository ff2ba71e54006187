/**
 * Numbers of the Kafka protocol that several APIs (and the broker's checks) share. Constants that
 * belong to one structure live with it: `NO_PRODUCER_ID`, `NO_PRODUCER_EPOCH` and `NO_SEQUENCE` in
 * batch-header.ts (Kafka's `RecordBatch`), `OffsetSpec` in apis/list-offsets.ts.
 */

/** Java's Integer.MAX_VALUE: the largest int32, the bound of relative offsets, sizes and sequences. */
export const INT32_MAX = 0x7fffffff;
/** Java's Integer.MIN_VALUE. */
export const INT32_MIN = -0x80000000;

/**
 * Fetch (v4+) and ListOffsets (v2+) `IsolationLevel` (Kafka's `IsolationLevel`): read_committed stops
 * at the last stable offset and drops aborted transactions.
 */
export const IsolationLevel = { readUncommitted: 0, readCommitted: 1 } as const;
export type IsolationLevel = (typeof IsolationLevel)[keyof typeof IsolationLevel];
