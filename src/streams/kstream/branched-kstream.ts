/**
 * `KStream.split()` (Kafka Streams' `BranchedKStream`): branches are tried in the order they were
 * added; a record goes to the first whose predicate accepts it. `defaultBranch()` takes the rest,
 * `noDefaultBranch()` drops them. Both return the branches by name: the split's name followed by the
 * branch's (or its number, from 1).
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
  private readonly predicates: ((key: K, value: V) => boolean)[] = [];
  private readonly branches: { name: string; options: Branched<K, V> }[] = [];
  private done = false;

  /** @internal */
  constructor(
    private readonly source: KStream<K, V>,
    private readonly splitterName: string,
  ) {}

  branch(predicate: (key: K, value: V) => boolean, branched: Branched<K, V> = {}): this {
    if (this.done) throw new TopologyError('this split() already ended with defaultBranch() or noDefaultBranch()');
    if (typeof predicate !== 'function') throw new TopologyError('branch() takes a predicate (key, value) => boolean');
    this.predicates.push(predicate);
    this.branches.push({ name: this.splitterName + (branched.name ?? String(this.branches.length + 1)), options: branched });
    return this;
  }

  defaultBranch(branched: Branched<K, V> = {}): Record<string, KStream<K, V>> {
    return this.end({ name: this.splitterName + (branched.name ?? '0'), options: branched });
  }

  noDefaultBranch(): Record<string, KStream<K, V>> {
    return this.end(null);
  }

  private end(defaultBranch: { name: string; options: Branched<K, V> } | null): Record<string, KStream<K, V>> {
    if (this.done) throw new TopologyError('this split() already ended');
    this.done = true;
    const { builder } = this.source;
    const all = defaultBranch === null ? this.branches : [...this.branches, defaultBranch];
    const names = new Set<string>();
    for (const b of all) {
      if (names.has(b.name)) throw new TopologyError(`two branches of ${this.splitterName} are named ${b.name}`);
      names.add(b.name);
    }
    const predicates = [...this.predicates];
    const childNames = this.branches.map((b) => b.name);
    builder.topology.addProcessor(this.splitterName, () => new KStreamBranch(predicates, childNames, defaultBranch?.name ?? null), this.source.nodeName);
    const result: Record<string, KStream<K, V>> = {};
    for (const b of all) {
      builder.topology.addProcessor(b.name, () => new KStreamPassThrough<K, V>(), this.splitterName);
      const stream = new KStreamClass<K, V>(builder, b.name, this.source.keySerde, this.source.valueSerde, this.source.repartitionRequired);
      if (b.options.withChain !== undefined) {
        const chained = b.options.withChain(stream);
        if (chained) result[b.name] = chained;
      } else {
        result[b.name] = stream;
      }
    }
    return result;
  }
}
