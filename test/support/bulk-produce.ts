/**
 * Writes many records fast: RecordBatch v2 built by our own codec, 10,000 records per partition per
 * Produce request, several requests in flight on one connection — an order of magnitude faster than
 * kafkajs for the 10⁶ records the recovery tests need. Keys are partitioned as kafkajs and the streams
 * runtime partition them (murmur2), so later writes of a key through kafkajs land in the same partition.
 */
import { Produce } from '../../src/protocol/apis/produce.js';
import { ErrorCode, errorName } from '../../src/protocol/errors.js';
import { ZERO_UUID } from '../../src/protocol/reader.js';
import { encodeRecordBatch } from '../../src/protocol/record-batch.js';
import { partitionForKey } from '../../src/streams/runtime/partitioner.js';
import { RawKafka } from './raw-kafka.js';

export interface KeyValue {
  readonly key: string;
  readonly value: string;
}

/** Appends `records` to `topic` (acks=all); per key, in the order given. Returns how many went to each partition. */
export async function produceBulk(bootstrap: string, topic: string, partitions: number, records: Iterable<KeyValue>, batchRecords = 10_000): Promise<number[]> {
  const client = await RawKafka.connect(bootstrap);
  const counts = new Array<number>(partitions).fill(0);
  const pending: { key: Buffer; value: Buffer }[][] = Array.from({ length: partitions }, () => []);
  const inFlight: Promise<void>[] = [];
  const flush = async (p: number): Promise<void> => {
    const batch = pending[p];
    pending[p] = [];
    if (batch.length === 0) return;
    const res = await client.send(
      Produce,
      7,
      {
        transactionalId: null,
        acks: -1,
        timeoutMs: 30_000,
        topicData: [
          { name: topic, topicId: ZERO_UUID, partitionData: [{ index: p, records: encodeRecordBatch({ records: batch, timestamp: BigInt(Date.now()) }) }] },
        ],
      },
      60_000,
    );
    const code = res.responses[0].partitionResponses[0].errorCode;
    if (code !== ErrorCode.NONE) throw new Error(`producing to ${topic}-${p}: ${errorName(code)}`);
  };
  try {
    for (const r of records) {
      const key = Buffer.from(r.key);
      const p = partitionForKey(key, partitions);
      pending[p].push({ key, value: Buffer.from(r.value) });
      counts[p]++;
      if (pending[p].length >= batchRecords) {
        // Requests on one connection are answered in order, so a partition's batches stay in order.
        inFlight.push(flush(p));
        if (inFlight.length >= 8) await inFlight.shift();
      }
    }
    for (let p = 0; p < partitions; p++) inFlight.push(flush(p));
    await Promise.all(inFlight);
  } finally {
    client.close();
  }
  return counts;
}
