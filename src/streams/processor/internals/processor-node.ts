/**
 * The executing graph: one ProcessorNode per topology node per task. Sources deserialize, processors
 * run user and DSL code, sinks serialize and hand records to the RecordCollector. `forward` calls the
 * children synchronously, depth first.
 */
import type { Serde } from '../../../serdes/serde.js';
import { ProcessingError, StreamsError, recordOrigin } from '../../errors.js';
import type { RawRecord, RecordCollector } from '../../runtime/record-collector.js';
import { partitionForKey } from '../../runtime/partitioner.js';
import type { TaskContext } from '../../runtime/task-context.js';
import type { Processor } from '../processor.js';
import type { StreamRecord } from '../stream-record.js';
import { type SinkOptions, type SourceOptions, type TopicNameExtractor, isLegalTopicName } from '../topology.js';
import { ProcessorContextImpl } from './processor-context-impl.js';

export abstract class ProcessorNode {
  readonly children: ProcessorNode[] = [];
  readonly childByName = new Map<string, ProcessorNode>();

  constructor(
    readonly name: string,
    protected readonly task: TaskContext,
  ) {}

  addChild(child: ProcessorNode): void {
    this.children.push(child);
    this.childByName.set(child.name, child);
  }

  init(): void {}

  abstract process(record: StreamRecord<unknown, unknown>): void;

  close(): void {}

  /** Sends `record` to the children (or the one named) with its timestamp and headers as the record context. */
  forward(record: StreamRecord<unknown, unknown>, childName?: string): void {
    const task = this.task;
    if (record.timestamp === undefined || record.headers === undefined) {
      record = { key: record.key, value: record.value, timestamp: record.timestamp ?? task.timestamp, headers: record.headers ?? {} };
    }
    const prevTimestamp = task.timestamp;
    const prevHeaders = task.headers;
    task.timestamp = record.timestamp;
    task.headers = record.headers;
    try {
      if (childName !== undefined) {
        const child = this.childByName.get(childName);
        if (child === undefined)
          throw new StreamsError(`${this.name} has no child named ${childName} (its children: ${[...this.childByName.keys()].join(', ') || 'none'})`);
        child.process(record);
      } else {
        const children = this.children;
        for (let i = 0; i < children.length; i++) children[i].process(record);
      }
    } finally {
      task.timestamp = prevTimestamp;
      task.headers = prevHeaders;
    }
  }
}

/** Runs a `Processor` (user code or a DSL operation). */
export class UserProcessorNode extends ProcessorNode {
  readonly context: ProcessorContextImpl;

  constructor(
    name: string,
    task: TaskContext,
    private readonly processor: Processor<unknown, unknown, unknown, unknown>,
    stores: ReadonlySet<string>,
  ) {
    super(name, task);
    this.context = new ProcessorContextImpl(this, task, stores);
  }

  override init(): void {
    try {
      this.processor.init?.(this.context);
    } catch (e) {
      throw this.task.processingError(e, this.name, 'initializing');
    }
  }

  process(record: StreamRecord<unknown, unknown>): void {
    let result: unknown;
    try {
      result = this.processor.process(record);
    } catch (e) {
      throw this.task.processingError(e, this.name, 'processing');
    }
    if (result !== undefined && result !== null && typeof (result as Promise<void>).then === 'function') {
      this.task.trackAsync(result as Promise<void>, this.name, 'processing');
    }
  }

  override close(): void {
    this.processor.close?.();
  }

  /** Lets a processor with state outside its stores (Skein's suppression) drop it when the task rolls back. */
  onRollback(): void {
    (this.processor as { onRollback?: () => void }).onRollback?.();
  }
}

export class SourceNode extends ProcessorNode {
  constructor(
    name: string,
    task: TaskContext,
    private readonly options: SourceOptions,
    private readonly keySerde: Serde<unknown>,
    private readonly valueSerde: Serde<unknown>,
  ) {
    super(name, task);
  }

