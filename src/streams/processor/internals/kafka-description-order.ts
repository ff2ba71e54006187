/**
 * The order in which Kafka Streams' `describe()` lists a node's predecessors and successors, and a
 * processor's stores, so that Skein prints the same text for the same program.
 *
 * Kafka Streams keeps predecessors and successors in `TreeSet`s ordered by the size of the graph
 * below each node (largest first), then by name. But it builds them while it is still adding up
 * those sizes: it visits the nodes in `HashMap` order, links each to its predecessors and adds the
 * node's size so far to theirs. A set is ordered by the sizes its members had when they were
 * inserted — a merge node lists the predecessor linked first before the one linked second, even
 * when the final sizes and names would say otherwise. Stores are printed in `HashSet` order. This
 * module replays that: Java's `String.hashCode`, `HashMap` bucket order, and `TreeMap` insertion (a
 * red-black tree whose keys may change after they were inserted, as Kafka Streams' do).
 */

/** Java's `String.hashCode()`. */
function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/** The bucket of a key in a Java `HashMap` table of `capacity` (a power of two). */
function javaBucket(key: string, capacity: number): number {
  const h = javaStringHash(key);
  return (h ^ (h >>> 16)) & (capacity - 1);
}

/** The table size of a default `HashMap` (or `HashSet`) after `n` insertions: 16, doubled past 3/4 full. */
function javaTableCapacity(n: number): number {
  let capacity = 16;
  while (n > capacity * 0.75) capacity *= 2;
  return capacity;
}

/**
 * The iteration order of a Java `HashSet` / `HashMap` of these strings, added in the given order
 * (entries of one bucket stay in insertion order, also across resizes).
 */
export function javaHashOrder(keys: readonly string[], capacity = javaTableCapacity(keys.length)): string[] {
  return keys
    .map((key, i) => ({ key, i, bucket: javaBucket(key, capacity) }))
    .sort((a, b) => a.bucket - b.bucket || a.i - b.i)
    .map((e) => e.key);
}

interface TreeEntry {
  key: string;
  left: TreeEntry | null;
  right: TreeEntry | null;
  parent: TreeEntry | null;
  red: boolean;
}

/** `java.util.TreeSet` of strings with a comparator: insertion as `TreeMap.put`, iteration in order. */
class JavaTreeSet {
  private root: TreeEntry | null = null;

  constructor(private readonly compare: (a: string, b: string) => number) {}

  add(key: string): void {
    let t = this.root;
    if (t === null) {
      this.root = { key, left: null, right: null, parent: null, red: false };
      return;
    }
    let parent: TreeEntry;
    let cmp: number;
    do {
      parent = t;
      cmp = this.compare(key, t.key);
      if (cmp < 0) t = t.left;
      else if (cmp > 0) t = t.right;
      else return;
    } while (t !== null);
    const e: TreeEntry = { key, left: null, right: null, parent, red: false };
    if (cmp < 0) parent.left = e;
    else parent.right = e;
    this.fixAfterInsertion(e);
  }

  values(): string[] {
    const out: string[] = [];
    const walk = (e: TreeEntry | null): void => {
      if (e === null) return;
      walk(e.left);
      out.push(e.key);
      walk(e.right);
    };
    walk(this.root);
    return out;
  }

