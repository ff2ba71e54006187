/**
 * TopicManager: creates, deletes, grows and reconfigures topics — the registry entry and the
 * partition logs together — applying Kafka's checks and error codes. Admin handlers and Metadata's
 * auto-creation go through here.
 *
 * On a single node every replica is this broker: a replication factor above 1 is
 * INVALID_REPLICATION_FACTOR, as Kafka answers when there are fewer brokers than asked for.
 */
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import type { BrokerConfig } from '../config/broker-config.js';
import { effectiveLogConfig, validateTopicConfigs } from '../config/topic-config.js';
import type { LogManager } from '../log/log-manager.js';
import type { Logger } from '../logger.js';
import type { TopicMetadata, TopicRegistry } from './topic-registry.js';

export interface NewTopic {
  name: string;
  /** -1 for the broker default (num.partitions). */
  numPartitions: number;
  /** -1 for the broker default (default.replication.factor). */
  replicationFactor: number;
  /** Manual assignment: partition index → broker ids. */
  assignments: Array<{ partitionIndex: number; brokerIds: number[] }>;
  configs: Record<string, string | null>;
}

export type ConfigOp = 'set' | 'delete' | 'append' | 'subtract';

/**
 * The most partitions one admin request may create. Kafka's controller refuses a request that would
 * write more than 10,000 metadata records (QuorumController.MAX_RECORDS_PER_USER_OP) with
 * POLICY_VIOLATION; here the partitions are what costs (each opens a log, synchronously), so they
 * are what is counted. Without a bound, one 60-byte CreateTopics asking for 2^31-1 partitions would
 * hold the event loop for good.
 */
export const MAX_PARTITIONS_PER_REQUEST = 10_000;

/** What is left of one request's partition allowance: every topic of one CreateTopics (or CreatePartitions) draws on it. */
export interface PartitionBudget {
  remaining: number;
}

export const newPartitionBudget = (): PartitionBudget => ({ remaining: MAX_PARTITIONS_PER_REQUEST });

/** Kafka's message for the same refusal. */
const EXCESSIVE_BATCH = 'Unable to perform excessively large batch operation.';

export class TopicManager {
  /** Told of each deleted topic (the group coordinator drops the offsets committed for it). */
  onTopicDeleted: (topic: string) => void = () => undefined;

  constructor(
    private readonly registry: TopicRegistry,
    private readonly logs: LogManager,
    private readonly config: BrokerConfig,
    private readonly nodeId: number,
    private readonly logger: Logger,
  ) {}

  /**
   * Checks and (unless validateOnly) creates a topic; throws KafkaError with Kafka's code. `budget`
   * is the request's partition allowance (see MAX_PARTITIONS_PER_REQUEST), spent even by validateOnly.
   */
  createTopic(spec: NewTopic, validateOnly = false, budget: PartitionBudget = newPartitionBudget()): TopicMetadata & { replicationFactor: number } {
    const assigned = spec.assignments.length > 0;
    if (assigned && (spec.numPartitions !== -1 || spec.replicationFactor !== -1)) {
      throw new KafkaError(
        ErrorCode.INVALID_REQUEST,
        'Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.',
      );
    }
    let partitions = assigned ? spec.assignments.length : spec.numPartitions === -1 ? this.config.numPartitions : spec.numPartitions;
    const replicationFactor = assigned
      ? (spec.assignments[0]?.brokerIds.length ?? 0)
      : spec.replicationFactor === -1
        ? this.config.defaultReplicationFactor
        : spec.replicationFactor;
    if (partitions <= 0) throw new KafkaError(ErrorCode.INVALID_PARTITIONS, 'Number of partitions was set to an invalid non-positive value.');
    if (partitions > budget.remaining) throw new KafkaError(ErrorCode.POLICY_VIOLATION, EXCESSIVE_BATCH);
    this.checkReplicationFactor(replicationFactor);
    if (assigned) {
      this.checkAssignments(
        spec.assignments.map((a) => a.brokerIds),
        spec.assignments.map((a) => a.partitionIndex),
      );
      partitions = spec.assignments.length;
    }
    const overrides = this.checkConfigs(spec.configs);
    this.registry.checkCreate(spec.name);
    budget.remaining -= partitions;
    if (validateOnly) {
      return { name: spec.name, id: '00000000-0000-0000-0000-000000000000', partitions, configs: overrides, internal: false, replicationFactor };
    }
    const topic = this.registry.create(spec.name, partitions, overrides, spec.name.startsWith('__'));
    this.openLogs(topic, 0);
    this.logger.info(`Created topic ${topic.name} with topic id ${topic.id}, ${partitions} partition(s)`);
    return { ...topic, replicationFactor: 1 };
  }

  /** Metadata's auto-creation: the broker's defaults, nothing else. */
  autoCreate(name: string): TopicMetadata {
    return this.createTopic({ name, numPartitions: -1, replicationFactor: -1, assignments: [], configs: {} });
  }

