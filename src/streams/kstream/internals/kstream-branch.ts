/**
 * `split().branch(...)`: each record goes to the first branch whose predicate accepts it (Kafka
 * Streams' `KStreamBranch`), or to the default branch, or nowhere.
 */
import type { Processor, ProcessorContext } from '../../processor/processor.js';
import type { StreamRecord } from '../../processor/stream-record.js';

export class KStreamBranch<K, V> implements Processor<K, V> {
  private context!: ProcessorContext<K, V>;

  constructor(
    private readonly predicates: readonly ((key: K, value: V) => boolean)[],
    private readonly childNames: readonly string[],
    private readonly defaultChild: string | null,
  ) {}

  init(context: ProcessorContext<K, V>): void {
    this.context = context;
  }

  process(record: StreamRecord<K, V>): void {
    for (let i = 0; i < this.predicates.length; i++) {
      if (this.predicates[i](record.key, record.value)) {
        this.context.forward(record, this.childNames[i]);
        return;
      }
    }
    if (this.defaultChild !== null) this.context.forward(record, this.defaultChild);
  }
}
