/**
 * The topic operations behind `skein topics`, as Kafka's TopicCommand.TopicService performs them,
 * over our own protocol client so that the broker's error messages reach the user unchanged and
 * topic ids can be shown. Every failure the broker reports is thrown as a KafkaError carrying the
 * broker's message.
 */
import { CreatePartitions } from '../protocol/apis/create-partitions.js';
import { CreateTopics } from '../protocol/apis/create-topics.js';
import { DeleteTopics } from '../protocol/apis/delete-topics.js';
import { DescribeConfigs } from '../protocol/apis/describe-configs.js';
import { Metadata, type MetadataResponseTopic } from '../protocol/apis/metadata.js';
import { ErrorCode, errorName, KafkaError } from '../protocol/errors.js';
import { ZERO_UUID } from '../protocol/reader.js';
import { CliError } from './cli-error.js';
import type { ProtocolClient } from './protocol-client.js';
import type { TopicDescription } from './topic-description.js';

/** DescribeConfigs resource type of a topic. */
const TOPIC_RESOURCE = 2;
/** DescribeConfigs v1+ config source of a topic's own override (DYNAMIC_TOPIC_CONFIG). */
const TOPIC_CONFIG_SOURCE = 1;
const TIMEOUT_MS = 30_000;

export interface NewTopic {
  name: string;
  /** Absent: the broker's num.partitions. */
  partitions?: number;
  /** Absent: the broker's default.replication.factor. */
  replicationFactor?: number;
  configs: ReadonlyMap<string, string>;
}

export interface TopicListing {
  name: string;
  internal: boolean;
}

export class TopicService {
  constructor(private readonly client: ProtocolClient) {}

  /** Every topic, sorted by name. */
  async listTopics(): Promise<TopicListing[]> {
    const version = this.client.versionFor(Metadata);
    const res = await this.client.send(
      Metadata,
      {
        // v0 has no null: an empty list means every topic there.
        topics: version === 0 ? [] : null,
        allowAutoTopicCreation: false,
        includeClusterAuthorizedOperations: false,
        includeTopicAuthorizedOperations: false,
      },
      version,
    );
    return res.topics
      .filter((t) => t.errorCode === ErrorCode.NONE && t.name !== null)
      .map((t) => ({ name: t.name as string, internal: t.isInternal }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async createTopic(topic: NewTopic): Promise<void> {
    const version = this.client.versionFor(CreateTopics);
    if (version < 4 && (topic.partitions === undefined || topic.replicationFactor === undefined)) {
      // Broker defaults (-1) arrived with CreateTopics v4 (KIP-464).
      throw new CliError('This broker needs both --partitions and --replication-factor (it has no CreateTopics v4 for broker defaults)');
    }
    const res = await this.client.send(
      CreateTopics,
      {
        topics: [
          {
            name: topic.name,
            numPartitions: topic.partitions ?? -1,
            replicationFactor: topic.replicationFactor ?? -1,
            assignments: [],
            configs: [...topic.configs].map(([name, value]) => ({ name, value })),
          },
        ],
        timeoutMs: TIMEOUT_MS,
        validateOnly: false,
      },
      version,
    );
    for (const r of res.topics) throwIfError(r.errorCode, r.errorMessage, r.name);
  }

  /** Descriptions of the named topics, in the order given. */
  async describeTopics(names: readonly string[]): Promise<TopicDescription[]> {
    if (names.length === 0) return [];
    const version = this.client.versionFor(Metadata);
    const metadata = await this.client.send(
      Metadata,
      {
        topics: names.map((name) => ({ topicId: ZERO_UUID, name })),
        allowAutoTopicCreation: false,
        includeClusterAuthorizedOperations: false,
        includeTopicAuthorizedOperations: false,
      },
      version,
    );
    const configs = await this.topicOverrides(names);
    const byName = new Map<string, MetadataResponseTopic>(metadata.topics.map((t) => [t.name ?? '', t]));
    return names.map((name) => {
      const t = byName.get(name);
      if (t === undefined) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${name}' does not exist.`);
      throwIfError(t.errorCode, null, name);
      return {
        name,
        topicId: t.topicId ?? ZERO_UUID,
        internal: t.isInternal,
        partitions: t.partitions.map((p) => ({ partition: p.partitionIndex, leader: p.leaderId, replicas: p.replicaNodes, isr: p.isrNodes })),
        configs: configs.get(name) ?? [],
      };
    });
  }

  /** Grows each named topic to `count` partitions. */
  async createPartitions(names: readonly string[], count: number): Promise<void> {
    if (names.length === 0) return;
    const res = await this.client.send(CreatePartitions, {
      topics: names.map((name) => ({ name, count, assignments: null })),
      timeoutMs: TIMEOUT_MS,
      validateOnly: false,
    });
    for (const r of res.results) throwIfError(r.errorCode, r.errorMessage, r.name);
  }

  async deleteTopics(names: readonly string[]): Promise<void> {
    if (names.length === 0) return;
    const res = await this.client.send(DeleteTopics, {
      topics: names.map((name) => ({ name, topicId: ZERO_UUID })),
      topicNames: [...names],
      timeoutMs: TIMEOUT_MS,
    });
    for (const r of res.responses) throwIfError(r.errorCode, r.errorMessage, r.name ?? r.topicId);
  }

  /** Each topic's own config overrides (not broker-wide or default values), sorted by name. */
  private async topicOverrides(names: readonly string[]): Promise<Map<string, Array<{ name: string; value: string | null }>>> {
    const version = this.client.versionFor(DescribeConfigs);
    const res = await this.client.send(
      DescribeConfigs,
      {
        resources: names.map((name) => ({ resourceType: TOPIC_RESOURCE, resourceName: name, configurationKeys: null })),
        includeSynonyms: false,
        includeDocumentation: false,
      },
      version,
    );
    const out = new Map<string, Array<{ name: string; value: string | null }>>();
    for (const r of res.results) {
      throwIfError(r.errorCode, r.errorMessage, r.resourceName);
      const overrides = r.configs
        .filter((c) => (version === 0 ? !c.isDefault : c.configSource === TOPIC_CONFIG_SOURCE))
        .map((c) => ({ name: c.name, value: c.value }))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      out.set(r.resourceName, overrides);
    }
    return out;
  }
}

/**
 * The topics a `--topic` argument selects, as Kafka's IncludeList does: the argument is a Java-style
 * regular expression matched against the whole name, `,` separates alternatives, and quotes around
 * it are dropped. A plain topic name matches itself ('.' matches any character, including '.').
 */
export function topicMatcher(pattern: string): (topic: string) => boolean {
  const source = pattern
    .trim()
    .replace(/^["']|["']$/g, '')
    .replace(/,/g, '|');
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${source})$`);
  } catch (err) {
    throw new CliError(`Invalid --topic pattern "${pattern}": ${(err as Error).message}`);
  }
  return (topic) => re.test(topic);
}

function throwIfError(code: number, message: string | null, topic: string): void {
  if (code === ErrorCode.NONE) return;
  throw new KafkaError(code, message !== null && message !== '' ? message : defaultMessage(code, topic));
}

/** For brokers (or versions) that answer with a code but no message. */
function defaultMessage(code: number, topic: string): string {
  switch (code) {
    case ErrorCode.TOPIC_ALREADY_EXISTS:
      return `Topic '${topic}' already exists.`;
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
      return `Topic '${topic}' does not exist.`;
    default:
      return `${errorName(code)} for topic '${topic}'`;
  }
}
