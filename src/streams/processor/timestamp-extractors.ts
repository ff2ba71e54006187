/**
 * Built-in timestamp extractors (Kafka Streams' names), for `{ timestampExtractor }` on a source.
 * Without one, a record's own timestamp is its event time and a negative one fails the task, as
 * Kafka Streams' default `FailOnInvalidTimestamp` does.
 */
import { StreamsError } from '../errors.js';
import type { TimestampExtractor } from './topology.js';

type ExtractorRecord = Parameters<TimestampExtractor>[0];

export const TimestampExtractors = {
  /** The record's own timestamp; a negative one fails the task (the default). */
  failOnInvalidTimestamp(): TimestampExtractor {
    return (r) => r.timestamp;
  },
  /** The record's own timestamp; a negative one is replaced by the partition's time so far (its largest timestamp). */
  usePartitionTimeOnInvalidTimestamp(): TimestampExtractor {
    return (r, partitionTime) => {
      if (r.timestamp >= 0) return r.timestamp;
      if (partitionTime < 0)
        throw new StreamsError(
          `The record at ${r.topic}-${r.partition}@${r.offset} has the invalid timestamp ${r.timestamp} and its partition has no time yet`,
        );
      return partitionTime;
    };
  },
  /** Processing time: the wall clock when the record is read. */
  wallclock(): TimestampExtractor {
    return () => Date.now();
  },
  /**
   * Event time from the value: a field name (a number of ms, an ISO-8601 string or a Date) or a
   * function of the record. A record without a usable time fails the task, naming the record.
   */
  fromValue(field: string | ((record: ExtractorRecord) => number | string | Date | null | undefined)): TimestampExtractor {
    return (r) => {
      const raw = typeof field === 'function' ? field(r) : (r.value as Record<string, unknown> | null)?.[field];
      const t = raw instanceof Date ? raw.getTime() : typeof raw === 'string' ? Date.parse(raw) : typeof raw === 'number' ? raw : Number.NaN;
      if (!Number.isFinite(t)) {
        const what = typeof field === 'function' ? 'the timestamp function' : `field "${field}"`;
        throw new StreamsError(`The record at ${r.topic}-${r.partition}@${r.offset} has no usable time in ${what} (got ${JSON.stringify(raw)})`);
      }
      return t;
    };
  },
};
