/**
 * ListOffsets: v0-10.
 *
 * Behavior: per partition, the offset for a timestamp: -2 earliest (log start offset), -1 latest
 * (log end offset, or the last stable offset under read_committed), -3 the record with the largest
 * timestamp, and otherwise the first offset whose record timestamp is at or after the one asked
 * (offset -1 and timestamp -1 when there is none).
 *
 * Version notes: v0 answers a list `OldStyleOffsets` of at most MaxNumOffsets offsets; here it
 * holds the single offset found. v2+ carry the isolation level.
 */
import { ListOffsets, type ListOffsetsRequest, type ListOffsetsResponse } from '../../protocol/apis/list-offsets.js';
import type { BrokerServices } from '../broker-services.js';
import { LEADER_EPOCH } from '../replica-manager.js';
import { handler } from '../server/handler.js';

export const listOffsetsHandler = (s: BrokerServices) =>
  handler(ListOffsets, {}, (req: ListOffsetsRequest, ctx): ListOffsetsResponse => ({
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => {
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
  }));
