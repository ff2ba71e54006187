/**
 * DescribeProducers: v0.
 *
 * Behavior: for each partition asked about, the producers its log holds state for — epoch, last
 * sequence, last timestamp, coordinator epoch of the last marker, and the first offset of the open
 * transaction (-1 if none), which is how `kafka-transactions.sh find-hanging` spots a transaction
 * holding back the last stable offset (KIP-664). UNKNOWN_TOPIC_OR_PARTITION for a partition this
 * broker does not have.
 */
import { DescribeProducers, type DescribeProducersRequest, type DescribeProducersResponse } from '../../protocol/apis/describe-producers.js';
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import type { BrokerServices } from '../broker-services.js';
import { codeOf } from '../replica-manager.js';
import { handler } from '../server/handler.js';

export const describeProducersHandler = (s: BrokerServices) =>
  handler(DescribeProducers, {}, (req: DescribeProducersRequest): DescribeProducersResponse => ({
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitionIndexes.map((partitionIndex) => {
        try {
          const log = s.replicaManager.partitionLog(t.name, partitionIndex);
          const activeProducers = [...log.producerState.activeProducers.values()]
            .sort((a, b) => (a.producerId < b.producerId ? -1 : a.producerId > b.producerId ? 1 : 0))
            .map((e) => ({
              producerId: e.producerId,
              producerEpoch: e.producerEpoch,
              lastSequence: e.lastSeq,
              lastTimestamp: BigInt(e.lastTimestamp),
              coordinatorEpoch: e.coordinatorEpoch,
              currentTxnStartOffset: BigInt(e.currentTxnFirstOffset),
            }));
          return { partitionIndex, errorCode: ErrorCode.NONE, errorMessage: null, activeProducers };
        } catch (err) {
          return { partitionIndex, errorCode: codeOf(err), errorMessage: err instanceof KafkaError ? err.message : null, activeProducers: [] };
        }
      }),
    })),
  }));
