/**
 * Topic administration as kafkajs's admin client sees it — creating (with configs, validateOnly,
 * and each way to get it wrong), growing partitions, describing and altering configs, deleting
 * topics and records — and the Fetch long poll: an empty fetch waits max.wait.ms and no longer, and
 * an append wakes it at once (checked with our own codec over a socket and with kcat).
 */
import { ConfigResourceTypes, type Admin } from 'kafkajs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Metadata } from '../../src/protocol/apis/metadata.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { useBrokerWithClients } from '../support/broker-with-clients.js';
import { hasKcat, KCAT, kcatMissing } from '../support/kcat.js';
import { run } from '../support/run.js';

/** kafkajs's ConfigSource numbers, as in Kafka's DescribeConfigs. */
const TOPIC_CONFIG = 1;
const DEFAULT_CONFIG = 5;

const env = useBrokerWithClients();

/** The error types of a rejected createTopics (kafkajs wraps them in a KafkaJSAggregateError). */
async function createTopicErrors(topic: Parameters<Admin['createTopics']>[0]['topics'][number], validateOnly = false): Promise<string[]> {
  try {
    await env.admin.createTopics({ topics: [topic], validateOnly, waitForLeaders: false });
  } catch (err) {
    return ((err as { errors?: Array<{ type: string }> }).errors ?? [err as { type: string }]).map((e) => e.type);
  }
  return [];
}

/** Metadata v12 for one topic without auto-creation: its error code, or its partition count. */
async function rawMetadata(topic: string): Promise<{ errorCode: number; partitions: number }> {
  const res = await env.raw.send(Metadata, 12, {
    topics: [{ topicId: '00000000-0000-0000-0000-000000000000', name: topic }],
    allowAutoTopicCreation: false,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: false,
  });
  return { errorCode: res.topics[0].errorCode, partitions: res.topics[0].partitions.length };
}

async function topicConfigs(topic: string, names: string[]): Promise<Map<string, { value: string; source: number }>> {
  const res = await env.admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: names }], includeSynonyms: false });
  return new Map(
    res.resources[0].configEntries.map((e) => [e.configName, { value: e.configValue, source: (e as unknown as { configSource: number }).configSource }]),
  );
}

describe('createTopics', () => {
  it('validateOnly checks a topic and its configs but creates nothing', async () => {
    const configEntries = [{ name: 'retention.ms', value: '3600000' }];
    expect(
      await env.admin.createTopics({ topics: [{ topic: 'validated-only', numPartitions: 2, configEntries }], validateOnly: true, waitForLeaders: false }),
    ).toBe(true);
    expect(await rawMetadata('validated-only')).toEqual({ errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, partitions: 0 });
    expect(await env.admin.listTopics()).not.toContain('validated-only');
    // validateOnly still refuses what a real creation would refuse
    expect(await createTopicErrors({ topic: 'validated-only', configEntries: [{ name: 'retention.ms', value: 'soon' }] }, true)).toEqual(['INVALID_CONFIG']);
  });

  it('creates a topic with configs; its overrides are described with source TOPIC_CONFIG, the rest as defaults', async () => {
    const configEntries = [
      { name: 'retention.ms', value: '3600000' },
      { name: 'cleanup.policy', value: 'compact' },
    ];
    expect(await env.admin.createTopics({ topics: [{ topic: 'configured', numPartitions: 4, configEntries }] })).toBe(true);
    expect(await rawMetadata('configured')).toEqual({ errorCode: ErrorCode.NONE, partitions: 4 });
    const configs = await topicConfigs('configured', ['retention.ms', 'cleanup.policy', 'segment.bytes']);
    expect(configs.get('retention.ms')).toEqual({ value: '3600000', source: TOPIC_CONFIG });
    expect(configs.get('cleanup.policy')).toEqual({ value: 'compact', source: TOPIC_CONFIG });
    expect(configs.get('segment.bytes')).toEqual({ value: '1073741824', source: DEFAULT_CONFIG });
  });

  it('a second creation of the same topic is TOPIC_ALREADY_EXISTS (kafkajs answers false)', async () => {
    expect(await env.admin.createTopics({ topics: [{ topic: 'twice', numPartitions: 1 }] })).toBe(true);
    expect(await env.admin.createTopics({ topics: [{ topic: 'twice', numPartitions: 3 }] })).toBe(false);
    expect(await rawMetadata('twice')).toEqual({ errorCode: ErrorCode.NONE, partitions: 1 });
  });

  it.each([
    ['replication factor 3 on one broker', 'INVALID_REPLICATION_FACTOR', { topic: 'rf-three', replicationFactor: 3 }],
    ['a name with illegal characters', 'INVALID_TOPIC_EXCEPTION', { topic: 'no spaces!' }],
    ['the name ".."', 'INVALID_TOPIC_EXCEPTION', { topic: '..' }],
    ['a name of 250 characters', 'INVALID_TOPIC_EXCEPTION', { topic: 'n'.repeat(250) }],
    ['an unknown config', 'INVALID_CONFIG', { topic: 'unknown-config', configEntries: [{ name: 'no.such.config', value: '1' }] }],
    ['a config value of the wrong type', 'INVALID_CONFIG', { topic: 'bad-value', configEntries: [{ name: 'retention.ms', value: 'abc' }] }],
    ['zero partitions', 'INVALID_PARTITIONS', { topic: 'zero-partitions', numPartitions: 0 }],
  ])('%s is refused with %s, and nothing is created', async (_, type, topic) => {
    expect(await createTopicErrors(topic)).toEqual([type]);
    expect(await env.admin.listTopics()).not.toContain(topic.topic);
  });
});

