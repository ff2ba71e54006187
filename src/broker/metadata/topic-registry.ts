/**
 * The broker's topic metadata: name, topic id, partition count and config overrides of every topic.
 *
 * Kafka keeps this in its controller's metadata log; a single-node broker keeps it in one JSON file,
 * `topics.json` in the first log directory, replaced atomically (write a temporary file, fsync,
 * rename, fsync the directory) on every change, so a crash leaves either the old or the new file.
 * Partition data lives in the log directories; this registry is the source of truth for which
 * topics exist.
 */
import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, KafkaError } from '../../protocol/errors.js';

export interface TopicMetadata {
  name: string;
  /** Kafka topic id (UUID), assigned once at creation. */
  id: string;
  partitions: number;
  /** Topic-level config overrides, by Kafka's topic config names. */
  configs: Record<string, string>;
  internal: boolean;
}

interface FileFormat {
  version: 1;
  topics: TopicMetadata[];
}

const LEGAL = /^[a-zA-Z0-9._-]+$/;
const MAX_NAME_LENGTH = 249;

/** Kafka's topic name rules; throws INVALID_TOPIC_EXCEPTION with the reason. */
export function validateTopicName(name: string): void {
  const bad = (why: string): never => {
    throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, `Topic name "${name}" is illegal, ${why}`);
  };
  if (name.length === 0) bad('it is empty');
  if (name === '.' || name === '..') bad('it cannot be "." or ".."');
  if (name.length > MAX_NAME_LENGTH) bad(`it is longer than ${MAX_NAME_LENGTH} characters`);
  if (!LEGAL.test(name)) bad("it contains a character other than ASCII alphanumerics, '.', '_' and '-'");
}

/** '.' and '_' collide in metric names, so Kafka refuses a topic differing only in them. */
const collisionKey = (name: string): string => name.replace(/\./g, '_');

export class TopicRegistry {
  private readonly byName = new Map<string, TopicMetadata>();
  private readonly byId = new Map<string, TopicMetadata>();
  private readonly file: string;

  private constructor(private readonly dir: string) {
    this.file = join(dir, 'topics.json');
  }

  static open(dir: string): TopicRegistry {
    mkdirSync(dir, { recursive: true });
    const reg = new TopicRegistry(dir);
    if (existsSync(reg.file)) {
      const data = JSON.parse(readFileSync(reg.file, 'utf8')) as FileFormat;
      for (const t of data.topics) reg.index(t);
    }
    return reg;
  }

  get(name: string): TopicMetadata | undefined {
    return this.byName.get(name);
  }

  getById(id: string): TopicMetadata | undefined {
    return this.byId.get(id);
  }

  list(): TopicMetadata[] {
    return [...this.byName.values()];
  }

  /** Checks a new topic without creating it (CreateTopics validateOnly runs exactly this). */
  checkCreate(name: string): void {
    validateTopicName(name);
    if (this.byName.has(name)) throw new KafkaError(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${name}' already exists.`);
    const key = collisionKey(name);
    for (const other of this.byName.keys()) {
      if (collisionKey(other) === key) {
        throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, `Topic '${name}' collides with existing topic: ${other}`);
      }
    }
  }

  create(name: string, partitions: number, configs: Record<string, string>, internal = false): TopicMetadata {
    this.checkCreate(name);
    const topic: TopicMetadata = { name, id: randomUUID(), partitions, configs: { ...configs }, internal };
    this.index(topic);
    this.persist();
    return topic;
  }

  delete(name: string): TopicMetadata {
    const topic = this.require(name);
    this.byName.delete(name);
    this.byId.delete(topic.id);
    this.persist();
    return topic;
  }

  setPartitionCount(name: string, partitions: number): TopicMetadata {
    const topic = this.require(name);
    topic.partitions = partitions;
    this.persist();
    return topic;
  }

  setConfigs(name: string, configs: Record<string, string>): TopicMetadata {
    const topic = this.require(name);
    topic.configs = { ...configs };
    this.persist();
    return topic;
  }

  require(name: string): TopicMetadata {
    const topic = this.byName.get(name);
    if (!topic) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${name}' does not exist.`);
    return topic;
  }

  private index(t: TopicMetadata): void {
    this.byName.set(t.name, t);
    this.byId.set(t.id, t);
  }

  private persist(): void {
    const data: FileFormat = { version: 1, topics: this.list() };
    const tmp = `${this.file}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, JSON.stringify(data, null, 2));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
    const dirFd = openSync(this.dir, 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  }
}
