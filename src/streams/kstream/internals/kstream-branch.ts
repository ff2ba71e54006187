/**
 * `split().branch(...)`: each record goes to the first branch whose predicate accepts it (Kafka
 * Streams' `KStreamBranch`), or to the default branch, or nowhere.
 */
import type { Processor, ProcessorContext } from '../../processor/processor.js';
import type { StreamRecord } from '../../processor/stream-record.js';

export class KStreamBranch<K, V> implements Processor<K, V> {
  private context!: ProcessorContext<K, V>;
  private defaultChild: string | null = null;

  /**
   * @param childNames the branches' node names in the order of `predicates`, then the default
   *   branch's if there is one; both lists are complete once the topology is built
   */
  constructor(
    private readonly predicates: readonly ((key: K, value: V) => boolean)[],
    private readonly childNames: readonly string[],
  ) {}

  init(context: ProcessorContext<K, V>): void {
    this.context = context;
    this.defaultChild = this.childNames.length > this.predicates.length ? this.childNames[this.childNames.length - 1] : null;
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
