/**
 * Helpers for the transaction tests: what a read_committed reader sees (kcat, librdkafka), and each
 * partition's last stable offset next to its end, so a test can tell that no transaction is left
 * open.
 */
import { ListOffsets } from '../../src/protocol/apis/list-offsets.js';
import { kcatConsume } from './kcat.js';
import { RawKafka } from './raw-kafka.js';

/** Values of one partition as a read_committed reader (kcat -X isolation.level=read_committed) sees them. */
export async function readCommittedValues(bootstrap: string, topic: string, partition: number): Promise<string[]> {
  const records = await kcatConsume(bootstrap, topic, partition, { extra: ['-X', 'isolation.level=read_committed'] });
  return records.map((r) => r.payload ?? '');
}

/** Per partition: [last stable offset, log end offset]. */
export async function stableAndEndOffsets(bootstrap: string, topic: string, partitions: number): Promise<Array<[bigint, bigint]>> {
  const raw = await RawKafka.connect(bootstrap);
  try {
    const latest = async (isolationLevel: number) => {
      const res = await raw.send(ListOffsets, 7, {
        replicaId: -1,
        isolationLevel,
        timeoutMs: 10_000,
        topics: [
          {
            name: topic,
            partitions: Array.from({ length: partitions }, (_, p) => ({ partitionIndex: p, currentLeaderEpoch: -1, timestamp: -1n, maxNumOffsets: 1 })),
          },
        ],
      });
      return res.topics[0].partitions.sort((a, b) => a.partitionIndex - b.partitionIndex).map((p) => p.offset);
    };
    const stable = await latest(1);
    const end = await latest(0);
    return stable.map((s, i) => [s, end[i]]);
  } finally {
    raw.close();
  }
}

export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 30_000, pollMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
