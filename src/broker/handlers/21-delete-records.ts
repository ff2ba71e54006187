/**
 * DeleteRecords: v0-2.
 *
 * Behavior: moves a partition's log start offset forward to the given offset (-1 means the high
 * watermark); segments wholly below it are deleted. Returns the new low watermark.
 * OFFSET_OUT_OF_RANGE for an offset past the high watermark.
 */
import { DeleteRecords, type DeleteRecordsRequest, type DeleteRecordsResponse } from '../../protocol/apis/delete-records.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { BrokerServices } from '../broker-services.js';
import { codeOf } from '../replica-manager.js';
import { handler } from '../server/handler.js';

export const deleteRecordsHandler = (s: BrokerServices) =>
  handler(DeleteRecords, {}, (req: DeleteRecordsRequest): DeleteRecordsResponse => ({
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => {
        try {
          const log = s.replicaManager.partitionLog(t.name, p.partitionIndex);
          const lowWatermark = log.deleteRecordsBefore(p.offset === -1n ? log.highWatermark : Number(p.offset));
          return { partitionIndex: p.partitionIndex, lowWatermark: BigInt(lowWatermark), errorCode: ErrorCode.NONE };
        } catch (err) {
          return { partitionIndex: p.partitionIndex, lowWatermark: -1n, errorCode: codeOf(err) };
        }
      }),
    })),
  }));
