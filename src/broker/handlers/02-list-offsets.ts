/**
 * ListOffsets: v0-10.
 *
 * Behavior: per partition, the offset for a timestamp: -2 earliest (log start offset), -1 latest
 * (log end offset, or the last stable offset under read_committed), -3 the record with the largest
 * timestamp, and otherwise the first offset whose record timestamp is at or after the one asked
 * (offset -1 and timestamp -1 when there is none). A partition named more than once in one request
 * (within a topic entry, or under two entries of the same topic) is answered INVALID_REQUEST in
 * every entry that names it, as Kafka answers, rather than looked up once per entry.
 *
 * Version notes: v0 answers a list `OldStyleOffsets` of at most MaxNumOffsets offsets; here it
 * holds the single offset found. v2+ carry the isolation level. Kafka 4 no longer speaks v0; the
 * duplicate rule applies to it here as to the others.
 */
import { ListOffsets, type ListOffsetsRequest, type ListOffsetsResponse } from '../../protocol/apis/list-offsets.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { BrokerServices } from '../broker-services.js';
import { LEADER_EPOCH } from '../replica-manager.js';
import { handler } from '../server/handler.js';

export const listOffsetsHandler = (s: BrokerServices) =>
  handler(ListOffsets, {}, (req: ListOffsetsRequest, ctx): ListOffsetsResponse => {
    const duplicated = duplicatePartitions(req);
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => {
          if (duplicated.has(partitionKey(t.name, p.partitionIndex))) {
            return {
              partitionIndex: p.partitionIndex,
              errorCode: ErrorCode.INVALID_REQUEST,
              oldStyleOffsets: [],
              timestamp: -1n,
              offset: -1n,
              leaderEpoch: -1,
            };
          }
          const r = s.replicaManager.listOffset(t.name, p.partitionIndex, p.timestamp, req.isolationLevel);
          return {
            partitionIndex: p.partitionIndex,
            errorCode: r.errorCode,
            oldStyleOffsets: ctx.header.apiVersion === 0 && r.errorCode === 0 && p.maxNumOffsets > 0 ? [r.offset] : [],
            timestamp: r.timestamp,
            offset: r.offset,
            leaderEpoch: r.errorCode === 0 ? LEADER_EPOCH : -1,
          };
        }),
      })),
    };
  });

/** Unambiguous for any name and index a request can carry: an integer holds no ':'. */
const partitionKey = (topic: string, partition: number): string => `${partition}:${topic}`;

/** The partitions named more than once anywhere in the request. */
function duplicatePartitions(req: ListOffsetsRequest): Set<string> {
  const seen = new Set<string>();
  const duplicated = new Set<string>();
  for (const t of req.topics) {
    for (const p of t.partitions) {
      const key = partitionKey(t.name, p.partitionIndex);
      if (seen.has(key)) duplicated.add(key);
      seen.add(key);
    }
  }
  return duplicated;
}