  private fixAfterInsertion(entry: TreeEntry): void {
    let x: TreeEntry | null = entry;
    x.red = true;
    const parentOf = (p: TreeEntry | null): TreeEntry | null => (p === null ? null : p.parent);
    const leftOf = (p: TreeEntry | null): TreeEntry | null => (p === null ? null : p.left);
    const rightOf = (p: TreeEntry | null): TreeEntry | null => (p === null ? null : p.right);
    const isRed = (p: TreeEntry | null): boolean => p !== null && p.red;
    const setRed = (p: TreeEntry | null, red: boolean): void => {
      if (p !== null) p.red = red;
    };
    while (x !== null && x !== this.root && isRed(x.parent)) {
      if (parentOf(x) === leftOf(parentOf(parentOf(x)))) {
        const y = rightOf(parentOf(parentOf(x)));
        if (isRed(y)) {
          setRed(parentOf(x), false);
          setRed(y, false);
          setRed(parentOf(parentOf(x)), true);
          x = parentOf(parentOf(x));
        } else {
          if (x === rightOf(parentOf(x))) {
            x = parentOf(x);
            this.rotateLeft(x);
          }
          setRed(parentOf(x), false);
          setRed(parentOf(parentOf(x)), true);
          this.rotateRight(parentOf(parentOf(x)));
        }
      } else {
        const y = leftOf(parentOf(parentOf(x)));
        if (isRed(y)) {
          setRed(parentOf(x), false);
          setRed(y, false);
          setRed(parentOf(parentOf(x)), true);
          x = parentOf(parentOf(x));
        } else {
          if (x === leftOf(parentOf(x))) {
            x = parentOf(x);
            this.rotateRight(x);
          }
          setRed(parentOf(x), false);
          setRed(parentOf(parentOf(x)), true);
          this.rotateLeft(parentOf(parentOf(x)));
        }
      }
    }
    (this.root as TreeEntry).red = false;
  }

  private rotateLeft(p: TreeEntry | null): void {
    if (p === null) return;
    const r = p.right as TreeEntry;
    p.right = r.left;
    if (r.left !== null) r.left.parent = p;
    r.parent = p.parent;
    if (p.parent === null) this.root = r;
    else if (p.parent.left === p) p.parent.left = r;
    else p.parent.right = r;
    r.left = p;
    p.parent = r;
  }

  private rotateRight(p: TreeEntry | null): void {
    if (p === null) return;
    const l = p.left as TreeEntry;
    p.left = l.right;
    if (l.right !== null) l.right.parent = p;
    l.parent = p.parent;
    if (p.parent === null) this.root = l;
    else if (p.parent.right === p) p.parent.right = l;
    else p.parent.left = l;
    l.right = p;
    p.parent = l;
  }
}

export interface DescriptionOrder {
  /** The size of the graph below each node, the node included (a node reached two ways counts twice). */
  readonly size: ReadonlyMap<string, number>;
  readonly predecessors: ReadonlyMap<string, readonly string[]>;
  readonly successors: ReadonlyMap<string, readonly string[]>;
}

/**
 * Replays Kafka Streams' `describeSubtopology` for the nodes of one sub-topology (in the order they
 * were added) given each node's parents (in the order they were given).
 */
export function kafkaDescriptionOrder(nodes: readonly string[], parentsOf: (node: string) => readonly string[]): DescriptionOrder {
  const inGroup = new Set(nodes);
  const size = new Map<string, number>(nodes.map((n) => [n, 1]));
  const sizeOf = (n: string): number => size.get(n) as number;
  const compare = (a: string, b: string): number => (a === b ? 0 : sizeOf(b) - sizeOf(a) || (a < b ? -1 : a > b ? 1 : 0));
  const predecessors = new Map(nodes.map((n) => [n, new JavaTreeSet(compare)]));
  const successors = new Map(nodes.map((n) => [n, new JavaTreeSet(compare)]));
  const updateSize = (n: string, delta: number): void => {
    size.set(n, sizeOf(n) + delta);
    for (const p of (predecessors.get(n) as JavaTreeSet).values()) updateSize(p, delta);
  };
  for (const node of javaHashOrder(nodes)) {
    for (const p of parentsOf(node)) {
      if (!inGroup.has(p)) continue;
      (predecessors.get(node) as JavaTreeSet).add(p);
      (successors.get(p) as JavaTreeSet).add(node);
      updateSize(p, sizeOf(node));
    }
  }
  const values = (m: Map<string, JavaTreeSet>): Map<string, string[]> => new Map([...m].map(([n, set]) => [n, set.values()]));
  return { size, predecessors: values(predecessors), successors: values(successors) };
}