describe('createPartitions', () => {
  it('grows a topic, which producers can use at once; a decrease or the same count is INVALID_PARTITIONS', async () => {
    await env.admin.createTopics({ topics: [{ topic: 'growing', numPartitions: 2 }] });
    await env.admin.createPartitions({ topicPartitions: [{ topic: 'growing', count: 5 }] });
    expect(await rawMetadata('growing')).toEqual({ errorCode: ErrorCode.NONE, partitions: 5 });
    const [ack] = await env.producer.send({ topic: 'growing', acks: -1, messages: [{ value: 'in the new partition', partition: 4 }] });
    expect([ack.partition, ack.errorCode, ack.baseOffset]).toEqual([4, 0, '0']);

    for (const count of [3, 5]) {
      await expect(env.admin.createPartitions({ topicPartitions: [{ topic: 'growing', count }] })).rejects.toMatchObject({ type: 'INVALID_PARTITIONS' });
    }
    expect(await rawMetadata('growing')).toEqual({ errorCode: ErrorCode.NONE, partitions: 5 });
  });
});

describe('configs', () => {
  it("alterConfigs replaces a topic's overrides; describeConfigs shows the new values and sources", async () => {
    await env.admin.createTopics({ topics: [{ topic: 'altered', configEntries: [{ name: 'retention.ms', value: '1000000' }] }] });
    await env.admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: 'altered', configEntries: [{ name: 'max.message.bytes', value: '2048' }] }],
    });
    const configs = await topicConfigs('altered', ['retention.ms', 'max.message.bytes']);
    expect(configs.get('max.message.bytes')).toEqual({ value: '2048', source: TOPIC_CONFIG });
    // AlterConfigs (not incremental) replaces the whole set: retention.ms is back to the default
    expect(configs.get('retention.ms')).toEqual({ value: '604800000', source: DEFAULT_CONFIG });

    // ... and the log uses the new value at once: a batch over 2048 bytes is refused
    await expect(env.producer.send({ topic: 'altered', acks: -1, messages: [{ value: 'x'.repeat(4096) }] })).rejects.toMatchObject({
      type: 'MESSAGE_TOO_LARGE',
    });

    await expect(
      env.admin.alterConfigs({
        validateOnly: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: 'altered', configEntries: [{ name: 'no.such.config', value: '1' }] }],
      }),
    ).rejects.toMatchObject({ type: 'INVALID_CONFIG' });
  });
});

describe('deleteTopics', () => {
  it('deletes a topic: Metadata says UNKNOWN_TOPIC_OR_PARTITION, its directory goes, the name can be reused', async () => {
    await env.admin.createTopics({ topics: [{ topic: 'doomed', numPartitions: 2 }] });
    await env.producer.send({ topic: 'doomed', acks: -1, messages: [{ key: 'a', value: 'old' }] });
    await env.admin.deleteTopics({ topics: ['doomed'] });
    expect(await rawMetadata('doomed')).toEqual({ errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, partitions: 0 });
    expect(await env.admin.listTopics()).not.toContain('doomed');
    const p0 = await env.raw.fetchPartition('doomed', 0, 0n);
    expect(p0.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);

    // a new topic of the same name starts empty
    await env.admin.createTopics({ topics: [{ topic: 'doomed', numPartitions: 1 }] });
    const offsets = await env.admin.fetchTopicOffsets('doomed');
    expect(offsets.map(({ partition, low, high }) => ({ partition, low, high }))).toEqual([{ partition: 0, low: '0', high: '0' }]);
  });
});

