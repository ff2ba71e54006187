/**
 * ListOffsets naming the same partition twice in one request: Kafka answers INVALID_REQUEST for that
 * partition in every entry that names it (ListOffsetsRequest's duplicatePartitions), whether the
 * two entries sit under one topic or under the topic named twice; every other partition of the
 * request is answered as usual. Before, each entry got an answer of its own and a client keeping one
 * answer per partition took whichever came last.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ListOffsets, type ListOffsetsPartition } from '../../src/protocol/apis/list-offsets.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { useBrokerWithClients } from '../support/broker-with-clients.js';

const TOPIC = 'list-offsets-dup';
const OTHER = 'list-offsets-other';
const env = useBrokerWithClients();

const latest = (partitionIndex: number): ListOffsetsPartition => ({ partitionIndex, currentLeaderEpoch: -1, timestamp: -1n, maxNumOffsets: 1 });
const earliest = (partitionIndex: number): ListOffsetsPartition => ({ ...latest(partitionIndex), timestamp: -2n });

/** [partition, error code, offset] of every entry of the answer, in request order. */
async function listOffsets(
  version: number,
  topics: Array<{ name: string; partitions: ListOffsetsPartition[] }>,
): Promise<Array<[string, number, number, number]>> {
  const res = await env.raw.send(ListOffsets, version, { replicaId: -1, isolationLevel: 0, timeoutMs: 10_000, topics });
  return res.topics.flatMap((t) => t.partitions.map((p): [string, number, number, number] => [t.name, p.partitionIndex, p.errorCode, Number(p.offset)]));
}

beforeAll(async () => {
  await env.admin.createTopics({
    topics: [
      { topic: TOPIC, numPartitions: 2 },
      { topic: OTHER, numPartitions: 1 },
    ],
  });
  await env.producer.send({
    topic: TOPIC,
    acks: -1,
    messages: [
      { partition: 0, value: 'a' },
      { partition: 0, value: 'b' },
      { partition: 1, value: 'c' },
    ],
  });
});

describe('ListOffsets with a partition named twice', () => {
  it.each([1, 4, 7, ListOffsets.versions.hi])('v%i: INVALID_REQUEST for both entries of the partition, the others answered', async (version) => {
    const answer = await listOffsets(version, [
      { name: TOPIC, partitions: [latest(0), latest(1), earliest(0)] },
      { name: OTHER, partitions: [latest(0)] },
    ]);
    expect(answer).toEqual([
      [TOPIC, 0, ErrorCode.INVALID_REQUEST, -1],
      [TOPIC, 1, ErrorCode.NONE, 1],
      [TOPIC, 0, ErrorCode.INVALID_REQUEST, -1],
      [OTHER, 0, ErrorCode.NONE, 0],
    ]);
  });

  it('counts the topic named in two entries as one topic', async () => {
    const answer = await listOffsets(7, [
      { name: TOPIC, partitions: [latest(1), latest(0)] },
      { name: TOPIC, partitions: [earliest(1)] },
    ]);
    expect(answer).toEqual([
      [TOPIC, 1, ErrorCode.INVALID_REQUEST, -1],
      [TOPIC, 0, ErrorCode.NONE, 2],
      [TOPIC, 1, ErrorCode.INVALID_REQUEST, -1],
    ]);
  });

  it('v0 (the old shape) gets the same answer, with no offsets listed', async () => {
    const res = await env.raw.send(ListOffsets, 0, {
      replicaId: -1,
      isolationLevel: 0,
      timeoutMs: 10_000,
      topics: [{ name: TOPIC, partitions: [latest(0), latest(0), latest(1)] }],
    });
    expect(res.topics[0].partitions.map((p) => [p.partitionIndex, p.errorCode, p.oldStyleOffsets.map(Number)])).toEqual([
      [0, ErrorCode.INVALID_REQUEST, []],
      [0, ErrorCode.INVALID_REQUEST, []],
      [1, ErrorCode.NONE, [1]],
    ]);
  });

  it('a partition of an unknown topic named twice is INVALID_REQUEST too, as Kafka checks duplicates first', async () => {
    const answer = await listOffsets(7, [{ name: 'no-such-topic', partitions: [latest(0), latest(0), latest(1)] }]);
    expect(answer).toEqual([
      ['no-such-topic', 0, ErrorCode.INVALID_REQUEST, -1],
      ['no-such-topic', 0, ErrorCode.INVALID_REQUEST, -1],
      ['no-such-topic', 1, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1],
    ]);
  });
});
