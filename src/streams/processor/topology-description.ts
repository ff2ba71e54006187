/**
 * `topology.describe()`: the text Kafka Streams prints for the same program (so a Kafka Streams user
 * can compare, and tools that read it keep working), and a Mermaid drawing of it.
 *
 * Within a sub-topology, nodes are ordered as Kafka Streams orders them: by the size of the graph
 * below them, largest first, then by name; a node's neighbours and stores in the order Kafka
 * Streams happens to list them (see internals/kafka-description-order.ts).
 */
import { javaHashOrder, kafkaDescriptionOrder } from './internals/kafka-description-order.js';
import type { NodeDef, Subtopology, Topology } from './topology.js';

export interface NodeDescription {
  readonly name: string;
  readonly kind: 'source' | 'processor' | 'sink';
  readonly predecessors: readonly string[];
  readonly successors: readonly string[];
  /** Source: the topics read; sink: the topic written (absent when chosen per record). */
  readonly topics: readonly string[];
  readonly stores: readonly string[];
}

export interface SubtopologyDescription {
  readonly id: number;
  /** A global store's group (it generates no tasks). */
  readonly global: boolean;
  readonly nodes: readonly NodeDescription[];
}

export class TopologyDescription {
  readonly subtopologies: readonly SubtopologyDescription[];

  constructor(topology: Topology) {
    this.subtopologies = topology.allSubtopologies().map((s) => describeSubtopology(topology, s));
  }

  toString(): string {
    let out = 'Topologies:\n ';
    for (const s of this.subtopologies) {
      out += s.global ? `  Sub-topology: ${s.id} for global store (will not generate tasks)\n` : `  Sub-topology: ${s.id}\n`;
      for (const n of s.nodes) out += `    ${nodeLine(n)}\n`;
      if (!s.global) out += '\n';
    }
    return out;
  }

  /**
   * A Mermaid flowchart: one box per sub-topology, topics as rounded nodes between them, stores as
   * cylinders. Render it with any Mermaid renderer (GitHub shows it in a ```mermaid block).
   */
  toMermaid(): string {
    const lines = ['flowchart TD'];
    const id = (kind: string, name: string): string => `${kind}_${name.replace(/[^a-zA-Z0-9_]/g, '_')}`;
    const topics = new Set<string>();
    const stores = new Set<string>();
    const edges: string[] = [];
    for (const s of this.subtopologies) {
      lines.push(`  subgraph sub${s.id}["${s.global ? `Global store ${s.id}` : `Sub-topology ${s.id}`}"]`);
      for (const n of s.nodes) {
        const shape = n.kind === 'processor' ? `["${n.name}"]` : `[/"${n.name}"/]`;
        lines.push(`    ${id('n', n.name)}${shape}`);
        for (const succ of n.successors) edges.push(`  ${id('n', n.name)} --> ${id('n', succ)}`);
        for (const t of n.kind === 'processor' ? [] : n.topics) {
          topics.add(t);
          edges.push(n.kind === 'source' ? `  ${id('t', t)} --> ${id('n', n.name)}` : `  ${id('n', n.name)} --> ${id('t', t)}`);
        }
        for (const st of n.stores) {
          stores.add(st);
          edges.push(`  ${id('n', n.name)} --- ${id('s', st)}`);
        }
      }
      lines.push('  end');
    }
    for (const t of topics) lines.push(`  ${id('t', t)}(["${t}"])`);
    for (const st of stores) lines.push(`  ${id('s', st)}[("${st}")]`);
    return [...lines, ...edges].join('\n') + '\n';
  }
}

function describeSubtopology(topology: Topology, s: Subtopology): SubtopologyDescription {
  const order = kafkaDescriptionOrder(s.nodes, (name) => (topology.nodes.get(name) as NodeDef).parents);
  const size = (name: string): number => order.size.get(name) as number;
  const byKafkaOrder = (a: string, b: string): number => size(b) - size(a) || (a < b ? -1 : a > b ? 1 : 0);
  const nodes = [...s.nodes].sort(byKafkaOrder).map((name): NodeDescription => {
    const def = topology.nodes.get(name) as NodeDef;
    return {
      name,
      kind: def.kind,
      predecessors: order.predecessors.get(name) as string[],
      successors: order.successors.get(name) as string[],
      topics: def.kind === 'source' ? def.topics : def.kind === 'sink' && typeof def.topic === 'string' ? [def.topic] : [],
      stores: def.kind === 'processor' ? javaHashOrder([...def.stores]) : [],
    };
  });
  return { id: s.id, global: s.global, nodes };
}

function nodeLine(n: NodeDescription): string {
  const names = (list: readonly string[]): string => (list.length === 0 ? 'none' : list.join(', '));
  switch (n.kind) {
    case 'source':
      return `Source: ${n.name} (topics: [${n.topics.join(', ')}])\n      --> ${names(n.successors)}`;
    case 'processor':
      return `Processor: ${n.name} (stores: [${n.stores.join(', ')}])\n      --> ${names(n.successors)}\n      <-- ${names(n.predecessors)}`;
    case 'sink':
      return n.topics.length > 0
        ? `Sink: ${n.name} (topic: ${n.topics[0]})\n      <-- ${names(n.predecessors)}`
        : `Sink: ${n.name} (extractor class: topic name extractor)\n      <-- ${names(n.predecessors)}`;
  }
}