  /** Deserializes a consumed record; null when the deserialization handler chose to skip it. */
  deserialize(raw: RawRecord): StreamRecord<unknown, unknown> | null {
    let key: unknown;
    let value: unknown;
    let which = 'key';
    let serde = this.keySerde;
    try {
      key = this.keySerde.deserialize(raw.topic, raw.key, raw.headers);
      which = 'value';
      serde = this.valueSerde;
      value = this.valueSerde.deserialize(raw.topic, raw.value, raw.headers);
    } catch (e) {
      const error = new ProcessingError(
        `Failed to deserialize the ${which} of the record at ${recordOrigin(raw.topic, raw.partition, raw.offset)} with serde ${serde.name}: ${(e as Error).message}`,
        { taskId: this.task.taskId, node: this.name, topic: raw.topic, partition: raw.partition, offset: raw.offset },
        e,
      );
      if (this.task.onDeserializationError(raw, error) === 'CONTINUE') return null;
      throw error;
    }
    let timestamp = raw.timestamp;
    const extractor = this.options.timestampExtractor;
    if (extractor !== undefined) {
      try {
        timestamp = extractor(
          { key, value, timestamp: raw.timestamp, topic: raw.topic, partition: raw.partition, offset: raw.offset },
          this.task.partitionTime(raw.topic, raw.partition),
        );
      } catch (e) {
        throw this.task.processingError(e, this.name, 'extracting the timestamp of');
      }
      if (!Number.isFinite(timestamp) || timestamp < 0) {
        throw new ProcessingError(
          `The timestamp extractor of ${this.name} returned ${timestamp} for the record at ${recordOrigin(raw.topic, raw.partition, raw.offset)}; timestamps must be non-negative`,
          { taskId: this.task.taskId, node: this.name, topic: raw.topic, partition: raw.partition, offset: raw.offset },
        );
      }
    }
    return { key, value, timestamp, headers: raw.headers };
  }

  process(record: StreamRecord<unknown, unknown>): void {
    this.forward(record);
  }
}

export class SinkNode extends ProcessorNode {
  constructor(
    name: string,
    task: TaskContext,
    /** A full topic name (internal topics already prefixed) or a function choosing it per record. */
    private readonly topic: string | TopicNameExtractor<unknown, unknown>,
    private readonly options: SinkOptions,
    private readonly keySerde: Serde<unknown>,
    private readonly valueSerde: Serde<unknown>,
    private readonly collector: RecordCollector,
  ) {
    super(name, task);
  }

  /** The topic a TopicNameExtractor chooses for `record`, which must be a legal topic name. */
  private extractTopic(extractor: TopicNameExtractor<unknown, unknown>, record: StreamRecord<unknown, unknown>): string {
    const task = this.task;
    let topic: unknown;
    try {
      topic = extractor(record.key, record.value, task.recordContext());
    } catch (e) {
      throw task.processingError(e, this.name, 'choosing the topic of');
    }
    if (typeof topic !== 'string' || !isLegalTopicName(topic)) {
      throw new ProcessingError(
        `The topic name extractor of ${this.name} returned ${JSON.stringify(topic)} for the record at ${recordOrigin(task.topic, task.partition, task.offset)}, which is not a legal topic name`,
        { taskId: task.taskId, node: this.name, topic: task.topic, partition: task.partition, offset: task.offset },
      );
    }
    return topic;
  }

  process(record: StreamRecord<unknown, unknown>): void {
    const task = this.task;
    const topic = typeof this.topic === 'string' ? this.topic : this.extractTopic(this.topic, record);
    let key: Buffer | null;
    let value: Buffer | null;
    let which = 'key';
    let serde = this.keySerde;
    try {
      key = this.keySerde.serialize(topic, record.key, record.headers);
      which = 'value';
      serde = this.valueSerde;
      value = this.valueSerde.serialize(topic, record.value, record.headers);
    } catch (e) {
      throw new ProcessingError(
        `Failed to serialize the ${which} of a record for topic ${topic} in ${this.name} with serde ${serde.name} (input ${recordOrigin(task.topic, task.partition, task.offset)}): ${(e as Error).message}`,
        { taskId: task.taskId, node: this.name, topic: task.topic, partition: task.partition, offset: task.offset },
        e,
      );
    }
    let partition: number | undefined;
    if (this.options.partitioner !== undefined) {
      const n = this.collector.partitionsFor(topic);
      if (n === 0)
        throw new ProcessingError(`${this.name} has a partitioner, but the partition count of ${topic} is not known (does the topic exist?)`, {
          taskId: task.taskId,
          node: this.name,
        });
      let p: number | null | undefined;
      try {
        p = this.options.partitioner(topic, record.key, record.value, n);
      } catch (e) {
        throw task.processingError(e, this.name, 'choosing the partition of');
      }
      if (p !== null && p !== undefined) {
        if (!Number.isInteger(p) || p < 0 || p >= n) {
          throw new ProcessingError(`The partitioner of ${this.name} chose partition ${p} of ${topic}, which has ${n} partitions`, {
            taskId: task.taskId,
            node: this.name,
          });
        }
        partition = p;
      }
    }
    if (partition === undefined && key !== null) {
      const n = this.collector.partitionsFor(topic);
      if (n > 0) partition = partitionForKey(key, n);
    }
    this.collector.send({ topic, partition, key, value, timestamp: record.timestamp, headers: record.headers });
  }
}
