/**
 * PartitionGroup (Kafka Streams' name): a task's fetched records, one queue per input partition.
 * `nextRecord` hands out the head with the smallest timestamp among the non-empty queues, so a task
 * reading several partitions (a join, a merge) processes them in timestamp order as far as it has
 * data (Kafka Streams' `max.task.idle.ms = 0`).
 *
 * Each queue also knows its *fetch position*, the offset after the last record it took: records
 * below it (kafkajs fetching again from an older position) are dropped, so a record is never
 * processed twice.
 */
import type { RawRecord } from './record-collector.js';

interface RecordQueue {
  readonly topic: string;
  readonly partition: number;
  records: RawRecord[];
  head: number;
  fetchPosition: number;
}

export class PartitionGroup {
  private readonly queues = new Map<string, RecordQueue>();
  private buffered = 0;

  addPartition(topic: string, partition: number, fetchPosition: number): void {
    this.queues.set(`${topic}:${partition}`, { topic, partition, records: [], head: 0, fetchPosition });
  }

  hasPartition(topic: string, partition: number): boolean {
    return this.queues.has(`${topic}:${partition}`);
  }

  /** Takes fetched records in offset order; returns how many were new. */
  add(topic: string, partition: number, records: readonly RawRecord[]): number {
    const q = this.queues.get(`${topic}:${partition}`);
    if (q === undefined) return 0;
    let added = 0;
    for (const r of records) {
      if (r.offset < q.fetchPosition) continue;
      q.records.push(r);
      q.fetchPosition = r.offset + 1;
      added++;
    }
    this.buffered += added;
    return added;
  }

  /** Moves a partition's fetch position past records that were filtered out (control, aborted). */
  advanceFetchPosition(topic: string, partition: number, offset: number): void {
    const q = this.queues.get(`${topic}:${partition}`);
    if (q !== undefined && offset > q.fetchPosition) q.fetchPosition = offset;
  }

  fetchPosition(topic: string, partition: number): number | undefined {
    return this.queues.get(`${topic}:${partition}`)?.fetchPosition;
  }

  /** The next record in timestamp order, or null if every queue is empty. */
  nextRecord(): RawRecord | null {
    let best: RecordQueue | null = null;
    for (const q of this.queues.values()) {
      if (q.head >= q.records.length) continue;
      if (best === null || q.records[q.head].timestamp < best.records[best.head].timestamp) best = q;
    }
    if (best === null) return null;
    const r = best.records[best.head++];
    this.buffered--;
    if (best.head === best.records.length) {
      best.records = [];
      best.head = 0;
    } else if (best.head > 1024 && best.head * 2 > best.records.length) {
      best.records = best.records.slice(best.head);
      best.head = 0;
    }
    return r;
  }

  /** Records buffered for one partition. */
  size(topic: string, partition: number): number {
    const q = this.queues.get(`${topic}:${partition}`);
    return q === undefined ? 0 : q.records.length - q.head;
  }

  get totalBuffered(): number {
    return this.buffered;
  }

  /** Drops the buffered records and sets where fetching resumes (a rollback, a new assignment). */
  reset(topic: string, partition: number, fetchPosition: number): void {
    const q = this.queues.get(`${topic}:${partition}`);
    if (q === undefined) return;
    this.buffered -= q.records.length - q.head;
    q.records = [];
    q.head = 0;
    q.fetchPosition = fetchPosition;
  }

  partitions(): { topic: string; partition: number }[] {
    return [...this.queues.values()].map((q) => ({ topic: q.topic, partition: q.partition }));
  }
}