  deleteTopic(name: string): TopicMetadata {
    if (!this.config.deleteTopicEnable) throw new KafkaError(ErrorCode.TOPIC_DELETION_DISABLED, 'Topic deletion is disabled (delete.topic.enable=false).');
    const topic = this.registry.delete(name);
    for (let p = 0; p < topic.partitions; p++) {
      // The topic is already gone; a log that fails to go with it is an I/O problem to report, and
      // must not become an unhandled rejection (which ends the process).
      this.logs.deleteLog(topic.name, p).catch((err) => this.logger.error(`Deleting the log of ${topic.name}-${p} failed: ${(err as Error).message}`));
    }
    this.logger.info(`Deleted topic ${topic.name} (${topic.id})`);
    this.onTopicDeleted(topic.name);
    return topic;
  }

  /** CreatePartitions: increase only. `budget` as for createTopic. */
  createPartitions(
    name: string,
    count: number,
    assignments: Array<{ brokerIds: number[] }> | null,
    validateOnly: boolean,
    budget: PartitionBudget = newPartitionBudget(),
  ): void {
    const topic = this.registry.require(name);
    if (count < topic.partitions) {
      throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `Topic currently has ${topic.partitions} partitions, which is higher than the requested ${count}.`);
    }
    if (count === topic.partitions) throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `Topic already has ${topic.partitions} partitions.`);
    if (count - topic.partitions > budget.remaining) throw new KafkaError(ErrorCode.POLICY_VIOLATION, EXCESSIVE_BATCH);
    if (assignments !== null) {
      if (assignments.length !== count - topic.partitions) {
        throw new KafkaError(
          ErrorCode.INVALID_REPLICA_ASSIGNMENT,
          `Increasing the number of partitions by ${count - topic.partitions} but ${assignments.length} assignments provided.`,
        );
      }
      this.checkAssignments(assignments.map((a) => a.brokerIds));
    }
    budget.remaining -= count - topic.partitions;
    if (validateOnly) return;
    const before = topic.partitions;
    this.registry.setPartitionCount(name, count);
    this.openLogs(topic, before);
    this.logger.info(`Topic ${name} grew from ${before} to ${count} partitions`);
  }

  /** AlterConfigs: the given set replaces every override the topic had. */
  replaceConfigs(name: string, configs: Record<string, string | null>, validateOnly: boolean): void {
    const topic = this.registry.require(name);
    const overrides = this.checkConfigs(configs);
    if (!validateOnly) this.applyConfigs(topic, overrides);
  }

  /** IncrementalAlterConfigs: set, delete, append to or subtract from list values. */
  alterConfigs(name: string, ops: Array<{ name: string; op: ConfigOp; value: string | null }>, validateOnly: boolean): void {
    const topic = this.registry.require(name);
    const next: Record<string, string | null> = { ...topic.configs };
    for (const { name: key, op, value } of ops) {
      const current = (next[key] ?? '').split(',').filter((v) => v !== '');
      const items = (value ?? '').split(',').filter((v) => v !== '');
      if (op === 'set') next[key] = value;
      else if (op === 'delete') delete next[key];
      else if (op === 'append') next[key] = [...current, ...items.filter((v) => !current.includes(v))].join(',');
      else next[key] = current.filter((v) => !items.includes(v)).join(',');
    }
    const overrides = this.checkConfigs(next);
    if (!validateOnly) this.applyConfigs(topic, overrides);
  }

  /** Makes sure every partition the registry knows has a log (after a crash mid-create). */
  reconcile(): void {
    for (const topic of this.registry.list()) this.openLogs(topic, 0);
  }

  private applyConfigs(topic: TopicMetadata, overrides: Record<string, string>): void {
    this.registry.setConfigs(topic.name, overrides);
    const config = effectiveLogConfig(this.config, new Map(Object.entries(overrides)));
    for (let p = 0; p < topic.partitions; p++) this.logs.getLog(topic.name, p)?.updateConfig(config);
  }

  private openLogs(topic: TopicMetadata, from: number): void {
    const config = effectiveLogConfig(this.config, new Map(Object.entries(topic.configs)));
    for (let p = from; p < topic.partitions; p++) {
      if (!this.logs.getLog(topic.name, p)) this.logs.createLog(topic.name, p, config);
    }
  }

  private checkConfigs(configs: Record<string, string | null>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(configs)) {
      if (v === null) throw new KafkaError(ErrorCode.INVALID_CONFIG, `Null value not supported for topic configs: ${k}`);
      out[k] = v;
    }
    const result = validateTopicConfigs(new Map(Object.entries(out)), this.config);
    if (!result.ok) throw new KafkaError(result.error.code, result.error.message);
    return out;
  }

  private checkReplicationFactor(rf: number): void {
    if (rf <= 0) throw new KafkaError(ErrorCode.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0.');
    if (rf > 1) {
      throw new KafkaError(
        ErrorCode.INVALID_REPLICATION_FACTOR,
        `Unable to replicate the partition ${rf} time(s): The target replication factor of ${rf} cannot be reached because only 1 broker(s) are registered.`,
      );
    }
  }

  private checkAssignments(replicaLists: number[][], indexes?: number[]): void {
    if (indexes) {
      const sorted = [...indexes].sort((a, b) => a - b);
      if (sorted.some((p, i) => p !== i)) {
        throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'Partitions should be a consecutive 0-based integer sequence.');
      }
    }
    for (const brokers of replicaLists) {
      this.checkReplicationFactor(brokers.length);
      if (brokers[0] !== this.nodeId) {
        throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Broker ${brokers[0]} is not registered; the only broker is ${this.nodeId}.`);
      }
    }
  }
}
