/**
 * `KStream.split()` (Kafka Streams' `BranchedKStream`): branches are tried in the order they were
 * added; a record goes to the first whose predicate accepts it. `defaultBranch()` takes the rest,
 * `noDefaultBranch()` drops them. Both return the branches by name: the split's name followed by the
 * branch's (or its number, from 1; the default branch's is 0).
 *
 * As in Kafka Streams, the splitter node is added when `split()` is called and each branch when
 * `branch()` is — burning a counter value, named or not — and a branch's `withChain` runs right
 * then, so the nodes a chain adds are numbered as Kafka Streams numbers them.
 */
import { TopologyError } from '../errors.js';
import { KStreamBranch } from './internals/kstream-branch.js';
import { KStreamPassThrough } from './internals/stateless-processors.js';
import type { KStream } from './kstream.js';
import { KStream as KStreamClass } from './kstream.js';

export interface Branched<K, V> {
  /** Appended to the split's name to name the branch. */
  name?: string;
  /** Continues the branch (`s => s.mapValues(...)`); what it returns is the branch in the result, if anything. */
  withChain?: (branch: KStream<K, V>) => KStream<K, V> | void;
}

export class BranchedKStream<K, V> {
  /** Shared with the splitter's processor, which reads them when a task starts. */
  private readonly predicates: ((key: K, value: V) => boolean)[] = [];
  /** The branches' node names, in the order of the predicates; the default branch's last. */
  private readonly childNames: string[] = [];
  private readonly branches: Record<string, KStream<K, V>> = {};
  private done = false;

  /** @internal */
  constructor(
    private readonly source: KStream<K, V>,
    private readonly splitterName: string,
  ) {
    const { predicates, childNames } = this;
    source.builder.topology.addProcessor(splitterName, () => new KStreamBranch(predicates, childNames), source.nodeName);
  }

  branch(predicate: (key: K, value: V) => boolean, branched: Branched<K, V> = {}): this {
    if (this.done) throw new TopologyError('this split() already ended with defaultBranch() or noDefaultBranch()');
    if (typeof predicate !== 'function') throw new TopologyError('branch() takes a predicate (key, value) => boolean');
    const name = this.branchName(branched, this.predicates.length + 1);
    this.predicates.push(predicate);
    this.createBranch(name, branched);
    return this;
  }

  defaultBranch(branched: Branched<K, V> = {}): Record<string, KStream<K, V>> {
    if (this.done) throw new TopologyError('this split() already ended');
    this.done = true;
    this.createBranch(this.branchName(branched, 0), branched);
    return this.branches;
  }

  noDefaultBranch(): Record<string, KStream<K, V>> {
    if (this.done) throw new TopologyError('this split() already ended');
    this.done = true;
    return this.branches;
  }

  private branchName(branched: Branched<K, V>, index: number): string {
    const name = this.splitterName + (branched.name ?? String(index));
    if (this.childNames.includes(name)) throw new TopologyError(`two branches of ${this.splitterName} are named ${name}`);
    return name;
  }

  private createBranch(name: string, branched: Branched<K, V>): void {
    const { builder } = this.source;
    builder.newProcessorName(name); // Kafka Streams burns a counter value per branch
    this.childNames.push(name);
    builder.topology.addProcessor(name, () => new KStreamPassThrough<K, V>(), this.splitterName);
    const stream = new KStreamClass<K, V>(builder, name, this.source.keySerde, this.source.valueSerde, this.source.repartitionRequired);
    if (branched.withChain !== undefined) {
      const chained = branched.withChain(stream);
      if (chained) this.branches[name] = chained;
    } else {
      this.branches[name] = stream;
    }
  }
}