describe('deleteTopicRecords', () => {
  it('moves the low watermark; fetching below it is OFFSET_OUT_OF_RANGE, the rest reads intact', async () => {
    await env.admin.createTopics({ topics: [{ topic: 'trimmed', numPartitions: 1 }] });
    for (let s = 0; s < 4; s++) {
      await env.producer.send({ topic: 'trimmed', acks: -1, messages: Array.from({ length: 5 }, (_, i) => ({ value: `r${s * 5 + i}` })) });
    }
    // kafkajs looks the leader up in its cached metadata before loading the topic's: load it first
    await env.admin.fetchTopicMetadata({ topics: ['trimmed'] });
    // offset 7 is inside the second batch (5-9)
    await env.admin.deleteTopicRecords({ topic: 'trimmed', partitions: [{ partition: 0, offset: '7' }] });
    const [p] = await env.admin.fetchTopicOffsets('trimmed');
    expect([p.low, p.high]).toEqual(['7', '20']);
    expect((await env.raw.fetchPartition('trimmed', 0, 6n)).errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    const rest = await env.raw.readAll('trimmed', 0, 7);
    expect(rest.map((r) => [r.offset, r.value])).toEqual(Array.from({ length: 13 }, (_, i) => [7 + i, `r${7 + i}`]));

    // -1 means "up to the high watermark"
    await env.admin.deleteTopicRecords({ topic: 'trimmed', partitions: [{ partition: 0, offset: '-1' }] });
    const [after] = await env.admin.fetchTopicOffsets('trimmed');
    expect([after.low, after.high]).toEqual(['20', '20']);
  });
});

describe('Fetch long poll', () => {
  const topic = 'long-poll';

  beforeAll(async () => {
    await env.admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    await env.producer.send({ topic, acks: -1, messages: [{ value: 'first' }] });
  });

  const produceAfter = (ms: number, value: string): Promise<void> =>
    new Promise((resolve, reject) => setTimeout(() => env.producer.send({ topic, acks: -1, messages: [{ value }] }).then(() => resolve(), reject), ms));

  it('with nothing to return, waits max.wait.ms, then answers empty', async () => {
    const end = BigInt((await env.admin.fetchTopicOffsets(topic))[0].high);
    const started = Date.now();
    const p = await env.raw.fetchPartition(topic, 0, end, { maxWaitMs: 1_000, minBytes: 1 });
    const took = Date.now() - started;
    expect(p.errorCode).toBe(ErrorCode.NONE);
    expect(p.records === null || (Buffer.isBuffer(p.records) ? p.records.length : p.records.length) === 0).toBe(true);
    expect(took).toBeGreaterThanOrEqual(980);
    expect(took).toBeLessThan(2_500);
  });

  it('answers as soon as an append brings enough bytes, long before max.wait.ms', async () => {
    const end = BigInt((await env.admin.fetchTopicOffsets(topic))[0].high);
    const started = Date.now();
    const [p] = await Promise.all([env.raw.fetchPartition(topic, 0, end, { maxWaitMs: 10_000, minBytes: 1 }), produceAfter(300, 'wake up')]);
    const took = Date.now() - started;
    expect(p.errorCode).toBe(ErrorCode.NONE);
    expect(took).toBeGreaterThanOrEqual(250);
    expect(took).toBeLessThan(2_000);
    expect((await env.raw.readAll(topic, 0, Number(end))).map((r) => r.value)).toEqual(['wake up']);
  });

  it('with fewer than min.bytes appended, still waits for max.wait.ms and returns what there is', async () => {
    const end = BigInt((await env.admin.fetchTopicOffsets(topic))[0].high);
    const started = Date.now();
    const [p] = await Promise.all([env.raw.fetchPartition(topic, 0, end, { maxWaitMs: 1_500, minBytes: 100_000 }), produceAfter(200, 'small')]);
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(1_450);
    expect(took).toBeLessThan(3_000);
    expect(p.highWatermark).toBe(end + 1n);
    expect(p.records === null ? 0 : Buffer.concat(Array.isArray(p.records) ? p.records : [p.records]).length).toBeGreaterThan(0);
  });

  it.skipIf(!hasKcat)(
    `a kcat consumer waiting in a long poll gets a record as soon as it is produced${hasKcat ? '' : ` (skipped: ${kcatMissing})`}`,
    async () => {
      const end = Number((await env.admin.fetchTopicOffsets(topic))[0].high);
      // fetch.wait.max.ms 8 s: were appends not waking the fetch, kcat would see the record only then.
      const kcat = run(
        KCAT,
        [
          '-C',
          '-b',
          env.broker.bootstrap,
          '-t',
          topic,
          '-p',
          '0',
          '-o',
          String(end),
          '-c',
          '1',
          '-q',
          '-f',
          '%o:%s\\n',
          '-X',
          'fetch.wait.max.ms=8000',
          '-X',
          'socket.timeout.ms=20000',
        ],
        { timeoutMs: 30_000 },
      );
      await new Promise((r) => setTimeout(r, 1_500)); // kcat connects and parks its first fetch
      const producedAt = Date.now();
      await env.producer.send({ topic, acks: -1, messages: [{ value: 'for kcat' }] });
      const { stdout } = await kcat;
      expect(stdout).toBe(`${end}:for kcat\n`);
      expect(Date.now() - producedAt).toBeLessThan(3_000);
    },
  );
});
