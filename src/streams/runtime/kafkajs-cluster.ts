/**
 * kafkajs's `Cluster` — its connections, metadata and protocol layer — made by the application's own
 * `Kafka` client, so TLS, SASL and broker lists are the user's. kafkajs's public clients cannot read
 * partitions outside a group or send a Produce request they did not encode themselves; the
 * PartitionReader and the StreamsProducer do both through this (docs/streams-internals.md).
 *
 * kafkajs keeps `createCluster` private: an own property of each `Kafka`, keyed by a symbol.
 */
import type { Kafka } from 'kafkajs';
import { StreamsError } from '../errors.js';

/** A request kafkajs's connection can send: how to encode its body, and how to read the answer. */
export interface KafkajsProtocolRequest<T> {
  request: { apiKey: number; apiVersion: number; apiName: string; expectResponse(): boolean; encode(): Promise<{ buf: Buffer; buffer: Buffer }> };
  response: { decode(payload: Buffer): Promise<T>; parse(decoded: T): Promise<T> };
}

export interface KafkajsMessage {
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: Record<string, Buffer | string | (Buffer | string)[] | undefined>;
  isControlRecord?: boolean;
}

export interface KafkajsPartitionData {
  partition: number;
  errorCode: number;
  highWatermark: string;
  lastStableOffset?: string;
  abortedTransactions?: unknown[];
  messages: KafkajsMessage[];
}

export interface KafkajsBroker {
  fetch(args: {
    isolationLevel: number;
    maxWaitTime: number;
    minBytes: number;
    maxBytes: number;
    topics: { topic: string; partitions: { partition: number; fetchOffset: string; maxBytes: number }[] }[];
  }): Promise<{ responses: { topicName: string; partitions: KafkajsPartitionData[] }[] }>;
  readonly nodeId: number;
  readonly connectionPool: { send<T>(request: KafkajsProtocolRequest<T>): Promise<T>; readonly host: string; readonly port: number };
  disconnect(): Promise<void>;
}

export interface KafkajsPartitionMetadata {
  partitionId: number;
  leader: number;
}

/** kafkajs's Cluster, as far as Skein uses it. */
export interface KafkajsCluster {
  readonly retry: unknown;
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  isConnected(): boolean;
  addMultipleTargetTopics(topics: string[]): Promise<void>;
  refreshMetadata(): Promise<void>;
  refreshMetadataIfNecessary(): Promise<void>;
  findTopicPartitionMetadata(topic: string): KafkajsPartitionMetadata[];
  findLeaderForPartitions(topic: string, partitions: number[]): Record<string, number[]>;
  findBroker(args: { nodeId: string }): Promise<KafkajsBroker>;
  removeBroker(args: { host: string; port: number }): void;
  fetchTopicsOffset(
    topics: { topic: string; partitions: { partition: number }[]; fromBeginning: boolean }[],
  ): Promise<{ topic: string; partitions: { partition: number; offset: string }[] }[]>;
}

export interface KafkajsClusterOptions {
  metadataMaxAge?: number;
  allowAutoTopicCreation?: boolean;
  isolationLevel?: number;
  maxInFlightRequests?: number;
}

type CreateCluster = (options: KafkajsClusterOptions) => KafkajsCluster;

/** A new kafkajs Cluster of `kafka`'s (not connected yet). */
export function createKafkajsCluster(kafka: Kafka, options: KafkajsClusterOptions): KafkajsCluster {
  const sym = Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster');
  if (sym === undefined) throw new StreamsError('This version of kafkajs does not expose its Cluster; Skein needs kafkajs 2.x');
  const create = (kafka as unknown as Record<symbol, CreateCluster>)[sym];
  return create(options);
}
