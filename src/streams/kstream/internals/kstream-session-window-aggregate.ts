/**
 * Session-windowed aggregations (Kafka Streams' `KStreamSessionWindowAggregate`): a record finds the
 * key's sessions within the inactivity gap of its timestamp and merges them, with itself, into one
 * session; the merged-away sessions are deleted and sent downstream as deletions. A record whose
 * session would end before the close time (stream time minus grace) is dropped.
 *
 * Finding sessions is a range scan, and scans are async, so this processor is async: its task takes
 * the next record when it is done (docs/streams.md, "The Processor API").
 */
import type { Processor, ProcessorContext } from '../../processor/processor.js';
import type { ProcessorContextImpl } from '../../processor/internals/processor-context-impl.js';
import type { StreamRecord } from '../../processor/stream-record.js';
import type { ValueAndTimestamp } from '../../state/key-value-store.js';
import type { MeteredSessionStore } from '../../state/internals/metered-window-store.js';
import type { Windowed } from '../../state/window-store.js';
import type { SessionWindows } from '../windows/session-windows.js';
import type { Change } from './change.js';
import { TimestampedTupleForwarder } from './timestamped-tuple-forwarder.js';

export class KStreamSessionWindowAggregate<K, V, VA> implements Processor<K, V, Windowed<K>, Change<VA>> {
  private context!: ProcessorContextImpl;
  private store!: MeteredSessionStore<K, ValueAndTimestamp<VA>>;
  private forwarder!: TimestampedTupleForwarder<Windowed<K>, VA>;

  constructor(
    private readonly storeName: string,
    private readonly windows: SessionWindows,
    private readonly initializer: () => VA,
    private readonly aggregator: (key: K, value: V, aggregate: VA) => VA,
    private readonly merger: (key: K, aggregate1: VA, aggregate2: VA) => VA,
  ) {}

  init(context: ProcessorContext<Windowed<K>, Change<VA>>): void {
    this.context = context as unknown as ProcessorContextImpl;
    this.store = context.getStateStore(this.storeName);
    this.forwarder = new TimestampedTupleForwarder<Windowed<K>, VA>(this.store as never, context);
  }

  process(record: StreamRecord<K, V>): void | Promise<void> {
    if (record.key === null || record.key === undefined) {
      this.context.recordDropped('skipping a record with a null key');
      return;
    }
    return this.merge(record as StreamRecord<K, V> & { key: K });
  }

  private async merge(record: StreamRecord<K, V> & { key: K }): Promise<void> {
    const ts = record.timestamp;
    const gap = this.windows.inactivityGapMs;
    const closeTime = this.context.currentStreamTimeMs() - this.windows.graceMs;
    const merged: { session: Windowed<K>; value: ValueAndTimestamp<VA> }[] = [];
    for await (const s of this.store.findSessions(record.key, ts - gap, ts + gap)) merged.push({ session: s.key, value: s.value as ValueAndTimestamp<VA> });
    let start = ts;
    let end = ts;
    let agg = this.initializer();
    let timestamp = ts;
    for (const m of merged) {
      start = Math.min(start, m.session.window.start);
      end = Math.max(end, m.session.window.end);
      agg = this.merger(record.key, agg, m.value.value);
      timestamp = Math.max(timestamp, m.value.timestamp);
    }
    if (end < closeTime) {
      this.context.recordDropped(`skipping a record for the expired session [${start},${end}] (record time ${ts}, sessions closed up to ${closeTime})`);
      return;
    }
    const window = { start, end };
    for (const m of merged) {
      if (m.session.window.start === start && m.session.window.end === end) continue;
      this.store.remove(m.session);
      this.forwarder.maybeForward({ key: m.session, value: { newValue: null, oldValue: m.value.value }, timestamp, headers: record.headers });
    }
    const same = merged.find((m) => m.session.window.start === start && m.session.window.end === end);
    agg = this.aggregator(record.key, record.value, agg);
    this.store.put({ key: record.key, window }, { value: agg, timestamp });
    this.forwarder.maybeForward({
      key: { key: record.key, window },
      value: { newValue: agg, oldValue: same?.value.value ?? null },
      timestamp,
      headers: record.headers,
    });
  }
}
