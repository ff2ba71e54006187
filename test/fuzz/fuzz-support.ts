/**
 * What the fuzz tests share: a broker with a recording logger, well-formed requests for setting up
 * and checking state (create a topic, produce, read a partition back whole), and the "is the broker
 * still healthy" check run after every piece of bad input.
 */
import { expect } from 'vitest';
import { ApiVersions, type ApiVersionsResponse } from '../../src/protocol/apis/api-versions.js';
import { CreateTopics } from '../../src/protocol/apis/create-topics.js';
import { Fetch, type FetchPartitionData } from '../../src/protocol/apis/fetch.js';
import { ListOffsets } from '../../src/protocol/apis/list-offsets.js';
import { Metadata } from '../../src/protocol/apis/metadata.js';
import { Produce, type PartitionProduceResponse } from '../../src/protocol/apis/produce.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { ZERO_UUID } from '../../src/protocol/reader.js';
import { encodeRecordBatch } from '../../src/protocol/record-batch.js';
import { removeDir, startBroker, type TestBroker } from '../support/broker.js';
import { RawClient } from '../support/raw-client.js';
import { type RecordingLogger, recordingLogger } from '../support/recording-logger.js';

export interface FuzzBroker extends TestBroker {
  port: number;
  logger: RecordingLogger;
  /** Stops the broker and removes its data. */
  dispose(): Promise<void>;
}

export async function startFuzzBroker(overrides: Record<string, string> = {}, logDir?: string): Promise<FuzzBroker> {
  const logger = recordingLogger();
  const b = await startBroker(overrides, { logger, logDir });
  return {
    ...b,
    port: b.broker.port,
    logger,
    dispose: async () => {
      await b.stop();
      removeDir(b.logDir);
    },
  };
}

export async function createTopic(c: RawClient, name: string, partitions = 1, configs: Record<string, string> = {}): Promise<string> {
  const res = await c.request(CreateTopics, 7, {
    topics: [
      {
        name,
        numPartitions: partitions,
        replicationFactor: 1,
        assignments: [],
        configs: Object.entries(configs).map(([k, v]) => ({ name: k, value: v })),
      },
    ],
    timeoutMs: 5000,
    validateOnly: false,
  });
  expect(res.topics[0].errorCode, res.topics[0].errorMessage ?? '').toBe(ErrorCode.NONE);
  return res.topics[0].topicId;
}

/** A batch of string values, keyed `k<i>` unless `keyless`, built the way a producer builds it. */
export function batchOf(values: string[], opts: { keyless?: boolean; timestamp?: bigint } = {}): Buffer {
  return encodeRecordBatch({
    records: values.map((v, i) => ({ key: opts.keyless ? null : Buffer.from(`k${i}`), value: Buffer.from(v) })),
    timestamp: opts.timestamp ?? 1_700_000_000_000n,
  });
}

/** One partition's answer to a Produce carrying `records` (any bytes) to topic/partition. */
export async function producePartition(
  c: RawClient,
  opts: { version?: number; topic: string; topicId?: string; partition: number; records: Buffer | null; acks?: number },
): Promise<PartitionProduceResponse> {
  const version = opts.version ?? 9;
  const res = await c.request(Produce, version, {
    transactionalId: null,
    acks: opts.acks ?? -1,
    timeoutMs: 5000,
    topicData: [{ name: opts.topic, topicId: opts.topicId ?? ZERO_UUID, partitionData: [{ index: opts.partition, records: opts.records }] }],
  });
  expect(res.responses).toHaveLength(1);
  expect(res.responses[0].partitionResponses).toHaveLength(1);
  return res.responses[0].partitionResponses[0];
}

/** Reads a partition from `offset`; by default with generous limits: everything, as stored. */
export async function fetchPartition(
  c: RawClient,
  topic: string,
  partition: number,
  offset = 0n,
  version = 11,
  maxBytes = 64 * 1024 * 1024,
): Promise<FetchPartitionData> {
  const res = await c.request(Fetch, version, {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topic,
        topicId: ZERO_UUID,
        partitions: [{ partition, currentLeaderEpoch: -1, fetchOffset: offset, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: maxBytes }],
      },
    ],
    forgottenTopicsData: [],
    rackId: '',
  });
  const p = res.responses.find((t) => t.topic === topic)?.partitions.find((x) => x.partitionIndex === partition);
  if (!p) throw new Error(`no fetch answer for ${topic}-${partition}`);
  return p;
}

/** The bytes stored in a partition (every batch, as Fetch serves them) and its log end offset. */
export async function snapshotPartition(c: RawClient, topic: string, partition: number): Promise<{ bytes: Buffer; logEndOffset: bigint }> {
  const p = await fetchPartition(c, topic, partition);
  expect(p.errorCode).toBe(ErrorCode.NONE);
  const records = p.records;
  const bytes = records === null ? Buffer.alloc(0) : Buffer.isBuffer(records) ? records : Buffer.concat(records);
  return { bytes: Buffer.from(bytes), logEndOffset: p.highWatermark };
}

export async function logEndOffset(c: RawClient, topic: string, partition: number): Promise<bigint> {
  const res = await c.request(ListOffsets, 7, {
    replicaId: -1,
    isolationLevel: 0,
    timeoutMs: 5000,
    topics: [{ name: topic, partitions: [{ partitionIndex: partition, currentLeaderEpoch: -1, timestamp: -1n, maxNumOffsets: 1 }] }],
  });
  const p = res.topics[0].partitions[0];
  expect(p.errorCode).toBe(ErrorCode.NONE);
  return p.offset;
}

export async function apiVersions(c: RawClient, version = 3): Promise<ApiVersionsResponse> {
  return c.request(ApiVersions, version, { clientSoftwareName: 'skein-fuzz', clientSoftwareVersion: '0' });
}

export interface Expectation {
  topic: string;
  partition: number;
  bytes: Buffer;
  logEndOffset: bigint;
}

/**
 * A fresh connection gets correct answers (ApiVersions, Metadata) and every partition in
 * `unchanged` reads back byte for byte as before, with the same log end offset. Returns the
 * supported API list, for callers that want to compare it.
 */
export async function expectHealthy(port: number, unchanged: Expectation[] = [], via?: RawClient): Promise<ApiVersionsResponse> {
  const c = via ?? (await RawClient.connect(port));
  try {
    const versions = await apiVersions(c);
    expect(versions.errorCode).toBe(ErrorCode.NONE);
    expect(versions.apiKeys.map((k) => k.apiKey)).toContain(ApiVersions.key);
    const md = await c.request(Metadata, 12, {
      topics: null,
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
    expect(md.brokers).toHaveLength(1);
    expect(md.brokers[0].port).toBe(port);
    for (const u of unchanged) {
      const t = md.topics.find((x) => x.name === u.topic);
      expect(t?.errorCode, `topic ${u.topic} in Metadata`).toBe(ErrorCode.NONE);
      const now = await snapshotPartition(c, u.topic, u.partition);
      expect(now.logEndOffset, `${u.topic}-${u.partition} log end offset`).toBe(u.logEndOffset);
      expect(now.bytes.equals(u.bytes), `${u.topic}-${u.partition} reads back byte-identical`).toBe(true);
    }
    return versions;
  } finally {
    if (!via) c.destroy();
  }
}

/** The broker logged no ERROR line: in this broker an error always means a bug, never bad input. */
export function expectNoErrorsLogged(logger: RecordingLogger, context = ''): void {
  expect(logger.errors(), `broker logged errors${context ? ` (${context})` : ''}`).toEqual([]);
}
