/**
 * Test support for producer state, used only by `*.test.ts` files: batches as an idempotent or
 * transactional producer sends them, and transaction markers as the coordinator writes them.
 */
import { encodeControlBatch } from '../../protocol/control-record.js';
import { encodeRecordBatch } from '../../protocol/record-batch.js';

export const T0 = 1_700_000_000_000;

export interface ProducerBatchOptions {
  producerId: bigint;
  epoch?: number;
  /** Base sequence; default 0. */
  seq?: number;
  /** Records in the batch (default 1); their values are `<prefix>-<i>`. */
  count?: number;
  transactional?: boolean;
  prefix?: string;
  timestamp?: number;
}

/** A batch with base offset 0, as a producer sends it. */
export function producerBatch(o: ProducerBatchOptions): Buffer {
  const count = o.count ?? 1;
  const ts = BigInt(o.timestamp ?? T0);
  return encodeRecordBatch({
    records: Array.from({ length: count }, (_, i) => ({ key: null, value: Buffer.from(`${o.prefix ?? `p${o.producerId}`}-${(o.seq ?? 0) + i}`) })),
    producerId: o.producerId,
    producerEpoch: o.epoch ?? 0,
    baseSequence: o.seq ?? 0,
    transactional: o.transactional ?? false,
    timestamp: ts,
  });
}

/** A COMMIT or ABORT marker batch. */
export function markerBatch(producerId: bigint, commit: boolean, opts: { epoch?: number; coordinatorEpoch?: number; timestamp?: number } = {}): Buffer {
  return encodeControlBatch({
    producerId,
    producerEpoch: opts.epoch ?? 0,
    commit,
    coordinatorEpoch: opts.coordinatorEpoch ?? 0,
    timestamp: BigInt(opts.timestamp ?? T0),
    baseOffset: 0n,
  });
}
