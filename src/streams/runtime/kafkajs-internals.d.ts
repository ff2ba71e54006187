/**
 * Types for the parts of kafkajs Skein uses that kafkajs does not publish (it has no `exports` map,
 * so they are reachable by path). Kept to what is used; see docs/streams-internals.md for why.
 */
declare module 'kafkajs/src/producer/partitioners/default/murmur2.js' {
  const murmur2: (key: Buffer | string) => number;
  export default murmur2;
}

declare module 'kafkajs/src/consumer/filterAbortedMessages.js' {
  const filterAbortedMessages: (args: { messages: unknown[]; abortedTransactions: unknown[] }) => unknown[];
  export default filterAbortedMessages;
}

declare module 'kafkajs/src/producer/eosManager/index.js' {
  /** kafkajs's producer state: id, epoch, sequence numbers and the transaction state machine. */
  export interface EosManager {
    getProducerId(): string | number;
    getProducerEpoch(): number;
    getTransactionalId(): string | undefined;
    initProducerId(): Promise<void>;
    getSequence(topic: string, partition: number): number;
    updateSequence(topic: string, partition: number, increment: number): void;
    beginTransaction(): void;
    addPartitionsToTransaction(topicData: { topic: string; partitions: { partition: number }[] }[]): Promise<void>;
    sendOffsets(args: {
      consumerGroupId: string;
      topics: { topic: string; partitions: { partition: number; offset: string; metadata?: string | null }[] }[];
    }): Promise<void>;
    commit(): Promise<void>;
    abort(): Promise<void>;
    isInitialized(): boolean;
    isTransactional(): boolean;
    isInTransaction(): boolean;
    acquireBrokerLock(broker: unknown): Promise<void>;
    releaseBrokerLock(broker: unknown): void;
  }
  const createEosManager: (args: {
    logger: unknown;
    cluster: unknown;
    transactionTimeout?: number;
    transactional: boolean;
    transactionalId?: string;
  }) => EosManager;
  export default createEosManager;
}

declare module 'kafkajs/src/protocol/error.js' {
  /** kafkajs's error for a Kafka error code (a KafkaJSProtocolError with `type`, `code`, `retriable`). */
  export function createErrorFromCode(code: number): Error & { type: string; code: number; retriable: boolean };
  /** Whether an error means the client's metadata is out of date (unknown partition, no leader, not the leader). */
  export function staleMetadata(e: unknown): boolean;
}

declare module 'kafkajs/src/retry/index.js' {
  /** kafkajs's retrier: runs `fn` again after a retriable error, with its exponential backoff, until `bail` or `retries`. */
  const createRetry: (options: unknown) => <T>(fn: (bail: (e: Error) => void, retryCount: number, retryTime: number) => Promise<T>) => Promise<T>;
  export default createRetry;
}
