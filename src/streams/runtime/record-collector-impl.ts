/**
 * The runtime's RecordCollector: a task's sinks and changelogs append here while it processes; at
 * the commit (or when enough have gathered) the records go to the task's StreamsProducer, whose answer
 * tells the store layer where its changelog records landed.
 */
import type { ProducerRecord, RecordCollector } from './record-collector.js';

export class RecordCollectorImpl implements RecordCollector {
  private buffer: ProducerRecord[] = [];
  private bytes = 0;

  constructor(private readonly partitionCounts: (topic: string) => number | undefined) {}

  send(record: ProducerRecord): void {
    this.buffer.push(record);
    this.bytes += (record.key?.length ?? 0) + (record.value?.length ?? 0) + 64;
  }

  partitionsFor(topic: string): number {
    // Unknown (a topic chosen per record): 0 tells the sink to leave the choice to the producer,
    // whose default partitioner is the same murmur2.
    return this.partitionCounts(topic) ?? 0;
  }

  get bufferedRecords(): number {
    return this.buffer.length;
  }

  get bufferedBytes(): number {
    return this.bytes;
  }

  /** Takes what is buffered. */
  drain(): ProducerRecord[] {
    const out = this.buffer;
    this.buffer = [];
    this.bytes = 0;
    return out;
  }

  clear(): void {
    this.buffer = [];
    this.bytes = 0;
  }
}
